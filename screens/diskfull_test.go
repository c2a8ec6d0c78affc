package screens_test

import (
	"errors"
	"os"
	"testing"

	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

// The data file stops taking writes (the kiosk in a process of its own, its file size
// limited as on a full disk): home shows 本机暂停服务 in place of the tiles, a card placed
// is refused with the way to a staffed counter and asked back, and maintenance mode,
// still opened from the title, shows the data file's fault. Once space is freed, the
// kiosk's check brings the tiles back by themselves.
func TestHomeOutOfServiceWhileDiskFull(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	h, d := newDeviceHarness(t)
	if free, err := h.K.Store.Free(); err != nil || free < 64<<20 {
		t.Skipf("the test's temporary folder has %d bytes free (%v): the kiosk would stay out of service", free, err)
	}
	tile := h.K.Text.T("tile.pay")
	h.WaitShows(tile)
	release := storetest.FullDisk(t, 2*uint64(os.Getpagesize()))
	if err := h.K.Store.Probe(); !errors.Is(err, store.ErrNotWritten) {
		t.Fatalf("a write on a full disk: %v", err)
	}
	h.WaitShows("本机暂停服务")
	if h.Shows(tile) || !h.Shows("请到人工窗口办理") || !h.Shows("数据文件无法写入") {
		t.Fatalf("home out of service:\n%s", h.Markup())
	}
	if err := d.PlaceCard(2); err != nil {
		t.Fatal(err)
	}
	h.WaitShows(h.K.Text.T("outage.data_citizen"))
	if h.K.Sessions.Current() != nil {
		t.Fatal("a card opened a visit on a kiosk out of service")
	}
	if h.Shows(h.K.Text.T("lookup.by_number")) {
		t.Fatalf("a kiosk out of service offers the look-up by number:\n%s", h.Markup())
	}
	h.Tap(h.K.Text.T("common.ok"))
	h.WaitShows(h.K.Text.T("home.take_card"))
	d.RemoveCard()
	h.WaitFor("the card taken", func() bool { return !h.Shows(h.K.Text.T("home.take_card")) })

	// Maintenance mode journals every login, and counts wrong PINs there: it stays
	// shut, and says so and where to look instead.
	h.TapTitle(5)
	h.TypePIN(staffpin.DemoPIN)
	h.WaitShows("登录无法记录")
	if h.Current() == "maint" {
		t.Fatal("maintenance mode opened with no login journaled")
	}
	h.Tap(h.K.Text.T("nav.back"))
	release()
	h.K.CheckData()
	h.WaitShows(tile)
	if h.Shows("本机暂停服务") {
		t.Fatalf("home once space is freed:\n%s", h.Markup())
	}
}
