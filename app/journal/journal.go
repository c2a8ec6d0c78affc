// Package journal is the kiosk's append-only record of key events with their times
// (记录留痕): sessions, requests submitted, forwarded and answered, prints, staff
// actions. It holds no raw personal data: where a person must be correlated across
// events, a keyed hash of the value stands in for it (Subject).
package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/store"
)

// Kind names what happened.
type Kind string

// Kinds of events.
const (
	SessionStart     Kind = "session.start"
	SessionEnd       Kind = "session.end"
	RequestSubmitted Kind = "request.submitted" // written in the same transaction as the outbox entry
	RequestForwarded Kind = "request.forwarded" // one attempt to send, with its outcome in Detail
	RequestAnswered  Kind = "request.answered"  // the utility accepted it; UtilityRef is its reference
	RequestRejected  Kind = "request.rejected"  // the utility refused it for good
	RequestDead      Kind = "request.dead"      // set aside for staff (rejected or attempts exhausted)
	RequestClosed    Kind = "request.closed"    // refused as already done: closed by the kiosk, nothing for staff
	RequestExpired   Kind = "request.expired"   // not delivered before its deadline; never sent late
	RequestWithdrawn Kind = "request.withdrawn" // its citizen took it back at the kiosk before the utility had it (Detail: why)
	Print            Kind = "print"
	PrintFailed      Kind = "print.failed" // Detail: what, and why; PrintInterrupted when the kiosk stopped while it printed (found at the next start)
	// UtilityHeld: a utility itself has failed for outbox.Options.AlertAfter (it cannot
	// be reached, refuses the kiosk's signature, answers with server errors): its
	// requests wait, their attempts kept (Utility; Detail: the last failure).
	// UtilityBack: it answers again (Detail: since when it failed).
	UtilityHeld Kind = "utility.held"
	UtilityBack Kind = "utility.back"
	// DataBack: the data file takes writes again after a time it did not (its disk
	// full), during which the kiosk served no new visit and could journal nothing
	// (Detail: since when it failed).
	DataBack Kind = "data.back"
	// PaymentSettled: a payment order nobody followed any more (the citizen had left, or
	// the kiosk restarted) was found ended at the utility; Detail says how, and what
	// became of a paid one's receipt.
	PaymentSettled Kind = "payment.settled"
	// PaymentPaid: the kiosk learnt that a payment order it made was paid (UtilityRef:
	// the utility's payment record; Amount). Once per order: it is written in the
	// transaction that forgets the order (and keeps its receipt while it prints), so no
	// later settling pass finds the order and writes it again. (Files of older kiosks may
	// hold it twice under one Ref; the day's report counts it once.)
	PaymentPaid Kind = "payment.paid"
	// PaymentEnded: a payment order the citizen watched ended unpaid, as the screen told
	// it (Detail: cancelled, expired, failed, or withdrawn when the utility cancelled it
	// unasked; "; not confirmed by the utility" after it when the utility could not be
	// reached and the order was left to the settling pass;
	// UtilityRef: the order's number; Amount: the order's).
	PaymentEnded Kind = "payment.ended"
	StaffAction  Kind = "staff.action"
	StaffRetry   Kind = "staff.retry"
	StaffClose   Kind = "staff.close"
	StaffExport  Kind = "staff.export"
	StaffReprint Kind = "staff.reprint" // a receipt that did not print, sent to the printer again (补打)
	// StaffReveal: staff had an ID card printed in full (kioskctl idcard … --reveal):
	// Actor; Subject the card's holder (Subject("id", …), as their visits' session.start);
	// Detail the command and the card's type.
	StaffReveal Kind = "staff.reveal"
	// Maintenance mode on the touchscreen (app/staffpin). Never with the PIN or its hash.
	StaffLogin       Kind = "staff.login"        // the right PIN: maintenance mode opened
	StaffLoginFailed Kind = "staff.login_failed" // a wrong PIN; staffpin counts these for its lockout
	StaffLocked      Kind = "staff.locked"       // too many wrong PINs in a row; Detail: until when
	StaffLogout      Kind = "staff.logout"       // maintenance mode closed; Detail: why (退出, idle, card)
	StaffUnlock      Kind = "staff.unlock"       // staff ended a run of wrong PINs, and a lockout (kioskctl staff unlock)
	// CardLeft: a visit ended with the citizen's ID card still on the reader (Detail: how
	// the visit ended); CardTaken: it was lifted (Detail: after how long).
	CardLeft  Kind = "card.left"
	CardTaken Kind = "card.taken"
	Retention Kind = "retention" // old entries and personal data removed, with counts in Detail
	// BundleApplied: a utility's content bundle was applied (Utility, Detail: its version
	// and note; Actor: who delivered it); BundleScheduled: one that takes effect later
	// was taken, to be applied then; BundleRefused: one was refused, or a scheduled one
	// dropped (Detail: why); BundleRollback: staff went back to the content it replaced;
	// BundleDropped: staff dropped one held for later (Actor; Detail: its version, when
	// it was to take effect, its note).
	BundleApplied   Kind = "bundle.applied"
	BundleScheduled Kind = "bundle.scheduled"
	BundleRefused   Kind = "bundle.refused"
	BundleRollback  Kind = "bundle.rollback"
	BundleDropped   Kind = "bundle.dropped"
	// EndpointMoved: a bundle applied or rolled back sent a utility's calls to another
	// base URL (Utility; Detail: the URL).
	EndpointMoved Kind = "endpoint.moved"
)

// Event is one journal entry. No field may hold a raw name, ID number, phone, address or
// account number: use Subject for those.
type Event struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`
	// Session is the citizen session's random ID.
	Session string `json:"session,omitempty"`
	Utility string `json:"utility,omitempty"`
	// Ref is the kiosk reference of a request; UtilityRef the utility's own.
	Ref        string `json:"ref,omitempty"`
	UtilityRef string `json:"utility_ref,omitempty"`
	// Subject is a keyed hash (Journal.Subject) of the person or account concerned.
	Subject string `json:"subject,omitempty"`
	// Actor is the staff member for staff actions (typed by them: ID and mobile numbers
	// in it are masked, and at most MaxActor bytes are kept). A staff action that came
	// through the staff socket, or from kioskctl on the database, names the operating
	// system's account that took it after the name typed (Acting).
	Actor string `json:"actor,omitempty"`
	// Detail is a short free text; ID and mobile numbers in it are masked before it is
	// stored, and at most MaxDetail bytes of it are kept.
	Detail string `json:"detail,omitempty"`
	// Amount is a payment's amount in fen (分).
	Amount int64 `json:"amount_fen,omitempty"`
}

// The most of an event's Detail and Actor the journal keeps, in bytes: an Actor holds
// the name staff typed (MaxClaim) and the account Acting adds.
const (
	MaxDetail = 512
	MaxActor  = 256
)

// printable is s with each control or formatting character (a terminal's escapes, a
// right-to-left override), and each byte that is not UTF-8, replaced by U+FFFD. An
// actor comes from outside (kioskctl's --actor, a broker's topic) and is shown as it is
// kept, on staff's screen and in kioskctl's output at a terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// clip cuts s to at most n bytes on a character boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Journal appends and reads events.
type Journal struct {
	st    *store.Store
	clock clock.Clock
}

// New returns the journal kept in s.
func New(s *store.Store, c clock.Clock) *Journal {
	if c == nil {
		c = clock.System()
	}
	return &Journal{st: s, clock: c}
}

// Subject is the keyed hash to put in Event.Subject for a personal value; kind says what
// the value is ("id", "account:electricity", …) so equal strings of different kinds differ.
func (j *Journal) Subject(kind, value string) string { return j.st.Sealer().Subject(kind, value) }

// Record appends e in its own transaction and returns once it is on disk.
func (j *Journal) Record(e Event) error {
	return j.st.Update(func(tx *bolt.Tx) error { return j.Append(tx, e) })
}

// Append adds e inside tx, so that it commits (or not) with the caller's other writes.
// A zero Time is set from the journal's clock. A session.start marks its session open
// and a session.end closes it, in the same transaction: CloseInterrupted ends, at the
// next start, a session that a crash or a power cut left open.
func (j *Journal) Append(tx *bolt.Tx, e Event) error {
	bs, err := buckets(tx, store.BucketJournal, store.BucketJournalRef, store.BucketJournalOpen)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	b, idx, open := bs[0], bs[1], bs[2]
	if e.Session != "" {
		switch e.Kind {
		case SessionStart:
			err = open.Put([]byte(e.Session), nil)
		case SessionEnd:
			err = open.Delete([]byte(e.Session))
		}
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	if e.Time.IsZero() {
		e.Time = j.clock.Now()
	}
	e.Time = e.Time.UTC()
	// Clipped: whatever a sender can make the kiosk journal (a refused bundle's error
	// echoes its input) must not fill the disk a few megabytes at a time.
	e.Detail, e.Actor = clip(logging.Scrub(e.Detail), MaxDetail), clip(printable(logging.Scrub(e.Actor)), MaxActor)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	e.Seq = seq
	k := key(e.Time, seq)
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := b.Put(k, v); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	for _, r := range []string{e.Ref, e.UtilityRef} {
		if r == "" {
			continue
		}
		if err := idx.Put(refKey(r, k), nil); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	return nil
}

// Anonymous is the session.start detail of a visit without an ID card (an account
// looked up by its number, a bill or a receipt scanned); a visit with one has its card's
// type.
const Anonymous = "anonymous"

// Interrupted is the session.end detail of a session that the kiosk never ended: it
// stopped without closing (a crash, a power cut) while the session was open.
const Interrupted = "interrupted"

// PrintInterrupted is why a print.failed entry, after its receipt's kind and ": ", says
// the receipt did not print: the kiosk stopped while it printed (found at the next
// start, which keeps it for 补打).
const PrintInterrupted = Interrupted + ": the kiosk stopped while it printed; kept for reprinting"

// CloseInterrupted journals the end of every session journaled as started and not as
// ended, with the detail Interrupted, and returns how many there were. The kiosk calls it
// at start, before any session opens.
func (j *Journal) CloseInterrupted() (int, error) {
	n := 0
	err := j.st.Update(func(tx *bolt.Tx) error {
		open, err := store.Bucket(tx, store.BucketJournalOpen)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		var ids []string
		if err := open.ForEach(func(k, _ []byte) error { ids = append(ids, string(k)); return nil }); err != nil {
			return err
		}
		for _, id := range ids {
			if err := j.Append(tx, Event{Kind: SessionEnd, Session: id, Detail: Interrupted}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// buckets are the buckets names of tx, in their order; an error wrapping
// store.ErrNoBucket when the file lacks one (damaged, or not the kiosk's).
func buckets(tx *bolt.Tx, names ...[]byte) ([]*bolt.Bucket, error) {
	bs := make([]*bolt.Bucket, len(names))
	for i, n := range names {
		b, err := store.Bucket(tx, n)
		if err != nil {
			return nil, err
		}
		bs[i] = b
	}
	return bs, nil
}

func key(t time.Time, seq uint64) []byte {
	k := make([]byte, 0, 16)
	k = append(k, store.U64(uint64(t.UnixNano()))...)
	return append(k, store.U64(seq)...)
}

func refKey(ref string, k []byte) []byte {
	out := make([]byte, 0, len(ref)+1+len(k))
	out = append(out, ref...)
	out = append(out, 0)
	return append(out, k...)
}

// Range returns the events with from ≤ Time < to, oldest first, at most limit of them
// (limit ≤ 0: no limit).
func (j *Journal) Range(from, to time.Time, limit int) ([]Event, error) {
	var out []Event
	err := j.st.View(func(tx *bolt.Tx) error {
		b, err := store.Bucket(tx, store.BucketJournal)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		c := b.Cursor()
		end := store.U64(uint64(to.UnixNano()))
		for k, v := c.Seek(store.U64(uint64(from.UnixNano()))); k != nil && bytes.Compare(k[:8], end) < 0; k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("journal: entry %x: %w", k, err)
			}
			out = append(out, e)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// Latest returns the newest n events with from ≤ Time < to, oldest first (n ≤ 0: all of
// them): what staff asking for the last few want. It reads back from to, no further
// than it needs.
func (j *Journal) Latest(from, to time.Time, n int) ([]Event, error) {
	if n <= 0 {
		return j.Range(from, to, 0)
	}
	var out []Event
	err := j.st.View(func(tx *bolt.Tx) error {
		b, err := store.Bucket(tx, store.BucketJournal)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		c := b.Cursor()
		start := store.U64(uint64(from.UnixNano()))
		// The first entry before to: the last one, when none is at or after to.
		var k, v []byte
		if at, _ := c.Seek(store.U64(uint64(to.UnixNano()))); at == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.Compare(k[:8], start) >= 0 && len(out) < n; k, v = c.Prev() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("journal: entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	slices.Reverse(out)
	return out, err
}

// ByRef returns the events that name ref, as kiosk or utility reference, oldest first.
func (j *Journal) ByRef(ref string) ([]Event, error) {
	var out []Event
	err := j.st.View(func(tx *bolt.Tx) error {
		bs, err := buckets(tx, store.BucketJournal, store.BucketJournalRef)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		b, c := bs[0], bs[1].Cursor()
		prefix := append([]byte(ref), 0)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v := b.Get(k[len(prefix):])
			if v == nil {
				continue
			}
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// pruneBatch bounds one transaction of Prune.
const pruneBatch = 1000

// Prune removes the events older than before, with their reference index entries, and
// returns how many it removed. The journal is append-only otherwise: this is the one
// way out, for entries past their retention (data.journal_days).
func (j *Journal) Prune(before time.Time) (int, error) {
	end := store.U64(uint64(before.UnixNano()))
	removed := 0
	for {
		n := 0
		err := j.st.Update(func(tx *bolt.Tx) error {
			bs, err := buckets(tx, store.BucketJournal, store.BucketJournalRef)
			if err != nil {
				return err
			}
			idx, c := bs[1], bs[0].Cursor()
			for k, v := c.First(); k != nil && bytes.Compare(k[:8], end) < 0 && n < pruneBatch; k, v = c.First() {
				var e Event
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("entry %x: %w", k, err)
				}
				for _, r := range []string{e.Ref, e.UtilityRef} {
					if r == "" {
						continue
					}
					if err := idx.Delete(refKey(r, k)); err != nil {
						return err
					}
				}
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		removed += n
		if err != nil {
			return removed, fmt.Errorf("journal: prune: %w", err)
		}
		if n < pruneBatch {
			return removed, nil
		}
	}
}
