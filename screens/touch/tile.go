package touch

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Tile is a home-screen service tile: a large framed area with a title and a line of
// description, tapped as a whole.
type Tile struct {
	widget.BaseWidget
	press
	Title       string
	Description string
	OnTapped    func()
}

// NewTile returns a service tile.
func NewTile(title, description string, tapped func()) *Tile {
	t := &Tile{Title: title, Description: description, OnTapped: tapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped runs the tile's action.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped()
	}
}

// CreateRenderer draws the tile.
func (t *Tile) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(ft.Color(kt.ColorNameTile))
	bg.StrokeColor = ft.Color(kt.ColorNameTileBorder)
	bg.StrokeWidth = 3
	bg.CornerRadius = 12
	// The title wraps rather than widening the tile: four tiles a row must fit the
	// window in English and 大字模式 too.
	title := NewParagraph(t.Title, widget.RichTextStyle{
		Alignment: fyne.TextAlignCenter, ColorName: ft.ColorNamePrimary, SizeName: ft.SizeNameSubHeadingText})
	desc := NewParagraph(t.Description, widget.RichTextStyle{Alignment: fyne.TextAlignCenter})
	r := &tileRenderer{t: t, bg: bg, title: title, desc: desc}
	r.Refresh()
	return r
}

type tileRenderer struct {
	t     *Tile
	bg    *canvas.Rectangle
	title *Paragraph
	desc  *Paragraph
}

func (r *tileRenderer) Layout(s fyne.Size) {
	pad := ft.Size(ft.SizeNameInnerPadding)
	r.bg.Resize(s)
	r.bg.Move(fyne.NewPos(0, 0))
	r.title.Resize(fyne.NewSize(s.Width-2*pad, r.title.Size().Height))
	r.desc.Resize(fyne.NewSize(s.Width-2*pad, r.desc.Size().Height))
	th := r.title.MinSize().Height
	dh := r.desc.MinSize().Height
	if r.t.Description == "" {
		dh = 0
	}
	top := (s.Height - th - dh) / 2
	if top < pad {
		top = pad
	}
	r.title.Move(fyne.NewPos(pad, top))
	r.title.Resize(fyne.NewSize(s.Width-2*pad, th))
	r.desc.Move(fyne.NewPos(pad, top+th))
	r.desc.Resize(fyne.NewSize(s.Width-2*pad, dh))
}

func (r *tileRenderer) MinSize() fyne.Size {
	pad := ft.Size(ft.SizeNameInnerPadding)
	w := ft.Size(kt.SizeNameTarget) * 3
	dh := r.desc.MinSize().Height
	if r.t.Description == "" {
		dh = 0
	}
	h := max(r.title.MinSize().Height+dh+2*pad, ft.Size(kt.SizeNameTile))
	return fyne.NewSize(w, h)
}

func (r *tileRenderer) Refresh() {
	r.bg.FillColor = ft.Color(kt.ColorNameTile)
	r.bg.StrokeColor = ft.Color(kt.ColorNameTileBorder)
	r.title.SetText(r.t.Title)
	r.desc.SetText(r.t.Description)
	r.desc.Hidden = r.t.Description == ""
	r.bg.Refresh()
}

func (r *tileRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.title, r.desc}
}

func (r *tileRenderer) Destroy() {}
