package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/screens/objtree"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// modalWidth is the most a modal's card is wide.
const modalWidth = 760

// modal is a full-screen message with large buttons: reading a card, a card refused,
// a printer out of paper. As an overlay it takes every tap.
type modal struct {
	ov *overlay
	// build makes the card's content in the language of the moment; lang is the one it
	// is shown in. A modal up when the language changes (the tour's toggle, the hall's
	// language back for the next citizen) is built again in the new one.
	build func() fyne.CanvasObject
	lang  i18n.Lang
}

// notice is what a modal says: its title, its message and its buttons (labels
// translated), or, for a list, the choices.
type notice struct {
	title, message string
	buttons        []modalButton
}

// modalButton is a button of a modal (label already translated); a nil action just
// closes the modal.
type modalButton struct {
	label   string
	primary bool
	action  func()
}

// showModal shows a titled message with buttons (none: the caller hides it), in words
// fixed when it is shown; tell shows one that follows the language.
func (s *Shell) showModal(title, message string, buttons ...modalButton) *modal {
	return s.tell(func() notice { return notice{title, message, buttons} })
}

// tell shows the notice words makes: a titled message with buttons (none: the caller
// hides it). words is called again, in the new language, when the language changes
// while the notice is up: it translates when called.
func (s *Shell) tell(words func() notice) *modal {
	m := &modal{}
	m.build = func() fyne.CanvasObject {
		n := words()
		items := []fyne.CanvasObject{modalTitle(n.title), modalMessage(n.message)}
		if len(n.buttons) > 0 {
			row := container.New(&buttonsLayout{})
			for _, b := range n.buttons {
				row.Add(m.button(s, b))
			}
			items = append(items, row)
		}
		return container.NewVBox(items...)
	}
	return s.popModal(m)
}

// tellKeys is tell for a title and a message given by their keys, with the buttons
// the functions make.
func (s *Shell) tellKeys(title, message string, buttons ...func() modalButton) *modal {
	return s.tell(func() notice {
		n := notice{title: s.T(title), message: s.T(message)}
		for _, b := range buttons {
			n.buttons = append(n.buttons, b())
		}
		return n
	})
}

// ok is a notice's button that closes it.
func (s *Shell) ok() modalButton { return modalButton{label: s.T("common.ok"), primary: true} }

// buttonsLayout puts a modal's buttons side by side, equally wide, where every label
// fits its share of the width, and one under another where not (English in 大字模式),
// the theme's SizeNameGap apart: at the padding, a finger aimed at one (知道了) could
// press the other (输入户号查询).
// It decides at the width it was last laid out at: the card is laid out at its width
// before it is measured (cardLayout), as wrapped text is.
type buttonsLayout struct{ width float32 }

func (l *buttonsLayout) sideBySide(objects []fyne.CanvasObject) bool {
	if l.width == 0 {
		return true
	}
	widest := float32(0)
	for _, o := range objects {
		widest = max(widest, o.MinSize().Width)
	}
	n := float32(len(objects))
	return widest*n+ft.Size(kt.SizeNameGap)*(n-1) <= l.width
}

func (l *buttonsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	pad := ft.Size(kt.SizeNameGap)
	if l.sideBySide(objects) {
		n := float32(len(objects))
		w := (size.Width - pad*(n-1)) / n
		for i, o := range objects {
			o.Move(fyne.NewPos(float32(i)*(w+pad), 0))
			o.Resize(fyne.NewSize(w, size.Height))
		}
		return
	}
	y := float32(0)
	for _, o := range objects {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
}

func (l *buttonsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var widest, tallest, stacked float32
	for _, o := range objects {
		m := o.MinSize()
		widest, tallest = max(widest, m.Width), max(tallest, m.Height)
		stacked += m.Height
	}
	pad, n := ft.Size(kt.SizeNameGap), float32(len(objects))
	if l.sideBySide(objects) {
		return fyne.NewSize(widest*n+pad*(n-1), tallest)
	}
	return fyne.NewSize(widest, stacked+pad*(n-1))
}

// modalTitle and modalMessage are a modal's title and its message, centred and wrapping.
func modalTitle(text string) fyne.CanvasObject {
	return touch.NewParagraph(text, widget.RichTextStyle{SizeName: ft.SizeNameHeadingText, Alignment: fyne.TextAlignCenter})
}

func modalMessage(text string) fyne.CanvasObject {
	return touch.NewParagraph(text, widget.RichTextStyle{Alignment: fyne.TextAlignCenter})
}

// showList is a modal with one button per choice, stacked, and a closing button, in
// words fixed when it is shown; offer shows one that follows the language.
func (s *Shell) showList(title, message string, choices []modalButton, closeKey string) *modal {
	return s.offer(func() notice { return notice{title, message, choices} }, closeKey)
}

// offer is showList with the notice words makes (its buttons are the choices): like
// tell's, it is made again in the new language when the language changes.
func (s *Shell) offer(words func() notice, closeKey string) *modal {
	m := &modal{}
	m.build = func() fyne.CanvasObject { return s.listCard(m, words(), closeKey) }
	return s.popModal(m)
}

func (s *Shell) listCard(m *modal, n notice, closeKey string) fyne.CanvasObject {
	items := []fyne.CanvasObject{modalTitle(n.title)}
	if n.message != "" {
		items = append(items, modalMessage(n.message))
	}
	head := container.NewVBox(items...)
	pad := ft.Padding()
	// Measured at the width it will have in the card: a title or message that wraps
	// there is taller than on one line.
	head.Resize(fyne.NewSize(min(modalWidth, s.room().Width-2*overlayMargin)-4*pad, head.MinSize().Height))
	closing := m.button(s, modalButton{label: s.T(closeKey)})
	var buttons []fyne.CanvasObject
	for _, c := range n.buttons {
		buttons = append(buttons, m.button(s, c))
	}
	var list fyne.CanvasObject = touch.NewApartGrid(1, buttons...)
	// The card stays inside the window: choices that do not fit it are paged.
	// 取消 stands the gap clear of the choices, and of the pager's 下一页.
	room := s.room().Height - 2*overlayMargin - 6*pad - head.MinSize().Height - gapStrip().MinSize().Height - closing.MinSize().Height
	if list.MinSize().Height > room {
		space := canvas.NewRectangle(color.Transparent)
		space.SetMinSize(fyne.NewSize(0, room))
		paged := touch.NewPager(s.T("nav.prev_page"), s.T("nav.next_page"), buttons...)
		paged.Apart = true
		list = container.NewStack(space, paged)
	}
	return container.NewBorder(head, gapAbove(closing), nil, nil, list)
}

func (m *modal) button(s *Shell, b modalButton) *touch.Button {
	act := b.action
	btn := touch.NewButton(b.label, s.Tap(func() {
		m.hide()
		if act != nil {
			act()
		}
	}))
	if b.primary {
		btn.Importance = widget.HighImportance
	}
	return btn
}

func (s *Shell) popModal(m *modal) *modal {
	m.lang = s.K.Text.Lang()
	m.ov = newOverlay(s.win.Canvas(), s.root, m.build(), modalWidth, s.K.Touch)
	m.ov.show()
	return m
}

// relanguage builds the modal again when the language is no longer the one it shows.
// (The old card comes down first: taking an overlay off Fyne's stack takes those above
// it too. The render that calls this puts the idle countdown back on top.)
func (m *modal) relanguage(s *Shell) {
	if m == nil || m.ov == nil || m.lang == s.K.Text.Lang() {
		return
	}
	m.ov.hide()
	s.popModal(m)
}

// refresh lays the modal out again at the theme's sizes.
func (m *modal) refresh() {
	if m != nil && m.ov != nil {
		objtree.Relayout(m.ov.root)
	}
}

func (m *modal) hide() {
	if m != nil && m.ov != nil {
		m.ov.hide()
		m.ov = nil
	}
}
