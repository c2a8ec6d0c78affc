// Package simtest helps tests of the printer emulator's output: golden pictures and QR
// codes read back with an independent decoder; and tests of anything that logs from its
// goroutines. Only tests import it.
package simtest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQRs finds the QR codes in a printout with gozxing, a Go port of ZXing that
// shares no code with the encoders that drew them. The picture is cut into bands at
// runs of 20 or more blank rows, and each band is decoded on its own. A band that does
// not decode is tried again with its QR code alone (qrAlone), read as a pure barcode:
// gozxing's finder-pattern detector misses a few symbols a printer draws pixel-perfect
// (about one acceptance receipt in 300 lost a code so, while the symbol itself,
// format and error correction, reads back whole).
func DecodeQRs(img image.Image) []string {
	var found []string
	b := img.Bounds()
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return nil
	}
	start, blank := -1, 0
	flush := func(end int) {
		if start < 0 {
			return
		}
		band := image.Rect(b.Min.X, max(start-16, b.Min.Y), b.Max.X, min(end+16, b.Max.Y))
		text, ok := decodeQR(sub.SubImage(band), gozxing.DecodeHintType_TRY_HARDER)
		if !ok {
			text, ok = decodeQR(qrAlone(img, image.Rect(b.Min.X, start, b.Max.X, end)), gozxing.DecodeHintType_PURE_BARCODE)
		}
		if ok {
			found = append(found, text)
		}
		start = -1
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		switch ink := inkedRow(img, y, b.Min.X, b.Max.X); {
		case ink && start < 0:
			start, blank = y, 0
		case ink:
			blank = 0
		case start >= 0:
			if blank++; blank >= 20 {
				flush(y - blank)
			}
		}
	}
	flush(b.Max.Y)
	return found
}

// decodeQR decodes the QR code in img, if it finds one, with the reader's hint.
func decodeQR(img image.Image, hint gozxing.DecodeHintType) (string, bool) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", false
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{hint: true})
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}

// qrAlone is the tallest run of inked rows in band (rows apart by a blank one or more:
// a line of text is far shorter than a QR code), cut to its inked columns and set on
// white with a quiet zone around it.
func qrAlone(img image.Image, band image.Rectangle) image.Image {
	var tall image.Rectangle
	run := -1
	for y := band.Min.Y; y <= band.Max.Y; y++ {
		if y < band.Max.Y && inkedRow(img, y, band.Min.X, band.Max.X) {
			if run < 0 {
				run = y
			}
			continue
		}
		if run >= 0 && y-run > tall.Dy() {
			tall = image.Rect(band.Min.X, run, band.Max.X, y)
		}
		run = -1
	}
	left, right := tall.Max.X, tall.Min.X
	for y := tall.Min.Y; y < tall.Max.Y; y++ {
		for x := tall.Min.X; x < tall.Max.X; x++ {
			if inked(img, x, y) {
				left, right = min(left, x), max(right, x+1)
			}
		}
	}
	const quiet = 16
	out := image.NewGray(image.Rect(0, 0, max(right-left, 0)+2*quiet, tall.Dy()+2*quiet))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	for y := tall.Min.Y; y < tall.Max.Y; y++ {
		for x := left; x < right; x++ {
			if inked(img, x, y) {
				out.SetGray(x-left+quiet, y-tall.Min.Y+quiet, color.Gray{})
			}
		}
	}
	return out
}

// inkedRow reports whether row y holds ink between columns x0 and x1.
func inkedRow(img image.Image, y, x0, x1 int) bool {
	for x := x0; x < x1; x++ {
		if inked(img, x, y) {
			return true
		}
	}
	return false
}

func inked(img image.Image, x, y int) bool {
	r, _, _, _ := img.At(x, y).RGBA()
	return r < 0x8000
}

// SameImage reports whether two pictures have the same size and the same pixels.
func SameImage(a, b image.Image) bool {
	if !a.Bounds().Eq(b.Bounds()) {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, _, _, _ := a.At(x, y).RGBA()
			r2, _, _, _ := b.At(x, y).RGBA()
			if r1 != r2 {
				return false
			}
		}
	}
	return true
}

// Golden compares a picture with the PNG at path, or writes it there when update is
// set. A mismatch is saved under testdata/failed/ for a look.
func Golden(t testing.TB, path string, img image.Image, update bool) {
	t.Helper()
	var got bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&got, img); err != nil {
		t.Fatal(err)
	}
	if update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	wimg, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if !SameImage(img, wimg) {
		failed := filepath.Join(filepath.Dir(path), "failed", filepath.Base(path))
		os.MkdirAll(filepath.Dir(failed), 0o755)
		os.WriteFile(failed, got.Bytes(), 0o644)
		t.Fatalf("%s differs from the golden picture (this run's: %s)", path, failed)
	}
}

// GoldenBytes compares data with the file at path, or writes it there when update is set.
func GoldenBytes(t testing.TB, path string, data []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(data, want) {
		i := 0
		for i < len(data) && i < len(want) && data[i] == want[i] {
			i++
		}
		t.Fatalf("%s: %d bytes differ from the golden %d from offset %d", path, len(data), len(want), i)
	}
}

// SyncBuffer is a bytes.Buffer that goroutines may write while a test reads it: a log, an
// emulator's output.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
