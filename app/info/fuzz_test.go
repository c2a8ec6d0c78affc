package info

import (
	"io/fs"
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/assets"
)

// Any text is parsed or refused; what parses renders.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(assets.Info, "*.toml")
	for _, n := range names {
		b, err := fs.ReadFile(assets.Info, n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(good))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.toml")
		if err != nil {
			return
		}
		for _, p := range c.Document(now) {
			p.Lines(i18n.ZH)
			p.Lines(i18n.EN)
		}
	})
}
