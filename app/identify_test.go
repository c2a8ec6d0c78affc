package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/sim"
)

// unreachable points every utility at a closed port: tests that do not need the
// utilities see them as down.
var unreachable = map[string]string{"electricity": "http://127.0.0.1:1", "water": "http://127.0.0.1:1",
	"gas": "http://127.0.0.1:1", "broadband": "http://127.0.0.1:1"}

// testConfig is the demo configuration with its data in a temporary folder.
func testConfig(t testing.TB) *config.Config {
	cfg := config.Defaults()
	cfg.Demo = true
	cfg.Data.Dir = t.TempDir()
	return cfg
}

// rig is a kiosk wired to the demo device emulators through real pseudo-terminals.
type rig struct {
	t        *testing.T
	k        *app.Kiosk
	demo     *demo.Rig
	identify chan app.IdentifyEvent
	scans    chan app.Scan
}

func newRig(t *testing.T) *rig { return newRigWith(t, nil) }

// newRigWith is newRig with before run on the emulators before the kiosk starts (a
// card already on the reader, say).
func newRigWith(t *testing.T, before func(*demo.Rig) error) *rig {
	t.Helper()
	return newRigAt(t, nil, before)
}

// newRigAt is newRigWith with the kiosk on clock c (nil: the system clock).
func newRigAt(t *testing.T, c clock.Clock, before func(*demo.Rig) error) *rig {
	t.Helper()
	d, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		if err := before(d); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t)
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	d.Apply(cfg)
	k, err := app.New(cfg, app.Options{Demo: d, UtilityURLs: unreachable, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, k: k, demo: d, identify: make(chan app.IdentifyEvent, 16), scans: make(chan app.Scan, 4)}
	k.OnIdentify(func(e app.IdentifyEvent) { r.identify <- e })
	k.OnScan(func(sc app.Scan) { r.scans <- sc })
	k.Start(context.Background())
	t.Cleanup(func() {
		k.Close()
		d.Close()
	})
	// A card placed before the reader is ready would be one nobody was seen placing.
	pollUntil(t, 10*time.Second, "the reader", func() bool { st, ok := k.DeviceState("idcard"); return ok && st.OK })
	return r
}

// next is the next identify event but for the screens' cues (Reading, CardLeftChanged).
func (r *rig) next() app.IdentifyEvent {
	r.t.Helper()
	for {
		select {
		case e := <-r.identify:
			if e.Kind == app.Reading || e.Kind == app.CardLeftChanged {
				continue
			}
			return e
		case <-time.After(10 * time.Second):
			r.t.Fatal("no identify event")
			return app.IdentifyEvent{}
		}
	}
}

// A card opens a session for its holder, and the utilities are asked for the holder's
// accounts before any screen is told (by the time Identified arrives).
func TestCardOpensSession(t *testing.T) {
	r := newRig(t)
	asked := make(chan bool, 1)
	r.k.OnIdentify(func(e app.IdentifyEvent) {
		if e.Kind == app.Identified {
			_, ok := r.k.SessionAccounts()
			asked <- ok
		}
	})
	if err := r.demo.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	if !<-asked {
		t.Fatal("the accounts were not being looked up when the citizen was identified")
	}
	s := r.k.Sessions.Current()
	if s == nil {
		t.Fatal("no session")
	}
	id, ok := s.Identity()
	if !ok || id.MaskedName() != "张*" || id.MaskedID() != "110105********002X" || id.CardType != "resident" {
		t.Fatalf("identity %v", id)
	}
}

// A card the kiosk will not use, or cannot read, is refused with what to tell the
// citizen: expired, a number that fails its check digit, a read that fails (the card
// pulled away: try again), a card the reader's SAM will not authenticate.
func TestRefusedCards(t *testing.T) {
	for _, tc := range []struct {
		name, fixture string
		fault         *sim.IDCardFault
		msg           string
	}{
		{"expired", "resident_expired", nil, "identify.expired"},
		{"bad number", "resident_bad_number", nil, "identify.bad_number"},
		{"read failed", "resident", &sim.IDCardFault{Kind: sim.FaultStatus, Command: sim.IDCmdRead, Status: 0x41},
			"identify.unreadable"},
		{"not authenticated", "resident", &sim.IDCardFault{Kind: sim.FaultStatus, Command: sim.IDCmdRead, Status: 0x32},
			"identify.rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if tc.fault != nil {
				r.demo.Reader().Inject(*tc.fault)
			}
			if err := r.demo.PlaceFixture(tc.fixture); err != nil {
				t.Fatal(err)
			}
			if e := r.next(); e.Kind != app.Refused || e.Message != tc.msg {
				t.Fatalf("event %+v, want refused %s", e, tc.msg)
			}
			if r.k.Sessions.Current() != nil {
				t.Fatal("a refused card opened a session")
			}
		})
	}
}

// A card's validity is judged by the date in China, whatever the machine's time zone
// (a kiosk set to UTC is still on the day before until 08:00): the card "resident" is
// valid from 2020-03-15 to 2040-03-15.
func TestCardValidityInChinaTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		name string
		at   time.Time // in CST; the kiosk's clock gives it in UTC
		want app.IdentifyKind
		msg  string
	}{
		{"the day after its last, at 02:00", time.Date(2040, 3, 16, 2, 0, 0, 0, cst), app.Refused, "identify.expired"},
		{"its last day, at 23:00", time.Date(2040, 3, 15, 23, 0, 0, 0, cst), app.Identified, ""},
		{"its first day, at 02:00", time.Date(2020, 3, 15, 2, 0, 0, 0, cst), app.Identified, ""},
		{"the day before its first, at 23:00", time.Date(2020, 3, 14, 23, 0, 0, 0, cst), app.Refused, "identify.not_yet_valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRigAt(t, clock.NewManual(tc.at.UTC()), nil)
			if err := r.demo.PlaceFixture("resident"); err != nil {
				t.Fatal(err)
			}
			if e := r.next(); e.Kind != tc.want || e.Message != tc.msg {
				t.Fatalf("event %+v, want %v %q", e, tc.want, tc.msg)
			}
		})
	}
}

// A new card replaces the open session (the previous citizen's data is wiped).
func TestNewCardReplacesSession(t *testing.T) {
	r := newRig(t)
	r.demo.PlaceCard(0)
	r.next()
	first := r.k.Sessions.Current()
	r.demo.PlaceCard(1)
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	if !first.Wiped() || r.k.Sessions.Current() == first {
		t.Fatal("the first citizen's session survived")
	}
}

// The holder of the open visit puts their card down again (lifted and put back, or
// read again after a reader fault): the visit goes on, nothing is wiped. Once the
// visit has ended, the same card opens a new one.
func TestSameCardKeepsSession(t *testing.T) {
	r := newRig(t)
	r.demo.PlaceCard(0)
	r.next()
	first := r.k.Sessions.Current()
	r.demo.PlaceCard(0) // lifted and put back: the reader reads it again
	if e := r.next(); e.Kind != app.Continued {
		t.Fatalf("the same citizen's card put back: event %+v", e)
	}
	if r.k.Sessions.Current() != first || first.Wiped() {
		t.Fatal("the same citizen's card put back started another visit")
	}
	r.k.Exit()
	r.demo.PlaceCard(0) // lifted and put back once more
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("after the visit ended the same card: event %+v", e)
	}
	if s := r.k.Sessions.Current(); s == nil || s == first {
		t.Fatal("after the visit ended the same card opened no new one")
	}
}

// What the scanner reads reaches the screens as what it is to the kiosk: a receipt's
// tracking QR, a bill's QR, or something it cannot use, whether a code of another kind or
// a line the scanner driver dropped (a bill's QR sent in GBK, noise, an overlong line).
func TestScanReachesListeners(t *testing.T) {
	gbk := []byte{0xB5, 0xE7, 0xB7, 0xD1, '\r', '\n'} // 电费 in GBK: not UTF-8
	for _, tc := range []struct {
		name string
		send func(r *rig) error
		want app.Scan
	}{
		{"tracking QR", func(r *rig) error { return r.demo.Scan("https://track.example.cn/a/SQ20261125001") },
			app.Scan{Kind: app.ScanTracking, Ref: "SQ20261125001"}},
		{"bill QR", func(r *rig) error { return r.demo.Scan(utility.FormatBillQR(utility.Water, "42001002", "")) },
			app.Scan{Kind: app.ScanBill, Bill: utility.BillQR{Utility: utility.Water, Account: "42001002"}}},
		{"payment receipt QR", func(r *rig) error { return r.demo.Scan("https://pay.example.cn/r/WX20261125001") },
			app.Scan{Kind: app.ScanPaymentReceipt}},
		{"another kind of code", func(r *rig) error { return r.demo.Scan("https://example.com/menu") },
			app.Scan{Kind: app.ScanUnusable}},
		{"GBK", func(r *rig) error { return r.demo.Scanner().WriteRaw(gbk) }, app.Scan{Kind: app.ScanUnusable}},
		{"too long", func(r *rig) error { return r.demo.Scan(strings.Repeat("9", 5000)) }, app.Scan{Kind: app.ScanUnusable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			pollUntil(t, 10*time.Second, "the scanner", func() bool { st, ok := r.k.DeviceState("scanner"); return ok && st.OK })
			if err := tc.send(r); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-r.scans:
				if got != tc.want {
					t.Fatalf("scan %+v, want %+v", got, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no scan arrived")
			}
		})
	}
}

// ReadScan tells this kiosk's papers from everything else: its tracking QR (the test
// page's sample too), a bill's, the QR of its payment receipts by the hall's template or
// a utility's own; a tracking or payment URL of another hall's template, or with what
// cannot be a reference in it, is none of them.
func TestReadScan(t *testing.T) {
	cfg := testConfig(t)
	cfg.Utilities.Water.PaymentURL = "https://water.example.cn/invoice/{ref}?from=kiosk"
	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	for _, tc := range []struct {
		code string
		want app.Scan
	}{
		{"https://track.example.cn/a/DL20261125001", app.Scan{Kind: app.ScanTracking, Ref: "DL20261125001"}},
		{"https://track.example.cn/a/TEST-20261125093000", app.Scan{Kind: app.ScanTracking, Ref: "TEST-20261125093000"}},
		{"  UBILL:1:gas:5500100203:B-2026-10\t", app.Scan{Kind: app.ScanBill, Bill: utility.BillQR{Utility: utility.Gas, Account: "5500100203", Bill: "B-2026-10"}}},
		{"https://pay.example.cn/r/WX20261125001", app.Scan{Kind: app.ScanPaymentReceipt}},
		{"https://water.example.cn/invoice/W-0001?from=kiosk", app.Scan{Kind: app.ScanPaymentReceipt}},
		{"https://water.example.cn/invoice/W-0001", app.Scan{Kind: app.ScanUnusable}},
		{"https://pay.example.cn/r/", app.Scan{Kind: app.ScanUnusable}},
		{"https://pay.example.cn/r/a%2Fb", app.Scan{Kind: app.ScanUnusable}},
		{"https://track.other-city.cn/a/DL20261125001", app.Scan{Kind: app.ScanUnusable}},
		{"https://track.example.cn/a/DL2026%3Cscript%3E", app.Scan{Kind: app.ScanUnusable}},
		{"UBILL:1:heating:42001002", app.Scan{Kind: app.ScanUnusable}},
		{"UBILL:1:water:4200", app.Scan{Kind: app.ScanUnusable}},
		{"42001002", app.Scan{Kind: app.ScanUnusable}},
		{"", app.Scan{Kind: app.ScanUnusable}},
	} {
		if got := k.ReadScan(tc.code); got != tc.want {
			t.Errorf("ReadScan(%q) = %+v, want %+v", tc.code, got, tc.want)
		}
	}
}
