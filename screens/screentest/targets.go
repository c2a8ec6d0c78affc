package screentest

import (
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens/objtree"
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

// HoldCanvas puts a finger on the canvas at pos, runs during while it is held (the
// kiosk's news reach the screen meanwhile), and lifts it there, as Fyne's desktop
// driver delivers a press: the finger down to what is under it, up to what is under it
// then, and a tap if that is what it went down on.
func (h *H) HoldCanvas(pos fyne.Position, during func()) {
	h.Taps++
	ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
	var pressed fyne.CanvasObject
	h.Do(func() {
		o, p := h.pointerAt(pos)
		pressed = o
		if m, ok := o.(desktop.Mouseable); ok {
			ev.Position, ev.AbsolutePosition = p, pos
			m.MouseDown(ev)
		}
	})
	during()
	h.Do(func() {
		o, p := h.pointerAt(pos)
		if m, ok := o.(desktop.Mouseable); ok {
			ev.Position, ev.AbsolutePosition = p, pos
			m.MouseUp(ev)
		}
		if t, ok := o.(fyne.Tappable); ok && o == pressed {
			t.Tapped(&fyne.PointEvent{Position: p, AbsolutePosition: pos})
		}
	})
	h.Pump()
}

// pointerAt is what takes the pointer at pos, as Fyne finds it: the front-most tappable
// or desktop.Mouseable of the layer that takes taps.
func (h *H) pointerAt(pos fyne.Position) (fyne.CanvasObject, fyne.Position) {
	c := h.Win.Canvas()
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	return objtree.At(root, pos, func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case fyne.Tappable, desktop.Mouseable:
			return true
		}
		return false
	})
}

// walkVisible calls f for o and every visible object below it with its position on the
// canvas; hidden objects and everything below them are skipped (a pager's other pages).
func walkVisible(o fyne.CanvasObject, abs fyne.Position, f func(fyne.CanvasObject, fyne.Position)) {
	if !o.Visible() {
		return
	}
	f(o, abs)
	for _, k := range kids(o) {
		walkVisible(k, abs.Add(k.Position()), f)
	}
}

// QRCodes decodes the QR codes on the screen as a camera would read them: each raster
// large enough to hold one is cut from the painted canvas, with a quiet zone, and read
// by a decoder that shares no code with the encoder that drew it.
func (h *H) QRCodes() []string {
	var found []string
	h.Do(func() {
		c := h.Win.Canvas()
		img, ok := c.Capture().(interface {
			image.Image
			SubImage(image.Rectangle) image.Image
		})
		if !ok {
			h.T.Fatal("screentest: the canvas's picture cannot be cut")
		}
		scale := float32(img.Bounds().Dx()) / c.Size().Width
		walkVisible(c.Content(), c.Content().Position(), func(o fyne.CanvasObject, abs fyne.Position) {
			s := o.Size()
			if _, ok := o.(*canvas.Raster); !ok || s.Width < 80 || s.Height < 80 {
				return
			}
			const quiet = 12
			r := image.Rect(int(abs.X*scale)-quiet, int(abs.Y*scale)-quiet,
				int((abs.X+s.Width)*scale)+quiet, int((abs.Y+s.Height)*scale)+quiet)
			found = append(found, simtest.DecodeQRs(img.SubImage(r.Intersect(img.Bounds())))...)
		})
	})
	return found
}
