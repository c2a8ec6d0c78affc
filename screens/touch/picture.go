package touch

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	xdraw "golang.org/x/image/draw"
)

// NewPicture shows img at least size units large, scaled smoothly to the pixels it is
// given and keeping its aspect ratio (centred, on transparent).
//
// Like NewQR it is a raster rather than an image: Fyne refreshes every image new to a
// window while it paints it, and so paints a screen of images twice. It keeps the last
// picture it scaled: a software painter asks for it on every paint.
func NewPicture(img image.Image, size fyne.Size) *canvas.Raster {
	var last image.Image
	r := canvas.NewRaster(func(w, h int) image.Image {
		if last == nil || last.Bounds().Dx() != w || last.Bounds().Dy() != h {
			last = fit(img, w, h)
		}
		return last
	})
	r.SetMinSize(size)
	return r
}

// fit draws img scaled into w×h pixels, as large as fits without changing its shape.
func fit(img image.Image, w, h int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	b := img.Bounds()
	if b.Empty() || w <= 0 || h <= 0 {
		return dst
	}
	sw, sh := w, b.Dy()*w/b.Dx()
	if sh > h {
		sw, sh = b.Dx()*h/b.Dy(), h
	}
	at := image.Rect((w-sw)/2, (h-sh)/2, (w-sw)/2+sw, (h-sh)/2+sh)
	xdraw.CatmullRom.Scale(dst, at, img, b, xdraw.Src, nil)
	return dst
}
