package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// cancelPending reports whether a cancellation waits in k's outbox.
func cancelPending(t *testing.T, k *app.Kiosk) bool {
	t.Helper()
	list, err := k.Outbox.List(outbox.Pending, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if st.Kind == utility.KindCancelPayment {
			return true
		}
	}
	return false
}

// The citizen leaves the pay QR (返回: its order is being cancelled, the utility slow to
// answer) and taps 缴费 again for the same bills: they get a new order, never the one
// being cancelled, whose QR would show and then turn to 已取消 under them as the
// cancellation lands. With the utility slow, the new order is made after the
// cancellation (one account's requests reach it in order) and stays pending; with the
// utility down, it cannot be made, and the citizen is told it is busy. Before,
// StartPayment gave back the flow being cancelled, pending on screen, which ended
// cancelled a moment later.
func TestPayAgainWhileCancelling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults utilitysim.Faults
	}{
		{name: "utility slow", faults: utilitysim.Faults{LatencyMS: 500}},
		{name: "utility down", faults: utilitysim.Faults{Down: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			_, _, number, bills, flow := f.payingCitizen(1)
			setFaults(t, f.sims, utility.Electricity, tc.faults)
			cancelled := make(chan error, 1)
			go func() { cancelled <- flow.Cancel(context.Background()) }()
			awaitCond(t, "the cancellation stored", func() bool { return cancelPending(t, f.k) })
			ctx := context.Background()
			if tc.faults.Down {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
			}
			again, err := f.k.StartPayment(ctx, utility.Electricity, number, bills)
			if again == flow {
				t.Fatalf("tapping 缴费 again gave the order being cancelled (%v)", err)
			}
			<-cancelled
			if tc.faults.Down {
				if !errors.Is(err, app.ErrPaymentBusy) {
					t.Fatalf("paying again with the utility down: %v, want ErrPaymentBusy", err)
				}
				if !flow.Final() || !flow.CancelUnconfirmed() {
					t.Fatalf("the order left is %s (unconfirmed %v)", flow.Payment().Status, flow.CancelUnconfirmed())
				}
				return
			}
			if err != nil {
				t.Fatalf("paying again: %v", err)
			}
			if got := flow.Payment().Status; got != utility.PaymentCancelled || flow.CancelUnconfirmed() {
				t.Fatalf("the order left is %s (unconfirmed %v)", got, flow.CancelUnconfirmed())
			}
			p := again.Payment()
			if p.Reference == flow.Payment().Reference || again.Final() {
				t.Fatalf("the new order %s is %s", p.Reference, p.Status)
			}
			if up := payAtUtility(t, f.k, utility.Electricity, p.Reference); up.Status != utility.PaymentPending {
				t.Fatalf("at the utility the new order is %s", up.Status)
			}
		})
	}
}

// The visit ends (退出办理, the idle wipe) while its order is being made, the utility
// slow: the order the utility answers in time, its QR never shown, is cancelled at
// once rather than left to hold the bills until it expires.
func TestPayVisitEndsWhileTheOrderIsMade(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{LatencyMS: 1500})
	type started struct {
		flow *app.PaymentFlow
		err  error
	}
	done := make(chan started, 1)
	go func() {
		fl, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
		done <- started{fl, err}
	}()
	awaitCond(t, "the order request stored", func() bool { return f.k.Outbox.Pending()[utility.Electricity] > 0 })
	f.k.Exit()
	r := <-done
	if r.err != nil {
		t.Fatalf("the order answered in time: %v", r.err)
	}
	awaitCond(t, "the order to end", r.flow.Final)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	if up := payAtUtility(t, f.k, utility.Electricity, r.flow.Payment().Reference); up.Status != utility.PaymentCancelled {
		t.Fatalf("the order made for a visit that ended is %s at the utility", up.Status)
	}
	if got := r.flow.Payment().Status; got != utility.PaymentCancelled {
		t.Fatalf("the flow is %s", got)
	}
}

// The settling pass, run over and over while a citizen's order is made, shown and paid,
// leaves the order its flow follows alone: it sends no cancellation, and the payment is
// journaled once, its receipt printed once and not kept for staff; the order is
// forgotten once paid.
func TestPaySettlingLeavesTheLiveOrderAlone(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	stop, settled := make(chan struct{}), make(chan int, 1)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				settled <- n
				return
			default:
			}
			if err := f.k.SettleOrders(context.Background()); err != nil {
				t.Errorf("settling pass: %v", err)
			}
			n++
		}
	}()
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	awaitPayFinal(t, flow, w)
	close(stop)
	if n := <-settled; n < 2 {
		t.Fatalf("%d settling passes ran", n)
	}
	if got := flow.Payment().Status; got != utility.PaymentPaid {
		t.Fatalf("the order is %s", got)
	}
	f.payReceiptCut(flow)
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindCancelPayment, ""); n != 0 {
		t.Fatalf("the settling pass sent %d cancellations of the live order", n)
	}
	if paid := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid); len(paid) != 1 {
		t.Fatalf("journaled paid %d times", len(paid))
	}
	if payKept(t, f.k, flow.KioskRef) || payOrders(t, f.k) != 0 || len(payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentSettled)) != 0 {
		t.Fatalf("kept for staff %v, %d orders kept, journal %v", payKept(t, f.k, flow.KioskRef), payOrders(t, f.k), payJournalKinds(t, f.k, flow.KioskRef))
	}
}
