// Package simtest helps tests of the printer emulator's output: golden pictures and QR
// codes read back with an independent decoder; and tests of anything that logs from its
// goroutines. Only tests import it.
package simtest

import (
	"bytes"
	"image"
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
// runs of 20 or more blank rows, and each band is decoded on its own.
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
		band := sub.SubImage(image.Rect(b.Min.X, max(start-16, b.Min.Y), b.Max.X, min(end+16, b.Max.Y)))
		if bmp, err := gozxing.NewBinaryBitmapFromImage(band); err == nil {
			hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
			if res, err := gzqr.NewQRCodeReader().Decode(bmp, hints); err == nil {
				found = append(found, res.GetText())
			}
		}
		start = -1
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		ink := false
		for x := b.Min.X; x < b.Max.X && !ink; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			ink = r < 0x8000
		}
		switch {
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
