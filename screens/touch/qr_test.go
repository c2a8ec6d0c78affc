package touch

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

func TestQR(t *testing.T) {
	test.NewTempApp(t)
	const url = "https://pay.example.cn/r/20261125173012000123"
	q, err := NewQR(url, 300)
	if err != nil {
		t.Fatal(err)
	}
	if q.MinSize().Width != 300 {
		t.Fatalf("min size %v", q.MinSize())
	}
	// Drawn at the sizes a screen gives it (scale 1, 大字模式, a small window), it reads.
	for _, px := range []int{300, 340, 150, 77} {
		if got := simtest.DecodeQRs(q.Generator(px, px)); !slices.Equal(got, []string{url}) {
			t.Errorf("%d px: decoded %q", px, got)
		}
	}
	if _, err := NewQR(string(make([]byte, 5000)), 300); err == nil {
		t.Fatal("an over-long QR was accepted")
	}
}
