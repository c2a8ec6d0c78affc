package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// 取消缴费 tapped again after the first ended unconfirmed (the utility could not be
// reached: the cancellation waits in the outbox, the order shows as cancelled,
// unconfirmed), the utility reachable again: the second tap neither shows the order
// pending again (asked, the utility still has it pending) nor sends a cancellation of its
// own. The first cancellation's answer, once delivered, confirms it: the flow no longer
// says unconfirmed, and the utility received one cancellation.
func TestPayCancelTwiceWhileUnconfirmed(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, _, _, _, flow := f.payingCitizen(1)
	ref := flow.Payment().Reference
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = flow.Cancel(ctx) // not answered: the outbox keeps it
	if st := flow.Payment().Status; st != utility.PaymentCancelled || !flow.CancelUnconfirmed() {
		t.Fatalf("after the first tap: %s, unconfirmed %v; want cancelled, unconfirmed", st, flow.CancelUnconfirmed())
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	if err := flow.Cancel(ctx); err != nil {
		t.Fatalf("the second tap: %v", err)
	}
	if st := flow.Payment().Status; st != utility.PaymentCancelled {
		t.Fatalf("after the second tap: %s, want cancelled", st)
	}
	f.k.Outbox.Resume(utility.Electricity)
	awaitCond(t, "the cancellation's answer to confirm it", func() bool { return !flow.CancelUnconfirmed() })
	if st := flow.Payment().Status; st != utility.PaymentCancelled || flow.Withdrawn() {
		t.Fatalf("confirmed as %s (withdrawn %v), want cancelled", st, flow.Withdrawn())
	}
	if up := payAtUtility(t, f.k, utility.Electricity, ref); up.Status != utility.PaymentCancelled {
		t.Fatalf("at the utility the order is %s", up.Status)
	}
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindCancelPayment, ""); n != 1 {
		t.Fatalf("%d cancellations reached the utility, want 1", n)
	}
}
