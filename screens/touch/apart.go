package touch

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Apart holds controls that do different things side by side, where a slip onto the
// neighbour does what the citizen did not mean (the footer's 大字模式 and English; the
// 好差评 levels, whose neighbours mean opposite things), and lays them out the theme's
// SizeNameGap apart: in one row, each as wide as it needs, or in a grid of equal cells.
// screentest's AssertGaps checks that each stands the gap clear of the others.
type Apart struct {
	widget.BaseWidget
	controls []fyne.CanvasObject
	cols     int // 0: one row of controls at their own widths
}

// NewApartRow lays controls out in one row, each as wide as it needs, the gap apart.
func NewApartRow(controls ...fyne.CanvasObject) *Apart {
	a := &Apart{controls: controls}
	a.ExtendBaseWidget(a)
	return a
}

// NewApartGrid lays controls out in a grid of cols equal columns (fewer if there are
// fewer controls), the gap between columns and between rows.
func NewApartGrid(cols int, controls ...fyne.CanvasObject) *Apart {
	a := &Apart{controls: controls, cols: max(1, cols)}
	a.ExtendBaseWidget(a)
	return a
}

// Controls returns the controls, in order.
func (a *Apart) Controls() []fyne.CanvasObject { return a.controls }

// CreateRenderer is part of fyne.Widget.
func (a *Apart) CreateRenderer() fyne.WidgetRenderer {
	c := container.New(apartLayout{cols: a.cols}, a.controls...)
	// Laid out at once, at the Apart's size: a renderer made again (Fyne's cache drops
	// the renderers of widgets not drawn for a while) otherwise kept its controls at 0×0
	// until the Apart's size changed (CI's journey once met the footer so).
	c.Resize(a.Size())
	return widget.NewSimpleRenderer(c)
}

// apartLayout is Apart's layout: a row when cols is 0, else a grid of cols columns.
// The gap is the theme's when it lays out, in 大字模式 too.
type apartLayout struct{ cols int }

// grid returns the columns and rows of the grid and the size of its widest and tallest
// control.
func (l apartLayout) grid(objects []fyne.CanvasObject) (cols, rows int, cell fyne.Size) {
	for _, o := range objects {
		m := o.MinSize()
		cell = cell.Max(m)
	}
	cols = max(1, min(l.cols, len(objects)))
	rows = (len(objects) + cols - 1) / cols
	return cols, rows, cell
}

func (l apartLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	g := ft.Size(kt.SizeNameGap)
	if l.cols == 0 {
		var x float32
		for _, o := range objects {
			w := o.MinSize().Width
			o.Move(fyne.NewPos(x, 0))
			o.Resize(fyne.NewSize(w, size.Height))
			x += w + g
		}
		return
	}
	cols, rows, _ := l.grid(objects)
	// Whole pixels: a fraction left the columns a rounding under the gap apart.
	w := float32(math.Floor(float64((size.Width - float32(cols-1)*g) / float32(cols))))
	h := float32(math.Floor(float64((size.Height - float32(rows-1)*g) / float32(rows))))
	for i, o := range objects {
		c, r := i%cols, i/cols
		o.Move(fyne.NewPos(float32(c)*(w+g), float32(r)*(h+g)))
		o.Resize(fyne.NewSize(w, h))
	}
}

func (l apartLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) == 0 {
		return fyne.Size{}
	}
	g := ft.Size(kt.SizeNameGap)
	if l.cols == 0 {
		var s fyne.Size
		for _, o := range objects {
			m := o.MinSize()
			s = fyne.NewSize(s.Width+m.Width, max(s.Height, m.Height))
		}
		return s.AddWidthHeight(float32(len(objects)-1)*g, 0)
	}
	cols, rows, cell := l.grid(objects)
	return fyne.NewSize(float32(cols)*cell.Width+float32(cols-1)*g, float32(rows)*cell.Height+float32(rows-1)*g)
}
