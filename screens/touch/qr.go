package touch

import (
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	qrcode "github.com/skip2/go-qrcode"
)

// NewQR returns a QR code of content, size×size units. Its modules are drawn whole
// pixels wide (the largest that fit, centred), so their edges stay sharp for phone
// cameras at any scale. An error means the content cannot be encoded (too long).
//
// It is a raster rather than an image: Fyne refreshes every image new to a window while
// it paints it, which made it paint each screen with a QR code twice.
func NewQR(content string, size float32) (*canvas.Raster, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap() // includes the 4-module quiet zone
	r := canvas.NewRaster(func(w, h int) image.Image { return drawQR(bits, w, h) })
	r.ScaleMode = canvas.ImageScalePixels
	r.SetMinSize(fyne.NewSize(size, size))
	return r, nil
}

// drawQR draws the modules w×h pixels large, on white.
func drawQR(bits [][]bool, w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	n := len(bits)
	m := max(min(w, h)/max(n, 1), 1) // pixels a module
	x0, y0 := (w-n*m)/2, (h-n*m)/2
	black := image.NewUniform(color.Black)
	for y, row := range bits {
		for x, on := range row {
			if on {
				r := image.Rect(x0+x*m, y0+y*m, x0+(x+1)*m, y0+(y+1)*m)
				draw.Draw(img, r, black, image.Point{}, draw.Src)
			}
		}
	}
	return img
}
