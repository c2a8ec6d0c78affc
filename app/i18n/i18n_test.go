package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// English is complete: the same keys as Chinese, the same {n} arguments, nothing empty.
func TestLanguagesComplete(t *testing.T) {
	tables, err := Tables()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := tables[ZH], tables[EN]
	if len(zh) < 10 {
		t.Fatalf("only %d Chinese strings", len(zh))
	}
	args := regexp.MustCompile(`\{\d\}`)
	for _, k := range Keys(zh) {
		e, ok := en[k]
		if !ok {
			t.Errorf("en lacks %q", k)
			continue
		}
		if zh[k] == "" || e == "" {
			t.Errorf("%q is empty", k)
		}
		if a, b := args.FindAllString(zh[k], -1), args.FindAllString(e, -1); len(a) != len(b) {
			t.Errorf("%q: arguments differ: zh %v, en %v", k, a, b)
		}
		// A plural agrees with an argument the text has.
		for _, text := range []string{zh[k], e} {
			for _, m := range plural.FindAllStringSubmatch(text, -1) {
				if !strings.Contains(text, "{"+m[1]+"}") {
					t.Errorf("%q: %s agrees with no argument {%s}", k, m[0], m[1])
				}
			}
		}
	}
	for _, k := range Keys(en) {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh lacks %q", k)
		}
	}
}

// English is English: a foreign resident reads no Chinese and no Chinese punctuation in
// the kiosk's own words (a utility's name or message, a citizen's name, come as they
// are). The language button names Chinese in Chinese: it is for those who read it.
func TestEnglishHasNoChinese(t *testing.T) {
	tables, err := Tables()
	if err != nil {
		t.Fatal(err)
	}
	chinese := regexp.MustCompile(`[\p{Han}，。；：、（）“”！？【】《》]`)
	// Plural forms the text means to offer, as {0:bill|bills}, are checked whole by
	// TestLanguagesComplete; a stray one would show its braces.
	braces := regexp.MustCompile(`\{[^}]*$|\{[^0-9]|\{\d[^}:]`)
	for _, k := range Keys(tables[EN]) {
		e := tables[EN][k]
		if k == "footer.language" {
			continue
		}
		if chinese.MatchString(e) {
			t.Errorf("%q is not all English: %q", k, e)
		}
		if braces.MatchString(e) {
			t.Errorf("%q has a brace that is no argument: %q", k, e)
		}
	}
}

// English words agree with their numbers: 1 bill, 2 bills.
func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		text string
		args []any
		want string
	}{
		{"Pay {0} {0:bill|bills} ({1})", []any{1, "￥9.00"}, "Pay 1 bill (￥9.00)"},
		{"Pay {0} {0:bill|bills} ({1})", []any{2, "￥9.00"}, "Pay 2 bills (￥9.00)"},
		{"Pay {0} {0:bill|bills} ({1})", []any{0, "￥0.00"}, "Pay 0 bills (￥0.00)"},
		{"{0} {0:application|applications} · {1} {1:transfer|transfers}", []any{1, 3}, "1 application · 3 transfers"},
		{"{0} {0:day|days}", []any{"1"}, "1 day"},
		{"{0} {0:day|days}", []any{11}, "11 days"},
		{"{1:a|b}", []any{1}, "{1:a|b}"}, // no such argument: left for the tests to see
		{"{0}: {1}", []any{"a", "b"}, "a: b"},
	} {
		if got := format(tc.text, tc.args); got != tc.want {
			t.Errorf("format(%q, %v) = %q, want %q", tc.text, tc.args, got, tc.want)
		}
	}
	c, err := New(EN)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("bills.pay", 1, "￥9.00"); got != "Pay 1 bill (￥9.00)" {
		t.Errorf("bills.pay = %q", got)
	}
}

func TestTranslate(t *testing.T) {
	c, err := New(ZH)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("idle.message", 7); got != "长时间未操作，7秒后将退出办理并清除您的信息" {
		t.Fatalf("T = %q", got)
	}
	if got := c.T("no.such.key"); got != "[no.such.key]" {
		t.Fatalf("missing key = %q", got)
	}
	if c.Pick("中", "en") != "中" {
		t.Fatal("Pick in Chinese")
	}
	if err := c.SetLang(EN); err != nil {
		t.Fatal(err)
	}
	if c.Pick("中", "en") != "en" || c.Pick("中", "") != "中" {
		t.Fatal("Pick in English")
	}
	if !c.Has("track.state.done") || !c.HasIn(ZH, "track.state.done") || c.HasIn(ZH, "track.state.frozen") {
		t.Fatal("Has / HasIn")
	}
	if err := c.SetLang("fr"); err == nil {
		t.Fatal("unknown language accepted")
	}
}

// A utility's Chinese word is English in English when the glossary lists it whole, and
// as it came otherwise; every entry has real English.
func TestTerms(t *testing.T) {
	c, err := New(ZH)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Term("居民"); got != "居民" {
		t.Errorf("Chinese: %q", got)
	}
	if err := c.SetLang(EN); err != nil {
		t.Fatal(err)
	}
	for zh, want := range map[string]string{"居民": "Residential", "居民阶梯电价": "Residential tiered tariff", "月": "month",
		"居民用户": "居民用户", "": ""} {
		if got := c.Term(zh); got != want {
			t.Errorf("Term(%q) = %q, want %q", zh, got, want)
		}
	}
	han := regexp.MustCompile(`\p{Han}`)
	if len(c.terms) < 10 {
		t.Fatalf("only %d terms", len(c.terms))
	}
	for zh, en := range c.terms {
		if strings.TrimSpace(en) == "" || han.MatchString(en) || !han.MatchString(zh) {
			t.Errorf("term %q = %q", zh, en)
		}
	}
}
