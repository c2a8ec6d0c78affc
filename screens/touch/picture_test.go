package touch

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"fyne.io/fyne/v2"
)

// A picture keeps its shape: scaled to fit, centred, the rest left transparent. One
// picture asked at several sizes in turn scales again only when the size changes.
func TestPictureFits(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 200, 100))
	draw.Draw(src, src.Bounds(), image.NewUniform(color.Black), image.Point{}, draw.Src)
	picture := NewPicture(src, fyne.NewSize(100, 50))
	for _, c := range []struct {
		w, h   int
		inside image.Rectangle
	}{
		{100, 100, image.Rect(0, 25, 100, 75)},
		{400, 100, image.Rect(100, 0, 300, 100)},
		{200, 100, image.Rect(0, 0, 200, 100)},
	} {
		got := picture.Generator(c.w, c.h)
		if got.Bounds() != image.Rect(0, 0, c.w, c.h) {
			t.Fatalf("%d×%d: bounds %v", c.w, c.h, got.Bounds())
		}
		if again := picture.Generator(c.w, c.h); again != got {
			t.Errorf("%d×%d: scaled again for the same size", c.w, c.h)
		}
		for _, p := range []image.Point{c.inside.Min, c.inside.Max.Sub(image.Pt(1, 1)), {(c.inside.Min.X + c.inside.Max.X) / 2, (c.inside.Min.Y + c.inside.Max.Y) / 2}} {
			if _, _, _, a := got.At(p.X, p.Y).RGBA(); a < 0xF000 {
				t.Errorf("%d×%d: %v inside the picture is transparent", c.w, c.h, p)
			}
		}
		for _, p := range []image.Point{{0, 0}, {c.w - 1, c.h - 1}} {
			if p.In(c.inside) {
				continue
			}
			if _, _, _, a := got.At(p.X, p.Y).RGBA(); a != 0 {
				t.Errorf("%d×%d: %v outside the picture is drawn", c.w, c.h, p)
			}
		}
	}
}
