package touch

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// block is a fixed-height block of a pager.
func block(h float32) *canvas.Rectangle {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(100, h))
	return r
}

func TestPagerPlacesOnlyTheCurrentPage(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	blocks := []fyne.CanvasObject{block(200), block(200), block(200), block(200), block(200)}
	turns := 0
	p := NewPager("上一页", "下一页", blocks...)
	p.OnTap = func() { turns++ }
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(600, 540)) // two blocks and the navigation row a page

	objects := func() []fyne.CanvasObject { return test.TempWidgetRenderer(t, p).Objects() }
	want := func(page int, shown ...fyne.CanvasObject) {
		t.Helper()
		if got, _ := p.Page(); got != page {
			t.Fatalf("page %d, want %d", got, page)
		}
		got := objects()
		for _, b := range blocks {
			if slices.Contains(got, b) != slices.Contains(shown, b) {
				t.Fatalf("page %d: objects %v, want the blocks %v and the navigation", page, got, shown)
			}
		}
		for _, nav := range []fyne.CanvasObject{p.prev, p.next, p.info} {
			if !slices.Contains(got, nav) {
				t.Fatalf("page %d: navigation missing from %v", page, got)
			}
		}
	}
	if _, n := p.Page(); n != 3 {
		t.Fatalf("%d pages, want 3", n)
	}
	want(0, blocks[0], blocks[1])
	if !p.PrevButton().Disabled() || p.NextButton().Disabled() {
		t.Fatal("on the first page 上一页 must be off and 下一页 on")
	}
	if p.info.Text != "1 / 3" {
		t.Fatalf("page label %q", p.info.Text)
	}
	test.Tap(p.NextButton())
	test.Tap(p.NextButton())
	want(2, blocks[4])
	if p.PrevButton().Disabled() || !p.NextButton().Disabled() || p.info.Text != "3 / 3" {
		t.Fatalf("last page: prev off %v, next off %v, label %q", p.PrevButton().Disabled(), p.NextButton().Disabled(), p.info.Text)
	}
	test.Tap(p.NextButton()) // disabled: nothing happens
	test.Tap(p.PrevButton())
	want(1, blocks[2], blocks[3])
	if turns != 3 {
		t.Fatalf("%d page turns counted, want 3", turns)
	}
	if p.Overflows() {
		t.Fatal("no block is taller than a page")
	}

	// Taller: everything on one page, no navigation.
	w.Resize(fyne.NewSize(600, 1100))
	got := objects()
	if len(got) != len(blocks) || slices.Contains(got, fyne.CanvasObject(p.next)) {
		t.Fatalf("one page: objects %v", got)
	}
	// Shorter than a block: it is cut off, and the pager says so.
	w.Resize(fyne.NewSize(600, 150))
	if !p.Overflows() {
		t.Fatal("a block taller than the page was not reported")
	}
}

// A pager set to a page before its first layout opens on it, or on the last page when
// the list has shrunk since (an item dealt with), its buttons as on that page.
func TestPagerSetPage(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	for _, c := range []struct{ set, want int }{{1, 1}, {2, 2}, {7, 2}} {
		blocks := []fyne.CanvasObject{block(200), block(200), block(200), block(200), block(200)}
		p := NewPager("上一页", "下一页", blocks...)
		p.SetPage(c.set)
		w := test.NewTempWindow(t, p)
		w.SetPadded(false)
		w.Resize(fyne.NewSize(600, 540)) // two blocks a page: 3 pages
		objs := test.TempWidgetRenderer(t, p).Objects()
		if got, _ := p.Page(); got != c.want || !slices.Contains(objs, fyne.CanvasObject(blocks[2*c.want])) {
			t.Errorf("set to %d: on page %d showing %v, want page %d", c.set, got, objs, c.want)
		}
		if p.PrevButton().Disabled() || p.NextButton().Disabled() != (c.want == 2) {
			t.Errorf("set to %d: prev off %v, next off %v", c.set, p.PrevButton().Disabled(), p.NextButton().Disabled())
		}
	}
}

// A panel taller than a page is shown as its title and rows, paged between rows; one
// that fits stays whole.
func TestPagerSplitsAPanelTallerThanAPage(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	rows := []fyne.CanvasObject{block(150), block(150), block(150), block(150)}
	small := NewPanel("小", block(100))
	big := NewPanel("十项承诺", rows...)
	p := NewPager("上一页", "下一页", small, big)
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(600, 540))

	if p.Overflows() {
		t.Fatal("a splittable panel overflows")
	}
	var seen []fyne.CanvasObject
	for {
		seen = append(seen, test.TempWidgetRenderer(t, p).Objects()...)
		if p.NextButton().Disabled() {
			break
		}
		test.Tap(p.NextButton())
	}
	if !slices.Contains(seen, fyne.CanvasObject(small)) {
		t.Error("the panel that fits is not shown whole")
	}
	if slices.Contains(seen, fyne.CanvasObject(big)) {
		t.Error("the panel taller than a page is shown whole, cut off")
	}
	for i, r := range append([]fyne.CanvasObject{big.heading}, rows...) {
		if !slices.Contains(seen, r) {
			t.Errorf("part %d of the split panel is on no page", i)
		}
	}
}

// blocks are units outside any group.
func blocks(objs ...fyne.CanvasObject) []unit {
	var out []unit
	for _, o := range objs {
		out = append(out, unit{obj: o})
	}
	return out
}

// group is a split group's units: its title, then its parts under the title repeat.
func group(title, repeat *Heading, parts ...fyne.CanvasObject) []unit {
	out := []unit{{obj: title}}
	for _, o := range parts {
		out = append(out, unit{obj: o, title: repeat})
	}
	return out
}

// A loose group is always shown as its parts, and each page it continues on starts
// with its title and the pager's continuation mark; a panel that fits stays whole.
func TestPagerRepeatsTitleOfASplitGroup(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	small := NewPanel("小", block(100))
	rows := []fyne.CanvasObject{block(150), block(150), block(150), block(150), block(150)}
	g := NewGroup("居民生活用电", rows...)
	short := NewGroup("合表用户", block(60))
	p := NewPager("上一页", "下一页", small, g, short)
	p.Continued = "（续）"
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(600, 540)) // two 150 blocks and a title a page, over the navigation

	var groupPages int
	for page := 0; ; page++ {
		shown := test.TempWidgetRenderer(t, p).Objects()
		var first fyne.CanvasObject // the first of the group's rows on this page
		for _, o := range shown {
			if slices.Contains(rows, o) {
				first = o
				break
			}
		}
		repeated := slices.IndexFunc(shown, func(o fyne.CanvasObject) bool {
			h, ok := o.(*Heading)
			return ok && h.String() == "居民生活用电（续）"
		})
		switch {
		case first == nil || first == rows[0]:
			if repeated >= 0 {
				t.Errorf("page %d repeats the title, but the group does not continue on it: %v", page, shown)
			}
		case repeated != 0:
			t.Errorf("page %d continues the group without its title at the top (at %d): %v", page, repeated, shown)
		}
		if first != nil {
			groupPages++
		}
		for _, o := range shown {
			if o == p.prev || o == p.next || o == p.info {
				continue
			}
			if o.Position().Y+o.Size().Height > p.prev.Position().Y {
				t.Errorf("page %d: a block reaches %.0f, below the navigation at %.0f", page, o.Position().Y+o.Size().Height, p.prev.Position().Y)
			}
		}
		if slices.Contains(shown, fyne.CanvasObject(g)) || slices.Contains(shown, fyne.CanvasObject(short)) {
			t.Errorf("page %d shows a group whole: %v", page, shown)
		}
		if page == 0 && !slices.Contains(shown, fyne.CanvasObject(small)) {
			t.Errorf("the panel that fits is not on the first page whole: %v", shown)
		}
		if p.NextButton().Disabled() {
			break
		}
		test.Tap(p.NextButton())
	}
	if groupPages < 3 {
		t.Errorf("the group is on %d pages; the test wants it on three or more", groupPages)
	}
	if p.Overflows() {
		t.Error("the pager overflows")
	}
}

// A title that would end a page goes over with the block it titles; one that would not
// fit a page with its block stays.
func TestPaginateKeepsTitleWithNext(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	title := NewHeading("申请人与地址")
	th, pad := title.MinSize().Height, float32(8) // the theme's padding
	for _, tc := range []struct {
		name  string
		units []unit
		h     float32
		want  []page
	}{
		{"a block, a title, its block", blocks(block(300), title, block(200)), 300 + pad + th + 50, []page{{units: []int{0}}, {units: []int{1, 2}}}},
		{"the title and its block do not fit a page together", blocks(block(300), title, block(400)), 400, []page{{units: []int{0, 1}}, {units: []int{2}}}},
		{"a title alone on its page stays", blocks(title, block(500)), 450, []page{{units: []int{0}}, {units: []int{1}}}},
		{"a block that is no title ends the page", blocks(block(300), block(50), block(200)), 300 + pad + 50 + 50, []page{{units: []int{0, 1}}, {units: []int{2}}}},
	} {
		if got := paginate(tc.units, 600, tc.h, ft.Size(ft.SizeNamePadding)); !slices.EqualFunc(got, tc.want, equalPages) {
			t.Errorf("%s: pages %v, want %v", tc.name, got, tc.want)
		}
	}
}

func equalPages(a, b page) bool { return a.title == b.title && slices.Equal(a.units, b.units) }

// A page that starts inside a split group, after its title, starts with the title
// again; no other page does, and none is fuller than its height.
func TestPaginateRepeatsTitleOfASplitGroup(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	t1, r1 := NewHeading("居民生活用电"), NewHeading("居民生活用电（续）")
	t2, r2 := NewHeading("一般工商业用电"), NewHeading("一般工商业用电（续）")
	th, pad := t1.MinSize().Height, ft.Size(ft.SizeNamePadding)
	h := th + pad + 200 + 20 // a title and a 200 block a page, not two 200 blocks
	for _, tc := range []struct {
		name  string
		units []unit
		want  []page
	}{
		{"a group over three pages", group(t1, r1, block(200), block(200), block(200)),
			[]page{{units: []int{0, 1}}, {title: r1, units: []int{2}}, {title: r1, units: []int{3}}}},
		{"a block after a group starts its page alone", append(group(t1, r1, block(200), block(200)), blocks(block(200))...),
			[]page{{units: []int{0, 1}}, {title: r1, units: []int{2}}, {units: []int{3}}}},
		{"a group that starts a page shows its title once", append(blocks(block(200)), group(t1, r1, block(200))...),
			[]page{{units: []int{0}}, {units: []int{1, 2}}}},
		{"each group repeats its own title", append(group(t1, r1, block(200)), group(t2, r2, block(100), block(200))...),
			[]page{{units: []int{0, 1}}, {units: []int{2, 3}}, {title: r2, units: []int{4}}}},
		{"a part too tall for the title above it goes without", group(t1, r1, block(200), block(h-th)),
			[]page{{units: []int{0, 1}}, {units: []int{2}}}},
	} {
		got := paginate(tc.units, 600, h, pad)
		if !slices.EqualFunc(got, tc.want, equalPages) {
			t.Errorf("%s: pages %v, want %v", tc.name, got, tc.want)
		}
		for i, pg := range got {
			used := -pad
			for _, o := range pg.objects(tc.units) {
				used += o.MinSize().Height + pad
			}
			if used > h {
				t.Errorf("%s: page %d is %.0f high, taller than %.0f", tc.name, i, used, h)
			}
		}
	}
}

// A kept group is shown whole, as its whole is arranged and without a frame, where it
// fits a page; one taller than a page is shown as its rows, its title again on the
// pages they go on to.
func TestPagerKeepsAKeptGroupWhereItFits(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	fits := NewKeptGroup("居民生活用电", block(200), block(100), block(100))
	rows := []fyne.CanvasObject{block(200), block(200), block(200)}
	tall := NewKeptGroup("非居民用电", block(700), rows...)
	p := NewPager("上一页", "下一页", block(300), fits, tall)
	p.Continued = "（续）"
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(600, 540)) // the first block and the kept one do not fit a page together

	var pages [][]fyne.CanvasObject
	for {
		pages = append(pages, test.TempWidgetRenderer(t, p).Objects())
		if p.NextButton().Disabled() {
			break
		}
		test.Tap(p.NextButton())
	}
	if len(pages) < 2 || !slices.Contains(pages[1], fyne.CanvasObject(fits)) {
		t.Fatalf("the kept group that fits a page is not on the second page whole: %v", pages)
	}
	if n := len(test.TempWidgetRenderer(t, fits).Objects()); n != 1 {
		t.Errorf("the kept group draws %d objects, want its body alone (no frame)", n)
	}
	var shown []fyne.CanvasObject
	for i, pg := range pages {
		if slices.Contains(pg, fyne.CanvasObject(tall)) {
			t.Errorf("page %d shows the group taller than a page whole", i)
		}
		for _, r := range rows {
			if !slices.Contains(pg, r) {
				continue
			}
			shown = append(shown, r)
			if r != rows[0] && !slices.ContainsFunc(pg, func(o fyne.CanvasObject) bool {
				h, ok := o.(*Heading)
				return ok && h.String() == "非居民用电（续）"
			}) {
				t.Errorf("page %d shows a row of the split group without its title", i)
			}
		}
	}
	if len(shown) != len(rows) {
		t.Errorf("%d of the split group's %d rows shown", len(shown), len(rows))
	}
	if p.Overflows() {
		t.Error("the pager overflows")
	}
}

// A headed group's rows that go on to another page go with the group's title and its
// header again (a table's column names: "0.8" means nothing without them), and no page
// ends on the header: it goes over with the row under it.
func TestPagerRepeatsTheHeaderOfAHeadedGroup(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	var header, again fyne.CanvasObject = block(40), block(40)
	rows := []fyne.CanvasObject{block(150), block(150), block(150), block(150), block(150)}
	intro := block(100)
	g := NewKeptGroup("各区域可开放容量", block(2000), append([]fyne.CanvasObject{intro, header}, rows...)...)
	g.SetHeader(1, again)
	// The first page holds the title, the intro and the header, but no row under them:
	// the header goes over.
	p := NewPager("上一页", "下一页", block(240), g)
	p.Continued = "（续）"
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(600, 640))

	var shown []fyne.CanvasObject
	for page := 0; ; page++ {
		objs := test.TempWidgetRenderer(t, p).Objects()
		var last fyne.CanvasObject // the last block above the navigation
		for _, o := range objs {
			if o != p.prev && o != p.next && o != p.info {
				last = o
			}
		}
		if last == header {
			t.Errorf("page %d ends on the header", page)
		}
		var own []fyne.CanvasObject // the group's rows on this page
		for _, r := range rows {
			if slices.Contains(objs, r) {
				own = append(own, r)
			}
		}
		shown = append(shown, own...)
		withHeader := slices.Contains(objs, header)
		repeated := slices.ContainsFunc(objs, func(o fyne.CanvasObject) bool {
			c, ok := o.(*fyne.Container)
			return ok && len(c.Objects) == 2 && c.Objects[1] == again &&
				c.Objects[0].(*Heading).String() == "各区域可开放容量（续）"
		})
		switch {
		case len(own) > 0 && withHeader == repeated:
			t.Errorf("page %d shows rows with the header %v and its copy under the title %v: one of them", page, withHeader, repeated)
		case len(own) == 0 && repeated:
			t.Errorf("page %d repeats the header without a row under it", page)
		}
		if p.NextButton().Disabled() {
			break
		}
		test.Tap(p.NextButton())
	}
	if len(shown) != len(rows) {
		t.Errorf("%d of the %d rows shown", len(shown), len(rows))
	}
	if p.Overflows() {
		t.Error("the pager overflows")
	}
}

// Two blocks abreast are one block where they fit a page; taller than a page at half
// the width (text wraps onto twice the lines), each goes on its own at the full width,
// where it fits.
func TestPagerSplitsBlocksAbreastTallerThanAPage(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	text := strings.Repeat("低压客户办电只需申请受理和装表接电两个环节，", 12)
	left, right := NewParagraph(text, widget.RichTextStyle{}), NewParagraph(text, widget.RichTextStyle{})
	both := NewAbreast(2, left, right)
	p := NewPager("上一页", "下一页", both)
	w := test.NewTempWindow(t, p)
	w.SetPadded(false)

	const width = 600
	full, half := height(left, width), height(left, width/2)
	if half <= full*3/2 {
		t.Fatalf("the text is %v high at full width, %v at half: it must wrap onto more lines at half", full, half)
	}
	w.Resize(fyne.NewSize(width, half+100))
	if objs := test.TempWidgetRenderer(t, p).Objects(); !slices.Contains(objs, fyne.CanvasObject(both)) {
		t.Fatalf("blocks abreast that fit a page are not shown as one: %v", objs)
	}
	if left.Position().Y != right.Position().Y || right.Position().X < left.Size().Width {
		t.Errorf("the blocks are not side by side: left at %v, right at %v", left.Position(), right.Position())
	}

	nav := p.NextButton().MinSize().Height + ft.Size(ft.SizeNamePadding)
	if full+nav >= half {
		t.Fatalf("no page height between the text at full width with the navigation (%v) and at half width (%v)", full+nav, half)
	}
	w.Resize(fyne.NewSize(width, full+nav+1))
	for i, want := range []fyne.CanvasObject{left, right} {
		objs := test.TempWidgetRenderer(t, p).Objects()
		if slices.Contains(objs, fyne.CanvasObject(both)) || !slices.Contains(objs, want) {
			t.Fatalf("page %d: %v, want block %d alone", i+1, objs, i+1)
		}
		if want.Size().Width != width {
			t.Errorf("page %d: the block is %v wide, want the page's %d", i+1, want.Size().Width, width)
		}
		test.Tap(p.NextButton())
	}
	if p.Overflows() {
		t.Error("the pager overflows")
	}
}
