package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

// The printer cannot print when the payment's receipt is due: its cover is open, or it
// is unplugged. The payment stands (paid, its receipt's QR on screen), the citizen is
// told the receipt failed and staff were told, and the receipt is kept for 补打. Once
// the fault is cleared (the cover closed, the cable back) while the next citizen is at
// the screen, nothing comes out into their hands: the kiosk sent no receipt the printer
// kept to print later. Staff then print it, once.
func TestPayReceiptPrinterFaults(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fault, clear func(p *sim.Printer) error
	}{
		{"the cover open",
			func(p *sim.Printer) error { p.SetState(sim.PrinterState{CoverOpen: true}); return nil },
			func(p *sim.Printer) error { p.SetState(sim.PrinterState{}); return nil }},
		{"unplugged", (*sim.Printer).Unplug, (*sim.Printer).Replug},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
			p := f.rig.Printer()
			mustDo(t, tc.fault(p))
			_, _, _, _, flow := f.payingCitizen(1)
			w := startPayWatch(flow)
			awaitPayFinal(t, flow, w)
			r, ok := flow.Printed()
			if st := flow.Payment().Status; st != utility.PaymentPaid || !ok || r.OK || r.Message != "print.failed" || r.Detail == "" || flow.ReceiptURL() == "" {
				t.Fatalf("%s: order %s, printed %+v (%v), receipt URL %q", tc.name, st, r, ok, flow.ReceiptURL())
			}
			list, err := f.k.Reprints.List()
			if err != nil || len(list) != 1 || list[0].Ref != flow.KioskRef || list[0].Kind != reprint.Payment {
				t.Fatalf("kept for reprinting: %+v, %v", list, err)
			}

			f.k.Exit()
			f.citizen(0)
			mustDo(t, tc.clear(p))
			// The printer, asked, is ready again; a receipt it held would come out by then.
			awaitCond(t, "the printer ready again", func() bool { return f.k.PrinterReady(context.Background()).OK })
			time.Sleep(time.Second)
			if st := p.Stats(); st.Cuts != 0 || len(p.Printouts()) != 0 {
				t.Fatalf("%s cleared with the next citizen at the screen: %d cuts, %d printouts", tc.name, st.Cuts, len(p.Printouts()))
			}
			f.k.Exit()
			ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
			defer cancel()
			if r, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); err != nil || !r.OK {
				t.Fatalf("reprint: %+v, %v", r, err)
			}
			mustDo(t, p.WaitCuts(ctx, 1))
			if n := len(p.Printouts()); n != 1 {
				t.Fatalf("%d printouts after the reprint, want 1", n)
			}
		})
	}
}

// The payer leaves while their receipt is still printing (the printer holds XOFF): the
// receipt, kept until it prints whole, is neither listed for staff nor printed again by
// them meanwhile, which would give two. Once the printer takes it, it prints, once, and
// is no longer kept.
func TestPayReceiptPrintingNotReprinted(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
	p := f.rig.Printer()
	p.SetFaults(sim.PrinterFaults{HoldXOFF: true})
	_, _, _, _, flow := f.payingCitizen(1)
	startPayWatch(flow)
	awaitCond(t, "the payment journaled, its receipt on its way", func() bool {
		return len(payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid)) == 1
	})
	// The printer is the receipt's (it holds the printer while the XOFF lasts): the
	// payer leaving now does not stop it.
	awaitCond(t, "the receipt printing", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return f.k.PrinterReady(ctx) == app.PrinterBusy
	})
	f.k.Exit()
	if list, err := f.k.Reprints.List(); err != nil || len(list) != 0 {
		t.Fatalf("listed for staff while it prints: %+v, %v", list, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
	defer cancel()
	if _, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); !errors.Is(err, reprint.ErrPrinting) {
		t.Fatalf("reprint while it prints: %v, want reprint.ErrPrinting", err)
	}
	p.SetFaults(sim.PrinterFaults{})
	mustDo(t, p.WaitCuts(ctx, 1))
	awaitCond(t, "the print's outcome", func() bool { _, ok := flow.Printed(); return ok })
	if r, _ := flow.Printed(); !r.OK {
		t.Fatalf("printed %+v", r)
	}
	if payKept(t, f.k, flow.KioskRef) {
		t.Fatal("kept for reprinting after it printed whole")
	}
	if n := len(p.Printouts()); n != 1 {
		t.Fatalf("%d printouts, want 1", n)
	}
}
