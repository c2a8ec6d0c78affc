package app_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// The kiosk applies its retention daily without being asked: journal entries past
// data.journal_days go, and the run is journaled with its counts.
func TestRetentionAppliedDaily(t *testing.T) {
	c := clock.NewManual(time.Now())
	f := newFlowsAt(t, utilitysim.Options{}, func(cfg *config.Config) {
		cfg.Data.PersonalDataDays, cfg.Data.JournalDays = 1, 30
	}, c)
	start := c.Now()
	if err := f.k.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: "staff-1", Detail: "开机自检"}); err != nil {
		t.Fatal(err)
	}
	retention := func() []journal.Event {
		evs, err := f.k.Journal.Range(start.Add(-time.Hour), c.Now().Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []journal.Event
		for _, e := range evs {
			if e.Kind == journal.Retention {
				out = append(out, e)
			}
		}
		return out
	}
	// A day at a time: the entry outlives its 30 days on the 31st, at the run of that
	// day (the kiosk's timer is re-armed on its own goroutine, so keep the days coming).
	awaitCond(t, "the daily retention run", func() bool {
		c.Advance(24 * time.Hour)
		return len(retention()) > 0
	})
	if days := c.Now().Sub(start) / (24 * time.Hour); days < 31 {
		t.Errorf("pruned after %d days", days)
	}
	evs, _ := f.k.Journal.Range(start.Add(-time.Hour), start.Add(time.Hour), 0)
	for _, e := range evs {
		if e.Kind == journal.StaffAction {
			t.Errorf("the entry of %v outlived data.journal_days: %+v", start, e)
		}
	}
	if d := retention()[0].Detail; d != "personal data of 0 requests erased; 0 requests, 1 journal entries, 0 receipts kept for reprinting and 0 unsettled payment orders removed" {
		t.Errorf("retention entry %q", d)
	}
}

// A receipt kept for reprinting and a payment order never settled (its utility was
// switched off since) name their citizen: they go with the personal data,
// data.personal_data_days after they were kept.
func TestRetentionForgetsKeptReceiptsAndOrders(t *testing.T) {
	c := clock.NewManual(time.Now())
	f := newFlowsAt(t, utilitysim.Options{}, func(cfg *config.Config) {
		cfg.Data.PersonalDataDays, cfg.Utilities.Water.Enabled = 2, false
	}, c)
	p := receipt.SamplePayment()
	if err := f.k.Reprints.Keep(reprint.Receipt{Entry: reprint.Entry{Ref: "P1", Kind: reprint.Payment, Time: c.Now()}, Payment: &p}); err != nil {
		t.Fatal(err)
	}
	err := f.k.Orders.Put(orders.Order{KioskRef: "P2", Utility: utility.Water, Reference: "ZF1", Holder: "李四", Created: c.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for day, want := range []int{1, 1, 0} {
		if err := f.k.Prune(); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.k.Reprints.List(); len(list) != want {
			t.Fatalf("day %d: %d receipts kept, want %d", day, len(list), want)
		}
		if list, _ := f.k.Orders.List(); len(list) != want {
			t.Fatalf("day %d: %d orders kept, want %d", day, len(list), want)
		}
		c.Advance(24*time.Hour + time.Minute)
	}
}

// Shutting down wipes the open session without telling the screens (they may be gone),
// and the journal says why the session ended.
func TestShutdownEndsSessionQuietly(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	s := f.citizen(0)
	var mu sync.Mutex
	var heard []session.Event
	f.k.OnSession(func(e session.Event) { mu.Lock(); heard = append(heard, e); mu.Unlock() })
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(heard) != 0 {
		t.Errorf("events after shutdown: %+v", heard)
	}
	mu.Unlock()
	if !s.Wiped() {
		t.Error("the session survived shutdown")
	}
	k := f.start() // the same data folder: the next start
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == journal.SessionEnd && e.Session == s.ID && e.Detail == string(session.ReasonShutdown) {
			return
		}
	}
	t.Errorf("no session end for shutdown in the journal: %+v", evs)
}

// Stopping (or restarting) with maintenance mode open journals its close: the journal
// never shows staff signed in for good.
func TestShutdownClosesMaintenance(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	m, err := f.k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if m.Open() {
		t.Error("maintenance mode open after shutdown")
	}
	k := f.start()
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(evs, func(e journal.Event) bool { return e.Kind == journal.StaffLogout }); i < 0 || evs[i].Detail != app.MaintenanceShutdown {
		t.Errorf("no staff.logout for the shutdown in the journal: %+v", evs)
	}
}
