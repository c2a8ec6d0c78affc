package touch

import (
	"sync"
	"time"

	"fyne.io/fyne/v2/driver/desktop"
)

// A screen built again under a finger loses its tap: Fyne taps what the finger went
// down on only if that is what it comes up on, and the rebuilt screen's widgets are new.
// The package's widgets that take taps (Button, Tile, Row, TapCounter, and Surface behind
// them all) therefore tell the package when a finger goes down on them and comes up, so
// that the shell can put off redrawing a screen for news (a utility's answer, a device's
// state) until the finger lifts. The kiosk has one screen and one finger (a touchscreen
// drives the X pointer), so the finger is the package's.

// MaxHold is the longest a press counts as held: a finger that comes up where none of
// the package's widgets hears it (outside the window) must not put off redraws for long.
const MaxHold = 2 * time.Second

var finger struct {
	sync.Mutex
	down   time.Time // when it went down; zero while lifted
	onLift func()
	now    func() time.Time
}

func fingerNow() time.Time {
	if finger.now != nil {
		return finger.now()
	}
	return time.Now()
}

// press is embedded in the widgets that take taps: it makes them desktop.Mouseable, and
// reports the finger's going down and up.
type press struct{}

// MouseDown records the finger down.
func (press) MouseDown(*desktop.MouseEvent) {
	finger.Lock()
	defer finger.Unlock()
	finger.down = fingerNow()
}

// MouseUp records the finger lifted and, if it was held, runs the OnLift function.
func (press) MouseUp(*desktop.MouseEvent) {
	finger.Lock()
	held := !finger.down.IsZero()
	finger.down = time.Time{}
	f := finger.onLift
	finger.Unlock()
	if held && f != nil {
		f()
	}
}

// Held reports whether a finger is down on the screen now: it went down on one of the
// package's widgets less than MaxHold ago and has not come up.
func Held() bool {
	finger.Lock()
	defer finger.Unlock()
	return !finger.down.IsZero() && fingerNow().Sub(finger.down) < MaxHold
}

// OnLift sets what runs when a held finger comes up (nil: nothing), on the goroutine
// that delivers the event, before the tap it may make: a redraw done there must be
// queued (fyne.Do), or the tap may find its widget gone.
func OnLift(f func()) {
	finger.Lock()
	defer finger.Unlock()
	finger.onLift = f
}
