package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
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
// a section of text is a loose group, every paragraph and item a block of its own, so
// that pages break anywhere; a section with a table (a tariff: its name, its tier table
// and what the table means) is shown whole where it fits a page, its table beside its
// text where the two fit side by side, and otherwise as its rows, its heading again on
// each page they go on to: a tier table is never shown without the name of its tariff.
func infoDocPage(s *Shell, c *info.Content, p info.Page) Page {
	return Page{Name: "info-page", TitleKey: "tile.info", Build: func() fyne.CanvasObject {
		lang := s.K.Text.Lang()
		head := heading(c.Title.In(lang) + " · " + p.Title.In(lang))
		var blocks []fyne.CanvasObject
		for _, sec := range p.Sections {
			title := sec.Heading.In(lang)
			text, table := s.infoRows(sec)
			rows := append(text, table...)
			switch {
			case !s.K.Elderly():
				blocks = append(blocks, s.panel(title, rows...))
			case sec.Table == nil:
				blocks = append(blocks, touch.NewGroup(title, rows...))
			default:
				blocks = append(blocks, touch.NewKeptGroup(title, s.infoWhole(sec), rows...))
			}
		}
		return container.NewBorder(head, nil, nil, nil, s.pager(blocks...))
	}}
}

// infoRows are a section's rows: its paragraphs and items, and its table.
func (s *Shell) infoRows(sec info.Section) (text, table []fyne.CanvasObject) {
	lang := s.K.Text.Lang()
	for _, para := range sec.Paragraphs {
		text = append(text, note(para.In(lang), widget.MediumImportance))
	}
	for _, it := range sec.Items {
		text = append(text, bullet(it.In(lang)))
	}
	if t := sec.Table; t != nil {
		table = s.infoTable(t)
	}
	return text, table
}

// infoWhole is a section with a table as 大字模式 shows it whole, under its heading: the
// table at its own width with the text beside it, when the table is one block no wider
// than three fifths of the screen (a tier table, a price line) and there is text; else
// the text over the table. Its objects are its own (touch.NewKeptGroup says why).
func (s *Shell) infoWhole(sec info.Section) fyne.CanvasObject {
	text, table := s.infoRows(sec)
	if len(text) > 0 && len(table) == 1 {
		if w, most := naturalWidth(table[0]), s.bodySize.Width*3/5; w <= most {
			if _, line := table[0].(*touch.Paragraph); !line {
				// A table gives what it has over its columns' widths to its first: its
				// row names (第一档) stand apart from the figures.
				w = min(w+2*ft.Size(ft.SizeNameInnerPadding), most)
			}
			return container.New(besideLayout{left: w}, table[0], container.New(layout.NewCustomPaddedVBoxLayout(0), text...))
		}
	}
	return container.New(layout.NewCustomPaddedVBoxLayout(0), append(text, table...)...)
}

// naturalWidth is how wide o is without wrapping: a paragraph's one line, another
// object's minimum width.
func naturalWidth(o fyne.CanvasObject) float32 {
	if p, ok := o.(*touch.Paragraph); ok {
		return fyne.MeasureText(p.String(), ft.Size(ft.SizeNameText), fyne.TextStyle{}).Width + 2*ft.Size(ft.SizeNameInnerPadding)
	}
	return o.MinSize().Width
}

// besideLayout puts its first object at width left and its second in the rest of the
// width beside it, both from the top: a table and the text that explains it.
type besideLayout struct{ left float32 }

func (l besideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := ft.Size(ft.SizeNamePadding)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(l.left, size.Height))
	objs[1].Move(fyne.NewPos(l.left+gap, 0))
	objs[1].Resize(fyne.NewSize(max(size.Width-l.left-gap, 0), size.Height))
}

// MinSize is as high as the higher of the two at the widths the last layout gave them
// (wrapped text is as high as its width makes it).
func (l besideLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(l.left+ft.Size(ft.SizeNamePadding)+b.Width, max(a.Height, b.Height))
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
		// In 大字模式 a table of one row is a line: its header over it took a second one.
		if m := grid.MinSize(); !s.K.Elderly() || len(t.Rows) > 1 && m.Width <= s.bodySize.Width && m.Height <= s.bodySize.Height/2 {
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
