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
// page, the pager shows its parts as blocks of their own, so that pages break between
// them.
type Splittable interface {
	fyne.CanvasObject
	// Parts are the blocks a pager may place on different pages.
	Parts() []fyne.CanvasObject
}

// Panel is a framed group of rows under a title. In a pager it is one block; taller than
// a page (long content from the configuration, a citizen's name in the header, 大字模式)
// it becomes its title and its rows, unframed, each a block.
type Panel struct {
	widget.BaseWidget
	title   string
	rows    []fyne.CanvasObject
	heading *Heading // the title when the panel is split, kept with the first row
}

// NewPanel returns a panel of rows under title.
func NewPanel(title string, rows ...fyne.CanvasObject) *Panel {
	p := &Panel{title: title, rows: rows, heading: NewHeading(title)}
	p.ExtendBaseWidget(p)
	return p
}

// Parts are the panel's title and rows.
func (p *Panel) Parts() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{p.heading}, p.rows...)
}

// CreateRenderer draws the frame around the title and the rows.
func (p *Panel) CreateRenderer() fyne.WidgetRenderer {
	frame := canvas.NewRectangle(ft.Color(ft.ColorNameBackground))
	frame.StrokeColor = ft.Color(ft.ColorNameSeparator)
	frame.StrokeWidth = 2
	frame.CornerRadius = 10
	body := container.New(layout.NewCustomPaddedVBoxLayout(0), append([]fyne.CanvasObject{NewHeading(p.title)}, p.rows...)...)
	return widget.NewSimpleRenderer(container.NewStack(frame, container.NewPadded(body)))
}
