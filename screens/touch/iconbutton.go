package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// IconButton is a large button with an icon before its label: the header's 返回 and 首页.
//
// Fyne's own button, given an icon and a label, moves both twice on every layout (to its
// inner layout's place, then to the final one). Fyne lays a new screen out once more as it
// paints it, and each of those moves marked the window to be painted again, so every
// screen with the header was painted twice. This one puts each part in place once.
type IconButton struct {
	widget.BaseWidget
	Text     string
	Icon     fyne.Resource
	OnTapped func()
}

// NewIconButton returns a button showing icon and label.
func NewIconButton(label string, icon fyne.Resource, tapped func()) *IconButton {
	b := &IconButton{Text: label, Icon: icon, OnTapped: tapped}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped runs the button's action.
func (b *IconButton) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

// SetText changes the label.
func (b *IconButton) SetText(text string) {
	b.Text = text
	b.Refresh()
}

// CreateRenderer draws the button.
func (b *IconButton) CreateRenderer() fyne.WidgetRenderer {
	r := &iconButtonRenderer{b: b, bg: canvas.NewRectangle(nil), icon: canvas.NewImageFromResource(b.Icon),
		text: canvas.NewText(b.Text, nil)}
	r.Refresh()
	return r
}

type iconButtonRenderer struct {
	b    *IconButton
	bg   *canvas.Rectangle
	icon *canvas.Image
	text *canvas.Text
}

func (r *iconButtonRenderer) iconSize() float32 { return ft.Size(ft.SizeNameInlineIcon) }

// MinSize fits icon, gap and label inside the inner padding, and is never smaller than
// the touch target.
func (r *iconButtonRenderer) MinSize() fyne.Size {
	pad := ft.Size(ft.SizeNameInnerPadding)
	t := r.text.MinSize()
	w := 2*pad + r.iconSize() + pad/2 + t.Width
	h := 2*pad + max(r.iconSize(), t.Height)
	return atLeastTarget(fyne.NewSize(w, h))
}

// Layout centres icon and label as one line.
func (r *iconButtonRenderer) Layout(size fyne.Size) {
	pad := ft.Size(ft.SizeNameInnerPadding)
	is, t := r.iconSize(), r.text.MinSize()
	x := (size.Width - (is + pad/2 + t.Width)) / 2
	r.bg.Resize(size)
	r.icon.Move(fyne.NewPos(x, (size.Height-is)/2))
	r.icon.Resize(fyne.NewSquareSize(is))
	r.text.Move(fyne.NewPos(x+is+pad/2, (size.Height-t.Height)/2))
	r.text.Resize(t)
}

// Refresh takes the label, icon and colours from the button and the theme.
func (r *iconButtonRenderer) Refresh() {
	r.bg.FillColor = ft.Color(ft.ColorNameButton)
	r.bg.CornerRadius = ft.Size(ft.SizeNameInputRadius)
	r.text.Text = r.b.Text
	r.text.TextSize = ft.Size(ft.SizeNameText)
	r.text.Color = ft.Color(ft.ColorNameForeground)
	if r.icon.Resource != r.b.Icon {
		r.icon.Resource = r.b.Icon
		r.icon.Refresh()
	}
	r.bg.Refresh()
	r.text.Refresh()
	r.Layout(r.b.Size())
}

func (r *iconButtonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text}
}

func (r *iconButtonRenderer) Destroy() {}
