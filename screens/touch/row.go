package touch

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Row is one line of a list a finger picks from: an account, a bill, an application.
// It shows a title, a line of detail and a value on the right, and can be checked (a bill
// chosen for payment).
type Row struct {
	widget.BaseWidget
	press
	Title    string
	Detail   string
	Trailing string
	// Checkable rows show a check box; Checked is its state.
	Checkable bool
	Checked   bool
	// Importance colours the trailing value (e.g. danger for an unpaid amount).
	Importance widget.Importance
	OnTapped   func()
	// OnCheck, if set on a checkable row, is what a tap on its check box does (a
	// fingertip's width at the row's start); a tap elsewhere runs OnTapped. Unset, the
	// whole row runs OnTapped.
	OnCheck func()
}

// NewRow returns a list row.
func NewRow(title, detail, trailing string, tapped func()) *Row {
	r := &Row{Title: title, Detail: detail, Trailing: trailing, OnTapped: tapped}
	r.ExtendBaseWidget(r)
	return r
}

// Tapped runs the row's action, or its check box's.
func (r *Row) Tapped(e *fyne.PointEvent) {
	if r.Checkable && r.OnCheck != nil && e != nil && e.Position.X < r.boxZone() {
		r.OnCheck()
		return
	}
	if r.OnTapped != nil {
		r.OnTapped()
	}
}

// boxZone is the width at the row's start that a tap on the check box falls in: the box
// and its padding, and never less than a fingertip.
func (r *Row) boxZone() float32 {
	return max(ft.Size(kt.SizeNameTarget), 2*ft.Size(ft.SizeNameInnerPadding)+ft.Size(ft.SizeNameInlineIcon))
}

// CreateRenderer draws the row.
func (r *Row) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(ft.Color(kt.ColorNameTile))
	bg.StrokeWidth = 2
	bg.CornerRadius = 10
	title := NewFitText("", ft.Color(ft.ColorNameForeground), 0)
	detail := NewFitText("", ft.Color(kt.ColorNameMuted), 0)
	trailing := NewFitText("", ft.Color(ft.ColorNameForeground), 0)
	trailing.Alignment = fyne.TextAlignTrailing
	rr := &rowRenderer{r: r, bg: bg, title: title, detail: detail, trailing: trailing, box: canvas.NewRectangle(nil)}
	for i := range rr.tick {
		rr.tick[i] = canvas.NewLine(nil)
	}
	rr.Refresh()
	return rr
}

type rowRenderer struct {
	r  *Row
	bg *canvas.Rectangle
	// All three are shortened with … when the row is too narrow for them: the value
	// gives way last, down to maxTrailing.
	title, detail, trailing *FitText
	// The check box is drawn, not an icon: Fyne refreshes every image new to a window
	// while it paints it, and so painted each screen of rows twice.
	box  *canvas.Rectangle
	tick [2]*canvas.Line
}

func (rr *rowRenderer) Layout(s fyne.Size) {
	pad := ft.Size(ft.SizeNameInnerPadding)
	rr.bg.Resize(s)
	x := pad
	if rr.r.Checkable {
		is := ft.Size(ft.SizeNameInlineIcon)
		at := fyne.NewPos(pad, (s.Height-is)/2)
		rr.box.Move(at)
		rr.box.Resize(fyne.NewSize(is, is))
		// A tick from the left middle down to the bottom third and up to the top right.
		pt := func(fx, fy float32) fyne.Position { return fyne.NewPos(at.X+fx*is, at.Y+fy*is) }
		rr.tick[0].Position1, rr.tick[0].Position2 = pt(0.22, 0.52), pt(0.43, 0.73)
		rr.tick[1].Position1, rr.tick[1].Position2 = pt(0.43, 0.73), pt(0.80, 0.30)
		x += is + pad
	}
	// The value takes what the title's room leaves, and is shortened beyond that (a row
	// laid out at its MinSize or wider leaves it at least maxTrailing).
	tw := min(rr.trailingWidth(), max(0, s.Width-x-2*pad-rr.titleRoom()))
	vh := rr.lineHeight(rr.trailing)
	rr.trailing.Move(fyne.NewPos(s.Width-pad-tw, (s.Height-vh)/2))
	rr.trailing.Resize(fyne.NewSize(tw, vh))
	th, dh := rr.lineHeight(rr.title), rr.lineHeight(rr.detail)
	if rr.r.Detail == "" {
		dh = 0
	}
	y := (s.Height - th - dh) / 2
	w := s.Width - x - tw - 2*pad
	rr.title.Move(fyne.NewPos(x, y))
	rr.title.Resize(fyne.NewSize(w, th))
	rr.detail.Move(fyne.NewPos(x, y+th))
	rr.detail.Resize(fyne.NewSize(w, dh))
}

// lineHeight is the height of one line of a row's text.
func (rr *rowRenderer) lineHeight(t *FitText) float32 {
	return fyne.MeasureText("Hg", t.TextSize, fyne.TextStyle{}).Height
}

// titleRoom is the room kept for the title: a few characters.
func (rr *rowRenderer) titleRoom() float32 {
	return fyne.MeasureText("户号户号户号", rr.title.TextSize, fyne.TextStyle{}).Width
}

// trailingWidth is the width of the whole value.
func (rr *rowRenderer) trailingWidth() float32 {
	if rr.r.Trailing == "" {
		return 0
	}
	return fyne.MeasureText(rr.r.Trailing, rr.trailing.TextSize, fyne.TextStyle{}).Width
}

// maxTrailing is as much of the value as a row asks room for: an amount or a date fits
// whole; a longer value (an address chosen in a form) takes what the row has beyond its
// title's room and is shortened beyond that.
func (rr *rowRenderer) maxTrailing() float32 {
	return fyne.MeasureText("户号户号户号户号户号", rr.trailing.TextSize, fyne.TextStyle{}).Width
}

// MinSize leaves room for a few characters of the title and for the value up to
// maxTrailing: longer titles, details and values are shortened, never allowed to spill
// into each other or widen the screen.
func (rr *rowRenderer) MinSize() fyne.Size {
	pad := ft.Size(ft.SizeNameInnerPadding)
	h := rr.lineHeight(rr.title) + 2*pad
	if rr.r.Detail != "" {
		h += rr.lineHeight(rr.detail)
	}
	w := rr.titleRoom() + min(rr.trailingWidth(), rr.maxTrailing()) + 3*pad
	if rr.r.Checkable {
		w += ft.Size(ft.SizeNameInlineIcon) + pad
	}
	return fyne.NewSize(w, max(h, ft.Size(kt.SizeNameTarget)))
}

func (rr *rowRenderer) Refresh() {
	r := rr.r
	rr.bg.FillColor = ft.Color(kt.ColorNameTile)
	rr.bg.StrokeColor = ft.Color(ft.ColorNameSeparator)
	if r.Checkable && r.Checked {
		rr.bg.StrokeColor = ft.Color(ft.ColorNamePrimary)
		rr.bg.StrokeWidth = 4
	} else {
		rr.bg.StrokeWidth = 2
	}
	rr.title.Text, rr.detail.Text, rr.trailing.Text = r.Title, r.Detail, r.Trailing
	rr.title.TextSize = ft.Size(ft.SizeNameText)
	rr.detail.TextSize = ft.Size(ft.SizeNameText) * 0.85
	rr.trailing.TextSize = ft.Size(ft.SizeNameSubHeadingText)
	rr.title.Color = ft.Color(ft.ColorNameForeground)
	rr.detail.Color = ft.Color(kt.ColorNameMuted)
	rr.title.Refresh()
	rr.detail.Refresh()
	rr.trailing.Color = ft.Color(ft.ColorNameForeground)
	switch r.Importance {
	case widget.DangerImportance:
		rr.trailing.Color = ft.Color(ft.ColorNameError)
	case widget.SuccessImportance:
		rr.trailing.Color = ft.Color(ft.ColorNameSuccess)
	case widget.HighImportance:
		rr.trailing.Color = ft.Color(ft.ColorNamePrimary)
	}
	rr.refreshCheck()
	rr.trailing.Refresh()
	rr.bg.Refresh()
	rr.Layout(r.Size())
}

// refreshCheck draws the check box: an outlined square, or a filled one with a tick.
func (rr *rowRenderer) refreshCheck() {
	r := rr.r
	is := ft.Size(ft.SizeNameInlineIcon)
	rr.box.CornerRadius = is / 6
	rr.box.StrokeWidth = max(2, is/12)
	rr.box.StrokeColor = ft.Color(ft.ColorNameForeground)
	rr.box.FillColor = color.Transparent
	if r.Checked {
		rr.box.StrokeColor = ft.Color(ft.ColorNamePrimary)
		rr.box.FillColor = rr.box.StrokeColor
	}
	for _, l := range rr.tick {
		l.StrokeColor = ft.Color(ft.ColorNameForegroundOnPrimary)
		l.StrokeWidth = max(2, is/9)
		l.Hidden = !r.Checkable || !r.Checked
	}
	rr.box.Hidden = !r.Checkable
	rr.box.Refresh()
	for _, l := range rr.tick {
		l.Refresh()
	}
}

func (rr *rowRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{rr.bg, rr.box, rr.tick[0], rr.tick[1], rr.title, rr.detail, rr.trailing}
}

func (rr *rowRenderer) Destroy() {}
