package info

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/tomlpos"
	"github.com/liangzihu/kiosk/app/workdays"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, workdays.CST)

func set(t *testing.T) *Set {
	t.Helper()
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDefault(t *testing.T) {
	s := set(t)
	var ids []string
	for _, c := range s.Utilities {
		ids = append(ids, c.Utility)
	}
	if strings.Join(ids, " ") != "electricity water gas broadband" {
		t.Fatalf("utilities %v", ids)
	}
	e, _ := s.Utility("electricity")
	if len(e.Tariffs) != 3 || len(e.Tariffs[0].Tiers) != 3 || e.Tariffs[0].Tiers[2].Price != 8580 || e.Tariffs[0].Tiers[1].UpTo != 4800 {
		t.Fatalf("tariffs %+v", e.Tariffs)
	}
	// The national structure: tier 2 is 0.05 and tier 3 0.30 above tier 1.
	tr := e.Tariffs[0].Tiers
	if tr[1].Price-tr[0].Price != 500 || tr[2].Price-tr[0].Price != 3000 {
		t.Fatal("electricity tier steps are +0.05 and +0.30 yuan/kWh")
	}
	// Water 1 : 1.5 : 3 and gas about 1 : 1.2 : 1.5.
	w, _ := s.Utility("water")
	if wt := w.Tariffs[0].Tiers; wt[1].Price*2 != wt[0].Price*3 || wt[2].Price != wt[0].Price*3 {
		t.Fatalf("water tiers %+v", wt)
	}
	g, _ := s.Utility("gas")
	if gt := g.Tariffs[0].Tiers; gt[1].Price*10 != gt[0].Price*12 || gt[2].Price*10 != gt[0].Price*15 {
		t.Fatalf("gas tiers %+v", gt)
	}
	var nums []string
	for _, h := range s.Hotlines() {
		nums = append(nums, h.Number)
	}
	if strings.Join(nums, " ") != "95598 12398 0711-5123456 0711-5987654 10000" {
		t.Fatalf("hotlines %v", nums)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs (go test -update rewrites it); got:\n%s", name, got)
	}
}

func TestDocument(t *testing.T) {
	s := set(t)
	for _, c := range s.Utilities {
		for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
			var b strings.Builder
			for _, p := range c.Document(now) {
				b.WriteString("# " + p.ID + "\n")
				b.WriteString(strings.Join(p.Lines(lang), "\n") + "\n")
			}
			golden(t, c.Utility+"_"+string(lang)+".golden", b.String())
		}
	}
}

func TestNoticesByTime(t *testing.T) {
	e, _ := set(t).Utility("electricity")
	ids := func(at time.Time) string {
		var out []string
		for _, n := range e.VisibleNotices(at) {
			out = append(out, n.ID)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 19, 12, 0, 0, 0, workdays.CST), "2026-11-20-changling"},
		{time.Date(2026, 11, 20, 17, 29, 0, 0, workdays.CST), "2026-11-20-changling"},
		{time.Date(2026, 11, 20, 17, 30, 0, 0, workdays.CST), ""}, // over
		{now, "2026-12-02-zhengjie"},                              // published on the 25th; the island's not yet
		{time.Date(2026, 12, 2, 0, 0, 0, 0, workdays.CST), "2026-12-02-zhengjie 2026-12-09-liangzidao"},
		{time.Date(2026, 12, 10, 0, 0, 0, 0, workdays.CST), ""},
	} {
		if got := ids(tc.at); got != tc.want {
			t.Errorf("at %s: %q, want %q", tc.at, got, tc.want)
		}
	}
	// With no notice left, the page says so.
	pages := e.Document(time.Date(2027, 1, 1, 0, 0, 0, 0, workdays.CST))
	var notices Page
	for _, p := range pages {
		if p.ID == "notices" {
			notices = p
		}
	}
	if len(notices.Sections) != 1 || notices.Sections[0].Paragraphs[0].ZH != "目前没有计划停电的通知。" {
		t.Fatalf("notices page %+v", notices)
	}
}

// A notice under way is marked so, and comes before those still to come; one still to
// come is not marked. Its times are China time with the weekday.
func TestNoticeUnderWayIsMarked(t *testing.T) {
	e, _ := set(t).Utility("electricity")
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, workdays.CST)
	for _, tc := range []struct {
		lang      i18n.Lang
		want      []string
		startWhen string
	}{
		{i18n.ZH, []string{"## 计划停电（正在进行）", "• 时间：2026年12月2日（周三） 08:30 至 17:30", "## 计划停电", "• 时间：2026年12月9日（周三） 07:00 至 19:00"}, "时间："},
		{i18n.EN, []string{"## Planned power cut (now under way)", "• When: Wed 2 Dec 2026 08:30 to 17:30", "## Planned power cut", "• When: Wed 9 Dec 2026 07:00 to 19:00"}, "When: "},
	} {
		var lines []string
		for _, p := range e.Document(at.UTC()) {
			if p.ID != "notices" {
				continue
			}
			for _, l := range p.Lines(tc.lang) {
				if strings.HasPrefix(l, "## ") || strings.Contains(l, tc.startWhen) {
					lines = append(lines, l)
				}
			}
		}
		if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s notices at %s:\n%s\nwant\n%s", tc.lang, at, strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func TestWith(t *testing.T) {
	s := set(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "assets", "info", "water.toml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(strings.Replace(string(data), `version = "2026.11.25"`, `version = "2026.12.01"`, 1)), "pushed.toml")
	if err != nil {
		t.Fatal(err)
	}
	s2 := s.With(c)
	w, _ := s2.Utility("water")
	old, _ := s.Utility("water")
	if w.Version != "2026.12.01" || old.Version != "2026.11.25" || len(s2.Utilities) != 4 || s2.Utilities[1].Utility != "water" {
		t.Fatalf("after the push: %s / %s", w.Version, old.Version)
	}
}

func TestLoadErrors(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("..", "..", "assets", "info", "gas.toml"))
	if _, err := Load([]File{{"a.toml", data}, {"b.toml", data}}); err == nil || !strings.Contains(err.Error(), `utility "gas" is already defined by a.toml`) {
		t.Fatalf("two files for gas: %v", err)
	}
	if _, err := Load(nil); err == nil {
		t.Fatal("no files")
	}
}

const good = `utility = "electricity"
title = "供电信息公开"
title_en = "Electricity"
version = "1"
updated = 2026-11-20

[[tariff]]
id = "residential"
name = "居民"
name_en = "Household"
unit = "元/千瓦时"
unit_en = "yuan/kWh"
usage_name = "用电量"
usage_name_en = "Use"
usage_unit = "千瓦时"
usage_unit_en = "kWh"
period = "year"
tiers = [
  { upto = 2160, price = "0.5580" },
  { upto = 4800, price = "0.6080" },
  { price = "0.8580" },
]

[[page]]
id = "fees"
title = "收费"
title_en = "Fees"

  [[page.section]]
  heading = "办电"
  heading_en = "Connections"
  text = "第一段"
  text_en = "First"
  items = ["甲", "乙"]
  items_en = ["A", "B"]

    [page.section.table]
    header = ["项目", "标准"]
    header_en = ["Item", "Charge"]
    rows = [["新装", "免费"]]

[[access]]
area = "太和镇"
area_en = "Taihe"
substation = "太和变"
substation_en = "Taihe substation"
capacity_mva = "18.0"
status = "open"

[[notice]]
id = "n1"
kind = "outage"
title = "计划停电"
title_en = "Power cut"
area = "正街"
area_en = "Zhengjie"
start = 2026-12-02T08:30:00
end = 2026-12-02T17:30:00

[[hotline]]
number = "95598"
label = "供电"
label_en = "Power"
hours = "24 小时"
hours_en = "24 h"
`

func TestParse(t *testing.T) {
	c, err := Parse([]byte(good), "e.toml")
	if err != nil {
		t.Fatal(err)
	}
	// A local date-time is China Standard Time.
	if n := c.Notices[0]; !n.Start.Equal(time.Date(2026, 12, 2, 0, 30, 0, 0, time.UTC)) {
		t.Fatalf("start %v", n.Start)
	}
	sec := c.Pages[0].Sections[0]
	if len(sec.Paragraphs) != 1 || sec.Items[1].EN != "B" || sec.Table.Rows[0][1].In(i18n.EN) != "免费" {
		t.Fatalf("section %+v", sec)
	}
	lines := c.Document(now)[0].Lines(i18n.ZH)
	want := []string{"电价", "## 居民", "档位 | 年用电量（千瓦时） | 价格（元/千瓦时）", "第一档 | 0–2160 | 0.5580", "第二档 | 2161–4800 | 0.6080", "第三档 | 4801 及以上 | 0.8580"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("tariff page:\n%s", strings.Join(lines, "\n"))
	}
	if Price(5580) != "0.5580" || Price(63000) != "6.3000" {
		t.Fatal("Price")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want, at string
	}{
		{"unknown utility", `utility = "electricity"`, `utility = "power"`, `"power" is not a utility`, `utility = "power"`},
		{"syntax", `version = "1"`, `version = `, `e.toml:4:`, ``},
		{"unknown key", `status = "open"`, `state = "open"`, `access.state: unknown key`, `state = "open"`},
		{"no updated date", `updated = 2026-11-20`, ``, `updated: give the date`, ``},
		{"tiers not increasing", `{ upto = 4800, price = "0.6080" }`, `{ upto = 2000, price = "0.6080" }`, `tariff[0].tiers[1].upto: tier 2 ends at 2000, not above tier 1's 2160`, `{ upto = 2000`},
		{"cheaper higher tier", `{ price = "0.8580" }`, `{ price = "0.5080" }`, `tariff[0].tiers[2].price: tier 3 (0.5080) is cheaper than tier 2 (0.6080)`, `{ price = "0.5080" }`},
		{"bad price", `price = "0.5580"`, `price = "0,558"`, `"0,558" is not a price`, `price = "0,558"`},
		{"last tier bounded", `{ price = "0.8580" }`, `{ upto = 9000, price = "0.8580" }`, `the last tier has no upper bound`, `{ upto = 9000`},
		{"middle tier unbounded", `{ upto = 4800, price = "0.6080" }`, `{ price = "0.6080" }`, `every tier but the last needs upto`, `{ price = "0.6080" }`},
		{"tiered without period", `period = "year"`, `period = "week"`, `a tiered tariff needs period`, `period = "week"`},
		{"row width", `rows = [["新装", "免费"]]`, `rows = [["新装"]]`, `row 1 has 1 cells; the header has 2`, `rows = [["新装"]]`},
		{"header_en width", `header_en = ["Item", "Charge"]`, `header_en = ["Item"]`, `header_en needs 2 cells`, `header_en = ["Item"]`},
		{"items_en length", `items_en = ["A", "B"]`, `items_en = ["A"]`, `items_en has 1 items, items has 2`, `items_en = ["A"]`},
		{"paragraph count", `text_en = "First"`, "text_en = \"\"\"\nFirst\n\nSecond\"\"\"", `text_en has 2 paragraphs, text has 1`, `text_en = """`},
		{"reserved page id", `id = "fees"`, `id = "notices"`, `"notices" is not a page ID`, `id = "notices"`},
		{"unknown access status", `status = "open"`, `status = "full"`, `"full" is not a status`, `status = "full"`},
		{"limited without note", `status = "open"`, `status = "limited"`, `a limited area needs note`, `[[access]]`},
		{"bad capacity", `capacity_mva = "18.0"`, `capacity_mva = "lots"`, `"lots" is not a capacity in MVA`, `capacity_mva = "lots"`},
		{"outage ends before it starts", `end = 2026-12-02T17:30:00`, `end = 2026-12-02T07:30:00`, `notice "n1" ends`, `end = 2026-12-02T07:30:00`},
		{"outage too long", `end = 2026-12-02T17:30:00`, `end = 2027-02-02T17:30:00`, `more than 30 days`, `end = 2027-02-02T17:30:00`},
		{"notice time as a string", `end = 2026-12-02T17:30:00`, `end = "2026-12-02 17:30"`, `write a date-time like`, `end = "2026-12-02 17:30"`},
		{"unknown notice kind", `kind = "outage"`, `kind = "cut"`, `"cut" is not a kind`, `kind = "cut"`},
		{"bad hotline", `number = "95598"`, `number = "九五五九八"`, `is not a telephone number`, `number = "九五五九八"`},
		{"no hotline", "[[hotline]]\nnumber = \"95598\"\nlabel = \"供电\"\nlabel_en = \"Power\"\nhours = \"24 小时\"\nhours_en = \"24 h\"\n", "", `at least one [[hotline]] is required`, ``},
		{"a title too long for the screen", `title = "计划停电"`, `title = "` + strings.Repeat("停", 81) + `"`, `notice[0].title: 81 characters, at most 80: a text this long cannot be shown`, `title = "停停`},
		{"a tariff note too long", `usage_unit_en = "kWh"`, "usage_unit_en = \"kWh\"\nnote = \"" + strings.Repeat("注", 501) + "\"", `tariff[0].note: 501 characters, at most 500`, `note = "注`},
		{"a paragraph too long for a page", `text = "第一段"`, "text = \"\"\"\n" + strings.Repeat("段", 501) + "\"\"\"", `page[0].section[0].text: a paragraph of 501 characters, at most 500: one this long does not fit on a page`, `text = """`},
		{"a huge text", `text = "第一段"`, `text = "` + strings.Repeat("很长", 100000) + `"`, `page[0].section[0].text: 200000 characters, at most 2000`, `text = "很长`},
		{"empty section", "  text = \"第一段\"\n  text_en = \"First\"\n  items = [\"甲\", \"乙\"]\n  items_en = [\"A\", \"B\"]\n\n    [page.section.table]\n    header = [\"项目\", \"标准\"]\n    header_en = [\"Item\", \"Charge\"]\n    rows = [[\"新装\", \"免费\"]]\n", "", `section "办电" is empty`, `[[page.section]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("no %q in the good file", tc.old)
			}
			src := strings.Replace(good, tc.old, tc.new, 1)
			_, err := Parse([]byte(src), "e.toml")
			if err == nil {
				t.Fatal("accepted")
			}
			var te *tomlpos.Error
			if !errors.As(err, &te) {
				t.Fatalf("%v is not a *tomlpos.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			if tc.at != "" {
				i := strings.Index(src, tc.at)
				line := strings.Count(src[:i], "\n") + 1
				if te.Line != line {
					t.Fatalf("error %q on line %d, want %d", err, te.Line, line)
				}
			}
		})
	}
}

// The shipped information is whole in English: a file may leave a long text's English
// out (it is then shown in Chinese), the kiosk's own files do not, on any day a notice
// shows.
func TestDefaultIsWholeInEnglish(t *testing.T) {
	han := func(r rune) bool { return unicode.Is(unicode.Han, r) }
	for _, c := range set(t).Utilities {
		for _, at := range []time.Time{now, time.Date(2026, 11, 20, 9, 0, 0, 0, workdays.CST), time.Date(2026, 12, 9, 9, 0, 0, 0, workdays.CST)} {
			for _, p := range c.Document(at) {
				for _, l := range p.Lines(i18n.EN) {
					if strings.ContainsFunc(l, han) {
						t.Errorf("%s %s in English: %q", c.Utility, p.ID, l)
					}
				}
			}
		}
	}
}
