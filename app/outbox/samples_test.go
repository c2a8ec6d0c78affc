package outbox

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/receipt"
)

// The sample receipts print the kiosk references a kiosk with the shipped configuration
// gives: a reference of another form on paper would teach staff and utilities the wrong one.
func TestSampleReceiptRefs(t *testing.T) {
	code := config.Defaults().Kiosk.Code()
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, cst)
	cases := []struct {
		name, ref string
		stored    time.Duration // after midnight
		after     uint64        // references already given in that tenth of a second
	}{
		// The gas part of the sample acceptance: the third part stored at 17:30:12.
		{"acceptance gas part", receipt.SampleGasRef, 17*time.Hour + 30*time.Minute + 12*time.Second, 2},
		// The sample payment's order, asked for at 17:29:05, paid at 17:30:12.
		{"payment order", receipt.SamplePayment().Ref, 17*time.Hour + 29*time.Minute + 5*time.Second, 0},
	}
	for _, c := range cases {
		want := kioskRef(day, code, uint64(c.stored/refTick)+c.after)
		if c.ref != want {
			t.Errorf("%s: sample prints %s; a kiosk with the shipped configuration gives %s", c.name, c.ref, want)
		}
		if got, ok := KioskCodeOf(c.ref); !ok || got != code {
			t.Errorf("%s: KioskCodeOf(%s) = %q, %v; want %q", c.name, c.ref, got, ok, code)
		}
	}
}
