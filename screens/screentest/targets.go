package screentest

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Target is something a finger could tap: a visible, enabled tappable of the layer that
// takes taps (the top overlay if there is one, else the screen), with its centre on the
// canvas.
type Target struct {
	Object fyne.CanvasObject
	Label  string // the harness's label for it, or its type
	Centre fyne.Position
}

// Targets lists what a finger could tap now, in screen order.
func (h *H) Targets() []Target {
	var out []Target
	h.Do(func() {
		c := h.Win.Canvas()
		root := c.Content()
		if top := c.Overlays().Top(); top != nil {
			root = top
		}
		walkVisible(root, root.Position(), func(o fyne.CanvasObject, abs fyne.Position) {
			if _, ok := o.(fyne.Tappable); !ok {
				return
			}
			if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
				return
			}
			l, ok := label(o)
			if !ok {
				l = fmt.Sprintf("%T", o)
			}
			s := o.Size()
			out = append(out, Target{Object: o, Label: l, Centre: abs.AddXY(s.Width/2, s.Height/2)})
		})
	})
	return out
}

// TapCanvas taps the canvas at pos as a finger would: the tap goes to whatever takes
// it there (the top overlay's objects only, while one is open), or to nothing.
func (h *H) TapCanvas(pos fyne.Position) {
	h.Taps++
	h.Do(func() { test.TapCanvas(h.Win.Canvas(), pos) })
	h.Pump()
}

// walkVisible calls f for o and every visible object below it with its position on the
// canvas; hidden objects and everything below them are skipped (a pager's other pages).
func walkVisible(o fyne.CanvasObject, abs fyne.Position, f func(fyne.CanvasObject, fyne.Position)) {
	if !o.Visible() {
		return
	}
	f(o, abs)
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	}
	for _, k := range kids {
		walkVisible(k, abs.Add(k.Position()), f)
	}
}
