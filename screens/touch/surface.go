package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// Surface is the background of a screen. Taps that land on nothing interactive reach
// it, so that reading a screen and touching it anywhere counts as activity.
type Surface struct {
	widget.BaseWidget
	OnTapped func()
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
func (s *Surface) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(layout.NewSpacer())
}
