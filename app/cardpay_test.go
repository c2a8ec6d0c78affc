package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/session"
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
	f, events, number, bills := visitWithoutCard(t)
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
	adoptedOncePaid(t, f, events, visit, flow)
}

// visitWithoutCard opens a visit by account number (no card) for an account with an
// unpaid bill; the kiosk's identify events but the cues are on events.
func visitWithoutCard(t *testing.T) (*flows, chan app.IdentifyEvent, string, []utility.Bill) {
	t.Helper()
	f := newFlows(t, utilitysim.Options{})
	events := heldEvents(f)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if _, err := f.k.FindAccount(context.Background(), utility.Electricity, number); err != nil {
		t.Fatal(err)
	}
	return f, events, number, bills
}

// visitWithCard opens a visit with demo card 1, whose holder has an unpaid bill; the
// kiosk's identify events but the cues are on events.
func visitWithCard(t *testing.T) (*flows, chan app.IdentifyEvent, string, []utility.Bill) {
	t.Helper()
	return visitWithCardOn(t, nil)
}

// visitWithCardOn is visitWithCard with the kiosk on clock c (nil: the system clock).
func visitWithCardOn(t *testing.T, c clock.Clock) (*flows, chan app.IdentifyEvent, string, []utility.Bill) {
	t.Helper()
	return visitWithCardConfigured(t, c, nil)
}

// visitWithCardConfigured is visitWithCardOn with the kiosk's configuration changed by
// tweak.
func visitWithCardConfigured(t *testing.T, c clock.Clock, tweak func(*config.Config)) (*flows, chan app.IdentifyEvent, string, []utility.Bill) {
	t.Helper()
	f := newFlowsAt(t, utilitysim.Options{}, tweak, c)
	events := heldEvents(f)
	mustDo(t, f.rig.PlaceCard(1))
	if e := nextHeldEvent(t, events); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	return f, events, number, bills
}

// adoptedOncePaid checks that flow, paid, printed its receipt in visit and that the card
// held meanwhile (demo card 1) then made visit its holder's.
func adoptedOncePaid(t *testing.T, f *flows, events chan app.IdentifyEvent, visit *session.Session, flow *app.PaymentFlow) {
	t.Helper()
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
	if flow.Payment().Status != utility.PaymentPaid || f.k.CardHeld() || f.k.BillsChangedInVisit() != 1 {
		t.Fatalf("order %s, held %v, paid in visit %d", flow.Payment().Status, f.k.CardHeld(), f.k.BillsChangedInVisit())
	}
}

// Another citizen's card over an identified visit's pay QR waits too: the visit is not
// taken over. Once the payer cancels, their visit ends as replaced and the card opens
// its holder's. The payer's own card put back changes nothing. A held card goes with
// the visit when the visit ends (退出办理), and opens nothing.
func TestCardHeldWhileIdentifiedPaymentOpen(t *testing.T) {
	t.Parallel()
	f, events, number, bills := visitWithCard(t)
	payer := f.k.Sessions.Current()
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

// paymentStart is a StartPayment run in the background, its outcome on done.
type paymentStart struct {
	flow *app.PaymentFlow
	err  error
}

// startPaymentSlowly starts the payment of bills while the utility answers only after
// latency, and returns once the order request is stored and on its way: the citizen
// has tapped 缴费 and waits (请稍候) while the utility makes the order.
func startPaymentSlowly(ctx context.Context, f *flows, number string, bills []utility.Bill, latency int) chan paymentStart {
	f.t.Helper()
	setFaults(f.t, f.sims, utility.Electricity, utilitysim.Faults{LatencyMS: latency})
	done := make(chan paymentStart, 1)
	go func() {
		flow, err := f.k.StartPayment(ctx, utility.Electricity, number, bills)
		done <- paymentStart{flow, err}
	}()
	awaitCond(f.t, "the order request on its way", func() bool { return f.k.Outbox.Pending()[utility.Electricity] > 0 })
	return done
}

// A card put down while the order is still being made (the citizen tapped 缴费 and
// waits) is held as over the pay QR: the start goes on and makes its order, the card
// stays held while the order is open, and once paid the visit, made without a card,
// becomes the card holder's.
func TestCardHeldWhilePaymentStarting(t *testing.T) {
	t.Parallel()
	f, events, number, bills := visitWithoutCard(t)
	visit := f.k.Sessions.Current()
	// Slow, but within the citizen's wait for the order (8 s).
	done := startPaymentSlowly(context.Background(), f, number, bills, 4000)
	mustDo(t, f.rig.PlaceCard(1))
	if e := nextHeldEvent(t, events); e.Kind != app.HeldForPayment {
		t.Fatalf("the card while the order is being made: event %+v", e)
	}
	select {
	case r := <-done:
		t.Fatalf("the start ended (%v) before the card was read: the order was not being made", r.err)
	default:
	}
	if f.k.Sessions.Current() != visit || visit.Wiped() || !f.k.CardHeld() {
		t.Fatal("the card placed while the order was being made ended the visit")
	}
	var r paymentStart
	awaitCond(t, "the start to end", func() bool {
		select {
		case r = <-done:
			return true
		default:
			return false
		}
	})
	if r.err != nil {
		t.Fatalf("the start: %v", r.err)
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	if f.k.Sessions.Current() != visit || visit.Wiped() || !f.k.CardHeld() || r.flow.Final() {
		t.Fatalf("once the order is made: visit kept %v, held %v, order %s", f.k.Sessions.Current() == visit && !visit.Wiped(),
			f.k.CardHeld(), r.flow.Payment().Status)
	}
	if _, identified := visit.Identity(); identified {
		t.Fatal("the visit became the card's before its payment ended")
	}
	w := startPayWatch(r.flow)
	if _, err := f.sims.Pay(utility.Electricity, r.flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	awaitPayFinal(t, r.flow, w)
	adoptedOncePaid(t, f, events, visit, r.flow)
}

// Another citizen's card put down while the order is being made is held too; when the
// start fails (the utility too slow: the citizen is told it is busy) no payment is open,
// and the held card is acted on at once: the payer's visit ends as replaced, the card
// opens its holder's, and nothing is held any more.
func TestCardHeldWhilePaymentStartFails(t *testing.T) {
	t.Parallel()
	f, events, number, bills := visitWithCard(t)
	payer := f.k.Sessions.Current()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Slower than the citizen's wait: the start can only fail.
	done := startPaymentSlowly(ctx, f, number, bills, 60000)
	mustDo(t, f.rig.PlaceCard(2))
	if e := nextHeldEvent(t, events); e.Kind != app.HeldForPayment {
		t.Fatalf("another card while the order is being made: event %+v", e)
	}
	if f.k.Sessions.Current() != payer || payer.Wiped() || !f.k.CardHeld() {
		t.Fatal("another citizen's card took over the visit while its order was being made")
	}
	cancel() // the screen's wait ends: the start gives up
	// The new visit is told why the payer's payment was not made: the start's own
	// outcome was the payer's visit's, which ended.
	if e := nextHeldEvent(t, events); e.Kind != app.Identified || !strings.Contains(e.PaymentFailed.ZH, "缴费系统繁忙") ||
		e.PaymentFailed.EN == "" || e.PaymentFailed.EN == e.PaymentFailed.ZH {
		t.Fatalf("once the start failed: event %+v", e)
	}
	if r := <-done; !errors.Is(r.err, app.ErrPaymentBusy) || r.flow != nil {
		t.Fatalf("the start: %v", r.err)
	}
	next := f.k.Sessions.Current()
	id, _ := next.Identity()
	if !payer.Wiped() || next == payer || id.IDNumber != sim.DemoCards()[2].IDNumber || f.k.CardHeld() {
		t.Fatalf("once the start failed: payer wiped %v, next is the card's %v, held %v", payer.Wiped(),
			id.IDNumber == sim.DemoCards()[2].IDNumber, f.k.CardHeld())
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readingOutcome is a payer (demo card 1) whose order was paid at the pay QR while
// another citizen's card (demo card 2) was put down: the receipt printed, 缴费成功 is on
// screen and the card waits ResultFor (HeldForResult), on the manual clock c.
type readingOutcome struct {
	f      *flows
	events chan app.IdentifyEvent
	c      manualClock
	payer  *session.Session
	flow   *app.PaymentFlow
}

// manualClock is a clock that moves when the test says so: clock.Manual, or one that
// wraps it.
type manualClock interface {
	clock.Clock
	Advance(time.Duration)
}

// payerReadsOutcome brings about readingOutcome on clock c, with the kiosk's
// configuration changed by tweak (nil: none).
func payerReadsOutcome(t *testing.T, c manualClock, tweak func(*config.Config)) readingOutcome {
	t.Helper()
	f, events, number, bills := visitWithCardConfigured(t, c, tweak)
	r := readingOutcome{f: f, events: events, c: c, payer: f.k.Sessions.Current()}
	r.flow = r.pay(utility.Electricity, number, bills)
	due, waits := f.k.NextCardDue()
	if p, ok := r.flow.Printed(); !ok || !p.OK || !waits || !due.Equal(c.Now().Add(app.ResultFor)) {
		t.Fatalf("once paid: receipt %+v (%v), the card waits %v until %v", p, ok, waits, due)
	}
	if f.k.Sessions.Current() != r.payer || r.payer.Wiped() || !f.k.CardHeld() {
		t.Fatal("the payer's visit did not stay for its outcome")
	}
	return r
}

// pay starts paying bills, puts demo card 2 down over the pay QR (unless it waits
// already), pays the order at the utility and waits for HeldForResult.
func (r readingOutcome) pay(utilityID, number string, bills []utility.Bill) *app.PaymentFlow {
	t := r.f.t
	t.Helper()
	flow, err := r.f.k.StartPayment(context.Background(), utilityID, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	if !r.f.k.CardHeld() {
		mustDo(t, r.f.rig.PlaceCard(2))
		if e := nextHeldEvent(t, r.events); e.Kind != app.HeldForPayment {
			t.Fatalf("another card over the pay QR: event %+v", e)
		}
	}
	if _, err := r.f.sims.Pay(utilityID, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	awaitPayFinal(t, flow, w)
	if e := nextHeldEvent(t, r.events); e.Kind != app.HeldForResult {
		t.Fatalf("once paid: event %+v", e)
	}
	return flow
}

// nextVisitOpened checks that demo card 2 opened its holder's visit after what, in
// place of the payer's, and that nothing waits any more.
func (r readingOutcome) nextVisitOpened(what string) {
	t := r.f.t
	t.Helper()
	if e := nextHeldEvent(t, r.events); e.Kind != app.Identified || !e.PaymentFailed.IsZero() {
		t.Fatalf("after %s: event %+v", what, e)
	}
	next := r.f.k.Sessions.Current()
	id, _ := next.Identity()
	if !r.payer.Wiped() || next == r.payer || id.IDNumber != sim.DemoCards()[2].IDNumber || r.f.k.CardHeld() || r.f.k.CardLeft() {
		t.Fatalf("after %s: payer wiped %v, next is the card's %v, held %v, card left %v", what, r.payer.Wiped(),
			id.IDNumber == sim.DemoCards()[2].IDNumber, r.f.k.CardHeld(), r.f.k.CardLeft())
	}
	if _, waits := r.f.k.NextCardDue(); waits {
		t.Fatalf("after %s: a card still waits", what)
	}
}

// Another citizen's card put down at an identified visit's pay QR, and the payer pays:
// the receipt prints, and the card waits ResultFor more while the payer reads 缴费成功
// (HeldForResult), unless the next citizen taps 立即办理 (ServeNextCard) or the payer
// 退出办理; then it opens its holder's visit. A card lifted meanwhile opens nothing, and
// the payer's visit goes on.
func TestCardHeldWhilePayerReadsTheOutcome(t *testing.T) {
	for _, then := range []string{"the time is up", "立即办理", "退出办理", "the card lifted"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Now())
			r := payerReadsOutcome(t, c, nil)
			f, payer := r.f, r.payer
			c.Advance(app.ResultFor - time.Second)
			if f.k.Sessions.Current() != payer || payer.Wiped() {
				t.Fatal("the payer's visit ended before its outcome's time")
			}
			switch then {
			case "the time is up":
				c.Advance(time.Second)
			case "立即办理":
				f.k.ServeNextCard()
			case "退出办理":
				f.k.Exit()
			case "the card lifted":
				f.rig.RemoveCard()
				awaitCond(t, "the card seen lifted", func() bool { _, waits := f.k.NextCardDue(); return !waits })
				c.Advance(time.Second)
				if f.k.Sessions.Current() != payer || payer.Wiped() || f.k.CardHeld() {
					t.Fatalf("the card lifted: the payer's visit kept %v, held %v", f.k.Sessions.Current() == payer, f.k.CardHeld())
				}
				return
			}
			r.nextVisitOpened(then)
			if f.rig.Printer().Stats().Cuts != 1 {
				t.Fatalf("after %s: %d receipts", then, f.rig.Printer().Stats().Cuts)
			}
		})
	}
}

// The payer, reading 缴费成功 with the next card waiting, goes back (返回) and pays
// another bill before the time is up: the card waits for that payment as over the first
// pay QR (no countdown runs over the QR, and the time's end opens nothing: the payer is
// paying), and 退出办理 at the QR ends the payer's visit as it would with the card held
// (the card is left on the reader); or the second order is paid, and the payer reads
// that outcome its full time.
func TestCardHeldAgainForAnotherPayment(t *testing.T) {
	for _, then := range []string{"paid", "the first time's end", "退出办理"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Now())
			r := payerReadsOutcome(t, c, nil)
			f, payer := r.f, r.payer
			c.Advance(5 * time.Second)
			number, bills := payUnpaidBills(t, f.k, utility.Water, 1)
			flow, err := f.k.StartPayment(context.Background(), utility.Water, number, bills)
			if err != nil {
				t.Fatal(err)
			}
			if _, waits := f.k.NextCardDue(); waits || !f.k.CardHeld() {
				t.Fatalf("over the second pay QR: a countdown %v, held %v", waits, f.k.CardHeld())
			}
			switch then {
			case "paid":
				w := startPayWatch(flow)
				if _, err := f.sims.Pay(utility.Water, flow.Payment().Reference); err != nil {
					t.Fatal(err)
				}
				awaitPayFinal(t, flow, w)
				if e := nextHeldEvent(t, r.events); e.Kind != app.HeldForResult {
					t.Fatalf("the second order paid: event %+v", e)
				}
				if due, waits := f.k.NextCardDue(); !waits || !due.Equal(c.Now().Add(app.ResultFor)) {
					t.Fatalf("the second outcome: the card waits %v until %v, want %v", waits, due, c.Now().Add(app.ResultFor))
				}
				c.Advance(app.ResultFor - time.Second)
				if f.k.Sessions.Current() != payer || payer.Wiped() {
					t.Fatal("the payer's visit ended before the second outcome's time")
				}
				c.Advance(time.Second)
				r.nextVisitOpened("the second outcome's time")
			case "the first time's end":
				c.Advance(app.ResultFor)
				if f.k.Sessions.Current() != payer || payer.Wiped() || flow.Final() || !f.k.CardHeld() {
					t.Fatalf("the first outcome's time over the second pay QR: visit kept %v, order %s, held %v",
						f.k.Sessions.Current() == payer && !payer.Wiped(), flow.Payment().Status, f.k.CardHeld())
				}
			case "退出办理":
				f.k.Exit()
				if !payer.Wiped() || f.k.Sessions.Current() != nil || f.k.CardHeld() || !f.k.CardLeft() {
					t.Fatalf("退出办理 at the second pay QR: payer wiped %v, a visit open %v, held %v, card left %v",
						payer.Wiped(), f.k.Sessions.Current() != nil, f.k.CardHeld(), f.k.CardLeft())
				}
				awaitCond(t, "the second order given up", flow.Final)
			}
		})
	}
}

// The payer, reading 缴费成功 with the next card waiting, goes on in their visit
// (返回账单, or 继续过户 in a 过户: KeepVisitForPayer): the countdown stops, and the
// outcome's time passes without ending the visit under them. The card waits, untimed,
// until the visit ends: 退出办理 or the idle wipe opens its holder's visit; a card lifted
// meanwhile opens nothing. A payment started meanwhile holds it, and once paid the payer
// reads that outcome its full time, as ever.
func TestPayerGoesOnWhileNextCardWaits(t *testing.T) {
	for _, then := range []string{"退出办理", "the idle time", "the card lifted", "another payment"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Now())
			idle := 2 * app.ResultFor // the outcome's time ends first
			r := payerReadsOutcome(t, c, func(cfg *config.Config) {
				cfg.Kiosk.IdleTimeout.Duration, cfg.Kiosk.IdleCountdown.Duration = idle, 5*time.Second
			})
			f, payer := r.f, r.payer
			c.Advance(5 * time.Second)
			f.k.Touch() // the tap that goes on
			f.k.KeepVisitForPayer()
			if due, waits := f.k.NextCardDue(); !waits || !due.IsZero() || !f.k.CardHeld() {
				t.Fatalf("the payer gone on: the card waits %v until %v, held %v", waits, due, f.k.CardHeld())
			}
			c.Advance(app.ResultFor)
			if f.k.Sessions.Current() != payer || payer.Wiped() || !f.k.CardHeld() {
				t.Fatalf("past the outcome's time: the payer's visit kept %v, held %v",
					f.k.Sessions.Current() == payer && !payer.Wiped(), f.k.CardHeld())
			}
			select {
			case e := <-r.events:
				t.Fatalf("past the outcome's time: event %+v", e)
			default:
			}
			switch then {
			case "退出办理":
				f.k.Exit()
				r.nextVisitOpened(then)
			case "the idle time":
				c.Advance(idle - app.ResultFor) // the countdown begins
				if f.k.Sessions.Current() != payer || payer.Wiped() {
					t.Fatal("the visit ended before its idle countdown")
				}
				c.Advance(5 * time.Second)
				r.nextVisitOpened(then)
			case "the card lifted":
				f.rig.RemoveCard()
				awaitCond(t, "the card seen lifted", func() bool { _, waits := f.k.NextCardDue(); return !waits })
				f.k.Exit()
				if !payer.Wiped() || f.k.Sessions.Current() != nil || f.k.CardHeld() {
					t.Fatalf("退出办理 after the card was lifted: payer wiped %v, a visit open %v, held %v",
						payer.Wiped(), f.k.Sessions.Current() != nil, f.k.CardHeld())
				}
				select {
				case e := <-r.events:
					t.Fatalf("the lifted card acted after 退出办理: %+v", e)
				default:
				}
			case "another payment":
				number, bills := payUnpaidBills(t, f.k, utility.Water, 1)
				r.pay(utility.Water, number, bills)
				if due, waits := f.k.NextCardDue(); !waits || !due.Equal(c.Now().Add(app.ResultFor)) {
					t.Fatalf("the second outcome: the card waits %v until %v, want %v", waits, due, c.Now().Add(app.ResultFor))
				}
				c.Advance(app.ResultFor)
				r.nextVisitOpened("the second outcome's time")
			}
		})
	}
}

// While the payer reads 缴费成功, the waiting card is lifted and the payer's own card
// put down (to take it with their receipt): the payer's visit goes on, and the time's
// end opens nobody's visit over it. Or the waiting card is lifted and put down again
// (or another's in its place): it waits the rest of the time, as before, and then opens
// its holder's visit.
func TestCardSwappedWhilePayerReadsTheOutcome(t *testing.T) {
	for _, then := range []string{"the payer's own card", "put back"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Now())
			r := payerReadsOutcome(t, c, nil)
			f, payer := r.f, r.payer
			due, _ := f.k.NextCardDue()
			c.Advance(5 * time.Second)
			f.rig.RemoveCard()
			awaitCond(t, "the card seen lifted", func() bool { _, waits := f.k.NextCardDue(); return !waits })
			switch then {
			case "the payer's own card":
				mustDo(t, f.rig.PlaceCard(1))
				if e := nextHeldEvent(t, r.events); e.Kind != app.Continued {
					t.Fatalf("the payer's own card: event %+v", e)
				}
				c.Advance(app.ResultFor)
				if f.k.Sessions.Current() != payer || payer.Wiped() || f.k.CardHeld() {
					t.Fatalf("the time's end over the payer's own card: visit kept %v, held %v",
						f.k.Sessions.Current() == payer && !payer.Wiped(), f.k.CardHeld())
				}
			case "put back":
				mustDo(t, f.rig.PlaceCard(2))
				if e := nextHeldEvent(t, r.events); e.Kind != app.HeldForResult {
					t.Fatalf("the card put back: event %+v", e)
				}
				if again, waits := f.k.NextCardDue(); !waits || !again.Equal(due) || f.k.Sessions.Current() != payer || payer.Wiped() {
					t.Fatalf("the card put back: waits %v until %v (was %v), the payer's visit kept %v", waits, again, due,
						f.k.Sessions.Current() == payer && !payer.Wiped())
				}
				c.Advance(app.ResultFor - 5*time.Second)
				r.nextVisitOpened("the time's end")
			}
		})
	}
}

// The payer reads 缴费成功 with the next card waiting, and the hall's idle time is short
// (15 s and a 3 s countdown): the visit ends for want of a touch before the outcome's
// time is up. The card that was told it opens its holder's visit does so, as at
// 退出办理, rather than lie on the reader as one left behind.
func TestIdleWhilePayerReadsTheOutcome(t *testing.T) {
	t.Parallel()
	c := clock.NewManual(time.Now())
	r := payerReadsOutcome(t, c, func(cfg *config.Config) {
		cfg.Kiosk.IdleTimeout.Duration, cfg.Kiosk.IdleCountdown.Duration = 15*time.Second, 3*time.Second
	})
	c.Advance(app.ResultFor - time.Second)
	r.nextVisitOpened("the idle time")
}

// The kiosk closes (a restart) while the payer reads 缴费成功 with the next card
// waiting: the wait's timer is stopped with it, and nothing of the kiosk runs after
// Close on its account.
func TestCloseWhilePayerReadsTheOutcome(t *testing.T) {
	t.Parallel()
	c := &watchedClock{Manual: clock.NewManual(time.Now())}
	r := payerReadsOutcome(t, c, nil)
	waits := c.timersOf(app.ResultFor)
	if len(waits) == 0 {
		t.Fatal("no timer for the outcome's time")
	}
	if err := r.f.k.Close(); err != nil {
		t.Fatal(err)
	}
	for _, w := range waits {
		if !w.stopped.Load() {
			t.Fatal("the outcome's timer still runs after Close")
		}
	}
	c.Advance(app.ResultFor)
	if r.f.k.Sessions.Current() != nil || r.f.k.CardHeld() {
		t.Fatalf("after Close: a visit open %v, held %v", r.f.k.Sessions.Current() != nil, r.f.k.CardHeld())
	}
}

// watchedClock is a manual clock that keeps the timers set for a duration, to see
// whether they are stopped.
type watchedClock struct {
	*clock.Manual
	mu     sync.Mutex
	timers map[time.Duration][]*watchedTimer
}

type watchedTimer struct {
	clock.Timer
	stopped atomic.Bool
}

func (t *watchedTimer) Stop() bool {
	t.stopped.Store(true)
	return t.Timer.Stop()
}

func (c *watchedClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	w := &watchedTimer{Timer: c.Manual.AfterFunc(d, f)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timers == nil {
		c.timers = map[time.Duration][]*watchedTimer{}
	}
	c.timers[d] = append(c.timers[d], w)
	return w
}

// timersOf are the timers set for d so far.
func (c *watchedClock) timersOf(d time.Duration) []*watchedTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*watchedTimer(nil), c.timers[d]...)
}
