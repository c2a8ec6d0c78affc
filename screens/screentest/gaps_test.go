package screentest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"

	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// failures records what a check reports instead of failing the test.
type failures struct {
	testing.TB
	errs []string
}

func (f *failures) Helper() {}

func (f *failures) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// want fails t unless the check reported each of want (pairs, each as "A" and "B"), or
// nothing when want is nil.
func (f *failures) want(t *testing.T, name string, want []string) {
	t.Helper()
	got := strings.Join(f.errs, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: AssertGaps did not report %s; it reported:\n%s", name, w, got)
		}
	}
	if want == nil && got != "" {
		t.Errorf("%s: AssertGaps reported:\n%s", name, got)
	}
}

// pagedList is a pager of rows that runs over two pages on a 1280×800 screen.
func pagedList() *touch.Pager {
	var rows []fyne.CanvasObject
	for i := range 14 {
		rows = append(rows, touch.NewRow(fmt.Sprintf("第%d行", i+1), "", "", func() {}))
	}
	return touch.NewPager("上一页", "下一页", rows...)
}

// pagedChoices is a pager of buttons (a notice's choices, no list's rows) that runs
// over two pages, its blocks the gap apart if apart is set.
func pagedChoices(apart bool) *touch.Pager {
	var b []fyne.CanvasObject
	for i := range 14 {
		b = append(b, touch.NewButton(fmt.Sprintf("第%d项", i+1), func() {}))
	}
	p := touch.NewPager("上一页", "下一页", b...)
	p.Apart = apart
	return p
}

// strip is an empty strip w wide or high.
func strip(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// AssertGaps finds what the review found (two lists' pagers side by side, a main action
// under 下一页, each at the padding), and passes them the gap apart.
func TestAssertGaps(t *testing.T) {
	pad := float32(8) // the theme's padding at scale 1
	for _, tc := range []struct {
		name string
		make func() fyne.CanvasObject
		want []string // pairs the check must report, each as "A" and "B"
	}{
		{"two pagers at the padding", func() fyne.CanvasObject {
			return container.NewGridWithColumns(2, pagedList(), pagedList())
		}, []string{`"下一页" and "上一页"`}},
		{"two pagers the gap apart", func() fyne.CanvasObject {
			// The right-hand pager as wide as a column: at its bare minimum its own
			// 上一页 and 下一页 would touch.
			right := container.NewStack(strip(500, 0), pagedList())
			return container.NewBorder(nil, nil, nil, container.NewHBox(strip(kt.MinGap-2*pad, 0), right), pagedList())
		}, nil},
		{"a main action at the padding under 下一页", func() fyne.CanvasObject {
			return container.NewBorder(nil, container.NewBorder(nil, nil, nil, touch.NewPrimaryButton("缴费", nil)), nil, nil, pagedList())
		}, []string{`"下一页" and "缴费"`}},
		{"a main action the gap under 下一页", func() fyne.CanvasObject {
			foot := container.New(layout.NewCustomPaddedVBoxLayout(0), strip(0, kt.MinGap-pad), container.NewBorder(nil, nil, nil, touch.NewPrimaryButton("缴费", nil)))
			return container.NewBorder(nil, foot, nil, nil, pagedList())
		}, nil},
	} {
		f := &failures{TB: t}
		h := NewScreen(f, tc.name, func(w fyne.Window) {
			test.ApplyTheme(t, kt.New(false))
			w.SetContent(tc.make())
		})
		if !h.CanTap("下一页") {
			t.Fatalf("%s: the list is on one page, with no 下一页 to check", tc.name)
		}
		h.AssertGaps()
		f.want(t, tc.name, tc.want)
	}
}

// AssertGaps finds what the review found in the footer (大字模式 and English at the
// padding), marked apart or not, and passes them, and 好差评's levels, when
// touch.Apart lays them out.
func TestAssertGapsApart(t *testing.T) {
	toggles := func() []fyne.CanvasObject {
		return []fyne.CanvasObject{touch.NewPrimaryButton("大字模式", nil), touch.NewButton("English", nil)}
	}
	levels := func() []fyne.CanvasObject {
		var l []fyne.CanvasObject
		for _, s := range []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意"} {
			l = append(l, touch.NewButton(s, nil))
		}
		return l
	}
	// atPadding is a touch.Apart whose controls a layout puts only the padding apart.
	atPadding := func() fyne.CanvasObject {
		a := touch.NewApartRow(toggles()...)
		test.WidgetRenderer(a).Objects()[0].(*fyne.Container).Layout = layout.NewHBoxLayout()
		return a
	}
	for _, tc := range []struct {
		name string
		make func() fyne.CanvasObject
		want []string
	}{
		{"toggles marked apart at the padding", atPadding, []string{`"大字模式" and "English"`}},
		{"toggles in a row apart", func() fyne.CanvasObject { return container.NewBorder(nil, nil, nil, touch.NewApartRow(toggles()...)) }, nil},
		{"toggles at the padding, not marked", func() fyne.CanvasObject { return container.NewHBox(toggles()...) }, []string{`"大字模式" and "English"`}},
		{"levels in a grid apart", func() fyne.CanvasObject { return container.NewVBox(touch.NewApartGrid(3, levels()...)) }, nil},
	} {
		f := &failures{TB: t}
		h := NewScreen(f, tc.name, func(w fyne.Window) {
			test.ApplyTheme(t, kt.New(true))
			w.SetContent(tc.make())
		})
		if !h.CanTap("English") && !h.CanTap("满意") {
			t.Fatalf("%s: nothing to check on screen", tc.name)
		}
		h.AssertGaps()
		f.want(t, tc.name, tc.want)
	}
}

// AssertGaps checks every pair, not only those marked: the header's 返回 and 首页 and a
// result page's stack of buttons at the padding fail; a keypad's character keys, a
// pager's rows and the header's hidden title, each with its own rule, pass.
func TestAssertGapsEveryPair(t *testing.T) {
	buttons := func(labels ...string) []fyne.CanvasObject {
		var b []fyne.CanvasObject
		for _, l := range labels {
			b = append(b, touch.NewButton(l, func() {}))
		}
		return b
	}
	for _, tc := range []struct {
		name string
		make func() fyne.CanvasObject
		want []string
	}{
		{"返回 and 首页 at the padding", func() fyne.CanvasObject { return container.NewHBox(buttons("返回", "首页")...) },
			[]string{`"返回" and "首页"`}},
		{"a stack of buttons at the padding", func() fyne.CanvasObject { return container.NewVBox(buttons("返回账单", "退出办理")...) },
			[]string{`"返回账单" and "退出办理"`}},
		{"a stack of buttons the gap apart", func() fyne.CanvasObject { return touch.NewApartGrid(1, buttons("返回账单", "退出办理")...) }, nil},
		{"a keypad", func() fyne.CanvasObject {
			return touch.NewKeypad(touch.Numeric, touch.KeypadLabels{OK: "确定", Clear: "清空", Backspace: "退格"})
		}, nil},
		{"a paged list", func() fyne.CanvasObject { return pagedList() }, nil},
		{"paged choices at the padding", func() fyne.CanvasObject { return pagedChoices(false) }, []string{`"第1项" and "第2项"`}},
		{"paged choices apart", func() fyne.CanvasObject { return pagedChoices(true) }, nil},
		{"a title by a button", func() fyne.CanvasObject {
			title := touch.NewTapCounter(canvas.NewText("标题", nil), touch.NewGesture(5, time.Second, func() {}))
			return container.NewHBox(append(buttons("首页"), title)...)
		}, nil},
	} {
		f := &failures{TB: t}
		h := NewScreen(f, tc.name, func(w fyne.Window) {
			test.ApplyTheme(t, kt.New(false))
			w.SetContent(tc.make())
		})
		if len(h.Targets()) < 2 {
			t.Fatalf("%s: fewer than two controls on screen", tc.name)
		}
		h.AssertGaps()
		f.want(t, tc.name, tc.want)
	}
}
