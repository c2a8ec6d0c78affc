package softdriver

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// TestKioskByFinger drives the kiosk's own screens through the driver: what a finger
// at the centre of each target would touch is that target, and taps sent as the
// display sends them open the screens they name.
func TestKioskByFinger(t *testing.T) {
	h := startOn(t, newMemDisplay(1280, 800), func() fyne.CanvasObject { return container.NewStack() })
	k := screentest.New(t, screentest.Options{Window: h.win})

	hitsEveryTarget := func(screen string) {
		t.Helper()
		targets := k.Targets()
		if len(targets) < 3 {
			t.Fatalf("%s: only %d targets", screen, len(targets))
		}
		k.Do(func() {
			c := h.win.Canvas().(*swCanvas)
			for _, tg := range targets {
				if o, _ := objtree.At(c.root(), tg.Centre, takesTaps); o != tg.Object {
					t.Errorf("%s: a finger on %q at %v touches %T", screen, tg.Label, tg.Centre, o)
				}
			}
		})
	}
	centre := func(label string) fyne.Position {
		t.Helper()
		for _, tg := range k.Targets() {
			if tg.Label == label {
				return tg.Centre
			}
		}
		t.Fatalf("no %q on %s", label, k.Current())
		return fyne.Position{}
	}

	hitsEveryTarget("home")
	h.tap(centre("大厅指南"))
	if got := k.Current(); got != "guide" {
		t.Fatalf("a finger on 大厅指南 opened %q", got)
	}
	hitsEveryTarget("guide")
	h.tap(centre("大字模式"))
	if !k.K.Elderly() {
		t.Fatal("a finger on 大字模式 did not switch it on")
	}
	hitsEveryTarget("guide in 大字模式")
	h.tap(centre("下一页"))
	if !k.Shows("2 / ") {
		t.Error("下一页 did not turn the page")
	}
	h.tap(centre("首页"))
	if got := k.Current(); got != "home" {
		t.Fatalf("a finger on 首页 opened %q", got)
	}
	hitsEveryTarget("home in 大字模式")
}
