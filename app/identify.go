package app

import (
	"errors"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/idcard"
)

// IdentifyKind says where reading an ID card stands.
type IdentifyKind int

const (
	// Reading: a card was found and is being read; the screen shows that it is busy.
	Reading IdentifyKind = iota
	// Identified: the card was read and accepted; a session with its identity is open.
	Identified
	// Refused: the card was read or tried and cannot be used; Message says why.
	Refused
	// Continued: the card read belongs to the citizen being served (put back, or read
	// again after a reader fault); their visit goes on where it was.
	Continued
	// CardLeftChanged: a card came to lie on the reader with no visit open, or went
	// (Kiosk.CardLeft tells which): home asks for it to be taken while it lies there.
	CardLeftChanged
	// HeldForPayment: a card was read while the visit's payment is open; it waits for
	// the payment to end (see cardpay.go), and Message tells the citizen so.
	HeldForPayment
	// Adopted: the visit, opened without a card, became the card holder's once its
	// payment ended; the screen on top (the payment's outcome) stays.
	Adopted
	// HeldForResult: the payment another citizen's card waited for was paid; the card
	// waits while the payer reads the outcome, or, when the payer went on in their
	// visit, until it ends (Kiosk.NextCardDue, see cardpay.go). Also a card put down
	// again during such a wait.
	HeldForResult
)

// IdentifyEvent tells the screens how reading a card went. Message is an i18n key
// whose text tells the citizen what happened and what to do.
type IdentifyEvent struct {
	Kind    IdentifyKind
	Message string
	// PaymentFailed, with Identified, is why the payment of the visit the card replaced
	// was not made: the card was held while its order was being made, and the start
	// failed (see cardpay.go). The screens tell it over the new visit. Zero otherwise.
	PaymentFailed bitext.Text
}

// DeviceEvent tells the screens and maintenance that a device's state changed.
type DeviceEvent struct {
	Device string // "idcard", "printer", "scanner"
	// OK is false when the device cannot be used; Message is an i18n key for citizens,
	// Detail the staff-facing reason.
	OK      bool
	Message string
	Detail  string
}

// OnIdentify registers a listener for ID card reading.
func (k *Kiosk) OnIdentify(f func(IdentifyEvent)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.identifyListeners = append(k.identifyListeners, f)
}

// OnDevice registers a listener for device state changes.
func (k *Kiosk) OnDevice(f func(DeviceEvent)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deviceListeners = append(k.deviceListeners, f)
}

func (k *Kiosk) emitIdentify(e IdentifyEvent) {
	k.mu.Lock()
	ls := append([]func(IdentifyEvent){}, k.identifyListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f(e)
	}
}

func (k *Kiosk) emitDevice(e DeviceEvent) {
	k.mu.Lock()
	k.deviceState[e.Device] = e
	ls := append([]func(DeviceEvent){}, k.deviceListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f(e)
	}
}

// ReaderProblem is why a citizen cannot identify with their ID card now, as a message
// key: the kiosk has no reader, or its reader is out of service. "" while a card can be
// read (or the reader is still starting).
func (k *Kiosk) ReaderProblem() string {
	if !k.Config.Devices.IDCard.Enabled {
		return "identify.reader_none"
	}
	if st, ok := k.DeviceState("idcard"); ok && !st.OK {
		return st.Message
	}
	return ""
}

// DeviceState returns the last known state of a device.
func (k *Kiosk) DeviceState(device string) (DeviceEvent, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.deviceState[device]
	return e, ok
}

// runReader consumes the ID card reader's events until they end.
func (k *Kiosk) runReader(r *idcard.Reader) {
	for e := range r.Events() {
		switch e.Kind {
		case idcard.EventCardFound:
			k.emitIdentify(IdentifyEvent{Kind: Reading, Message: "identify.reading"})
		case idcard.EventCard:
			if k.cardPlaced(e.Unseen) {
				continue
			}
			k.acceptCard(e.Card, bitext.Text{})
		case idcard.EventCardRemoved:
			k.cardGone(!e.Unseen)
		case idcard.EventReadFailed:
			if k.cardPlaced(e.Unseen) {
				continue
			}
			k.heldCardGone() // whatever lies there now, it is not known to be the held card
			k.Log.Warn("card not read", "reason", idcard.StaffMessage(e.Err))
			msg := "identify.unreadable"
			if errors.Is(e.Err, idcard.ErrSAMAuthCard) || errors.Is(e.Err, idcard.ErrCardAuthSAM) ||
				errors.Is(e.Err, idcard.ErrVerify) || errors.Is(e.Err, idcard.ErrUnknownCardType) ||
				errors.Is(e.Err, idcard.ErrBadText) {
				msg = "identify.rejected"
			}
			k.emitIdentify(IdentifyEvent{Kind: Refused, Message: msg})
		case idcard.EventState:
			if e.State == idcard.StateStarting || e.State == idcard.StateStopped {
				continue
			}
			ok := e.State == idcard.StateReady
			if !ok {
				k.cardGone(false) // whether a card lies there is not known any more
			}
			// Detail is for staff, and there is nothing to tell of a reader that works.
			ev := DeviceEvent{Device: "idcard", OK: ok}
			if !ok {
				ev.Message, ev.Detail = "identify.reader_offline", e.State.Chinese()
				if e.Err != nil {
					ev.Detail = idcard.StaffMessage(e.Err)
				}
			}
			k.emitDevice(ev)
		}
	}
}

// identityOf is the identity a visit keeps of card c.
func identityOf(c *idcard.Card) session.Identity {
	name := c.Name
	if name == "" {
		name = c.EnglishName
	}
	return session.Identity{Name: name, IDNumber: c.IDNumber, CardType: c.Type.String()}
}

// acceptCard checks a card read from the reader and, when it may be used, opens a
// session for its holder (a session already open for someone else is wiped first,
// once its open payment has ended: see cardpay.go). paymentFailed is why the payment
// the card was held for did not start (IdentifyEvent.PaymentFailed), zero for a card
// read as it is placed.
func (k *Kiosk) acceptCard(c *idcard.Card, paymentFailed bitext.Text) {
	if k.closing.Load() {
		return
	}
	// The card's dates are days in China, whatever the machine's time zone.
	if err := c.Check(idcard.DateOf(k.Clock.Now().In(workdays.CST))); err != nil {
		k.Log.Info("card refused", "card", c, "reason", err.Error())
		k.heldCardGone() // it lies on the reader in the held card's place
		msg := "identify.bad_number"
		switch {
		case errors.Is(err, idcard.ErrExpired):
			msg = "identify.expired"
		case errors.Is(err, idcard.ErrNotYetValid):
			msg = "identify.not_yet_valid"
		}
		k.emitIdentify(IdentifyEvent{Kind: Refused, Message: msg})
		return
	}
	// The holder of the open visit put their card down again (lifted and placed back,
	// or read again after a reader fault): their visit goes on where it was.
	if cur := k.Sessions.Current(); cur != nil {
		if id, ok := cur.Identity(); ok && id.IDNumber == c.IDNumber && id.CardType == c.Type.String() {
			k.Log.Info("card of the citizen being served read again", "session", cur.ID)
			k.heldCardGone() // it lies on the reader in the held card's place
			k.Touch()
			k.emitIdentify(IdentifyEvent{Kind: Continued})
			return
		}
	}
	// While the visit's payment is open the card waits for it to end (cardpay.go).
	if cur := k.Sessions.Current(); cur != nil && k.holdCard(cur, c) {
		return
	}
	// Out of service for its data: no new visit, which could store nothing of what its
	// citizen submits, nor journal who it was.
	if _, down := k.DataFault(); down {
		k.Log.Info("card refused: out of service, the data file takes no writes")
		k.heldCardGone()
		k.emitIdentify(IdentifyEvent{Kind: Refused, Message: "outage.data_citizen"})
		return
	}
	k.identify(k.Sessions.Start(), c, "citizen identified")
	k.emitIdentify(IdentifyEvent{Kind: Identified, PaymentFailed: paymentFailed})
}

// identify makes visit s card c's holder's, journals its start with the card and asks
// the utilities for the holder's accounts; logged as what.
func (k *Kiosk) identify(s *session.Session, c *idcard.Card, what string) {
	s.SetIdentity(identityOf(c))
	k.Log.Info(what, "session", s.ID, "card", c)
	k.record(journal.Event{Kind: journal.SessionStart, Session: s.ID, Subject: k.Journal.Subject("id", c.IDNumber), Detail: c.Type.String()})
	// The utilities are asked now, not when a screen asks: the screen, however long it
	// takes to show, does not add to the citizen's wait for their accounts.
	if _, err := k.StartAccountLookup(); err != nil {
		k.Log.Warn("account look-up", "session", s.ID, "err", err)
	}
}
