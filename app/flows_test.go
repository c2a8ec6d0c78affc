package app_test

import (
	"context"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

// flows is a kiosk for the journeys' logic without a screen: the demo device emulators
// on real pseudo-terminals (the printer prints), the four utilities' simulator on
// loopback HTTP, a real data store in a temporary folder, the system clock.
type flows struct {
	t    *testing.T
	k    *app.Kiosk
	rig  *demo.Rig
	sims *utilitysim.Server
	dir  string // the kiosk's data folder, for a restart
	// tweak changes the kiosk's configuration before it starts (a utility's timeout).
	tweak func(*config.Config)
	// moved are utilities the kiosk calls elsewhere than sims, by ID: another
	// simulator's, which has none of sims' applications.
	moved map[string]string
	// clock is the kiosk's clock; nil is the system clock.
	clock clock.Clock
	// warned is what the kiosks logged at warning level and above.
	warned *simtest.SyncBuffer
}

// newFlows starts the simulator with o (its Dir is set here) and a kiosk on it.
func newFlows(t *testing.T, o utilitysim.Options) *flows {
	t.Helper()
	return newFlowsConfigured(t, o, nil)
}

// newFlowsConfigured is newFlows with the kiosk's configuration changed by tweak
// before the kiosk starts.
func newFlowsConfigured(t *testing.T, o utilitysim.Options, tweak func(*config.Config)) *flows {
	t.Helper()
	return newFlowsAt(t, o, tweak, nil)
}

// newFlowsAt is newFlowsConfigured with the kiosk on clock c (nil: the system clock).
func newFlowsAt(t *testing.T, o utilitysim.Options, tweak func(*config.Config), c clock.Clock) *flows {
	t.Helper()
	rig, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rig.Close() })
	o.Dir = t.TempDir()
	sims, err := utilitysim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	f := &flows{t: t, rig: rig, sims: sims, dir: t.TempDir(), tweak: tweak, clock: c, warned: &simtest.SyncBuffer{}}
	f.k = f.start()
	return f
}

// start starts a kiosk on the flows' devices, utilities and data folder; a second one
// on the same folder is the first after a crash or a power cut (close the first).
func (f *flows) start() *app.Kiosk {
	f.t.Helper()
	cfg := testConfig(f.t)
	cfg.Data.Dir = f.dir
	f.rig.Apply(cfg)
	if f.tweak != nil {
		f.tweak(cfg)
	}
	log := slog.New(slog.NewTextHandler(f.warned, &slog.HandlerOptions{Level: slog.LevelWarn}))
	urls := f.sims.BaseURLs()
	maps.Copy(urls, f.moved)
	k, err := app.New(cfg, app.Options{Demo: f.rig, UtilityURLs: urls, Clock: f.clock, Logger: log})
	if err != nil {
		f.t.Fatal(err)
	}
	k.Start(context.Background())
	f.t.Cleanup(func() { k.Close() })
	printerAsked(f.t, k)
	return k
}

// printerAsked waits until k has asked its printer, if it has one, for its state as it
// starts: the flows' tests count the bytes the printer takes, and begin after those of
// that question.
func printerAsked(t *testing.T, k *app.Kiosk) {
	t.Helper()
	if k.HasPrinter() {
		pollUntil(t, flowPatience, "the printer's first state", func() bool { _, ok := k.DeviceState("printer"); return ok })
	}
}

// citizen opens a session for the simulator's i-th demo citizen, as a card read does.
func (f *flows) citizen(i int) *session.Session {
	p := utilitysim.DemoIdentities[i]
	s := f.k.Sessions.Start()
	s.SetIdentity(session.Identity{Name: p.Name, IDNumber: p.IDNumber, CardType: "resident"})
	return s
}

// backUp are the two ways a utility that was down comes back in the outage tests: with
// the kiosk running, and after the kiosk was stopped and started again on the same data.
var backUp = []struct {
	name    string
	restart bool
}{{"back up", false}, {"back up after a kiosk restart", true}}

// flowPatience bounds an ordinary wait of these tests: generous, since a wait ends as
// soon as its condition holds; it only keeps a broken test from hanging.
const flowPatience = 20 * time.Second

// outageWait bounds the wait for a request queued while its utility was down: the
// outbox probes a utility that cannot be reached with full-jitter backoff (random up to
// 1 s·2^n after the n-th failure), so after an outage of a few seconds the next probe may
// still be 16 s or more away.
const outageWait = 45 * time.Second

// pollUntil waits for cond, checking it every 10 ms, and fails the test after limit.
func pollUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitCond is pollUntil with flowPatience.
func awaitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	pollUntil(t, flowPatience, what, cond)
}

// received returns the submissions of a kind a utility processed (replays are not
// counted by the simulator).
func received(t *testing.T, sims *utilitysim.Server, utilityID string, kind utility.Kind) []utilitysim.Received {
	t.Helper()
	all, err := sims.Received(utilityID)
	if err != nil {
		t.Fatal(err)
	}
	var out []utilitysim.Received
	for _, r := range all {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// receivedCount counts a utility's submissions of a kind, those with the kiosk
// reference ref when it is set.
func receivedCount(t *testing.T, sims *utilitysim.Server, utilityID string, kind utility.Kind, ref string) int {
	t.Helper()
	n := 0
	for _, r := range received(t, sims, utilityID, kind) {
		if ref == "" || r.KioskRef == ref {
			n++
		}
	}
	return n
}

func setFaults(t *testing.T, sims *utilitysim.Server, id string, f utilitysim.Faults) {
	t.Helper()
	if err := sims.SetFaults(id, f); err != nil {
		t.Fatal(err)
	}
}

// backAfterOutage brings a utility that was down back, after restarting the kiosk on
// its data folder when restart is set (a crash or power cut during the outage), and
// waits until the request queued under kioskRef is delivered. It returns the kiosk now
// running and the request's final status.
func (f *flows) backAfterOutage(utilityID, kioskRef string, restart bool) (*app.Kiosk, outbox.Status) {
	f.t.Helper()
	k := f.k
	if restart {
		if err := f.k.Close(); err != nil {
			f.t.Fatal(err)
		}
	}
	setFaults(f.t, f.sims, utilityID, utilitysim.Faults{})
	if restart {
		k = f.start()
	}
	var st outbox.Status
	pollUntil(f.t, outageWait, "delivery after the outage", func() bool {
		var err error
		st, err = k.Outbox.Status(kioskRef)
		return err == nil && st.State == outbox.Done
	})
	return k, st
}
