package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/workdays"
)

// Outcome is what a service's rules make of the answers: the steps, the committed working
// days and their deadline, 零费用, the messages for the citizen and the fees that apply.
//
// Rules apply in the order of the file: every rule whose conditions all hold applies;
// for steps and days the last such rule wins, ZeroCost is set if any rule sets it, and
// messages are collected in order.
type Outcome struct {
	Service *Service
	Steps   []*Step
	Days    int
	// Accepted is the acceptance time the deadline is counted from; Deadline is the day
	// the committed time ends (midnight CST, see workdays.Deadline).
	Accepted time.Time
	Deadline time.Time
	// Estimated is set when the time limit reaches into a year whose holiday arrangement
	// is not published: the deadline may move.
	Estimated bool
	// ChosenDate is set when the citizen chose a date (an appointment, the start of
	// supply) later than the committed time: the work is done that day, the Deadline.
	ChosenDate bool
	// Chosen are the dates the citizen chose for this service (date fields shown), for
	// the 一次性告知书 to keep what was agreed (Dates).
	Chosen   []ChosenDay
	ZeroCost bool
	Messages []bitext.Text
	Fees     []*Fee
	// Rules are the IDs of the rules that applied, in order (for the journal).
	Rules []string

	cat *Catalog
}

// ChosenDay is a date the citizen chose, and the label of its field (装机日期).
type ChosenDay struct {
	Label bitext.Text
	Day   time.Time
}

// Evaluate applies each service's rules to the answers, counting deadlines from accepted.
// It may be called at any time: while the citizen types (to show 零费用 or the steps as
// soon as the capacity is known), on the review page and at submission.
func (f *Form) Evaluate(a Answers, accepted time.Time) []*Outcome {
	out := make([]*Outcome, len(f.Services))
	for i, s := range f.Services {
		out[i] = f.evaluate(s, a, accepted)
	}
	return out
}

func (f *Form) evaluate(s *Service, a Answers, accepted time.Time) *Outcome {
	o := &Outcome{Service: s, Steps: s.Steps, Days: f.committedDays(s, a), Accepted: accepted, cat: f.cat}
	all := func(cs []Condition) bool { return f.holdAll(s, cs, a) }
	for _, r := range s.Rules {
		if !all(r.When) {
			continue
		}
		o.Rules = append(o.Rules, r.ID)
		if r.Steps != nil {
			o.Steps = r.Steps
		}
		o.ZeroCost = o.ZeroCost || r.ZeroCost
		if r.Message.ZH != "" {
			o.Messages = append(o.Messages, r.Message)
		}
	}
	for _, fe := range s.Fees {
		if all(fe.When) {
			o.Fees = append(o.Fees, fe)
		}
	}
	cal := f.env.Calendar
	o.Deadline = cal.Deadline(accepted, o.Days)
	for _, in := range f.inputs {
		// A date left from before its field was hidden is no answer (抢险救灾 asks no start).
		if in.Service != s || in.Field.Type != TypeDate || !f.visible(in, a, 0) {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(a[in.Key]), workdays.CST)
		if err != nil {
			continue
		}
		o.Chosen = append(o.Chosen, ChosenDay{Label: in.Field.Label, Day: t})
		if t.After(o.Deadline) {
			o.Deadline, o.ChosenDate = t, true
		}
	}
	o.Estimated = !cal.OfficialThrough(accepted, o.Deadline)
	return o
}

// holdAll reports whether all conditions hold for service s's answers.
func (f *Form) holdAll(s *Service, cs []Condition, a Answers) bool {
	for _, c := range cs {
		if !f.holds(s, c, a, 0) {
			return false
		}
	}
	return true
}

// committedDays is service s's committed time in working days for the answers: its own
// days, or those of the last rule with days whose conditions hold.
func (f *Form) committedDays(s *Service, a Answers) int {
	days := s.Days
	for _, r := range s.Rules {
		if r.Days > 0 && f.holdAll(s, r.When, a) {
			days = r.Days
		}
	}
	return days
}

// FeeTotal is the sum of the fees with a fixed amount, in fen.
func (o *Outcome) FeeTotal() int64 {
	var n int64
	for _, fe := range o.Fees {
		n += fe.Amount
	}
	return n
}

// Yuan writes an amount in fen as yuan with two decimals: 12000 → "120.00".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// Display writes the fee's amount: 免费, "120.00元/只" or its standard.
func (fe *Fee) Display(lang i18n.Lang) string {
	switch {
	case fe.Free:
		return bitext.New("免费", "free").In(lang)
	case fe.Standard.ZH != "":
		return fe.Standard.In(lang)
	}
	unit := fe.Unit
	if unit.ZH == "" {
		unit = bitext.New("元", "yuan")
	}
	if lang == i18n.EN {
		return Yuan(fe.Amount) + " " + unit.In(lang)
	}
	return Yuan(fe.Amount) + unit.ZH
}

// StepsText writes the steps as 申请受理 → 装表接电.
func (o *Outcome) StepsText(lang i18n.Lang) string {
	names := make([]string, len(o.Steps))
	for i, st := range o.Steps {
		names[i] = st.Name.In(lang)
	}
	return strings.Join(names, " → ")
}

// TimeLimit writes the committed time and its deadline: 2个工作日，2026年11月27日（周五）前,
// Within 2 working days, by Fri 27 Nov 2026; or the date the citizen chose when it is
// later: 按您选择的日期，2026年12月10日（周四）.
func (o *Outcome) TimeLimit(lang i18n.Lang) string {
	date := workdays.FormatDate(o.Deadline, lang)
	s := fmt.Sprintf("%d个工作日，最迟%s办结", o.Days, date)
	switch {
	case o.ChosenDate && lang == i18n.EN:
		s = "On the date you chose, " + date
	case o.ChosenDate:
		s = "按您选择的日期，" + date
	case lang == i18n.EN && o.Days == 1:
		s = "Within 1 working day, by " + date
	case lang == i18n.EN:
		s = fmt.Sprintf("Within %d working days, by %s", o.Days, date)
	}
	if o.Estimated {
		s += bitext.New("（预计）", " (estimated)").In(lang)
	}
	return s
}

// Dates are the dates the citizen chose, each with what it is for: 装机日期：2026年11月26日
// （周四）, Installation date: Thu 26 Nov 2026. A date within the committed time is not
// in the time limit's words, so the 一次性告知书 tells it here; the date that is the time
// limit (按您选择的日期) is not told twice.
func (o *Outcome) Dates(lang i18n.Lang) []string {
	var out []string
	for _, c := range o.Chosen {
		if o.ChosenDate && c.Day.Equal(o.Deadline) {
			continue
		}
		out = append(out, c.Label.In(lang)+bitext.New("：", ": ").In(lang)+workdays.FormatDate(c.Day, lang))
	}
	return out
}

// FeesText writes the fees in one line: 零费用, 免费, or the items.
func (o *Outcome) FeesText(lang i18n.Lang) string {
	return strings.Join(o.FeeLines(lang), bitext.New("；", "; ").In(lang))
}

// FeeLines are the fees one by one (设备租赁费：…), or what stands for none: 零费用 or
// 不收费.
func (o *Outcome) FeeLines(lang i18n.Lang) []string {
	if o.ZeroCost {
		return []string{bitext.New("零费用", "No cost").In(lang)}
	}
	if len(o.Fees) == 0 {
		return []string{bitext.New("不收费", "No fees").In(lang)}
	}
	lines := make([]string, len(o.Fees))
	for i, fe := range o.Fees {
		lines[i] = fe.Name.In(lang) + bitext.New("：", ": ").In(lang) + fe.Display(lang)
	}
	return lines
}

// Summary is the outcome as review rows: 办理环节, 承诺时限, 费用, and the messages.
func (o *Outcome) Summary(lang i18n.Lang) []Row {
	sec := sectionTitle(o.Service).In(lang)
	rows := []Row{
		{Section: sec, Label: bitext.New("办理环节", "Steps").In(lang), Value: o.StepsText(lang)},
		{Section: sec, Label: bitext.New("承诺时限", "Time limit").In(lang), Value: o.TimeLimit(lang)},
		{Section: sec, Label: bitext.New("费用", "Fees").In(lang), Value: o.FeesText(lang)},
	}
	for _, m := range o.Messages {
		rows = append(rows, Row{Section: sec, Label: bitext.New("提示", "Note").In(lang), Value: m.In(lang)})
	}
	return rows
}

func sectionTitle(s *Service) bitext.Text {
	return bitext.New(s.Utility.Name.ZH+" · "+s.Name.ZH, s.Utility.Name.EN+": "+s.Name.EN)
}
