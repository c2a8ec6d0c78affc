package screens_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2/canvas"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// newWatchedHarness is newDeviceHarness with the idle printer asked for its state every
// second (devices.printer.check_every's least), as staff would see it change.
func newWatchedHarness(t *testing.T) (*screentest.H, *demo.Rig) {
	t.Helper()
	h, d := newDeviceHarnessWith(t, func(c *config.Config) { c.Devices.Printer.CheckEvery.Duration = time.Second })
	h.WaitFor("the printer's first check", func() bool { _, ok := h.K.DeviceState("printer"); return ok })
	return h, d
}

// The devices' panel says what the devices are now while staff look at it: a reader
// unplugged and plugged back in, a roll run out and replaced, a card left on the reader
// and taken. It used to show them as they were when maintenance mode opened (until
// staff did something that redrew it): a printer with a new roll still said 打印纸用完.
func TestMaintenanceDevicesAsTheyAre(t *testing.T) {
	h, d := newWatchedHarness(t)
	h.OpenMaintenance(staffpin.DemoPIN)
	if h.Shows("故障") {
		t.Fatalf("a device at fault at the start:\n%s", h.Markup())
	}
	if err := d.Reader().Unplug(); err != nil {
		t.Fatal(err)
	}
	h.WaitShows("读卡器未连接（检查USB/串口连线）")
	if err := d.Reader().Replug(); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the reader well again", func() bool { return !h.Shows("故障") })
	d.Printer().SetState(sim.PrinterState{PaperEnd: true})
	h.WaitShows("打印纸用完")
	d.Printer().LoadPaper()
	h.WaitFor("the printer well again", func() bool { return !h.Shows("故障") && !h.Shows("打印纸用完") })
	if h.Current() != "maint" {
		t.Fatalf("on %s", h.Current())
	}
}

// In 大字模式 the panels are paged: a device's change redraws them on the page staff
// are reading, not on the first.
func TestMaintenanceDevicesRedrawOnThePage(t *testing.T) {
	h, d := newWatchedHarness(t)
	h.Do(func() { h.Shell.SetElderly(true) })
	h.OpenMaintenance(staffpin.DemoPIN)
	p := pagerOf(h)
	h.TapObject(p.NextButton())
	h.TapObject(p.NextButton())
	at, _ := p.Page()
	d.Printer().SetState(sim.PrinterState{CoverOpen: true})
	h.WaitFor("the panels redrawn", func() bool { return pagerOf(h) != p })
	if now, _ := pagerOf(h).Page(); now != at || at == 0 {
		t.Fatalf("redrawn on page %d, staff were on %d", now+1, at+1)
	}
	h.WaitFor("the printer at fault", func() bool {
		for h.CanTap("上一页") {
			h.Tap("上一页")
		}
		return h.ShowsOnAnyPage("纸仓盖未合上")
	})
}

// A card a citizen left on the reader is shown to staff until it is taken.
func TestMaintenanceCardLeftUntilTaken(t *testing.T) {
	h, d := newWatchedHarness(t)
	if err := d.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	// The visit on screen: the reading notice gone, 退出办理 in a finger's reach.
	h.WaitFor("the citizen's visit", func() bool { return h.K.Sessions.Current() != nil && h.CanTap("退出办理") })
	h.Tap("退出办理")
	h.WaitFor("the card left", h.K.CardLeft)
	h.OpenMaintenance(staffpin.DemoPIN)
	if !h.Shows("读卡区有群众遗留的身份证") {
		t.Fatalf("the card left is not shown:\n%s", h.Markup())
	}
	d.RemoveCard()
	h.WaitFor("the card taken", func() bool { return !h.Shows("读卡区有群众遗留的身份证") })
}

// Staff who switch the maintenance screens to English read the devices in English: a
// reader unplugged, a printer out of paper, a test page that did not print, and the
// journal of it all. The devices say what is wrong in Chinese; the rows said it so
// under English names (ID card reader · 读卡器未连接（检查USB/串口连线） · Fault).
func TestMaintenanceDevicesInEnglish(t *testing.T) {
	h, d := newWatchedHarness(t)
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Do(h.Shell.ToggleLanguage)
	if err := d.Reader().Unplug(); err != nil {
		t.Fatal(err)
	}
	h.WaitShows("Reader not connected (check its cable)")
	d.Printer().SetState(sim.PrinterState{PaperEnd: true})
	h.WaitShows("Paper out: load a new roll and reprint")
	noChinese(t, h, "the devices")
	h.TapSeeking(h.Shell.T("maint.test_page"))
	h.WaitShows("Not printed: Paper out")
	noChinese(t, h, "the test page's outcome")
	h.Tap(h.Shell.T("common.ok"))
	h.TapSeeking(h.Shell.T("maint.events_button"))
	for page := 1; ; page++ {
		noChinese(t, h, fmt.Sprintf("page %d of the journal", page))
		if !h.CanTap(h.Shell.T("nav.next_page")) {
			break
		}
		h.Tap(h.Shell.T("nav.next_page"))
	}
}

// noChinese fails the test for each text on screen in Chinese but the language button's.
func noChinese(t *testing.T, h *screentest.H, what string) {
	t.Helper()
	for _, o := range h.Objects() {
		var s string
		switch o := o.(type) {
		case *canvas.Text:
			s = o.Text
		case *touch.Paragraph:
			s = o.String()
		}
		if s != "中文" && o.Visible() && strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s in English: %q", what, s)
		}
	}
}
