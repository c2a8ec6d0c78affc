package screens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/mask"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// Applications are drawn from the service catalogue by one generic form engine: no
// service has a screen of its own. The flow is: choose (utilities or a service) → one
// form → (过户: settle unpaid bills) → review → submit → result with the receipt.

// needsCard asks for the ID card (applications are 零资料: the applicant comes from it).
func (s *Shell) needsCard(title string) fyne.CanvasObject {
	items := []fyne.CanvasObject{s.cardNote("apply.card_needed")}
	if s.K.ReaderProblem() == "" {
		items = append(items, note(s.T("home.insert_card_hint"), widget.MediumImportance))
	}
	return s.pager(s.panel(title, items...))
}

// jointPage is 联动报装 (kind catalog.JointConnection) or 联合过户 (JointTransfer): the
// citizen picks any of the utilities and fills one form for all of them.
func jointPage(s *Shell, kind string) Page {
	chosen := map[string]bool{}
	titleKey, hintKey := "tile.apply", "apply.choose_hint"
	if kind == catalog.JointTransfer {
		titleKey, hintKey = "tile.transfer", "apply.choose_hint_transfer" // 过户, not 申请
	}
	return Page{Name: "apply-choose", TitleKey: titleKey, KeepOnCard: true, Build: func() fyne.CanvasObject {
		if !s.identified() {
			return s.needsCard(s.T(titleKey))
		}
		lang := s.K.Text.Lang()
		services := s.K.Catalog().JointServices(kind)
		var rows []fyne.CanvasObject
		n := 0
		for _, sv := range services {
			sv := sv
			if _, err := s.K.Client(sv.Utility.ID); err != nil {
				continue // the utility is not enabled at this kiosk
			}
			detail, trailing := sv.Name.In(lang)+" · "+sv.Description.In(lang), ""
			if s.K.Elderly() {
				detail, trailing = "", sv.Name.In(lang) // one line each: the four on one page
			}
			r := touch.NewRow(s.K.UtilityName(sv.Utility.ID), detail, trailing,
				s.Tap(func() { chosen[sv.Utility.ID] = !chosen[sv.Utility.ID]; s.refresh() }))
			r.Checkable, r.Checked = true, chosen[sv.Utility.ID]
			if r.Checked {
				n++
			}
			rows = append(rows, r)
		}
		next := touch.NewPrimaryButton(s.T("apply.next", n), s.Tap(func() {
			var picked []*catalog.Service
			for _, sv := range services {
				if chosen[sv.Utility.ID] {
					picked = append(picked, sv)
				}
			}
			s.startForm(picked...)
		}))
		if n == 0 {
			next.Disable()
		}
		hint := note(s.T(hintKey), widget.MediumImportance)
		return container.NewBorder(hint, wayOn(nil, nil, next), nil, nil, s.pager(rows...))
	}}
}

// catalogPage is 更多服务: the catalogue's categories and their services, each applied
// for on the same generic form.
func catalogPage(s *Shell) Page {
	return Page{Name: "catalog", TitleKey: "tile.catalog", KeepOnCard: true, Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		var blocks []fyne.CanvasObject
		for _, cat := range s.K.Catalog().CategoriesOf("catalog") {
			blocks = append(blocks, heading(cat.Name.In(lang)))
			for _, sv := range s.K.Catalog().Services(cat.ID) {
				sv := sv
				if _, err := s.K.Client(sv.Utility.ID); err != nil {
					continue
				}
				blocks = append(blocks, touch.NewRow(sv.Name.In(lang), sv.Utility.Name.In(lang)+" · "+sv.Description.In(lang), "›",
					s.Tap(func() {
						if !s.identified() {
							s.notice.hide()
							s.notice = s.tell(func() notice {
								text, _ := s.cardText("apply.card_needed")
								return notice{s.T("apply.card_title"), text, []modalButton{s.ok()}}
							})
							return
						}
						s.startForm(sv)
					})))
			}
		}
		return s.pager(blocks...)
	}}
}

func (s *Shell) startForm(services ...*catalog.Service) {
	a, err := s.K.NewApplication(services...)
	if err != nil {
		s.K.Log.Warn("application", "err", err)
		s.notice.hide()
		s.notice = s.tellKeys("apply.failed_title", "apply.card_needed", s.ok)
		return
	}
	s.Show(formPage(s, a))
}

// formPage is the one form: every visible question with its answer (tap it to answer),
// and beside it what the rules make of the answers so far (steps, time limit in working
// days, 零费用); in 大字模式 the questions alone.
func formPage(s *Shell, a *app.ApplyForm) Page {
	return Page{Name: "form", TitleKey: "apply.form_title", Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		f := a.Form
		problems := map[string]string{}
		for _, p := range f.Validate(a.Answers) {
			problems[p.Key] = p.Msg.In(lang)
		}
		var rows []fyne.CanvasObject
		var first *catalog.Input // the first question still to answer, in the form's order
		for _, sec := range f.Sections {
			var secRows []fyne.CanvasObject
			for _, in := range sec.Inputs {
				if !f.Visible(in.Key, a.Answers) {
					continue
				}
				if first == nil && problems[in.Key] != "" && in.Field.Type != catalog.TypeIDCard {
					first = in
				}
				secRows = append(secRows, s.inputRow(a, in, problems[in.Key]))
			}
			if len(secRows) > 0 {
				rows = append(append(rows, heading(sec.Title.In(lang))), secRows...)
			}
		}
		// The way on is the next question, wherever its page: nobody pages through a
		// long form (13 pages in 大字模式) looking for what is missing.
		next := touch.NewPrimaryButton(s.T("apply.to_review"), s.Tap(func() { s.toReview(a, 0) }))
		hint := s.T("apply.form_ready")
		if len(problems) > 0 {
			hint = s.T("apply.form_missing", len(problems))
			next.Disable()
			if first != nil {
				hint = s.T("apply.form_hint", len(problems))
				in := first
				next = touch.NewPrimaryButton(s.T("apply.fill_next"), s.Tap(func() { s.Show(editorPage(s, a, in)) }))
			}
		}
		foot := wayOn(note(hint, widget.MediumImportance), nil, next)
		if s.K.Elderly() {
			// The questions alone: what the rules make of the answers (steps, time
			// limits, fees) is on the review, before anything is sent. After them it
			// took six of the form's eleven pages.
			return container.NewBorder(nil, foot, nil, nil, s.pager(rows...))
		}
		outcomes := s.outcomeBlocks(a.Outcomes(), lang)
		return container.NewBorder(nil, foot, nil, nil, columns(s.pager(rows...), s.pager(outcomes...)))
	}}
}

// inputRow shows one question: its label, the answer (masked where personal) and, when
// not yet acceptable, why. Answers from the ID card cannot be changed.
func (s *Shell) inputRow(a *app.ApplyForm, in *catalog.Input, problem string) fyne.CanvasObject {
	lang := s.K.Text.Lang()
	fd := in.Field
	value := a.Form.Display(in.Key, a.Answers[in.Key], lang)
	trailing := value
	if trailing == "" {
		trailing = s.T("apply.answer")
		if fd.Type == catalog.TypeChoice || fd.Type == catalog.TypeYesNo || fd.Type == catalog.TypeDate || fd.Type == catalog.TypeAddress {
			trailing = s.T("apply.choose")
		}
	}
	// In 大字模式 the help is the editor's alone: a row of two lines took a third of a
	// page, and the form 13 pages.
	detail := fd.Help.In(lang)
	if s.K.Elderly() {
		detail = ""
	}
	if problem != "" && a.Answers[in.Key] != "" {
		detail = problem
	}
	label := a.Form.Label(fd, lang)
	if fd.Unit.ZH != "" {
		if lang == i18n.EN {
			label += " (" + fd.Unit.In(lang) + ")"
		} else {
			label += "（" + fd.Unit.In(lang) + "）"
		}
	}
	if fd.Required {
		label += " *"
	}
	var tap func()
	if fd.Type != catalog.TypeIDCard {
		tap = s.Tap(func() { s.Show(editorPage(s, a, in)) })
	}
	r := touch.NewRow(label, detail, trailing, tap)
	switch {
	case fd.Type == catalog.TypeIDCard:
		r.Importance = widget.MediumImportance
	case problem != "":
		r.Importance = widget.DangerImportance
	default:
		r.Importance = widget.SuccessImportance
	}
	return r
}

// outcomeBlocks tells, per service, what the rules make of the answers.
func (s *Shell) outcomeBlocks(outs []*catalog.Outcome, lang i18n.Lang) []fyne.CanvasObject {
	var blocks []fyne.CanvasObject
	for _, o := range outs {
		blocks = append(blocks, s.panel(o.Service.Utility.Name.In(lang)+" · "+o.Service.Name.In(lang), lines(
			s.kvText(s.T("apply.steps"), o.StepsText(lang)),
			s.kvText(s.T("apply.limit"), o.TimeLimit(lang)),
		)))
		// The fees (long for some services, in English) and the messages are blocks of
		// their own: the pager may put them on the next page. Two fees or more are a
		// list, each from its own line.
		if fees := o.FeeLines(lang); len(fees) == 1 {
			blocks = append(blocks, s.kvText(s.T("apply.fees"), fees[0]))
		} else {
			items := make([]fyne.CanvasObject, len(fees))
			for i, f := range fees {
				items[i] = bullet(f)
			}
			blocks = append(blocks, s.kvObject(s.T("apply.fees"), container.New(layout.NewCustomPaddedVBoxLayout(-ft.Size(ft.SizeNameInnerPadding)), items...)))
		}
		blocks = append(blocks, s.ruleNotes(o, lang)...)
	}
	return blocks
}

// reviewInBrief is the review as 大字模式 shows it, one column to page through: each
// section's answers under its title and, under a service's, what its utility commits to
// (time limit and fees, in brief) and its rules' messages (零费用 and why, the two steps,
// what applies above 2000 kVA or 220 kW), so that the utility is named once, in the
// title; a service no section names follows under 办理承诺. Lines of facts stand two to a
// line where both fit half the width, and closer than kvText's; aside (the masked
// hint and its button), when not nil, stands beside the first section's title. Under
// the answers, with a title of its own over the commitments, a four-utility 联动报装
// took nine pages. The steps are on the 一次性告知书 after the submission.
func (s *Shell) reviewInBrief(rows []catalog.Row, outs []*catalog.Outcome, lang i18n.Lang, aside fyne.CanvasObject) []fyne.CanvasObject {
	var blocks []fyne.CanvasObject
	told := map[*catalog.Service]bool{}
	for i := 0; i < len(rows); {
		sec := rows[i]
		j := i + 1
		for j < len(rows) && rows[j].Section == sec.Section && rows[j].Service == sec.Service {
			j++
		}
		lines := s.facts(rows[i:j])
		for _, o := range outs {
			if sec.Service != nil && o.Service == sec.Service && !told[o.Service] {
				told[o.Service] = true
				lines = append(lines, s.outcomeBrief(o, s.T("apply.limit"), lang)...)
			}
		}
		if i == 0 && aside != nil {
			// The hint and its button beside the title, not a line over it: in
			// English the line took the room of the address, and a page. The title
			// is not a group's then: it goes to the next page with the first line.
			// A title wraps: as wide as its one line, half the width at most.
			w := fyne.MeasureText(sec.Section, ft.Size(ft.SizeNameSubHeadingText), fyne.TextStyle{}).Width + 2*ft.Size(ft.SizeNameInnerPadding)
			title := container.NewBorder(nil, nil, container.New(fixedWidth(min(w, s.bodySize.Width/2)), heading(sec.Section)), nil, aside)
			blocks = append(blocks, container.New(layout.NewCustomPaddedVBoxLayout(ft.Size(ft.SizeNamePadding)), title, underTitle(lines[0])))
			blocks = append(blocks, lines[1:]...)
		} else {
			blocks = append(blocks, group(sec.Section, lines))
		}
		i = j
	}
	var rest []fyne.CanvasObject
	for _, o := range outs {
		if !told[o.Service] {
			rest = append(rest, s.outcomeBrief(o, o.Service.Utility.Name.In(lang), lang)...)
		}
	}
	if len(rest) > 0 {
		blocks = append(blocks, group(s.T("apply.commitments"), rest))
	}
	return blocks
}

// group is lines under a title, paged as touch.NewGroup pages them, the first line
// close under the title.
func group(title string, lines []fyne.CanvasObject) fyne.CanvasObject {
	lines[0] = underTitle(lines[0])
	return touch.NewGroup(title, lines...)
}

// underTitle is o risen into the padding under the title over it, as a kept group's
// content is: the title's padding is space enough between the two.
func underTitle(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedLayout(-ft.Size(ft.SizeNameInnerPadding), 0, 0, 0), o)
}

// outcomeBrief is an outcome in brief under label, its time limit and its fees on one
// line where they fit (else the fees under the time limit: wrapped, the line broke in
// the date), then its rules' messages, each a block of its own the pager may put on the
// next page; all as close as the lines of facts over them.
func (s *Shell) outcomeBrief(o *catalog.Outcome, label string, lang i18n.Lang) []fyne.CanvasObject {
	in, half := ft.Size(ft.SizeNameInnerPadding), ft.Size(ft.SizeNameInnerPadding)/2
	brief := s.T("apply.brief", o.TimeLimit(lang), o.FeesText(lang))
	room := s.bodySize.Width - widget.NewLabel(label).MinSize().Width - ft.Size(ft.SizeNamePadding) - 2*in
	if fyne.MeasureText(brief, ft.Size(ft.SizeNameText), fyne.TextStyle{}).Width > room {
		brief = s.T("apply.brief_lines", o.TimeLimit(lang), o.FeesText(lang))
	}
	blocks := []fyne.CanvasObject{closer(s.kvText(label, brief), half)}
	for _, n := range s.ruleNotes(o, lang) {
		blocks = append(blocks, closer(n, in))
	}
	return blocks
}

// facts are review rows as lines of label and value, two to a line where both fit half
// the width on one line each (申请人 and 身份证号码), a line each where not (an address),
// without the half of their padding kvText keeps: the lines of a section read as one list.
func (s *Shell) facts(rows []catalog.Row) []fyne.CanvasObject {
	fs := make([]fact, len(rows))
	for i, r := range rows {
		fs[i] = fact{r.Label, r.Value}
	}
	return s.factLines(s.bodySize.Width, fs)
}

// fact is a line of facts: a label and its value.
type fact struct{ label, value string }

// factLines are facts as lines of label and value in width, two to a line where both
// fit half of it on one line each, a line each where not, without the half of their
// padding kvText keeps.
func (s *Shell) factLines(width float32, facts []fact) []fyne.CanvasObject {
	pad, half := ft.Size(ft.SizeNamePadding), ft.Size(ft.SizeNameInnerPadding)/2
	room := (width-pad)/2 - ft.Size(kt.SizeNameGap)
	fits := func(f fact) bool {
		if strings.Contains(f.value, "\n") {
			return false
		}
		l := widget.NewLabel(f.label)
		return l.MinSize().Width+pad+naturalWidth(touch.NewParagraph(f.value, widget.RichTextStyle{})) <= room
	}
	var out []fyne.CanvasObject
	for i := 0; i < len(facts); i++ {
		line := s.kvText(facts[i].label, facts[i].value)
		if i+1 < len(facts) && fits(facts[i]) && fits(facts[i+1]) {
			line = container.NewGridWithColumns(2, line, s.kvText(facts[i+1].label, facts[i+1].value))
			i++
		}
		out = append(out, closer(line, half))
	}
	return out
}

// ruleNotes are an outcome's rule messages, a note each.
func (s *Shell) ruleNotes(o *catalog.Outcome, lang i18n.Lang) []fyne.CanvasObject {
	notes := make([]fyne.CanvasObject, len(o.Messages))
	for i, m := range o.Messages {
		notes[i] = note(m.In(lang), widget.HighImportance)
	}
	return notes
}

// editorPage answers one question: on a keypad (checked as it is typed), or by picking
// from a list (an address level by level, so nobody types Chinese).
func editorPage(s *Shell, a *app.ApplyForm, in *catalog.Input) Page {
	partial := "" // an address is picked again from the top
	// What is typed on the keypad, kept when the editor is drawn again (大字模式 or
	// English tapped half way through); the answer so far to begin with.
	draft := a.Answers[in.Key]
	return Page{Name: "editor", TitleKey: "apply.form_title", Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		fd := in.Field
		title := heading(a.Form.Label(fd, lang))
		help := note(fd.Help.In(lang), widget.MediumImportance)
		if said, ok := a.RefusalOf(in.Key); ok {
			// What the utilities said of this answer (a 过户's certificate), where it
			// is corrected.
			help = note(said.In(lang), widget.DangerImportance)
		}
		switch fd.Keypad() {
		case catalog.KeypadDigits, catalog.KeypadPhone, catalog.KeypadDecimal, catalog.KeypadAlnum:
			return s.keypadEditor(a, in, &draft, title, help)
		}
		switch fd.Type {
		case catalog.TypeAddress:
			return s.addressEditor(a, in, &partial, title)
		}
		return s.choiceEditor(a, in, title, help)
	}}
}

func (s *Shell) keypadEditor(a *app.ApplyForm, in *catalog.Input, draft *string, title, help fyne.CanvasObject) fyne.CanvasObject {
	lang := s.K.Text.Lang()
	kind := touch.Numeric
	switch in.Field.Keypad() {
	case catalog.KeypadDecimal:
		kind = touch.Decimal
	case catalog.KeypadAlnum:
		kind = touch.Alphanumeric
	}
	k := touch.NewKeypad(kind, s.keypadLabels())
	if in.Field.MaxLen > 0 {
		k.MaxLen = in.Field.MaxLen
	}
	k.OnKey = s.K.Touch
	k.Validate = func(v string) string {
		if v == "" {
			return ""
		}
		if p := a.Form.CheckTyping(in.Key, v); p != nil {
			return p.Msg.In(lang)
		}
		return ""
	}
	k.SetValue(*draft)
	k.OnChange = func(v string) { *draft = v }
	k.OnSubmit = func(v string) {
		if p := a.Form.Check(in.Key, v, a.Answers); p != nil {
			s.notice.hide()
			s.notice = s.tell(func() notice {
				return notice{s.T("apply.check_title"), p.Msg.In(s.K.Text.Lang()), []modalButton{s.ok()}}
			})
			return
		}
		a.Answers[in.Key] = v
		s.Back()
	}
	if s.K.Elderly() {
		// No room for a title above a large keypad: the placeholder asks instead, and
		// the line under it says what for.
		k.Placeholder, k.Help = in.Field.Label.In(lang), in.Field.Help.In(lang)
		return k
	}
	return container.NewBorder(container.NewVBox(title, help), nil, nil, nil, k)
}

func (s *Shell) choiceEditor(a *app.ApplyForm, in *catalog.Input, title, help fyne.CanvasObject) fyne.CanvasObject {
	lang := s.K.Text.Lang()
	ch, err := a.Form.Options(in.Key, "", a.Answers)
	if err != nil {
		return note(s.T("apply.failed_title"), widget.DangerImportance)
	}
	var rows []fyne.CanvasObject
	for _, o := range ch.Options {
		o := o
		current := a.Answers[in.Key]
		r := touch.NewRow(o.Label.In(lang), o.Hint.In(lang), "", nil)
		if in.Field.Multi {
			r.Checkable = true
			r.Checked = containsValue(current, o.Value)
			r.OnTapped = s.Tap(func() { a.Answers[in.Key] = a.Form.Toggle(in.Key, a.Answers[in.Key], o.Value); s.refresh() })
		} else {
			if current == o.Value {
				r.Trailing, r.Importance = "✓", widget.SuccessImportance
			}
			r.OnTapped = s.Tap(func() { a.Answers[in.Key] = o.Value; s.Back() })
		}
		rows = append(rows, r)
	}
	var foot fyne.CanvasObject = widget.NewLabel("")
	how := "apply.pick_one" // a tap chooses and goes back to the form
	if in.Field.Multi {
		foot = wayOn(nil, nil, touch.NewPrimaryButton(s.T("apply.done"), s.Tap(s.Back)))
		how = "apply.pick_many"
	}
	if in.Field.Help.In(lang) == "" {
		help = note(s.T(how), widget.MediumImportance)
	}
	return container.NewBorder(container.NewVBox(title, help), foot, nil, nil, s.pager(rows...))
}

func containsValue(answer, v string) bool {
	for _, x := range strings.Split(answer, ",") {
		if x == v {
			return true
		}
	}
	return false
}

// addressEditor picks an address level by level (区 → 街道 → 社区 → 楼栋 → 单元 → 房号).
func (s *Shell) addressEditor(a *app.ApplyForm, in *catalog.Input, partial *string, title fyne.CanvasObject) fyne.CanvasObject {
	lang := s.K.Text.Lang()
	ch, err := a.Form.Options(in.Key, *partial, a.Answers)
	if err != nil {
		*partial = ""
		return note(s.T("apply.failed_title"), widget.DangerImportance)
	}
	picked := note(s.T("apply.address_so_far", a.Form.Display(in.Key, *partial, lang)), widget.HighImportance)
	if *partial == "" {
		picked = note(s.T("apply.address_start"), widget.MediumImportance)
	}
	prompt := heading(ch.Prompt.In(lang))
	var rows []fyne.CanvasObject
	for _, o := range ch.Options {
		o := o
		rows = append(rows, touch.NewRow(o.Label.In(lang), o.Hint.In(lang), "›", s.Tap(func() {
			next := o.Value
			if *partial != "" {
				next = *partial + catalog.Sep + o.Value
			}
			if c, err := a.Form.Options(in.Key, next, a.Answers); err == nil && c.Complete {
				a.Answers[in.Key] = next
				*partial = ""
				s.Back()
				return
			}
			*partial = next
			s.refresh()
		})))
	}
	up := touch.NewButton(s.T("apply.address_up"), s.Tap(func() {
		if i := strings.LastIndex(*partial, catalog.Sep); i >= 0 {
			*partial = (*partial)[:i]
		} else {
			*partial = ""
		}
		s.refresh()
	}))
	if *partial == "" {
		up.Disable()
	}
	head := container.NewBorder(nil, nil, nil, container.NewCenter(up), lines(prompt, picked))
	if !s.K.Elderly() {
		head = container.NewVBox(title, head)
	}
	return container.NewBorder(head, nil, nil, nil, s.pager(rows...))
}

// toReview checks a 过户's accounts first, each utility on its own: a number a utility
// does not know is corrected first (its editor is opened), unpaid bills are settled
// (the settle page), and an account whose utility cannot be asked now holds nothing up
// (the review names it: its part goes through the outbox, and the utility checks the
// bills when it gets it). The review or the settle page is shown in place of the top
// `replace` screens (the settle screen, and a payment's result over it); the stack
// changes only then, or when a number is to be corrected.
func (s *Shell) toReview(a *app.ApplyForm, replace int) {
	show := s.replacing(replace)
	settle := false
	for _, sv := range a.Form.Services {
		settle = settle || sv.SettleFirst
	}
	if !settle {
		show(reviewPage(s, a))
		return
	}
	s.pleaseWait("apply.checking_title", "apply.checking_bills")
	run(s, a.CheckTransfer, func(c app.TransferCheck) {
		s.notice.hide()
		s.notice = nil
		s.checked(a, c, show)
	})
}

// replacing shows a page in place of the top `replace` screens, unless the citizen has
// gone elsewhere since it was made.
func (s *Shell) replacing(replace int) func(Page) {
	depth := len(s.stack)
	return func(p Page) {
		if len(s.stack) != depth { // the citizen went elsewhere meanwhile
			return
		}
		s.stack = s.stack[:max(depth-replace, 1)]
		s.Show(p)
	}
}

// checked goes on from what the utilities said of a 过户's accounts: a number to
// correct, bills to settle, or the review.
func (s *Shell) checked(a *app.ApplyForm, c app.TransferCheck, show func(Page)) {
	switch {
	case len(c.NotFound) > 0:
		s.accountsNotFound(a, c.NotFound, show)
	case len(c.Refused) > 0:
		s.transferRefused(a, c.Refused, show)
	case len(c.Unsettled) > 0:
		show(settlePage(s, a, c.Unsettled))
	default:
		show(reviewPage(s, a))
	}
}

// accountsNotFound says which utilities do not know the account numbers typed for them,
// and takes the citizen to the first one's question (show puts it on the form, in place
// of the screens above it) to correct it.
func (s *Shell) accountsNotFound(a *app.ApplyForm, refs []app.AccountRef, show func(Page)) {
	fix := func() {}
	if in, ok := a.AccountInput(refs[0].Utility); ok {
		fix = func() { show(editorPage(s, a, in)) }
	}
	s.notice = s.tell(func() notice {
		lines := make([]string, len(refs))
		for i, r := range refs {
			lines[i] = s.T("apply.account_not_found", s.K.UtilityName(r.Utility), r.Number)
		}
		return notice{s.T("apply.account_not_found_title"), strings.Join(lines, "\n"),
			[]modalButton{{label: s.T("apply.fix_account"), primary: true, action: fix}}}
	})
}

// transferRefused says, in each utility's words, why it would not accept the 过户 as the
// form has it, before any bill is paid (a certificate not the premises'), and takes the
// citizen to the first refusal's question to correct it (show puts it on the form, in
// place of the screens above it), where the words are said again. A refusal nothing on
// the form can change (the citizen holds the account already, a transfer of it is under
// way) leaves the citizen on the form, to leave that utility out or ask at a counter.
func (s *Shell) transferRefused(a *app.ApplyForm, refused []app.TransferRefusal, show func(Page)) {
	var fix *catalog.Input
	for _, r := range refused {
		if r.Input != nil {
			fix = r.Input
			break
		}
	}
	s.notice = s.tell(func() notice {
		lang := s.K.Text.Lang()
		lines := make([]string, len(refused))
		for i, r := range refused {
			lines[i] = s.T("apply.transfer_refused", s.K.UtilityName(r.Utility), r.Number, r.Reason.In(lang))
		}
		if fix == nil {
			lines = append(lines, s.T("apply.transfer_refused_leave"))
			return notice{s.T("apply.transfer_refused_title"), strings.Join(lines, "\n"), []modalButton{s.ok()}}
		}
		return notice{s.T("apply.transfer_refused_title"), strings.Join(lines, "\n"),
			[]modalButton{{label: s.T("apply.fix_field", a.Form.Label(fix.Field, lang)), primary: true,
				action: func() { show(editorPage(s, a, fix)) }}}}
	})
}

// settlePage: a 过户 is accepted only once the account's bills are paid; pay them here.
// Come back to (返回 from a payment's result) after bills changed in the visit — one
// paid here, an order its utility withdrew as a bill was paid elsewhere — or after a
// utility refused an order for them (paid elsewhere meanwhile), it checks them again
// rather than offer a bill that is paid: the review, or what is still owed, takes its
// place.
func settlePage(s *Shell, a *app.ApplyForm, unsettled []app.Unsettled) Page {
	changed := s.K.BillsChangedInVisit()
	stale, checking := false, false
	again := func() { // the order refused: under its notice, this page checks again
		stale = true
		if s.Current() == "settle" {
			s.refresh()
		}
	}
	return Page{Name: "settle", TitleKey: "apply.settle_title", Build: func() fyne.CanvasObject {
		if n := s.K.BillsChangedInVisit(); n != changed || stale {
			changed, stale, checking = n, false, true
			show := s.replacing(1)
			run(s, a.CheckTransfer, func(c app.TransferCheck) { checking, unsettled = false, c.Unsettled; s.checked(a, c, show) })
		}
		if checking { // drawn again meanwhile (English, 大字模式)
			return busy(s.T("apply.checking_bills"))
		}
		var rows []fyne.CanvasObject
		for _, u := range unsettled {
			u := u
			// Whose account it is, so that a mistyped number shows: 原户主, as the
			// review says it, lest the new owner read the name as their own.
			r := touch.NewRow(s.K.UtilityName(u.Utility)+"  "+s.T("accounts.number", u.Account.Number),
				s.T("apply.holder", mask.Name(u.Account.HolderName))+" · "+s.T("apply.unpaid_bills", len(u.Bills)),
				s.T("accounts.arrears", u.Amount.Yuan()), s.Tap(func() { s.startPayment(u.Utility, u.Account, u.Bills, again) }))
			r.Importance = widget.DangerImportance // owed, as the accounts screen shows it
			rows = append(rows, r)
		}
		// Paying is the way on; this button only checks again (a bill paid elsewhere).
		again := touch.NewButton(s.T("apply.settled_continue"), s.Tap(func() { s.toReview(a, 1) }))
		return container.NewBorder(note(s.T("apply.settle_hint"), widget.HighImportance), wayOn(nil, nil, again), nil, nil,
			s.pager(rows...))
	}, Resume: &Resume{Key: "apply.transfer_continue", Do: func() { s.toReview(a, 2) }}}
}

// reviewPage shows everything before submission: the answers (masked, or the phone and
// address in full while the citizen asks to check them) and, per utility, what happens
// next.
func reviewPage(s *Shell, a *app.ApplyForm) Page {
	inFull := false
	return Page{Name: "review", TitleKey: "apply.review_title", Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		review, toggle := a.Form.Review, "apply.show_in_full"
		if inFull {
			review, toggle = a.Form.ReviewInFull, "apply.hide_in_full"
		}
		var masked fyne.CanvasObject // the masked hint and its button, if anything is masked
		if !slices.Equal(a.Form.Review(a.Answers, lang), a.Form.ReviewInFull(a.Answers, lang)) {
			show := touch.NewButton(s.T(toggle), s.Tap(func() { inFull = !inFull; s.refresh() }))
			masked = container.NewBorder(nil, nil, nil, show, note(s.T("apply.masked_hint"), widget.MediumImportance))
		}
		var blocks []fyne.CanvasObject
		if masked != nil && !s.K.Elderly() {
			blocks = append(blocks, masked)
		}
		named, unchecked := a.NamedAccounts(), a.Unchecked()
		if len(named)+len(unchecked) > 0 {
			// Whose account a 过户 takes over, so that a mistyped number shows:
			// first, before the answers.
			var lines []fyne.CanvasObject
			for _, acc := range named {
				lines = append(lines, s.kvText(s.K.UtilityName(acc.Utility), s.T("apply.named_account", acc.Number, mask.Name(acc.HolderName))))
			}
			// An account its utility could not be asked about holds nothing up: the
			// citizen is told what becomes of its part before submitting it.
			for _, r := range unchecked {
				lines = append(lines, s.kvText(s.K.UtilityName(r.Utility), s.T("apply.named_unchecked", r.Number)),
					note(s.T("apply.unchecked_review", s.K.UtilityName(r.Utility)), widget.WarningImportance))
			}
			if s.K.Elderly() {
				// As close as the answers' lines under them (reviewInBrief).
				for i, l := range lines {
					lines[i] = closer(l, ft.Size(ft.SizeNameInnerPadding)/2)
				}
				blocks = append(blocks, group(s.T("apply.named_title"), lines))
			} else {
				blocks = append(append(blocks, heading(s.T("apply.named_title"))), lines...)
			}
		}
		submit := touch.NewPrimaryButton(s.T("apply.submit"), s.Tap(func() { s.submit(a) }))
		edit := touch.NewButton(s.T("apply.edit"), s.Tap(s.Back))
		// A rule between the pages' 下一页 and 确认提交 under it: a finger paging through
		// the review is not a finger submitting it.
		foot := container.New(layout.NewCustomPaddedVBoxLayout(0), widget.NewSeparator(),
			wayOn(note(s.T("apply.review_hint"), widget.MediumImportance), edit, submit))
		rows := review(a.Answers, lang)
		if s.K.Elderly() {
			// In brief (twelve pages were too many to read), the rules' messages kept.
			return container.NewBorder(nil, foot, nil, nil, s.pager(append(blocks, s.reviewInBrief(rows, a.Outcomes(), lang, masked)...)...))
		}
		section := ""
		for _, r := range rows {
			if r.Section != section {
				section = r.Section
				blocks = append(blocks, heading(section))
			}
			blocks = append(blocks, s.kvText(r.Label, r.Value))
		}
		return container.NewBorder(nil, foot, nil, nil, columns(s.pager(blocks...), s.pager(s.outcomeBlocks(a.Outcomes(), lang)...)))
	}}
}

// submit submits the application: if the printer cannot print, the citizen is told
// first and may still submit (the 一次性告知书 is on screen, the tracking QR too).
func (s *Shell) submit(a *app.ApplyForm) {
	s.unlessPrinterDown(printerCheck{"apply.submitting_title", "apply.submitting", "apply.printer_title", "apply.printer_warning", "apply.continue"},
		func() { s.submitNow(a) })
}

func (s *Shell) submitNow(a *app.ApplyForm) {
	s.pleaseWait("apply.submitting_title", "apply.submitting")
	type submitted struct {
		r   *app.ApplyResult
		err error
	}
	run(s, func(ctx context.Context) submitted {
		r, err := a.Submit(ctx)
		return submitted{r, err}
	}, func(x submitted) {
		s.notice.hide()
		s.notice = nil
		var invalid *catalog.InvalidError
		if errors.As(x.err, &invalid) && len(invalid.Problems) > 0 {
			// An answer valid when the review was shown is not any more: the soonest date
			// offered before midnight CST is today after it, which no longer counts. No
			// retry gets past it ("申请未能提交，请重试"): the citizen answers it again.
			s.answerAgain(a, invalid.Problems[0])
			return
		}
		if x.err != nil && x.r == nil {
			msg := "apply.submit_failed"
			switch {
			case app.NotStored(x.err):
				msg = "apply.not_stored" // the kiosk's data file is full: not "try again"
			case app.MaybeStored(x.err):
				msg = "apply.uncertain" // its disk failed: the next start may send it
			}
			s.notice = s.tellKeys("apply.failed_title", msg, s.ok)
			return
		}
		// The form and the review are done with: 返回 leads home from the result.
		s.stack = []Page{homePage(s)}
		s.Show(resultPage(s, a))
	})
}

// answerAgain says why an answer is not taken at submission, and leads to its editor
// (over the review, which the editor goes back to once it is answered); an answer read
// from the ID card is not changed there: the notice says to place the card again.
func (s *Shell) answerAgain(a *app.ApplyForm, p *catalog.Problem) {
	in, ok := a.Form.Input(p.Key)
	s.notice = s.tell(func() notice {
		lang := s.K.Text.Lang()
		if !ok || in.Field.Type == catalog.TypeIDCard {
			return notice{s.T("apply.check_title"), p.Msg.In(lang), []modalButton{s.ok()}}
		}
		return notice{s.T("apply.check_title"), p.Msg.In(lang),
			[]modalButton{{label: s.T("apply.fix_field", a.Form.Label(in.Field, lang)), primary: true,
				action: func() { s.Show(editorPage(s, a, in)) }}}}
	})
}

// resultPage is 即报即定, 现场答复: per utility its application number at once, or the
// kiosk's reference when it is slow (bound later), or its refusal; the receipt with the
// 一次性告知书 prints, and each part's tracking QR is on screen too.
func resultPage(s *Shell, a *app.ApplyForm) Page {
	return Page{Name: "apply-result", TitleKey: "apply.result_title", Build: func() fyne.CanvasObject {
		r, ok := a.Result()
		if !ok {
			return widget.NewLabel("")
		}
		var parts []fyne.CanvasObject
		for _, p := range r.Answers {
			parts = append(parts, s.partBlock(p))
		}
		blocks := parts
		if !s.K.Elderly() {
			blocks = nil
			for i := 0; i < len(parts); i += 2 {
				blocks = append(blocks, touch.NewAbreast(2, parts[i:min(i+2, len(parts))]...))
			}
		}
		statusText, statusColor := s.resultHeadline(r.Counts())
		printed := s.printedNote(r.Printed, "apply.take_receipt", acceptancePrint)
		// The number the receipt carries on top, to quote at a counter for all parts.
		// joint is the 联办编号, quoted at a counter for all parts, on one line or under
		// its label; the value is never wrapped: as a wrapping value it was cut at the
		// window's edge.
		joint := func(oneLine bool) fyne.CanvasObject {
			if r.JointRef == "" {
				return layout.NewSpacer()
			}
			l := widget.NewLabel(s.T("apply.joint_ref"))
			l.Importance = widget.HighImportance
			if oneLine {
				return container.NewHBox(l, widget.NewLabel(r.JointRef))
			}
			return container.NewVBox(l, widget.NewLabel(r.JointRef))
		}
		buttons := []fyne.CanvasObject{touch.NewButton(s.T("apply.view_notice"), s.Tap(func() { s.Show(noticePage(s, a)) }))}
		if b := s.demoReceiptButton(); b != nil && r.Printed.OK {
			buttons = append(buttons, b)
		}
		buttons = append(buttons, touch.NewPrimaryButton(s.T("nav.exit"), s.Tap(s.K.Exit)))
		if s.K.Elderly() {
			// The outcome, the receipt note, the 联办编号 and the buttons stand in a
			// column beside the parts, so that each utility's part has the page's full
			// height. The column keeps to a third of the width (the number under its
			// label: beside it, it ran into the parts), or to half where its text would
			// then run below the window (English, a long printer message). Where room
			// still runs out, the note of a receipt printed says only what to take, the
			// outcome is told smaller, and the note of a printed receipt goes (it is in
			// the tray): the 联办编号 stays.
			outcome := func(size fyne.ThemeSizeName) fyne.CanvasObject {
				return touch.NewParagraph(statusText, widget.RichTextStyle{ColorName: statusColor, SizeName: size})
			}
			big, small := ft.SizeNameHeadingText, ft.SizeNameSubHeadingText
			short := note(s.T("apply.take_receipt_short"), widget.HighImportance)
			tries := []struct {
				share float32
				items []fyne.CanvasObject
			}{
				{3, []fyne.CanvasObject{outcome(big), joint(false), printed}},
				{3, []fyne.CanvasObject{outcome(big), joint(false), short}},
				{2, []fyne.CanvasObject{outcome(big), joint(true), printed}},
				{2, []fyne.CanvasObject{outcome(big), joint(true), short}},
				{2, []fyne.CanvasObject{outcome(small), joint(true), printed}},
				{2, []fyne.CanvasObject{outcome(small), joint(true)}},
			}
			var column *fyne.Container
			for _, t := range tries {
				if !r.Printed.OK && !slices.Contains(t.items, printed) {
					continue // a receipt not printed is always said
				}
				column = container.New(fixedWidth(s.bodySize.Width/t.share), container.NewVBox(append(t.items, touch.NewApartGrid(1, buttons...))...))
				// Laid out at its width first: wrapped text measures its lines there.
				column.Resize(fyne.NewSize(s.bodySize.Width/t.share, s.bodySize.Height))
				if column.MinSize().Height <= s.bodySize.Height {
					break
				}
			}
			// The pager's 上一页 stands the gap clear of the buttons beside it.
			return container.NewBorder(nil, nil, leftOfPager(column), nil, s.pager(blocks...))
		}
		head := container.NewVBox(s.bigStatus(statusText, statusColor), printed)
		// The main way on at the bottom right, as on every screen.
		return container.NewBorder(head, wayOn(joint(true), nil, touch.NewApartRow(buttons...)), nil, nil, s.pager(blocks...))
	}}
}

// resultHeadline says where the parts stand, counted as the acceptance receipt counts
// them: 已受理 only for a part with the utility's number, 等待受理 for one submitted
// that the utility has not answered yet, 未受理 for a refused one.
func (s *Shell) resultHeadline(c app.PartCounts) (string, fyne.ThemeColorName) {
	switch {
	case c.Accepted+c.Waiting == 0:
		return s.T("apply.all_refused"), ft.ColorNameError
	case c.Waiting+c.Refused == 0:
		return s.T("apply.accepted", c.Accepted), ft.ColorNameSuccess
	}
	var parts []string
	for _, p := range []struct {
		key string
		n   int
	}{{"apply.count_accepted", c.Accepted}, {"apply.count_waiting", c.Waiting}, {"apply.count_refused", c.Refused}} {
		if p.n > 0 {
			parts = append(parts, s.T(p.key, p.n))
		}
	}
	return strings.Join(parts, s.T("apply.count_sep")), ft.ColorNameSuccess
}

// partTitle names one utility's part of the result: the utility and the service.
func (s *Shell) partTitle(p app.PartAnswer) string {
	lang := s.K.Text.Lang()
	svc := p.Outcome.Service // the kiosk's own catalogue entry the part was made from
	who := s.K.UtilityName(p.Utility)
	if lang == i18n.EN || s.K.Elderly() {
		// "Electricity" (供电), not "State Grid Liangzihu Power Supply": in English and in
		// 大字模式 the full name and the service's do not fit one line beside each other.
		who = svc.Utility.Name.In(lang)
	}
	return who + " · " + svc.Name.In(lang)
}

// partLimit is a part's committed time: the utility's own answer binds, else the
// catalogue's.
func (s *Shell) partLimit(p app.PartAnswer) string {
	if acc := p.Acceptance; acc != nil && acc.WorkingDays > 0 {
		return s.timeLimit(acc.WorkingDays, acc.AcceptedAt, acc.Deadline)
	}
	limit := p.Outcome.TimeLimit(s.K.Text.Lang())
	if !p.Outcome.Estimated && !p.Outcome.ChosenDate {
		// The kiosk's count from its catalogue, as the receipt marks it: the utility's
		// answer binds.
		limit += s.T("apply.estimated")
	}
	return limit
}

// partBlock is one utility's part of the result, with its tracking QR.
func (s *Shell) partBlock(p app.PartAnswer) fyne.CanvasObject {
	title := s.partTitle(p)
	if p.Refused != "" {
		return s.panel(title, note(s.T("apply.refused"), widget.DangerImportance), note(p.RefusedIn(s.K.Text.Lang()), widget.MediumImportance))
	}
	var rows []fyne.CanvasObject
	if p.Reference != "" {
		rows = append(rows, note(s.T("apply.number")+"  "+p.Reference, widget.HighImportance))
	} else {
		queued := "apply.queued"
		if p.Unchecked { // submitted all the same: what the utility will check
			queued = "apply.unchecked_part"
		}
		if s.K.Elderly() {
			// In brief, for the block to fit a page in large print: the 一次性告知书 says
			// it in full.
			queued += "_brief"
		}
		rows = append(rows, note(s.T("apply.kiosk_ref")+"  "+p.KioskRef, widget.HighImportance), note(s.T(queued), widget.WarningImportance))
	}
	terms := []fyne.CanvasObject{note(s.T("apply.limit")+"  "+s.partLimit(p), widget.MediumImportance),
		note(s.T("apply.fees")+"  "+p.Outcome.FeesText(s.K.Text.Lang()), widget.MediumImportance)}
	// In large print the text takes more of the column: a smaller QR leaves it room to
	// fit the part on one page. The QR stands beside the number alone there, the time
	// limit and fees under them as rows of their own: a part too tall for a page (a
	// waiting one, in English) goes on to the next between them, where beside the QR
	// they made one block taller than a page.
	side := float32(150)
	var after []fyne.CanvasObject
	if s.K.Elderly() {
		side, after = 120, terms
	} else {
		rows = append(rows, terms...)
	}
	text := lines(rows...)
	if u, err := s.K.TrackURL(p.Track()); err == nil {
		if qr, err := touch.NewQR(u, side); err == nil {
			text = container.NewBorder(nil, nil, nil, qr, text)
		}
	}
	return s.panel(title, append([]fyne.CanvasObject{text}, after...)...)
}

// noticePage is the 一次性告知书 on screen, as the acceptance receipt prints it: per
// utility what happens next, the time limit, the fees, the documents (none), what to
// bear in mind and whom to call; for a refused part, why and whom to call. The citizen
// reads it here when the receipt did not print, or before taking it.
func noticePage(s *Shell, a *app.ApplyForm) Page {
	return Page{Name: "apply-notice", TitleKey: "apply.notice", Build: func() fyne.CanvasObject {
		r, ok := a.Result()
		if !ok {
			return widget.NewLabel("")
		}
		lang := s.K.Text.Lang()
		var blocks []fyne.CanvasObject
		for _, p := range r.Answers {
			o := p.Outcome
			var rows []fyne.CanvasObject
			if p.Refused != "" {
				rows = append(rows, note(s.T("apply.refused")+"  "+p.RefusedIn(lang), widget.DangerImportance))
			} else {
				if p.Unchecked && p.Reference == "" {
					rows = append(rows, note(s.T("apply.unchecked_part"), widget.WarningImportance))
				}
				rows = append(rows, s.kv("apply.limit", s.partLimit(p)), s.kv("apply.fees", o.FeesText(lang)))
				for _, d := range o.Dates(lang) { // 装机日期: the limit's words may not name it
					rows = append(rows, bullet(d))
				}
				docs := o.Service.Materials.In(lang)
				if docs == "" {
					docs = s.K.Catalog().Materials.In(lang)
				}
				if docs != "" {
					rows = append(rows, s.kv("apply.notice_documents", docs))
				}
				steps := make([]string, len(o.Steps))
				for i, st := range o.Steps {
					steps[i] = fmt.Sprintf("%d. %s", i+1, st.Name.In(lang))
					if d := st.Description.In(lang); d != "" {
						steps[i] += s.T("apply.notice_step_detail", d)
					}
				}
				rows = append(rows, s.kv("apply.notice_steps", strings.Join(steps, "\n")))
				for _, m := range o.Messages {
					rows = append(rows, bullet(m.In(lang)))
				}
				for _, t := range []string{o.Service.Next.In(lang), o.Service.Note.In(lang)} {
					if t != "" {
						rows = append(rows, bullet(t))
					}
				}
			}
			var calls []string
			for _, h := range o.Service.Utility.Hotlines {
				calls = append(calls, h.Label.In(lang)+" "+h.Number)
			}
			if len(calls) > 0 {
				rows = append(rows, s.kv("apply.notice_hotlines", strings.Join(calls, "  ")))
			}
			// A page it goes on to says whose steps and fees these are.
			blocks = append(blocks, touch.NewGroup(s.partTitle(p), rows...))
		}
		if slices.ContainsFunc(r.Answers, countsWorkingDays) {
			// How the time limits are counted, as the receipt says it: a citizen without the
			// paper reads it here. Once, first: above every page it took a line from each,
			// and 大字模式 four pages more.
			blocks = append([]fyne.CanvasObject{note(s.T("apply.notice_working_days"), widget.MediumImportance)}, blocks...)
		}
		return s.pager(blocks...)
	}}
}

// countsWorkingDays reports whether a part's time limit is counted in working days (the
// receipt's test too): not refused, not on a day the citizen chose.
func countsWorkingDays(p app.PartAnswer) bool {
	days := p.Outcome.Days
	if acc := p.Acceptance; acc != nil {
		days = acc.WorkingDays // the utility's answer binds
	}
	return p.Refused == "" && !p.Outcome.ChosenDate && days > 0
}

// fixedWidth lays its objects out over its whole area and asks for the given width,
// whatever their own: a column that wrapping text must keep to.
type fixedWidth float32

func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}
