package screens

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/screens/touch"
)

// trackPage is 进度查询: an identified citizen sees their applications at every utility,
// each utility's as soon as it answers, a line for one still being asked and for one that
// could not be (重新查询 asks it alone again); anyone can type an application number or
// scan the tracking QR of a receipt.
func trackPage(s *Shell) Page {
	// Asked once a page and visit: the page shown anew (after a withdrawal) or for
	// another citizen asks anew.
	var mine *app.MyApplicationsLookup
	var visit string
	return Page{Name: "track", TitleKey: "tile.track", KeepOnCard: true, Build: func() fyne.CanvasObject {
		byNumber := touch.NewButton(s.T("track.by_number"), s.Tap(func() { s.Show(trackKeypadPage(s)) }))
		other := []fyne.CanvasObject{byNumber}
		if s.K.CanScan() {
			other = append(other, note(s.T("track.by_scan_hint"), widget.MediumImportance))
		}
		if b := s.demoScanButton(app.PaperReceipt); b != nil {
			other = append(other, b)
		}
		ways := s.panel(s.T("track.other_ways"), other...)
		if !s.identified() {
			card := s.panel(s.T("track.mine"), s.cardNote("track.insert_card"))
			return s.pager(container.NewGridWithColumns(2, card, ways))
		}
		if mine == nil || visit != s.sessionID() {
			var err error
			visit = s.sessionID()
			if mine, err = s.K.StartApplicationLookup(); err != nil {
				s.K.Log.Warn("applications", "err", err)
				mine = nil
			}
		}
		var res app.ApplicationsResult
		if mine != nil {
			res = mine.Result()
		}
		rows := []fyne.CanvasObject{heading(s.T("track.mine"))}
		if len(res.Applications) == 0 && len(res.Loading) == 0 {
			rows = append(rows, note(s.T("track.none"), widget.MediumImportance))
		}
		for _, a := range res.Applications {
			rows = append(rows, s.applicationRow(a))
		}
		// Below the applications, in the utilities' order: an answer puts its applications
		// above and takes its line away.
		for _, u := range res.Loading {
			rows = append(rows, s.utilityLine(u, app.Loading, nil))
		}
		for _, u := range res.Unavailable {
			rows = append(rows, s.utilityLine(u, app.Unavailable, func() { s.K.RetryApplications(u) }))
		}
		var hint fyne.CanvasObject = layout.NewSpacer()
		if len(res.Applications) > 0 {
			hint = note(s.T("track.hint"), widget.MediumImportance)
		}
		return container.NewBorder(nil, wayOn(hint, byNumber, nil), nil, nil, s.pager(rows...))
	}}
}

// utilityLine is the line of a utility whose applications are not listed: still being
// asked (Loading), or not answering (Unavailable), with 重新查询 beside it (retry).
func (s *Shell) utilityLine(u string, state app.LookupState, retry func()) fyne.CanvasObject {
	if state == app.Loading {
		return busy(s.T("track.utility_loading", s.K.UtilityName(u)))
	}
	line := note(s.T("track.unavailable", s.K.UtilityName(u)), widget.WarningImportance)
	return container.NewBorder(nil, nil, nil, s.retryButton(retry), line)
}

func (s *Shell) applicationRow(a app.Application) fyne.CanvasObject {
	p := a.Progress
	title := s.K.ServiceName(p.Utility, p.Service, p.ServiceName)
	if title == "" {
		title = s.T("track.waiting_service")
	}
	// Which utility first: several are called 新装 or 过户.
	title = s.T("apply.utility."+a.Utility) + " · " + title
	detail := s.K.UtilityName(a.Utility) + " · " + s.T("track.accepted_at", s.day(p.AcceptedAt))
	if p.Reference == "" && p.KioskRef != "" { // not the utility's yet: the receipt's kiosk reference, whole
		detail = s.T("apply.kiosk_ref") + " " + p.KioskRef
	}
	state, imp := s.K.StateName(p), widget.HighImportance
	switch {
	case a.Refused != "":
		state, imp = s.T("track.refused_title"), widget.DangerImportance
	case a.Withdrawn:
		state, imp = s.T("track.withdrawn_title"), widget.MediumImportance
	case a.Waiting:
		state, imp = s.T("track.waiting_utility"), widget.WarningImportance
	case p.Late():
		imp = widget.DangerImportance
	}
	r := touch.NewRow(title, detail, state, s.Tap(func() { s.Show(timelinePage(s, a, nil)) }))
	r.Importance = imp
	return r
}

// trackKeypadPage types an application number (letters and digits).
func trackKeypadPage(s *Shell) Page {
	// What is typed, kept when the screen is drawn again (大字模式 or English tapped half
	// way through) and under what is said of a number not found: the citizen corrects
	// the one character that is wrong rather than type it all again.
	var typed string
	// Its own title, shorter than the button's in English: in 大字模式 the header has room
	// for a few words beside a citizen's name, and the heading that says more is left out.
	return Page{Name: "track-keypad", TitleKey: "track.number_page", Build: func() fyne.CanvasObject {
		k := touch.NewKeypad(touch.Alphanumeric, s.keypadLabels())
		k.MaxLen = 24
		k.Placeholder = s.T("track.number_placeholder")
		k.OnKey = s.K.Touch
		k.Validate = func(v string) string {
			if v != "" && len(v) < 6 {
				return s.T("track.number_short")
			}
			return ""
		}
		k.SetValue(typed)
		k.OnChange = func(v string) { typed = v }
		// Why a number was not found is a notice over the keypad, as for an account
		// number: a line above the large keys ran 大字模式's keypad off the window.
		k.OnSubmit = func(v string) {
			s.openApplication(v, func(key string) {
				s.notice.hide()
				s.notice = s.tellKeys("lookup.failed_title", key, s.ok)
			})
		}
		if s.K.Elderly() {
			// No room for the heading above the large keys: the prompt stands in the
			// display, and the example on the line under it, as on the form's keypads.
			k.Placeholder, k.Help = s.T("track.number_title"), s.T("track.number_placeholder")
			return k
		}
		return container.NewBorder(heading(s.T("track.number_title")), nil, nil, nil, k)
	}}
}

// openApplication finds an application by number and shows its timeline, or, when
// several utilities have one under the number, lets the citizen choose theirs; failed
// reports why it could not be found (the key of the message).
func (s *Shell) openApplication(number string, failed func(key string)) {
	// What is found belongs to this visit: wiped with it when the citizen walks away, and
	// nothing of it kept in the next one's, a card placed while it is found.
	visit := s.K.EnsureSession()
	type found struct {
		apps  app.FoundApplications
		joint *app.JointLookup // the parts of a joint application (联办编号), filled in as they come
		err   error
	}
	s.pleaseWait("track.finding_title", "track.finding")
	run(s, func(ctx context.Context) found {
		apps, err := s.K.FindApplication(ctx, number)
		if errors.Is(err, app.ErrJointRef) {
			// Found by this kiosk's own records at once; the parts' utilities answer on the
			// list.
			l, err := s.K.StartJointLookup(visit, number)
			return found{joint: l, err: err}
		}
		return found{apps: apps, err: err}
	}, func(r found) {
		s.notice.hide()
		s.notice = nil
		if r.err != nil {
			msg := "track.try_later"
			switch {
			case errors.Is(r.err, app.ErrApplicationNotFound):
				msg = "track.not_found"
			case errors.Is(r.err, app.ErrNumberFormat):
				msg = "track.bad_format"
			case errors.Is(r.err, app.ErrJointRef):
				msg = "track.joint_ref"
			case errors.Is(r.err, app.ErrOtherKiosk):
				msg = "track.other_kiosk"
			}
			failed(msg)
			return
		}
		if r.joint != nil {
			s.Show(jointPartsPage(s, r.joint))
			return
		}
		if len(r.apps.Applications) > 1 {
			s.Show(chooseApplicationPage(s, r.apps))
			return
		}
		s.Show(timelinePage(s, r.apps.Applications[0], r.apps.Unavailable))
	})
}

// chooseApplicationPage lets the citizen choose their application when several
// utilities have one under the number typed or scanned (each utility numbers its own):
// one row each, in the utilities' order, with the utility and the service, each opening
// its timeline. A utility that could not be asked is named: the number may be theirs.
func chooseApplicationPage(s *Shell, found app.FoundApplications) Page {
	number := found.Applications[0].Progress.Reference // the utilities' number, as they write it
	return Page{Name: "track-choose", TitleKey: "track.choose_title", Subject: "choose/" + number, Build: func() fyne.CanvasObject {
		top := []fyne.CanvasObject{note(s.T("track.choose_hint", number), widget.MediumImportance)}
		if len(found.Unavailable) > 0 {
			top = append(top, note(s.T("track.unasked_choose", s.utilityNames(found.Unavailable)), widget.WarningImportance))
		}
		rows := make([]fyne.CanvasObject, 0, len(found.Applications))
		for _, a := range found.Applications {
			rows = append(rows, s.applicationRow(a))
		}
		return container.NewBorder(container.NewVBox(top...), nil, nil, nil, s.pager(rows...))
	}}
}

// utilityNames names utilities in a sentence: 国网梁子湖区供电公司、梁子湖区燃气公司.
func (s *Shell) utilityNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, s.K.UtilityName(id))
	}
	return strings.Join(names, s.T("track.names_sep"))
}

// jointPartsPage lists the parts of a joint application found by its 联办编号, in the
// order submitted, each in its place from the start: a part as soon as its utility
// answers (each opens its timeline), a line for one still being asked and for one that
// could not be (重新查询 asks it alone again), as 我的办件 does; and for one that cannot
// be, its utility having no such application or being no longer enabled here, its
// numbers and whom to ask (lostPart).
func jointPartsPage(s *Shell, l *app.JointLookup) Page {
	return Page{Name: "joint", TitleKey: "track.joint_title", Subject: "joint/" + l.Ref, Build: func() fyne.CanvasObject {
		if cur, ok := s.K.SessionJointLookup(l.Ref); ok {
			l = cur // looked up again above this page (its receipt scanned again): that one asks now
		}
		blocks := []fyne.CanvasObject{s.panel(s.T("apply.joint_ref") + "  " + l.Ref)}
		for _, p := range l.Parts() {
			if p.State == app.Found {
				blocks = append(blocks, s.applicationRow(p.Application))
				continue
			}
			if p.NotFound || p.Disabled {
				blocks = append(blocks, s.lostPart(p))
				continue
			}
			blocks = append(blocks, s.utilityLine(p.Utility, p.State, func() { s.K.RetryJoint(l.Ref, p.Utility) }))
		}
		return s.pager(blocks...)
	}}
}

// lostPart is the line of a part of a joint application this kiosk cannot look up, and
// no 重新查询 could: its utility has no application under its number, or is no longer
// enabled here. It gives the part's numbers and whom to ask.
func (s *Shell) lostPart(p app.JointPart) fyne.CanvasObject {
	name := s.K.UtilityName(p.Utility)
	ask := s.T("track.part_ask_counter")
	if p.Hotline != "" {
		ask = s.T("track.part_ask_hotline", name, p.Hotline)
	}
	key := "track.part_disabled"
	if p.NotFound {
		key = "track.part_not_found"
	}
	return note(s.T(key, name, p.Reference, p.KioskRef, ask), widget.WarningImportance)
}

// timelinePage shows an application's steps with their times, the current step, the
// committed time limit in working days and whether it is kept; then 好差评. unasked are
// the utilities that could not be asked when it was found by its number: the number may
// be theirs, and the citizen is told so under the application.
func timelinePage(s *Shell, a app.Application, unasked []string) Page {
	subject := "timeline/" + a.Utility + "/" + a.Progress.Reference + "/" + a.Progress.KioskRef
	return Page{Name: "timeline", TitleKey: "track.timeline", Subject: subject, Build: func() fyne.CanvasObject {
		p := a.Progress
		if a.Refused != "" {
			return container.NewVBox(heading(s.T("track.refused_title")), note(a.RefusedIn(s.K.Text.Lang()), widget.DangerImportance))
		}
		if a.Withdrawn {
			return container.NewVBox(heading(s.T("track.withdrawn_title")),
				note(s.T("track.withdrawn_detail", p.KioskRef, s.K.UtilityName(a.Utility)), widget.MediumImportance))
		}
		if a.Waiting {
			items := []fyne.CanvasObject{heading(s.T("track.waiting_title")),
				note(s.T("track.waiting_detail", p.KioskRef, s.K.UtilityName(a.Utility)), widget.MediumImportance)}
			if a.Withdrawable {
				withdraw := touch.NewButton(s.T("track.withdraw"), s.Tap(func() { s.withdraw(a) }))
				items = append(items, container.NewHBox(withdraw))
			}
			return container.NewVBox(items...)
		}
		// The application's facts two to a line where they fit (办理单位 beside 当前状态):
		// a line each, 大字模式 showed the application and no step on its first page.
		pad := ft.Size(ft.SizeNamePadding)
		width := s.bodySize.Width - 2*pad // inside the panel's frame
		var print fyne.CanvasObject
		if s.K.HasPrinter() {
			print = touch.NewButton(s.T("track.print"), s.Tap(func() { s.printProgress(a) }))
			width -= print.MinSize().Width + pad
		}
		var head fyne.CanvasObject = s.panel(s.K.ServiceName(p.Utility, p.Service, p.ServiceName)+"  "+p.Reference,
			s.factLines(width, []fact{
				{s.T("track.utility"), s.K.UtilityName(a.Utility)},
				{s.T("track.state"), s.K.StateName(p)},
				{s.T("track.accepted"), s.moment(p.AcceptedAt)},
			})...)
		if print != nil {
			// Beside the application it prints, not on a row of its own: the steps keep
			// the page.
			head = container.NewBorder(nil, nil, nil, container.NewVBox(print), head)
		}
		// The time limit is a block of its own: in 大字模式 the panel with it was taller
		// than a page once the pager and the rating button took their rows.
		limitText := s.timeLimit(p.WorkingDays, p.AcceptedAt, p.Deadline)
		if kept := s.keptText(p); kept != "" {
			limitText = s.T("track.limit_kept", limitText, kept)
		}
		limit := s.kv("track.limit", limitText)
		blocks := []fyne.CanvasObject{head}
		if len(unasked) > 0 {
			blocks = append(blocks, note(s.T("track.unasked_one", s.utilityNames(unasked)), widget.WarningImportance))
		}
		blocks = append(blocks, limit)
		for i, st := range p.Steps {
			blocks = append(blocks, s.stepRow(i+1, s.K.StepName(p, st), st))
		}
		// The way on, when there is one, stands the gap below the pages' 下一页.
		var foot fyne.CanvasObject = layout.NewSpacer()
		rated := s.K.Rated(a)
		if p.State == utility.StateDone && !rated {
			foot = wayOn(nil, nil, touch.NewPrimaryButton(s.T("rate.start"), s.Tap(func() { s.Show(ratePage(s, a)) })))
		}
		if rated {
			foot = container.NewBorder(nil, nil, nil, note(s.T("rate.already"), widget.SuccessImportance))
		}
		return container.NewBorder(nil, foot, nil, nil, s.pager(blocks...))
	}}
}

// withdraw asks before withdrawing a, an application of the citizen's its utility has
// not taken yet, withdraws it, says how it went and lists the citizen's applications
// anew.
func (s *Shell) withdraw(a app.Application) {
	withdrawn := func(err error) {
		msg := "track.withdrawn_done"
		switch {
		case errors.Is(err, app.ErrNotWithdrawn):
			msg = "track.withdraw_late"
		case err != nil:
			s.K.Log.Warn("application not withdrawn", "err", err)
			msg = "track.withdraw_failed"
		}
		if n := len(s.stack); n >= 2 && s.stack[n-1].Name == "timeline" && s.stack[n-2].Name == "track" {
			s.dropTo(n - 2)
			s.Show(trackPage(s))
		}
		s.notice.hide()
		s.notice = s.tell(func() notice {
			return notice{s.T("track.withdraw"), s.T(msg, s.K.UtilityName(a.Utility)), []modalButton{s.ok()}}
		})
	}
	s.notice.hide()
	s.notice = s.tell(func() notice {
		return notice{s.T("track.withdraw"), s.T("track.withdraw_confirm", s.K.UtilityName(a.Utility)), []modalButton{
			{label: s.T("track.withdraw_keep")},
			{label: s.T("track.withdraw_yes"), primary: true, action: func() {
				s.pleaseWait("track.withdraw", "track.withdrawing")
				run(s, func(ctx context.Context) error { return s.K.Withdraw(ctx, a) }, withdrawn)
			}}}}
	})
}

// printProgress prints the application's progress summary and says how it went.
func (s *Shell) printProgress(a app.Application) {
	s.pleaseWait("track.print_title", "track.printing")
	run(s, func(ctx context.Context) app.PrintResult { return s.K.PrintProgress(ctx, a) }, func(r app.PrintResult) {
		s.notice.hide()
		msg := "track.printed"
		if !r.OK {
			// Not print.*: a progress summary is not kept for 补打, the citizen prints
			// another when the printer is back.
			msg = "track.print_failed"
		}
		s.notice = s.tellKeys("track.print_title", msg, s.ok)
	})
}

// keptText says whether the time limit is kept; "" when the utility did not say and
// the kiosk could not tell (no deadline).
func (s *Shell) keptText(p utility.Progress) string {
	switch {
	case p.OnTime == nil && !p.DoneAt.IsZero():
		return s.T("track.done_on", s.day(p.DoneAt))
	case p.OnTime == nil:
		return ""
	case !p.DoneAt.IsZero() && *p.OnTime:
		return s.T("track.kept_done", s.day(p.DoneAt))
	case !p.DoneAt.IsZero():
		return s.T("track.late_done", s.day(p.DoneAt))
	case *p.OnTime:
		return s.T("track.on_time")
	}
	return s.T("track.overdue")
}

// stepRow is one step of the timeline: its mark, its name and when it was done.
func (s *Shell) stepRow(n int, name string, st utility.Step) fyne.CanvasObject {
	when := "" // a status new to the kiosk says nothing rather than its key
	if key := "track.step_" + st.Status; s.K.Text.Has(key) {
		when = s.T(key)
	}
	if !st.At.IsZero() {
		when = s.moment(st.At)
	}
	text := heading(s.T("track.step", n, name))
	detail := note(strings.TrimSpace(when+"  "+st.Note), widget.MediumImportance)
	mark := stepMark(st.Status)
	// The step's name and its time on one line where both fit it, the time after the
	// name: a line under each name put two steps on a page, and in 大字模式 none on the
	// page that shows the application (a citizen saw no step without 下一页).
	pad := ft.Size(ft.SizeNamePadding)
	if w := naturalWidth(text); mark.MinSize().Width+pad+w+pad+naturalWidth(detail) <= s.bodySize.Width {
		// The name as wide as its one line (a heading wraps, and would be given no
		// width), the time at the foot of the line as the name's text is: the two read
		// on one line, though not of one size.
		return container.NewBorder(nil, nil, mark, nil,
			container.NewBorder(nil, nil, container.New(fixedWidth(w), text), nil, container.NewVBox(layout.NewSpacer(), detail)))
	}
	// Else the name and its time are one item: no more space between them than between
	// the lines of a paragraph.
	item := container.New(layout.NewCustomPaddedVBoxLayout(-ft.Size(ft.SizeNameInnerPadding)), text, detail)
	return container.NewBorder(nil, nil, mark, nil, item)
}

// stepMarks are the marks of a step done, current and pending.
var stepMarks = map[string]string{utility.StepDone: "✓", utility.StepCurrent: "●", utility.StepPending: "○"}

// stepMark is a step's mark (done ✓, current ●, pending ○) in a column as wide as the
// widest of them: each mark as wide as itself put the steps' names at different
// places, 第2步 beside a ● further right than 第1步 beside a ✓.
func stepMark(status string) fyne.CanvasObject {
	mark, colour := stepMarks[utility.StepPending], ft.ColorNameDisabled
	switch status {
	case utility.StepDone:
		mark, colour = stepMarks[status], ft.ColorNameSuccess
	case utility.StepCurrent:
		mark, colour = stepMarks[status], ft.ColorNamePrimary
	}
	m := canvas.NewText(mark, ft.Color(colour))
	m.TextSize = ft.Size(ft.SizeNameHeadingText)
	var w float32
	for _, k := range stepMarks {
		w = max(w, fyne.MeasureText(k, m.TextSize, m.TextStyle).Width)
	}
	column := canvas.NewRectangle(color.Transparent)
	column.SetMinSize(fyne.NewSize(w, 0))
	return container.NewStack(column, container.NewCenter(m))
}

// ratePage is 好差评: five levels, reasons for a low one, and the rating goes through
// the outbox so that it is never lost.
func ratePage(s *Shell, a app.Application) Page {
	level := utility.Level(0)
	reasons := map[string]bool{}
	var sent *outbox.Result
	sending := false // one rating at a time: a second tap while it goes is not a second rating
	return Page{Name: "rate", TitleKey: "rate.title", Build: func() fyne.CanvasObject {
		if sent != nil {
			msg := s.T("rate.thanks")
			if !sent.Answered() {
				msg = s.T("rate.saved")
			}
			// Done here: leaving (the visit wiped) is the main way on, as after a payment;
			// the other goes back to the application's timeline, and says so, as 返回账单
			// does after a payment.
			return container.NewVBox(s.bigStatus(s.T("rate.done"), ft.ColorNameSuccess), note(msg, widget.MediumImportance),
				touch.NewApartGrid(2, touch.NewButton(s.T("rate.back"), s.Tap(s.Back)),
					touch.NewPrimaryButton(s.T("nav.exit"), s.Tap(s.K.Exit))))
		}
		var levels []fyne.CanvasObject
		for l := utility.VerySatisfied; l >= utility.VeryDissatisfied; l-- {
			l := l
			b := touch.NewButton(s.T(fmt.Sprintf("rate.level.%d", l)), s.Tap(func() { level = l; s.refresh() }))
			b.Snug = true
			if level == l {
				// Filled and ticked: the level chosen is plain at a glance, not by its
				// colour alone.
				b.Importance = widget.HighImportance
				b.Icon = ft.ConfirmIcon()
			}
			levels = append(levels, b)
		}
		// The levels the gap apart: neighbours mean opposite things.
		items := []fyne.CanvasObject{heading(s.T("rate.question", s.K.ServiceName(a.Progress.Utility, a.Progress.Service, a.Progress.ServiceName))), s.apartColumns(5, levels...)}
		if level != 0 && level <= utility.Dissatisfied {
			items = append(items, note(s.T("rate.reasons_hint"), widget.MediumImportance))
			var rows []fyne.CanvasObject
			for _, key := range []string{"slow", "attitude", "unclear", "repeat", "fees", "other"} {
				key := key
				r := touch.NewRow(s.T("rate.reason."+key), "", "", s.Tap(func() { reasons[key] = !reasons[key]; s.refresh() }))
				r.Checkable, r.Checked = true, reasons[key]
				rows = append(rows, r)
			}
			// The reasons the gap apart: a slip ticks one the citizen did not mean, which
			// the utility then reads as said.
			items = append(items, s.apartColumns(3, rows...))
		}
		submit := touch.NewPrimaryButton(s.T("rate.submit"), s.Tap(func() {
			if sending {
				return
			}
			sending = true
			s.refresh()
			s.K.EnsureSession() // the visit remembers the rating (Kiosk.Rated), a visit without a card too
			var rs []string
			for _, key := range []string{"slow", "attitude", "unclear", "repeat", "fees", "other"} {
				if reasons[key] {
					rs = append(rs, s.K.Text.In("zh", "rate.reason."+key))
				}
			}
			type rated struct {
				r   outbox.Result
				err error
			}
			run(s, func(ctx context.Context) rated {
				r, err := s.K.Rate(ctx, a, level, rs)
				if err != nil {
					s.K.Log.Warn("rating", "err", err)
				}
				return rated{r, err}
			}, func(x rated) {
				sending = false
				if x.r.KioskRef == "" {
					s.refresh()
					s.notice.hide()
					msg := "rate.failed"
					switch {
					case errors.Is(x.err, app.ErrAlreadyRated): // from another 评价 screen of the visit
						msg = "rate.already"
					case app.NotStored(x.err):
						msg = "rate.not_stored"
					case app.MaybeStored(x.err):
						msg = "rate.uncertain"
					}
					s.notice = s.tellKeys("rate.title", msg, s.ok)
					return
				}
				sent = &x.r
				s.refresh()
			})
		}))
		chosen := 0
		for _, on := range reasons {
			if on {
				chosen++
			}
		}
		if sending || level == 0 || (level <= utility.Dissatisfied && chosen == 0) {
			submit.Disable()
		}
		// The main action at the bottom right, as on every screen, and beside it that a
		// level chosen is not yet a rating sent: the button is far from the levels.
		foot := container.NewBorder(nil, nil, nil, submit, note(s.T("rate.submit_hint"), widget.MediumImportance))
		return container.NewBorder(nil, foot, nil, nil, container.NewVBox(items...))
	}}
}
