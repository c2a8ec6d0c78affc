package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/screens/touch"
)

// infoPage is 信息公开: each utility's tariffs with their tier tables, fees, guides,
// commitments, network access limits, outage notices and hotlines, from the utilities'
// own content. Everything reads page by page with 上一页 / 下一页.
func infoPage(s *Shell) Page {
	return Page{Name: "info", TitleKey: "tile.info", Build: func() fyne.CanvasObject {
		var blocks, groups []fyne.CanvasObject
		for _, c := range s.K.Info().Utilities {
			c := c
			var rows []fyne.CanvasObject
			for _, p := range c.Document(s.K.Clock.Now()) {
				p := p
				rows = append(rows, touch.NewRow(p.Title.In(s.K.Text.Lang()), "", "›", s.Tap(func() {
					s.Show(infoDocPage(s, c, p))
				})))
			}
			if s.K.Elderly() {
				// Two rows a block: a utility's list to a page (four pages, where a row a
				// block took six), and a list that goes on to another page is titled
				// there again: 收费项目与标准 of which utility.
				var lines []fyne.CanvasObject
				for i := 0; i < len(rows); i += 2 {
					lines = append(lines, container.NewGridWithColumns(2, rows[i:min(i+2, len(rows))]...))
				}
				groups = append(groups, touch.NewGroup(c.Title.In(s.K.Text.Lang()), lines...))
				continue
			}
			blocks = append(blocks, s.panel(c.Title.In(s.K.Text.Lang()), rows...))
		}
		if s.K.Elderly() {
			return s.pager(groups...)
		}
		var pairs []fyne.CanvasObject
		for i := 0; i < len(blocks); i += 2 {
			pair := blocks[i:min(i+2, len(blocks))]
			pairs = append(pairs, container.NewGridWithColumns(2, pair...))
		}
		return s.pager(pairs...)
	}}
}

// infoDocPage reads one page of a utility's information, section by section. In 大字模式
// every paragraph, item and table row is a block of its own, so that pages break
// anywhere, and a section that goes on to another page starts it with its heading
// again: a tier table is never shown without the name of its tariff.
func infoDocPage(s *Shell, c *info.Content, p info.Page) Page {
	return Page{Name: "info-page", TitleKey: "tile.info", Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		head := heading(c.Title.In(lang) + " · " + p.Title.In(lang))
		var blocks []fyne.CanvasObject
		for _, sec := range p.Sections {
			var rows []fyne.CanvasObject
			for _, para := range sec.Paragraphs {
				rows = append(rows, note(para.In(lang), widget.MediumImportance))
			}
			for _, it := range sec.Items {
				rows = append(rows, bullet(it.In(lang)))
			}
			if t := sec.Table; t != nil {
				rows = append(rows, s.infoTable(t)...)
			}
			if s.K.Elderly() {
				blocks = append(blocks, touch.NewGroup(sec.Heading.In(lang), rows...))
				continue
			}
			blocks = append(blocks, s.panel(sec.Heading.In(lang), rows...))
		}
		return container.NewBorder(head, nil, nil, nil, s.pager(blocks...))
	}}
}

// infoTable draws a table as a grid where it fits: up to four columns, and in
// 大字模式 as wide as the screen and half as high (a tier table: its rows side by side
// to compare). Any other is one line per row, so that nothing runs off the screen and
// pages break between rows.
func (s *Shell) infoTable(t *info.Table) []fyne.CanvasObject {
	lang := s.K.Text.Lang()
	if len(t.Header) <= 4 {
		var head []string
		for _, h := range t.Header {
			head = append(head, h.In(lang))
		}
		g := s.table(head)
		for _, r := range t.Rows {
			var cells []string
			for _, c := range r {
				cells = append(cells, c.In(lang))
			}
			g.add(cells...)
		}
		grid := g.object()
		if m := grid.MinSize(); !s.K.Elderly() || m.Width <= s.bodySize.Width && m.Height <= s.bodySize.Height/2 {
			return []fyne.CanvasObject{grid}
		}
	}
	colon, semicolon := "：", "；"
	if lang == i18n.EN {
		colon, semicolon = ": ", "; "
	}
	var lines []fyne.CanvasObject
	for _, r := range t.Rows {
		var parts []string
		for i, c := range r {
			if v := c.In(lang); v != "" {
				parts = append(parts, t.Header[i].In(lang)+colon+v)
			}
		}
		lines = append(lines, note(strings.Join(parts, semicolon), widget.MediumImportance))
	}
	return lines
}
