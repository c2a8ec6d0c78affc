package app

import (
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/session"
)

// Citizens often walk away from a self-service machine and leave their ID card on its
// reader: after their visit ends, or when the card was refused. The kiosk knows a card
// lies there (the reader reports it lifted), so home asks its holder to take it while
// it does, staff see since when (kioskctl kiosk status), and the journal records a card
// left behind by a visit and when it was taken. Nothing about the card's holder is kept.

// cardState is what the kiosk knows of the card on the reader; guarded by Kiosk.mu.
type cardState struct {
	on bool // a card lies on the reader: read or refused, not lifted since
	// since is when the card came to lie there with no visit open; zero: it does not.
	since time.Time
	// journaled: a visit ended with the card still there, and the journal says so.
	journaled bool
	// lostSince and lostJournaled are since and journaled of a card left behind when the
	// reader lost track of it (a fault, a cable pulled): a card found lying there again,
	// nobody seen placing it, is that card still, for staff and the journal.
	lostSince     time.Time
	lostJournaled bool
}

// CardLeft reports that an ID card lies on the reader with no visit open: its holder
// should take it.
func (k *Kiosk) CardLeft() bool { return !k.CardLeftSince().IsZero() }

// CardLeftSince is when the card on the reader came to lie there with no visit open;
// zero when there is none.
func (k *Kiosk) CardLeftSince() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.card.since
}

// cardPlaced notes a card read or refused by the reader. With no visit open (a card
// refused) it lies there for its holder to take back; a visit it opens clears that.
// A card nobody was seen placing (unseen: on the reader when the kiosk or the reader
// came back, or after the reader lost track of it) opens no visit while none is open:
// it is a card left behind, and cardPlaced reports that it is to be left alone.
func (k *Kiosk) cardPlaced(unseen bool) (leftAlone bool) {
	k.mu.Lock()
	k.card.on = true
	idle := k.Sessions.Current() == nil
	appeared := idle && k.card.since.IsZero()
	switch {
	case appeared && unseen && !k.card.lostSince.IsZero():
		k.card.since, k.card.journaled = k.card.lostSince, k.card.lostJournaled
	case appeared:
		k.card.since = k.Clock.Now()
	}
	k.card.lostSince, k.card.lostJournaled = time.Time{}, false
	k.mu.Unlock()
	if !unseen || !idle {
		return false
	}
	k.Log.Info("a card nobody was seen placing lies on the reader: no visit opened, its holder is asked to take it")
	if appeared {
		k.emitIdentify(IdentifyEvent{Kind: CardLeftChanged})
	}
	return true
}

// cardGone notes that no card is known to lie on the reader: it was seen lifted (taken),
// or the reader lost track of it or went out of service. The screens are told when a
// card left behind is gone.
func (k *Kiosk) cardGone(taken bool) {
	k.mu.Lock()
	since, journaled := k.card.since, k.card.journaled
	lost, lostJournaled := k.card.lostSince, k.card.lostJournaled
	if !since.IsZero() {
		lost, lostJournaled = since, journaled
	}
	k.card = cardState{}
	if !taken {
		k.card.lostSince, k.card.lostJournaled = lost, lostJournaled
	}
	k.mu.Unlock()
	k.heldCardGone()
	if since.IsZero() {
		return
	}
	if journaled && taken {
		k.record(journal.Event{Kind: journal.CardTaken, Detail: "after " + k.Clock.Now().Sub(since).Round(time.Second).String()})
	}
	k.emitIdentify(IdentifyEvent{Kind: CardLeftChanged})
}

// cardOnSession follows the visits: one open clears the reminder; one that ends with
// the card still on the reader starts it (not when another card replaced the visit's,
// or the kiosk stops).
// A card that opens its holder's visit as the visit ends (served: one that waited while
// the payer read the outcome) is not left either.
func (k *Kiosk) cardOnSession(e session.Event, served bool) {
	k.mu.Lock()
	left := false
	switch {
	case e.Kind == session.Started:
		k.card.since, k.card.journaled, k.card.lostSince, k.card.lostJournaled = time.Time{}, false, time.Time{}, false
	case e.Kind == session.Ended && k.card.on && !served && e.Reason != session.ReasonReplaced && e.Reason != session.ReasonShutdown:
		k.card.since, k.card.journaled, left = k.Clock.Now(), true, true
	}
	k.mu.Unlock()
	if left {
		k.record(journal.Event{Kind: journal.CardLeft, Session: e.SessionID, Detail: string(e.Reason)})
	}
}
