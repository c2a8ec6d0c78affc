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
// The holder's own card put back is no change (Continued), held or not. 退出办理 and the
// idle wipe end the visit as ever while its payment is open, and the held card with it:
// it is a card left on the reader then (see cardleft.go).

// CardHeld reports whether a card read while a payment was open waits for it to end, or
// for its payer to read 缴费成功 (NextCardDue).
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
		return false
	}
	k.mu.Lock()
	k.held, k.heldFor = c, s.ID
	k.mu.Unlock()
	k.Log.Info("card read while a payment is open: held until the payment ends", "session", s.ID, "card", c)
	k.emitIdentify(IdentifyEvent{Kind: HeldForPayment, Message: "pay.card_held"})
	// Ended between the look and the hold: nothing else would let the card go.
	k.paymentEnded(s)
	return true
}

// ResultFor is how long the payer's outcome stays on screen when another citizen's card
// waited for their payment and it was paid: then the card opens its holder's visit
// (see paymentEnded). Long enough to read 缴费成功 and scan the e-invoice QR with a
// phone; either of them may go on sooner (ServeNextCard, Exit).
const ResultFor = 20 * time.Second

// paymentEnded acts on a held card once visit s has no payment open any more. When
// the visit's last payment was paid and the card is another citizen's, the payer reads
// the outcome first: the card is kept until ResultFor has passed, or until ServeNextCard
// or Exit (HeldForResult tells the screens, NextCardDue says until when).
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
	if c == nil || k.heldFor != s.ID || !k.heldUntil.IsZero() {
		k.mu.Unlock()
		return // none held, or one kept while the payer reads the outcome (serveHeld)
	}
	on := k.card.on
	keep := on && identified && end.paid
	if keep {
		k.heldUntil = k.Clock.Now().Add(ResultFor)
		k.resultTimer = k.Clock.AfterFunc(ResultFor, func() { k.serveHeld(s.ID) })
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

// NextCardDue is when the card kept while the payer reads their payment's outcome opens
// its holder's visit by itself (paymentEnded); ok is false when no card waits so, or it
// was lifted meanwhile.
func (k *Kiosk) NextCardDue() (due time.Time, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.held == nil || k.heldUntil.IsZero() || !k.card.on {
		return time.Time{}, false
	}
	return k.heldUntil, true
}

// ServeNextCard opens the visit of the card kept while the payer reads their payment's
// outcome now, without waiting for ResultFor to pass (立即办理).
func (k *Kiosk) ServeNextCard() {
	if s := k.Sessions.Current(); s != nil {
		k.serveHeld(s.ID)
	}
}

// serveHeld ends visit sessionID as replaced by the card kept while its payer read the
// outcome, and opens the card holder's; false when no card was kept so (or it was lifted
// meanwhile, or the visit ended).
func (k *Kiosk) serveHeld(sessionID string) bool {
	k.mu.Lock()
	c := k.held
	if c == nil || k.heldFor != sessionID || k.heldUntil.IsZero() {
		k.mu.Unlock()
		return false
	}
	k.dropHeldLocked()
	on := k.card.on
	k.mu.Unlock()
	if !on || k.visitOver(sessionID) {
		return false
	}
	k.Log.Info("the payer's outcome shown: the held card is read as placed now", "session", sessionID)
	k.acceptCard(c, bitext.Text{})
	return true
}

// dropHeldLocked lets the held card go; k.mu is held.
func (k *Kiosk) dropHeldLocked() {
	k.held, k.heldFor, k.heldUntil = nil, "", time.Time{}
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
