package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/touch"
)

// modal is a full-screen message with large buttons: reading a card, a card refused,
// a printer out of paper. As a modal pop-up it takes every tap.
type modal struct {
	pop *widget.PopUp
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
	t := widget.NewLabel(title)
	t.SizeName = ft.SizeNameHeadingText
	t.Alignment = fyne.TextAlignCenter
	t.TextStyle.Bold = true
	t.Wrapping = fyne.TextWrapWord
	msg := widget.NewLabel(message)
	msg.Alignment = fyne.TextAlignCenter
	msg.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{t, msg}
	if len(buttons) > 0 {
		row := container.NewGridWithColumns(len(buttons))
		for _, b := range buttons {
			row.Add(m.button(s, b))
		}
		items = append(items, row)
	}
	return s.popModal(m, container.NewVBox(items...))
}

// showList is a modal with one button per choice, stacked, and a closing button.
func (s *Shell) showList(title, message string, choices []modalButton, closeKey string) *modal {
	m := &modal{}
	t := widget.NewLabel(title)
	t.SizeName = ft.SizeNameHeadingText
	t.Alignment = fyne.TextAlignCenter
	t.TextStyle.Bold = true
	items := []fyne.CanvasObject{t}
	if message != "" {
		msg := widget.NewLabel(message)
		msg.Alignment = fyne.TextAlignCenter
		msg.Wrapping = fyne.TextWrapWord
		items = append(items, msg)
	}
	for _, c := range choices {
		items = append(items, m.button(s, c))
	}
	items = append(items, m.button(s, modalButton{label: s.T(closeKey)}))
	return s.popModal(m, container.NewVBox(items...))
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
	bg := canvas.NewRectangle(ft.Color(ft.ColorNameBackground))
	bg.CornerRadius = 16
	card := container.NewStack(bg, container.NewPadded(container.NewPadded(box)))
	w := min(760, s.win.Canvas().Size().Width-40)
	sized := container.NewGridWrap(fyne.NewSize(w, card.MinSize().Height), card)
	m.pop = widget.NewModalPopUp(sized, s.win.Canvas())
	m.pop.Show()
	return m
}

func (m *modal) hide() {
	if m != nil && m.pop != nil {
		m.pop.Hide()
		m.pop = nil
	}
}
