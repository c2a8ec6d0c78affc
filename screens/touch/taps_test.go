package touch

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
)

// The gesture needs its taps close together: taps older than the window do not count,
// and after the gesture the count starts again. Taps on the counters built for one
// gesture, one after another, count together.
func TestTapCounter(t *testing.T) {
	for _, tc := range []struct {
		name string
		gaps []time.Duration // before each tap
		want int             // gestures recognised
	}{
		{"five quick taps", []time.Duration{0, 100, 100, 100, 100}, 1},
		{"four taps", []time.Duration{0, 100, 100, 100}, 0},
		{"too slow", []time.Duration{0, 800, 800, 800, 800}, 0},
		{"a pause, then five", []time.Duration{0, 100, 5000, 100, 100, 100, 100}, 1},
		{"ten quick taps", []time.Duration{0, 50, 50, 50, 50, 50, 50, 50, 50, 50}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			got, taps := 0, 0
			g := NewGesture(5, 3*time.Second, func() { got++ })
			g.OnTap = func() { taps++ }
			g.now = func() time.Time { return now }
			// A new counter after every other tap, as the header's title is on each
			// redraw: the taps count together.
			var c *TapCounter
			for i, gap := range tc.gaps {
				if i%2 == 0 {
					c = NewTapCounter(canvas.NewText("大厅", nil), g)
				}
				now = now.Add(gap * time.Millisecond)
				c.Tapped(nil)
			}
			if got != tc.want || taps != len(tc.gaps) {
				t.Fatalf("%d gestures, %d taps seen; want %d, %d", got, taps, tc.want, len(tc.gaps))
			}
		})
	}
}
