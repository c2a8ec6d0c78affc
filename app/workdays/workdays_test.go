package workdays

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/tomlpos"
)

func cal(t *testing.T) *Calendar {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// d is a date (or date and time) in CST.
func d(s string) time.Time {
	layout := time.DateOnly
	if len(s) > 10 {
		layout = "2006-01-02 15:04"
	}
	t, err := time.ParseInLocation(layout, s, CST)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkingDay(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		date string
		want bool
	}{
		{"2026-11-25", true},  // an ordinary Wednesday
		{"2026-11-28", false}, // an ordinary Saturday
		{"2026-11-29", false}, // an ordinary Sunday
		{"2026-01-01", false}, // 元旦, Thursday
		{"2026-01-02", false}, // 元旦 调休, Friday
		{"2026-01-04", true},  // make-up Sunday
		{"2026-02-14", true},  // make-up Saturday before 春节
		{"2026-02-16", false}, // 春节, Monday
		{"2026-02-23", false}, // last day of 春节, Monday
		{"2026-02-24", true},
		{"2026-02-28", true}, // make-up Saturday after 春节
		{"2026-04-06", false},
		{"2026-05-05", false},
		{"2026-05-09", true},
		{"2026-06-19", false},
		{"2026-09-20", true}, // make-up Sunday before 国庆
		{"2026-09-25", false},
		{"2026-10-07", false},
		{"2026-10-08", true},
		{"2026-10-10", true}, // make-up Saturday after 国庆
		{"2025-10-08", false},
		{"2025-10-11", true},
		{"2027-01-01", false}, // statutory 元旦
		{"2027-01-04", true},
	} {
		if got := c.IsWorkingDay(d(tc.date)); got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.date, got, tc.want)
		}
	}
}

func TestDeadline(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		name     string
		accepted string
		n        int
		want     string
	}{
		{"n=0 is the acceptance day", "2026-11-25 10:00", 0, "2026-11-25"},
		{"n<0 is the acceptance day", "2026-11-25 10:00", -3, "2026-11-25"},
		{"acceptance day does not count", "2026-11-25 08:00", 1, "2026-11-26"},
		{"low voltage 2 days", "2026-11-25 16:30", 2, "2026-11-27"},
		{"high voltage 5 days over a weekend", "2026-11-25 16:30", 5, "2026-12-02"},
		{"accepted on Friday", "2026-11-27 09:00", 2, "2026-12-01"},
		{"accepted on Saturday", "2026-11-28 09:00", 1, "2026-11-30"},
		{"accepted late at night", "2026-11-27 23:59", 1, "2026-11-30"},
		{"year end onto a make-up Sunday", "2025-12-31 10:00", 1, "2026-01-04"},
		{"year end, two days", "2025-12-31 10:00", 2, "2026-01-05"},
		{"year end into 2027", "2026-12-31 10:00", 1, "2027-01-04"},
		{"year end within December", "2026-12-30 10:00", 1, "2026-12-31"},
		{"before 春节: make-up Saturday counts", "2026-02-13 10:00", 1, "2026-02-14"},
		{"across 春节", "2026-02-13 10:00", 2, "2026-02-24"},
		{"across 春节, five days", "2026-02-13 10:00", 5, "2026-02-27"},
		{"across 春节 onto the make-up Saturday", "2026-02-13 10:00", 6, "2026-02-28"},
		{"accepted during 春节", "2026-02-17 10:00", 2, "2026-02-25"},
		{"across 国庆", "2026-09-30 10:00", 2, "2026-10-09"},
		{"across 国庆 onto the make-up Saturday", "2026-09-30 10:00", 3, "2026-10-10"},
		{"onto the make-up Sunday before 国庆", "2026-09-19 10:00", 1, "2026-09-20"},
		{"中秋 then 国庆", "2026-09-24 10:00", 5, "2026-10-09"},
		{"2025 国庆 and 中秋", "2025-09-30 10:00", 1, "2025-10-09"},
		{"劳动节", "2026-04-30 10:00", 1, "2026-05-06"},
		{"a whole year", "2026-01-01 10:00", 250, "2027-01-05"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Deadline(d(tc.accepted), tc.n)
			if !got.Equal(d(tc.want)) {
				t.Fatalf("Deadline(%s, %d) = %s, want %s", tc.accepted, tc.n, got.Format(time.DateOnly), tc.want)
			}
			if got.Location() != CST || got.Hour() != 0 {
				t.Fatalf("deadline %v is not midnight CST", got)
			}
		})
	}
}

// The acceptance time is read in CST whatever its location: 2026-11-24 17:00 UTC is
// 2026-11-25 01:00 in China.
func TestDeadlineTimeZone(t *testing.T) {
	c := cal(t)
	utc := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	if got := c.Deadline(utc, 0); !got.Equal(d("2026-11-25")) {
		t.Fatalf("got %v", got)
	}
	if c.IsWorkingDay(time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)) {
		t.Fatal("2026-11-27 16:30 UTC is Saturday in China")
	}
}

// Count and Deadline agree, and Count agrees with counting day by day.
func TestCountMatchesDeadline(t *testing.T) {
	c := cal(t)
	for a := d("2024-12-01"); a.Before(d("2028-01-01")); a = a.AddDate(0, 0, 1) {
		for n := 0; n <= 12; n++ {
			dl := c.Deadline(a, n)
			if got := c.Count(a, dl); got != n {
				t.Fatalf("Count(%s, Deadline(%s, %d) = %s) = %d", a.Format(time.DateOnly), a.Format(time.DateOnly), n, dl.Format(time.DateOnly), got)
			}
			if n > 0 && !c.IsWorkingDay(dl) {
				t.Fatalf("Deadline(%s, %d) = %s is not a working day", a.Format(time.DateOnly), n, dl.Format(time.DateOnly))
			}
		}
		naive := 0
		for x := a; !x.After(a.AddDate(0, 0, 40)); x = x.AddDate(0, 0, 1) {
			if x.After(a) && c.IsWorkingDay(x) {
				naive++
			}
		}
		if got := c.Count(a, a.AddDate(0, 0, 40)); got != naive {
			t.Fatalf("Count(%s, +40) = %d, day by day %d", a.Format(time.DateOnly), got, naive)
		}
	}
}

func TestCount(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-11-25", "2026-11-25", 0},
		{"2026-11-25", "2026-11-27", 2},
		{"2026-11-27", "2026-11-25", -2},
		{"2026-02-13", "2026-02-28", 6}, // 2-14, 2-24 … 2-27, 2-28
		{"2026-09-30", "2026-10-10", 3},
		{"2025-12-31", "2026-01-05", 2},
		{"2026-01-01", "2026-12-31", 248}, // Jan 1 is off, so this is all of 2026
	} {
		if got := c.Count(d(tc.from), d(tc.to)); got != tc.want {
			t.Errorf("Count(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

// 2026 has 248 working days: 261 weekdays, less 19 weekday holidays (元旦 2, 春节 6, 清明 1,
// 劳动节 3, 端午 1, 中秋 1, 国庆 5), plus 6 make-up weekend days. A check on the whole year's data.
func TestWorkingDaysIn2026(t *testing.T) {
	c := cal(t)
	if got := c.Count(d("2025-12-31"), d("2026-12-31")); got != 248 {
		t.Fatalf("2026 has %d working days, want 248", got)
	}
}

func TestHugeN(t *testing.T) {
	c := cal(t)
	got := c.Deadline(d("2026-11-25"), 1<<40)
	if got.Before(d("2300-01-01")) {
		t.Fatalf("Deadline with a huge n = %v", got)
	}
}

func TestOfficial(t *testing.T) {
	c := cal(t)
	if !c.Official(d("2026-12-31")) || c.Official(d("2027-01-01")) || c.Official(d("2030-06-01")) {
		t.Fatal("2026 is official, 2027 and 2030 are not")
	}
	if !c.OfficialThrough(d("2025-12-31"), d("2026-01-05")) {
		t.Fatal("2025–2026 is official")
	}
	if c.OfficialThrough(d("2026-12-31"), d("2027-01-04")) {
		t.Fatal("a deadline in 2027 is an estimate")
	}
	ys := c.Years()
	if len(ys) != 3 || ys[0].Year != 2025 || ys[2].Status != Statutory || !strings.Contains(ys[1].Source, "2026") {
		t.Fatalf("years: %+v", ys)
	}
}

func TestHolidayName(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		date, zh, en string
	}{
		{"2026-02-17", "春节", "Spring Festival"},
		{"2026-02-14", "春节", "Spring Festival"}, // its make-up workday
		{"2026-10-03", "国庆节", "National Day"},
		{"2026-11-25", "", ""},
	} {
		zh, ok := c.HolidayName(d(tc.date), i18n.ZH)
		en, _ := c.HolidayName(d(tc.date), i18n.EN)
		if zh != tc.zh || en != tc.en || ok != (tc.zh != "") {
			t.Errorf("HolidayName(%s) = %q/%q/%v", tc.date, zh, en, ok)
		}
	}
}

func TestKept(t *testing.T) {
	dl := d("2026-11-27")
	if !Kept(dl, d("2026-11-27 23:59")) || Kept(dl, d("2026-11-28 00:01")) || !Kept(dl, d("2026-11-20")) {
		t.Fatal("Kept")
	}
}

func TestFormatDate(t *testing.T) {
	if got := FormatDate(d("2026-11-27"), i18n.ZH); got != "2026年11月27日（周五）" {
		t.Fatal(got)
	}
	if got := FormatDate(d("2026-11-27"), i18n.EN); got != "Fri 27 Nov 2026" {
		t.Fatal(got)
	}
	for _, tc := range []struct{ got, want string }{
		{FormatDay(d("2026-11-24"), i18n.ZH), "2026年11月24日"},
		{FormatDay(d("2026-11-24"), i18n.EN), "24 Nov 2026"},
		{FormatMonth("2026-05", i18n.ZH), "2026年5月"},
		{FormatMonth("2026-05", i18n.EN), "May 2026"},
		{FormatMonth("2026年5月", i18n.ZH), "2026年5月"},
		{FormatMonth("", i18n.ZH), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

const good = `
[[year]]
year = 2026
status = "official"
source = "notice"

  [[year.holiday]]
  name = "元旦"
  name_en = "New Year's Day"
  from = 2026-01-01
  to = 2026-01-03
  workdays = [2026-01-04]
`

func TestParseErrors(t *testing.T) {
	if _, err := Parse([]byte(good), "c.toml"); err != nil {
		t.Fatalf("the good calendar: %v", err)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"syntax", `to = 2026-01-03`, `to = 2026-01-`, "c.toml:11:"},
		{"unknown key", `to = 2026-01-03`, `too = 2026-01-03`, "c.toml:11: year.holiday.too: unknown key"},
		{"wrong type", `to = 2026-01-03`, `to = "2026-01-03"`, "c.toml:11: year.holiday.to: write a date like 2026-10-01"},
		{"make-up on a weekday", `workdays = [2026-01-04]`, `workdays = [2026-01-05]`, "c.toml:12: year[0].holiday[0].workdays[0]: 2026-01-05 is a Monday, already a working day"},
		{"both off and worked", `workdays = [2026-01-04]`, `workdays = [2026-01-03]`, "c.toml:12: year[0].holiday[0].workdays[0]: 2026-01-03 is a make-up workday of 元旦 and a day off of 元旦"},
		{"ends before it starts", `to = 2026-01-03`, `to = 2025-12-30`, "c.toml:11: year[0].holiday[0].to: 元旦 (2025-12-30) ends before it starts (2026-01-01)"},
		{"too long", `to = 2026-01-03`, `to = 2026-01-30`, "lasts 30 days"},
		{"far from its year", `from = 2026-01-01`, `from = 2024-01-01`, "c.toml:10: year[0].holiday[0].from: 2024-01-01 is not in or next to year 2026"},
		{"a time, not a date", `from = 2026-01-01`, `from = 2026-01-01T08:00:00`, "is not a date"},
		{"unknown status", `status = "official"`, `status = "rumour"`, `c.toml:4: year[0].status: "rumour" is not a status`},
		{"no source", `source = "notice"`, `source = " "`, "c.toml:5: year[0].source: say where the dates come from"},
		{"statutory with make-up days", `status = "official"`, `status = "statutory"`, "a \"statutory\" year has no make-up workdays"},
		{"no English name", `name_en = "New Year's Day"`, `name_en = ""`, "a holiday needs name and name_en"},
		{"implausible year", `year = 2026`, `year = 1900`, "1900 is not a plausible year"},
		{"duplicate make-up day", `workdays = [2026-01-04]`, `workdays = [2026-01-04, 2026-01-04]`, "given twice as a make-up workday"},
		{"empty", good, "", "the calendar has no [[year]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.old, tc.new, 1)
			_, err := Parse([]byte(src), "c.toml")
			if err == nil {
				t.Fatal("accepted")
			}
			var te *tomlpos.Error
			if !errors.As(err, &te) {
				t.Fatalf("%v is not a *tomlpos.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "workdays: c.toml") {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseCrossYearContradictions(t *testing.T) {
	src := good + `
[[year]]
year = 2026
status = "statutory"
source = "law"
`
	if _, err := Parse([]byte(src), "c.toml"); err == nil || !strings.Contains(err.Error(), "year 2026 is given twice") {
		t.Fatalf("got %v", err)
	}
	overlap := good + `
  [[year.holiday]]
  name = "又一个"
  name_en = "Another"
  from = 2026-01-03
  to = 2026-01-03
`
	if _, err := Parse([]byte(overlap), "c.toml"); err == nil || !strings.Contains(err.Error(), "2026-01-03 is already a day off of 元旦") {
		t.Fatalf("got %v", err)
	}
}
