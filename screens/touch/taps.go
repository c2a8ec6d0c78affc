package touch

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Gesture counts taps: Count taps within Within run OnCount (staff open maintenance
// mode with five quick taps on the header's title). Each tap also runs OnTap, so that a
// citizen's tap there counts as activity as one on the background would. The header is
// built anew on each redraw: its title's TapCounter is a new one each time, with the one
// Gesture, so that a redraw between two taps (a utility's answer, a device coming back)
// does not start the count again.
type Gesture struct {
	Count  int
	Within time.Duration
	// OnCount runs when the taps are complete; OnTap on every tap.
	OnCount, OnTap func()

	taps []time.Time
	now  func() time.Time
}

// NewGesture returns a gesture of count taps within d.
func NewGesture(count int, d time.Duration, onCount func()) *Gesture {
	return &Gesture{Count: count, Within: d, OnCount: onCount, now: time.Now}
}

// Tap counts a tap, dropping those older than Within.
func (g *Gesture) Tap() {
	if g.OnTap != nil {
		g.OnTap()
	}
	now := g.now()
	kept := g.taps[:0]
	for _, at := range g.taps {
		if now.Sub(at) < g.Within {
			kept = append(kept, at)
		}
	}
	g.taps = append(kept, now)
	if len(g.taps) >= g.Count {
		g.taps = g.taps[:0]
		if g.OnCount != nil {
			g.OnCount()
		}
	}
}

// TapCounter is a hidden gesture over what it holds: its taps count for its Gesture. It
// draws nothing of its own.
type TapCounter struct {
	widget.BaseWidget
	press
	Gesture *Gesture

	content fyne.CanvasObject
}

// NewTapCounter returns content with taps on it counted for g.
func NewTapCounter(content fyne.CanvasObject, g *Gesture) *TapCounter {
	t := &TapCounter{Gesture: g, content: content}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped counts the tap for the gesture.
func (t *TapCounter) Tapped(*fyne.PointEvent) { t.Gesture.Tap() }

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
