package screens

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var screenshotDir = flag.String("screenshots", "", "write a PNG of every screen, both modes, into this folder")

// screenTour visits every screen a citizen can reach in the foundation. Later screens
// add their own steps.
var screenTour = []struct {
	name string
	go_  func(h *harness)
}{
	{"home", func(h *harness) {}},
	{"guide", func(h *harness) { h.tapText("办事指南") }},
	{"idle-countdown", func(h *harness) {
		h.k.Sessions.Start()
		h.tapText("办事指南")
		h.advance(h.k.Config.Kiosk.IdleTimeout.Duration)
	}},
}

// TestScreens renders every screen in normal and elderly mode at 1280×800 with the
// software painter; each must fit without scrolling and keep its touch targets.
// With -screenshots DIR the pictures are written for docs/screenshots.
func TestScreens(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		for _, st := range screenTour {
			mode := "normal"
			if elderly {
				mode = "elderly"
			}
			t.Run(st.name+"-"+mode, func(t *testing.T) {
				h := newHarness(t)
				if elderly {
					h.s.SetElderly(true)
				}
				st.go_(h)
				min := float32(64)
				if elderly {
					min = 80
				}
				assertTargets(t, h.w.Canvas(), min)
				assertFits(t, h.w.Canvas())
				if *screenshotDir == "" {
					return
				}
				img := h.w.Canvas().Capture()
				f, err := os.Create(filepath.Join(*screenshotDir, st.name+"-"+mode+".png"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}
