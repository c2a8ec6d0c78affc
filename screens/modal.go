package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/touch"
)

// modalWidth is the most a modal's card is wide.
const modalWidth = 760

// modal is a full-screen message with large buttons: reading a card, a card refused,
// a printer out of paper. As an overlay it takes every tap.
type modal struct {
	ov *overlay
}

// modalButton is a button of a modal (label already translated); a nil action just
// closes the modal.
type modalButton struct {
	label   string
	primary bool
	action  func()
}

// showModal shows a titled message with buttons (none: the caller hides it).
func (s *Shell) showModal(title, message string, buttons ...modalButton) *modal {
	m := &modal{}
	items := []fyne.CanvasObject{modalTitle(title), modalMessage(message)}
	if len(buttons) > 0 {
		row := container.New(&buttonsLayout{})
		for _, b := range buttons {
			row.Add(m.button(s, b))
		}
		items = append(items, row)
	}
	return s.popModal(m, container.NewVBox(items...))
}

// buttonsLayout puts a modal's buttons side by side, equally wide, where every label
// fits its share of the width, and one under another where not (English in 大字模式).
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
	return widest*n+ft.Padding()*(n-1) <= l.width
}

func (l *buttonsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	pad := ft.Padding()
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
	pad, n := ft.Padding(), float32(len(objects))
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

// showList is a modal with one button per choice, stacked, and a closing button.
func (s *Shell) showList(title, message string, choices []modalButton, closeKey string) *modal {
	m := &modal{}
	items := []fyne.CanvasObject{modalTitle(title)}
	if message != "" {
		items = append(items, modalMessage(message))
	}
	head := container.NewVBox(items...)
	pad := ft.Padding()
	// Measured at the width it will have in the card: a title or message that wraps
	// there is taller than on one line.
	head.Resize(fyne.NewSize(min(modalWidth, s.room().Width-2*overlayMargin)-4*pad, head.MinSize().Height))
	closing := m.button(s, modalButton{label: s.T(closeKey)})
	var buttons []fyne.CanvasObject
	for _, c := range choices {
		buttons = append(buttons, m.button(s, c))
	}
	var list fyne.CanvasObject = container.NewVBox(buttons...)
	// The card stays inside the window: choices that do not fit it are paged.
	room := s.room().Height - 2*overlayMargin - 6*pad - head.MinSize().Height - closing.MinSize().Height
	if list.MinSize().Height > room {
		space := canvas.NewRectangle(color.Transparent)
		space.SetMinSize(fyne.NewSize(0, room))
		list = container.NewStack(space, touch.NewPager(s.T("nav.prev_page"), s.T("nav.next_page"), buttons...))
	}
	return s.popModal(m, container.NewBorder(head, closing, nil, nil, list))
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

func (s *Shell) popModal(m *modal, box fyne.CanvasObject) *modal {
	m.ov = newOverlay(s.win.Canvas(), s.root, box, modalWidth, s.K.Touch)
	m.ov.show()
	return m
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
