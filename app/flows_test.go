package app_test

import (
	"context"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/session"
	utilitysim "github.com/liangzihu/kiosk/cmd/utilitysim/sim"
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
	f := &flows{t: t, rig: rig, sims: sims, dir: t.TempDir(), tweak: tweak}
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
	k, err := app.New(cfg, app.Options{Demo: f.rig, UtilityURLs: f.sims.BaseURLs()})
	if err != nil {
		f.t.Fatal(err)
	}
	k.Start(context.Background())
	f.t.Cleanup(func() { k.Close() })
	return k
}

// citizen opens a session for the simulator's i-th demo citizen, as a card read does.
func (f *flows) citizen(i int) *session.Session {
	p := utilitysim.DemoIdentities[i]
	s := f.k.Sessions.Start()
	s.SetIdentity(session.Identity{Name: p.Name, IDNumber: p.IDNumber, CardType: "resident"})
	return s
}
