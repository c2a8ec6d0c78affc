package touch

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Pager shows a list of blocks page by page, as many blocks per page as fit the height
// it is given, with large 上一页 / 下一页 buttons when there is more than one page.
// Drag-scrolling does not work on Linux touchscreens, so long content is paged instead.
// A Splittable block taller than a page is shown as its parts.
type Pager struct {
	widget.BaseWidget
	Blocks []fyne.CanvasObject
	// OnTap runs before a page turn (the kiosk counts it as activity).
	OnTap func()
	// Abut puts the blocks edge to edge, without the theme's padding between them: the
	// strips of one long picture.
	Abut bool

	page     int
	units    []fyne.CanvasObject // the blocks, split ones as their parts, at the last layout
	pages    [][]int             // indices into units per page, from the last layout
	overflow bool                // a unit is taller than a page
	prev     *Button
	next     *Button
	info     *canvas.Text
}

// NewPager returns a pager over blocks with the given button labels.
func NewPager(prevLabel, nextLabel string, blocks ...fyne.CanvasObject) *Pager {
	p := &Pager{Blocks: blocks}
	p.prev = NewButton(prevLabel, func() { p.turn(-1) })
	p.next = NewPrimaryButton(nextLabel, func() { p.turn(+1) })
	p.prev.Disable() // the first page has none before it
	p.info = canvas.NewText("", ft.Color(ft.ColorNameForeground))
	p.info.Alignment = fyne.TextAlignCenter
	p.ExtendBaseWidget(p)
	return p
}

// Page returns the current page (0-based) and the number of pages.
func (p *Pager) Page() (int, int) { return p.page, max(len(p.pages), 1) }

// Overflows reports whether, at the last layout, some block (not splittable, or a part
// of one) was taller than a page and so was cut off. Screens must be designed so that
// this never happens; tests check it.
func (p *Pager) Overflows() bool { return p.overflow }

// NextButton and PrevButton expose the buttons (for tests and for screens that relabel them).
func (p *Pager) NextButton() *Button { return p.next }

// PrevButton is the 上一页 button.
func (p *Pager) PrevButton() *Button { return p.prev }

func (p *Pager) turn(d int) {
	if p.OnTap != nil {
		p.OnTap()
	}
	n := p.page + d
	if n < 0 || n >= len(p.pages) {
		return
	}
	p.page = n
	p.Refresh()
}

// CreateRenderer lays the blocks out.
func (p *Pager) CreateRenderer() fyne.WidgetRenderer { return &pagerRenderer{p: p} }

type pagerRenderer struct {
	p     *Pager
	shown []fyne.CanvasObject // what the last layout placed
}

func (r *pagerRenderer) navHeight() float32 {
	return max(r.p.next.MinSize().Height, r.p.prev.MinSize().Height)
}

// units are the blocks at width w, each Splittable one taller than h as its parts.
func (r *pagerRenderer) units(w, h float32) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, b := range r.p.Blocks {
		b.Resize(fyne.NewSize(w, b.MinSize().Height))
		if s, ok := b.(Splittable); ok && b.MinSize().Height > h {
			out = append(out, s.Parts()...)
			continue
		}
		out = append(out, b)
	}
	return out
}

// gap is the space between blocks.
func (p *Pager) gap() float32 {
	if p.Abut {
		return 0
	}
	return ft.Size(ft.SizeNamePadding)
}

// paginate packs units greedily into pages of height h at width w, pad apart.
func paginate(units []fyne.CanvasObject, w, h, pad float32) [][]int {
	var pages [][]int
	var cur []int
	used := float32(0)
	for i, b := range units {
		b.Resize(fyne.NewSize(w, b.MinSize().Height))
		bh := b.MinSize().Height
		if len(cur) > 0 && used+pad+bh > h {
			// A title does not end a page: it goes over with the block it titles, if
			// the two fit a page.
			var carry []int
			if n := len(cur); n > 1 {
				if t, ok := units[cur[n-1]].(*Heading); ok && t.MinSize().Height+pad+bh <= h {
					carry, cur = cur[n-1:], cur[:n-1]
				}
			}
			pages = append(pages, cur)
			cur, used = carry, 0
			for _, c := range carry {
				used += units[c].MinSize().Height
			}
		}
		if len(cur) > 0 {
			used += pad
		}
		cur = append(cur, i)
		used += bh
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

// Layout pages the blocks at this size and places the current page. It changes no
// widget's state: Fyne lays every new screen out again while it paints it, and a
// refresh from there (showing, hiding, enabling a button) would make it paint the whole
// window a second time. Which blocks are on screen is the renderer's object list instead.
func (r *pagerRenderer) Layout(size fyne.Size) {
	p := r.p
	pad := ft.Size(ft.SizeNamePadding)
	avail := size.Height
	units := r.units(size.Width, avail)
	pages := paginate(units, size.Width, avail, p.gap())
	paged := len(pages) > 1
	if paged {
		avail -= r.navHeight() + pad
		units = r.units(size.Width, avail)
		pages = paginate(units, size.Width, avail, p.gap())
	}
	p.units, p.pages = units, pages
	p.overflow = false
	for _, b := range units {
		if b.MinSize().Height > avail {
			p.overflow = true
		}
	}
	if p.page >= len(pages) {
		p.page = max(len(pages)-1, 0)
	}
	// A new slice each time: a walk of the tree may still hold the last one.
	r.shown = make([]fyne.CanvasObject, 0, len(units)+3)
	y := float32(0)
	if len(pages) > 0 {
		for _, i := range pages[p.page] {
			b := units[i]
			b.Move(fyne.NewPos(0, y))
			h := b.MinSize().Height
			b.Resize(fyne.NewSize(size.Width, h))
			y += h + p.gap()
			r.shown = append(r.shown, b)
		}
	}
	if !paged {
		return
	}
	r.shown = append(r.shown, p.prev, p.next, p.info)
	nh := r.navHeight()
	bw := max(p.prev.MinSize().Width, p.next.MinSize().Width) * 1.5
	ny := size.Height - nh
	p.prev.Move(fyne.NewPos(0, ny))
	p.prev.Resize(fyne.NewSize(bw, nh))
	p.next.Move(fyne.NewPos(size.Width-bw, ny))
	p.next.Resize(fyne.NewSize(bw, nh))
	// Text is drawn from its content; the next paint shows the new number without a refresh.
	p.info.Text = fmt.Sprintf("%d / %d", p.page+1, len(pages))
	p.info.TextSize = ft.Size(ft.SizeNameSubHeadingText)
	p.info.Color = ft.Color(ft.ColorNameForeground)
	p.info.Move(fyne.NewPos(bw, ny))
	p.info.Resize(fyne.NewSize(size.Width-2*bw, nh))
	setEnabled(p.prev, p.page > 0)
	setEnabled(p.next, p.page < len(pages)-1)
}

// setEnabled changes a button only when its state differs: each change refreshes it.
func setEnabled(b *Button, on bool) {
	switch {
	case on && b.Disabled():
		b.Enable()
	case !on && !b.Disabled():
		b.Disable()
	}
}

// MinSize is as wide as the widest block and only as tall as the navigation row needs:
// the pager takes whatever height it is given and pages the rest. (A block's height is
// known only once its width is, because text wraps.)
func (r *pagerRenderer) MinSize() fyne.Size {
	var w float32
	for _, b := range r.p.Blocks {
		w = max(w, b.MinSize().Width)
	}
	return fyne.NewSize(max(w, 3*r.p.next.MinSize().Width), 2*r.navHeight())
}

func (r *pagerRenderer) Refresh() {
	for _, b := range r.p.Blocks {
		b.Refresh()
	}
	for _, u := range r.p.units {
		if !slices.Contains(r.p.Blocks, u) {
			u.Refresh() // a split block's part
		}
	}
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

// Objects are the current page's blocks, and the navigation row when there are pages.
// Before the first layout nothing is placed yet, so nothing is drawn.
func (r *pagerRenderer) Objects() []fyne.CanvasObject { return r.shown }

func (r *pagerRenderer) Destroy() {}
