package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// A payment order the utility refused for good (here the account's daily limit, reached
// by an order the citizen then cancelled) is a dead letter that staff cannot send
// again: the citizen was told the payment was refused and has gone, its order released.
// Sent again with its key, the simulator (as the API asks) answers the refusal it
// stored, and the letter is dead again after a journaled retry that did nothing; a
// utility behind an adapter that keeps no refusals would make an order within the 90 s
// that nobody shows or follows, holding the bills until it expired. Staff close it with
// a reason instead; nothing more reaches the utility.
func TestPayRefusedOrderNotRetried(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{Limits: utilitysim.Limits{PerDay: 1}})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	ctx := context.Background()
	first, err := f.k.StartPayment(ctx, utility.Electricity, number, bills[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.k.StartPayment(ctx, utility.Electricity, number, bills[1:]); !errors.Is(err, utility.ErrLimitExceeded) {
		t.Fatalf("the second order: %v, want the daily limit", err)
	}
	dead, err := f.k.Outbox.List(outbox.Dead, 0)
	if err != nil || len(dead) != 1 || dead[0].Kind != utility.KindPayment {
		t.Fatalf("dead letters %+v, %v", dead, err)
	}
	ref := dead[0].KioskRef
	mustDo(t, first.Cancel(ctx)) // the limit holds no more
	f.k.Exit()

	m, err := f.k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Retry(ctx, ref); !errors.Is(err, outbox.ErrNotRetried) {
		if err == nil { // what a retry does
			awaitCond(t, "the retried order's answer", func() bool {
				st, err := f.k.Outbox.Status(ref)
				return err == nil && st.State != outbox.Pending
			})
			st, _ := f.k.Outbox.Status(ref)
			t.Fatalf("retried: the request is %s (%v), the utility made %d orders, the kiosk keeps %d", st.State, st.Err,
				receivedCount(t, f.sims, utility.Electricity, utility.KindPayment, ""), payOrders(t, f.k))
		}
		t.Fatalf("retry of a refused payment order: %v, want outbox.ErrNotRetried", err)
	}
	if st, err := f.k.Outbox.Status(ref); err != nil || st.State != outbox.Dead {
		t.Fatalf("after the retry refused: %+v, %v", st, err)
	}
	if evs := staffEvents(t, f.k, journal.StaffRetry); len(evs) != 0 {
		t.Fatalf("a retry journaled: %+v", evs)
	}
	mustDo(t, m.CloseRequest(ctx, ref, "offline"))
	if st, err := f.k.Outbox.Status(ref); err != nil || st.State != outbox.Closed {
		t.Fatalf("closed: %+v, %v", st, err)
	}
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindPayment, ""); n != 1 {
		t.Fatalf("the utility made %d orders, want the first only", n)
	}
}
