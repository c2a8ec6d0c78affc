package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Splittable is a pager block that may be shown in parts: when it is taller than a
// page, or always when it is Loose, the pager shows its parts as blocks of their own, so
// that pages break between them. When the first part is a Heading, it is the group's
// title: the pager repeats it at the top of each page the parts continue on.
type Splittable interface {
	fyne.CanvasObject
	// Parts are the blocks a pager may place on different pages.
	Parts() []fyne.CanvasObject
	// Loose reports whether a pager shows the parts even when the whole would fit a
	// page: a page then breaks anywhere in it.
	Loose() bool
}

// Headed is a Splittable with a header among its parts, over the rows after it (a
// table's column names): a pager does not end a page on the header, and a page the rows
// go on to shows it again under the group's title.
type Headed interface {
	Splittable
	// Header returns the header's index among the parts, and a copy of it for the pages
	// the rows go on to (an object is in one place); -1 and nil for none.
	Header() (int, fyne.CanvasObject)
}

// Panel is a framed group of rows under a title. In a pager it is one block; taller than
// a page (long content from the configuration, a citizen's name in the header, 大字模式)
// it becomes its title and its rows, unframed, each a block.
type Panel struct {
	widget.BaseWidget
	title   string
	rows    []fyne.CanvasObject
	heading *Heading // the title when the panel is split, kept with the first row
	loose   bool     // a Group: no frame, always split in a pager
	// whole is what a KeptGroup shows under its title when it is shown whole, nil
	// elsewhere (the rows, one under another).
	whole fyne.CanvasObject
	// header is the index among the rows of the rows' header, again its copy for the
	// pages they go on to (nil for none).
	header int
	again  fyne.CanvasObject
}

// NewPanel returns a panel of rows under title.
func NewPanel(title string, rows ...fyne.CanvasObject) *Panel {
	p := &Panel{title: title, rows: rows, heading: NewHeading(title)}
	p.ExtendBaseWidget(p)
	return p
}

// NewGroup returns rows under a title without a frame, which a pager always shows as
// its title and its rows: pages break anywhere in it, as in a list of loose blocks, and
// a page it continues on starts with its title again (大字模式's long text, where a
// framed panel that fits a page would leave the page before it part empty).
func NewGroup(title string, rows ...fyne.CanvasObject) *Panel {
	p := NewPanel(title, rows...)
	p.loose = true
	return p
}

// NewKeptGroup returns rows under a title without a frame, which a pager shows whole
// where it fits a page, arranged as whole is (a table beside what it means), and
// otherwise as its title and its rows, each a block, the title again on each page they
// go on to: a tariff's name, its table and its note stay together where they can, and
// never a table without its name. whole holds objects of its own, not the rows: the
// pager measures the group whole at every layout, and rows laid out in two places would
// be wrapped for each width in turn.
func NewKeptGroup(title string, whole fyne.CanvasObject, rows ...fyne.CanvasObject) *Panel {
	p := NewPanel(title, rows...)
	p.whole = whole
	return p
}

// SetHeader makes the row at index row the header of the rows after it, and again its
// copy for the pages they go on to (Headed). Set it before the panel is shown.
func (p *Panel) SetHeader(row int, again fyne.CanvasObject) {
	p.header, p.again = row, again
}

// Header returns the header's index among the parts and its copy, or -1 and nil.
func (p *Panel) Header() (int, fyne.CanvasObject) {
	if p.again == nil {
		return -1, nil
	}
	return p.header + 1, p.again
}

// Parts are the panel's title and rows.
func (p *Panel) Parts() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{p.heading}, p.rows...)
}

// Loose reports whether the panel is a Group.
func (p *Panel) Loose() bool { return p.loose }

// CreateRenderer draws the title and the rows, and the frame around them.
func (p *Panel) CreateRenderer() fyne.WidgetRenderer {
	if p.whole != nil {
		// The title close over what it titles, one inner padding of the two apart: a
		// block that is kept together looks it, and takes less of a page.
		in := ft.Size(ft.SizeNameInnerPadding)
		return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-in), NewHeading(p.title), p.whole))
	}
	body := container.New(layout.NewCustomPaddedVBoxLayout(0), append([]fyne.CanvasObject{NewHeading(p.title)}, p.rows...)...)
	if p.loose {
		return widget.NewSimpleRenderer(body)
	}
	frame := canvas.NewRectangle(ft.Color(ft.ColorNameBackground))
	frame.StrokeColor = ft.Color(ft.ColorNameSeparator)
	frame.StrokeWidth = 2
	frame.CornerRadius = 10
	return widget.NewSimpleRenderer(container.NewStack(frame, container.NewPadded(body)))
}

// Abreast shows blocks side by side in n columns of equal width (two parts of a joint
// application). In a pager it is one block; taller than a page (a part waiting for its
// utility says more, and half the width wraps it onto more lines), its blocks go on
// their own, each at the page's full width, where they are shorter.
type Abreast struct {
	widget.BaseWidget
	grid  *fyne.Container
	items []fyne.CanvasObject
}

// NewAbreast returns items side by side in n columns.
func NewAbreast(n int, items ...fyne.CanvasObject) *Abreast {
	a := &Abreast{grid: container.NewGridWithColumns(n, items...), items: items}
	a.ExtendBaseWidget(a)
	return a
}

// CreateRenderer shows the items in their columns.
func (a *Abreast) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(a.grid) }

// Parts are the blocks side by side, for a pager to show one under another.
func (a *Abreast) Parts() []fyne.CanvasObject { return a.items }

// Loose is false: side by side where they fit a page.
func (a *Abreast) Loose() bool { return false }
