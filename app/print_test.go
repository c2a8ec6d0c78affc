package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/printer"
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

// A receipt cut short leaves its tail in the printer, which prints it once paper is
// loaded. The next receipt is cut off from that tail even when the printer's port was
// closed and opened again in between, after an error that is not the printer's state:
// the idle check unanswered, or the printer falling silent in the middle of the job.
func TestUnfinishedReceiptCutAfterReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		// fail prints job so that it stops part-way (the roll ends after a line), and
		// leaves the port to be reopened.
		fail func(t *testing.T, f *flows, job *printer.Job)
	}{
		{"idle check unanswered", func(t *testing.T, f *flows, job *printer.Job) {
			if r := f.k.Print(context.Background(), "test page", "", job); r.OK || !r.Partial || r.Message != "print.paper_out" {
				t.Fatalf("printing without paper: %+v", r)
			}
			f.rig.Printer().SetFaults(sim.PrinterFaults{NoAnswer: true})
			if r := f.k.PrinterReady(context.Background()); r.OK {
				t.Fatalf("a printer that does not answer is ready: %+v", r)
			}
		}},
		{"silent mid-job", func(t *testing.T, f *flows, job *printer.Job) {
			before := f.rig.Printer().Stats().Accepted
			done := make(chan app.PrintResult)
			go func() { done <- f.k.Print(context.Background(), "test page", "", job) }()
			// The printer answered the status query (12 bytes) and takes the job; then
			// it falls silent, and the stalled job's status query gets no answer.
			awaitCond(t, "the job under way", func() bool { return f.rig.Printer().Stats().Accepted > before+12 })
			f.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1, NoAnswer: true})
			if r := <-done; r.OK || !r.Partial {
				t.Fatalf("a job to a silent printer without paper: %+v", r)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			job, err := f.k.Receipts().TestPage(receipt.TestPage{Time: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			p := f.rig.Printer()
			p.SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
			tc.fail(t, f, job)
			p.SetFaults(sim.PrinterFaults{})
			p.LoadPaper() // the printer prints the rest of the receipt cut short
			if r := f.k.Print(context.Background(), "test page", "", job); !r.OK {
				t.Fatalf("printing with paper: %+v", r)
			}
			// The start of the receipt, torn off with the empty roll; its tail, cut off
			// before the next receipt; the next receipt, whole and alone.
			outs := p.Printouts()
			if len(outs) != 3 || !outs[0].Torn || outs[1].Torn || outs[2].Torn {
				t.Fatalf("%d printouts, want the torn start, the tail and the next receipt", len(outs))
			}
			prof, err := receipt.Profile(f.k.Config.Devices.Printer)
			if err != nil {
				t.Fatal(err)
			}
			want := sim.RenderESCPOS(job.Data, prof.Dots, false)
			if len(want) != 1 || !outs[2].Image.Bounds().Eq(want[0].Bounds()) || !bytes.Equal(outs[2].Image.Pix, want[0].Pix) {
				t.Fatal("the next receipt is not the job as built")
			}
		})
	}
}
