package touch

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

func TestRowCheckBox(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	r := NewRow("2026年10月", "用电 212 度", "￥86.40", nil)
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(700, 120))
	rr := test.TempWidgetRenderer(t, r).(*rowRenderer)
	for _, c := range []struct {
		checkable, checked bool
		box, tick          bool
	}{
		{false, false, false, false},
		{true, false, true, false},
		{true, true, true, true},
		{false, true, false, false}, // a checked flag on a plain row draws nothing
	} {
		r.Checkable, r.Checked = c.checkable, c.checked
		r.Refresh()
		if rr.box.Visible() != c.box || rr.tick[0].Visible() != c.tick || rr.tick[1].Visible() != c.tick {
			t.Errorf("checkable %v checked %v: box %v tick %v", c.checkable, c.checked, rr.box.Visible(), rr.tick[0].Visible())
		}
		if c.box {
			// The box sits before the title, and the tick inside the box.
			b := rr.box.Position()
			if b.X+rr.box.Size().Width > rr.title.Position().X {
				t.Errorf("box at %v overlaps the title at %v", b, rr.title.Position())
			}
			for _, l := range rr.tick {
				for _, p := range []fyne.Position{l.Position1, l.Position2} {
					if p.X < b.X || p.Y < b.Y || p.X > b.X+rr.box.Size().Width || p.Y > b.Y+rr.box.Size().Height {
						t.Errorf("tick point %v outside the box at %v", p, b)
					}
				}
			}
		}
	}
}

// With OnCheck, a tap on the check box (at least a fingertip wide) checks, a tap
// elsewhere on the row runs OnTapped; without it, the whole row runs OnTapped.
func TestRowTapOnBox(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	var got []string
	r := NewRow("2026年10月", "用电 212 度", "￥86.40", func() { got = append(got, "row") })
	r.Checkable = true
	w := test.NewTempWindow(t, r)
	w.Resize(fyne.NewSize(700, 120))
	box := test.TempWidgetRenderer(t, r).(*rowRenderer).box
	onBox := fyne.NewPos(box.Position().X+box.Size().Width/2, 60)
	edge := fyne.NewPos(63, 60) // a fingertip (64 px) from the start, beside a small box
	elsewhere := fyne.NewPos(400, 60)
	for _, tap := range []fyne.Position{onBox, edge, elsewhere} {
		r.Tapped(&fyne.PointEvent{Position: tap})
	}
	r.OnCheck = func() { got = append(got, "box") }
	for _, tap := range []fyne.Position{onBox, edge, elsewhere} {
		r.Tapped(&fyne.PointEvent{Position: tap})
	}
	if want := "row row row box box row"; strings.Join(got, " ") != want {
		t.Fatalf("taps ran %v, want %s", got, want)
	}
}

// A long value (an address chosen in a form) does not widen the row beyond a short
// value's room: it is shown whole where the row has room, shortened where not, and
// never over the title.
func TestRowLongValue(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	address := "梁子湖区太和镇正街社区金域花园1栋1单元101室"
	short := NewRow("地址 *", "逐级选择", "￥86.40", nil)
	long := NewRow("地址 *", "逐级选择", address, nil)
	if grow := long.MinSize().Width - short.MinSize().Width; grow > 200 {
		t.Errorf("a long value widens the row by %.0f px", grow)
	}
	w := test.NewTempWindow(t, long)
	w.SetPadded(false)
	rr := test.TempWidgetRenderer(t, long).(*rowRenderer)
	for _, c := range []struct {
		width float32
		whole bool
	}{{1200, true}, {long.MinSize().Width, false}} {
		w.Resize(fyne.NewSize(c.width, 100))
		shown := test.TempWidgetRenderer(t, rr.trailing).(*fitRenderer).text.Text
		if (shown == address) != c.whole {
			t.Errorf("%.0f px wide: value shown as %q", c.width, shown)
		}
		if rr.title.Position().X+rr.title.Size().Width > rr.trailing.Position().X {
			t.Errorf("%.0f px wide: the title runs into the value", c.width)
		}
	}
}
