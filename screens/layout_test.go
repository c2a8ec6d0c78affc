package screens

import (
	"sort"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/touch"
)

func visibleObjects(c fyne.Canvas) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, o := range c.Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	return append(objs, test.LaidOutObjects(c.Content())...)
}

// textSizes returns the sizes of visible text, smallest first.
func textSizes(c fyne.Canvas) []float32 {
	var s []float32
	for _, o := range visibleObjects(c) {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			s = append(s, t.TextSize)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		s = []float32{0}
	}
	return s
}

// assertTargets checks that every tappable thing on screen is at least min on both sides.
func assertTargets(t *testing.T, c fyne.Canvas, min float32) {
	t.Helper()
	for _, o := range visibleObjects(c) {
		if _, ok := o.(fyne.Tappable); !ok || !o.Visible() {
			continue
		}
		if _, ok := o.(*widget.Label); ok {
			continue
		}
		if s := o.Size(); s.Width < min || s.Height < min {
			t.Errorf("%T is %.0f×%.0f, smaller than the %.0f px touch target", o, s.Width, s.Height, min)
		}
	}
}

// assertFits checks that the content needs no scrolling at the window size and that no
// pager had to cut a block off.
func assertFits(t *testing.T, c fyne.Canvas) {
	t.Helper()
	for _, o := range visibleObjects(c) {
		if p, ok := o.(*touch.Pager); ok && p.Overflows() {
			t.Errorf("a block is taller than the pager's page")
		}
	}
	if m, s := c.Content().MinSize(), c.Size(); m.Height > s.Height || m.Width > s.Width {
		t.Errorf("content needs %.0f×%.0f, window is %.0f×%.0f (no scrolling on a touchscreen)", m.Width, m.Height, s.Width, s.Height)
	}
}
