package sim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzESCPOS feeds arbitrary bytes to the interpreter: it must never panic, never hang,
// and never print outside the paper. The seed corpus (testdata/fuzz/FuzzESCPOS) holds the
// kiosk's own receipts at both widths, the feature stream, and truncated and unknown
// commands.
func FuzzESCPOS(f *testing.F) {
	f.Fuzz(func(t *testing.T, stream []byte, narrow, chinese bool) {
		dots := 576
		if narrow {
			dots = 384
		}
		imgs := RenderESCPOS(stream, dots, chinese)
		if len(imgs) > RenderMaxPrintouts {
			t.Fatalf("%d printouts", len(imgs))
		}
		for _, img := range imgs {
			if b := img.Bounds(); b.Dx() != dots+2*paperMargin(dots) || b.Dy() > paperMaxDots+48 {
				t.Fatalf("picture %v", b)
			}
		}
	})
}

// hostileStreams are streams a broken or hostile sender might produce: huge declared
// sizes with little data, truncated commands, endless feeds and cuts.
func hostileStreams(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"features":          featureStream(t),
		"raster-huge":       {0x1D, 0x76, 0x30, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02},
		"qr-store-huge":     cat([]byte{0x1D, 0x28, 0x6B, 0xFF, 0xFF, 0x31, 0x50, 0x30}, []byte("abc")),
		"qr-print-long":     cat(nativeQR(string(bytes.Repeat([]byte("9"), 7089)), 1, 0x30), []byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30}),
		"gs8l-4gb":          {0x1D, 0x38, 0x4C, 0xFF, 0xFF, 0xFF, 0xFF, 0x30},
		"feeds-and-cuts":    bytes.Repeat([]byte{0x1B, 0x64, 0xFF, 0x1B, 0x64, 0xFF, 0x1D, 0x56, 0x00}, 40),
		"truncated-escs":    {0x1B, 0x21, 0x1B, 0x2A, 0x21, 0x10, 0x1D, 0x28, 0x6B, 0x01},
		"lead-bytes":        cat(fsChinese, []byte{0x81, 0x81, 0xFE, 0x0A, 0xFF, 0x30, 0x80, 0x80, 0x95, 0x32, 0x82, 0x36}),
		"size-and-margins":  {0x1D, 0x21, 0x77, 0x1D, 0x4C, 0xFF, 0x01, 0x1D, 0x57, 0x01, 0x00, 'W', 0x1B, 0x24, 0xFF, 0xFF, 'X', 0x0A},
		"user-chars":        {0x1B, 0x26, 0x03, 0x20, 0x7E, 0xFF},
		"nv-images":         {0x1C, 0x71, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		"dle-dc4":           {0x10, 0x14, 0x08, 0x01, 0x10, 0x04, 0x01, 0x10, 0x05},
		"tabs-and-spacing":  {0x1B, 0x44, 1, 2, 3, 0x09, 0x09, 0x1B, 0x20, 0xFF, 'A', 'B', 0x0A},
		"reverse-fontb":     {0x1D, 0x42, 0x01, 0x1B, 0x4D, 0x01, 'a', 'b', 0x1B, 0x21, 0xFF, 'c', 0x0A},
		"barcodes":          {0x1D, 0x6B, 0x49, 0xFF, 'a', 0x1D, 0x6B, 0x00, '1', '2'},
		"page-mode-and-raw": {0x1B, 0x4C, 0x1B, 0x57, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0C, 0x1B, 0x53},
	}
}

func TestHostileStreams(t *testing.T) {
	for name, s := range hostileStreams(t) {
		for _, dots := range []int{576, 384} {
			imgs := RenderESCPOS(s, dots, true)
			for _, img := range imgs {
				if img.Bounds().Dy() > paperMaxDots+48 {
					t.Errorf("%s: picture %v", name, img.Bounds())
				}
			}
		}
		if *update {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\nbool(false)\nbool(true)\n", strconv.Quote(string(s)))
			if err := os.WriteFile(filepath.Join("testdata", "fuzz", "FuzzESCPOS", "stream-"+name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
