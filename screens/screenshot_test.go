package screens_test

import (
	"flag"
	"fmt"
	"testing"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/screens/screentest"
)

var screenshotDir = flag.String("screenshots", "", "write a PNG of every screen, both modes, and of the states a few tests bring about (57-…), into this folder")

// screenTour visits the screens that need no utility or device.
var screenTour = []struct {
	name string
	to   func(h *screentest.H)
}{
	{"home", func(h *screentest.H) {}},
	{"guide", func(h *screentest.H) { h.Tap("大厅指南") }},
	{"info", func(h *screentest.H) { h.Tap("信息公开") }},
	{"info-tariffs", func(h *screentest.H) { h.Tap("信息公开"); h.TapSeeking("电价") }},
	{"info-access", func(h *screentest.H) { h.Tap("信息公开"); h.TapSeeking("配电网接入容量") }},
	{"staff-pin", func(h *screentest.H) { h.TapTitle(5) }},
	{"maintenance", func(h *screentest.H) { h.OpenMaintenance(staffpin.DemoPIN) }},
	{"idle-countdown", func(h *screentest.H) {
		h.K.Sessions.Start()
		h.Tap("大厅指南")
		h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	}},
}

// TestScreens renders every screen in normal and elderly mode at 1280×800 with the
// software painter; each must fit without scrolling and keep its touch targets.
// With -screenshots DIR the pictures are written for docs/screenshots.
func TestScreens(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		mode := modeName(elderly)
		for _, st := range screenTour {
			t.Run(st.name+"-"+mode, func(t *testing.T) {
				h := screentest.New(t, screentest.Options{})
				if elderly {
					h.Shell.SetElderly(true)
				}
				st.to(h)
				h.Check(*screenshotDir, st.name+"-"+mode)
			})
		}
		// The screen of a kiosk that could not start: its database damaged.
		t.Run("out-of-service-"+mode, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.Data.Dir = "/var/lib/kiosk"
			h, _ := outOfService(t, fmt.Errorf("%w: cut short", store.ErrDamaged), "/etc/kiosk/kiosk.toml", cfg, i18n.ZH, elderly)
			h.Check(*screenshotDir, "out-of-service-"+mode)
		})
	}
}

// modeName names a screenshot's mode: normal, or elderly (大字模式).
func modeName(elderly bool) string { return map[bool]string{false: "normal", true: "elderly"}[elderly] }

// shot checks a state the test has brought about, in 大字模式 and normal size, each in
// Chinese and in English (a citizen may switch either with the state up); with
// -screenshots the Chinese pictures go there as name-elderly.png and name-normal.png
// (scripts/screenshots.sh runs the tests that take them). It leaves the screen in
// normal size and Chinese.
func shot(h *screentest.H, name string) {
	h.T.Helper()
	for _, elderly := range []bool{true, false} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.Check(*screenshotDir, name+"-"+modeName(elderly))
		h.Do(h.Shell.ToggleLanguage)
		h.Check("", name+"-en")
		h.Do(h.Shell.ToggleLanguage)
	}
}
