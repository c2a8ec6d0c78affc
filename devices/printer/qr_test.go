package printer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Byte-mode capacities of ISO/IEC 18004 table 7.
func TestQRVersion(t *testing.T) {
	for _, tc := range []struct {
		n    int
		ec   ECLevel
		want int
	}{
		{14, ECM, 1}, {15, ECM, 2}, {26, ECM, 2}, {27, ECM, 3}, {42, ECM, 3}, {45, ECM, 4},
		{62, ECM, 4}, {122, ECM, 7}, {123, ECM, 8}, {17, ECL, 1}, {7, ECH, 1},
		{2953, ECL, 40}, {2954, ECL, 0}, {2331, ECM, 40}, {1273, ECH, 40},
	} {
		if got := QRVersion(tc.n, tc.ec); got != tc.want {
			t.Errorf("QRVersion(%d, %d) = %d, want %d", tc.n, tc.ec, got, tc.want)
		}
	}
}

// The 67-byte native QR of escpos.md §3: model 2, 6-dot modules, EC M.
func TestNativeQRAnchor(t *testing.T) {
	d := NewDoc(mustProfile(t, "80mm"))
	if mode := d.QR("https://example.com/r/1234", QROptions{Module: 6, EC: ECM}); mode != QRNative {
		t.Fatalf("mode %v", mode)
	}
	got, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	sym := unhex(t, "1D286B0400314132001D286B03003143061D286B03003145311D286B1D003150306874747073"+
		"3A2F2F6578616D706C652E636F6D2F722F313233341D286B0300315130")
	if len(sym) != 67 {
		t.Fatalf("anchor is %d bytes", len(sym))
	}
	want := append(append(unhex(t, "1B401C26 1B6101 0A"), sym...), unhex(t, "0A 1B6100")...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % X\nwant % X", got, want)
	}
}

func TestNativeQRStoreHeader300(t *testing.T) {
	d := NewDoc(mustProfile(t, "80mm"))
	d.QR(strings.Repeat("a", 300), QROptions{})
	got, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, unhex(t, "1D286B2F01315030")) {
		t.Fatal("no store header for 300 bytes")
	}
}

// The symbol width is checked on the host: the module shrinks to fit the paper, then
// the builder refuses; the profile's limits send large or unsupported QR codes as raster.
func TestQRFitsPaper(t *testing.T) {
	module := func(b []byte) int {
		i := bytes.Index(b, unhex(t, "1D286B03003143"))
		if i < 0 {
			return 0
		}
		return int(b[i+7])
	}
	p58 := mustProfile(t, "58mm")
	// 300 bytes at M: version 13, 69 modules; (69+8)×6 = 462 > 384, ×4 = 308 fits.
	d := NewDoc(p58)
	d.QR(strings.Repeat("a", 300), QROptions{Module: 6})
	b, err := d.Bytes()
	if err != nil || module(b) != 4 {
		t.Fatalf("module %d, err %v", module(b), err)
	}
	// 600 bytes at M: version 19, 93 modules: (93+8)×4 = 404 > 384.
	d = NewDoc(p58)
	d.QR(strings.Repeat("a", 600), QROptions{Module: 6})
	if _, err := d.Job(); !errors.Is(err, ErrQRTooLarge) {
		t.Fatalf("err %v, want ErrQRTooLarge", err)
	}
	// The same fits when allowed 3-dot modules.
	d = NewDoc(p58)
	d.QR(strings.Repeat("a", 600), QROptions{Module: 6, MinModule: 3})
	if _, err := d.Job(); err != nil {
		t.Fatal(err)
	}
	// A clone that takes at most 100 bytes natively gets a raster image.
	small := p58
	small.QRMaxData = 100
	d = NewDoc(small)
	if mode := d.QR(strings.Repeat("a", 101), QROptions{}); mode != QRRaster {
		t.Fatalf("mode %v, want raster", mode)
	}
	if _, err := d.Job(); err != nil {
		t.Fatal(err)
	}
}

// Raster QR: GS v 0 bands, each within half the flow-control window, together exactly
// the symbol's rows.
func TestRasterQRBands(t *testing.T) {
	p := mustProfile(t, "80mm")
	p.NativeQR = false
	p.Buffer = 256
	d := NewDoc(p)
	if mode := d.QR("https://pay.example.cn/r/20261125173012000123", QROptions{Module: 6}); mode != QRRaster {
		t.Fatalf("mode %v", mode)
	}
	job, err := d.Job()
	if err != nil {
		t.Fatal(err)
	}
	b := job.Data
	rows, bpr := 0, 0
	prev := 0
	for _, end := range job.units {
		u := b[prev:end]
		if bytes.HasPrefix(u, []byte{0x1D, 0x76, 0x30, 0x00}) {
			x := int(u[4]) | int(u[5])<<8
			y := int(u[6]) | int(u[7])<<8
			if len(u) != 8+x*y {
				t.Fatalf("band of %d bytes, header says %d×%d", len(u), x, y)
			}
			if len(u) > p.segmentSize() {
				t.Fatalf("band of %d bytes exceeds a segment", len(u))
			}
			rows += y
			bpr = x
		}
		prev = end
	}
	// 45 bytes at M with go-qrcode: version 3 or 4 (29 or 33 modules), 6 dots each.
	if rows != 29*6 && rows != 33*6 {
		t.Fatalf("%d rows", rows)
	}
	if bpr != (rows+7)/8 {
		t.Fatalf("%d bytes a row for %d rows", bpr, rows)
	}
}

func TestSegments(t *testing.T) {
	job := &Job{Data: make([]byte, 100), units: []int{2, 4, 40, 45, 90, 100}}
	got := segments(job, 40)
	want := [][2]int{{0, 40}, {40, 45}, {45, 90}, {90, 100}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i, s := range got {
		if s.start != want[i][0] || s.end != want[i][1] {
			t.Fatalf("segment %d = %d–%d, want %v", i, s.start, s.end, want[i])
		}
	}
	// Pieces cover a segment exactly, at most pieceSize each.
	seg := segment{start: 0, end: 300, cuts: []int{10, 20, 200, 230, 300}}
	at := 0
	for _, p := range pieces(seg) {
		if p[0] != at || p[1]-p[0] > pieceSize || p[1] <= p[0] {
			t.Fatalf("pieces %v", pieces(seg))
		}
		at = p[1]
	}
	if at != 300 {
		t.Fatalf("pieces end at %d", at)
	}
}
