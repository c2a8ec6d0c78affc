package touch

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// TapCounter is a hidden gesture over what it holds: Count taps within Within run
// OnCount (staff open maintenance mode with five quick taps on the header's title).
// Each tap also runs OnTap, so that a citizen's tap there counts as activity as one on
// the background would. It draws nothing of its own.
type TapCounter struct {
	widget.BaseWidget
	press
	Count  int
	Within time.Duration
	// OnCount runs when the taps are complete; OnTap on every tap.
	OnCount, OnTap func()

	content fyne.CanvasObject
	taps    []time.Time
	now     func() time.Time
}

// NewTapCounter returns a counter of count taps within d over content.
func NewTapCounter(content fyne.CanvasObject, count int, d time.Duration, onCount func()) *TapCounter {
	t := &TapCounter{Count: count, Within: d, OnCount: onCount, content: content, now: time.Now}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped counts the tap, dropping those older than Within.
func (t *TapCounter) Tapped(*fyne.PointEvent) {
	if t.OnTap != nil {
		t.OnTap()
	}
	now := t.now()
	kept := t.taps[:0]
	for _, at := range t.taps {
		if now.Sub(at) < t.Within {
			kept = append(kept, at)
		}
	}
	t.taps = append(kept, now)
	if len(t.taps) >= t.Count {
		t.taps = t.taps[:0]
		if t.OnCount != nil {
			t.OnCount()
		}
	}
}

// CreateRenderer shows the content, in a fingertip's room at least.
func (t *TapCounter) CreateRenderer() fyne.WidgetRenderer { return &tapRenderer{t.content} }

type tapRenderer struct{ content fyne.CanvasObject }

func (r *tapRenderer) Layout(s fyne.Size) {
	h := min(r.content.MinSize().Height, s.Height)
	r.content.Move(fyne.NewPos(0, (s.Height-h)/2))
	r.content.Resize(fyne.NewSize(s.Width, h))
}
func (r *tapRenderer) MinSize() fyne.Size           { return atLeastTarget(r.content.MinSize()) }
func (r *tapRenderer) Refresh()                     { r.content.Refresh() }
func (r *tapRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.content} }
func (r *tapRenderer) Destroy()                     {}
