package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/workdays"
)

func stepIDs(o *Outcome) string {
	var s []string
	for _, st := range o.Steps {
		s = append(s, st.ID)
	}
	return strings.Join(s, " ")
}

func feeIDs(o *Outcome) string {
	var s []string
	for _, fe := range o.Fees {
		s = append(s, fe.ID)
	}
	return strings.Join(s, " ")
}

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, workdays.CST)
	if err != nil {
		panic(err)
	}
	return t
}

// The seed's rules, as configuration: low voltage and high voltage up to 2000 kVA have two
// steps; low voltage is committed in 2 working days, high voltage in 5; low voltage up to
// 220 kW is 零费用.
func TestSeedRules(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	for _, tc := range []struct {
		name     string
		answers  Answers
		steps    string
		days     int
		deadline string
		zeroCost bool
		rules    string
		fees     string
	}{
		{"low voltage, 8 kW", Answers{"electricity.voltage": "low", "electricity.capacity_kw": "8"},
			"accept connect", 2, "2026-11-27", true, "low_voltage_two_steps zero_cost", "meter works_free"},
		{"low voltage, exactly 220 kW", Answers{"electricity.voltage": "low", "electricity.capacity_kw": "220"},
			"accept connect", 2, "2026-11-27", true, "low_voltage_two_steps zero_cost", "meter works_free"},
		{"low voltage, 220.1 kW", Answers{"electricity.voltage": "low", "electricity.capacity_kw": "220.1"},
			"accept connect", 2, "2026-11-27", false, "low_voltage_two_steps above_zero_cost", "meter works_low"},
		{"low voltage, capacity not given yet", Answers{"electricity.voltage": "low"},
			"accept connect", 2, "2026-11-27", false, "low_voltage_two_steps", "meter"},
		{"high voltage, exactly 2000 kVA", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2000", "electricity.supply": "single"},
			"accept connect", 5, "2026-12-02", false, "high_voltage_two_steps", "meter works_high"},
		{"high voltage, 2001 kVA", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2001", "electricity.supply": "single"},
			"accept plan works connect", 22, "2026-12-25", false, "high_voltage_above_2000", "meter works_high"},
		{"high voltage, the form's most", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "40000", "electricity.supply": "single"},
			"accept plan works connect", 22, "2026-12-25", false, "high_voltage_above_2000", "meter works_high"},
		{"high voltage, 2001 kVA, dual supply", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2001", "electricity.supply": "dual"},
			"accept plan works connect", 32, "2027-01-11", false, "high_voltage_dual_supply", "meter works_high reliability"},
		// A capacity left over from the other voltage is hidden, so it does not count.
		{"high voltage with a stale kW answer", Answers{"electricity.voltage": "high", "electricity.capacity_kw": "8", "electricity.capacity_kva": "800", "electricity.supply": "single"},
			"accept connect", 5, "2026-12-02", false, "high_voltage_two_steps", "meter works_high"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := f.Evaluate(tc.answers, now)[0]
			if got := stepIDs(o); got != tc.steps {
				t.Errorf("steps %q, want %q", got, tc.steps)
			}
			if o.Days != tc.days || !o.Deadline.Equal(day(tc.deadline)) {
				t.Errorf("%d days to %s, want %d to %s", o.Days, o.Deadline.Format(time.DateOnly), tc.days, tc.deadline)
			}
			if o.ZeroCost != tc.zeroCost {
				t.Errorf("zero cost %v", o.ZeroCost)
			}
			if got := strings.Join(o.Rules, " "); got != tc.rules {
				t.Errorf("rules %q, want %q", got, tc.rules)
			}
			if got := feeIDs(o); got != tc.fees {
				t.Errorf("fees %q, want %q", got, tc.fees)
			}
			if len(o.Messages) != len(o.Rules) {
				t.Errorf("every applied rule here has a message: %d rules, %d messages", len(o.Rules), len(o.Messages))
			}
		})
	}
}

// Above 2000 kVA the two steps do not apply: the citizen is told so in words, with the
// time limit, not left to read it from a longer list of steps; so too for an increase.
// A low-voltage increase above 220 kW is told it is not 零费用.
func TestBeyondTheSeedThresholdsSaid(t *testing.T) {
	for _, tc := range []struct {
		service string
		answers Answers
		rules   string
		days    int
		says    string
	}{
		{"electricity/new_connection", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2001", "electricity.supply": "single"},
			"high_voltage_above_2000", 22, "超过 2000 千伏安，不属于“申请受理、装表接电”两个环节"},
		{"electricity/capacity_change", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2000"},
			"high_voltage_two_steps", 5, "2000 千伏安及以下"},
		{"electricity/capacity_change", Answers{"electricity.voltage": "high", "electricity.capacity_kva": "2001"},
			"high_voltage_above_2000", 22, "超过 2000 千伏安，不属于两个环节"},
		{"electricity/capacity_change", Answers{"electricity.voltage": "low", "electricity.capacity_kw": "220"},
			"low_voltage_two_steps zero_cost", 2, "零费用"},
		{"electricity/capacity_change", Answers{"electricity.voltage": "low", "electricity.capacity_kw": "220.5"},
			"low_voltage_two_steps above_zero_cost", 2, "超过 220 千瓦，不在低压“零费用”范围"},
	} {
		f := form(t, now, tc.service)
		o := f.Evaluate(tc.answers, now)[0]
		if got := strings.Join(o.Rules, " "); got != tc.rules || o.Days != tc.days {
			t.Errorf("%s %v: rules %q, %d days; want %q, %d", tc.service, tc.answers, got, o.Days, tc.rules, tc.days)
			continue
		}
		last := o.Messages[len(o.Messages)-1]
		if !strings.Contains(last.ZH, tc.says) || last.EN == "" {
			t.Errorf("%s %v: the last message %+v does not say %q", tc.service, tc.answers, last, tc.says)
		}
	}
}

func TestZeroCostMessage(t *testing.T) {
	f := form(t, now, "electricity/new_connection")
	o := f.Evaluate(Answers{"electricity.voltage": "low", "electricity.capacity_kw": "100"}, now)[0]
	if len(o.Messages) != 2 || !strings.Contains(o.Messages[1].ZH, "零费用") || !strings.Contains(o.Messages[1].EN, "free of charge") {
		t.Fatalf("the citizen is told about 零费用: %+v", o.Messages)
	}
	if o.FeesText(i18n.ZH) != "零费用" {
		t.Fatal(o.FeesText(i18n.ZH))
	}
}

func TestDeadlineEstimated(t *testing.T) {
	at := time.Date(2026, 12, 28, 9, 0, 0, 0, workdays.CST)
	f := form(t, at, "electricity/new_connection")
	o := f.Evaluate(Answers{"electricity.voltage": "high", "electricity.capacity_kva": "800"}, at)[0]
	if !o.Deadline.Equal(day("2027-01-05")) || !o.Estimated {
		t.Fatalf("deadline %s estimated %v", o.Deadline.Format(time.DateOnly), o.Estimated)
	}
	if !strings.HasSuffix(o.TimeLimit(i18n.ZH), "（预计）") {
		t.Fatal(o.TimeLimit(i18n.ZH))
	}
	o = f.Evaluate(Answers{"electricity.voltage": "low"}, now)[0]
	if o.Estimated {
		t.Fatal("a deadline in 2026 is not an estimate")
	}
}

func TestOtherUtilitiesRules(t *testing.T) {
	f := form(t, now, "water/new_connection", "gas/new_connection", "broadband/new_connection")
	for _, tc := range []struct {
		name    string
		a       Answers
		utility int
		steps   string
		days    int
		fees    string
		total   int64
		msgs    int
	}{
		{"water household DN15", Answers{"water.usage": "residential", "water.pipe_size": "dn15"}, 0, "accept meter", 3, "meter_household", 0, 1},
		{"water household DN25", Answers{"water.usage": "residential", "water.pipe_size": "dn25"}, 0, "accept survey works meter", 10, "meter_household works", 0, 0},
		{"water business DN50", Answers{"water.usage": "business", "water.pipe_size": "dn50"}, 0, "accept survey works meter", 15, "meter_business works", 38000, 1},
		{"gas ready, stove and boiler", Answers{"gas.usage": "residential", "gas.appliances": "stove,boiler", "gas.pipes_ready": "yes"}, 1, "accept inspect ignite", 3, "account meter", 0, 2},
		{"gas without pipes", Answers{"gas.usage": "residential", "gas.appliances": "heater", "gas.pipes_ready": "no"}, 1, "accept pipes inspect ignite", 10, "account meter pipes", 0, 0},
		{"broadband 1000M with IPTV", Answers{"broadband.bandwidth": "1000m", "broadband.iptv": "yes"}, 2, "accept install", 2, "setup modem monthly_1000m iptv", 11400, 0},
		{"broadband 2000M", Answers{"broadband.bandwidth": "2000m", "broadband.iptv": "no"}, 2, "accept install", 3, "setup modem monthly_2000m", 16900, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := f.Evaluate(tc.a, now)[tc.utility]
			if stepIDs(o) != tc.steps || o.Days != tc.days || feeIDs(o) != tc.fees || o.FeeTotal() != tc.total || len(o.Messages) != tc.msgs {
				t.Fatalf("steps %q days %d fees %q total %d messages %d", stepIDs(o), o.Days, feeIDs(o), o.FeeTotal(), len(o.Messages))
			}
		})
	}
}

func TestFeeDisplay(t *testing.T) {
	f := form(t, now, "water/meter_relocation")
	o := f.Evaluate(Answers{"water.distance": "8"}, now)[0]
	if len(o.Fees) != 2 {
		t.Fatalf("fees %s", feeIDs(o))
	}
	for _, tc := range []struct {
		fe     *Fee
		zh, en string
	}{
		{o.Fees[0], "150.00元/只", "150.00 yuan per meter"},
		{o.Fees[1], "移动距离超过 5 米的，按实际使用管材计收", "beyond 5 m, for the pipe actually used"},
	} {
		if tc.fe.Display(i18n.ZH) != tc.zh || tc.fe.Display(i18n.EN) != tc.en {
			t.Errorf("%s: %q / %q", tc.fe.ID, tc.fe.Display(i18n.ZH), tc.fe.Display(i18n.EN))
		}
	}
	if Yuan(12345) != "123.45" || Yuan(5) != "0.05" || Yuan(-150) != "-1.50" {
		t.Fatal("Yuan")
	}
}

func TestSubmissions(t *testing.T) {
	f := form(t, now, "electricity/new_connection", "water/new_connection", "gas/new_connection", "broadband/new_connection")
	if _, err := f.Submissions(Answers{}, now); !errors.Is(err, ErrInvalidAnswer) {
		t.Fatalf("an empty form was submitted: %v", err)
	} else {
		var ie *InvalidError
		if !errors.As(err, &ie) || len(ie.Problems) == 0 || strings.Contains(err.Error(), "13812345678") {
			t.Fatalf("error %v", err)
		}
	}
	a := answers(f)
	a["electricity.capacity_kva"] = "900" // hidden: not submitted
	subs, err := f.Submissions(a, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 4 {
		t.Fatalf("%d submissions", len(subs))
	}
	e := subs[0]
	if e.Utility != "electricity" || e.Service != "new_connection" || e.Joint != JointConnection || e.ServiceName != "新装（报装）" {
		t.Fatalf("electricity submission %+v", e)
	}
	if e.Applicant != (Applicant{Name: "王小明", IDNumber: "420702198503151237", Phone: "13812345678"}) {
		t.Fatalf("applicant %+v", e.Applicant)
	}
	if e.Address != "梁子湖区太和镇正街社区金域花园1栋2单元602室" || e.AddressPath != "lzh/taihe/th-zhengjie/jy1/2/602" {
		t.Fatalf("address %q %q", e.Address, e.AddressPath)
	}
	if place, unit, room := e.Where.Household(i18n.ZH); strings.Join(place, "|") != "梁子湖区|太和镇|正街社区|金域花园1栋" || unit != "2单元" || room != "602室" || e.WhereLabel.ZH != "地址" {
		t.Fatalf("the address by levels: %q %q %q, labelled %q", place, unit, room, e.WhereLabel.ZH)
	}
	if len(e.Fields) != 3 || e.Fields["voltage"] != "low" || e.Fields["capacity_kw"] != "8" || e.Fields["residential"] != "yes" {
		t.Fatalf("fields %v", e.Fields)
	}
	if !e.Outcome.ZeroCost || e.Outcome.Days != 2 {
		t.Fatalf("outcome %+v", e.Outcome)
	}
	if g := subs[2]; g.Fields["appliances"] != "stove,heater" || g.Applicant.Name != "王小明" {
		t.Fatalf("gas %+v", g)
	}
	if b := subs[3]; b.Fields["install_date"] != "2026-11-30" || b.Outcome.FeeTotal() != 11400 {
		t.Fatalf("broadband %+v", b)
	}
}

func TestTransferSubmission(t *testing.T) {
	f := form(t, now, "electricity/transfer", "water/transfer")
	a := answers(f)
	a["property_cert"] = "0012345"
	a["electricity.account"] = "3201234567"
	a["water.account"] = "10234567"
	subs, err := f.Submissions(a, now)
	if err != nil {
		t.Fatal(err)
	}
	e, w := subs[0], subs[1]
	if e.Joint != JointTransfer || e.Account != "3201234567" || e.PropertyCert != "0012345" || e.Fields["unchanged"] != "yes" || len(e.Fields) != 1 {
		t.Fatalf("electricity transfer %+v", e)
	}
	if w.Account != "10234567" || w.PropertyCert != "0012345" || len(w.Fields) != 0 || w.Applicant.IDNumber != "420702198503151237" {
		t.Fatalf("water transfer %+v", w)
	}
	for _, s := range f.Services {
		if !s.SettleFirst {
			t.Fatalf("%s/%s: unpaid bills must be settled before a transfer", s.Utility.ID, s.ID)
		}
	}
}

// A date the citizen chooses (here the broadband installation) later than the committed
// time is the day the work is done: the deadline, told as the chosen date; an earlier one
// leaves the committed time as it is.
func TestChosenDateLaterThanTheCommitment(t *testing.T) {
	f := form(t, now, "broadband/new_connection")
	for _, tc := range []struct {
		chosen, deadline string
		byChoice         bool
		limit            string
	}{
		{"2026-11-26", "2026-11-27", false, "2个工作日，最迟2026年11月27日（周五）办结"},
		{"2026-12-04", "2026-12-04", true, "按您选择的日期，2026年12月4日（周五）"},
	} {
		o := f.Evaluate(Answers{"broadband.install_date": tc.chosen}, now)[0]
		if !o.Deadline.Equal(day(tc.deadline)) || o.ChosenDate != tc.byChoice || o.TimeLimit(i18n.ZH) != tc.limit {
			t.Errorf("chosen %s: deadline %s, by choice %v, %q; want %s, %v, %q", tc.chosen,
				o.Deadline.Format(time.DateOnly), o.ChosenDate, o.TimeLimit(i18n.ZH), tc.deadline, tc.byChoice, tc.limit)
		}
	}
}

// The time limit reads as a sentence in each language, its date as that language writes
// dates: 2个工作日，最迟2026年11月27日（周五）办结 and Within 2 working days, by Fri 27 Nov
// 2026; one working day is a day; an estimate says so.
func TestTimeLimitWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      Outcome
		zh, en string
	}{
		{"two days", Outcome{Days: 2, Deadline: day("2026-11-27")},
			"2个工作日，最迟2026年11月27日（周五）办结", "Within 2 working days, by Fri 27 Nov 2026"},
		{"one day", Outcome{Days: 1, Deadline: day("2026-11-26")},
			"1个工作日，最迟2026年11月26日（周四）办结", "Within 1 working day, by Thu 26 Nov 2026"},
		{"chosen", Outcome{Days: 2, Deadline: day("2026-12-04"), ChosenDate: true},
			"按您选择的日期，2026年12月4日（周五）", "On the date you chose, Fri 4 Dec 2026"},
		{"estimated", Outcome{Days: 5, Deadline: day("2027-01-05"), Estimated: true},
			"5个工作日，最迟2027年1月5日（周二）办结（预计）", "Within 5 working days, by Tue 5 Jan 2027 (estimated)"},
	} {
		if zh, en := tc.o.TimeLimit(i18n.ZH), tc.o.TimeLimit(i18n.EN); zh != tc.zh || en != tc.en {
			t.Errorf("%s: %q / %q, want %q / %q", tc.name, zh, en, tc.zh, tc.en)
		}
	}
}

// A date answer left from before its field was hidden (临电租赁's start, then 抢险救灾,
// which asks no start) moves nothing: emergency power is committed in 1 working day, not
// on the day once picked for a building site.
func TestHiddenDateMovesNothing(t *testing.T) {
	f := form(t, now, "electricity/temporary_power")
	a := Answers{"electricity.purpose": "construction", "electricity.start": "2026-12-18"}
	if o := f.Evaluate(a, now)[0]; !o.ChosenDate || !o.Deadline.Equal(day("2026-12-18")) {
		t.Fatalf("a building site's start: deadline %s, by choice %v", o.Deadline.Format(time.DateOnly), o.ChosenDate)
	}
	a["electricity.purpose"] = "emergency"
	o := f.Evaluate(a, now)[0]
	if o.Days != 1 || !o.Deadline.Equal(day("2026-11-26")) || o.ChosenDate || len(o.Dates(i18n.ZH)) != 0 {
		t.Fatalf("emergency with a hidden start: %d days to %s, by choice %v, dates %q",
			o.Days, o.Deadline.Format(time.DateOnly), o.ChosenDate, o.Dates(i18n.ZH))
	}
}

// The date the citizen chose is told with what it is for, on the 一次性告知书 (on screen
// and on paper): within the committed time too, where the time limit does not name it;
// a date that is the time limit (按您选择的日期) is not told twice.
func TestChosenDatesTold(t *testing.T) {
	f := form(t, now, "broadband/new_connection")
	o := f.Evaluate(Answers{"broadband.install_date": "2026-11-26"}, now)[0]
	if zh, en := o.Dates(i18n.ZH), o.Dates(i18n.EN); len(zh) != 1 || zh[0] != "装机日期：2026年11月26日（周四）" ||
		len(en) != 1 || en[0] != "Installation date: Thu 26 Nov 2026" {
		t.Fatalf("a date within the time limit: %q / %q", zh, en)
	}
	if o := f.Evaluate(Answers{"broadband.install_date": "2026-12-04"}, now)[0]; len(o.Dates(i18n.ZH)) != 0 {
		t.Fatalf("the date that is the time limit told again: %q", o.Dates(i18n.ZH))
	}
	if o := f.Evaluate(Answers{}, now)[0]; len(o.Dates(i18n.ZH)) != 0 {
		t.Fatalf("no date chosen: %q", o.Dates(i18n.ZH))
	}
}

// 临电租赁's start of supply is offered from the day its committed time limit ends (the
// catalogue's 5 working days), never earlier: the first date is the outcome's deadline,
// counted on the calendar across weekends, the published holidays (中秋, 国庆) and their
// make-up working days, to the last offered (max working days after today). A date
// before it is refused; the first date leaves the committed time limit as it is and is
// told on the 一次性告知书 with its label.
func TestStartDateFollowsTheTimeLimit(t *testing.T) {
	for _, tc := range []struct {
		name          string
		at            time.Time
		first, second string
		last          string
		before        string // a working day before the first, refused
	}{
		// Wed: Thu 26, Fri 27, Mon 30, Tue 1, Wed 2 Dec (the weekend does not count).
		{"over a weekend", time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.CST), "2026-12-02", "2026-12-03", "2026-12-23", "2026-12-01"},
		// Accepted on a Saturday: the 5 days start on Monday.
		{"accepted at the weekend", time.Date(2026, 11, 28, 11, 0, 0, 0, workdays.CST), "2026-12-04", "2026-12-07", "2026-12-25", "2026-12-03"},
		// Wed 23 Sep: Thu 24, (中秋 25–27), Mon 28, Tue 29, Wed 30, (国庆 1–7), Thu 8 Oct;
		// next the make-up Saturday 10 Oct.
		{"over 中秋 and 国庆", time.Date(2026, 9, 23, 9, 0, 0, 0, workdays.CST), "2026-10-08", "2026-10-09", "2026-10-28", "2026-09-30"},
		// Mon 28 Sep: Tue 29, Wed 30, Thu 8, Fri 9 Oct and the make-up Saturday 10 Oct.
		{"onto a make-up Saturday", time.Date(2026, 9, 28, 16, 0, 0, 0, workdays.CST), "2026-10-10", "2026-10-12", "2026-10-30", "2026-10-09"},
		// Fri 18 Sep: the make-up Sunday 20 Sep counts: Sun 20, Mon 21 … Thu 24.
		{"with a make-up Sunday", time.Date(2026, 9, 18, 15, 0, 0, 0, workdays.CST), "2026-09-24", "2026-09-28", "2026-10-22", "2026-09-23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := form(t, tc.at, "electricity/temporary_power")
			a := Answers{"electricity.purpose": "construction", "electricity.capacity_kw": "100", "electricity.equipment": "box"}
			ch, err := f.Options("electricity.start", "", a)
			if err != nil || len(ch.Options) < 2 {
				t.Fatalf("dates offered: %+v, %v", ch, err)
			}
			o := f.Evaluate(a, tc.at)[0]
			if o.Days != 5 {
				t.Fatalf("the catalogue commits 临电 in %d working days; the test counts 5", o.Days)
			}
			first, last := ch.Options[0].Value, ch.Options[len(ch.Options)-1].Value
			if first != tc.first || ch.Options[1].Value != tc.second || last != tc.last {
				t.Errorf("dates offered %s, %s … %s; want %s, %s … %s", first, ch.Options[1].Value, last, tc.first, tc.second, tc.last)
			}
			if !day(first).Equal(o.Deadline) {
				t.Errorf("the first date %s is not the end of the time limit %s", first, o.Deadline.Format(time.DateOnly))
			}
			for _, op := range ch.Options {
				if !f.env.Calendar.IsWorkingDay(day(op.Value)) {
					t.Errorf("%s is offered, not a working day", op.Value)
				}
			}
			a["electricity.start"] = tc.before
			if p := f.Check("electricity.start", tc.before, a); p == nil || p.Code != CodeDate {
				t.Errorf("%s, before the time limit ends: %+v", tc.before, p)
			}
			if !slices.ContainsFunc(f.Validate(a), func(p *Problem) bool { return p.Key == "electricity.start" && p.Code == CodeDate }) {
				t.Errorf("%s, before the time limit ends, passes Validate", tc.before)
			}
			a["electricity.start"] = first
			if p := f.Check("electricity.start", first, a); p != nil {
				t.Errorf("the first date: %+v", p)
			}
			o = f.Evaluate(a, tc.at)[0]
			want := "开始用电日期：" + workdays.FormatDate(day(first), i18n.ZH)
			if o.ChosenDate || !o.Deadline.Equal(day(first)) || !slices.Equal(o.Dates(i18n.ZH), []string{want}) {
				t.Errorf("the first date chosen: by choice %v, deadline %s, dates %q; want the time limit kept and %q",
					o.ChosenDate, o.Deadline.Format(time.DateOnly), o.Dates(i18n.ZH), want)
			}
		})
	}
}

// A date with earliest = "time_limit" follows the time limit the rules make of the other
// answers: 2 working days for a low-voltage request up to 220 kW in the fixture, the
// service's 22 otherwise; a date offered for one is refused once an answer changes it.
func TestStartDateFollowsTheRules(t *testing.T) {
	files := fixture(t)
	files["electricity.toml"] = strings.Replace(files["electricity.toml"], "  [[service.rule]]", `  [[service.field]]
  id = "start"
  label = "送电日期"
  label_en = "Power on"
  type = "date"
  earliest = "time_limit"
  max = 30

  [[service.rule]]`, 1)
	c, err := load(files)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Service("electricity", "new_connection")
	f, err := c.NewForm(env(t, now), s)
	if err != nil {
		t.Fatal(err)
	}
	low := Answers{"electricity.voltage": "low", "electricity.capacity_kw": "8"}
	high := Answers{"electricity.voltage": "high"}
	for _, tc := range []struct {
		name  string
		a     Answers
		first string
	}{
		{"low voltage, 2 days", low, "2026-11-27"},
		{"high voltage, 22 days", high, "2026-12-25"},
	} {
		ch, err := f.Options("electricity.start", "", tc.a)
		if err != nil || len(ch.Options) == 0 || ch.Options[0].Value != tc.first {
			t.Errorf("%s: dates %+v, %v; want from %s", tc.name, ch.Options, err, tc.first)
			continue
		}
		if o := f.Evaluate(tc.a, now)[0]; !o.Deadline.Equal(day(tc.first)) {
			t.Errorf("%s: the first date %s is not the deadline %s", tc.name, tc.first, o.Deadline.Format(time.DateOnly))
		}
	}
	if p := f.Check("electricity.start", "2026-11-27", high); p == nil || p.Code != CodeDate {
		t.Errorf("the low-voltage date kept for a high-voltage request: %+v", p)
	}
}
