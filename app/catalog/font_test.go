package catalog

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/go-text/typesetting/font"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/assets"
)

// Every character the catalogue, the public information and the calendar can put on a
// screen or a receipt is in the bundled font: the TOML files themselves and the text the
// Go code composes from them (prompts, messages, review rows, summaries, info pages). When
// this fails, run scripts/build-font.sh (it scans assets/*.toml, assets/catalog/*.toml and
// assets/info/*.toml) and commit the font.
func TestFontCoversCatalogText(t *testing.T) {
	face, err := font.ParseTTF(bytes.NewReader(assets.Font))
	if err != nil {
		t.Fatalf("the bundled font does not parse: %v", err)
	}
	texts := map[string]string{"assets/calendar.toml": string(assets.Calendar)}
	for dir, fsys := range map[string]fs.FS{"assets/catalog": assets.Catalog, "assets/info": assets.Info} {
		names, _ := fs.Glob(fsys, "*.toml")
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				t.Fatal(err)
			}
			texts[dir+"/"+n] = string(b)
		}
	}
	var composed []string
	c := defaultCatalog(t)
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, u := range c.Utilities {
			for _, s := range u.Services {
				f, err := c.NewForm(env(t, now), s)
				if err != nil {
					t.Fatal(err)
				}
				a := answers(f)
				for _, row := range f.Review(a, lang) {
					composed = append(composed, row.Section, row.Label, row.Value)
				}
				for _, in := range f.Inputs() {
					for _, p := range []*Problem{f.Check(in.Key, "x", a), f.Check(in.Key, "999999999", a), f.CheckTyping(in.Key, "1.2345"), requiredProblem(in.Field)} {
						if p != nil {
							composed = append(composed, p.Msg.In(lang))
						}
					}
					if ch, err := f.Options(in.Key, "", a); err == nil {
						composed = append(composed, ch.Prompt.In(lang))
						for _, o := range ch.Options {
							composed = append(composed, o.Label.In(lang))
						}
					}
				}
				for _, o := range f.Evaluate(a, now) {
					for _, row := range o.Summary(lang) {
						composed = append(composed, row.Label, row.Value)
					}
				}
			}
		}
		for _, p := range levelPrompts {
			composed = append(composed, p.In(lang))
		}
		set, err := info.Default()
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range set.Utilities {
			for _, p := range ct.Document(now) {
				composed = append(composed, p.Lines(lang)...)
			}
		}
	}
	texts["composed by app/catalog and app/info"] = strings.Join(composed, "\n")
	missing := map[rune][]string{}
	for where, s := range texts {
		for _, r := range s {
			if r == '\n' || r == '\t' || r == '\r' {
				continue
			}
			if _, ok := face.NominalGlyph(r); !ok {
				missing[r] = append(missing[r], where)
			}
		}
	}
	if len(missing) > 0 {
		var lines []string
		for r, where := range missing {
			sort.Strings(where)
			lines = append(lines, fmt.Sprintf("%q U+%04X in %s", r, r, where[0]))
		}
		sort.Strings(lines)
		t.Fatalf("the bundled font lacks %d characters (run scripts/build-font.sh):\n%s", len(missing), strings.Join(lines, "\n"))
	}
}
