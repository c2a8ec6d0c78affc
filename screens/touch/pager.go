package touch

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// Pager shows a list of blocks page by page, as many blocks per page as fit the height
// it is given, with large 上一页 / 下一页 buttons when there is more than one page.
// Drag-scrolling does not work on Linux touchscreens, so long content is paged instead.
// A Splittable block taller than a page, or a loose one, is shown as its parts; a page
// that starts inside such a group, after its title, starts with the title again, and
// with a Headed group's header too where the page starts among the rows under it.
type Pager struct {
	widget.BaseWidget
	Blocks []fyne.CanvasObject
	// OnTap runs before a page turn (the kiosk counts it as activity).
	OnTap func()
	// Abut puts the blocks edge to edge, without the theme's padding between them: the
	// strips of one long picture.
	Abut bool
	// Apart puts the blocks, and the navigation row, the theme's SizeNameGap apart: a
	// page of controls that do different things (a notice's choices), where the padding
	// left a slip onto the neighbour. A list's rows keep the padding (screentest's
	// AssertGaps says why).
	Apart bool
	// Continued follows a split group's title where it is repeated at the top of a page
	// the group continues on (（续）, in the kiosk's language); empty, the title is
	// repeated as it is. Set it before the pager is first laid out.
	Continued string

	page     int
	units    []unit // the blocks, split ones as their parts, at the last layout
	pages    []page // from the last layout
	overflow bool   // a page's content is taller than the page
	repeats  map[repeatKey]fyne.CanvasObject
	prev     *Button
	next     *Button
	info     *canvas.Text
}

// unit is what a pager places: a block, or a part of a split one.
type unit struct {
	obj fyne.CanvasObject
	// title is the title of the split group obj is a part of (and the group's header,
	// when obj is a row under it), repeated at the top of a page that starts with obj;
	// nil for a block and for a group's own title.
	title fyne.CanvasObject
	// keep is set on a Headed group's header: like a title, it does not end a page.
	keep bool
}

// page is what one page shows: the repeated title of the group it continues, if any,
// then its units (indices).
type page struct {
	title fyne.CanvasObject
	units []int
}

// repeatKey names what a split group repeats on a page it continues on: its title, or
// its title and its header.
type repeatKey struct {
	s      Splittable
	header bool
}

// keepsWithNext reports whether u goes over to the next page with the unit after it: a
// title, or a table's header.
func (u unit) keepsWithNext() bool {
	_, title := u.obj.(*Heading)
	return title || u.keep
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

// SetPage shows page n (0-based) from the next layout on, before the pager is first laid
// out: a list built again for new data opens on the page it was on. Past the last page
// it shows the last.
func (p *Pager) SetPage(n int) { p.page = max(n, 0) }

// Overflows reports whether, at the last layout, some page's content was taller than
// the page and so was cut off: a block (not splittable, or a part of one) taller than a
// page. Screens must be designed so that this never happens; tests check it.
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

// units are the blocks at width w, each Splittable one that is loose or taller than h
// as its parts.
func (r *pagerRenderer) units(w, h float32) []unit {
	p := r.p
	var out []unit
	for _, b := range p.Blocks {
		s, ok := b.(Splittable)
		loose := ok && s.Loose()
		if !loose {
			// A loose group is never shown whole: it is neither measured nor drawn as one.
			b.Resize(fyne.NewSize(w, b.MinSize().Height))
		}
		if !loose && (!ok || b.MinSize().Height <= h) {
			out = append(out, unit{obj: b})
			continue
		}
		parts := s.Parts()
		header, again := -1, fyne.CanvasObject(nil)
		if hd, ok := s.(Headed); ok {
			header, again = hd.Header()
		}
		var repeat, repeatHeader fyne.CanvasObject
		if len(parts) > 1 {
			if t, ok := parts[0].(*Heading); ok {
				repeat = p.repeat(s, t, nil)
				repeatHeader = repeat
				if again != nil {
					repeatHeader = p.repeat(s, t, again)
				}
			}
		}
		for i, o := range parts {
			u := unit{obj: o, keep: i == header}
			switch {
			case i > header && header > 0:
				u.title = repeatHeader
			case i > 0:
				u.title = repeat
			}
			out = append(out, u)
		}
	}
	return out
}

// repeat is the title t of the split group s as a page it continues on shows it, over
// again (the group's header) when that is not nil: made once, as a layout may not
// change what is on screen.
func (p *Pager) repeat(s Splittable, t *Heading, again fyne.CanvasObject) fyne.CanvasObject {
	key := repeatKey{s: s, header: again != nil}
	if h, ok := p.repeats[key]; ok {
		return h
	}
	if p.repeats == nil {
		p.repeats = map[repeatKey]fyne.CanvasObject{}
	}
	var h fyne.CanvasObject = NewHeading(t.String() + p.Continued)
	if again != nil {
		// As far apart as the pager puts the title and the header where they are units.
		h = container.New(layout.NewCustomPaddedVBoxLayout(p.gap()), h, again)
	}
	p.repeats[key] = h
	return h
}

// gap is the space between blocks.
func (p *Pager) gap() float32 {
	switch {
	case p.Abut:
		return 0
	case p.Apart:
		return ft.Size(kt.SizeNameGap)
	}
	return ft.Size(ft.SizeNamePadding)
}

// height is o's height at width w.
func height(o fyne.CanvasObject, w float32) float32 {
	o.Resize(fyne.NewSize(w, o.MinSize().Height))
	return o.MinSize().Height
}

// paginate packs units greedily into pages of height h at width w, pad apart. A page
// that starts inside a split group, after its title, starts with the title again when
// the two fit a page.
func paginate(units []unit, w, h, pad float32) []page {
	var pages []page
	var cur page
	used := float32(0)
	// start begins a page whose first unit is units[i], need high with what must stay
	// with it.
	start := func(i int, need float32) {
		cur, used = page{}, 0
		if t := units[i].title; t != nil {
			if th := height(t, w); th+pad+need <= h {
				cur.title, used = t, th
			}
		}
	}
	for i, u := range units {
		bh := height(u.obj, w)
		if len(cur.units) > 0 && used+pad+bh > h {
			// A title, or a table's header under its title, does not end a page: they
			// go over with the block they are over, if they all fit a page. A page
			// keeps one unit at least.
			need, k := bh, len(cur.units)
			for k > 1 && units[cur.units[k-1]].keepsWithNext() {
				more := need + height(units[cur.units[k-1]].obj, w) + pad
				if more > h {
					break
				}
				need, k = more, k-1
			}
			moved := slices.Clone(cur.units[k:])
			cur.units = cur.units[:k]
			pages = append(pages, cur)
			first := i
			if len(moved) > 0 {
				first = moved[0]
			}
			start(first, need)
			for _, m := range moved {
				if len(cur.units) > 0 || cur.title != nil {
					used += pad
				}
				cur.units = append(cur.units, m)
				used += height(units[m].obj, w)
			}
		}
		if len(cur.units) > 0 || cur.title != nil {
			used += pad
		}
		cur.units = append(cur.units, i)
		used += bh
	}
	if len(cur.units) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

// objects are what a page shows, top to bottom.
func (pg page) objects(units []unit) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if pg.title != nil {
		out = append(out, pg.title)
	}
	for _, i := range pg.units {
		out = append(out, units[i].obj)
	}
	return out
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
		if p.Apart {
			pad = p.gap()
		}
		avail -= r.navHeight() + pad
		units = r.units(size.Width, avail)
		pages = paginate(units, size.Width, avail, p.gap())
	}
	p.units, p.pages = units, pages
	p.overflow = false
	for _, pg := range pages {
		used := -p.gap()
		for _, o := range pg.objects(units) {
			used += o.MinSize().Height + p.gap()
		}
		p.overflow = p.overflow || used > avail
	}
	if p.page >= len(pages) {
		p.page = max(len(pages)-1, 0)
	}
	// A new slice each time: a walk of the tree may still hold the last one.
	r.shown = make([]fyne.CanvasObject, 0, len(units)+4)
	y := float32(0)
	if len(pages) > 0 {
		for _, b := range pages[p.page].objects(units) {
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
		if s, ok := b.(Splittable); ok && s.Loose() {
			continue // never shown whole: its parts are refreshed below
		}
		b.Refresh()
	}
	for _, u := range r.p.units {
		if !slices.Contains(r.p.Blocks, u.obj) {
			u.obj.Refresh() // a split block's part
		}
	}
	for _, t := range r.p.repeats {
		t.Refresh()
	}
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

// Objects are the current page's blocks, and the navigation row when there are pages.
// Before the first layout nothing is placed yet, so nothing is drawn.
func (r *pagerRenderer) Objects() []fyne.CanvasObject { return r.shown }

func (r *pagerRenderer) Destroy() {}
