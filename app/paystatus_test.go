package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// payUnknownStatus counts the answers about an order the kiosk warned it did not take
// for a status it does not know.
func payUnknownStatus(f *flows) int {
	return strings.Count(f.warned.String(), "payment: an answer with a status the kiosk does not know, not taken")
}

// A utility answering an order's status, and its cancellation, with a status the
// protocol does not have (the simulator's status fault: "processing") gives no outcome
// to show. The kiosk does not take it: the order stays pending as it was last known, so
// that its time still runs out on the kiosk's clock and 取消缴费 still ends the pay QR,
// each cancelling it at the utility; the citizen is told the cancellation is not
// confirmed (CancelUnconfirmed: the kiosk cannot say nothing was charged), never that
// the payment failed with nothing charged. A warning names the utility, never the
// account; the settling pass asks again until the utility answers a status it knows.
// Before, the unknown status was taken: the Watch never expired the order (it counts
// down only a pending one), and 取消缴费 returned with the order neither pending nor
// finished, which the pay screen showed as 缴费失败, 未扣款.
func TestPayUnknownStatusNotTaken(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  string // how the order ends on screen
	}{
		{name: "time up", end: utility.PaymentExpired},
		{name: "取消缴费", end: utility.PaymentCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := utilitysim.Options{}
			if tc.end == utility.PaymentExpired {
				o.PaymentTTL = 3 * time.Second // past it, the kiosk's Watch cancels the order
			}
			f := newFlows(t, o)
			_, _, number, _, flow := f.payingCitizen(1)
			ref := flow.Payment().Reference
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Status: "processing"})
			w := startPayWatch(flow)
			if tc.end == utility.PaymentCancelled {
				awaitCond(t, "a status answer", func() bool { return payUnknownStatus(f) >= 1 || flow.Payment().Status != utility.PaymentPending })
				if err := flow.Cancel(context.Background()); err != nil {
					t.Fatalf("Cancel: %v", err)
				}
			}
			awaitCond(t, "the order to end on screen", flow.Final)
			if p := flow.Payment(); p.Status != tc.end || !flow.CancelUnconfirmed() || flow.Withdrawn() {
				t.Fatalf("the order is %q (unconfirmed %v, withdrawn %v), want %q unconfirmed", p.Status, flow.CancelUnconfirmed(), flow.Withdrawn(), tc.end)
			}
			for _, st := range w.seen() {
				if !slices.Contains([]string{utility.PaymentPending, tc.end}, st) {
					t.Fatalf("the watch reported %v", w.seen())
				}
			}
			if _, printed := flow.Printed(); printed || len(f.rig.Printer().Printouts()) != 0 {
				t.Fatal("a receipt printed")
			}
			logged := f.warned.String()
			if payUnknownStatus(f) == 0 || !strings.Contains(logged, "utility="+utility.Electricity) || !strings.Contains(logged, "processing") {
				t.Fatalf("no warning of the unknown status: %s", logged)
			}
			if strings.Contains(logged, number) {
				t.Fatalf("the warnings name the account: %s", logged)
			}
			// Journaled by the flow just after it shows the end (Final), so waited for.
			awaitCond(t, "payment.ended, not confirmed", func() bool {
				return strings.Contains(payJournalDetail(t, f.k, flow.KioskRef, journal.PaymentEnded), "not confirmed")
			})
			// The cancellation reached the utility: the order is no longer payable there.
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			if up := payAtUtility(t, f.k, utility.Electricity, ref); up.Status == utility.PaymentPending || up.Status == utility.PaymentPaid {
				t.Fatalf("at the utility the order is %s", up.Status)
			}
			// The settling pass asks while the utility answers the unknown status, and
			// forgets the order once it answers one it knows.
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Status: "processing"})
			if err := f.k.SettleOrders(context.Background()); !errors.Is(err, utility.ErrBadResponse) || payOrders(t, f.k) != 1 {
				t.Fatalf("settling on the unknown status: %v, %d orders kept", err, payOrders(t, f.k))
			}
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			if err := f.k.SettleOrders(context.Background()); err != nil || payOrders(t, f.k) != 0 {
				t.Fatalf("settling: %v, %d orders kept", err, payOrders(t, f.k))
			}
			if len(payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentSettled)) != 1 {
				t.Fatalf("journal %v", payJournalKinds(t, f.k, flow.KioskRef))
			}
		})
	}
}
