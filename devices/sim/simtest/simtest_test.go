package simtest

import (
	"image/png"
	"os"
	"slices"
	"testing"
)

// A printout whose second QR code gozxing's finder-pattern detector misses (one of the
// emulator's acceptance receipts with random references; about one in 300 has such a
// code) still gives both codes: the band is read again with its code alone, as a pure
// barcode.
func TestDecodeQRsDetectorMiss(t *testing.T) {
	f, err := os.Open("testdata/detector-miss.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://track.example.cn/a/K338638979351", "https://track.example.cn/a/SS92643556608"}
	if got := DecodeQRs(img); !slices.Equal(got, want) {
		t.Fatalf("decoded %q, want %q", got, want)
	}
}
