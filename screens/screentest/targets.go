package screentest

import (
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/touch"
)

// Target is something a finger could tap: a visible, enabled tappable of the layer that
// takes taps (the top overlay if there is one, else the screen), with its centre on the
// canvas.
type Target struct {
	Object fyne.CanvasObject
	Label  string // the harness's label for it, or its type
	Centre fyne.Position
}

// Targets lists what a finger could tap now, in screen order: the tappables among what
// reachable walks, but disabled ones.
func (h *H) Targets() []Target {
	var out []Target
	h.Do(func() {
		walkVisible(h.tapLayer(), h.tapLayer().Position(), func(o fyne.CanvasObject, abs fyne.Position) {
			if _, ok := o.(fyne.Tappable); !ok {
				return
			}
			if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
				return
			}
			s := o.Size()
			out = append(out, Target{Object: o, Label: nameOf(o), Centre: abs.AddXY(s.Width/2, s.Height/2)})
		})
	})
	return out
}

// tapLayer is the layer that takes taps, as Fyne finds tap targets: the top overlay
// while one is open (a notice, the idle countdown: the screen under it cannot be
// pressed), else the screen. Call it on the UI goroutine.
func (h *H) tapLayer() fyne.CanvasObject {
	c := h.Win.Canvas()
	if top := c.Overlays().Top(); top != nil {
		return top
	}
	return c.Content()
}

// reachable calls f, in screen order, for every object a finger could reach: those of
// the layer that takes taps that are shown, with all that holds them (a hidden box, a
// pager's other page, hides what it holds). The harness's taps by label look here, as
// Targets and a finger on the canvas (pointerAt) do. Call it on the UI goroutine.
func (h *H) reachable(f func(fyne.CanvasObject)) {
	walkVisible(h.tapLayer(), h.tapLayer().Position(), func(o fyne.CanvasObject, _ fyne.Position) { f(o) })
}

// Reach tells why a finger could not reach o now (see reach); nil if it could. A test
// that taps an object itself, bypassing TapObject, asks first.
func (h *H) Reach(o fyne.CanvasObject) error {
	var err error
	h.Do(func() { err = h.reach(o) })
	return err
}

// reach tells why a finger could not reach o: under the notice on top, hidden, or not on
// screen at all; nil if it could. Call it on the UI goroutine.
func (h *H) reach(o fyne.CanvasObject) error {
	layer := h.tapLayer()
	if path := pathTo(layer, o); path != nil {
		for _, p := range path {
			if !p.Visible() {
				return fmt.Errorf("%q is hidden", nameOf(o))
			}
		}
		return nil
	}
	c := h.Win.Canvas()
	for _, under := range append(c.Overlays().List(), c.Content()) {
		if under != layer && pathTo(under, o) != nil {
			return fmt.Errorf("%q is under the notice %q, which takes every tap", nameOf(o), coverTitle(layer))
		}
	}
	return fmt.Errorf("%q is not on screen", nameOf(o))
}

// whyNot says why nothing labelled as match wants could be tapped, when something so
// labelled is there ("“缴费” is under the notice “读卡失败”, …"); empty when nothing is.
func (h *H) whyNot(match func(string) bool) string {
	return h.whyNotType(func(o fyne.CanvasObject) bool {
		l, ok := label(o)
		return ok && match(l)
	})
}

// whyNotType is whyNot for the objects is picks.
func (h *H) whyNotType(is func(fyne.CanvasObject) bool) string {
	var why string
	h.Do(func() {
		for _, o := range h.objects() {
			if !is(o) {
				continue
			}
			err := h.reach(o)
			if d, ok := o.(fyne.Disableable); err == nil && ok && d.Disabled() {
				err = fmt.Errorf("%q is disabled", nameOf(o))
			}
			if err != nil {
				why = ": " + err.Error()
				return
			}
		}
	})
	return why
}

// pathTo is the chain of objects from root down to o, both included, through the
// renderers the canvas draws with; nil if root does not hold o.
func pathTo(root, o fyne.CanvasObject) []fyne.CanvasObject {
	if root == o {
		return []fyne.CanvasObject{o}
	}
	for _, k := range kids(root) {
		if p := pathTo(k, o); p != nil {
			return append([]fyne.CanvasObject{root}, p...)
		}
	}
	return nil
}

// coverTitle is the first text an overlay shows: a notice's title.
func coverTitle(layer fyne.CanvasObject) string {
	var title string
	walkVisible(layer, layer.Position(), func(o fyne.CanvasObject, _ fyne.Position) {
		if title != "" {
			return
		}
		switch t := o.(type) {
		case *widget.Label:
			title = t.Text
		case *touch.Paragraph:
			title = t.String()
		case *canvas.Text:
			title = t.Text
		}
	})
	return title
}

// nameOf is the harness's label for o, or its type.
func nameOf(o fyne.CanvasObject) string {
	if l, ok := label(o); ok {
		return l
	}
	return fmt.Sprintf("%T", o)
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
	return objtree.At(h.tapLayer(), pos, func(o fyne.CanvasObject) bool {
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
