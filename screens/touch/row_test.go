package touch

import (
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
