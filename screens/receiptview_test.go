package screens

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

func loadReceipt(tb testing.TB) (image.Image, []byte) {
	tb.Helper()
	data, err := os.ReadFile("../app/receipt/testdata/acceptance-80mm.png")
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return img, data
}

// Strips cover the printout exactly, in order, and are cut only on blank rows.
func TestReceiptStrips(t *testing.T) {
	img, _ := loadReceipt(t)
	strips := receiptStrips(img, stripRows)
	if len(strips) < 10 {
		t.Fatalf("%d strips for a %d-dot receipt", len(strips), img.Bounds().Dy())
	}
	y := img.Bounds().Min.Y
	for i, s := range strips {
		b := s.Bounds()
		if b.Min.Y != y || b.Dx() != img.Bounds().Dx() {
			t.Fatalf("strip %d is %v, want it to start at row %d, full width", i, b, y)
		}
		if i > 0 && !blankRow(img, b.Min.Y) {
			t.Errorf("strip %d starts on a printed row %d", i, b.Min.Y)
		}
		y = b.Max.Y
	}
	if y != img.Bounds().Max.Y {
		t.Fatalf("strips end at row %d of %d", y, img.Bounds().Max.Y)
	}
}

// The strips shown are one picture of the printout, cut: drawn at their size they are
// the rows of the printout scaled once, pixel for pixel. Strips scaled one by one came
// out a pixel apart in width, and the printout's edge stepped at every cut.
func TestReceiptStripsShown(t *testing.T) {
	img, _ := loadReceipt(t)
	for _, scale := range []float32{0.75, 1} {
		whole := scaleImage(img, scale)
		y := whole.Bounds().Min.Y
		for i, b := range (&Shell{}).receiptStrips(img, scale) {
			size := b.MinSize()
			r := b.(*fyne.Container).Objects[0].(*canvas.Raster)
			got := r.Generator(int(size.Width), int(size.Height))
			for py := range int(size.Height) {
				for px := range int(size.Width) {
					if g, w := color.GrayModel.Convert(got.At(px, py)), color.GrayModel.Convert(whole.At(whole.Bounds().Min.X+px, y+py)); g != w {
						t.Fatalf("at %v, strip %d differs from the printout at (%d, %d): %v, want %v", scale, i, px, py, g, w)
					}
				}
			}
			y += int(size.Height)
		}
		if y != whole.Bounds().Max.Y {
			t.Errorf("at %v, the strips end at row %d of %d", scale, y, whole.Bounds().Max.Y)
		}
	}
}

func BenchmarkReceiptStrips(b *testing.B) {
	img, data := loadReceipt(b)
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cut", func(b *testing.B) {
		for b.Loop() {
			receiptStrips(img, stripRows)
		}
	})
	// Scaled once and cut: what the view does the first time it shows a receipt.
	b.Run("shown", func(b *testing.B) {
		for b.Loop() {
			(&Shell{}).receiptStrips(img, 0.75)
		}
	})
}
