package touch

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"

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

// A title that would end a page goes over with the block it titles; one that would not
// fit a page with its block stays.
func TestPaginateKeepsTitleWithNext(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	title := NewHeading("申请人与地址")
	th, pad := title.MinSize().Height, float32(8) // the theme's padding
	for _, tc := range []struct {
		name  string
		units []fyne.CanvasObject
		h     float32
		want  [][]int
	}{
		{"a block, a title, its block", []fyne.CanvasObject{block(300), title, block(200)}, 300 + pad + th + 50, [][]int{{0}, {1, 2}}},
		{"the title and its block do not fit a page together", []fyne.CanvasObject{block(300), title, block(400)}, 400, [][]int{{0, 1}, {2}}},
		{"a title alone on its page stays", []fyne.CanvasObject{title, block(500)}, 450, [][]int{{0}, {1}}},
		{"a block that is no title ends the page", []fyne.CanvasObject{block(300), block(50), block(200)}, 300 + pad + 50 + 50, [][]int{{0, 1}, {2}}},
	} {
		if got := paginate(tc.units, 600, tc.h, ft.Size(ft.SizeNamePadding)); !slices.EqualFunc(got, tc.want, slices.Equal[[]int]) {
			t.Errorf("%s: pages %v, want %v", tc.name, got, tc.want)
		}
	}
}
