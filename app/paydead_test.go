package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
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

// A citizen cancels their order (取消缴费) while the utility's cancellations are stuck
// (it answers each one 409, still in progress): the cancellation runs out of attempts, a dead letter for staff, and the
// order is left to the settling pass, which asks after it but sends no second one. The
// payer then pays it on the utility's own channels. Once the settling pass learns it is
// paid (its receipt kept for 补打), the cancellation's dead letter has nothing left for
// staff to do: the pass closes it in the same transaction, for the same fixed reason as
// an order request's, with the order's number. It used to stay open, as the order kept
// no reference to its cancellation.
func TestPayDeadCancellationClosedOnceSettled(t *testing.T) {
	t.Parallel()
	c := clock.NewManual(time.Now())
	long := func(cfg *config.Config) {
		// The visit outlasts the attempts' back-off on the kiosk's clock.
		cfg.Kiosk.IdleTimeout.Duration, cfg.Kiosk.PayIdleTimeout.Duration = 12*time.Hour, 12*time.Hour
	}
	f := newFlowsAt(t, utilitysim.Options{PaymentTTL: 24 * time.Hour}, long, c)
	gate := gateway(t, f.sims.BaseURL(utility.Electricity), func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/payments/cancel") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error":{"code":"request_in_progress","message":"撤销处理中"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	})
	number, bills := f.payingThrough(gate)
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	order := flow.Payment().Reference
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	flow.Cancel(ctx) // not answered: the outbox keeps trying
	cancel()
	pending, err := f.k.Outbox.List(outbox.Pending, 0)
	if err != nil || len(pending) != 1 || pending[0].Kind != utility.KindCancelPayment {
		t.Fatalf("pending %+v, %v; want the cancellation", pending, err)
	}
	ref := pending[0].KioskRef
	if st := attemptsRunOut(t, f.k, c, ref); st.State != outbox.Dead {
		t.Fatalf("the cancellation: %+v", st)
	}
	f.k.Exit()
	if _, err := f.sims.Pay(utility.Electricity, order); err != nil {
		t.Fatal(err)
	}
	if err := f.k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := payOrders(t, f.k); n != 0 {
		t.Fatalf("%d orders kept once the utility said it was paid", n)
	}
	if !payKept(t, f.k, flow.KioskRef) {
		t.Fatal("the paid order's receipt not kept for 补打")
	}
	payDeadLetterFollowed(t, f.k, ref, order, "终端已向单位核实：订单已支付，凭条留待补打")
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindCancelPayment, ""); n != 0 {
		t.Fatalf("%d cancellations reached the utility", n)
	}
}
