package app_test

import (
	"context"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

// heldEvents collects the kiosk's identify events but for the screens' cues.
func heldEvents(f *flows) chan app.IdentifyEvent {
	ch := make(chan app.IdentifyEvent, 16)
	f.k.OnIdentify(func(e app.IdentifyEvent) {
		if e.Kind != app.Reading && e.Kind != app.CardLeftChanged {
			ch <- e
		}
	})
	pollUntil(f.t, flowPatience, "the reader", func() bool { st, ok := f.k.DeviceState("idcard"); return ok && st.OK })
	return ch
}

func nextHeldEvent(t *testing.T, ch chan app.IdentifyEvent) app.IdentifyEvent {
	t.Helper()
	var e app.IdentifyEvent
	pollUntil(t, flowPatience, "an identify event", func() bool {
		select {
		case e = <-ch:
			return true
		default:
			return false
		}
	})
	return e
}

// A citizen without a card pays by account number and, with the pay QR up, puts their
// ID card on the reader: the visit goes on (nothing wiped, the order not cancelled), the
// card is held; once they pay, the receipt prints for that visit and the visit becomes
// the card holder's, the same one, its outcome kept.
func TestCardHeldWhileAnonymousPaymentOpen(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	events := heldEvents(f)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if _, err := f.k.FindAccount(context.Background(), utility.Electricity, number); err != nil {
		t.Fatal(err)
	}
	visit := f.k.Sessions.Current()
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	mustDo(t, f.rig.PlaceCard(1))
	if e := nextHeldEvent(t, events); e.Kind != app.HeldForPayment || e.Message != "pay.card_held" {
		t.Fatalf("the card over the pay QR: event %+v", e)
	}
	if f.k.Sessions.Current() != visit || visit.Wiped() || flow.Final() || !f.k.CardHeld() {
		t.Fatal("the card placed over the pay QR ended the visit or its order")
	}
	if _, identified := visit.Identity(); identified {
		t.Fatal("the visit became the card's before its payment ended")
	}
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	awaitPayFinal(t, flow, w)
	if e := nextHeldEvent(t, events); e.Kind != app.Adopted {
		t.Fatalf("once paid: event %+v", e)
	}
	if r, ok := flow.Printed(); !ok || !r.OK || f.rig.Printer().Stats().Cuts != 1 {
		t.Fatalf("the receipt: %+v (%v), %d cut", r, ok, f.rig.Printer().Stats().Cuts)
	}
	id, identified := visit.Identity()
	if f.k.Sessions.Current() != visit || visit.Wiped() || !identified || id.IDNumber != sim.DemoCards()[1].IDNumber {
		t.Fatal("once paid the visit is not the card holder's")
	}
	if flow.Payment().Status != utility.PaymentPaid || f.k.CardHeld() || f.k.PaidInVisit() != 1 {
		t.Fatalf("order %s, held %v, paid in visit %d", flow.Payment().Status, f.k.CardHeld(), f.k.PaidInVisit())
	}
}

// Another citizen's card over an identified visit's pay QR waits too: the visit is not
// taken over. Once the payer cancels, their visit ends as replaced and the card opens
// its holder's. The payer's own card put back changes nothing. A held card goes with
// the visit when the visit ends (退出办理), and opens nothing.
func TestCardHeldWhileIdentifiedPaymentOpen(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	events := heldEvents(f)
	mustDo(t, f.rig.PlaceCard(1))
	if e := nextHeldEvent(t, events); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	payer := f.k.Sessions.Current()
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, f.rig.PlaceCard(1)) // put back
	if e := nextHeldEvent(t, events); e.Kind != app.Continued || f.k.CardHeld() {
		t.Fatalf("the payer's card put back: event %+v, held %v", e, f.k.CardHeld())
	}
	mustDo(t, f.rig.PlaceCard(2))
	if e := nextHeldEvent(t, events); e.Kind != app.HeldForPayment {
		t.Fatalf("another card over the pay QR: event %+v", e)
	}
	if f.k.Sessions.Current() != payer || payer.Wiped() || flow.Final() {
		t.Fatal("another citizen's card took over the visit while its payment was open")
	}
	if err := flow.Cancel(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := nextHeldEvent(t, events); e.Kind != app.Identified {
		t.Fatalf("once cancelled: event %+v", e)
	}
	next := f.k.Sessions.Current()
	id, _ := next.Identity()
	if !payer.Wiped() || next == payer || id.IDNumber != sim.DemoCards()[2].IDNumber || flow.Payment().Status != utility.PaymentCancelled {
		t.Fatalf("once cancelled: payer wiped %v, next is the card's %v, order %s", payer.Wiped(), id.IDNumber == sim.DemoCards()[2].IDNumber, flow.Payment().Status)
	}
	// The payer comes back (no payment open: their card replaces the visit at once), a
	// pay QR, the other card held, then 退出办理.
	mustDo(t, f.rig.PlaceCard(1))
	if e := nextHeldEvent(t, events); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	flow, err = f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, f.rig.PlaceCard(2))
	if e := nextHeldEvent(t, events); e.Kind != app.HeldForPayment {
		t.Fatalf("event %+v", e)
	}
	f.k.Exit()
	awaitCond(t, "the order given up", flow.Final)
	if f.k.CardHeld() || f.k.Sessions.Current() != nil {
		t.Fatalf("after 退出办理: held %v, a visit open %v", f.k.CardHeld(), f.k.Sessions.Current() != nil)
	}
	select {
	case e := <-events:
		t.Fatalf("the held card acted after 退出办理: %+v", e)
	default:
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
