package screentest

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// AssertGaps checks that every two controls on the layer that takes taps stand
// theme.MinGap clear of each other: a finger aimed at one lands a few millimetres off,
// and at the theme's padding (8, 10 in 大字模式) it pressed the neighbour. The pairs the
// review found at the padding: one list's 下一页 and another's 上一页, a pager's 下一页
// and the screen's main action, a keypad's 确定 and 清空, the footer's 大字模式 and
// English, the header's 返回 and 首页, a result page's stack of buttons, a page's main
// action above the footer. Disabled controls count: they are there, and enabled a
// moment later.
//
// Three kinds of pair may stand closer, each with its own rule:
//   - two character keys of one keypad: the keys are a grid read as one control, a slip
//     costs one character, in sight, and 退格 takes it back; the gap between them would
//     leave the 大字模式 keys smaller than a target. Its 确定 and 清空 are no character
//     keys: they stand the gap clear of everything;
//   - the rows of one list (a pager's page or a panel), with each other and with the
//     pager's own 上一页 and 下一页: a slip opens the neighbouring row or turns the
//     page, in sight and undone with one tap, and the gap there put the 大字模式 form on
//     8 pages instead of 5. Other controls on a pager's page (buttons) have no such
//     rule;
//   - the header's title, a hidden staff gesture: a tap on it does nothing a citizen
//     sees (five in a row ask for the staff PIN).
func (h *H) AssertGaps() {
	h.T.Helper()
	var w gapWalk
	h.Do(func() {
		c := h.Win.Canvas()
		root := c.Content()
		if top := c.Overlays().Top(); top != nil {
			root = top
		}
		w.nav = map[fyne.CanvasObject]bool{}
		w.keys = map[fyne.CanvasObject]*touch.Keypad{}
		w.walk(root, root.Position(), list{})
	})
	for i, a := range w.controls {
		for _, b := range w.controls[i+1:] {
			if w.mayAbut(a, b) {
				continue
			}
			if d := gap(a, b); d < kt.MinGap {
				h.T.Errorf("screen %s: %q and %q are %.0f apart, closer than %d: a finger aimed at one may land on the other",
					h.Current(), a.label, b.label, d, kt.MinGap)
			}
		}
	}
}

// control is a tappable with its box on the canvas and the lists that hold it.
type control struct {
	obj      fyne.CanvasObject
	min, max fyne.Position
	label    string
	in       list
}

// list is what holds a control: the pager whose page shows it and the panel it is a
// row of, if any.
type list struct {
	pager *touch.Pager
	panel *touch.Panel
}

// gapWalk gathers the visible controls of a layer, in screen order: each pager's
// navigation and each keypad's character keys are marked, for mayAbut.
type gapWalk struct {
	controls []control
	nav      map[fyne.CanvasObject]bool
	keys     map[fyne.CanvasObject]*touch.Keypad
}

// walk gathers o (at abs on the canvas, held by in) and what it holds. The
// background, which takes the taps that land on nothing else, is no control, nor is
// selectable text; a tappable inside another is left to AssertFingerReaches.
func (w *gapWalk) walk(o fyne.CanvasObject, abs fyne.Position, in list) {
	if !o.Visible() {
		return
	}
	switch t := o.(type) {
	case *touch.Pager:
		in = list{pager: t}
		w.nav[t.PrevButton()], w.nav[t.NextButton()] = true, true
	case *touch.Panel:
		in.panel = t
	case *touch.Keypad:
		w.markKeys(t, t)
	case *touch.Surface, *widget.Label:
		return
	case fyne.Tappable:
		l, ok := label(o)
		if !ok {
			l = fmt.Sprintf("%T", o)
		}
		w.controls = append(w.controls, control{obj: o, min: abs, max: abs.Add(o.Size()), label: l, in: in})
		return
	}
	for _, k := range kids(o) {
		w.walk(k, abs.Add(k.Position()), in)
	}
}

// markKeys marks the character keys under o as kp's: every button but its 确定 and 清空.
func (w *gapWalk) markKeys(kp *touch.Keypad, o fyne.CanvasObject) {
	if b, ok := o.(*touch.Button); ok && b != kp.OK() && b != kp.Clear() {
		w.keys[b] = kp
	}
	for _, k := range kids(o) {
		w.markKeys(kp, k)
	}
}

// mayAbut reports whether a and b may stand closer than the gap (see AssertGaps): two
// character keys of one keypad, two rows of one list, a pager's row and its
// navigation, or the header's title and anything.
func (w *gapWalk) mayAbut(a, b control) bool {
	if kp, ok := w.keys[a.obj]; ok && w.keys[b.obj] == kp {
		return true
	}
	_, ra := a.obj.(*touch.Row)
	_, rb := b.obj.(*touch.Row)
	switch {
	case ra && rb && (a.in.pager != nil && a.in.pager == b.in.pager || a.in.panel != nil && a.in.panel == b.in.panel):
		return true
	case ra && w.nav[b.obj] && a.in.pager == b.in.pager, rb && w.nav[a.obj] && a.in.pager == b.in.pager:
		return true
	}
	_, ta := a.obj.(*touch.TapCounter)
	_, tb := b.obj.(*touch.TapCounter)
	return ta || tb
}

// gap is the clear distance between two controls' boxes: 0 when they touch or overlap.
func gap(a, b control) float32 {
	dx := max(0, a.min.X-b.max.X, b.min.X-a.max.X)
	dy := max(0, a.min.Y-b.max.Y, b.min.Y-a.max.Y)
	return float32(math.Hypot(float64(dx), float64(dy)))
}
