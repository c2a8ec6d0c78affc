package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

// record is a request as stored. Body and Answer are sealed: they hold the citizen's
// name, ID number, phone, address and account numbers.
type record struct {
	Seq     uint64       `json:"seq"`
	Ref     string       `json:"ref"`
	Utility string       `json:"utility"`
	Kind    utility.Kind `json:"kind"`
	Key     string       `json:"key"`
	// Order is the keyed hash of the order key.
	Order    string    `json:"order"`
	Session  string    `json:"session,omitempty"`
	Group    string    `json:"group,omitempty"`
	Body     []byte    `json:"body"`
	State    State     `json:"state"`
	Created  time.Time `json:"created"`
	NotAfter time.Time `json:"not_after,omitzero"`
	// Tries counts every failed send; Attempts only those about the request (see
	// Options.MaxAttempts).
	Tries     int       `json:"tries,omitempty"`
	Attempts  int       `json:"attempts,omitempty"`
	LastTry   time.Time `json:"last_try,omitzero"`
	NextAt    time.Time `json:"next_at,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// ErrorCode and the sealed ErrorMessage keep a refusal for staff and the citizen.
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorStatus  int       `json:"error_status,omitempty"`
	ErrorField   string    `json:"error_field,omitempty"` // the request field a refusal is about
	ErrorMessage []byte    `json:"error_message,omitempty"`
	UtilityRef   string    `json:"utility_ref,omitempty"`
	Answer       []byte    `json:"answer,omitempty"`
	DoneAt       time.Time `json:"done_at,omitzero"`
	ClosedBy     string    `json:"closed_by,omitempty"`
	CloseReason  string    `json:"close_reason,omitempty"`
	// Erased is when Prune erased Body, Answer and ErrorMessage (data.personal_data_days),
	// and Applicant.
	Erased time.Time `json:"erased,omitzero"`
	// Applicant is the keyed hash of the applicant's ID number (Request.Applicant).
	Applicant string `json:"applicant,omitempty"`
}

// bucket is the outbox's bucket name in tx; an error wrapping store.ErrNoBucket when the
// file lacks it (damaged, or not the kiosk's).
func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b, err := store.Bucket(tx, name)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return b, nil
}

// forEach calls f for each stored request's key and value, in sequence order.
func forEach(tx *bolt.Tx, f func(k, v []byte) error) error {
	recs, err := bucket(tx, store.BucketOutbox)
	if err != nil {
		return err
	}
	return recs.ForEach(f)
}

// pending marks the request of seq as waiting to be sent (on), or not, in tx.
func pending(tx *bolt.Tx, seq uint64, on bool) error {
	b, err := bucket(tx, store.BucketOutboxPending)
	if err != nil {
		return err
	}
	if on {
		return b.Put(store.U64(seq), nil)
	}
	return b.Delete(store.U64(seq))
}

func putRecord(tx *bolt.Tx, r *record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	recs, err := bucket(tx, store.BucketOutbox)
	if err != nil {
		return err
	}
	return recs.Put(store.U64(r.Seq), v)
}

func getRecord(tx *bolt.Tx, ref string) (*record, error) {
	refs, err := bucket(tx, store.BucketOutboxRef)
	if err != nil {
		return nil, err
	}
	recs, err := bucket(tx, store.BucketOutbox)
	if err != nil {
		return nil, err
	}
	var r *record
	if seq := refs.Get([]byte(ref)); seq != nil {
		r, err = decodeRecord(seq, recs.Get(seq))
	}
	if err == nil && r == nil {
		err = fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	return r, err
}

// decodeRecord reads a stored request; a missing value (deleted meanwhile) is nil.
func decodeRecord(k, v []byte) (*record, error) {
	if v == nil {
		return nil, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("outbox: request %d: %w", store.ReadU64(k), err)
	}
	return &r, nil
}

// Status is a request as staff and flows see it.
type Status struct {
	KioskRef   string
	Utility    string
	Kind       utility.Kind
	State      State
	UtilityRef string
	Created    time.Time
	// Tries counts failed sends, Attempts those about the request (see MaxAttempts).
	Tries, Attempts int
	LastTry         time.Time
	NextAt          time.Time
	// LastError is the last failure, for staff (no personal data).
	LastError string
	// Err is the utility's refusal of a dead letter or a closed request
	// (utility.Own returns it).
	Err error
	// Answer is the utility's answer of a done request.
	Answer      *utility.Answer
	DoneAt      time.Time
	ClosedBy    string
	CloseReason string
	// Erased is when the request's personal data was erased (Prune); zero if it was not.
	Erased time.Time
	// NotApplied: the request came to nothing at its utility for sure (see
	// record.notApplied). False while it waits, once answered, and for a dead letter or
	// a closed request that the utility may have applied: only its record there tells
	// (LookUp).
	NotApplied bool
}

// notApplied reports whether the utility surely did not apply the request: it expired
// undelivered (a look-up said it never arrived), the utility refused it (the refusal is
// kept: an answer the same for every resend of its key), or it ended without ever being
// sent (no failed send, no refusal: its body could not be read). A dead letter whose
// attempts ran out on failures that say nothing of the outcome (a 409, a 500, an answer
// that could not be read, a time-out after it was sent), or a request closed after
// such, may have been applied.
func (r *record) notApplied() bool {
	switch r.State {
	case Expired:
		return true
	case Dead, Closed:
		return r.ErrorCode != "" || r.ErrorStatus != 0 || r.Tries == 0 && r.Attempts == 0
	}
	return false
}

func (ob *Outbox) statusOf(r *record) Status {
	s := Status{KioskRef: r.Ref, Utility: r.Utility, Kind: r.Kind, State: r.State, UtilityRef: r.UtilityRef, Created: r.Created,
		Tries: r.Tries, Attempts: r.Attempts, LastTry: r.LastTry, NextAt: r.NextAt, LastError: r.LastError, DoneAt: r.DoneAt,
		ClosedBy: r.ClosedBy, CloseReason: r.CloseReason, Erased: r.Erased, NotApplied: r.notApplied()}
	if len(r.Answer) > 0 {
		if plain, err := ob.st.Sealer().Open(r.Answer, answerContext(r.Ref)); err == nil {
			var a utility.Answer
			if json.Unmarshal(plain, &a) == nil {
				s.Answer = &a
			}
		}
	}
	s.Err = ob.refusal(r)
	return s
}

// maxErrorField bounds the field name of a refusal kept: a protocol's field path is
// short, and a longer one (a utility's bug) is not kept.
const maxErrorField = 64

// refusal rebuilds the utility's refusal of a request.
func (ob *Outbox) refusal(r *record) error {
	if r.ErrorCode == "" && r.ErrorStatus == 0 {
		return nil
	}
	msg := ""
	if len(r.ErrorMessage) > 0 {
		if plain, err := ob.st.Sealer().Open(r.ErrorMessage, []byte("outbox/error/"+r.Ref)); err == nil {
			msg = string(plain)
		}
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": r.ErrorCode, "message": msg, "field": r.ErrorField}})
	err := utility.DecodeResponse(r.ErrorStatus, body, utility.DefaultMaxResponse, nil)
	var e *utility.Error
	if errors.As(err, &e) {
		e.Utility, e.Op = r.Utility, string(r.Kind)
	}
	return err
}

// Status returns a request by its kiosk reference.
func (ob *Outbox) Status(ref string) (Status, error) {
	var s Status
	err := ob.st.View(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if err != nil {
			return err
		}
		s = ob.statusOf(r)
		return nil
	})
	return s, err
}

// Body opens the body of the request with that kiosk reference, as it was submitted. It
// holds personal data: the caller keeps it in memory and never logs it. Nil once Prune
// erased it; ErrNotFound when there is no such request.
func (ob *Outbox) Body(ref string) ([]byte, error) {
	var body []byte
	err := ob.st.View(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if err != nil || len(r.Body) == 0 {
			return err
		}
		body, err = ob.st.Sealer().Open(r.Body, bodyContext(ref))
		return err
	})
	return body, err
}

// List returns the requests in a state, oldest first, at most limit (≤ 0: all).
func (ob *Outbox) List(state State, limit int) ([]Status, error) {
	var out []Status
	err := ob.st.View(func(tx *bolt.Tx) error {
		recs, err := bucket(tx, store.BucketOutbox)
		if err != nil {
			return err
		}
		c := recs.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, err := decodeRecord(k, v)
			if err != nil {
				return err
			}
			if r.State != state {
				continue
			}
			out = append(out, ob.statusOf(r))
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// ByGroup lists the requests submitted with Group group (a joint application's parts),
// oldest first.
func (ob *Outbox) ByGroup(group string) ([]Status, error) {
	if group == "" {
		return nil, nil
	}
	return ob.where(func(r *record) bool { return r.Group == group })
}

// ByApplicant lists the requests submitted for the citizen with this ID number
// (Request.Applicant), oldest first. Requests are matched by the keyed hash: only the
// matching ones are opened, and those whose personal data was erased (Prune) are no
// longer found.
func (ob *Outbox) ByApplicant(idNumber string) ([]Status, error) {
	if idNumber == "" {
		return nil, nil
	}
	h := ob.applicantHash(idNumber)
	return ob.where(func(r *record) bool { return r.Applicant == h })
}

// where lists the requests that match, oldest first, opening only their sealed parts.
func (ob *Outbox) where(match func(*record) bool) ([]Status, error) {
	var out []Status
	err := ob.st.View(func(tx *bolt.Tx) error {
		return forEach(tx, func(k, v []byte) error {
			r, err := decodeRecord(k, v)
			if err == nil && r != nil && match(r) {
				out = append(out, ob.statusOf(r))
			}
			return err
		})
	})
	return out, err
}

// Count counts the requests by state and utility, reading each once and opening none
// of their sealed contents.
func (ob *Outbox) Count() (map[State]map[string]int, error) {
	out := map[State]map[string]int{}
	err := ob.st.View(func(tx *bolt.Tx) error {
		return forEach(tx, func(k, v []byte) error {
			r, err := decodeRecord(k, v)
			if err != nil {
				return err
			}
			if out[r.State] == nil {
				out[r.State] = map[string]int{}
			}
			out[r.State][r.Utility]++
			return nil
		})
	})
	return out, err
}

// DeadLetters lists the requests waiting for staff.
func (ob *Outbox) DeadLetters() ([]Status, error) { return ob.List(Dead, 0) }

// Pending counts the requests not yet answered, per utility.
func (ob *Outbox) Pending() map[string]int {
	out := map[string]int{}
	for id, w := range ob.workers {
		out[id] = w.size()
	}
	return out
}

// Retry puts a dead letter back in the queue with fresh attempts (same key: the utility
// still recognises it). actor is the staff member, for the journal. A payment order is
// not sent again (ErrNotRetried): its citizen was told it failed and has gone, and the
// kiosk follows no order of it. Refused, its key brings back the same refusal; sent
// again after its attempts ran out, it could make an order nobody shows or follows,
// payable and holding the bills until it expires (within its NotAfter), or bind one
// long made (after it). Staff close it (CloseDead), or the kiosk does once it has learnt
// how an order its request may have made ended (CloseFollowed). A cancellation is sent again: it
// moves no money, and its order is followed until the utility says how it ended (then the
// kiosk closes its dead letter too, CloseFollowed).
func (ob *Outbox) Retry(ref, actor string) error {
	var rec record
	err := ob.st.Update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if err != nil {
			return err
		}
		if r.State != Dead {
			return fmt.Errorf("outbox: %s is %s, not a dead letter", ref, r.State)
		}
		if r.Kind == utility.KindPayment {
			return fmt.Errorf("%w: %s is a payment order: its citizen has gone, and an order made now would be followed by nobody; close it", ErrNotRetried, ref)
		}
		if _, ok := ob.workers[r.Utility]; !ok {
			return fmt.Errorf("%w: %q", ErrUnknownUtility, r.Utility)
		}
		now := ob.o.Clock.Now()
		r.State, r.Tries, r.Attempts, r.NextAt = Pending, 0, 0, now
		r.ErrorCode, r.ErrorStatus, r.ErrorField, r.ErrorMessage = "", 0, "", nil
		if err := putRecord(tx, r); err != nil {
			return err
		}
		if err := pending(tx, r.Seq, true); err != nil {
			return err
		}
		rec = *r
		return ob.j.Append(tx, journal.Event{Time: now, Kind: journal.StaffRetry, Utility: r.Utility, Ref: ref, Actor: actor})
	})
	if err != nil {
		return err
	}
	w := ob.workers[rec.Utility]
	w.add(itemOf(&rec))
	w.poke()
	ob.notify(Update{KioskRef: ref, Utility: rec.Utility, Kind: rec.Kind, State: Pending}, Result{KioskRef: ref, Utility: rec.Utility, State: Pending})
	return nil
}

// ClosePending withdraws a request still waiting to be sent, for good: its citizen was
// served another way (at the counter while the utility was down) or withdrew it, and it
// must not reach the utility later. reason (required) says why, for the journal. A
// request being sent at that moment (ErrInFlight), or answered, refused or closed since
// it was listed, is not withdrawn (ErrTooLate); nor is a payment's order or its
// cancellation (money may move: the utility's records decide).
func (ob *Outbox) ClosePending(ref, actor, reason string) error {
	reason = strings.TrimSpace(reason)
	st, err := ob.toWithdraw(ref, reason)
	if err != nil {
		return err
	}
	if st.State != Pending {
		return notFrom(ref, st.State, "not waiting to be sent")
	}
	return ob.closePending(st, actor, reason, journal.StaffClose)
}

// Withdraw takes back, for good, a request its citizen withdraws at the kiosk before its
// utility has it: one waiting to be sent, or set aside after its attempts ran out (a
// dead letter the utility did not refuse). reason (required) is journaled, as
// journal.RequestWithdrawn. As ClosePending, a request being sent at that moment, or
// that its utility has had since (ErrTooLate), is not withdrawn, nor a payment's.
func (ob *Outbox) Withdraw(ref, reason string) error {
	reason = strings.TrimSpace(reason)
	st, err := ob.toWithdraw(ref, reason)
	if err != nil {
		return err
	}
	switch {
	case st.State == Pending:
		return ob.closePending(st, "", reason, journal.RequestWithdrawn)
	case st.State == Dead && st.Err == nil:
		return ob.closeAs(ref, "", reason, journal.RequestWithdrawn, Dead, "not a dead letter", nil)
	case st.State == Dead:
		return fmt.Errorf("%w: %s was refused by its utility: there is nothing to withdraw", ErrTooLate, ref)
	}
	return notFrom(ref, st.State, "not waiting for its utility")
}

// notFrom refuses to act on the request ref, in state, that is what says: ErrTooLate
// (wrapped) once it has come to its end.
func notFrom(ref string, state State, what string) error {
	switch state {
	case Done, Closed, Expired:
		return fmt.Errorf("%w: %s is %s, %s", ErrTooLate, ref, state, what)
	}
	return fmt.Errorf("outbox: %s is %s, %s", ref, state, what)
}

// toWithdraw is the request ref, to be withdrawn for reason: refused without a reason,
// and for a payment's order or its cancellation (money may move: the utility's records
// decide).
func (ob *Outbox) toWithdraw(ref, reason string) (Status, error) {
	if reason == "" {
		return Status{}, errors.New("outbox: withdrawing a request needs a reason")
	}
	st, err := ob.Status(ref)
	if err != nil {
		return st, err
	}
	if st.Kind == utility.KindPayment || st.Kind == utility.KindCancelPayment {
		return st, fmt.Errorf("outbox: %s is a payment's %s: it is not withdrawn", ref, st.Kind)
	}
	return st, nil
}

// closePending closes st, waiting to be sent, journaling it as kind.
func (ob *Outbox) closePending(st Status, actor, reason string, kind journal.Kind) error {
	w, ok := ob.workers[st.Utility]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownUtility, st.Utility)
	}
	// Out of its lane first, so that no attempt starts while it is closed; back in if
	// the close cannot be stored.
	it, err := w.withdraw(st.KioskRef)
	if err != nil {
		return err
	}
	err = ob.closeAs(st.KioskRef, actor, reason, kind, Pending, "not waiting to be sent", func(tx *bolt.Tx, r *record) error {
		return pending(tx, r.Seq, false)
	})
	if err != nil && it != nil {
		w.add(it)
		w.poke()
	}
	return err
}

// CloseDead closes a dead letter for good; reason (required) says why, for the journal.
func (ob *Outbox) CloseDead(ref, actor, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errors.New("outbox: closing a dead letter needs a reason")
	}
	return ob.closeAs(ref, actor, reason, journal.StaffClose, Dead, "not a dead letter", nil)
}

// CloseFollowed is the write, for a transaction of the caller's, that closes the dead
// letter ref once the kiosk has learnt from its utility what became of it: a payment
// order whose request ran out of attempts unanswered, followed by the settling pass to
// its end (paid, cancelled, expired, or never made). Nothing is left for staff to do
// with it, and an open dead letter would have them act on something settled. It is
// closed by the kiosk (ClosedBy ClosedByKiosk) for reason, a fixed phrase saying what
// the kiosk found, and journaled as journal.RequestClosed with utilityRef, the order
// found ("" when none was), which the request keeps as its utility's reference. A
// request that is no dead letter (answered, or closed by staff meanwhile), or no longer
// kept, is left as it is. The listeners hear of the close once the transaction commits.
func (ob *Outbox) CloseFollowed(ref, reason, utilityRef string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || r.State != Dead {
			return err
		}
		if r.UtilityRef == "" {
			r.UtilityRef = utilityRef
		}
		if err := ob.closeTx(tx, r, ClosedByKiosk, reason, journal.Event{Kind: journal.RequestClosed, UtilityRef: utilityRef}, nil); err != nil {
			return err
		}
		tx.OnCommit(func() { ob.notifyClosed(r) })
		return nil
	}
}

// closeAs closes the request ref, which must be in state from (else the error says it is
// what), in one transaction with also (when not nil) and its journal entry, of kind.
func (ob *Outbox) closeAs(ref, actor, reason string, kind journal.Kind, from State, what string, also func(*bolt.Tx, *record) error) error {
	var rec *record
	err := ob.st.Update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if err != nil {
			return err
		}
		if r.State != from {
			return notFrom(ref, r.State, what)
		}
		rec = r
		return ob.closeTx(tx, r, actor, reason, journal.Event{Kind: kind, Actor: actor}, also)
	})
	if err != nil {
		return err
	}
	ob.notifyClosed(rec)
	return nil
}

// closeTx closes r in tx, by whom for reason, with also (when not nil) and ev, its
// journal entry, which is given the request and the reason.
func (ob *Outbox) closeTx(tx *bolt.Tx, r *record, by, reason string, ev journal.Event, also func(*bolt.Tx, *record) error) error {
	now := ob.o.Clock.Now()
	// Staff type the reason: an ID or phone number in it is masked, as in the journal.
	r.State, r.ClosedBy, r.CloseReason, r.DoneAt = Closed, by, logging.Scrub(reason), now
	if err := putRecord(tx, r); err != nil {
		return err
	}
	if also != nil {
		if err := also(tx, r); err != nil {
			return err
		}
	}
	ev.Time, ev.Utility, ev.Ref, ev.Detail = now, r.Utility, r.Ref, reason
	return ob.j.Append(tx, ev)
}

// notifyClosed tells the listeners and waiters that r, closed, is.
func (ob *Outbox) notifyClosed(r *record) {
	na := r.notApplied()
	ob.notify(Update{KioskRef: r.Ref, Utility: r.Utility, Kind: r.Kind, State: Closed, NotApplied: na},
		Result{KioskRef: r.Ref, Utility: r.Utility, State: Closed, NotApplied: na})
}
