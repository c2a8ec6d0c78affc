//go:build ci

package startup

import (
	"errors"
	"time"
)

// Screen is the X server's screen saver setting; the test driver has no X server.
type Screen struct {
	SaverTimeout time.Duration
	DPMS         bool
}

var errNoX = errors.New("startup: screen saver: no X server under the test driver")

// ScreenSettings fails under the test driver.
func ScreenSettings() (Screen, error) { return Screen{}, errNoX }

// KeepScreenOn fails under the test driver.
func KeepScreenOn() (Screen, error) { return Screen{}, errNoX }

// Restore fails under the test driver.
func (Screen) Restore() error { return errNoX }
