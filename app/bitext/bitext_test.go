package bitext

import (
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
)

func TestIn(t *testing.T) {
	for _, tc := range []struct {
		t    Text
		lang i18n.Lang
		want string
	}{
		{New("供电", "Electricity"), i18n.ZH, "供电"},
		{New("供电", "Electricity"), i18n.EN, "Electricity"},
		{New("供电", ""), i18n.EN, "供电"},
		{Text{}, i18n.ZH, ""},
	} {
		if got := tc.t.In(tc.lang); got != tc.want {
			t.Errorf("%+v.In(%s) = %q, want %q", tc.t, tc.lang, got, tc.want)
		}
	}
	if !(Text{}).IsZero() || New("a", "").IsZero() || New("a", "b").String() != "a" {
		t.Fatal("IsZero/String")
	}
}

func TestLimit(t *testing.T) {
	for key, want := range map[string]int{"name": MaxLine, "label_en": MaxLine, "description_en": MaxParagraph, "items": MaxParagraph,
		"text": MaxSection, "text_en": MaxSection, "pattern": maxPattern, "rows": MaxLine} {
		if got := Limit(key); got != want {
			t.Errorf("Limit(%q) = %d, want %d", key, got, want)
		}
	}
}
