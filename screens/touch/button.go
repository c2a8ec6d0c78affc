// Package touch holds the kiosk's touch widgets: buttons and tiles no smaller than a
// fingertip, keypads, pagers. State stays in the widget; drawing is in its renderer, as
// in Fyne's own widget package.
package touch

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Button is a large button: a label, optionally after an icon, never smaller than the
// theme's touch target.
//
// Fyne's own button does not serve: it draws its label bold, and the bundled font has
// one weight, so every screen made Fyne parse the bundled font a second time for the bold
// style (megabytes of memory) to draw the same glyphs; and given an icon and a label, it
// moves both twice on every layout, which made every screen with the header paint twice.
// This one draws in the font's one weight and puts each part in place once; otherwise it
// looks and answers as Fyne's: the same sizes, colours by importance, the same press.
type Button struct {
	widget.DisableableWidget
	press
	Text string
	Icon fyne.Resource
	// Importance colours the button as Fyne's does: HighImportance (a screen's main
	// action) in the primary colour, Danger (退出办理, cancel), Warning and Success in
	// theirs; anything else draws a plain button.
	Importance widget.Importance
	// TextSize is the label's theme size; empty: the theme's text size. A keypad's
	// keys carry one character each, and larger.
	TextSize fyne.ThemeSizeName
	// Snug lets the inner padding give way to the icon: the button is at least as wide
	// as its label with the padding, or as its icon and label without it. A choice
	// marked by an icon (the 好差评 level ticked) then does not widen its button, nor
	// push a row of choices onto two.
	Snug     bool
	OnTapped func()

	tapAnim *fyne.Animation // the press feedback, made with the renderer
}

// NewButton returns a large button.
func NewButton(label string, tapped func()) *Button {
	b := &Button{Text: label, OnTapped: tapped}
	b.ExtendBaseWidget(b)
	return b
}

// NewPrimaryButton returns a large, high-importance button (the main action).
func NewPrimaryButton(label string, tapped func()) *Button {
	b := NewButton(label, tapped)
	b.Importance = widget.HighImportance
	return b
}

// NewIconButton returns a large button showing icon before label (the header's 返回
// and 首页).
func NewIconButton(label string, icon fyne.Resource, tapped func()) *Button {
	b := NewButton(label, tapped)
	b.Icon = icon
	return b
}

// Tapped shows the press and runs the button's action, unless the button is disabled.
func (b *Button) Tapped(*fyne.PointEvent) {
	if b.Disabled() {
		return
	}
	if b.tapAnim != nil && fyne.CurrentApp().Settings().ShowAnimations() {
		b.tapAnim.Stop()
		b.tapAnim.Start()
	}
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

// SetText changes the label; the same label again changes nothing (a refresh during
// Fyne's paint would make it paint the window twice).
func (b *Button) SetText(text string) {
	if text == b.Text {
		return
	}
	b.Text = text
	b.Refresh()
}

// CreateRenderer draws the button.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	r := &buttonRenderer{b: b, bg: canvas.NewRectangle(nil), tap: canvas.NewRectangle(color.Transparent),
		text: canvas.NewText(b.Text, nil)}
	b.tapAnim = r.tapAnimation()
	r.Refresh()
	return r
}

type buttonRenderer struct {
	b    *Button
	bg   *canvas.Rectangle
	tap  *canvas.Rectangle // the press: spreads from the middle and fades, as on Fyne's button
	icon *canvas.Image     // nil until the button has an icon
	text *canvas.Text

	// shown is the icon as drawn (coloured for the button's state) and what it was
	// derived from, so that a refresh recolours it only when something changed.
	shown struct {
		from       fyne.Resource
		disabled   bool
		importance widget.Importance
	}
}

func (r *buttonRenderer) iconSize() float32 {
	if r.icon == nil {
		return 0
	}
	return ft.Size(ft.SizeNameInlineIcon)
}

// gap is the room between icon and label.
func (r *buttonRenderer) gap() float32 {
	if r.icon == nil {
		return 0
	}
	return ft.Size(ft.SizeNamePadding)
}

// MinSize is Fyne's button's: the label with the inner padding on each side, and the
// icon and a gap before it (a Snug button's padding gives way to its icon); never
// smaller than the touch target.
func (r *buttonRenderer) MinSize() fyne.Size {
	pad := ft.Size(ft.SizeNameInnerPadding)
	t := r.text.MinSize()
	w := 2*pad + r.iconSize() + r.gap() + t.Width
	if r.b.Snug {
		w = max(2*pad+t.Width, r.iconSize()+r.gap()+t.Width)
	}
	h := 2*pad + max(r.iconSize(), t.Height)
	return atLeastTarget(fyne.NewSize(w, h))
}

// Layout centres icon and label as one line.
func (r *buttonRenderer) Layout(size fyne.Size) {
	is, t := r.iconSize(), r.text.MinSize()
	x := (size.Width - (is + r.gap() + t.Width)) / 2
	r.bg.Resize(size)
	if r.icon != nil {
		r.icon.Move(fyne.NewPos(x, (size.Height-is)/2))
		r.icon.Resize(fyne.NewSquareSize(is))
	}
	r.text.Move(fyne.NewPos(x+is+r.gap(), (size.Height-t.Height)/2))
	r.text.Resize(t)
}

// Refresh takes the label, icon and colours from the button and the theme.
func (r *buttonRenderer) Refresh() {
	bg, fg := colours(r.b.Importance)
	if r.b.Disabled() {
		bg, fg = ft.ColorNameDisabledButton, ft.ColorNameDisabled
	}
	r.bg.FillColor = ft.Color(bg)
	r.bg.CornerRadius = ft.Size(ft.SizeNameInputRadius)
	r.tap.CornerRadius = r.bg.CornerRadius
	r.text.Text = r.b.Text
	size := r.b.TextSize
	if size == "" {
		size = ft.SizeNameText
	}
	r.text.TextSize = ft.Size(size)
	r.text.Color = ft.Color(fg)
	r.refreshIcon(fg)
	r.bg.Refresh()
	r.text.Refresh()
	r.Layout(r.b.Size())
}

// refreshIcon draws the button's icon in the label's colour.
func (r *buttonRenderer) refreshIcon(fg fyne.ThemeColorName) {
	if r.b.Icon == nil {
		r.icon = nil
		return
	}
	want := r.shown
	want.from, want.disabled, want.importance = r.b.Icon, r.b.Disabled(), r.b.Importance
	if r.icon != nil && want == r.shown {
		return
	}
	r.shown = want
	res := r.b.Icon
	if _, themed := res.(fyne.ThemedResource); themed {
		res = ft.NewColoredResource(res, fg)
	}
	if r.icon == nil {
		r.icon = canvas.NewImageFromResource(res)
		r.icon.FillMode = canvas.ImageFillContain
		return
	}
	r.icon.Resource = res
	r.icon.Refresh()
}

// tapAnimation is the press feedback: a finger on a touchscreen hides what it presses,
// so the button answers visibly around it.
func (r *buttonRenderer) tapAnimation() *fyne.Animation {
	a := fyne.NewAnimation(canvas.DurationStandard, func(done float32) {
		size := r.b.Size()
		half := size.Width / 2 * done
		r.tap.Move(fyne.NewPos(size.Width/2-half, 0))
		r.tap.Resize(fyne.NewSize(2*half, size.Height))
		c := color.NRGBAModel.Convert(ft.Color(ft.ColorNamePressed)).(color.NRGBA)
		c.A = uint8(float32(c.A) * (1 - done))
		r.tap.FillColor = c
		r.tap.Refresh()
	})
	a.Curve = fyne.AnimationEaseOut
	return a
}

// colours are a button's background and label colours for its importance.
func colours(i widget.Importance) (bg, fg fyne.ThemeColorName) {
	switch i {
	case widget.HighImportance:
		return ft.ColorNamePrimary, ft.ColorNameForegroundOnPrimary
	case widget.DangerImportance:
		return ft.ColorNameError, ft.ColorNameForegroundOnError
	case widget.WarningImportance:
		return ft.ColorNameWarning, ft.ColorNameForegroundOnWarning
	case widget.SuccessImportance:
		return ft.ColorNameSuccess, ft.ColorNameForegroundOnSuccess
	}
	return ft.ColorNameButton, ft.ColorNameForeground
}

func (r *buttonRenderer) Objects() []fyne.CanvasObject {
	if r.icon == nil {
		return []fyne.CanvasObject{r.bg, r.tap, r.text}
	}
	return []fyne.CanvasObject{r.bg, r.tap, r.icon, r.text}
}

func (r *buttonRenderer) Destroy() {}

func atLeastTarget(s fyne.Size) fyne.Size {
	t := ft.Size(kt.SizeNameTarget)
	return fyne.NewSize(max(s.Width, t), max(s.Height, t))
}
