package screens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/utility"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// choosePayment starts paying the chosen bills: if the printer cannot print, the
// citizen is told first and may still pay (the receipt's QR is shown on screen).
func (s *Shell) choosePayment(st *billsState) {
	var bills []utility.Bill
	for _, b := range st.bills {
		if b.Payable() && st.chosen[b.ID] {
			bills = append(bills, b)
		}
	}
	if len(bills) == 0 {
		return
	}
	// A refusal says the bills are not as listed (paid at a counter or on a phone since,
	// their amount changed: 请重新查询): they are fetched again under it, lest the citizen
	// tap 缴费 for the same bills and be refused again.
	again := func() {
		*st = billsState{utility: st.utility, account: st.account, chosen: map[string]bool{}}
		if s.Current() == "bills" {
			s.refresh()
		}
	}
	s.unlessPrinterDown(printerCheck{"pay.creating_title", "pay.creating", "pay.printer_title", "pay.printer_warning", "pay.continue"},
		func() { s.startPayment(st.utility, st.account, bills, again) })
}

// printerCheck is what unlessPrinterDown shows, as message keys: the notice of the step
// it leads to while it asks the printer (waitTitle, wait), and why the receipt would not
// print (title, warning) with the button that goes on all the same (goOn).
type printerCheck struct{ waitTitle, wait, title, warning, goOn string }

// unlessPrinterDown does next at once when the printer can print, or when the hall
// prints nothing (the result screen says so, with its QR code). When the printer cannot
// print, the citizen reads why first, and may go on or not. Asking the printer takes a
// moment: the step's own notice shows meanwhile, so that the tap is seen to be taken and
// a second one does not start the step twice.
func (s *Shell) unlessPrinterDown(c printerCheck, next func()) {
	if !s.K.HasPrinter() {
		next()
		return
	}
	s.pleaseWait(c.waitTitle, c.wait)
	run(s, func(ctx context.Context) app.PrintResult { return s.K.PrinterReady(ctx) }, func(r app.PrintResult) {
		if r.OK {
			next()
			return
		}
		s.notice.hide()
		s.notice = s.tellKeys(c.title, c.warning, func() modalButton { return modalButton{label: s.T("common.cancel")} },
			func() modalButton { return modalButton{label: s.T(c.goOn), primary: true, action: next} })
	})
}

// pleaseWait shows a notice with no buttons while something runs in the background (the
// caller hides it): it tells the citizen their tap was taken, and keeps a second tap off
// the button under it.
func (s *Shell) pleaseWait(title, msg string) {
	s.notice.hide()
	s.notice = s.tellKeys(title, msg)
	s.waiting = s.notice
}

// busy says whether a step the citizen asked for is on its way (pleaseWait's notice is
// up): the screen it leads to is not shown yet.
func (s *Shell) busy() bool { return s.notice != nil && s.notice == s.waiting && s.notice.ov != nil }

// startPayment asks for the order of bills and shows its pay QR; refused (nil: none)
// runs when the utility refused the order, under the notice that says why.
func (s *Shell) startPayment(utilityID string, a utility.Account, bills []utility.Bill, refused func()) {
	s.pleaseWait("pay.creating_title", "pay.creating")
	type started struct {
		f   *app.PaymentFlow
		err error
	}
	run(s, func(ctx context.Context) started {
		f, err := s.K.StartPayment(ctx, utilityID, a.Number, bills)
		return started{f, err}
	}, func(r started) {
		s.notice.hide()
		s.notice = nil
		if r.err != nil {
			failed := s.K.PaymentStartFailure(r.err, utilityID)
			s.notice = s.tell(func() notice {
				return notice{s.T("pay.failed_title"), failed.In(s.K.Text.Lang()), []modalButton{s.ok()}}
			})
			if refused != nil && errors.Is(r.err, utility.ErrRejected) {
				refused()
			}
			return
		}
		s.Show(payPage(s, r.f))
		if s.K.CardHeld() {
			// A card put down under 请稍候 waits for this payment; its notice was kept
			// off the step's (see onIdentify), and says so over the pay QR now.
			s.notice = s.tellKeys("pay.card_held_title", "pay.card_held", s.ok)
		}
	})
}

// payPage shows the pay QR large with the amount and a countdown, and follows the order
// until it is paid, expires or is cancelled.
func payPage(s *Shell, f *app.PaymentFlow) Page {
	var remaining *canvas.Text
	sid := s.sessionID()
	f.Watch(context.Background(), func(f *app.PaymentFlow) {
		s.opt.Do(func() {
			if s.sessionID() != sid {
				f.StopWatching()
				return
			}
			if f.Final() && s.Current() == "pay" {
				s.stack = s.stack[:len(s.stack)-1]
				s.Show(payResultPage(s, f))
			}
		})
	})
	// The time left is the kiosk's: the order's validity, or less when the visit would
	// end first for want of a touch (a touch gives the full idle time again).
	countdown := func() string {
		until := f.Payment().ExpiresAt
		if w := s.K.Sessions.WipeAt(); !w.IsZero() && (until.IsZero() || w.Before(until)) { // a utility may give no expiry
			until = w
		}
		left := until.Sub(s.K.Clock.Now()).Round(time.Second)
		if left < 0 {
			left = 0
		}
		// In words: 14:59 reads as a time of day.
		return s.T("pay.countdown", int(left.Minutes()), fmt.Sprintf("%02d", int(left.Seconds())%60))
	}
	// giveUp cancels the order, as 取消缴费 does. The outcome replaces the QR when it is
	// still on top; an order paid meanwhile shows its outcome wherever the citizen went.
	left := false // the QR left the stack (返回, 首页)
	// A second tap on 取消缴费 while the first is on its way waits for it, and then asks
	// nothing of the utility (app.PaymentFlow.Cancel): the first one's outcome replaces
	// the QR.
	giveUp := func() {
		run(s, func(ctx context.Context) error { return f.Cancel(ctx) }, func(err error) {
			if err != nil {
				s.K.Log.Info("payment cancel", "err", err)
			}
			switch { // run drops this when the visit has ended meanwhile
			case !left && s.Current() == "pay":
				s.stack = s.stack[:len(s.stack)-1]
				s.Show(payResultPage(s, f))
			case f.Payment().Status == utility.PaymentPaid:
				s.Show(payResultPage(s, f))
			}
		})
	}
	return Page{Name: "pay", TitleKey: "pay.title", Idle: s.K.Config.Kiosk.PayIdleTimeout.Duration,
		// Leaving the QR (返回, 首页) gives the payment up, lest it be paid with nobody
		// told. A visit that ends gives up its payments itself.
		Leave: func() {
			left = true
			if !f.Final() && s.sessionID() == sid {
				giveUp()
			}
		},
		Build: func() fyne.CanvasObject {
			p := f.Payment()
			amount := canvas.NewText(f.Amount.Yuan(), ft.Color(ft.ColorNameError))
			amount.TextSize = ft.Size(kt.SizeNameDisplayText) * 0.75
			remaining = canvas.NewText(countdown(), ft.Color(ft.ColorNameForeground))
			remaining.TextSize = ft.Size(ft.SizeNameSubHeadingText)
			info := lines(
				heading(s.T("pay.scan")),
				amount,
				note(s.T("pay.account_bills", s.K.UtilityName(f.Utility), f.Account, len(f.Bills)), widget.MediumImportance),
				// Indented as the labels around it are.
				container.New(layout.NewCustomPaddedLayout(0, 0, ft.Size(ft.SizeNameInnerPadding), 0), remaining),
				note(s.T(s.payWaitingKey()), widget.HighImportance),
			)
			cancel := touch.NewButton(s.T("pay.cancel"), s.Tap(giveUp))
			cancel.Importance = widget.DangerImportance
			words := container.NewVBox(info, container.NewHBox(cancel))
			// The QR as large as the page lets it be (phones read it from a metre away,
			// old ones too), never under 340: a size smaller each time until the words
			// beside it, wrapping in what width is left, fit the page's height.
			size := min(s.bodySize.Height*0.9, s.bodySize.Width*0.42)
			fits := func() bool {
				words.Resize(fyne.NewSize(s.bodySize.Width-max(size, 340)-4*ft.Size(ft.SizeNamePadding), s.bodySize.Height))
				return words.MinSize().Height <= s.bodySize.Height
			}
			for size > 340 && !fits() {
				size -= 20
			}
			// The QR at its smallest, the words still too tall (English in 大字模式, a long
			// name, the longer note without a printer): the amount, by far the largest of
			// them, gives up a little height, never below a heading's size and a half.
			for smallest := ft.Size(ft.SizeNameHeadingText) * 1.5; amount.TextSize-4 >= smallest && !fits(); {
				amount.TextSize -= 4
			}
			qr, err := touch.NewQR(p.PayURL, max(size, 340))
			var code fyne.CanvasObject = qr
			if err != nil {
				code = note(s.T("pay.no_qr"), widget.DangerImportance)
			}
			return container.NewBorder(nil, nil, container.NewPadded(container.NewCenter(code)), nil, words)
		},
		Tick: func() {
			if remaining != nil {
				remaining.Text = countdown()
				remaining.Refresh()
			}
		},
	}
}

// payResultPage tells how the payment ended; when paid, whether the receipt printed,
// with the receipt's QR on screen either way.
func payResultPage(s *Shell, f *app.PaymentFlow) Page {
	// next is the note that another citizen's card waits (NextCardDue), while shown.
	var next *touch.Paragraph
	// A cancellation shown unconfirmed (已申请取消缴费) that its utility answers later is
	// shown again as it is: cancelled, nothing charged.
	sid := s.sessionID()
	f.OnCancelConfirmed(func(*app.PaymentFlow) {
		s.opt.Do(func() {
			if s.sessionID() == sid && s.Current() == "pay-result" {
				s.refresh()
			}
		})
	})
	return Page{Name: "pay-result", TitleKey: "pay.result_title", Tick: func() {
		due, waits := s.K.NextCardDue()
		timed := waits && !due.IsZero()
		switch {
		case timed != (next != nil): // the card came to wait, was lifted, or waits for the visit
			s.refresh()
		case timed:
			next.SetText(s.nextCardText(due))
		}
	}, Build: func() fyne.CanvasObject {
		p := f.Payment()
		var items []fyne.CanvasObject
		next = nil
		owedAbove := false // 去缴费 stands above the ways on
		var side fyne.CanvasObject = widget.NewLabel("")
		switch p.Status {
		case utility.PaymentPaid:
			items = append(items, s.bigStatus(s.T("pay.paid"), ft.ColorNameSuccess))
			detail := []fyne.CanvasObject{note(s.T("pay.paid_detail", p.Amount.Yuan(), s.K.UtilityName(f.Utility), f.Account), widget.MediumImportance)}
			if r, ok := f.Printed(); ok {
				detail = append(detail, s.printedNote(r, "pay.take_receipt", nil))
			}
			items = append(items, lines(detail...))
			if due, waits := s.K.NextCardDue(); waits && !due.IsZero() {
				// Another citizen's card waited for this payment: the payer reads this
				// first (app.ResultFor), or its holder goes on at once (below).
				next = note(s.nextCardText(due), widget.HighImportance)
			} else if owed := s.otherArrears(f); owed != "" && s.below().Resume == nil { // a 过户 goes on instead
				// One visit for all: what is still owed elsewhere, and the way to it.
				other := touch.NewButton(s.T("pay.pay_others"), s.Tap(func() { s.Show(accountsPage(s)) }))
				items = append(items, container.NewBorder(nil, nil, nil, other, note(s.T("pay.also_owed", owed), widget.WarningImportance)))
				owedAbove = true
			}
			var right []fyne.CanvasObject
			if u := f.ReceiptURL(); u != "" {
				if qr, err := touch.NewQR(u, max(260, min(s.bodySize.Height*0.6, s.bodySize.Width*0.3))); err == nil {
					caption := touch.NewParagraph(s.T("pay.receipt_qr"), widget.RichTextStyle{Alignment: fyne.TextAlignCenter})
					right = append(right, container.NewCenter(qr), caption)
				}
			}
			if r, _ := f.Printed(); r.OK {
				if b := s.demoReceiptButton(); b != nil {
					right = append(right, b)
				}
			}
			side = container.NewVBox(right...)
		case utility.PaymentExpired, utility.PaymentCancelled:
			title, words := "pay.cancelled", s.T("pay.not_charged")
			switch {
			case p.Status == utility.PaymentExpired:
				title = "pay.expired"
			case f.CancelUnconfirmed():
				title = "pay.cancel_requested"
			case f.Withdrawn(): // the citizen cancelled nothing: a bill was paid elsewhere, perhaps
				title, words = "pay.withdrawn", s.T("pay.withdrawn_detail", s.K.UtilityName(f.Utility))
			}
			if f.CancelUnconfirmed() { // the kiosk cannot say nothing was charged
				words = s.T("pay.cancel_unconfirmed")
			}
			items = append(items, s.bigStatus(s.T(title), ft.ColorNameWarning), note(words, widget.MediumImportance))
		default:
			items = append(items, s.bigStatus(s.T("pay.failed_title"), ft.ColorNameError), note(s.T("pay.not_charged"), widget.MediumImportance))
		}
		below := s.below()
		var back, done fyne.CanvasObject
		switch {
		case below.Resume != nil && p.Status == utility.PaymentPaid:
			// Paid for a 过户: its business goes on, with the bills checked again.
			back = touch.NewButton(s.T("nav.exit"), s.Tap(s.K.Exit))
			// The transfer goes on in this visit (the outcome stays on top while its bills
			// are checked again, and leaves the stack unasked): a card waiting to be served
			// waits for the visit to end.
			done = touch.NewPrimaryButton(s.T(below.Resume.Key), s.Tap(func() {
				s.K.KeepVisitForPayer()
				below.Resume.Do()
			}))
		case below.Name == "bills":
			back = touch.NewButton(s.T("pay.back_to_bills"), s.Tap(s.Back))
			done = touch.NewPrimaryButton(s.T("nav.exit"), s.Tap(s.K.Exit))
		default:
			back = touch.NewButton(s.T("nav.back"), s.Tap(s.Back))
			done = touch.NewPrimaryButton(s.T("nav.exit"), s.Tap(s.K.Exit))
		}
		if next != nil {
			// The payer's visit ends shortly, unless they go on in it: their own way on
			// (a 过户's, the bills), which keeps the visit for them (the card then waits for
			// it to end), beside the waiting card's holder's (the header's 退出办理 opens
			// their visit too: app.Kiosk.Exit).
			mine := back
			if below.Resume != nil && p.Status == utility.PaymentPaid {
				mine = done
			}
			now := touch.NewPrimaryButton(s.T("pay.next_card_now"), s.Tap(s.K.ServeNextCard))
			items = append(items, next, touch.NewApartGrid(2, mine, now))
		} else {
			var ways fyne.CanvasObject = touch.NewApartGrid(2, back, done)
			if owedAbove {
				ways = gapAbove(ways) // the gap clear of 去缴费 above them
			}
			items = append(items, ways)
		}
		// The receipt's side the gap clear of the buttons beside it.
		return container.NewGridWithColumns(2, container.NewVBox(items...), container.NewBorder(nil, nil, gapStrip(), nil, side))
	},
		// The payer leaving their outcome into their visit (返回账单, the header's 返回 or
		// 首页) goes on in it: a card waiting to be served waits for the visit to end.
		Leave: s.K.KeepVisitForPayer}
}

// nextCardText says that the card put down during the payment opens its holder's visit
// at due: in whole seconds, counted down.
func (s *Shell) nextCardText(due time.Time) string {
	left := due.Sub(s.K.Clock.Now())
	return s.T("pay.next_card", max(0, int((left+time.Second-1)/time.Second)))
}

// otherArrears words what the identified citizen still owes at other accounts than the
// one just paid (供水 ￥90.28), as the visit's accounts last said; "" when nothing.
func (s *Shell) otherArrears(f *app.PaymentFlow) string {
	acc, ok := s.K.SessionAccounts()
	if !ok {
		return ""
	}
	var owed []string
	for _, t := range acc.Tiles() {
		for _, a := range t.Accounts {
			if a.Arrears > 0 && !(t.Utility == f.Utility && a.Number == f.Account) {
				owed = append(owed, s.T("accounts.owed_at", s.shortUtilityName(t.Utility), a.Arrears.Yuan()))
			}
		}
	}
	return strings.Join(owed, s.T("accounts.owed_sep"))
}

// bigStatus is a large coloured outcome line (缴费成功, 已过期 …). It wraps: in English
// in 大字模式 one line was wider than the column it stands in.
func (s *Shell) bigStatus(text string, color fyne.ThemeColorName) fyne.CanvasObject {
	return touch.NewParagraph(text, widget.RichTextStyle{ColorName: color, SizeName: kt.SizeNameStatusText})
}

// demoReceiptButton shows the emulated printer's last receipt as a picture (demo mode).
// Offered where a receipt printed: after a failed print it would show a torn part.
func (s *Shell) demoReceiptButton() fyne.CanvasObject {
	if s.K.Demo == nil || !s.K.HasPrinter() {
		return nil
	}
	b := touch.NewButton(s.T("demo.view_receipt"), s.Tap(func() { s.Show(demoReceiptPage(s)) }))
	b.Importance = widget.WarningImportance
	return b
}

// printedNote tells the citizen what became of the receipt: to take it (takeKey), that
// it failed (staff are alerted), or that this kiosk prints none, which is no fault. own
// gives a receipt's own words for the print's messages where the general ones (a
// payment's 凭条 and its QR code) do not fit it.
func (s *Shell) printedNote(r app.PrintResult, takeKey string, own map[string]string) fyne.CanvasObject {
	msg := r.Message
	if k, ok := own[msg]; ok {
		msg = k
	}
	switch {
	case r.OK:
		return note(s.T(takeKey), widget.HighImportance)
	case !s.K.HasPrinter():
		return note(s.T(msg), widget.MediumImportance)
	}
	return note(s.T(msg), widget.DangerImportance)
}

// acceptancePrint words the print's messages for the 受理回执: what the citizen keeps
// without it is the application number.
var acceptancePrint = map[string]string{
	"print.failed":     "apply.print_failed",
	"print.paper_out":  "apply.print_paper_out",
	"print.not_kept":   "apply.print_not_kept",
	"print.no_printer": "apply.no_printer",
}

// payWaitingKey is what the pay screen promises once the citizen has paid: a printed
// receipt, or, without a printer or while it cannot print, the result on screen.
func (s *Shell) payWaitingKey() string {
	if st, ok := s.K.DeviceState("printer"); !s.K.HasPrinter() || ok && !st.OK {
		return "pay.waiting_no_receipt"
	}
	return "pay.waiting"
}
