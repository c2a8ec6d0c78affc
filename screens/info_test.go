package screens_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// In 大字模式 a tariff's table is never on a page without the tariff's name: an elderly
// citizen paging to a tier table knows which tariff it prices. Each utility's prices
// (broadband's are its plans), in both languages.
func TestElderlyTariffTablesKeepTheirTitle(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, prices := range []struct{ utility, page string }{
			{"electricity", "tariffs"}, {"water", "tariffs"}, {"gas", "tariffs"}, {"broadband", "plans"},
		} {
			t.Run(string(lang)+"-"+prices.utility, func(t *testing.T) {
				h := screentest.New(t, screentest.Options{})
				h.Shell.SetElderly(true)
				c, ok := h.K.Info().Utility(prices.utility)
				if !ok {
					t.Fatalf("no information of %s", prices.utility)
				}
				doc := c.Document(h.K.Clock.Now())
				i := slices.IndexFunc(doc, func(p info.Page) bool { return p.ID == prices.page })
				if i < 0 {
					t.Fatalf("%s has no page %q", prices.utility, prices.page)
				}
				tariffs := doc[i]
				h.Tap("信息公开")
				h.TapSeeking(tariffs.Title.In(i18n.ZH)) // the harness pages with 下一页
				if lang == i18n.EN {
					h.Shell.ToggleLanguage()
				}
				shown := map[int]bool{} // the sections whose table was on some page
				for page := 1; ; page++ {
					headings, text := pageText(h)
					for s, sec := range tariffs.Sections {
						if sec.Table == nil || !showsARow(text, sec.Table, lang) {
							continue
						}
						shown[s] = true
						title := sec.Heading.In(lang)
						if !slices.ContainsFunc(headings, func(h string) bool { return strings.HasPrefix(h, title) }) {
							t.Errorf("page %d shows the table of %q without its title; the page's headings are %q", page, title, headings)
						}
					}
					if !h.CanTap(h.Shell.T("nav.next_page")) {
						break
					}
					h.Tap(h.Shell.T("nav.next_page"))
				}
				for s, sec := range tariffs.Sections {
					if sec.Table != nil && !shown[s] {
						t.Errorf("the table of %q is on no page", sec.Heading.In(lang))
					}
				}
			})
		}
	}
}

// pageText is what the screen shows: its headings, and all its text, one piece a line.
func pageText(h *screentest.H) (headings []string, text string) {
	var all []string
	for _, o := range h.Objects() {
		switch o := o.(type) {
		case *touch.Heading:
			headings = append(headings, o.String())
		case *touch.Paragraph:
			all = append(all, o.String())
		case *canvas.Text:
			all = append(all, o.Text)
		}
	}
	return headings, strings.Join(all, "\n")
}

// showsARow reports whether text holds every cell of some row of the table.
func showsARow(text string, t *info.Table, lang i18n.Lang) bool {
	for _, r := range t.Rows {
		all := true
		for _, c := range r {
			all = all && strings.Contains(text, c.In(lang))
		}
		if all {
			return true
		}
	}
	return false
}
