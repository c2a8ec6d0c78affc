package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// A pager's 上一页 / 下一页 keep the theme's SizeNameGap clear of the controls around
// the pager (screentest's AssertGaps checks it on every screen the tests visit): with
// only the padding between them, one list's 下一页 sat 8 px from the next list's
// 上一页, and a pager's 下一页 8 px above the screen's main action (缴费, 确认提交,
// 填写下一项), where a finger aimed at one could press the other. These put the gap
// there.

// wayOn is a screen's way on, the row under its content (a pager, most often): a line
// of help between the controls on its left and on its right (any of the three may be
// nil). The controls stand the gap below what is above the row, at its bottom; the help
// is centred beside them and may rise into the gap, so a row whose help is taller than
// its buttons (two lines of it in 大字模式) is no taller than it was.
func wayOn(hint, left, right fyne.CanvasObject) *fyne.Container {
	side := func(o fyne.CanvasObject) fyne.CanvasObject {
		if o == nil {
			return nil
		}
		return container.New(layout.NewCustomPaddedVBoxLayout(0), gapStrip(), layout.NewSpacer(), o)
	}
	var mid fyne.CanvasObject
	if hint != nil {
		mid = container.New(layout.NewCustomPaddedVBoxLayout(0), layout.NewSpacer(), hint, layout.NewSpacer())
	}
	return container.NewBorder(nil, nil, side(left), side(right), mid)
}

// gapAbove is o the gap below what is above it (取消 under a card's list of choices).
func gapAbove(o fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedVBoxLayout(0), gapStrip(), o)
}

// columns puts two lists side by side, each paged on its own, the gap apart with a
// rule down the middle of it: each list's 上一页 / 下一页 stands under its own list, and
// the two rows of them no longer read as one.
func columns(left, right fyne.CanvasObject) *fyne.Container {
	return container.New(columnsLayout{}, left, widget.NewSeparator(), right)
}

// leftOfPager is a column (of buttons, say) to set on a pager's left in a Border
// layout, the gap clear of the pager's 上一页.
func leftOfPager(o fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedHBoxLayout(0), o, gapStrip())
}

// rightOfPager is a column to set on a pager's right, the gap clear of its 下一页.
func rightOfPager(o fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedHBoxLayout(0), gapStrip(), o)
}

// gapStrip is an empty strip that, set between two objects that a layout puts a
// padding apart, leaves them the gap apart. Its size is the theme's when it is laid
// out, in 大字模式 too.
func gapStrip() fyne.CanvasObject { return container.New(gapLayout{}) }

type gapLayout struct{}

func (gapLayout) Layout([]fyne.CanvasObject, fyne.Size) {}

func (gapLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	g := max(ft.Size(kt.SizeNameGap)-ft.Size(ft.SizeNamePadding), 0)
	return fyne.NewSize(g, g)
}

// columnsLayout lays out two columns of equal width (the first and third objects),
// the gap apart, and a rule (the second) down the middle of the gap.
type columnsLayout struct{}

func (columnsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	left, rule, right := objects[0], objects[1], objects[2]
	g := ft.Size(kt.SizeNameGap)
	w := (size.Width - g) / 2
	left.Move(fyne.NewPos(0, 0))
	left.Resize(fyne.NewSize(w, size.Height))
	t := rule.MinSize().Width
	rule.Move(fyne.NewPos((size.Width-t)/2, 0))
	rule.Resize(fyne.NewSize(t, size.Height))
	right.Move(fyne.NewPos(w+g, 0))
	right.Resize(fyne.NewSize(w, size.Height))
}

func (columnsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	l, r := objects[0].MinSize(), objects[2].MinSize()
	return fyne.NewSize(2*max(l.Width, r.Width)+ft.Size(kt.SizeNameGap), max(l.Height, r.Height))
}
