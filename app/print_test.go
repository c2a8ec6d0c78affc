package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

// The kiosk shut down while a receipt prints (SIGTERM, or a test's cleanup): the
// receipt finishes, the port closes once, and a print asked for afterwards fails
// without opening the port again. Run with -race: closing and printing once raced on
// the port.
func TestCloseWhilePrinting(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	job, err := f.k.Receipts().TestPage(receipt.TestPage{Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	printed := make(chan bool)
	go func() { printed <- f.k.Print(context.Background(), "test page", "", job).OK }()
	// The job is under way once the printer has taken some of it.
	for start := time.Now(); f.rig.Printer().Stats().Accepted == 0; time.Sleep(time.Millisecond) {
		if time.Since(start) > flowPatience {
			t.Fatal("the printer took nothing of the job")
		}
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if !<-printed {
		t.Error("the receipt being printed at shutdown did not finish")
	}
	after := f.rig.Printer().Stats().Accepted
	if r := f.k.Print(context.Background(), "test page", "", job); r.OK || r.Detail == "" {
		t.Errorf("a print after Close: %+v", r)
	}
	if got := f.rig.Printer().Stats().Accepted; got != after {
		t.Errorf("the printer received %d bytes after Close", got-after)
	}
}

// The idle printer is asked for its state every devices.printer.check_every: staff hear
// of the paper running low, a cover left open and the printer unplugged without a
// receipt having to fail first, and of its coming back.
func TestIdlePrinterWatched(t *testing.T) {
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) { c.Devices.Printer.CheckEvery.Duration = time.Second })
	state := func(want func(app.DeviceEvent) bool) func() bool {
		return func() bool { e, ok := f.k.DeviceState("printer"); return ok && want(e) }
	}
	pollUntil(t, 10*time.Second, "the printer's first state", state(func(e app.DeviceEvent) bool { return e.OK && e.Detail == "" }))
	for _, tc := range []struct {
		what string
		set  func()
		want func(app.DeviceEvent) bool
	}{
		{"paper running low", func() { f.rig.Printer().SetState(sim.PrinterState{PaperNearEnd: true}) },
			func(e app.DeviceEvent) bool { return e.OK && strings.Contains(e.Detail, "纸将用尽") }},
		{"the cover open", func() { f.rig.Printer().SetState(sim.PrinterState{CoverOpen: true}) },
			func(e app.DeviceEvent) bool { return !e.OK && strings.Contains(e.Detail, "盖") }},
		{"closed again", func() { f.rig.Printer().SetState(sim.PrinterState{}) },
			func(e app.DeviceEvent) bool { return e.OK && e.Detail == "" }},
		{"unplugged", func() {
			if err := f.rig.Printer().Close(); err != nil {
				t.Fatal(err)
			}
		}, func(e app.DeviceEvent) bool { return !e.OK }},
	} {
		tc.set()
		pollUntil(t, 10*time.Second, tc.what, state(tc.want))
	}
}
