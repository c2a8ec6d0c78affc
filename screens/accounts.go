package screens

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/screens/touch"
)

// accountsPage shows the identified citizen's accounts at every utility, each tile in
// its own state (loading, accounts, none, unavailable) as the utilities answer. Without
// a card it offers the other ways in: typing an account number or scanning a bill.
func accountsPage(s *Shell) Page {
	return Page{Name: "accounts", TitleKey: "tile.accounts", Build: func() fyne.CanvasObject {
		if !s.identified() {
			return s.buildLookupChoice()
		}
		acc, ok := s.K.SessionAccounts()
		if !ok {
			s.startAccountLookup()
			if acc, ok = s.K.SessionAccounts(); !ok {
				return s.buildLookupChoice()
			}
		}
		return s.buildAccounts(acc)
	}}
}

// identified reports whether a citizen put their card on the reader in this visit.
func (s *Shell) identified() bool {
	c := s.K.Sessions.Current()
	if c == nil {
		return false
	}
	_, ok := c.Identity()
	return ok
}

// lookupAnswered redraws the accounts screen, 进度查询 or 联办进度, for a utility's
// answer; from any goroutine. Answers that come while a redraw waits for the UI
// goroutine (busy painting a frame, say) are drawn by that one redraw.
func (s *Shell) lookupAnswered() {
	if !s.lookupDue.CompareAndSwap(false, true) {
		return // a redraw is due already, and will show this answer too
	}
	s.opt.Do(func() {
		s.lookupDue.Store(false)
		if c := s.Current(); c == "accounts" || c == "track" || c == "joint" {
			s.refresh()
		}
	})
}

// startAccountLookup asks every utility at once, for a visit whose card did not (the
// kiosk asks when a card is read); each answer redraws the screen (lookupAnswered).
func (s *Shell) startAccountLookup() {
	if _, err := s.K.StartAccountLookup(); err != nil {
		s.K.Log.Warn("accounts", "err", err)
	}
}

func (s *Shell) buildAccounts(acc *app.Accounts) fyne.CanvasObject {
	var panels []fyne.CanvasObject
	for _, t := range acc.Tiles() {
		panels = append(panels, s.accountPanel(t))
	}
	// What to do here, under the accounts: the pager leaves the row below them.
	hint := note(s.T("accounts.hint"), widget.MediumImportance)
	if s.K.Elderly() {
		// One utility a page: what is owed at all of them is said above the first.
		return container.NewBorder(s.arrearsSummary(acc), hint, nil, nil, s.pager(panels...))
	}
	var blocks []fyne.CanvasObject
	for i := 0; i < len(panels); i += 2 {
		pair := []fyne.CanvasObject{panels[i]}
		if i+1 < len(panels) {
			pair = append(pair, panels[i+1])
		}
		blocks = append(blocks, container.NewGridWithColumns(2, pair...))
	}
	return container.NewBorder(nil, hint, nil, nil, s.pager(blocks...))
}

// arrearsSummary says what the citizen owes at every utility, once all have answered
// or as soon as one says they owe; nil while that is not known.
func (s *Shell) arrearsSummary(acc *app.Accounts) fyne.CanvasObject {
	var owed []string
	known := true
	for _, t := range acc.Tiles() {
		known = known && t.State == app.Found
		for _, a := range t.Accounts {
			if a.Arrears > 0 {
				owed = append(owed, s.T("accounts.owed_at", s.shortUtilityName(t.Utility), a.Arrears.Yuan()))
			}
		}
	}
	switch {
	case len(owed) > 0:
		return note(s.T("accounts.owed", strings.Join(owed, s.T("accounts.owed_sep"))), widget.DangerImportance)
	case known:
		return note(s.T("accounts.owed_none"), widget.SuccessImportance)
	}
	return nil
}

// shortUtilityName is a utility's name in a word (供电, 供水 …), its full name where
// the texts have none.
func (s *Shell) shortUtilityName(id string) string {
	if key := "apply.utility." + id; s.K.Text.Has(key) {
		return s.T(key)
	}
	return s.K.UtilityName(id)
}

func (s *Shell) accountPanel(t app.UtilityAccounts) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	switch t.State {
	case app.Loading:
		rows = append(rows, busy(s.T("accounts.loading")))
	case app.Unavailable:
		rows = append(rows, note(s.T("accounts.unavailable"), widget.WarningImportance), note(s.K.CitizenMessage(t.Err, t.Utility), widget.MediumImportance),
			s.retryButton(func() { s.K.RetryAccounts(t.Utility) }))
	case app.Found:
		if len(t.Accounts) == 0 {
			rows = append(rows, note(s.T("accounts.none"), widget.MediumImportance))
		}
		for _, a := range t.Accounts {
			a := a
			rows = append(rows, s.accountRow(t.Utility, a))
		}
	}
	return s.panel(s.K.UtilityName(t.Utility), rows...)
}

// retryButton is 重新查询, beside what a utility could not answer a moment ago: it may
// be back, and the citizen need not start the visit over to ask it again. It stands
// the gap below what is above it: in 我的办件 that is the last application's row.
func (s *Shell) retryButton(again func()) fyne.CanvasObject {
	return gapAbove(container.NewHBox(touch.NewButton(s.T("accounts.retry"), s.Tap(again))))
}

func (s *Shell) accountRow(utilityID string, a utility.Account) fyne.CanvasObject {
	trailing, imp := s.T("accounts.no_arrears"), widget.SuccessImportance
	if a.Arrears > 0 || a.Unpaid > 0 {
		trailing, imp = s.T("accounts.arrears", a.Arrears.Yuan()), widget.DangerImportance
	}
	detail := mask.Name(a.HolderName) + " · " + s.K.Text.Term(a.Category)
	if a.Plan != "" {
		detail += " · " + s.K.Text.Term(a.Plan)
	}
	if a.Balance > 0 {
		detail += " · " + s.T("accounts.balance", a.Balance.Yuan())
	}
	r := touch.NewRow(s.T("accounts.number", a.Number), detail, trailing, s.Tap(func() {
		s.Show(billsPage(s, utilityID, a))
	}))
	r.Importance = imp
	return r
}

// buildLookupChoice offers the ways to find an account without identification (a
// scan only while the scanner works).
func (s *Shell) buildLookupChoice() fyne.CanvasObject {
	invite := []fyne.CanvasObject{s.cardNote("home.insert_card")}
	if !s.K.Elderly() && s.K.ReaderProblem() == "" {
		invite = append(invite, note(s.T("lookup.by_card_hint"), widget.MediumImportance))
	}
	card := s.panel(s.T("lookup.by_card"), invite...)
	if s.K.Elderly() && s.K.ReaderProblem() == "" {
		// In 大字模式 the invitation is the panel's title, and the hint gives way, so
		// that the utilities to type a number for fit on the first page under it, the
		// gap apart.
		card = s.panel(s.T("home.insert_card"))
	}
	var buttons []fyne.CanvasObject
	for _, c := range s.K.Utilities {
		id := c.ID()
		buttons = append(buttons, touch.NewButton(s.K.UtilityName(id), s.Tap(func() { s.Show(accountKeypadPage(s, id)) })))
	}
	typed := s.panel(s.T("lookup.by_number"), touch.NewApartGrid(2, buttons...))
	if !s.K.CanScan() {
		return s.pager(card, typed)
	}
	bill := []fyne.CanvasObject{note(s.T("lookup.by_scan_hint"), widget.MediumImportance)}
	if b := s.demoScanButton(app.PaperBill); b != nil {
		bill = append(bill, b)
	}
	scan := s.panel(s.T("lookup.by_scan"), bill...)
	if s.K.Elderly() {
		return s.pager(card, typed, scan)
	}
	return s.pager(container.NewGridWithColumns(2, card, scan), typed)
}

// accountKeypadPage types an account number for one utility.
func accountKeypadPage(s *Shell, utilityID string) Page {
	var typed string
	return Page{Name: "account-keypad", TitleKey: "lookup.by_number", Build: func() fyne.CanvasObject {
		k := touch.NewKeypad(touch.Numeric, s.keypadLabels())
		// As long as the utility's catalogue says its numbers are, or what any can be.
		lo, hi := s.K.Catalog().AccountLength(utilityID)
		if hi == 0 {
			hi = 20
		}
		lo = max(lo, 6)
		k.MaxLen = hi
		k.Placeholder = s.T("lookup.number_placeholder")
		tooShort := s.T("lookup.number_short", lo)
		if lo == hi {
			k.Placeholder, tooShort = s.T("lookup.number_placeholder_len", lo), s.T("lookup.number_len", lo)
		}
		k.OnKey = s.K.Touch
		k.Validate = func(v string) string {
			if v == "" || len(v) >= lo {
				return ""
			}
			return tooShort
		}
		// What is typed stays when the screen is drawn again (大字模式 or English tapped
		// half way through), and after a number that was not found, to be corrected.
		k.SetValue(typed)
		k.OnChange = func(v string) { typed = v }
		k.OnSubmit = func(v string) { s.openAccount(utilityID, v, false) }
		if s.K.Elderly() {
			// No room for a title: the placeholder says what to type, and the line
			// under it where to find the number and how long it is.
			k.Placeholder, k.Help = s.T("lookup.number_for", s.K.UtilityName(utilityID)), k.Placeholder
			return k
		}
		title := heading(s.T("lookup.number_for", s.K.UtilityName(utilityID)))
		return container.NewBorder(title, nil, nil, nil, k)
	}}
}

// openAccount shows the bills of an account found by a number typed or, scanned, by a
// bill's QR.
func (s *Shell) openAccount(utilityID, number string, scanned bool) {
	s.K.EnsureSession() // what is found belongs to this visit, wiped with it
	s.pleaseWait("lookup.finding_title", "lookup.finding")
	run(s, func(ctx context.Context) accountOrErr {
		a, err := s.K.FindAccount(ctx, utilityID, number)
		return accountOrErr{a, err}
	}, func(r accountOrErr) {
		s.notice.hide()
		s.notice = nil
		if r.err != nil {
			s.notice = s.tell(func() notice {
				msg := s.K.LookupMessage(r.err, utilityID)
				if scanned {
					msg = s.K.ScannedBillMessage(r.err, utilityID)
				}
				return notice{s.T("lookup.failed_title"), msg, []modalButton{s.ok()}}
			})
			return
		}
		s.Show(billsPage(s, utilityID, r.a))
	})
}

type accountOrErr struct {
	a   utility.Account
	err error
}

func (s *Shell) keypadLabels() touch.KeypadLabels {
	return touch.KeypadLabels{Backspace: s.T("keypad.backspace"), Clear: s.T("keypad.clear"), OK: s.T("keypad.ok")}
}
