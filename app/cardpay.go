package app

import (
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/idcard"
)

// A citizen paying at the pay QR (their phone in hand, perhaps paying that very moment)
// may put their ID card on the reader: home invites it, and an elderly citizen may think
// it is needed. A card read then is almost certainly the same person's, and ending the
// visit for it would cancel the order and keep the receipt of a payment just made from
// the one who made it. So while a payment of the visit is open (its order being made
// after the tap on 缴费, its order not finished, or its receipt still printing), a card
// that would open a visit is held instead (HeldForPayment: the screen says why), and
// acted on when the visit's payments have ended, if it still lies on the reader (a
// start that made no order ends the payment there and then):
//   - a visit without a card (a typed number, a bill's QR) becomes the card holder's: the
//     same person, whose payment's outcome stays on screen, their accounts under it;
//   - another citizen's visit is ended as replaced, as any card over it ends it; then the
//     card opens its holder's visit. When it is a start that failed, the new visit's
//     Identified carries why (PaymentFailed): the start's own outcome, meant for the
//     visit that ended, is dropped by the screens. When the order was paid, its receipt
//     printed, the payer reads 缴费成功 first: the card waits ResultFor more, unless the
//     next citizen taps 立即办理 (ServeNextCard) or the payer 退出办理 (Exit). Without a
//     printer, or with its paper out, that screen is all the payer has of the payment
//     with its e-invoice QR; with a receipt, a result gone the moment it came reads as
//     a payment gone wrong.
//
// The holder's own card put back is no change (Continued), held or not; the held card
// is no longer on the reader then, and is let go, as when it is lifted (a card put down
// again is read anew, and held again while the payment is open). 退出办理 and the idle
// wipe end the visit as ever while its payment is open, and the held card with it: it
// is a card left on the reader then (see cardleft.go).
//
// While the payer reads 缴费成功, the wait is the visit's: a card lifted and put down
// again (or another in its place) waits the rest of the time; the payer's own card put
// down ends nothing. A new payment started meanwhile (返回, another bill) holds the card
// as the first did, and the time's end opens nothing over its pay QR; once paid, the
// payer reads that outcome its full time. The idle wipe while the payer reads opens
// the card's visit, as 退出办理 does: its holder was told it would.
//
// The payer may not be done: a 过户 goes on once its arrears are paid, other bills are
// owed. When they go on in their visit (KeepVisitForPayer: 返回账单, 继续过户, the
// header's 返回 or 首页), the time's end would end it under them, a form filled in
// lost. So the countdown stops there, and the card waits, untimed, until the payer's
// visit ends: 退出办理 and the idle wipe open its holder's visit as above (the screens
// tell the waiting citizen so). A payment started meanwhile holds it as the first did.

// CardHeld reports whether a card read while a payment was open waits for it to end, or
// for its payer to read 缴费成功 or end their visit (NextCardDue).
func (k *Kiosk) CardHeld() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.held != nil
}

// paymentOpen reports whether visit s has a payment not finished: its order being
// made (the citizen tapped 缴费 and waits), open at the utility, or paid and its
// receipt still printing.
func (k *Kiosk) paymentOpen(s *session.Session) bool {
	if s == nil {
		return false
	}
	k.payments.mu.Lock()
	starting := k.payments.starting[s.ID] > 0
	flows := append([]*PaymentFlow(nil), k.payments.open[s.ID]...)
	k.payments.mu.Unlock()
	if starting {
		return true
	}
	for _, f := range flows {
		if !f.Final() {
			return true
		}
		if _, printed := f.Printed(); f.Payment().Status == utility.PaymentPaid && !printed {
			return true
		}
	}
	return false
}

// holdCard keeps card c, read while visit s has a payment open, until that ends; it
// reports false when no payment is open and the card is to be acted on now.
func (k *Kiosk) holdCard(s *session.Session, c *idcard.Card) bool {
	if !k.paymentOpen(s) {
		return k.holdForResult(s, c)
	}
	k.mu.Lock()
	k.dropHeldLocked() // a wait for an outcome is over: a payment is open again
	k.held, k.heldFor = c, s.ID
	k.mu.Unlock()
	k.Log.Info("card read while a payment is open: held until the payment ends", "session", s.ID, "card", c)
	k.emitIdentify(IdentifyEvent{Kind: HeldForPayment, Message: "pay.card_held"})
	// Ended between the look and the hold: nothing else would let the card go.
	k.paymentEnded(s)
	return true
}

// holdForResult keeps card c, put down while the payer of visit s reads the outcome
// of a payment another card waited for, or goes on in their visit (lifted and put
// down again, or another in its place), for the rest of that wait; false when no such
// wait runs.
func (k *Kiosk) holdForResult(s *session.Session, c *idcard.Card) bool {
	k.mu.Lock()
	waits := k.heldFor == s.ID && k.forPayer
	if waits {
		k.held = c
	}
	k.mu.Unlock()
	if !waits {
		return false
	}
	k.Log.Info("card put down while the payer reads the outcome: it waits the rest of the time", "session", s.ID, "card", c)
	k.emitIdentify(IdentifyEvent{Kind: HeldForResult})
	return true
}

// heldCardGone lets the held card go when it is no longer on the reader: lifted, or
// another card read in its place (the payer's own, one refused). A wait for the
// payer's outcome goes on, for a card put down again (holdForResult).
func (k *Kiosk) heldCardGone() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.held = nil
	if !k.forPayer {
		k.heldFor = ""
	}
}

// ResultFor is how long the payer's outcome stays on screen when another citizen's card
// waited for their payment and it was paid: then the card opens its holder's visit
// (see paymentEnded). Long enough to read 缴费成功 and scan the e-invoice QR with a
// phone; either of them may go on sooner (ServeNextCard, Exit).
const ResultFor = 20 * time.Second

// paymentEnded acts on a held card once visit s has no payment open any more. When
// the visit's last payment was paid and the card is another citizen's, the payer reads
// the outcome first: the card is kept until ResultFor has passed, or until ServeNextCard
// or Exit (HeldForResult tells the screens, NextCardDue says until when); or, once the
// payer goes on (KeepVisitForPayer), until the visit ends.
func (k *Kiosk) paymentEnded(s *session.Session) {
	if s == nil || k.paymentOpen(s) {
		return
	}
	k.payments.mu.Lock()
	end := k.payments.ended[s.ID]
	k.payments.mu.Unlock()
	_, identified := s.Identity()
	k.mu.Lock()
	c := k.held
	if c == nil || k.heldFor != s.ID || k.forPayer {
		k.mu.Unlock()
		return // none held, or one kept for the payer (serveHeld)
	}
	on := k.card.on
	keep := on && identified && end.paid
	if keep {
		due := k.Clock.Now().Add(ResultFor)
		k.forPayer, k.heldUntil = true, due
		// Counted among the kiosk's goroutines: Close stops the timer, and waits for
		// one that has fired already. One that fired as the payer went on, or for an
		// earlier wait, finds the wait it was set for over (due).
		k.resultTimer = k.Clock.AfterFunc(ResultFor, func() { k.within(func() { k.serveHeld(s.ID, due) }) })
	} else {
		k.held, k.heldFor = nil, ""
	}
	k.mu.Unlock()
	k.payments.mu.Lock()
	delete(k.payments.ended, s.ID)
	k.payments.mu.Unlock()
	if keep {
		k.Log.Info("paid with another citizen's card held: it waits while the payer reads the outcome", "session", s.ID, "for", ResultFor.String())
		k.emitIdentify(IdentifyEvent{Kind: HeldForResult})
		return
	}
	if !on || k.visitOver(s.ID) {
		return // lifted meanwhile (cardGone), or the visit ended (forgetHeld)
	}
	k.Log.Info("the payment ended: the held card is read as placed now", "session", s.ID)
	if !identified {
		k.adopt(s, c)
		return
	}
	k.acceptCard(c, end.failed)
}

// NextCardDue is when the card kept for the payer of a payment it waited for opens its
// holder's visit by itself (paymentEnded); ok is false when no card waits so, or it was
// lifted meanwhile. due is zero while the card waits for the payer's visit to end
// (KeepVisitForPayer).
func (k *Kiosk) NextCardDue() (due time.Time, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.held == nil || !k.forPayer || !k.card.on {
		return time.Time{}, false
	}
	return k.heldUntil, true
}

// KeepVisitForPayer stops the countdown of the card kept while the payer reads their
// payment's outcome: the payer goes on in their visit (返回账单, 继续过户, the header's
// 返回 or 首页), and the card waits until the visit ends (Exit, the idle wipe), or
// for the payer's next payment, which holds it as any card over a pay QR. Nothing when
// no countdown runs for the current visit.
func (k *Kiosk) KeepVisitForPayer() {
	s := k.Sessions.Current()
	if s == nil {
		return
	}
	k.mu.Lock()
	timed := k.heldFor == s.ID && k.forPayer && !k.heldUntil.IsZero()
	if timed {
		k.heldUntil = time.Time{}
		if k.resultTimer != nil {
			k.resultTimer.Stop()
			k.resultTimer = nil
		}
	}
	k.mu.Unlock()
	if timed {
		k.Log.Info("the payer goes on in their visit: the card waits for it to end", "session", s.ID)
	}
}

// ServeNextCard opens the visit of the card kept for the payer now, without waiting for
// ResultFor to pass (立即办理).
func (k *Kiosk) ServeNextCard() {
	if s := k.Sessions.Current(); s != nil {
		k.serveHeld(s.ID, time.Time{})
	}
}

// serveHeld ends visit sessionID as replaced by the card kept for its payer, and opens
// the card holder's; false when no card was kept so (or it was lifted meanwhile, or the
// visit ended). The wait ends either way. A due time, when not zero, is the end of the
// countdown the wait must still have: none once the payer went on.
func (k *Kiosk) serveHeld(sessionID string, due time.Time) bool {
	c := k.endResultWait(sessionID, due)
	if c == nil || k.visitOver(sessionID) {
		return false
	}
	k.Log.Info("the payer's outcome shown, or their visit over: the held card is read as placed now", "session", sessionID)
	k.acceptCard(c, bitext.Text{})
	return true
}

// endResultWait ends the wait for the payer of visit sessionID (their outcome, or their
// visit), and returns the card that waited, if it still lies on the reader; nil when
// none waited so, or when due is not zero and the wait's countdown is not that one.
func (k *Kiosk) endResultWait(sessionID string, due time.Time) *idcard.Card {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.heldFor != sessionID || !k.forPayer || (!due.IsZero() && !k.heldUntil.Equal(due)) {
		return nil
	}
	c := k.held
	k.dropHeldLocked()
	if !k.card.on {
		return nil
	}
	return c
}

// dropHeldLocked lets the held card go; k.mu is held.
func (k *Kiosk) dropHeldLocked() {
	k.held, k.heldFor, k.forPayer, k.heldUntil = nil, "", false, time.Time{}
	if k.resultTimer != nil {
		k.resultTimer.Stop()
		k.resultTimer = nil
	}
}

// startingPayment counts a payment of visit s being started: its order is being made,
// and a card read meanwhile is held (see StartPayment).
func (k *Kiosk) startingPayment(s *session.Session) {
	k.payments.mu.Lock()
	k.payments.starting[s.ID]++
	k.payments.mu.Unlock()
	// The payer, reading the outcome another card waits for (or gone on in their
	// visit), pays again: the card waits for this payment instead (no countdown over
	// its QR, whose time's end would open the card's visit over it, and 退出办理 ends the
	// visit as at any pay QR).
	k.mu.Lock()
	again := k.heldFor == s.ID && k.forPayer
	if again {
		c := k.held
		k.dropHeldLocked()
		if c != nil {
			k.held, k.heldFor = c, s.ID
		}
	}
	k.mu.Unlock()
	if again {
		k.Log.Info("another payment started while the payer reads the outcome: the card waits for it", "session", s.ID)
	}
}

// paymentEnd is how a visit's last payment ended, for a card held meanwhile: a start
// that failed (why), or an order paid.
type paymentEnd struct {
	failed bitext.Text
	paid   bool
}

// startedPayment ends what startingPayment began. A start that made an order has put
// its flow among the open ones already, and the card stays held until the order ends;
// one that failed (why: failed) leaves no payment open, and a card held meanwhile is
// acted on now.
func (k *Kiosk) startedPayment(s *session.Session, failed bitext.Text) {
	k.payments.mu.Lock()
	if k.payments.starting[s.ID]--; k.payments.starting[s.ID] <= 0 {
		delete(k.payments.starting, s.ID)
	}
	k.payments.mu.Unlock()
	k.paymentDone(s, paymentEnd{failed: failed})
}

// paymentDone notes how a payment of visit s ended (a start, or an order that became
// final) and acts on a card held for it. The end is kept until a held card is acted on,
// for paymentEnded may run from holdCard instead (the payment ended between its look and
// its hold).
func (k *Kiosk) paymentDone(s *session.Session, end paymentEnd) {
	k.payments.mu.Lock()
	if end == (paymentEnd{}) || k.visitOver(s.ID) { // an ended visit's is nobody's
		delete(k.payments.ended, s.ID)
	} else {
		k.payments.ended[s.ID] = end
	}
	k.payments.mu.Unlock()
	k.paymentEnded(s)
}

// forgetHeld drops a held card when the visit it waited in ends, however it ends.
func (k *Kiosk) forgetHeld(sessionID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.heldFor == sessionID {
		k.dropHeldLocked()
	}
}

// adopt makes visit s, opened without a card, the card holder's: the same person who
// looked their account up puts their card down. Nothing is wiped (their payment's
// outcome stays on screen); the journal counts one visit, with a card.
func (k *Kiosk) adopt(s *session.Session, c *idcard.Card) {
	k.identify(s, c, "visit without a card taken on by the citizen's card")
	k.emitIdentify(IdentifyEvent{Kind: Adopted})
}
