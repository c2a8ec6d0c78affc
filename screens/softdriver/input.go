package softdriver

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/xwin"
)

// dragSlop is how far, in pixels, a finger may slide before a press counts as a drag
// rather than a tap: a finger on glass never lands still.
const dragSlop = 12

// pointer is what a finger (or the mouse's primary button) is doing.
type pointer struct {
	down     bool
	at       fyne.Position     // where it went down
	last     fyne.Position     // where it was last seen
	tap      fyne.CanvasObject // what it went down on, if that takes taps
	drag     fyne.Draggable    // what it went down on, if that takes drags
	dragging bool              // it has moved beyond dragSlop with a Draggable under it
}

// handle turns the display's pointer events into Fyne's: a tap when the finger comes
// up on what it went down on, without having dragged; drag events to a Draggable.
func (p *pointer) handle(c *swCanvas, e xwin.Event) {
	pos := fyne.NewPos(float32(e.X)/c.Scale(), float32(e.Y)/c.Scale())
	switch e.Kind {
	case xwin.Press:
		if e.Button != 1 {
			return
		}
		*p = pointer{down: true, at: pos, last: pos}
		mouse(c, pos, desktop.Mouseable.MouseDown)
		p.tap, _ = objtree.At(c.root(), pos, takesTaps)
		if o, _ := objtree.At(c.root(), pos, takesDrags); o != nil {
			p.drag = o.(fyne.Draggable)
		}
	case xwin.Motion:
		if !p.down || p.drag == nil {
			return
		}
		if !p.dragging {
			d := pos.Subtract(p.at)
			if d.X*d.X+d.Y*d.Y < dragSlop*dragSlop {
				return
			}
			p.dragging = true
		}
		delta := pos.Subtract(p.last)
		p.last = pos
		p.drag.Dragged(&fyne.DragEvent{
			PointEvent: fyne.PointEvent{AbsolutePosition: pos, Position: pos.Subtract(c.positionOf(p.drag.(fyne.CanvasObject)))},
			Dragged:    fyne.Delta{DX: delta.X, DY: delta.Y},
		})
	case xwin.Release:
		if e.Button != 1 || !p.down {
			return
		}
		pressed, drag, dragging := p.tap, p.drag, p.dragging
		*p = pointer{}
		mouse(c, pos, desktop.Mouseable.MouseUp)
		if dragging {
			drag.DragEnd()
			return
		}
		if pressed == nil {
			c.Unfocus()
			return
		}
		o, rel := objtree.At(c.root(), pos, takesTaps)
		if o != pressed {
			return // slid off what it pressed: no tap, as on Fyne's desktop driver
		}
		if f, ok := o.(fyne.Focusable); ok {
			c.Focus(f)
		} else {
			c.Unfocus()
		}
		o.(fyne.Tappable).Tapped(&fyne.PointEvent{AbsolutePosition: pos, Position: rel})
	}
}

// mouse hands the primary button's going down or up to what is under pos, if that is a
// desktop.Mouseable, as Fyne's desktop driver does: before any tap the release makes.
func mouse(c *swCanvas, pos fyne.Position, event func(desktop.Mouseable, *desktop.MouseEvent)) {
	o, rel := objtree.At(c.root(), pos, takesPointer)
	if m, ok := o.(desktop.Mouseable); ok {
		event(m, &desktop.MouseEvent{
			PointEvent: fyne.PointEvent{AbsolutePosition: pos, Position: rel},
			Button:     desktop.MouseButtonPrimary,
		})
	}
}

func takesPointer(o fyne.CanvasObject) bool {
	switch o.(type) {
	case fyne.Tappable, desktop.Mouseable:
		return true
	}
	return false
}

func takesTaps(o fyne.CanvasObject) bool {
	if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
		return false
	}
	_, ok := o.(fyne.Tappable)
	return ok
}

func takesDrags(o fyne.CanvasObject) bool {
	_, ok := o.(fyne.Draggable)
	return ok
}

// typed hands a key to the canvas's key handler and to the focused object, as Fyne's
// desktop driver does: a key with a name (Return, Escape, a digit, a letter) as a key,
// a printable character also as a rune.
func (c *swCanvas) typed(keysym uint32) {
	name := keyName(keysym)
	if name != "" {
		ev := &fyne.KeyEvent{Name: name}
		if f := c.Focused(); f != nil {
			f.TypedKey(ev)
		} else if h := c.OnTypedKey(); h != nil {
			h(ev)
		}
	}
	if keysym >= 0x20 && keysym < 0x7f {
		r := rune(keysym)
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if h := c.OnTypedRune(); h != nil {
			h(r)
		}
	}
}

// keyName is Fyne's name for an X keysym, "" for keys Fyne does not name.
func keyName(keysym uint32) fyne.KeyName {
	switch {
	case keysym >= '0' && keysym <= '9':
		return fyne.KeyName(rune(keysym))
	case keysym >= 'a' && keysym <= 'z':
		return fyne.KeyName(rune(keysym - 'a' + 'A'))
	case keysym >= 'A' && keysym <= 'Z':
		return fyne.KeyName(rune(keysym))
	case keysym == ' ':
		return fyne.KeySpace
	}
	return map[uint32]fyne.KeyName{
		0xff0d: fyne.KeyReturn, 0xff8d: fyne.KeyEnter, 0xff1b: fyne.KeyEscape,
		0xff08: fyne.KeyBackspace, 0xffff: fyne.KeyDelete, 0xff09: fyne.KeyTab,
		0xff51: fyne.KeyLeft, 0xff52: fyne.KeyUp, 0xff53: fyne.KeyRight, 0xff54: fyne.KeyDown,
		0xff50: fyne.KeyHome, 0xff57: fyne.KeyEnd, 0xff55: fyne.KeyPageUp, 0xff56: fyne.KeyPageDown,
	}[keysym]
}
