package screens_test

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// newLookupHarness is a kiosk on the demo device emulators (on ptys) and the utilities'
// simulator (on loopback), its reader and scanner ready, on the manual clock: the idle
// time passes when the test says so.
func newLookupHarness(t *testing.T) (*screentest.H, *demo.Rig) {
	t.Helper()
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	return h, d
}

// A paper bill scanned while the countdown asks whether anyone is still there is not
// the visit's citizen coming back: nobody touched the screen for the idle time, and the
// one who scans is most likely the next in the queue. The visit ends as the countdown
// would have ended it, and the bill opens in a visit of its own: the card holder's name
// is not over it, and 返回 does not lead into their accounts.
func TestScanDuringCountdownEndsTheVisit(t *testing.T) {
	h, d := newLookupHarness(t)
	mustDo(t, d.PlaceCard(0)) // 张三
	h.WaitFor("张三's accounts", func() bool { return h.Current() == "accounts" && h.Shows("张*") })
	visit := h.K.Sessions.Current()
	d.RemoveCard() // 张三 takes the card and walks off
	h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	if !h.Shell.CountdownVisible() {
		t.Fatal("no countdown after the idle time")
	}
	elec := utilitysim.AccountNumber(utility.Electricity, 1) // 李四's
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Electricity, elec, "")))
	h.WaitShows("缴费截止")
	if !visit.Wiped() {
		t.Fatal("the card holder's visit is still open under the scanned bill")
	}
	now := h.K.Sessions.Current()
	if now == nil || now == visit {
		t.Fatal("the scanned bill is not in a visit of its own")
	}
	if _, identified := now.Identity(); identified {
		t.Fatal("the scanned bill's visit has the card holder's identity")
	}
	if h.Shows("张*") || h.Shell.CountdownVisible() {
		t.Fatalf("the scanned bill under the card holder's name:\n%s", h.Markup())
	}
	h.Tap("返回")
	if h.Shows("张*") || h.Shows(utilitysim.AccountNumber(utility.Water, 0)) {
		t.Fatalf("返回 from the scanned bill shows the card holder's visit:\n%s", h.Markup())
	}
	// The journal says why the visit ended: its idle time had passed.
	evs, err := h.K.Journal.Range(visit.Started.Add(-time.Hour), h.K.Clock.Now().Add(time.Hour), 0)
	mustDo(t, err)
	ended := ""
	for _, e := range evs {
		if e.Kind == journal.SessionEnd && e.Session == visit.ID {
			ended = e.Detail
		}
	}
	if ended != "idle" {
		t.Fatalf("the visit's end journaled as %q, want idle", ended)
	}
}
