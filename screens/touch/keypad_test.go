package touch

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

var labels = KeypadLabels{Backspace: "退格", Clear: "清空", OK: "确定"}

func phoneRule(v string) string {
	if len(v) > 0 && v[0] != '1' {
		return "手机号码以 1 开头"
	}
	if len(v) < 11 {
		return "请输入 11 位手机号码"
	}
	return ""
}

func TestKeypadTypesValidatesSubmits(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	var submitted string
	keys := 0
	k := NewKeypad(Numeric, labels)
	k.MaxLen = 11
	k.Validate = phoneRule
	k.OnSubmit = func(v string) { submitted = v }
	k.OnKey = func() { keys++ }
	k.Placeholder = "联系电话"
	w := test.NewTempWindow(t, k)
	w.Resize(fyne.NewSize(800, 600))

	test.Tap(k.Key("2"))
	if k.Message() != "手机号码以 1 开头" || k.hint.Text != k.Message() {
		t.Fatalf("message %q, under the value %q", k.Message(), k.hint.Text)
	}
	test.Tap(k.Key("退格"))
	for _, c := range "138123456789" { // one digit too many
		test.Tap(k.Key(string(c)))
	}
	// Typed over the placeholder, the prompt stays in view under the value.
	if k.Value() != "13812345678" || k.Message() != "" || k.hint.Text != "联系电话" {
		t.Fatalf("value %q message %q, under the value %q", k.Value(), k.Message(), k.hint.Text)
	}
	if k.Key("确定").Disabled() {
		t.Fatal("确定 disabled on a valid value")
	}
	test.Tap(k.Key("确定"))
	if submitted != "13812345678" {
		t.Fatalf("submitted %q", submitted)
	}
	if keys != 15 {
		t.Fatalf("%d key presses reported, want 15", keys)
	}
	test.Tap(k.Key("清空"))
	if k.Value() != "" || !k.Key("确定").Disabled() || k.hint.Text != k.Message() {
		t.Fatal("清空 did not clear")
	}
	if k.Key("X") != nil {
		t.Fatal("plain numeric keypad has an X key")
	}
}

// OnChange hears every change a key makes, and nothing else: not 确定, not a key that
// changes nothing (a digit past MaxLen, 退格 or 清空 on nothing), not SetValue.
func TestKeypadOnChange(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	k := NewKeypad(Numeric, labels)
	k.MaxLen = 2
	var changes []string
	k.OnChange = func(v string) { changes = append(changes, v) }
	k.OnSubmit = func(string) {}
	k.SetValue("1")
	test.NewTempWindow(t, k)
	for _, key := range []string{"2", "3", "确定", "退格", "清空", "清空", "退格", "4"} {
		test.Tap(k.Key(key))
	}
	if got := strings.Join(changes, ","); got != "12,1,,4" {
		t.Fatalf("changes heard: %q, want 12,1,,4", got)
	}
}

// The help is on the line under the value while nothing is typed; what is wrong with a
// value, or the prompt over a right one, takes its place.
func TestKeypadHelp(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(true))
	k := NewKeypad(Numeric, labels)
	k.Placeholder, k.Help = "联系电话", "手机或带区号的固话，办理进度短信告知。"
	k.Validate = func(v string) string {
		if v == "" {
			return ""
		}
		return phoneRule(v)
	}
	w := test.NewTempWindow(t, k)
	w.Resize(fyne.NewSize(1260, 600))
	for _, step := range []struct {
		key, hint string
	}{
		{"", k.Help},
		{"2", "手机号码以 1 开头"},
		{"清空", k.Help},
		{"1", "请输入 11 位手机号码"},
	} {
		if step.key != "" {
			test.Tap(k.Key(step.key))
		}
		if k.hint.Text != step.hint {
			t.Errorf("after %q, under the value %q, want %q", step.key, k.hint.Text, step.hint)
		}
	}
	for _, c := range "3812345678" {
		test.Tap(k.Key(string(c)))
	}
	if k.hint.Text != k.Placeholder {
		t.Errorf("over a right value, under it %q", k.hint.Text)
	}
}

// eachKeypad lays a keypad of every kind out in both modes, 1250 wide and as tall as it
// asks, and hands it to f.
func eachKeypad(t *testing.T, f func(elderly bool, kind KeypadKind, k *Keypad)) {
	for _, elderly := range []bool{false, true} {
		for _, kind := range []KeypadKind{Numeric, NumericX, Decimal, Alphanumeric} {
			test.NewTempApp(t)
			test.ApplyTheme(t, kt.New(elderly))
			k := NewKeypad(kind, labels)
			w := test.NewTempWindow(t, k)
			w.SetPadded(false)
			w.Resize(fyne.NewSize(1250, k.MinSize().Height))
			f(elderly, kind, k)
		}
	}
}

func TestKeypadKindsAndTargets(t *testing.T) {
	eachKeypad(t, func(elderly bool, kind KeypadKind, k *Keypad) {
		min := float32(64)
		if elderly {
			min = 80
		}
		n := 0
		for label, b := range k.keys {
			n++
			if s := b.Size(); s.Width < min || s.Height < min {
				t.Errorf("kind %d elderly %v: key %q is %.0f×%.0f", kind, elderly, label, s.Width, s.Height)
			}
		}
		want := map[KeypadKind]int{Numeric: 13, NumericX: 14, Decimal: 14, Alphanumeric: 39}[kind]
		if n != want {
			t.Errorf("kind %d has %d keys, want %d", kind, n, want)
		}
		if kind == Alphanumeric {
			test.Tap(k.Key("S"))
			test.Tap(k.Key("Q"))
			test.Tap(k.Key("7"))
			if k.Value() != "SQ7" {
				t.Errorf("value %q", k.Value())
			}
		}
	})
}

// A key's one character is drawn larger than the words of 清空 and 确定, in both kinds of
// keypad and both modes.
func TestKeypadCharactersLarge(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		for _, kind := range []KeypadKind{Numeric, Alphanumeric} {
			test.NewTempApp(t)
			test.ApplyTheme(t, kt.New(elderly))
			k := NewKeypad(kind, labels)
			w := test.NewTempWindow(t, k)
			w.Resize(fyne.NewSize(1280, 600))
			size := func(key string) float32 {
				for _, o := range test.WidgetRenderer(k.Key(key)).Objects() {
					if txt, ok := o.(*canvas.Text); ok {
						return txt.TextSize
					}
				}
				t.Fatalf("key %s has no text", key)
				return 0
			}
			if digit, word := size("5"), size("清空"); digit <= word {
				t.Errorf("elderly %v, kind %v: 5 drawn at %v, 清空 at %v", elderly, kind, digit, word)
			}
		}
	}
}

// TestKeypadKeysStayPut: the first character replaces the placeholder at a larger
// size; the display is as tall as that from the start, so the keypad needs no more room
// after it and no key moves under a finger.
func TestKeypadKeysStayPut(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		test.NewTempApp(t)
		test.ApplyTheme(t, kt.New(elderly))
		for _, secret := range []bool{false, true} {
			for _, placeholder := range []string{"", "请输入手机号码"} {
				k := NewKeypad(Numeric, labels)
				k.Placeholder = placeholder
				k.Secret = secret
				test.NewTempWindow(t, k).Resize(fyne.NewSize(1280, 700))
				before := k.MinSize()
				k.Press("1")
				if after := k.MinSize(); after.Height != before.Height {
					t.Errorf("elderly %v, secret %v, placeholder %q: the keypad needs %.0f px of height after the first character, %.0f before",
						elderly, secret, placeholder, after.Height, before.Height)
				}
			}
		}
	}
}

// 确定 and 清空 stand the theme's gap (24 px) clear of every other key, on every kind of
// keypad in both modes: with 清空 against 确定, a finger aimed at 确定 that slipped
// erased the entry. 清空 is beside the value, above the keys; 确定 is the tall key on
// the right.
func TestKeypadOKAndClearStandApart(t *testing.T) {
	eachKeypad(t, func(elderly bool, kind KeypadKind, k *Keypad) {
		box := func(b *Button) [2]fyne.Position {
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			return [2]fyne.Position{at, at.Add(b.Size())}
		}
		for _, apart := range []*Button{k.OK(), k.Clear()} {
			a := box(apart)
			for label, key := range k.keys {
				if key == apart {
					continue
				}
				b := box(key)
				dx := max(0, a[0].X-b[1].X, b[0].X-a[1].X)
				dy := max(0, a[0].Y-b[1].Y, b[0].Y-a[1].Y)
				if dx < kt.MinGap && dy < kt.MinGap {
					t.Errorf("elderly %v, kind %d: %q and %q are %.0f×%.0f apart", elderly, kind, apart.Text, label, dx, dy)
				}
			}
		}
	})
}

// TestKeypadLongPlaceholder: a prompt too long for the display at its size (a utility's
// long name in it, English in 大字模式) is drawn smaller and read whole; it neither
// widens the keypad past the screen nor is cut. A short one keeps its size, and so
// does the long one where it fits.
func TestKeypadLongPlaceholder(t *testing.T) {
	const long = "Type your State Grid Liangzihu Power Supply account number"
	for _, elderly := range []bool{false, true} {
		test.NewTempApp(t)
		test.ApplyTheme(t, kt.New(elderly))
		for _, tc := range []struct {
			placeholder string
			smaller     bool
		}{{"请输入户号", false}, {long, elderly}} {
			k := NewKeypad(Numeric, labels)
			k.Placeholder = tc.placeholder
			w := test.NewTempWindow(t, k)
			w.SetPadded(false)
			w.Resize(fyne.NewSize(1260, 700)) // the screen's body
			if m := k.MinSize(); m.Width > 1260 {
				t.Errorf("elderly %v, %q: the keypad needs %.0f px of width", elderly, tc.placeholder, m.Width)
			}
			var shown *canvas.Text
			for _, o := range test.TempWidgetRenderer(t, k.display).Objects() {
				shown, _ = o.(*canvas.Text)
			}
			if shown == nil || shown.Text != tc.placeholder {
				t.Fatalf("elderly %v: the display shows %+v, want %q whole", elderly, shown, tc.placeholder)
			}
			if w := fyne.MeasureText(shown.Text, shown.TextSize, shown.TextStyle).Width; w > k.display.Size().Width {
				t.Errorf("elderly %v, %q: %.0f px of text in a display %.0f px wide", elderly, tc.placeholder, w, k.display.Size().Width)
			}
			if smaller := shown.TextSize < k.display.TextSize; smaller != tc.smaller {
				t.Errorf("elderly %v, %q: drawn at %.0f, its size %.0f", elderly, tc.placeholder, shown.TextSize, k.display.TextSize)
			}
		}
	}
}
