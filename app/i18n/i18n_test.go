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
	}
	for _, k := range Keys(en) {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh lacks %q", k)
		}
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
