package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Surface is the background of a screen. Taps that land on nothing interactive reach
// it, so that reading a screen and touching it anywhere counts as activity.
type Surface struct {
	widget.BaseWidget
	press
	OnTapped func()
	// OnResized, if set, is called when the surface is laid out at a new size (the
	// window was resized). It runs inside Fyne's layout: it must not change the tree.
	OnResized func(fyne.Size)
}

// NewSurface returns a background that reports taps.
func NewSurface(tapped func()) *Surface {
	s := &Surface{OnTapped: tapped}
	s.ExtendBaseWidget(s)
	return s
}

// Tapped reports the tap.
func (s *Surface) Tapped(*fyne.PointEvent) {
	if s.OnTapped != nil {
		s.OnTapped()
	}
}

// CreateRenderer draws nothing: the canvas is already cleared to the background
// colour, and a full-window rectangle costs the software painter about 16 ms a frame.
func (s *Surface) CreateRenderer() fyne.WidgetRenderer { return &surfaceRenderer{s: s} }

type surfaceRenderer struct {
	s    *Surface
	last fyne.Size
}

func (r *surfaceRenderer) Layout(size fyne.Size) {
	if size != r.last {
		r.last = size
		if r.s.OnResized != nil {
			r.s.OnResized(size)
		}
	}
}

func (r *surfaceRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *surfaceRenderer) Refresh()                     {}
func (r *surfaceRenderer) Objects() []fyne.CanvasObject { return nil }
func (r *surfaceRenderer) Destroy()                     {}
