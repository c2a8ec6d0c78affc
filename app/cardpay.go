package app

import (
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
//   - another citizen's visit is ended as replaced, as any card over it ends it, once its
//     receipt has printed for it; then the card opens its holder's visit. When it is a
//     start that failed, the new visit's Identified carries why (PaymentFailed): the
//     start's own outcome, meant for the visit that ended, is dropped by the screens.
//
// The holder's own card put back is no change (Continued), held or not. 退出办理 and the
// idle wipe end the visit as ever, and the held card with it: it is a card left on the
// reader then (see cardleft.go).

// CardHeld reports whether a card read while a payment was open waits for it to end.
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

// paymentEnded lets a held card go once visit s has no payment open any more.
func (k *Kiosk) paymentEnded(s *session.Session) {
	if s == nil || k.paymentOpen(s) {
		return
	}
	k.mu.Lock()
	c := k.held
	if c == nil || k.heldFor != s.ID {
		k.mu.Unlock()
		return
	}
	k.held, k.heldFor = nil, ""
	on := k.card.on
	k.mu.Unlock()
	if !on || k.visitOver(s.ID) {
		return // lifted meanwhile (cardGone), or the visit ended (forgetHeld)
	}
	k.Log.Info("the payment ended: the held card is read as placed now", "session", s.ID)
	k.payments.mu.Lock()
	failed := k.payments.failed[s.ID]
	delete(k.payments.failed, s.ID)
	k.payments.mu.Unlock()
	if _, identified := s.Identity(); !identified {
		k.adopt(s, c)
		return
	}
	k.acceptCard(c, failed)
}

// startingPayment counts a payment of visit s being started: its order is being made,
// and a card read meanwhile is held (see StartPayment).
func (k *Kiosk) startingPayment(s *session.Session) {
	k.payments.mu.Lock()
	k.payments.starting[s.ID]++
	k.payments.mu.Unlock()
}

// startedPayment ends what startingPayment began. A start that made an order has put
// its flow among the open ones already, and the card stays held until the order ends;
// one that failed (why: failed) leaves no payment open, and a card held meanwhile is
// acted on now. The last start's failure is kept for paymentEnded, which may run from
// holdCard instead (the start ended between its look and its hold).
func (k *Kiosk) startedPayment(s *session.Session, failed bitext.Text) {
	k.payments.mu.Lock()
	if k.payments.starting[s.ID]--; k.payments.starting[s.ID] <= 0 {
		delete(k.payments.starting, s.ID)
	}
	if failed.IsZero() || k.visitOver(s.ID) { // an ended visit's is nobody's
		delete(k.payments.failed, s.ID)
	} else {
		k.payments.failed[s.ID] = failed
	}
	k.payments.mu.Unlock()
	k.paymentEnded(s)
}

// forgetHeld drops a held card when the visit it waited in ends, however it ends.
func (k *Kiosk) forgetHeld(sessionID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.heldFor == sessionID {
		k.held, k.heldFor = nil, ""
	}
}

// adopt makes visit s, opened without a card, the card holder's: the same person who
// looked their account up puts their card down. Nothing is wiped (their payment's
// outcome stays on screen); the journal counts one visit, with a card.
func (k *Kiosk) adopt(s *session.Session, c *idcard.Card) {
	k.identify(s, c, "visit without a card taken on by the citizen's card")
	k.emitIdentify(IdentifyEvent{Kind: Adopted})
}
