package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/screens/touch"
)

// onIdentify shows the reading of an ID card: a busy message while it is read, then
// the citizen's first screen, or the reason it cannot be used and what to do. The card
// of the citizen being served (Continued) leaves them where they are, but for home,
// where a card placed always leads to the citizen's first screen. While a step the
// citizen asked for is on its way (busy), only a new citizen's card is shown.
func (s *Shell) onIdentify(e app.IdentifyEvent) {
	if e.Kind == app.CardLeftChanged {
		// Home asks for the card to be taken, or stops asking. A card found lying there
		// ends any reading notice; one lifted leaves a notice up (a refusal) as it is.
		if s.K.CardLeft() {
			s.notice.hide()
			s.notice = nil
		}
		switch s.Current() {
		case "home", "maint": // maintenance mode tells staff of a card left there
			s.refresh()
		}
		return
	}
	if s.busy() && e.Kind != app.Identified {
		// A step the citizen asked for is on its way, its 请稍候 over the button that
		// started it. The citizen's own card lifted and put back, or a card that cannot
		// be used, leaves it up: taken down, it bared the button to a second tap, and the
		// step's screen came over whatever the refusal said. Another citizen's card
		// (Identified) is the next visit, and the step's outcome is not theirs.
		if e.Kind == app.Adopted {
			// The step is a payment start that failed, a card held meanwhile
			// (cardpay.go): the visit is the card holder's now, and their screens go
			// under the notice; the start's failure comes over them.
			s.adopted()
			return
		}
		s.K.Log.Info("card read while a step is on its way: its notice stays", "event", int(e.Kind))
		return
	}
	s.notice.hide()
	s.notice = nil
	switch e.Kind {
	case app.Reading:
		s.notice = s.tellKeys("identify.reading_title", e.Message)
	case app.Identified:
		s.afterIdentify()
		if failed := e.PaymentFailed; !failed.IsZero() {
			// The card was held while the last visit's order was being made, and no
			// order came of it: whoever paid reads that nothing was, over the new visit
			// (the start's own outcome was the last visit's, and is dropped).
			s.notice = s.tell(func() notice {
				return notice{s.T("pay.failed_before_title"), s.T("pay.failed_before", failed.In(s.K.Text.Lang())), []modalButton{s.ok()}}
			})
		}
	case app.Continued:
		if s.Current() == "home" {
			s.afterIdentify()
		}
	case app.HeldForPayment:
		// The pay QR stays: the citizen may be paying on their phone this very moment.
		s.notice = s.tellKeys("pay.card_held_title", e.Message, s.ok)
	case app.Adopted:
		s.adopted()
	case app.HeldForResult:
		// Paid: the outcome says that the next card waits, and for how long. It is
		// on its way when it is not on top yet (the pay QR gives way to it).
		if s.Current() == "pay-result" {
			s.refresh()
		}
	case app.Refused:
		if s.Current() == "home" {
			s.render() // under the notice, home asks for the refused card to be taken
		}
		// Out of service (outage.data_citizen), the way without a card is closed too.
		if e.Message == "identify.unreadable" || e.Message == "outage.data_citizen" || s.identified() || s.Current() == "accounts" {
			s.notice = s.tellKeys("identify.refused_title", e.Message, s.ok)
		} else {
			// A card that cannot be used still leaves the way without one: bills and
			// payments by account number.
			byNumber := func() modalButton {
				return modalButton{label: s.T("lookup.by_number"), action: func() { s.Show(accountsPage(s)) }}
			}
			s.notice = s.tellKeys("identify.refused_title", e.Message, byNumber, s.ok)
		}
		s.closeUnread(s.notice)
	}
}

// closeUnread takes a refusal down after the idle time and the countdown when nobody
// tapped it and no visit is open (a visit's notices go when it ends): a citizen who
// walks off from a refused card leaves no message for the next one.
func (s *Shell) closeUnread(m *modal) {
	cfg := s.K.Config.Kiosk
	s.K.Clock.AfterFunc(cfg.IdleTimeout.Duration+cfg.IdleCountdown.Duration, func() {
		s.opt.Do(func() {
			if s.notice == m && s.sessionID() == "" {
				s.notice.hide()
				s.notice = nil
			}
		})
	})
}

// adopted follows a visit without a card that became the card holder's once its
// payment ended: the payment's outcome (or the pay QR it is about to replace) stays on
// top, with the citizen's accounts under it for 返回, in place of the screens of the
// look-up by number. Elsewhere (a start that failed leaves the bills on top) the
// citizen lands as after any card.
func (s *Shell) adopted() {
	top := s.stack[len(s.stack)-1]
	if top.Name != "pay" && top.Name != "pay-result" {
		s.afterIdentify()
		return
	}
	s.stack = s.stack[:len(s.stack)-1] // the top is kept, not left
	s.dropTo(1)
	s.stack = append(s.stack, s.landing(s), top)
	s.render()
}

// afterIdentify is where a citizen lands once their card is read: their accounts, or
// the screen they were on when it needs the card (进度查询 lists their applications),
// or were on under the one on top (进度查询's keypad, an application found by its
// number): the card says which of them they came for.
func (s *Shell) afterIdentify() {
	if s.stack[len(s.stack)-1].KeepOnCard {
		s.refresh()
		return
	}
	for i := len(s.stack) - 2; i >= 1; i-- {
		if s.stack[i].KeepOnCard {
			s.dropTo(i + 1)
			s.render()
			return
		}
	}
	s.dropTo(1)
	s.Show(s.landing(s))
}

// onScan acts on what the QR scanner read, on any screen: a receipt's tracking QR opens
// the application, a paper bill's QR opens the account. What the kiosk cannot use is
// said on the screens that invite a scan.
func (s *Shell) onScan(sc app.Scan) {
	if s.Current() == "pay" || s.busy() {
		// A payment under way, or a step on its way, keeps the screen: what the scan
		// opened would hide the payment's outcome or be hidden by the step's screen.
		s.K.Log.Info("scan ignored: the citizen is paying or waiting")
		return
	}
	if _, down := s.K.DataFault(); down && s.sessionID() == "" {
		// Out of service for its data: a scan opens no visit, as a card does not.
		s.unusableScan("outage.data_citizen")
		return
	}
	switch sc.Kind {
	case app.ScanUnusable:
		s.unusableScan("scan.unknown")
		return
	case app.ScanPaymentReceipt:
		s.unusableScan("scan.payment_receipt")
		return
	}
	if s.maint != nil {
		// A citizen's scan ends maintenance mode, as a card does: the screens it opens
		// must not lead back into maintenance with 返回.
		s.maint.Close(app.MaintenanceCitizen)
		s.Home()
	}
	switch sc.Kind {
	case app.ScanTracking:
		s.openApplication(sc.Ref, func(key string) {
			s.notice.hide()
			s.notice = s.tellKeys("scan.title", key, s.ok)
		})
	case app.ScanBill:
		s.openAccount(sc.Bill.Utility, sc.Bill.Account, true)
	}
}

// scanNoticeFor is how long the notice of a scan that cannot be used stays up: a
// citizen who sees nothing happen scans again and again, but the notice should not
// stand in the way of the next try.
const scanNoticeFor = 5 * time.Second

// unusableScan tells a citizen on a screen that invites a scan (home, the account
// lookup, 进度查询) that what they held to the scanner cannot be used here (the message
// key says why: unknown, or a payment receipt's QR, which is for their phone), and what
// to scan instead, for a few seconds. Elsewhere nobody was asked to scan.
func (s *Shell) unusableScan(key string) {
	switch s.Current() {
	case "home", "accounts", "track":
	default:
		s.K.Log.Info("unusable scan ignored: the screen invites none", "screen", s.Current())
		return
	}
	s.notice.hide()
	m := s.tellKeys("scan.title", key, s.ok)
	s.notice = m
	s.K.Clock.AfterFunc(scanNoticeFor, func() {
		s.opt.Do(func() {
			if s.notice == m {
				m.hide()
				s.notice = nil
			}
		})
	})
}

// onDevice redraws the screens that invite a card or a scan when a device's state
// changes: they invite one only while the device works, and say so when it does not.
func (s *Shell) onDevice(app.DeviceEvent) {
	// Only when what the screen shows of the devices changed: devices report states that
	// change nothing here (the printer after each receipt, every device as the kiosk
	// starts), and each redraw costs a frame.
	if name := s.Current(); s.devicesView(name) != s.devicesShown {
		s.refresh()
	}
}

// devicesView is what the screen name shows of the devices: on home, the lookups and
// the choice of a joint application, whether the ID card reader can be used; on the
// lookups, whether the scanner can scan too; in maintenance mode, each device's state
// and why it is at fault. Other screens show none.
type devicesView struct {
	reader string
	scan   bool
	staff  string
	// halted: out of service for the kiosk's data (home says so in place of its tiles).
	halted bool
}

func (s *Shell) devicesView(name string) devicesView {
	switch name {
	case "home":
		_, halted := s.K.DataFault()
		return devicesView{reader: s.K.ReaderProblem(), halted: halted}
	case "apply-choose":
		return devicesView{reader: s.K.ReaderProblem()}
	case "accounts", "track":
		return devicesView{reader: s.K.ReaderProblem(), scan: s.K.CanScan()}
	case "maint":
		var b strings.Builder
		for _, d := range []string{"idcard", "printer", "scanner", app.DataDevice} {
			if e, ok := s.K.DeviceState(d); ok {
				fmt.Fprintf(&b, "%s %t %s\n", d, e.OK, e.Detail)
			}
		}
		return devicesView{staff: b.String()}
	}
	return devicesView{}
}

// cardText is what a screen that needs the ID card says: the invitation (key), or why no
// card can be read now (which names the way without one).
func (s *Shell) cardText(key string) (string, widget.Importance) {
	if msg := s.K.ReaderProblem(); msg != "" {
		return s.T(msg), widget.DangerImportance
	}
	return s.T(key), widget.HighImportance
}

// cardNote is cardText as a note.
func (s *Shell) cardNote(key string) fyne.CanvasObject { return note(s.cardText(key)) }

// readerWarning is shown on the home screen while the ID card reader cannot be used.
func (s *Shell) readerWarning() fyne.CanvasObject {
	msg := s.K.ReaderProblem()
	if msg == "" {
		return nil
	}
	return touch.NewParagraph(s.T(msg), widget.RichTextStyle{ColorName: touch.ColorOf(widget.DangerImportance), Alignment: fyne.TextAlignCenter})
}

// demoCardButton opens the chooser of demo cards ("模拟刷卡"), or lifts the card left
// on the reader ("模拟取卡"); demo mode only.
func (s *Shell) demoCardButton() fyne.CanvasObject {
	if s.K.Demo == nil || !s.K.Config.Devices.IDCard.Enabled {
		return nil
	}
	b := touch.NewButton(s.T("demo.place_card"), s.Tap(s.chooseDemoCard))
	if s.K.CardLeft() {
		b = touch.NewButton(s.T("demo.take_card"), s.Tap(s.K.Demo.RemoveCard))
	}
	b.Importance = widget.WarningImportance
	return container.NewHBox(b)
}

func (s *Shell) chooseDemoCard() {
	s.notice.hide()
	s.notice = s.offer(func() notice {
		var buttons []modalButton
		for i, label := range s.K.Demo.Cards(s.K.Text.Lang() == i18n.EN) {
			buttons = append(buttons, modalButton{label: label, action: func() {
				if err := s.K.Demo.PlaceCard(i); err != nil {
					s.K.Log.Warn("demo card", "err", err)
				}
			}})
		}
		return notice{s.T("demo.place_card"), s.T("demo.choose_card"), buttons}
	}, "common.cancel")
}

// demoScanButton opens the chooser of the papers a screen invites a scan of ("模拟扫码"):
// demo mode only, and only while the scanner works, as the invitation.
func (s *Shell) demoScanButton(paper app.Paper) fyne.CanvasObject {
	if s.K.Demo == nil || !s.K.CanScan() {
		return nil
	}
	b := touch.NewButton(s.T("demo.scan"), s.Tap(func() { s.chooseDemoScan(paper) }))
	b.Importance = widget.WarningImportance
	return container.NewHBox(b)
}

// chooseDemoScan lists the papers the rig offers; the one chosen is read by the
// emulated scanner, and reaches the screens as any scan does (onScan).
func (s *Shell) chooseDemoScan(paper app.Paper) {
	run(s, func(context.Context) []app.ScanChoice {
		// The rig reads the simulated utilities' store: off the UI goroutine.
		choices, err := s.K.Demo.ScanChoices(s.K, paper)
		if err != nil {
			s.K.Log.Warn("demo scan choices", "err", err)
		}
		return choices
	}, func(choices []app.ScanChoice) {
		var buttons []modalButton
		for _, c := range choices {
			buttons = append(buttons, modalButton{label: c.Label, action: func() {
				if err := s.K.Demo.Scan(c.Code); err != nil {
					s.K.Log.Warn("demo scan", "err", err)
				}
			}})
		}
		message := "demo.choose_bill"
		switch {
		case len(buttons) == 0:
			message = "demo.nothing_to_scan"
		case paper == app.PaperReceipt:
			message = "demo.choose_receipt"
		}
		s.notice.hide()
		// The rig worded the papers' labels when asked, off the UI goroutine: a language
		// change while the list is up changes its title and message, not them.
		s.notice = s.offer(func() notice { return notice{s.T("demo.scan"), s.T(message), buttons} }, "common.cancel")
	})
}
