package touch

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

func TestIconButton(t *testing.T) {
	test.NewTempApp(t)
	for _, elderly := range []bool{false, true} {
		test.ApplyTheme(t, kt.New(elderly))
		taps := 0
		b := NewIconButton("返回", ft.NavigateBackIcon(), func() { taps++ })
		w := test.NewTempWindow(t, b)
		w.SetPadded(false)
		w.Resize(fyne.NewSize(400, 200))
		min := b.MinSize()
		if target := ft.Size(kt.SizeNameTarget); min.Width < target || min.Height < target {
			t.Errorf("elderly %v: min size %v under the touch target", elderly, min)
		}
		r := test.TempWidgetRenderer(t, b).(*iconButtonRenderer)
		// Icon then label, centred as one line, inside the button.
		ip, tp := r.icon.Position(), r.text.Position()
		if ip.X+r.icon.Size().Width > tp.X || ip.X < 0 || tp.X+r.text.Size().Width > b.Size().Width {
			t.Errorf("elderly %v: icon at %v, label at %v in %v", elderly, ip, tp, b.Size())
		}
		left, right := ip.X, b.Size().Width-(tp.X+r.text.Size().Width)
		if d := left - right; d > 1 || d < -1 {
			t.Errorf("elderly %v: not centred: %.1f left, %.1f right", elderly, left, right)
		}
		test.Tap(b)
		if taps != 1 {
			t.Errorf("elderly %v: %d taps", elderly, taps)
		}
		b.SetText("Back")
		if r.text.Text != "Back" {
			t.Errorf("elderly %v: label %q after SetText", elderly, r.text.Text)
		}
	}
}
