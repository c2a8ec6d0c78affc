package touch

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
		r := test.TempWidgetRenderer(t, b).(*buttonRenderer)
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

// TestButtonStates: the colours follow importance and the disabled state, the icon is
// drawn in the label's colour, a disabled button ignores taps, and the label is in the
// font's one weight.
func TestButtonStates(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	c := func(n fyne.ThemeColorName) color.Color { return ft.Color(n) }
	cases := []struct {
		name       string
		importance widget.Importance
		disabled   bool
		bg, fg     fyne.ThemeColorName
	}{
		{"plain", widget.MediumImportance, false, ft.ColorNameButton, ft.ColorNameForeground},
		{"primary", widget.HighImportance, false, ft.ColorNamePrimary, ft.ColorNameForegroundOnPrimary},
		{"danger (退出办理)", widget.DangerImportance, false, ft.ColorNameError, ft.ColorNameForegroundOnError},
		{"warning (模拟刷卡)", widget.WarningImportance, false, ft.ColorNameWarning, ft.ColorNameForegroundOnWarning},
		{"success", widget.SuccessImportance, false, ft.ColorNameSuccess, ft.ColorNameForegroundOnSuccess},
		{"disabled", widget.MediumImportance, true, ft.ColorNameDisabledButton, ft.ColorNameDisabled},
		{"disabled primary", widget.HighImportance, true, ft.ColorNameDisabledButton, ft.ColorNameDisabled},
	}
	for _, tc := range cases {
		taps := 0
		b := NewIconButton("下一页", ft.NavigateNextIcon(), func() { taps++ })
		b.Importance = tc.importance
		test.NewTempWindow(t, b)
		r := test.TempWidgetRenderer(t, b).(*buttonRenderer)
		before := r.icon.Resource
		if tc.disabled {
			b.Disable()
		}
		b.Refresh()
		if r.bg.FillColor != c(tc.bg) || r.text.Color != c(tc.fg) {
			t.Errorf("%s: background %v, label %v; want %s and %s", tc.name, r.bg.FillColor, r.text.Color, tc.bg, tc.fg)
		}
		if got, ok := r.icon.Resource.(fyne.ThemedResource); !ok || got.ThemeColorName() != tc.fg {
			t.Errorf("%s: icon %v is not drawn in %s", tc.name, r.icon.Resource, tc.fg)
		}
		if changed := r.icon.Resource != before; changed != (tc.disabled) {
			t.Errorf("%s: icon recoloured %v on a refresh", tc.name, changed)
		}
		if r.text.TextStyle != (fyne.TextStyle{}) {
			t.Errorf("%s: label style %+v", tc.name, r.text.TextStyle)
		}
		test.Tap(b)
		if want := map[bool]int{false: 1, true: 0}[tc.disabled]; taps != want {
			t.Errorf("%s: %d taps, want %d", tc.name, taps, want)
		}
		// The press spread over the button and faded (Fyne's test driver runs an
		// animation straight to its end); a disabled button shows none.
		if spread := r.tap.Size() == b.Size(); spread == tc.disabled {
			t.Errorf("%s: press feedback %v over %v", tc.name, r.tap.Size(), b.Size())
		}
		if _, _, _, a := r.tap.FillColor.RGBA(); a != 0 {
			t.Errorf("%s: the press feedback did not fade", tc.name)
		}
	}
}

func TestButtonWithoutIcon(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	b := NewButton("确定", nil)
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(300, 200))
	r := test.TempWidgetRenderer(t, b).(*buttonRenderer)
	if n := len(r.Objects()); n != 3 || r.icon != nil {
		t.Fatalf("%d objects, icon %v", n, r.icon)
	}
	pad := ft.Size(ft.SizeNameInnerPadding)
	if got, want := b.MinSize().Width, r.text.MinSize().Width+2*pad; got != max(want, ft.Size(kt.SizeNameTarget)) {
		t.Errorf("min width %.1f, want %.1f", got, want)
	}
	test.Tap(b) // no action set: nothing happens, nothing panics
}

// A Snug button's tick does not widen it while the icon fits in its padding, and widens
// it no more than icon and label need once it does not: the padding gives way first.
func TestSnugButtonIcon(t *testing.T) {
	test.NewTempApp(t)
	for _, elderly := range []bool{false, true} {
		test.ApplyTheme(t, kt.New(elderly))
		for _, label := range []string{"满", "非常不满意", "Very dissatisfied"} {
			plain := NewButton(label, nil)
			ticked := NewIconButton(label, ft.ConfirmIcon(), nil)
			ticked.Snug = true
			loose := NewIconButton(label, ft.ConfirmIcon(), nil)
			r := test.TempWidgetRenderer(t, ticked).(*buttonRenderer)
			content := r.iconSize() + r.gap() + r.text.MinSize().Width
			want := max(plain.MinSize().Width, content)
			if got := ticked.MinSize().Width; got != want {
				t.Errorf("elderly %v, %q: snug and ticked %.1f wide, want %.1f (plain %.1f, icon and label %.1f)",
					elderly, label, got, want, plain.MinSize().Width, content)
			}
			if ticked.MinSize().Width >= loose.MinSize().Width {
				t.Errorf("elderly %v, %q: snug %.1f, not narrower than %.1f", elderly, label, ticked.MinSize().Width, loose.MinSize().Width)
			}
			// Laid out at its least width, icon and label stay inside it.
			ticked.Resize(ticked.MinSize())
			r.Layout(ticked.MinSize())
			if r.icon.Position().X < 0 || r.text.Position().X+r.text.Size().Width > ticked.Size().Width+0.5 {
				t.Errorf("elderly %v, %q: icon at %v, label at %v in %v", elderly, label, r.icon.Position(), r.text.Position(), ticked.Size())
			}
		}
	}
}
