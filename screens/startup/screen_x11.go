//go:build !ci

package startup

/*
#cgo pkg-config: x11 xext
#include <X11/Xlib.h>
#include <X11/extensions/dpms.h>

typedef struct {
	int timeout, interval, blanking, exposures;
	int dpms_capable;
	CARD16 power;
	BOOL dpms_on;
} screen_state;

static int x_error;

// Xlib's default error handler ends the process; a setting the server refuses is an
// error for the caller instead.
static int keep_error(Display *d, XErrorEvent *e) {
	x_error = e->error_code;
	return 0;
}

static int get_state(screen_state *s) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	int ev, er;
	XGetScreenSaver(d, &s->timeout, &s->interval, &s->blanking, &s->exposures);
	s->dpms_capable = DPMSQueryExtension(d, &ev, &er) && DPMSCapable(d);
	s->dpms_on = 0;
	if (s->dpms_capable) DPMSInfo(d, &s->power, &s->dpms_on);
	XCloseDisplay(d);
	return 0;
}

static int set_state(const screen_state *s) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return -1;
	x_error = 0;
	XErrorHandler old = XSetErrorHandler(keep_error);
	XSetScreenSaver(d, s->timeout, s->interval, s->blanking, s->exposures);
	if (s->dpms_capable) {
		if (s->dpms_on) DPMSEnable(d); else DPMSDisable(d);
	}
	XSync(d, False);
	XSetErrorHandler(old);
	XCloseDisplay(d);
	return x_error;
}
*/
import "C"

import (
	"fmt"
	"os"
	"time"
)

// Screen is the X server's screen saver and display power (DPMS) setting.
type Screen struct {
	// SaverTimeout is the idle time after which the server blanks the screen; 0 never.
	SaverTimeout time.Duration
	// DPMS reports that the server powers the display down when idle (only where the
	// server has the DPMS extension: a real Xorg, not Xvfb).
	DPMS bool
	s    C.screen_state
}

// ScreenSettings reads the X server's setting on $DISPLAY.
func ScreenSettings() (Screen, error) {
	var s C.screen_state
	if C.get_state(&s) != 0 {
		return Screen{}, fmt.Errorf("startup: screen saver: cannot open display %q", os.Getenv("DISPLAY"))
	}
	return Screen{SaverTimeout: time.Duration(s.timeout) * time.Second, DPMS: s.dpms_on != 0, s: s}, nil
}

// KeepScreenOn turns the X server's screen saver and display power management off, as
// `xset s off -dpms` does: a kiosk in a bare X session would otherwise go black after
// Xorg's default ten idle minutes, and a citizen walking up would take it for broken.
// Fyne's own switch (SetDisableScreenBlanking) asks a desktop's screen saver over D-Bus,
// which a kiosk's X session does not run. The setting is the server's and outlives the
// process: Restore the returned one when the kiosk stops.
func KeepScreenOn() (before Screen, err error) {
	before, err = ScreenSettings()
	if err != nil {
		return before, err
	}
	on := before.s
	on.timeout, on.dpms_on = 0, 0
	return before, setScreen(&on, "keep the screen on")
}

// Restore puts a setting read by ScreenSettings or KeepScreenOn back.
func (s Screen) Restore() error { return setScreen(&s.s, "restore the screen saver") }

func setScreen(s *C.screen_state, what string) error {
	switch code := C.set_state(s); code {
	case 0:
		return nil
	case -1:
		return fmt.Errorf("startup: %s: cannot open display %q", what, os.Getenv("DISPLAY"))
	default:
		return fmt.Errorf("startup: %s: the X server refused it (error code %d)", what, int(code))
	}
}
