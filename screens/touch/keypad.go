package touch

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// KeypadKind chooses the keys.
type KeypadKind int

const (
	// Numeric has 0–9 (phone and account numbers).
	Numeric KeypadKind = iota
	// NumericX adds X, the check character of ID numbers.
	NumericX
	// Decimal adds a decimal point (a capacity in kW, say).
	Decimal
	// Alphanumeric has 0–9 and A–Z (application and reference numbers).
	Alphanumeric
)

// KeypadLabels are the texts of the keypad's own keys, in the kiosk's language.
type KeypadLabels struct {
	Backspace, Clear, OK string
}

// Keypad is an on-screen keypad with its own display: the kiosk has no keyboard and an
// Entry would take focus and show a cursor. The value is checked as it is typed and
// 确定 works only when it is valid.
type Keypad struct {
	widget.BaseWidget

	Kind   KeypadKind
	MaxLen int
	// Placeholder is shown while the value is empty.
	Placeholder string
	// Help, if set, is shown on the line under the value while it is empty: what the
	// value is for (one line; the screen has no room above the keys for it).
	Help string
	// Secret shows a dot for each character typed (a PIN), never the characters.
	Secret bool
	// Validate returns the message to show for a value that is not acceptable yet, or ""
	// when it is. It is called on every key press.
	Validate func(value string) string
	// OnSubmit receives the value when 确定 is pressed on a valid value.
	OnSubmit func(value string)
	// OnKey runs on every key press (the kiosk counts it as activity).
	OnKey func()
	// OnChange receives the value after a key press changed it: a screen keeps it, and
	// gives it back (SetValue) to the keypad it builds when it is drawn again (大字模式 or
	// English tapped half way through a number).
	OnChange func(value string)

	labels  KeypadLabels
	value   string
	message string

	display *FitText
	// strut holds the display as tall as a value makes it, so that the keys do not
	// move when the placeholder (a smaller size) gives way to the first character.
	strut *canvas.Rectangle
	// hint is shortened rather than let a long help widen the screen.
	hint *FitText
	ok   *Button
	keys map[string]*Button
}

// NewKeypad returns a keypad of the given kind.
func NewKeypad(kind KeypadKind, labels KeypadLabels) *Keypad {
	k := &Keypad{Kind: kind, MaxLen: 32, labels: labels, keys: map[string]*Button{}}
	k.ExtendBaseWidget(k)
	return k
}

// Value returns what has been typed.
func (k *Keypad) Value() string { return k.value }

// Message returns the current validation message ("" when the value is acceptable).
func (k *Keypad) Message() string { return k.message }

// SetValue replaces the value (e.g. a number read from a scanned QR code).
func (k *Keypad) SetValue(v string) {
	k.value = v
	k.check()
}

// Press presses a key by its label ("0"–"9", "A"–"Z", or the Backspace, Clear and OK
// labels), as a tap on it would.
func (k *Keypad) Press(key string) {
	if k.OnKey != nil {
		k.OnKey()
	}
	before := k.value
	switch key {
	case k.labels.Backspace:
		if k.value != "" {
			_, size := utf8.DecodeLastRuneInString(k.value)
			k.value = k.value[:len(k.value)-size]
		}
	case k.labels.Clear:
		k.value = ""
	case k.labels.OK:
		k.check()
		if k.message == "" && k.value != "" && k.OnSubmit != nil {
			k.OnSubmit(k.value)
		}
		return
	default:
		if utf8.RuneCountInString(k.value) < k.MaxLen {
			k.value += key
		}
	}
	k.check()
	if k.value != before && k.OnChange != nil {
		k.OnChange(k.value)
	}
}

func (k *Keypad) check() {
	k.message = ""
	if k.Validate != nil {
		k.message = k.Validate(k.value)
	}
	k.Refresh()
}

// Key returns the button of a key (tests tap it).
func (k *Keypad) Key(label string) *Button { return k.keys[label] }

// OK returns the 确定 key, in whatever language it is labelled.
func (k *Keypad) OK() *Button { return k.ok }

// Clear returns the 清空 key, in whatever language it is labelled.
func (k *Keypad) Clear() *Button { return k.keys[k.labels.Clear] }

// CreateRenderer builds the display and the keys.
func (k *Keypad) CreateRenderer() fyne.WidgetRenderer {
	k.display = NewFitText("", ft.Color(ft.ColorNameForeground), ft.Size(ft.SizeNameHeadingText))
	// A prompt too long for the display (a utility's long name in it, English in
	// 大字模式) is drawn smaller, not cut, nor is the screen widened for it.
	k.display.MinTextSize = ft.Size(ft.SizeNameText)
	k.hint = NewFitText("", ft.Color(ft.ColorNameError), ft.Size(ft.SizeNameText))
	bg := canvas.NewRectangle(ft.Color(ft.ColorNameInputBackground))
	bg.StrokeColor = ft.Color(ft.ColorNameInputBorder)
	bg.StrokeWidth = 2
	bg.CornerRadius = 8
	k.strut = canvas.NewRectangle(color.Transparent)
	screen := container.NewStack(bg, container.NewPadded(container.NewStack(k.strut, k.display)))

	// A character key's label is larger than the words: one character, read by eyes
	// that need 大字模式. (A heading's size made the keys taller than a screen has room
	// for in 大字模式.)
	key := func(label string) *Button {
		b := NewButton(label, func() { k.Press(label) })
		if utf8.RuneCountInString(label) == 1 {
			b.TextSize = ft.SizeNameSubHeadingText
		}
		k.keys[label] = b
		return b
	}
	k.ok = NewPrimaryButton(k.labels.OK, func() { k.Press(k.labels.OK) })
	k.keys[k.labels.OK] = k.ok
	// 确定 is the tall key on the right, the theme's gap clear of every other key, and
	// 清空 sits beside the value it empties, above the keys, the line under the value
	// between them. 清空 sat against 确定: a finger aimed at 确定 that slipped erased the
	// whole entry. The keys nearest 确定 are now 退格 and the digits, the gap away, where
	// a slip costs one character, in sight.
	var chars *fyne.Container
	switch k.Kind {
	case Alphanumeric:
		rows := []string{"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"}
		chars = container.NewGridWithColumns(10)
		for i, r := range rows {
			for _, c := range r {
				chars.Add(key(string(c)))
			}
			if i == 2 {
				chars.Add(key(k.labels.Backspace))
			}
		}
	default:
		chars = container.NewGridWithColumns(3)
		for _, c := range "123456789" {
			chars.Add(key(string(c)))
		}
		switch k.Kind {
		case NumericX:
			chars.Add(key("X"))
		case Decimal:
			chars.Add(key("."))
		default:
			chars.Add(layout.NewSpacer())
		}
		chars.Add(key("0"))
		chars.Add(key(k.labels.Backspace))
	}
	pad := container.New(keysLayout{}, chars, k.ok)
	top := container.NewBorder(nil, nil, nil, key(k.labels.Clear), screen)
	r := &keypadRenderer{k: k, content: container.NewBorder(container.NewVBox(top, k.hint), nil, nil, nil, pad)}
	r.Refresh()
	return r
}

// keysLayout puts the character keys (the first object) on the left and 确定 (the
// second) on the right, as tall as they are and 1.6 times as wide as its label needs,
// the theme's SizeNameGap between them.
type keysLayout struct{}

func (keysLayout) okWidth(ok fyne.CanvasObject) float32 { return ok.MinSize().Width * 1.6 }

func (l keysLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	chars, ok := objects[0], objects[1]
	w := l.okWidth(ok)
	chars.Move(fyne.NewPos(0, 0))
	chars.Resize(fyne.NewSize(size.Width-w-ft.Size(kt.SizeNameGap), size.Height))
	ok.Move(fyne.NewPos(size.Width-w, 0))
	ok.Resize(fyne.NewSize(w, size.Height))
}

func (l keysLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	chars, ok := objects[0].MinSize(), objects[1].MinSize()
	return fyne.NewSize(chars.Width+ft.Size(kt.SizeNameGap)+l.okWidth(objects[1]), max(chars.Height, ok.Height))
}

type keypadRenderer struct {
	k       *Keypad
	content *fyne.Container
}

func (r *keypadRenderer) Layout(s fyne.Size)           { r.content.Resize(s) }
func (r *keypadRenderer) MinSize() fyne.Size           { return r.content.MinSize() }
func (r *keypadRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.content} }
func (r *keypadRenderer) Destroy()                     {}

func (r *keypadRenderer) Refresh() {
	k := r.k
	if k.value == "" {
		k.display.Text = k.Placeholder
		k.display.Color = ft.Color(ft.ColorNamePlaceHolder)
		k.display.TextStyle.Monospace = false // the monospace face has no Chinese
		k.display.TextSize = ft.Size(ft.SizeNameSubHeadingText)
	} else {
		k.display.TextStyle.Monospace = true
		k.display.Text = spaced(k.value)
		if k.Secret {
			// The monospace face has no ●; the bundled font does.
			k.display.TextStyle.Monospace = false
			k.display.Text = strings.TrimSpace(strings.Repeat("● ", utf8.RuneCountInString(k.value)))
		}
		k.display.Color = ft.Color(ft.ColorNameForeground)
		k.display.TextSize = ft.Size(ft.SizeNameHeadingText)
	}
	heading := ft.Size(ft.SizeNameHeadingText)
	k.strut.SetMinSize(fyne.NewSize(0, max(fyne.MeasureText("0", heading, fyne.TextStyle{Monospace: true}).Height,
		fyne.MeasureText("●", heading, fyne.TextStyle{}).Height)))
	// The line under the value says what is wrong with it, or else, once typing has
	// taken the placeholder's place, what is asked for (in 大字模式 the placeholder is
	// the only prompt: no room for a title above the keys).
	k.hint.Text, k.hint.Color = k.message, ft.Color(ft.ColorNameError)
	switch {
	case k.message == "" && k.value != "":
		k.hint.Text, k.hint.Color = k.Placeholder, ft.Color(ft.ColorNamePlaceHolder)
	case k.message == "":
		k.hint.Text, k.hint.Color = k.Help, ft.Color(ft.ColorNamePlaceHolder)
	}
	k.hint.TextSize = ft.Size(ft.SizeNameText)
	if k.message == "" && k.value != "" {
		k.ok.Enable()
	} else {
		k.ok.Disable()
	}
	k.display.Refresh()
	k.hint.Refresh()
}

// spaced groups long numbers in fours so they can be read back and checked.
func spaced(v string) string {
	if len(v) <= 6 {
		return v
	}
	var b strings.Builder
	for i, c := range v {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
