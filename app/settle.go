package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
)

// settleEvery is how often the kiosk asks after the payment orders nobody follows.
const settleEvery = time.Minute

// unprintedReason is what staff read beside a paid order's receipt that the kiosk kept
// instead of printing.
const unprintedReason = "缴费人离开或自助终端重启后才支付成功，凭条未打印"

// trackOrder keeps a new order until its end is known (package orders). While its
// flow follows it, the order is live and the settling pass leaves it alone; so it is
// live before it is kept.
func (k *Kiosk) trackOrder(f *PaymentFlow) {
	p := f.Payment()
	if paymentFinal(p.Status) {
		return
	}
	k.payments.mu.Lock()
	k.payments.live[f.KioskRef] = true
	k.payments.mu.Unlock()
	o := f.asOrder()
	o.Created = k.Clock.Now()
	if err := k.Orders.Put(o); err != nil {
		// The citizen's payment goes on: the flow follows the order while they are here.
		k.Log.Error("payment order not kept", "utility", f.Utility, "ref", f.KioskRef, "err", err)
	}
}

// order is the flow's order as kept, with the holder's name it was kept with (the
// flow forgets it when the citizen leaves).
func (f *PaymentFlow) order() orders.Order {
	if o, ok, err := f.k.Orders.Get(f.KioskRef); err == nil && ok {
		return o
	}
	return f.asOrder()
}

// asOrder is the flow's order as the flow knows it.
func (f *PaymentFlow) asOrder() orders.Order {
	p := f.Payment()
	f.mu.Lock()
	holder := f.holder
	f.mu.Unlock()
	periods := make([]string, len(f.Bills))
	for i, b := range f.Bills {
		periods[i] = b.Period
	}
	return orders.Order{KioskRef: f.KioskRef, Utility: f.Utility, Account: f.Account, Reference: p.Reference,
		Bills: f.request().Bills, Amount: p.Amount, Holder: holder, Periods: strings.Join(periods, "、"), Session: f.session.ID}
}

// orderRequest is what order o asked the utility for: the order every answer about it
// must be (ownPayment). An order kept before its bills were kept is compared without.
func orderRequest(o orders.Order) utility.PaymentRequest {
	return utility.PaymentRequest{KioskRef: o.KioskRef, Account: o.Account, Bills: o.Bills, Amount: o.Amount}
}

// releaseOrder hands an order its flow no longer follows to the settling pass; settled
// means its end is known, and it is forgotten.
func (k *Kiosk) releaseOrder(ref string, settled bool) {
	// Forgotten before it leaves the live set: the settling pass, which takes what is
	// kept and not live, must not find a settled order in between and file it again.
	if settled {
		if err := k.Orders.Remove(ref); err != nil {
			k.Log.Error("payment order", "ref", ref, "err", err)
		}
	}
	k.payments.mu.Lock()
	delete(k.payments.live, ref)
	k.payments.mu.Unlock()
}

func (k *Kiosk) orderLive(ref string) bool {
	k.payments.mu.Lock()
	defer k.payments.mu.Unlock()
	return k.payments.live[ref]
}

// cancelSent notes that a cancellation of the order is in the outbox.
func (k *Kiosk) cancelSent(ref string) {
	o, ok, err := k.Orders.Get(ref)
	if err == nil && ok {
		o.CancelSent = true
		err = k.Orders.Put(o)
	}
	if err != nil {
		k.Log.Error("payment order", "ref", ref, "err", err)
	}
}

// SettleOrders asks the utilities about the payment orders no flow follows any more —
// made before the kiosk restarted, or whose cancellation went unanswered — and acts on
// the answer: a paid order's receipt is kept for staff to print (补打) and journaled;
// a pending one is cancelled through the outbox, once; an ended one is forgotten. An
// order whose utility cannot be asked now is asked again next time. The kiosk runs it
// at start and every minute.
func (k *Kiosk) SettleOrders(ctx context.Context) error {
	list, err := k.Orders.List()
	errs := []error{err}
	for _, o := range list {
		if ctx.Err() != nil {
			break
		}
		if k.orderLive(o.KioskRef) {
			continue
		}
		// Read again: its flow may have let it go since the list was read, having
		// sent a cancellation (or settled it).
		fresh, ok, err := k.Orders.Get(o.KioskRef)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, k.settleOrder(ctx, fresh))
	}
	return errors.Join(errs...)
}

func (k *Kiosk) settleOrder(ctx context.Context, o orders.Order) error {
	c, err := k.Client(o.Utility)
	if err != nil {
		return fmt.Errorf("app: payment order %s: %w", o.KioskRef, err) // disabled since: pruned in time
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	p, err := c.Payment(qctx, o.Reference)
	cancel()
	if errors.Is(err, utility.ErrNotFound) {
		// Nothing to settle at a utility that does not know the order (its data was
		// reset): asking again every minute would not change that.
		k.orderEnded(o, utility.Payment{Reference: o.Reference, Status: "unknown at the utility"})
		return nil
	}
	if err == nil {
		if p, err = ownPayment(p, orderRequest(o)); err != nil {
			k.paymentNotTaken(o.Utility, o.KioskRef, "status", err)
		}
	}
	if err != nil {
		return fmt.Errorf("app: payment order %s: %w", o.KioskRef, err)
	}
	// The utility's word alone: a pending order past its expiry by the kiosk's clock is
	// still cancelled, in case the two clocks disagree.
	if paymentFinal(p.Status) {
		k.orderEnded(o, p)
		return nil
	}
	if o.CancelSent {
		return nil
	}
	res, err := k.Outbox.Submit(ctx, outbox.Request{
		Utility: o.Utility, Kind: utility.KindCancelPayment, Order: o.Account, Session: o.Session,
		Body: utility.Cancellation{Payment: o.Reference},
	}, 5*time.Second)
	if err != nil {
		return fmt.Errorf("app: cancel payment order %s: %w", o.KioskRef, err)
	}
	if res.Answered() {
		q, err := res.Answer.Payment()
		if err == nil {
			if q, err = ownPayment(q, orderRequest(o)); err != nil {
				k.paymentNotTaken(o.Utility, o.KioskRef, "cancellation", err)
			}
		}
		if err == nil && paymentFinal(q.Status) {
			k.orderEnded(o, q)
			return nil
		}
	}
	o.CancelSent = true
	return k.Orders.Put(o)
}

// orderEnded journals how an order nobody followed ended and forgets it; a paid one's
// receipt is kept for reprinting first.
func (k *Kiosk) orderEnded(o orders.Order, p utility.Payment) {
	if p.Status == utility.PaymentPaid {
		k.recordPaid(o, p)
		k.keepUnprinted(o, p)
	} else {
		k.record(journal.Event{Kind: journal.PaymentSettled, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
			UtilityRef: o.Reference, Amount: int64(o.Amount), Detail: p.Status})
	}
	if err := k.Orders.Remove(o.KioskRef); err != nil {
		k.Log.Error("payment order", "ref", o.KioskRef, "err", err)
	}
}

// recordPaid journals that order o was paid (记录留痕; the day's report sums these).
func (k *Kiosk) recordPaid(o orders.Order, p utility.Payment) {
	amount := p.Amount
	if amount <= 0 {
		amount = o.Amount
	}
	k.record(journal.Event{Kind: journal.PaymentPaid, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
		UtilityRef: txn(p), Subject: k.Journal.Subject("order:"+o.Utility, o.Account), Amount: int64(amount)})
}

// recordEnded journals how an order its citizen watched ended unpaid, as the screen told
// it: guessed, when the utility has not confirmed it (the settling pass journals what
// the utility says later); withdrawn, when the utility cancelled it unasked.
func (k *Kiosk) recordEnded(o orders.Order, p utility.Payment, guessed, withdrawn bool) {
	detail := p.Status
	if withdrawn {
		detail = "withdrawn"
	}
	if guessed {
		detail += "; not confirmed by the utility"
	}
	k.record(journal.Event{Kind: journal.PaymentEnded, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
		UtilityRef: o.Reference, Subject: k.Journal.Subject("order:"+o.Utility, o.Account), Amount: int64(o.Amount), Detail: detail})
}

// keepUnprinted keeps the receipt of an order paid when its citizen was no longer at
// the kiosk, for staff to print on request (补打), and journals it. Without a printer
// there is nothing to print it on: the journal alone has it.
func (k *Kiosk) keepUnprinted(o orders.Order, p utility.Payment) {
	detail := "paid; receipt kept for reprinting"
	if k.HasPrinter() {
		r := k.paymentReceipt(o, p)
		r.Time, r.Reason = k.Clock.Now(), unprintedReason
		if err := k.Reprints.Keep(r); err != nil {
			k.Log.Error("receipt not kept for reprinting", "kind", r.Kind, "ref", r.Ref, "err", err)
			detail = "paid; receipt not kept: " + err.Error()
		}
	} else {
		detail = "paid; no printer"
	}
	k.Log.Info("payment paid after its citizen left", "utility", o.Utility, "ref", o.KioskRef)
	k.record(journal.Event{Kind: journal.PaymentSettled, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
		UtilityRef: o.Reference, Amount: int64(o.Amount), Detail: detail})
}

// settleOrdersPeriodically runs SettleOrders at once and every settleEvery after that,
// until ctx ends.
func (k *Kiosk) settleOrdersPeriodically(ctx context.Context) {
	k.periodically(ctx, 0, settleEvery, func() {
		if err := k.SettleOrders(ctx); err != nil && ctx.Err() == nil {
			k.Log.Warn("payment orders not settled yet", "err", err)
		}
	})
}
