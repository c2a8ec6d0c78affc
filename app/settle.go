package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/said"
)

// settleEvery is how often the kiosk asks after the payment orders nobody follows.
const settleEvery = time.Minute

// trackOrder binds the utility's reference to the order the flow follows, kept since it
// was asked for (askedOrder). The flow claimed it then (claimOrder), and it stays
// claimed while the flow follows it: the settling pass leaves it alone.
func (k *Kiosk) trackOrder(f *PaymentFlow) {
	k.claimOrder(f.KioskRef)
	ok, err := k.Orders.Answered(f.KioskRef, f.Payment().Reference)
	if err == nil && !ok {
		// Not kept as asked: the request was stored by a kiosk that kept orders only
		// once answered.
		o := f.asOrder()
		o.Created = k.Clock.Now()
		err = k.Orders.Put(o)
	}
	if err != nil {
		// The citizen's payment goes on: the flow follows the order while they are here.
		k.Log.Error("payment order not kept", "utility", f.Utility, "ref", f.KioskRef, "err", err)
	}
}

// askedOrder is the order a payment request asks for, kept in the request's transaction
// before the utility is called (orders.Store.Asking): should the kiosk stop after it
// is stored, the next start knows the order, whatever the utility made of it.
func (k *Kiosk) askedOrder(s, utilityID, account, holder string, bills []utility.Bill, amount utility.Fen) orders.Order {
	periods := make([]string, len(bills))
	ids := make([]string, len(bills))
	for i, b := range bills {
		periods[i], ids[i] = b.Period, b.ID
	}
	return orders.Order{Utility: utilityID, Account: account, Bills: ids, Amount: amount, Holder: holder,
		Periods: strings.Join(periods, "、"), Session: s, Created: k.Clock.Now()}
}

// claimOrder marks the order asked under ref as this run's to follow: a flow's, or a
// late order request's (see orderAnswered). The settling pass leaves it alone until it
// is let go (releaseOrder).
func (k *Kiosk) claimOrder(ref string) {
	k.payments.mu.Lock()
	k.payments.live[ref] = true
	k.payments.mu.Unlock()
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
	o := f.k.askedOrder(f.session.ID, f.Utility, f.Account, holder, f.Bills, p.Amount)
	o.KioskRef, o.Reference = f.KioskRef, p.Reference
	return o
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

// cancellation is the request that cancels order o at its utility (o.Reference). It
// notes on the order kept under o.KioskRef, in its own transaction, that it is sent,
// and binds the reference to one kept as asked (its answer came late): no settling
// pass, after a restart either, sends another with a key of its own.
func (k *Kiosk) cancellation(o orders.Order) outbox.Request {
	return outbox.Request{Utility: o.Utility, Kind: utility.KindCancelPayment, Order: o.Account, Session: o.Session,
		Body: utility.Cancellation{Payment: o.Reference},
		With: k.Orders.Cancelling(o.KioskRef, o.Reference),
	}
}

// SettleOrders asks the utilities about the payment orders no flow follows any more —
// made before the kiosk restarted, or whose cancellation went unanswered — and acts on
// the answer: a paid order's receipt is kept for staff to print (补打) and journaled;
// a pending one is cancelled through the outbox, once; an ended one is forgotten. An
// order kept as asked, its answer not kept (the kiosk stopped before it was, or it came
// after the citizen was told the utility was busy), takes the utility's reference from
// its request in the outbox once that is answered (see answeredOrder). An order whose
// utility cannot be asked now is asked again next time. The kiosk runs it at start and
// every minute; one pass runs at a time.
func (k *Kiosk) SettleOrders(ctx context.Context) error {
	k.payments.settling.Lock()
	defer k.payments.settling.Unlock()
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
		if err == nil && ok && fresh.Asked() {
			fresh, ok, err = k.answeredOrder(ctx, fresh)
		}
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, k.settleOrder(ctx, fresh))
	}
	return errors.Join(errs...)
}

// answeredOrder is order o, kept as asked, with its utility's reference from its
// request's answer in the outbox; ok is false while there is none yet (the request is
// on its way). One that surely came to nothing (refused, expired undelivered, closed by
// staff unsent) made no order: it is forgotten. One whose attempts ran out on failures
// that say nothing of the outcome may have made it: the utility's record of the request
// says (lookedUpOrder).
func (k *Kiosk) answeredOrder(ctx context.Context, o orders.Order) (_ orders.Order, ok bool, err error) {
	st, err := k.Outbox.Status(o.KioskRef)
	if err != nil {
		return o, false, fmt.Errorf("app: payment order %s: its request: %w", o.KioskRef, err)
	}
	switch st.State {
	case outbox.Done:
		if st.UtilityRef == "" {
			// Answered without the order's number (an adapter's utility may): the order is
			// not asked about by a number it has none of, every minute, failing each time.
			return k.numberlessOrder(ctx, o)
		}
		o.Reference = st.UtilityRef
		if _, err := k.Orders.Answered(o.KioskRef, o.Reference); err != nil {
			return o, false, err
		}
		k.Log.Info("payment order kept as asked: its answer found in the outbox", "utility", o.Utility, "ref", o.KioskRef)
		return o, true, nil
	case outbox.Dead, outbox.Expired, outbox.Closed:
		if !st.NotApplied {
			return k.lookedUpOrder(ctx, o)
		}
		return o, false, k.Orders.Remove(o.KioskRef)
	}
	return o, false, nil
}

// lookedUpOrder is order o, kept as asked, whose request ended without an answer that
// says whether the utility made the order, with the reference of the order it made
// from its record of the request (Outbox.LookUp, as the outbox asks before it resends a
// request after a long outage): bound to o and kept, it is settled as any other (paid:
// its receipt kept for staff; pending: cancelled). When the utility has no record of it
// (it never arrived, or came to nothing) or kept a refusal, no order was made: that is
// journaled, and the order forgotten. While the utility cannot tell, o is asked about
// again at the next pass.
func (k *Kiosk) lookedUpOrder(ctx context.Context, o orders.Order) (_ orders.Order, ok bool, err error) {
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	ans, err := k.Outbox.LookUp(qctx, o.KioskRef)
	cancel()
	var refusal *utility.Error
	switch {
	case errors.Is(err, utility.ErrNotFound):
		k.orderEnded(o, utility.Payment{Status: "not made at the utility"}, saidFollowedNotMade)
		return o, false, nil
	case err != nil && errors.As(err, &refusal) && !utility.Temporary(err):
		k.orderEnded(o, utility.Payment{Status: "refused at the utility: " + refusal.Code}, saidFollowedNotMade)
		return o, false, nil
	case err != nil:
		return o, false, fmt.Errorf("app: payment order %s: its request looked up: %w", o.KioskRef, err)
	}
	p, err := ans.Payment()
	if err == nil {
		p, err = ownPayment(p, orderRequest(o))
	}
	if err != nil {
		k.paymentNotTaken(o.Utility, o.KioskRef, "look-up", err)
		return o, false, fmt.Errorf("app: payment order %s: its request looked up: %w", o.KioskRef, err)
	}
	o.Reference = p.Reference
	if _, err := k.Orders.Answered(o.KioskRef, o.Reference); err != nil {
		return o, false, err
	}
	k.Log.Warn("payment order made although its request went unanswered: followed until it ends", "utility", o.Utility, "ref", o.KioskRef)
	return o, true, nil
}

// numberlessOrder is order o, kept as asked, whose request its utility answered without
// the order's number. The one question the kiosk can ask of it is the utility's record
// of the request, by the kiosk's own reference (Outbox.LookUp, as lookedUpOrder asks):
// when that names the order, it is bound to o and settled as any other (paid: its
// receipt kept for staff; pending: cancelled). When it names none either — no number,
// no record, a refusal, an answer that is not the order asked — the kiosk cannot follow
// the order: that is journaled, with a warning for staff to ask the utility, and the
// order forgotten, once, rather than failed on at every pass until it is pruned. Its QR
// was never shown, and an order nobody pays expires at its utility. Only while the
// utility cannot be reached is it asked again at the next pass.
func (k *Kiosk) numberlessOrder(ctx context.Context, o orders.Order) (_ orders.Order, ok bool, err error) {
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	ans, err := k.Outbox.LookUp(qctx, o.KioskRef)
	cancel()
	if err != nil && utility.Temporary(err) && !errors.Is(err, utility.ErrBadResponse) {
		return o, false, fmt.Errorf("app: payment order %s, answered without its number: its request looked up: %w", o.KioskRef, err)
	}
	var p utility.Payment
	if err == nil {
		if p, err = ans.Payment(); err == nil {
			p, err = ownPayment(p, orderRequest(o))
		}
	}
	if err == nil && p.Reference != "" {
		o.Reference = p.Reference
		if _, err := k.Orders.Answered(o.KioskRef, o.Reference); err != nil {
			return o, false, err
		}
		k.Log.Info("payment order answered without its number: found by its request, followed until it ends", "utility", o.Utility, "ref", o.KioskRef)
		return o, true, nil
	}
	k.Log.Warn("payment order answered without its number, none found by its request either: not followed; ask the utility",
		"utility", o.Utility, "ref", o.KioskRef, "err", err)
	k.orderEnded(o, utility.Payment{Status: "answered without the order's number: not followed"}, saidFollowedNoNumber)
	return o, false, nil
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
		k.orderEnded(o, utility.Payment{Reference: o.Reference, Status: "unknown at the utility"}, saidFollowedUnknown)
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
		k.orderEnded(o, p, followedEnd(p.Status))
		return nil
	}
	if o.CancelSent {
		return nil // on its way through the outbox
	}
	res, err := k.Outbox.Submit(ctx, k.cancellation(o), 5*time.Second)
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
			k.orderEnded(o, q, followedEnd(q.Status))
		}
	}
	return nil
}

// orderEnded journals how an order nobody followed ended and forgets it, in one
// transaction; a paid one's receipt is kept for reprinting with them (paidUnprinted).
// The dead letter its request left, when it went unanswered, is closed with them, for
// why (closedFollowed).
func (k *Kiosk) orderEnded(o orders.Order, p utility.Payment, why said.Said) {
	if p.Status == utility.PaymentPaid {
		k.paidUnprinted(o, p)
		return
	}
	defer k.fateSettled(o.KioskRef) // no receipt to keep: an order of the last run's, unpaid
	k.recordWith(journal.Event{Kind: journal.PaymentSettled, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
		UtilityRef: o.Reference, Amount: int64(o.Amount), Detail: p.Status}, k.forgetOrder(o.KioskRef), k.closedFollowed(o, why))
}

// followedEnd is why an order's dead letter is closed once the utility says it ended
// unpaid with status.
func followedEnd(status string) said.Said {
	switch status {
	case utility.PaymentCancelled:
		return saidFollowedCancelled
	case utility.PaymentExpired:
		return saidFollowedExpired
	}
	return saidFollowedFailed
}

// closedFollowed is the write that closes the dead letters the requests of order o left
// when their attempts ran out unanswered, its own and its cancellations' (o.CancelRefs),
// now that the settling pass knows how the order ended (why): staff see only what
// needs them, and the journal says what the kiosk found (request.closed, by the kiosk).
// A request that was answered left none.
func (k *Kiosk) closedFollowed(o orders.Order, why said.Said) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		for _, ref := range append([]string{o.KioskRef}, o.CancelRefs...) {
			if err := k.Outbox.CloseFollowed(ref, why.ZH, o.Reference)(tx); err != nil {
				return err
			}
		}
		return nil
	}
}

// forgetOrder is the write that forgets order ref, its end known, for the transaction
// that journals the end (recordWith).
func (k *Kiosk) forgetOrder(ref string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error { return k.Orders.RemoveTx(tx, ref) }
}

// paidEvent is the journal's entry that order o was paid (记录留痕; the day's report sums
// these), written once: with the order forgotten.
func (k *Kiosk) paidEvent(o orders.Order, p utility.Payment) journal.Event {
	amount := p.Amount
	if amount <= 0 {
		amount = o.Amount
	}
	return journal.Event{Kind: journal.PaymentPaid, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
		UtilityRef: txn(p), Subject: k.Journal.Subject("order:"+o.Utility, o.Account), Amount: int64(amount)}
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

// paidUnprinted journals that order o was paid when its citizen was no longer at the
// kiosk, keeps its receipt for staff to print on request (补打) and forgets the order,
// in one transaction. Without a printer there is nothing to print it on: the journal
// alone has it. The receipt is kept for why it was not printed: the payer paid after
// leaving (saidUnprinted); or, when this run's flow printed it while nothing could be
// written (receiptFate), why it did not print; or, for an order the last run left, that
// it is not known whether it printed (saidPrintUnknown). One this run's flow printed
// whole is journaled printed, and not kept: the payer took it home.
func (k *Kiosk) paidUnprinted(o orders.Order, p utility.Payment) {
	settled := func(detail string) journal.Event {
		return journal.Event{Kind: journal.PaymentSettled, Session: o.Session, Utility: o.Utility, Ref: o.KioskRef,
			UtilityRef: o.Reference, Amount: int64(o.Amount), Detail: detail}
	}
	paid := []func(*bolt.Tx) error{k.entry(k.paidEvent(o, p)), k.forgetOrder(o.KioskRef)}
	if !k.HasPrinter() {
		k.Log.Info("payment paid after its citizen left", "utility", o.Utility, "ref", o.KioskRef)
		k.recordWith(settled("paid; no printer"), append(paid, k.closedFollowed(o, saidFollowedPaid))...)
		return
	}
	fate, known := k.receiptFate(o.KioskRef)
	if known {
		defer k.fateSettled(o.KioskRef)
	}
	if fate.printed {
		// Journaled now as print() would have, had the file taken it then.
		k.Log.Info("payment paid, its receipt printed while the data file took no writes", "utility", o.Utility, "ref", o.KioskRef)
		k.recordWith(settled("paid; receipt printed"), append(paid, k.entry(journal.Event{Kind: journal.Print,
			Session: o.Session, Ref: o.KioskRef, Detail: reprint.Payment}), k.closedFollowed(o, saidFollowedPaid))...)
		return
	}
	k.Log.Info("payment paid after its citizen left", "utility", o.Utility, "ref", o.KioskRef)
	r := k.paymentReceipt(o, p)
	r.Time, r.Reason = k.Clock.Now(), fate.why
	if r.Reason == "" {
		r.Reason = saidUnprinted.ZH
	}
	err := k.Store.Update(func(tx *bolt.Tx) error {
		return inTx(tx, paid, func(tx *bolt.Tx) error { return k.Reprints.KeepTx(tx, r) },
			k.entry(settled("paid; receipt kept for reprinting")), k.closedFollowed(o, saidFollowedPaidKept))
	})
	if err != nil {
		k.Log.Error("receipt not kept for reprinting", "kind", r.Kind, "ref", r.Ref, "err", err)
		k.recordWith(settled("paid; receipt not kept: "+err.Error()), append(paid, k.closedFollowed(o, saidFollowedPaid))...)
	}
}

// receiptFate is what became of the receipt of order ref, when this run knows more than
// that it did not print it (see payments.receipts).
func (k *Kiosk) receiptFate(ref string) (fate receiptFate, known bool) {
	k.payments.mu.Lock()
	defer k.payments.mu.Unlock()
	fate, known = k.payments.receipts[ref]
	return fate, known
}

// fateSettled forgets what became of the receipt of order ref once the order is no
// longer kept (its end written); while it is, the next pass needs it.
func (k *Kiosk) fateSettled(ref string) {
	if _, kept, err := k.Orders.Get(ref); err != nil || kept {
		return
	}
	k.payments.mu.Lock()
	delete(k.payments.receipts, ref)
	k.payments.mu.Unlock()
}

// ordersOfLastRun notes, at start, that it is not known whether the receipts of the
// orders the last run left were printed: it may have printed one while its data file
// took no writes, and could then write neither the receipt nor the order's end; the
// file cannot tell that from a payer who paid after leaving or while the kiosk was
// down. One found paid is kept for staff for that (saidPrintUnknown), not as surely
// unprinted: staff ask the payer before printing it again.
func (k *Kiosk) ordersOfLastRun() {
	list, err := k.Orders.List()
	if err != nil {
		k.Log.Error("payment orders of the last run not listed", "err", err)
		return
	}
	k.payments.mu.Lock()
	defer k.payments.mu.Unlock()
	for _, o := range list {
		k.payments.receipts[o.KioskRef] = receiptFate{why: saidPrintUnknown.ZH}
	}
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
