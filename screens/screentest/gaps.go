package screentest

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"

	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// AssertGaps checks that the controls a slip onto costs a citizen most stand
// theme.MinGap clear of the other controls on the layer that takes taps: a pager's
// 上一页 and 下一页, which read the same in every list (one list's 下一页 sat 8 px from
// another's 上一页, a pager's 下一页 8 px above the screen's main action), and a keypad's
// 确定 and 清空 (a slip from 确定 onto 清空 could erase the entry), and the controls of
// a touch.Apart clear of each other (the footer's 大字模式 and English sat 8 px apart on
// every screen: a slip switched the language instead of the text size). A pager's own rows
// may stay at the padding above its buttons: a slip between them turns a page or opens
// the row, in sight and undone with one tap, and the gap there put the 大字模式 form on
// 8 pages instead of 5. Disabled controls count: they are there, and enabled a moment
// later.
func (h *H) AssertGaps() {
	h.T.Helper()
	var w gapWalk
	h.Do(func() {
		c := h.Win.Canvas()
		root := c.Content()
		if top := c.Overlays().Top(); top != nil {
			root = top
		}
		w.apart = map[fyne.CanvasObject]*touch.Pager{}
		w.group = map[fyne.CanvasObject]*touch.Apart{}
		w.walk(root, root.Position(), nil)
	})
	for i, a := range w.controls {
		for _, b := range w.controls[i+1:] {
			if !w.mustClear(a, b) && !w.mustClear(b, a) {
				continue
			}
			if d := gap(a, b); d < kt.MinGap {
				h.T.Errorf("screen %s: %q and %q are %.0f apart, closer than %d: a finger aimed at one may land on the other",
					h.Current(), a.label, b.label, d, kt.MinGap)
			}
		}
	}
}

// control is a tappable with its box on the canvas and the pager whose page shows it,
// if any.
type control struct {
	obj      fyne.CanvasObject
	min, max fyne.Position
	label    string
	pager    *touch.Pager
}

// gapWalk gathers the visible controls of a layer, in screen order, and which of them
// must stand clear of others: each pager's navigation (with its pager), each keypad's
// 确定 and 清空 (with none), and each touch.Apart's controls (with their Apart).
type gapWalk struct {
	controls []control
	apart    map[fyne.CanvasObject]*touch.Pager
	group    map[fyne.CanvasObject]*touch.Apart
}

// walk gathers o (at abs on the canvas, on pager's page if pager is set) and what it
// holds. The background, which takes the taps that land on nothing else, is no control;
// a tappable inside another is left to AssertFingerReaches.
func (w *gapWalk) walk(o fyne.CanvasObject, abs fyne.Position, pager *touch.Pager) {
	if !o.Visible() {
		return
	}
	switch t := o.(type) {
	case *touch.Pager:
		pager = t
		w.apart[t.PrevButton()], w.apart[t.NextButton()] = t, t
	case *touch.Keypad:
		w.apart[t.OK()], w.apart[t.Clear()] = nil, nil
	case *touch.Apart:
		for _, c := range t.Controls() {
			w.group[c] = t
		}
	case *touch.Surface:
	case fyne.Tappable:
		l, ok := label(o)
		if !ok {
			l = fmt.Sprintf("%T", o)
		}
		w.controls = append(w.controls, control{obj: o, min: abs, max: abs.Add(o.Size()), label: l, pager: pager})
		return
	}
	for _, k := range kids(o) {
		w.walk(k, abs.Add(k.Position()), pager)
	}
}

// mustClear reports whether a must stand clear of b: a is a keypad's 确定 or 清空, or a
// pager's 上一页 or 下一页 and b is not on that pager's page, or a and b are of one
// touch.Apart.
func (w *gapWalk) mustClear(a, b control) bool {
	if g, ok := w.group[a.obj]; ok && w.group[b.obj] == g {
		return true
	}
	p, ok := w.apart[a.obj]
	return ok && (p == nil || b.pager != p)
}

// gap is the clear distance between two controls' boxes: 0 when they touch or overlap.
func gap(a, b control) float32 {
	dx := max(0, a.min.X-b.max.X, b.min.X-a.max.X)
	dy := max(0, a.min.Y-b.max.Y, b.min.Y-a.max.Y)
	return float32(math.Hypot(float64(dx), float64(dy)))
}
