package touch

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
)

// Every widget of the package that takes taps tells when a finger goes down on it and
// comes up; a lift runs OnLift once, and a press held beyond MaxHold no longer counts.
func TestFingerHeld(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	finger.now = func() time.Time { return now }
	lifts := 0
	OnLift(func() { lifts++ })
	t.Cleanup(func() {
		finger.now = nil
		OnLift(nil)
		press{}.MouseUp(nil)
	})
	for _, w := range []struct {
		name string
		m    desktop.Mouseable
	}{
		{"Button", NewButton("缴费", nil)},
		{"Tile", NewTile("大厅指南", "", nil)},
		{"Row", NewRow("电费", "", "", nil)},
		{"TapCounter", NewTapCounter(canvas.NewText("大厅", nil), NewGesture(5, time.Second, nil))},
		{"Surface", NewSurface(nil)},
	} {
		if _, ok := w.m.(fyne.Tappable); !ok {
			t.Errorf("%s takes no taps", w.name)
		}
		lifts = 0
		ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
		w.m.MouseDown(ev)
		if !Held() {
			t.Errorf("%s: a finger down is not held", w.name)
		}
		w.m.MouseUp(ev)
		w.m.MouseUp(ev) // Fyne's driver sends one per release; a stray one lifts nothing
		if Held() || lifts != 1 {
			t.Errorf("%s: after the lift held %v, %d lifts run; want false, 1", w.name, Held(), lifts)
		}
	}

	// The finger came up where none of the widgets heard it.
	press{}.MouseDown(nil)
	now = now.Add(MaxHold - time.Millisecond)
	if !Held() {
		t.Error("a press just under MaxHold is not held")
	}
	now = now.Add(time.Millisecond)
	if Held() {
		t.Error("a press of MaxHold is still held")
	}
}
