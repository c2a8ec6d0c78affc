package touch

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	qrcode "github.com/skip2/go-qrcode"
)

// NewQR returns a QR code of content drawn size×size units, crisp at any scale
// (nearest-neighbour scaling keeps module edges sharp for phone cameras). An error
// means the content cannot be encoded (too long).
func NewQR(content string, size float32) (*canvas.Image, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap() // includes the 4-module quiet zone
	n := len(bits)
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y, row := range bits {
		for x, black := range row {
			v := color.Gray{Y: 0xFF}
			if black {
				v = color.Gray{Y: 0}
			}
			img.SetGray(x, y, v)
		}
	}
	c := canvas.NewImageFromImage(img)
	c.FillMode = canvas.ImageFillContain
	c.ScaleMode = canvas.ImageScalePixels
	c.SetMinSize(fyne.NewSize(size, size))
	return c, nil
}
