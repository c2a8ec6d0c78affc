package screens_test

import (
	"fmt"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// Every question's hint (its help, its options' hints) is shown whole at 1280×800, in
// both languages and both sizes: on the form's row in normal mode, and in the question's
// editor (the keypad's line under the value in 大字模式). A row or a keypad line shortens
// what does not fit with "…": English hints were cut to "Mobile, or landline with area
// code. We text y…".
func TestFormHintsWhole(t *testing.T) {
	inEveryMode(t, func(t *testing.T, h *screentest.H) {
		elderly, lang := h.K.Elderly(), h.K.Text.Lang()
		shown := 0
		for _, u := range h.K.Catalog().Utilities {
			for _, sv := range u.Services {
				a, err := h.K.NewApplication(sv)
				if err != nil {
					t.Fatal(err)
				}
				for _, in := range a.Form.Inputs() {
					hints := fieldHints(in.Field, lang)
					if len(hints) == 0 {
						continue
					}
					// Hidden until another answer shows it: give that answer.
					for _, c := range in.Field.ShowIf {
						key := c.Field
						if _, ok := a.Form.Input(u.ID + "." + c.Field); ok {
							key = u.ID + "." + c.Field
						}
						a.Answers[key] = showingAnswer(t, a, key, c)
					}
					if !a.Form.Visible(in.Key, a.Answers) {
						t.Fatalf("%s: not shown by the answers its show_if asks for", in.Key)
					}
					where := sv.Name.ZH + " · " + in.Key
					if help := in.Field.Help.In(lang); help != "" && !elderly {
						h.Shell.ShowForm(a)
						if cut, whole := formShows(h, help); !whole {
							t.Errorf("%s: the form's row does not show %q whole%s", where, help, cut)
						}
						h.Shell.Back()
						shown++
					}
					h.Shell.ShowEditor(a, in)
					if cut := cutHints(h, hints); cut != "" {
						t.Errorf("%s: its editor cuts a hint short%s", where, cut)
					}
					h.Shell.Back()
				}
			}
		}
		if !elderly && shown == 0 {
			t.Fatal("no question has a hint: the test shows nothing")
		}
	})
}

// inEveryMode runs f in a subtest for each language and size, on a demo kiosk whose
// session holds an identified citizen (陈建国): a form needs the ID card.
func inEveryMode(t *testing.T, f func(t *testing.T, h *screentest.H)) {
	for _, english := range []bool{false, true} {
		for _, elderly := range []bool{false, true} {
			inMode(t, english, elderly, f)
		}
	}
}

// inMode runs f in a subtest in one language and size, as inEveryMode does.
func inMode(t *testing.T, english, elderly bool, f func(t *testing.T, h *screentest.H)) {
	t.Run(fmt.Sprintf("english=%v,elderly=%v", english, elderly), func(t *testing.T) {
		h := screentest.New(t, screentest.Options{})
		if english {
			h.Shell.ToggleLanguage()
		}
		h.Shell.SetElderly(elderly)
		h.K.Sessions.Start().SetIdentity(session.Identity{Name: "陈建国", IDNumber: "11010519491231002X", CardType: "resident"})
		f(t, h)
	})
}

// showingAnswer is an answer to key that meets c: the one it is (show_if is), or the
// first option it is not (show_if not).
func showingAnswer(t *testing.T, a *app.ApplyForm, key string, c catalog.Condition) string {
	t.Helper()
	switch {
	case c.Is != nil:
		return *c.Is
	case c.Not != nil:
		ch, err := a.Form.Options(key, "", a.Answers)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, o := range ch.Options {
			if o.Value != *c.Not {
				return o.Value
			}
		}
	}
	t.Fatalf("%s: the test shows a question only by an answer it is or is not (show_if is, not)", key)
	return ""
}

// fieldHints are the hints a question shows: its help and its options' hints.
func fieldHints(fd *catalog.Field, lang i18n.Lang) []string {
	var out []string
	if h := fd.Help.In(lang); h != "" {
		out = append(out, h)
	}
	for _, o := range fd.Options {
		if h := o.Hint.In(lang); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// formShows looks for help on the form's pages of questions, turning them: whether it
// is shown whole, or else where it is cut short.
func formShows(h *screentest.H, help string) (cut string, whole bool) {
	next := h.K.Text.T("nav.next_page")
	for range 20 {
		if h.Shows(help) {
			return "", true
		}
		if c := cutHints(h, []string{help}); c != "" {
			return c, false
		}
		if !h.CanTap(next) {
			break
		}
		h.Tap(next) // the questions' pager is the first
	}
	return "", false
}

// cutHints lists the texts on screen that are one of hints shortened with "…".
func cutHints(h *screentest.H, hints []string) string {
	var cut []string
	for _, o := range h.Objects() {
		txt, ok := o.(*canvas.Text)
		if !ok || !txt.Visible() || !strings.HasSuffix(txt.Text, "…") {
			continue
		}
		for _, hint := range hints {
			if stem := strings.TrimSuffix(txt.Text, "…"); stem != hint && strings.HasPrefix(hint, stem) {
				cut = append(cut, fmt.Sprintf("%q", txt.Text))
			}
		}
	}
	if len(cut) == 0 {
		return ""
	}
	return ": cut to " + strings.Join(cut, ", ")
}

// 临电租赁's start date is picked from the day the power company commits to connect by
// (the catalogue's 5 working days: Wed 2 Dec from Wed 25 Nov, over the weekend), not
// from an earlier day: the date editor's first choice is the time limit's last day and
// no earlier working day is on any of its pages; in both languages and sizes, and it
// fits.
func TestStartDateFromTheTimeLimit(t *testing.T) {
	inEveryMode(t, func(t *testing.T, h *screentest.H) {
		lang := h.K.Text.Lang()
		sv, ok := h.K.Catalog().Service("electricity", "temporary_power")
		if !ok {
			t.Fatal("no 临电租赁 in the catalogue")
		}
		a, err := h.K.NewApplication(sv)
		if err != nil {
			t.Fatal(err)
		}
		a.Answers["electricity.purpose"] = "construction"
		in, ok := a.Form.Input("electricity.start")
		if !ok {
			t.Fatal("临电租赁 asks no start date")
		}
		o := a.Outcomes()[0]
		first := map[i18n.Lang]string{i18n.ZH: "12月2日（周三）", i18n.EN: "Wed 2 Dec"}[lang]
		if got := o.Deadline.Format("2006-01-02"); got != "2026-12-02" {
			t.Fatalf("the time limit ends %s; the test expects 2026-12-02 (5 working days from Wed 25 Nov)", got)
		}
		h.Shell.ShowEditor(a, in)
		if !h.Shows(first) {
			t.Errorf("the first page of dates does not offer %q:\n%s", first, h.Markup())
		}
		h.Check("", "")
		for _, early := range map[i18n.Lang][]string{i18n.ZH: {"11月27日（周五）", "12月1日（周二）"}, i18n.EN: {"Fri 27 Nov", "Tue 1 Dec"}}[lang] {
			if h.ShowsOnAnyPage(early) {
				t.Errorf("%q, before the time limit ends, is offered", early)
			}
		}
	})
}

// The review tells every rule message the citizen is owed before submitting (零费用 and
// why, the two steps, what applies above 2000 kVA or 220 kW, 临电's transformer) and each
// service's time limit with its deadline: in normal size and in 大字模式, in Chinese and in
// English, each page fitting (大字模式 pages more).
func TestReviewTellsEveryRule(t *testing.T) {
	for _, tc := range []struct {
		name     string
		services []string // utility/service
		answers  map[string]string
		rules    []string // the rules that must apply, so that the case tests what it says
	}{
		{"low voltage, 8 kW", []string{"electricity/new_connection"},
			map[string]string{"electricity.voltage": "low", "electricity.capacity_kw": "8"}, []string{"low_voltage_two_steps", "zero_cost"}},
		{"low voltage, 300 kW", []string{"electricity/new_connection"},
			map[string]string{"electricity.voltage": "low", "electricity.capacity_kw": "300", "electricity.residential": "no"}, []string{"low_voltage_two_steps", "above_zero_cost"}},
		{"high voltage, 1000 kVA", []string{"electricity/new_connection"},
			map[string]string{"electricity.voltage": "high", "electricity.capacity_kva": "1000", "electricity.residential": "no"}, []string{"high_voltage_two_steps"}},
		{"high voltage, 5000 kVA", []string{"electricity/new_connection"},
			map[string]string{"electricity.voltage": "high", "electricity.capacity_kva": "5000", "electricity.residential": "no"}, []string{"high_voltage_above_2000"}},
		{"high voltage, 5000 kVA, dual supply", []string{"electricity/new_connection"},
			map[string]string{"electricity.voltage": "high", "electricity.capacity_kva": "5000", "electricity.supply": "dual", "electricity.residential": "no"}, []string{"high_voltage_dual_supply"}},
		{"four utilities", []string{"electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection"},
			map[string]string{"electricity.voltage": "low", "electricity.capacity_kw": "8"}, []string{"low_voltage_two_steps", "zero_cost"}},
		{"临电租赁 above 315 kW", []string{"electricity/temporary_power"},
			map[string]string{"electricity.site": "lzh/taihe/th-zhengjie", "electricity.purpose": "construction", "electricity.capacity_kw": "400", "electricity.equipment": "box", "electricity.months": "3"}, []string{"large"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inEveryMode(t, func(t *testing.T, h *screentest.H) {
				lang := h.K.Text.Lang()
				a := reviewed(t, h, tc.services, tc.answers)
				var owed []string
				for i, o := range a.Outcomes() {
					if i == 0 {
						for _, r := range tc.rules {
							if !slices.Contains(o.Rules, r) {
								t.Fatalf("rule %s does not apply (%v)", r, o.Rules)
							}
						}
					}
					owed = append(owed, o.TimeLimit(lang))
					for _, m := range o.Messages {
						owed = append(owed, m.In(lang))
					}
				}
				h.Shell.ShowReview(a)
				text, pages := everyPage(h, nil)
				for _, m := range owed {
					if !strings.Contains(text, squeezed(m)) {
						t.Errorf("the review does not tell %q", m)
					}
				}
				t.Logf("the review: %d pages", pages)
			})
		})
	}
}

// In 大字模式 a 联动报装 at four utilities is reviewed in six pages, in Chinese and in
// English: nine, before each utility's time limit and fees stood under its answers
// (not under a title of their own, the utility named again on each line), its lines
// two to a line where both fit half the width and closer, and the masked hint beside
// the first title (tapping through nine pages, an elderly citizen lost their place).
// Fewer utilities take fewer pages (one 4 → 3, two 6 → 4, a water 过户 3 → 2, a 过户
// at four 6 → 5 and 4 in English). What the citizen checks is all there still (every
// answer, each time limit, fees and rule message), each page passes the screen's
// checks, and each page after the first starts with the title of what it shows, again
// (（续）) where it goes on with a utility's part: a time limit never stands on a page
// that does not say whose it is.
func TestElderlyReviewPageCounts(t *testing.T) {
	lowVoltage := map[string]string{"electricity.voltage": "low", "electricity.capacity_kw": "8"}
	accounts := map[string]string{"property_cert": "12345678", "electricity.account": "1000000001",
		"water.account": "10000001", "gas.account": "100000001", "broadband.account": "10000000001"}
	for _, tc := range []struct {
		name     string
		services []string // utility/service
		answers  map[string]string
		zh, en   int // the most pages
	}{
		{"one utility", []string{"electricity/new_connection"}, lowVoltage, 3, 3},
		{"two utilities", []string{"electricity/new_connection", "water/new_connection"}, lowVoltage, 4, 4},
		{"four utilities", []string{"electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection"}, lowVoltage, 6, 6},
		{"过户, water", []string{"water/transfer"}, accounts, 2, 2},
		{"过户, four utilities", []string{"electricity/transfer", "water/transfer", "gas/transfer", "broadband/transfer"}, accounts, 5, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, english := range []bool{false, true} {
				inMode(t, english, true, func(t *testing.T, h *screentest.H) {
					lang := h.K.Text.Lang()
					a := reviewed(t, h, tc.services, tc.answers)
					h.Shell.ShowReview(a)
					text, pages := everyPage(h, func(p *touch.Pager, _ string) {
						if at, _ := p.Page(); at > 0 {
							if shown := test.WidgetRenderer(p).Objects(); len(shown) == 0 {
								t.Errorf("page %d shows nothing", at+1)
							} else if _, ok := shown[0].(*touch.Heading); !ok {
								t.Errorf("page %d starts with a %T, not a title", at+1, shown[0])
							}
						}
					})
					most := tc.zh
					if english {
						most = tc.en
					}
					if pages > most {
						t.Errorf("the review takes %d pages, more than %d", pages, most)
					}
					owed := []string{}
					for _, r := range a.Form.Review(a.Answers, lang) {
						owed = append(owed, r.Label, r.Value)
					}
					for _, o := range a.Outcomes() {
						owed = append(owed, o.TimeLimit(lang), o.FeesText(lang))
						for _, m := range o.Messages {
							owed = append(owed, m.In(lang))
						}
					}
					for _, s := range owed {
						if !strings.Contains(text, squeezed(s)) {
							t.Errorf("the review does not show %q", s)
						}
					}
				})
			}
		})
	}
}

// reviewed is an application for services (utility/service) answered as a citizen
// would who reaches its review: a phone, an address where asked, answers, and the
// first option of every other choice.
func reviewed(t *testing.T, h *screentest.H, services []string, answers map[string]string) *app.ApplyForm {
	t.Helper()
	const address = "lzh/taihe/th-zhengjie/jy1/2/602"
	var svs []*catalog.Service
	for _, ref := range services {
		u, id, _ := strings.Cut(ref, "/")
		sv, ok := h.K.Catalog().Service(u, id)
		if !ok {
			t.Fatalf("no %s in the catalogue", ref)
		}
		svs = append(svs, sv)
	}
	a, err := h.K.NewApplication(svs...)
	if err != nil {
		t.Fatal(err)
	}
	a.Answers["phone"] = "13800000006"
	if _, ok := a.Form.Input("address"); ok {
		a.Answers["address"] = address
	}
	maps.Copy(a.Answers, answers)
	fillChoices(t, a)
	if ps := a.Form.Validate(a.Answers); len(ps) > 0 {
		t.Fatalf("the answers: %v", ps)
	}
	return a
}

// fillChoices answers the visible questions still unanswered that are picked from a
// list (a choice, yes or no, a date): with the first option.
func fillChoices(t *testing.T, a *app.ApplyForm) {
	t.Helper()
	for _, in := range a.Form.Inputs() {
		switch in.Field.Type {
		case catalog.TypeChoice, catalog.TypeYesNo, catalog.TypeDate:
		default:
			continue
		}
		if a.Answers[in.Key] != "" || !a.Form.Visible(in.Key, a.Answers) {
			continue
		}
		ch, err := a.Form.Options(in.Key, "", a.Answers)
		if err != nil || len(ch.Options) == 0 {
			t.Fatalf("%s: no options (%v)", in.Key, err)
		}
		a.Answers[in.Key] = ch.Options[0].Value
	}
}

// everyPage turns every pager on the screen through all its pages, checking each page
// (it fits, its targets, …), and returns the text shown on any of them, without spaces
// or line breaks (squeezed: a wrapped line is one text), and how many pages they made.
// each, when not nil, is given each pager on each of its pages with the screen's text.
func everyPage(h *screentest.H, each func(p *touch.Pager, text string)) (string, int) {
	h.T.Helper()
	var all strings.Builder
	read := func() string {
		// The markup lays the screen out as it is painted: a page turned shows then.
		var text strings.Builder
		for _, m := range markupText.FindAllStringSubmatch(h.Markup(), -1) {
			text.WriteString(squeezed(html.UnescapeString(m[1])))
		}
		h.Check("", "")
		all.WriteString(text.String())
		return text.String()
	}
	first := read() // the first layout builds the screen at its size: its pagers are those after it
	var pagers []*touch.Pager
	for _, o := range h.Objects() {
		if p, ok := o.(*touch.Pager); ok && p.Visible() {
			pagers = append(pagers, p)
		}
	}
	pages := 0
	for _, p := range pagers {
		_, n := p.Page()
		pages += n
		if each != nil {
			each(p, first)
		}
		for i := 1; i < n; i++ {
			h.TapObject(p.NextButton())
			text := read()
			if at, _ := p.Page(); at != i || !slices.Contains(h.Objects(), fyne.CanvasObject(p)) {
				h.T.Fatalf("下一页 showed page %d of a pager on screen %v, not page %d", at+1, slices.Contains(h.Objects(), fyne.CanvasObject(p)), i+1)
			}
			if each != nil {
				each(p, text)
			}
		}
	}
	return all.String(), pages
}

// markupText is the text between a markup's tags.
var markupText = regexp.MustCompile(`>([^<]+)<`)

// squeezed is s without white space.
func squeezed(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// An answer the review showed valid that is no longer by the time 确认提交 is tapped (the
// soonest 装机日期 offered before midnight CST, tapped after it: that day is now today,
// which no longer counts) is named, with the way to answer it again, rather than "申请
// 未能提交，请重试", which no retry gets past. Nothing is stored.
func TestSubmitAfterMidnightAsksTheDateAgain(t *testing.T) {
	h := screentest.New(t, screentest.Options{})
	// 23:59:50 CST on Wed 25 Nov 2026, whatever the machine's time zone.
	h.Advance(time.Date(2026, 11, 25, 23, 59, 50, 0, workdays.CST).Sub(h.Clock.Now()))
	h.K.Sessions.Start().SetIdentity(session.Identity{Name: "陈建国", IDNumber: "420702197007070054", CardType: "resident"})
	a := reviewed(t, h, []string{"broadband/new_connection"}, nil)
	if d := a.Answers["broadband.install_date"]; d != "2026-11-26" {
		t.Fatalf("the soonest installation date offered is %s; the test expects Thu 26 Nov", d)
	}
	h.Do(func() { h.Shell.ShowReview(a) })
	h.Advance(15 * time.Second) // 00:00:05 CST, Thu 26 Nov
	h.Tap("确认提交")
	h.WaitShows("继续提交") // this kiosk's printer is not there: submitted all the same
	h.Tap("继续提交")
	h.WaitFor("the answer to change", func() bool { return h.Shows("请选择可预约的装机日期") })
	if h.Shows("申请未能提交") {
		t.Errorf("told to try again:\n%s", h.Markup())
	}
	h.Tap("修改装机日期")
	h.WaitFor("the date's editor", func() bool { return h.Current() == "editor" })
	if h.Shows("11月26日") || !h.Shows("11月27日") {
		t.Errorf("the dates offered now:\n%s", h.Markup())
	}
	if n, err := h.K.Outbox.Count(); err != nil || len(n) != 0 {
		t.Fatalf("stored %v, %v", n, err)
	}
	// Answered again, the review is back, and submits.
	h.Tap("11月27日（周五）")
	h.WaitFor("the review", func() bool { return h.Current() == "review" })
	h.Tap("确认提交")
	h.WaitShows("继续提交")
	h.Tap("继续提交")
	h.WaitFor("the result", func() bool { return h.Current() == "apply-result" })
	if n, err := h.K.Outbox.Count(); err != nil || n[outbox.Pending][utility.Broadband] != 1 {
		t.Fatalf("stored %v, %v", n, err)
	}
}
