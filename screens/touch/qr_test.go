package touch

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestQR(t *testing.T) {
	test.NewTempApp(t)
	q, err := NewQR("https://pay.example.cn/r/20261125173012000123", 300)
	if err != nil {
		t.Fatal(err)
	}
	if q.MinSize().Width != 300 || q.Image == nil || q.Image.Bounds().Dx() < 21 {
		t.Fatalf("qr %v %v", q.MinSize(), q.Image.Bounds())
	}
	if _, err := NewQR(string(make([]byte, 5000)), 300); err == nil {
		t.Fatal("an over-long QR was accepted")
	}
}
