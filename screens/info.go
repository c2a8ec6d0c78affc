package screens

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app/bitext"
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
		// The page's title heads its first page; the pages after it start with the
		// title of the section they go on with (（续）): a title on every page took a
		// line or two of each, which in 大字模式 held a table's row.
		blocks := []fyne.CanvasObject{heading(c.Title.In(lang) + " · " + p.Title.In(lang))}
		for _, sec := range p.Sections {
			title := sec.Heading.In(lang)
			text, table, again := s.infoRows(sec)
			rows := append(text, table...)
			switch {
			case !s.K.Elderly():
				blocks = append(blocks, s.panel(title, rows...))
			case sec.Table == nil:
				blocks = append(blocks, touch.NewGroup(title, rows...))
			default:
				g := touch.NewKeptGroup(title, s.infoWhole(sec), rows...)
				if again != nil {
					g.SetHeader(len(text), again)
				}
				blocks = append(blocks, g)
			}
		}
		return s.pager(blocks...)
	}}
}

// infoRows are a section's rows: its paragraphs and items, and its table; again, when
// not nil, is the table's header (its first object) for the pages its rows go on to.
func (s *Shell) infoRows(sec info.Section) (text, table []fyne.CanvasObject, again fyne.CanvasObject) {
	lang := s.K.Text.Lang()
	for _, para := range sec.Paragraphs {
		text = append(text, note(para.In(lang), widget.MediumImportance))
	}
	for _, it := range sec.Items {
		text = append(text, bullet(it.In(lang)))
	}
	if s.K.Elderly() {
		// In 大字模式 each paragraph and item is a block of its own: half its padding
		// above and below, as kvObject's lines, reads as a list still and took a
		// page of ten 服务承诺 in four.
		for i, o := range text {
			text[i] = closer(o, ft.Size(ft.SizeNameInnerPadding)/2)
		}
	}
	if t := sec.Table; t != nil {
		table, again = s.infoTable(t)
	}
	return text, table, again
}

// infoWhole is a section with a table as 大字模式 shows it whole, under its heading: the
// table at its own width with the text beside it, when the table is one block no wider
// than three fifths of the screen (a tier table, a price line) and there is text; else
// the text over the table. Its objects are its own (touch.NewKeptGroup says why).
func (s *Shell) infoWhole(sec info.Section) fyne.CanvasObject {
	text, table, _ := s.infoRows(sec)
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
	if len(table) > 1 {
		// Rows apart, each a block: as far apart as a pager puts them.
		table = []fyne.CanvasObject{container.New(layout.NewCustomPaddedVBoxLayout(ft.Size(ft.SizeNamePadding)), table...)}
	}
	return container.New(layout.NewCustomPaddedVBoxLayout(0), append(text, table...)...)
}

// naturalWidth is how wide o is without wrapping: a paragraph's or a heading's one
// line, another object's minimum width.
func naturalWidth(o fyne.CanvasObject) float32 {
	switch p := o.(type) {
	case *touch.Paragraph:
		return fyne.MeasureText(p.String(), ft.Size(ft.SizeNameText), fyne.TextStyle{}).Width + 2*ft.Size(ft.SizeNameInnerPadding)
	case *touch.Heading:
		return fyne.MeasureText(p.String(), ft.Size(ft.SizeNameSubHeadingText), fyne.TextStyle{}).Width + 2*ft.Size(ft.SizeNameInnerPadding)
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
// to compare). Another is one line per row (价格（元/千瓦时）：0.5780), but in 大字模式
// one of two rows or more, which is a block per row (infoTableRows), so that nothing
// runs off the screen and pages break between rows; again is then the header for the
// pages the rows go on to, if there is one.
func (s *Shell) infoTable(t *info.Table) (objs []fyne.CanvasObject, again fyne.CanvasObject) {
	if len(t.Header) <= 4 || s.K.Elderly() {
		grid := s.infoGrid(t, len(t.Header))
		// In 大字模式 a table of one row is a line: its header over it took a second one.
		if m := grid.MinSize(); !s.K.Elderly() || len(t.Rows) > 1 && m.Width <= s.bodySize.Width && m.Height <= s.bodySize.Height/2 {
			return []fyne.CanvasObject{grid}, nil
		}
	}
	if s.K.Elderly() && len(t.Rows) > 1 {
		return s.infoTableRows(t)
	}
	for _, r := range t.Rows {
		objs = append(objs, note(s.cellsText(t, r, 0), widget.MediumImportance))
	}
	return objs, nil
}

// infoGrid is the first cols columns of a table, with its header, as a grid.
func (s *Shell) infoGrid(t *info.Table, cols int) fyne.CanvasObject {
	lang := s.K.Text.Lang()
	var head []string
	for _, h := range t.Header[:cols] {
		head = append(head, h.In(lang))
	}
	g := s.table(head)
	for _, r := range t.Rows {
		var cells []string
		for _, c := range r[:cols] {
			cells = append(cells, c.In(lang))
		}
		g.add(cells...)
	}
	return g.object()
}

// cellsText writes the cells of a row from column from on as "label：value" pieces,
// the empty ones left out: 收费标准：免费；说明：结果 5 个工作日内答复.
func (s *Shell) cellsText(t *info.Table, r []bitext.Text, from int) string {
	lang := s.K.Text.Lang()
	colon, semicolon := "：", "；"
	if lang == i18n.EN {
		colon, semicolon = ": ", "; "
	}
	var parts []string
	for i, c := range r[from:] {
		if v := c.In(lang); v != "" {
			parts = append(parts, t.Header[from+i].In(lang)+colon+v)
		}
	}
	return strings.Join(parts, semicolon)
}

// infoTableRows is a table as 大字模式 shows one too wide or too long to be one block: a
// row a block, so that pages break between rows and none is left half empty. The first
// columns that fit the width stand as a grid, each row laid out apart with the columns
// of the whole table, under the header (again: shown again on each page the rows go on
// to); the cells of the columns that do not fit are a line under their row (说明：…),
// which wraps on the whole width. Where not even two columns fit, a row is its first
// cell over the rest, and there is no header.
func (s *Shell) infoTableRows(t *info.Table) (objs []fyne.CanvasObject, again fyne.CanvasObject) {
	lang := s.K.Text.Lang()
	cols := len(t.Header)
	for ; cols > 1; cols-- {
		if s.infoGrid(t, cols).MinSize().Width <= s.bodySize.Width {
			break
		}
	}
	in := ft.Size(ft.SizeNameInnerPadding)
	// under is the rest of a row, indented under its first cell's text.
	under := func(r []bitext.Text, from int) fyne.CanvasObject {
		if rest := s.cellsText(t, r, from); rest != "" {
			return container.New(layout.NewCustomPaddedLayout(0, 0, in, 0), note(rest, widget.MediumImportance))
		}
		return nil
	}
	if cols == 1 {
		for _, r := range t.Rows {
			block := []fyne.CanvasObject{touch.NewParagraph(r[0].In(lang), widget.RichTextStyle{ColorName: ft.ColorNamePrimary})}
			if rest := under(r, 1); rest != nil {
				block = append(block, rest)
			}
			objs = append(objs, lines(block...))
		}
		return objs, nil
	}
	// The cells of every row and of both headers, made first: each row measures its
	// columns over all of them.
	cell := func(text string, c fyne.ThemeColorName) fyne.CanvasObject {
		o := canvas.NewText(text, ft.Color(c))
		o.TextSize = ft.Size(ft.SizeNameText)
		return o
	}
	header := func() []fyne.CanvasObject {
		var cells []fyne.CanvasObject
		for _, h := range t.Header[:cols] {
			cells = append(cells, cell(h.In(lang), ft.ColorNamePrimary))
		}
		return cells
	}
	head, headAgain := header(), header()
	all := slices.Clone(head)
	var cells [][]fyne.CanvasObject
	for _, r := range t.Rows {
		var row []fyne.CanvasObject
		for _, c := range r[:cols] {
			row = append(row, cell(c.In(lang), ft.ColorNameForeground))
		}
		cells = append(cells, row)
		all = append(all, row...)
	}
	line := func(cells []fyne.CanvasObject) fyne.CanvasObject {
		return container.New(layout.NewCustomPaddedLayout(0, 0, in, in), container.New(tableLayout{cols: cols, measure: all}, cells...))
	}
	objs = append(objs, line(head))
	for i, r := range t.Rows {
		block := []fyne.CanvasObject{line(cells[i])}
		if rest := under(r, cols); rest != nil {
			block = append(block, rest)
		}
		objs = append(objs, lines(block...))
	}
	return objs, line(headAgain)
}
