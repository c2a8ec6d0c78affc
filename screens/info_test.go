package screens_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"

	"github.com/liangzihu/kiosk/app/bitext"
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

// In 大字模式 a tariff's name, its table and its note are on one page where they fit
// one (they do, for every tariff shipped): a citizen does not read what the prices mean
// on one page and the prices on the next. Flat tariffs share a page: each utility's
// prices take a page for each tiered tariff and one more at most (they took a page for
// a tariff's note and one for its table, four for the three electricity tariffs).
func TestElderlyTariffsStayTogether(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, utility := range []string{"electricity", "water", "gas"} {
			t.Run(string(lang)+"-"+utility, func(t *testing.T) {
				h := screentest.New(t, screentest.Options{})
				h.Shell.SetElderly(true)
				c, _ := h.K.Info().Utility(utility)
				h.Tap("信息公开")
				h.TapSeeking(c.Document(h.K.Clock.Now())[0].Title.In(i18n.ZH))
				if lang == i18n.EN {
					h.Shell.ToggleLanguage()
				}
				pages := 0
				for {
					pages++
					headings, text := pageText(h)
					for _, tr := range c.Tariffs {
						name := tr.Name.In(lang)
						onPage := []bool{slices.Contains(headings, name), strings.Contains(text, tr.Tiers[0].PriceText)}
						if note := tr.Note.In(lang); note != "" {
							onPage = append(onPage, strings.Contains(text, note))
						}
						if slices.Contains(onPage, true) && slices.Contains(onPage, false) {
							t.Errorf("page %d shows part of %q (name, first price, note: %v)", pages, name, onPage)
						}
					}
					if !h.CanTap(h.Shell.T("nav.next_page")) {
						break
					}
					h.Tap(h.Shell.T("nav.next_page"))
				}
				tiered := 0
				for _, tr := range c.Tariffs {
					if len(tr.Tiers) > 1 {
						tiered++
					}
				}
				if pages > tiered+1 {
					t.Errorf("%d tariffs (%d tiered) take %d pages", len(c.Tariffs), tiered, pages)
				}
			})
		}
	}
}

// Every page of every utility's information, in both sizes and both languages, fits
// the screen without scrolling or a block cut off, and keeps its touch targets and gaps:
// the English is longer than the Chinese, and 大字模式 larger.
func TestInfoEveryPageFits(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
			t.Run(modeName(elderly)+"-"+string(lang), func(t *testing.T) {
				h := screentest.New(t, screentest.Options{})
				h.Shell.SetElderly(elderly)
				if lang == i18n.EN {
					h.Shell.ToggleLanguage()
				}
				screens := 0
				every := func(name string) {
					for {
						screens++
						h.Check("", name)
						if !h.CanTap(h.Shell.T("nav.next_page")) {
							return
						}
						h.Tap(h.Shell.T("nav.next_page"))
					}
				}
				h.Tap(h.Shell.T("tile.info"))
				every("info")
				for _, c := range h.K.Info().Utilities {
					for _, p := range c.Document(h.K.Clock.Now()) {
						h.Shell.ShowInfo(c, p)
						every(c.Utility + "-" + p.ID)
					}
				}
				if screens < 30 {
					t.Errorf("%d pages seen; the shipped information has more", screens)
				}
			})
		}
	}
}

// In 大字模式 each page of the shipped information takes at most the pages it takes
// now, in each language: a table is a grid whose rows break between pages, its header
// again on each, a list's items stand closer, and the page's title heads its first page
// only. Before, an elderly citizen paged seven times to compare six towns' grid capacity
// (a row a page, as a paragraph), and five or six through fees, guides or commitments.
// Each page that shows a row of a table shows the table's header too.
func TestElderlyInfoPageCounts(t *testing.T) {
	most := map[string][2]int{ // page: the most pages in Chinese, in English
		"electricity-tariffs": {2, 2}, "electricity-fees": {3, 5}, "electricity-guides": {4, 4},
		"electricity-commitments": {3, 4}, "electricity-access": {3, 3}, "electricity-notices": {1, 1},
		"electricity-hotlines": {1, 1},
		"water-tariffs":        {2, 2}, "water-fees": {2, 3}, "water-guides": {2, 2}, "water-commitments": {1, 2},
		"water-notices": {1, 1}, "water-hotlines": {1, 1},
		"gas-tariffs": {1, 1}, "gas-fees": {2, 2}, "gas-safety": {1, 1}, "gas-commitments": {1, 2},
		"gas-notices": {1, 1}, "gas-hotlines": {1, 1},
		"broadband-plans": {3, 3}, "broadband-commitments": {1, 1}, "broadband-notices": {1, 1},
		"broadband-hotlines": {1, 1},
	}
	for i, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		t.Run(string(lang), func(t *testing.T) {
			h := screentest.New(t, screentest.Options{})
			h.Shell.SetElderly(true)
			if lang == i18n.EN {
				h.Shell.ToggleLanguage()
			}
			for _, c := range h.K.Info().Utilities {
				for _, p := range c.Document(h.K.Clock.Now()) {
					id := c.Utility + "-" + p.ID
					want, ok := most[id]
					if !ok {
						t.Errorf("page %s has no most pages in the test: add it", id)
						continue
					}
					h.Shell.ShowInfo(c, p)
					pages := 0
					for {
						pages++
						_, text := pageText(h)
						for _, sec := range p.Sections {
							if tb := sec.Table; tb != nil && len(tb.Rows) > 1 && showsARow(text, tb, lang) &&
								!slices.Contains(strings.Split(text, "\n"), tb.Header[0].In(lang)) {
								t.Errorf("%s page %d shows a row of %q without its header", id, pages, sec.Heading.In(lang))
							}
						}
						if !h.CanTap(h.Shell.T("nav.next_page")) {
							break
						}
						h.Tap(h.Shell.T("nav.next_page"))
					}
					if pages > want[i] {
						t.Errorf("%s takes %d pages; it took %d when this test was written", id, pages, want[i])
					}
				}
			}
		})
	}
}

// In 大字模式 a table too wide for even two of its columns side by side is a block per
// row: its first cell over the others as "label：value", every page fitting the screen.
func TestElderlyTableTooWideForColumns(t *testing.T) {
	h := screentest.New(t, screentest.Options{})
	h.Shell.SetElderly(true)
	c, _ := h.K.Info().Utility("electricity")
	long := strings.Repeat("低压居民新装及增容改造", 4)
	tb := &info.Table{Header: []bitext.Text{bitext.New("收费项目", "Item"), bitext.New("收费标准", "Charge")}}
	for range 6 {
		tb.Rows = append(tb.Rows, []bitext.Text{bitext.New(long, long), bitext.New("免费", "free")})
	}
	h.Shell.ShowInfo(c, info.Page{ID: "wide", Title: bitext.New("收费", "Fees"), Sections: []info.Section{{Heading: bitext.New("办电收费", "Fees"), Table: tb}}})
	rows := 0
	for page := 1; ; page++ {
		h.Check("", "wide")
		items, charges := 0, 0
		for _, o := range h.Objects() {
			if p, ok := o.(*touch.Paragraph); ok {
				switch p.String() {
				case long:
					items++
				case "收费标准：免费":
					charges++
				}
			}
		}
		if items != charges {
			t.Errorf("page %d shows %d items and %d charges", page, items, charges)
		}
		rows += items
		if !h.CanTap(h.Shell.T("nav.next_page")) {
			break
		}
		h.Tap(h.Shell.T("nav.next_page"))
	}
	if rows != len(tb.Rows) {
		t.Errorf("%d rows shown with their first cell a line of its own, want %d", rows, len(tb.Rows))
	}
}
