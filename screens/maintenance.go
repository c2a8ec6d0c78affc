package screens

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/touch"
)

// The hidden gesture that asks for the staff PIN: five taps on the header's title
// within three seconds. A citizen does not tap a title five times by chance, and the
// PIN keeps out one who does.
const (
	gestureTaps   = 5
	gestureWithin = 3 * time.Second
)

// eventsShown is how many journal events the maintenance screen lists.
const eventsShown = 60

// openGesture asks for the staff PIN, between visits only: nothing of a citizen's may
// be on screen behind maintenance mode.
func (s *Shell) openGesture() {
	if !s.K.MaintenanceAvailable() || s.K.Sessions.Current() != nil || s.maint != nil {
		return
	}
	switch s.Current() {
	case "staff-id", "staff-pin", "maint":
		return
	}
	if s.K.MaintenanceNeedsID() {
		s.Show(staffIDPage(s))
		return
	}
	s.Show(pinPage(s, ""))
}

// staffIDPage takes a member's 工号 before their PIN, where each member has a PIN of
// their own: the journal then names who did what.
func staffIDPage(s *Shell) Page {
	return Page{Name: "staff-id", TitleKey: "maint.pin_title", Build: func() fyne.CanvasObject {
		k := touch.NewKeypad(touch.Numeric, s.keypadLabels())
		k.MaxLen = 12
		k.Placeholder = s.T("maint.id_placeholder")
		k.OnKey = s.K.Touch
		k.Validate = func(v string) string {
			if v != "" && staffpin.ValidStaffID(v) != nil {
				return s.T("maint.id_rule")
			}
			return ""
		}
		k.SetValue("")
		k.OnSubmit = func(id string) {
			// The PIN's page takes this one's place: 返回 from it goes back to where
			// staff came from.
			s.stack = s.stack[:len(s.stack)-1]
			s.Show(pinPage(s, id))
		}
		return k
	}}
}

// pinPage takes the staff PIN on a keypad that shows dots, not digits: the shared PIN,
// or, with id, the PIN of the member whose 工号 it is.
func pinPage(s *Shell, id string) Page {
	var refusal string
	var checking bool
	return Page{Name: "staff-pin", TitleKey: "maint.pin_title", Build: func() fyne.CanvasObject {
		k := touch.NewKeypad(touch.Numeric, s.keypadLabels())
		k.MaxLen = 12
		k.Secret = true
		k.Placeholder = s.T("maint.pin_placeholder")
		if id != "" {
			k.Placeholder = s.T("maint.pin_placeholder_for", id)
		}
		if pin := s.K.MaintenanceDemoPIN(); pin != "" {
			k.Placeholder = s.T("maint.demo_pin", pin)
		}
		k.OnKey = s.K.Touch
		if refusal == "" {
			// Opened while PINs are refused: locked, or too soon after a wrong one.
			if err := s.K.MaintenanceHeld(); err != nil {
				refusal = s.pinRefusal(err)
			}
		}
		// Why the last PIN was refused stays in the keypad's message line until the
		// next is typed: no line is added above a keypad that fills 大字模式's screen.
		k.Validate = func(v string) string {
			switch {
			case v == "":
				return refusal
			case staffpin.ValidPIN(v) != nil:
				return s.T("maint.pin_rule")
			}
			return ""
		}
		k.SetValue("")
		k.OnSubmit = func(pin string) {
			if checking {
				return
			}
			checking = true
			refusal = s.T("maint.checking")
			s.refresh()
			type opened struct {
				m   *app.Maintenance
				err error
			}
			run(s, func(context.Context) opened {
				if id != "" {
					m, err := s.K.OpenMaintenanceAs(id, pin)
					return opened{m, err}
				}
				m, err := s.K.OpenMaintenance(pin)
				return opened{m, err}
			}, func(o opened) {
				checking = false
				if o.err == nil {
					s.enterMaintenance(o.m)
				} else if s.Current() == "staff-pin" {
					refusal = s.pinRefusal(o.err)
					s.refresh()
				}
			})
		}
		return k
	}}
}

// pinRefusal says why a PIN did not open maintenance mode and when to try again.
func (s *Shell) pinRefusal(err error) string {
	var r *staffpin.RefusedError
	if !errors.As(err, &r) {
		if errors.Is(err, app.ErrVisitOpen) {
			return s.T("maint.visit_open")
		}
		if app.NotStored(err) {
			// Every login is journaled, and a wrong PIN counted there for the lockout:
			// with nothing written, maintenance mode stays shut (no PIN can be guessed
			// uncounted), and staff read the kiosk's state with kioskctl.
			return s.T("maint.pin_not_stored")
		}
		s.K.Log.Error("maintenance PIN", "err", err)
		return s.T("maint.pin_error")
	}
	at := r.Until.In(workdays.CST).Format("15:04:05")
	switch {
	case errors.Is(err, staffpin.ErrLocked):
		return s.T("maint.locked", at)
	case errors.Is(err, staffpin.ErrWrongPIN) && s.K.MaintenanceNeedsID():
		return s.T("maint.id_pin_wrong", r.Left)
	case errors.Is(err, staffpin.ErrWrongPIN):
		return s.T("maint.pin_wrong", r.Left)
	}
	return s.T("maint.too_soon", at)
}

// enterMaintenance puts maintenance mode in place of the PIN screen.
func (s *Shell) enterMaintenance(m *app.Maintenance) {
	if !m.Open() || s.Current() != "staff-pin" {
		m.Close(app.MaintenanceExit) // a card was placed, or staff left, meanwhile
		return
	}
	s.maint = m
	s.stack = s.stack[:len(s.stack)-1]
	s.Show(maintPage(s))
}

// leaveMaintenance closes maintenance mode as staff leave its screen.
func (s *Shell) leaveMaintenance() {
	if s.maint != nil {
		s.maint.Close(app.MaintenanceExit)
		s.maint = nil
	}
}

// maintPage is maintenance mode: the devices and queues at a glance, and what staff can
// do about them.
func maintPage(s *Shell) Page {
	var keep keptPage
	return Page{Name: "maint", TitleKey: "maint.title", Leave: s.leaveMaintenance, Build: func() fyne.CanvasObject {
		m := s.maint
		st, failed := maintRead(s, m.Status)
		if failed != nil {
			return failed
		}
		devices := s.panel(s.T("maint.devices"), s.deviceRows(st)...)
		queue := s.panel(s.T("maint.queue"), s.queueRows(st)...)
		test := s.Button("maint.test_page", s.printTestPage)
		events := s.Button("maint.events_button", func() { s.Show(eventsPage(s)) })
		bundles := s.Button("maint.bundles", func() { s.Show(bundlesPage(s)) })
		utilities := s.Button("maint.utilities", func() { s.Show(utilitiesPage(s)) })
		restart := s.Button("maint.restart", s.confirmRestart)
		exit := s.Button("maint.exit", s.Home)
		exit.Importance = widget.DangerImportance
		acts := []fyne.CanvasObject{test, events, bundles, utilities, restart, exit}
		actions := touch.NewApartGrid(1, acts...)
		about := s.panel(s.T("maint.about"), s.aboutRows(m.About(), st.Fleet)...)
		var panels fyne.CanvasObject
		if s.K.Elderly() {
			panels = keep.pager(s, devices, queue, about)
		} else {
			// Side by side, all at a glance; in 大字模式 one above the other, paged. What
			// waits has a column of its own, the tallest: with every utility's count, each
			// saying why it holds its requests back, it goes on a second page.
			panels = container.NewGridWithColumns(2, container.NewVBox(devices, about), keep.pager(s, queue))
		}
		if actions.MinSize().Height > s.bodySize.Height {
			// Six the gap apart are taller than the page (大字模式): they go under the
			// panels, in rows, the gap clear of the pager's 下一页.
			return container.NewBorder(nil, gapAbove(s.apartColumns(3, acts...)), nil, nil, panels)
		}
		// The pagers' 下一页 stands the gap clear of 退出维护 beside it.
		return container.NewBorder(nil, nil, nil, rightOfPager(actions), panels)
	}}
}

// maintRead reads what a maintenance screen shows; when it cannot, failed is the screen
// saying why.
func maintRead[T any](s *Shell, read func(context.Context) (T, error)) (v T, failed fyne.CanvasObject) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	v, err := read(ctx)
	if err != nil {
		return v, note(s.maintError(err), widget.DangerImportance)
	}
	return v, nil
}

// keptPage keeps the page a maintenance screen's pager is on across the screen's
// rebuilds for new data (a dead letter sent again or closed, a device's state changed):
// staff working through a long list are not sent back to its first page after each
// item. A rebuild in another mode or language opens on the first page: its pages hold
// other rows.
type keptPage struct {
	last *touch.Pager
	view string // the mode and language last was built in
}

// pager pages blocks as Shell.pager does, on the page the last one built was on.
func (k *keptPage) pager(s *Shell, blocks ...fyne.CanvasObject) *touch.Pager {
	p := s.pager(blocks...)
	view := fmt.Sprint(s.K.Elderly(), s.K.Text.Lang())
	if k.last != nil && k.view == view {
		at, _ := k.last.Page()
		p.SetPage(at)
	}
	k.last, k.view = p, view
	return p
}

// maintError words an error of maintenance mode for staff; what is not foreseen is
// logged, and staff read that it was.
func (s *Shell) maintError(err error) string {
	if late := (*staff.TooLateError)(nil); errors.As(err, &late) && late.State != "" {
		return s.tooLate(late)
	}
	for _, e := range []struct {
		err error
		key string
	}{
		{app.ErrMaintenanceClosed, "maint.closed"},
		{app.ErrNoRestart, "maint.no_restart"},
		{app.ErrNotJournaled, "maint.not_journaled"},
		{staff.ErrCitizenPresent, "maint.visit_open"},
		{bundle.ErrNothingToRollBack, "maint.nothing_to_roll_back"},
		{app.ErrBundleContent, "maint.rollback_refused"},
		{bundle.ErrSignature, "maint.rollback_key_changed"},
		{bundle.ErrScope, "maint.rollback_host"},
		{outbox.ErrNotFound, "maint.request_gone"},
		{outbox.ErrInFlight, "maint.in_flight"},
		{outbox.ErrTooLate, "maint.too_late"},
		{outbox.ErrNotRetried, "maint.payment_no_retry"},
		{bundle.ErrNothingHeld, "maint.nothing_held"},
		{reprint.ErrNotFound, "maint.receipt_gone"},
		{reprint.ErrPrinting, "maint.receipt_printing"},
	} {
		if errors.Is(err, e.err) {
			return s.T(e.key)
		}
	}
	s.K.Log.Error("maintenance mode", "err", err)
	return s.T("maint.error")
}

// tooLate says what became of a request staff could not close or withdraw, as kioskctl
// does: the utility has it (its reference, to ask it to cancel by), a colleague closed
// it (who, and why), or it expired.
func (s *Shell) tooLate(e *staff.TooLateError) string {
	switch {
	case e.State == outbox.Done && e.UtilityRef != "":
		return s.T("maint.too_late_done", e.Ref, e.UtilityRef)
	case e.State == outbox.Done:
		return s.T("maint.too_late_done_noref", e.Ref)
	case e.State == outbox.Closed:
		return s.T("maint.too_late_closed", e.Ref, s.closedWhy(e.Why))
	case e.State == outbox.Expired:
		return s.T("maint.too_late_expired", e.Ref)
	}
	return s.T("maint.too_late")
}

// closedWhy is who closed a request and why (staff.Request.Why), as staff read it: a
// colleague's reason as they chose it; the kiosk's own in the staff's language (a
// payment order's dead letter it closed once it learnt how the order ended, a request
// the utility had already done).
func (s *Shell) closedWhy(why string) string {
	reason, byKiosk := strings.CutPrefix(why, outbox.ClosedByKiosk+": ")
	switch {
	case !byKiosk:
		return why
	case strings.HasSuffix(reason, "(already_done)"):
		return s.T("maint.words.already_done")
	}
	return s.K.StaffWords(reason)
}

// deviceRows are the devices' states and an ID card left on the reader.
func (s *Shell) deviceRows(st staff.Status) []fyne.CanvasObject {
	devs := append([]staff.Device{}, st.Devices...)
	sort.Slice(devs, func(i, j int) bool { return devs[i].Name < devs[j].Name })
	var rows []fyne.CanvasObject
	for _, d := range devs {
		state, imp := s.T("maint.ok"), widget.SuccessImportance
		if !d.OK {
			state, imp = s.T("maint.fault"), widget.DangerImportance
		}
		r := touch.NewRow(s.T("maint.device."+d.Name), s.K.StaffWords(d.Detail), state, s.K.Touch)
		r.Importance = imp
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		rows = append(rows, note(s.T("maint.no_devices"), widget.MediumImportance))
	}
	if st.CardLeftSince != nil {
		rows = append(rows, note(s.T("maint.card_left", dateTime(*st.CardLeftSince)), widget.WarningImportance))
	}
	return rows
}

// queueRows count what waits: requests per utility, with why a utility's are held back
// when it fails itself, dead letters, receipts to print again and payment orders still
// asked about.
func (s *Shell) queueRows(st staff.Status) []fyne.CanvasObject {
	var ids []string
	for id := range st.Pending {
		ids = append(ids, id)
	}
	failing := map[string]staff.Failing{}
	for _, f := range st.Failing {
		failing[f.Utility] = f
		if _, ok := st.Pending[f.Utility]; !ok {
			ids = append(ids, f.Utility)
		}
	}
	sort.Strings(ids)
	var rows []fyne.CanvasObject
	for _, id := range ids {
		r := s.countRow(s.T("maint.pending", s.K.UtilityName(id)), st.Pending[id], widget.WarningImportance)
		if st.Pending[id] > 0 {
			// Staff withdraw a waiting request from its list (a citizen asks at the counter).
			r.Detail, r.OnTapped = s.T("maint.open_list"), s.Tap(func() { s.Show(pendingPage(s, id)) })
		}
		if f, ok := failing[id]; ok {
			r.Detail, r.Importance = s.failing(f), widget.DangerImportance
		}
		rows = append(rows, r)
	}
	if len(ids) == 0 {
		rows = append(rows, s.countRow(s.T("maint.pending_none"), 0, widget.SuccessImportance))
	}
	// Staff deal with the dead letters and the receipts to reprint from their rows.
	dead := s.countRow(s.T("maint.dead"), st.Dead, widget.DangerImportance)
	dead.Detail, dead.OnTapped = s.T("maint.open_list"), s.Tap(func() { s.Show(deadPage(s)) })
	reprints := s.countRow(s.T("maint.reprints"), st.Reprints, widget.WarningImportance)
	reprints.Detail, reprints.OnTapped = s.T("maint.open_list"), s.Tap(func() { s.Show(reprintsPage(s)) })
	return append(rows, dead, reprints, s.countRow(s.T("maint.unsettled"), st.Unsettled, widget.WarningImportance))
}

// failing says why a utility's requests are held back, and since when (China time):
// 系统故障或无法连接，自 09:30 起.
func (s *Shell) failing(f staff.Failing) string {
	return s.T("maint.failing", s.problem(f.Problem), s.since(f.Since))
}

// problem words a utility's own failure for staff by its utility.Problem.
func (s *Shell) problem(p string) string {
	if key := "maint.problem." + p; s.K.Text.Has(key) {
		return s.T(key)
	}
	return s.T("maint.problem." + utility.ProblemOther)
}

// since is a time of the day in China, with its date when it is not today's.
func (s *Shell) since(t time.Time) string {
	t = t.In(workdays.CST)
	if y, m, d := s.K.Clock.Now().In(workdays.CST).Date(); t.Year() == y && t.Month() == m && t.Day() == d {
		return t.Format("15:04")
	}
	return dateTime(t)
}

// aboutRows name the kiosk, its configuration and its program, and its link to the
// city's broker, if it has one.
func (s *Shell) aboutRows(a app.About, fleet *staff.FleetLink) []fyne.CanvasObject {
	build := a.Build
	if build == "" {
		build = "—"
	}
	cfg := a.Config
	if cfg == "" {
		cfg = s.T("maint.config_default")
	}
	line := func(key, value string) fyne.CanvasObject {
		return note(s.T(key)+"  "+value, widget.MediumImportance)
	}
	rows := []fyne.CanvasObject{
		line("maint.kiosk_id", a.KioskID+"  "+s.T("maint.ref_code", a.RefCode)),
		line("maint.config", cfg+"    "+s.T("maint.build")+"  "+build),
	}
	if fleet != nil {
		// The link to the city's broker, through which staff elsewhere watch the kiosk.
		state, imp := s.T("maint.fleet_linked"), widget.SuccessImportance
		if !fleet.Linked {
			state, imp = s.T("maint.fleet_unlinked"), widget.WarningImportance
		}
		rows = append(rows, note(s.T("maint.fleet")+"  "+fleet.Broker+"  "+state, imp))
	}
	return rows
}

// countRow is a count, coloured by imp when it is not zero.
func (s *Shell) countRow(label string, n int, imp widget.Importance) *touch.Row {
	r := touch.NewRow(label, "", fmt.Sprint(n), s.K.Touch)
	if n > 0 {
		r.Importance = imp
	}
	return r
}

// printTestPage prints the printer's test page and says how it went.
func (s *Shell) printTestPage() { s.maintPrint("maint.test_page", (*app.Maintenance).PrintTestPage) }

// maintPrint prints in the background under a notice titled by key, then says how it
// went and redraws (the printer's state, the receipts left to reprint); see maintAct.
func (s *Shell) maintPrint(key string, print func(*app.Maintenance, context.Context) (app.PrintResult, error)) {
	m := s.maint
	if m == nil {
		return
	}
	s.notice.hide()
	s.notice = s.showModal(s.T(key), s.T("maint.printing"))
	run(s, func(ctx context.Context) string {
		res, err := print(m, ctx)
		switch {
		case err != nil:
			return s.maintError(err)
		case res.OK:
			return s.T("maint.printed")
		}
		return s.T("maint.not_printed", s.K.StaffWords(res.Detail))
	}, func(msg string) {
		if s.closedUnder(m, nil) {
			return
		}
		s.notice.hide()
		s.notice = s.showModal(s.T(key), msg, modalButton{label: s.T("common.ok"), primary: true})
		s.refresh()
	})
}

// confirmRestart asks before restarting the kiosk, which takes it away from citizens
// for a while. The restart is maintenance mode's open at the tap, as maintAct's actions
// are. Done, the screen says so, with nothing to tap, until the window closes as the
// kiosk stops. Not done, staff read why: in maintenance mode, which stays open, or on
// home if it has closed meanwhile (they sign in again there).
func (s *Shell) confirmRestart() {
	s.notice.hide()
	s.notice = s.showModal(s.T("maint.restart"), s.T("maint.restart_confirm"),
		modalButton{label: s.T("common.cancel")},
		modalButton{label: s.T("maint.restart_yes"), primary: true, action: func() {
			m := s.maint
			if m == nil {
				return
			}
			run(s, m.Restart, func(err error) {
				if s.closedUnder(m, err) {
					return
				}
				s.notice.hide()
				if err == nil {
					s.notice = s.showModal(s.T("maint.restart"), s.T("maint.restarting"))
					return
				}
				msg := s.T("maint.restart_failed", s.maintError(err))
				if m.Open() {
					s.refresh()
				} else {
					s.Home()
				}
				s.notice = s.showModal(s.T("maint.restart"), msg, modalButton{label: s.T("common.ok"), primary: true})
			})
		}})
}

// deadPage lists the requests the outbox set aside, with 重发 and 关闭 for each.
func deadPage(s *Shell) Page {
	var keep keptPage
	return Page{Name: "maint-dead", TitleKey: "maint.dead", Build: func() fyne.CanvasObject {
		reqs, failed := maintRead(s, func(ctx context.Context) ([]staff.Request, error) { return s.maint.Requests(ctx, outbox.Dead) })
		if failed != nil {
			return failed
		}
		if len(reqs) == 0 {
			return note(s.T("maint.dead_none"), widget.SuccessImportance)
		}
		var blocks []fyne.CanvasObject
		for _, r := range reqs {
			blocks = append(blocks, s.deadBlock(r))
		}
		return keep.pager(s, blocks...)
	}}
}

// requestRow is a request of the outbox as staff see it: its reference, utility, kind,
// when (as when words it) and its tries. It holds no personal data.
func (s *Shell) requestRow(r staff.Request, when string, imp widget.Importance) *touch.Row {
	detail := fmt.Sprintf("%s · %s · %s", s.K.UtilityName(r.Utility), s.T("maint.kind."+string(r.Kind)), when)
	row := touch.NewRow(r.KioskRef, detail, s.T("maint.tries", r.Tries), s.K.Touch)
	row.Importance = imp
	return row
}

// deadBlock is one dead letter: what it is, why it stopped, and the two actions.
func (s *Shell) deadBlock(r staff.Request) fyne.CanvasObject {
	row := s.requestRow(r, dateTime(r.Created), widget.DangerImportance)
	if r.Rejected {
		// A refusal is no failed try: the count of those (0 for one refused at once)
		// read as if it had never been sent.
		row.Trailing = s.T("maint.sent_refused")
	}
	closing := s.Button("maint.close_request", func() {
		s.chooseReason(s.T("maint.close_title", r.KioskRef), func(code string) {
			s.maintAct(func(m *app.Maintenance, ctx context.Context) error { return m.CloseRequest(ctx, r.KioskRef, code) }, "maint.closed_request")
		})
	})
	// The utility's refusal is read as it says it, one without words said to be one; a
	// failure to reach the utility is worded for staff (its program text is in kioskctl
	// outbox list and the journal).
	why := s.T("maint.refused", r.Refused)
	switch {
	case r.Refused != "":
	case r.Rejected:
		why = s.T("maint.refused_no_reason")
	default:
		why = s.T("maint.not_delivered")
	}
	if r.Kind == utility.KindPayment {
		// Not sent again (outbox.ErrNotRetried): its citizen has gone, and an order made
		// now would be followed by nobody. Closed only.
		return s.panel(r.KioskRef, row, note(why, widget.MediumImportance), note(s.T("maint.payment_no_retry"), widget.MediumImportance), closing)
	}
	retry := s.Button("maint.retry", func() {
		s.maintAct(func(m *app.Maintenance, ctx context.Context) error { return m.Retry(ctx, r.KioskRef) }, "maint.retried")
	})
	retry.Importance = widget.HighImportance
	return s.panel(r.KioskRef, row, note(why, widget.MediumImportance), touch.NewApartGrid(2, retry, closing))
}

// chooseReason asks, under title, why a request is closed or withdrawn
// (staff.CloseReasons: no typing on glass, no free text in the journal), then hands the
// reason's code to pick.
func (s *Shell) chooseReason(title string, pick func(code string)) {
	var choices []modalButton
	for _, r := range staff.CloseReasons {
		choices = append(choices, modalButton{label: s.T("maint.reason_" + r.Code), action: func() { pick(r.Code) }})
	}
	s.notice.hide()
	s.notice = s.showList(title, "", choices, "common.cancel")
}

// pendingPage lists the requests waiting to be sent to utility id, oldest first, with
// 撤回申请 for each: a citizen at the counter cancels one the utility does not have yet.
func pendingPage(s *Shell, id string) Page {
	var keep keptPage
	return Page{Name: "maint-pending", TitleKey: "maint.pending_list", Build: func() fyne.CanvasObject {
		reqs, failed := maintRead(s, func(ctx context.Context) ([]staff.Request, error) { return s.maint.Requests(ctx, outbox.Pending) })
		if failed != nil {
			return failed
		}
		var blocks []fyne.CanvasObject
		for _, r := range reqs {
			if r.Utility == id {
				blocks = append(blocks, s.pendingBlock(r))
			}
		}
		if len(blocks) == 0 {
			return note(s.T("maint.pending_list_none"), widget.SuccessImportance)
		}
		return keep.pager(s, blocks...)
	}}
}

// pendingBlock is one request waiting to be sent: what it is, how long it has waited,
// why its last send failed (in words: the program's text is in kioskctl outbox list),
// and 撤回申请, asked first.
func (s *Shell) pendingBlock(r staff.Request) fyne.CanvasObject {
	row := s.requestRow(r, s.T("maint.waited", dateTime(r.Created), s.waited(r.Created)), widget.WarningImportance)
	why := s.T("maint.not_sent_yet")
	if r.Tries > 0 || r.Why != "" {
		why = s.T("maint.last_failure", s.failureWords(r.Why))
	}
	if r.Kind == utility.KindPayment || r.Kind == utility.KindCancelPayment {
		return s.panel(r.KioskRef, row, note(why, widget.MediumImportance), note(s.T("maint.withdraw_payment"), widget.MediumImportance))
	}
	withdraw := s.Button("maint.withdraw", func() {
		s.chooseReason(s.T("maint.withdraw_title", r.KioskRef), func(code string) {
			msg := s.T("maint.withdraw_confirm", r.KioskRef, s.K.UtilityName(r.Utility), s.T("maint.kind."+string(r.Kind)), s.T("maint.reason_"+code))
			s.confirmAct(s.T("maint.withdraw"), msg, s.T("maint.withdraw_yes"),
				func(m *app.Maintenance, ctx context.Context) error { return m.CloseRequest(ctx, r.KioskRef, code) }, "maint.withdrawn_request")
		})
	})
	withdraw.Importance = widget.DangerImportance
	return s.panel(r.KioskRef, row, note(why, widget.MediumImportance), withdraw)
}

// waited says how long since t, to the minute: 45分钟, 3小时20分钟, 2天5小时.
func (s *Shell) waited(t time.Time) string { return s.span(s.K.Clock.Now().Sub(t)) }

// span says how long d is, to the minute (none for less).
func (s *Shell) span(d time.Duration) string {
	m := int(max(d, 0) / time.Minute)
	switch {
	case m < 60:
		return s.T("maint.age_minutes", m)
	case m < 24*60:
		return s.T("maint.age_hours", m/60, m%60)
	}
	return s.T("maint.age_days", m/(24*60), m%(24*60)/60)
}

// confirmAct asks under title whether to do what msg says, then, on yes, does act as
// maintAct does.
func (s *Shell) confirmAct(title, msg, yes string, act func(*app.Maintenance, context.Context) error, doneKey string) {
	s.notice.hide()
	s.notice = s.showModal(title, msg, modalButton{label: s.T("common.cancel")},
		modalButton{label: yes, primary: true, action: func() { s.maintAct(act, doneKey) }})
}

// maintAct does a staff action in the background, then says how it went and redraws.
// The action is the maintenance session's open at the tap, taken here on the UI's
// goroutine: a card placed meanwhile ends it (s.maint nil), and the action is refused by
// the session then, never run on a nil one. Its outcome is said only while that session
// is open: the screen it answers is gone otherwise (the idle timeout closed it).
func (s *Shell) maintAct(act func(*app.Maintenance, context.Context) error, doneKey string) {
	m := s.maint
	if m == nil {
		return
	}
	run(s, func(ctx context.Context) error { return act(m, ctx) }, func(err error) {
		if s.closedUnder(m, err) {
			return
		}
		msg := s.T(doneKey)
		if err != nil {
			msg = s.maintError(err)
		}
		s.notice.hide()
		s.notice = s.showModal(s.T("maint.title"), msg, modalButton{label: s.T("common.ok"), primary: true})
		s.refresh()
	})
}

// closedUnder reports whether m, the maintenance session an action was taken in, is no
// longer the screen's: the idle timeout, a citizen's card or staff leaving ended it while
// the action ran. The action's outcome (err, if any) is then not said over a screen it
// does not answer; the log says that it was not.
func (s *Shell) closedUnder(m *app.Maintenance, err error) bool {
	if s.maint == m {
		return false
	}
	s.K.Log.Info("maintenance action's outcome not shown: its maintenance mode has closed", "err", err)
	return true
}

// reprintsPage lists the receipts that did not print, with 补打 for each.
func reprintsPage(s *Shell) Page {
	var keep keptPage
	return Page{Name: "maint-reprints", TitleKey: "maint.reprints", Build: func() fyne.CanvasObject {
		kept, failed := maintRead(s, s.maint.Reprints)
		if failed != nil {
			return failed
		}
		if len(kept) == 0 {
			return note(s.T("maint.reprints_none"), widget.SuccessImportance)
		}
		var blocks []fyne.CanvasObject
		for _, e := range kept {
			blocks = append(blocks, s.reprintRow(e))
		}
		return keep.pager(s, blocks...)
	}}
}

func (s *Shell) reprintRow(e reprint.Entry) fyne.CanvasObject {
	title := s.T("maint.receipt."+e.Kind) + "  " + e.Ref
	r := touch.NewRow(title, dateTime(e.Time)+"  "+s.K.StaffWords(e.Reason), s.T("maint.reprint"), func() {
		s.maintPrint("maint.reprints", func(m *app.Maintenance, ctx context.Context) (app.PrintResult, error) { return m.Reprint(ctx, e.Ref) })
	})
	r.Importance = widget.HighImportance
	return r
}

// bundlesPage lists, for each utility, the content it shows (a bundle's version, or
// the kiosk's own), with 回退 where a bundle can be rolled back.
func bundlesPage(s *Shell) Page {
	var keep keptPage
	return Page{Name: "maint-bundles", TitleKey: "maint.bundles", Build: func() fyne.CanvasObject {
		sts, failed := maintRead(s, s.maint.Bundles)
		if failed != nil {
			return failed
		}
		var blocks []fyne.CanvasObject
		for _, u := range s.K.Utilities {
			blocks = append(blocks, s.bundleRow(u.ID(), sts[u.ID()]))
		}
		return keep.pager(s, blocks...)
	}}
}

// deliveredBy says who delivered a bundle in the screen's language: a staff member as
// recorded, or the way it came (网络（10.0.3.21）, 集中监控（electricity）).
func (s *Shell) deliveredBy(by string) string {
	if host, ok := strings.CutPrefix(by, app.ByNetwork); ok {
		return s.T("maint.by_network", host)
	}
	if topic, ok := strings.CutPrefix(by, app.ByFleet); ok {
		return s.T("maint.by_fleet", topic)
	}
	return by
}

// bundleRow is one utility's content: what it shows, since when, and 回退; and below
// it the bundle it holds to apply later, if any, with 放弃.
func (s *Shell) bundleRow(id string, st bundle.Status) fyne.CanvasObject {
	shown := s.shownRow(id, st)
	if st.Pending == nil {
		return shown
	}
	return container.NewVBox(shown, s.heldRow(id, st.Pending))
}

// heldRow is the bundle a utility holds to apply when it takes effect, with 放弃, asked
// first, for one sent by mistake.
func (s *Shell) heldRow(id string, p *bundle.Applied) *touch.Row {
	name, m := s.K.UtilityName(id), p.Bundle.Manifest
	when := dateTime(m.Effective)
	detail := s.T("maint.bundle_held", m.Version, when)
	if m.Note != "" {
		detail += " · " + m.Note
	}
	detail += " · " + s.T("maint.bundle_received", dateTime(p.At), s.deliveredBy(p.By))
	r := touch.NewRow(s.T("maint.bundle_held_title", name), detail, s.T("maint.bundle_drop"), func() {
		s.confirmAct(s.T("maint.bundle_drop_title"), s.T("maint.bundle_drop_confirm", name, m.Version, when), s.T("maint.bundle_drop"),
			func(mt *app.Maintenance, ctx context.Context) error { return mt.DropHeldBundle(ctx, id) }, "maint.bundle_dropped")
	})
	r.Importance = widget.WarningImportance
	return r
}

// shownRow is the content a utility shows: its bundle's version, since when, from whom,
// where its calls go, and 回退; or the kiosk's own.
func (s *Shell) shownRow(id string, st bundle.Status) *touch.Row {
	name := s.K.UtilityName(id)
	if st.Current == nil {
		return touch.NewRow(name, s.T("maint.bundle_own"), "", s.K.Touch)
	}
	m := st.Current.Bundle.Manifest
	detail := s.T("maint.bundle_applied", m.Version, dateTime(st.Current.At), s.deliveredBy(st.Current.By))
	if m.Note != "" {
		detail += " · " + m.Note
	}
	if e, ok := utility.BundleEndpoint(st.Current.Bundle); ok {
		detail += " · " + s.T("maint.bundle_endpoint", e.BaseURL)
	}
	if s.K.BundleShown(id) != m.Version {
		// Left out at start: its signature is not the configured key's any more, its
		// endpoint's host no longer one the configuration allows, or its files no longer
		// load with this release's content.
		detail = s.T("maint.bundle_left_out", m.Version)
	}
	to := s.T("maint.bundle_own")
	if st.Previous != nil {
		to = s.T("maint.bundle_version", st.Previous.Bundle.Manifest.Version)
	}
	r := touch.NewRow(name, detail, s.T("maint.rollback"), func() {
		s.confirmAct(s.T("maint.rollback"), s.T("maint.rollback_confirm", name, m.Version, to), s.T("maint.rollback"),
			func(mt *app.Maintenance, ctx context.Context) error { return mt.RollbackBundle(ctx, id) }, "maint.rolled_back")
	})
	r.Importance = widget.WarningImportance
	return r
}

// utilitiesPage checks each utility's API where the kiosk's calls go now: whether it
// answers as the API, with the kiosk's signature accepted, and how fast. The checks start
// with the page; a tap on a row checks again.
func utilitiesPage(s *Shell) Page {
	return Page{Name: "maint-utilities", TitleKey: "maint.utilities", Build: func() fyne.CanvasObject {
		var blocks []fyne.CanvasObject
		for _, u := range s.K.Utilities {
			blocks = append(blocks, s.utilityRow(u.ID()))
		}
		return s.pager(blocks...)
	}}
}

// checked is a utility's check in the staff's words.
type checked struct {
	state, detail string
	imp           widget.Importance
}

// utilityRow is one utility's API: where the calls go, and what its check came to.
func (s *Shell) utilityRow(id string) *touch.Row {
	// The detail line is there from the start: a row that grows when its check
	// answers is not laid out again by the page, and its second line ran over its border.
	r := touch.NewRow(s.K.UtilityName(id), s.T("maint.utility_checking_detail"), "", nil)
	r.OnTapped = func() {
		m := s.maint // see maintAct
		if m == nil {
			return
		}
		r.Trailing, r.Importance = s.T("maint.utility_checking"), widget.MediumImportance
		r.Refresh()
		run(s, func(ctx context.Context) checked { return s.checkUtility(ctx, m, id) }, func(c checked) {
			r.Trailing, r.Detail, r.Importance = c.state, c.detail, c.imp
			r.Refresh()
		})
	}
	r.OnTapped()
	return r
}

func (s *Shell) checkUtility(ctx context.Context, m *app.Maintenance, id string) checked {
	c, err := m.CheckUtility(ctx, id)
	if err != nil {
		return checked{state: s.T("maint.fault"), detail: s.maintError(err), imp: widget.DangerImportance}
	}
	where := s.T("maint.endpoint_config", c.Endpoint)
	if c.FromBundle {
		where = s.T("maint.endpoint_bundle", c.Endpoint)
	}
	switch c.Problem() {
	case "":
		ms := fmt.Sprint(c.Took.Milliseconds())
		if c.Took < time.Millisecond {
			ms = "<1" // on the hall's own network, or a simulator on the kiosk
		}
		return checked{state: s.T("maint.utility_ok", ms), detail: where, imp: widget.SuccessImportance}
	case app.CheckUnreachable:
		return checked{state: s.T("maint.utility_down"), detail: where + " · " + s.T("maint.utility_down_hint"), imp: widget.DangerImportance}
	case app.CheckSignature:
		hint := s.T("maint.utility_auth_hint")
		if skew := (*utility.ClockSkew)(nil); errors.As(c.Err, &skew) {
			// The utility's answer dates it: staff read which way the kiosk's clock is off.
			hint = s.T("maint.utility_clock_behind", s.span(-skew.Off))
			if skew.Off > 0 {
				hint = s.T("maint.utility_clock_ahead", s.span(skew.Off))
			}
		}
		return checked{state: s.T("maint.utility_auth"), detail: where + " · " + hint, imp: widget.DangerImportance}
	}
	return checked{state: s.T("maint.utility_wrong"), detail: where + " · " + s.T("maint.utility_wrong_hint"), imp: widget.DangerImportance}
}

// eventsPage is the journal's last events, newest first (记录留痕).
func eventsPage(s *Shell) Page {
	var keep keptPage
	return Page{Name: "maint-events", TitleKey: "maint.events", Build: func() fyne.CanvasObject {
		today, failed := maintRead(s, s.maint.Today)
		if failed != nil {
			return failed
		}
		recent, failed := maintRead(s, func(ctx context.Context) (app.Recent, error) { return s.maint.Events(ctx, eventsShown) })
		if failed != nil {
			return failed
		}
		blocks := []fyne.CanvasObject{s.todayPanel(today)}
		if len(recent.Events) == 0 {
			blocks = append(blocks, note(s.T("maint.events_none"), widget.MediumImportance))
		}
		for _, e := range recent.Events {
			name := string(e.Kind)
			if key := "journal." + name; s.K.Text.Has(key) {
				name = s.T(key)
			}
			blocks = append(blocks, touch.NewRow(name, s.eventDetail(e), dateTime(e.Time), s.K.Touch))
		}
		if recent.Earlier > 0 {
			// The list ends here, not the day's journal: staff who page to its end for
			// the morning's events read where they are.
			blocks = append(blocks, note(s.T("maint.events_earlier", len(recent.Events), recent.Earlier), widget.WarningImportance))
		}
		return keep.pager(s, blocks...)
	}}
}

// todayPanel sums up the day so far (业务量统计): what staff report to the hall;
// kioskctl journal report gives it per utility, for any day.
func (s *Shell) todayPanel(r report.Summary) fyne.CanvasObject {
	t := r.Total()
	return s.panel(s.T("maint.today", s.day(r.From)),
		s.kvText(s.T("maint.today_visits"), s.T("maint.today_visits_value", r.Visits, r.VisitsNoCard)),
		s.kvText(s.T("maint.today_paid"), s.T("maint.today_paid_value", t.Paid, t.Amount.Yuan())),
		s.kvText(s.T("maint.today_sent"), s.T("maint.today_sent_value", t.Applications, t.Transfers, t.Ratings)),
		s.kvText(s.T("maint.today_to_staff"), s.T("maint.today_to_staff_value", t.ToStaff)),
		s.kvText(s.T("maint.today_receipts"), s.T("maint.today_receipts_value", r.Printed, r.NotPrinted, r.Reprinted)))
}
