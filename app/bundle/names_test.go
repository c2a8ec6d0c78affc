package bundle

import (
	"errors"
	"strings"
	"testing"
)

// A utility's headlines may say its own name as it likes, and no other utility's: in
// Chinese as written, in English whatever the case.
func TestCheckNames(t *testing.T) {
	others := map[string][]string{
		"electricity": {"供电", "Electricity", "国网梁子湖区供电公司"},
		"water":       {"供水", "Water", "梁子湖区自来水公司"},
	}
	head := func(text string) []Headline {
		return []Headline{{File: "bundle water v2/info.toml", Key: "title", Text: text}}
	}
	for _, ok := range []string{"供水信息公开", "Water: public information", "梁子湖区自来水公司 · 信息公开", ""} {
		if err := CheckNames("water", head(ok), others); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{"供电信息公开", `bundle water v2/info.toml: title "供电信息公开" holds "供电", the name of utility electricity`},
		{"国网梁子湖区供电公司", `holds "供电", the name of utility electricity`},
		{"ELECTRICITY: public information", `holds "Electricity", the name of utility electricity`},
	} {
		err := CheckNames("water", head(tc.text), others)
		if !errors.Is(err, ErrScope) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want …%s…", tc.text, err, tc.want)
		}
	}
}
