package screens

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
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
}
