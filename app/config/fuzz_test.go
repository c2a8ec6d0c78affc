package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/assets"
)

// FuzzParse feeds configuration files to the parser: any input gives a configuration
// that passed validation or a *config.Error naming the file, never a panic or a hang.
// Seeds: the shipped files, the refused ones of TestBadConfigurationIsRefused and
// testdata/fuzz/FuzzParse. Run: go test ./app/config -run '^$' -fuzz FuzzParse -fuzztime 2m
// -fuzzminimizetime 2s (minimising a new input of a 3 KB file takes a minute otherwise).
func FuzzParse(f *testing.F) {
	f.Add(assets.ExampleConfig)
	f.Add(assets.DefaultConfig)
	for _, s := range []string{
		"[kiosk]\nidle_timeout = \"soon\"\n",
		"[kiosk]\nidle_timeout = \"5s\"\n",
		"[[utilities]]\nid = \"electricity\"\nbase_url = \"http://example.cn\"\n",
		"[devices.printer]\npaper = \"99mm\"\n",
		"\xff\xfe",
		"[kiosk\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.toml")
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "config: fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c == nil {
			t.Fatal("no configuration and no error")
		}
	})
}
