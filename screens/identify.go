package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/screens/touch"
)

// onIdentify shows the reading of an ID card: a busy message while it is read, then
// the citizen's first screen, or the reason it cannot be used and what to do.
func (s *Shell) onIdentify(e app.IdentifyEvent) {
	s.notice.hide()
	s.notice = nil
	switch e.Kind {
	case app.Reading:
		s.notice = s.showModal(s.T("identify.reading_title"), s.T(e.Message))
	case app.Identified:
		s.afterIdentify()
	case app.Refused:
		s.notice = s.showModal(s.T("identify.refused_title"), s.T(e.Message),
			modalButton{label: s.T("common.ok"), primary: true})
	}
}

// afterIdentify is where a citizen lands once their card is read. Screens that serve
// identified citizens replace it (SetAfterIdentify).
func (s *Shell) afterIdentify() {
	if s.landing != nil {
		s.stack = []Page{homePage(s)}
		s.Show(s.landing(s))
		return
	}
	s.Home()
}

// onDevice redraws the screen when a device's state changes (the home screen warns
// when the reader is out of service).
func (s *Shell) onDevice(e app.DeviceEvent) {
	if s.Current() == "home" {
		s.render()
	}
}

// readerWarning is shown on the home screen while the ID card reader cannot be used.
func (s *Shell) readerWarning() fyne.CanvasObject {
	st, ok := s.K.DeviceState("idcard")
	if !ok || st.OK {
		return nil
	}
	l := widget.NewLabel(s.T(st.Message))
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	return l
}

// demoCardButton opens the chooser of demo cards ("模拟刷卡"); demo mode only.
func (s *Shell) demoCardButton() fyne.CanvasObject {
	if s.K.Demo == nil {
		return nil
	}
	b := touch.NewButton(s.T("demo.place_card"), s.Tap(s.chooseDemoCard))
	b.Importance = widget.WarningImportance
	return container.NewCenter(b)
}

func (s *Shell) chooseDemoCard() {
	var buttons []modalButton
	for i, label := range s.K.Demo.Cards() {
		i := i
		buttons = append(buttons, modalButton{label: label, action: func() {
			if err := s.K.Demo.PlaceCard(i); err != nil {
				s.K.Log.Warn("demo card", "err", err)
			}
		}})
	}
	s.notice.hide()
	s.notice = s.showList(s.T("demo.place_card"), s.T("demo.choose_card"), buttons, "common.cancel")
}
