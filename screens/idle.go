package screens

import (
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// idleOverlay is the full-screen countdown: "您还在吗？", the seconds left, 继续办理 and
// 立即退出. As an overlay it takes every tap, so nothing underneath is pressed by the
// tap that dismisses it.
type idleOverlay struct {
	s         *Shell
	ov        *overlay
	remaining time.Duration
	shown     bool
	number    *canvas.Text
	message   *touch.Paragraph
}

func newIdleOverlay(s *Shell) *idleOverlay { return &idleOverlay{s: s} }

// Visible reports whether the countdown is on screen.
func (o *idleOverlay) Visible() bool { return o.shown }

func (o *idleOverlay) show(remaining time.Duration) {
	o.remaining = remaining
	if o.ov == nil {
		o.build()
	}
	o.update()
	if !o.shown {
		o.ov.show()
		o.shown = true
	}
}

func (o *idleOverlay) hide() {
	if o.ov != nil && o.shown {
		o.ov.hide()
	}
	o.shown = false
}

// refresh rebuilds the countdown's content after a language or size change.
func (o *idleOverlay) refresh() {
	if o.ov == nil {
		return
	}
	visible := o.shown
	o.hide()
	o.ov = nil
	if visible {
		o.show(o.remaining)
	}
}

func (o *idleOverlay) seconds() int { return int(math.Ceil(o.remaining.Seconds())) }

func (o *idleOverlay) build() {
	s := o.s
	title := widget.NewLabel(s.T("idle.title"))
	title.SizeName = ft.SizeNameHeadingText
	title.Alignment = fyne.TextAlignCenter
	o.number = canvas.NewText("", ft.Color(ft.ColorNamePrimary))
	o.number.TextSize = ft.Size(kt.SizeNameDisplayText)
	o.number.Alignment = fyne.TextAlignCenter
	o.message = touch.NewParagraph("", widget.RichTextStyle{Alignment: fyne.TextAlignCenter})
	cont := touch.NewPrimaryButton(s.T("idle.continue"), s.K.Touch)
	exit := touch.NewButton(s.T("idle.exit_now"), s.K.Exit)
	exit.Importance = widget.DangerImportance
	box := container.NewVBox(title, o.number, o.message, touch.NewApartGrid(2, exit, cont))
	o.ov = newOverlay(s.win.Canvas(), s.root, box, 720, s.K.Touch)
}

func (o *idleOverlay) update() {
	n := o.seconds()
	o.number.Text = fmt.Sprint(n)
	o.number.Refresh()
	o.message.SetText(o.s.T("idle.message", n))
}
