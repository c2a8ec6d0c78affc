package fleet

import (
	"slices"
	"testing"
	"time"
)

// Statuses handled the wrong way round (Paho runs handlers on goroutines of their own)
// do not leave a kiosk's older status standing; a clock set back is still followed.
func TestNewest(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	at := func(kiosk string, d time.Duration) Status { return Status{Kiosk: kiosk, Time: t0.Add(d)} }
	for _, tc := range []struct {
		name string
		in   []Status
		want []time.Duration // of the statuses handed on, after t0
	}{
		{"in order", []Status{at("A", 0), at("A", time.Millisecond), at("A", time.Second)}, []time.Duration{0, time.Millisecond, time.Second}},
		{"one late", []Status{at("A", time.Millisecond), at("A", 0), at("A", time.Second)}, []time.Duration{time.Millisecond, time.Second}},
		{"the same time", []Status{at("A", 0), at("A", 0)}, []time.Duration{0, 0}},
		{"the clock set back an hour", []Status{at("A", time.Hour), at("A", 0)}, []time.Duration{time.Hour, 0}},
		{"each kiosk its own", []Status{at("A", time.Second), at("B", 0)}, []time.Duration{time.Second, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []time.Duration
			f := newest(func(s Status) { got = append(got, s.Time.Sub(t0)) })
			for _, s := range tc.in {
				f(s)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("handed on %v, want %v", got, tc.want)
			}
		})
	}
}
