// Package reprint keeps the citizens' receipts that did not print whole — the paper ran
// out, the cutter jammed, the printer went away — so that staff can print them again
// (补打) once the printer is back, as the kiosk promised the citizen. A kept receipt
// names its citizen, so it is sealed in the kiosk's database; it goes once it is
// reprinted, or with the rest of the personal data after data.personal_data_days.
//
// A receipt is kept before it goes to the printer, marked as being printed (Printing),
// and forgotten in the transaction that journals it printed: a kill or a power cut while
// it prints leaves it kept, and the next start finds it (Interrupted), so that staff can
// print what the citizen may not have had.
package reprint

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/devices/printer"
)

// ErrNotFound means no receipt is kept under a reference: it printed, was reprinted
// already, or its time ran out.
var ErrNotFound = errors.New("reprint: no receipt to print again under this reference")

// ErrPrinting means the receipt is being printed at that moment (for its citizen): it is
// kept until it has printed whole, and printing it again now would give two.
var ErrPrinting = errors.New("reprint: the receipt is being printed right now: list the receipts again in a minute")

// The kinds of receipt kept.
const (
	Payment    = "payment"    // 缴费凭条
	Acceptance = "acceptance" // 受理回执 with the 一次性告知书
)

// Receipt is a receipt as it was laid out for the citizen: exactly one of Payment and
// Acceptance is set.
type Receipt struct {
	Entry
	Payment    *receipt.Payment    `json:"payment,omitempty"`
	Acceptance *receipt.Acceptance `json:"acceptance,omitempty"`
}

// Entry is a kept receipt as staff list it: nothing personal.
type Entry struct {
	// Ref is the reference it was printed under (the payment's or the application's
	// kiosk reference), which the journal's print.failed event names too.
	Ref  string `json:"ref"`
	Kind string `json:"kind"`
	// Time is when it failed to print, and Reason why (for staff, in Chinese).
	Time   time.Time `json:"time"`
	Reason string    `json:"reason,omitempty"`
	// Printing: it is being sent to the printer for its citizen, kept until it prints
	// whole; not listed for staff (it has not failed), and not printed again meanwhile.
	Printing bool `json:"printing,omitempty"`
	// Session is the citizen's visit it was printed in (a random ID, not personal), for
	// the journal.
	Session string `json:"session,omitempty"`
}

func (r Receipt) check() error {
	switch {
	case r.Ref == "":
		return errors.New("reprint: a receipt without a reference")
	case r.Kind == Payment && r.Payment != nil && r.Acceptance == nil,
		r.Kind == Acceptance && r.Acceptance != nil && r.Payment == nil:
		return nil
	}
	return fmt.Errorf("reprint: receipt %s of kind %q does not hold that receipt alone", r.Ref, r.Kind)
}

// Job lays the receipt out for the printer; again marks it （补打）.
func (r Receipt) Job(b *receipt.Builder, again bool) (*printer.Job, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if r.Payment != nil {
		p := *r.Payment
		p.Reprint = again
		return b.Payment(p)
	}
	a := *r.Acceptance
	a.Reprint = again
	return b.Acceptance(a)
}

// Store keeps receipts in the kiosk's database (store.BucketReprints).
type Store struct {
	st *store.Store
}

// New returns the receipts kept in st.
func New(st *store.Store) *Store { return &Store{st: st} }

// kept is a receipt as stored: the entry in clear for listing, the receipt sealed.
type kept struct {
	Entry  Entry  `json:"entry"`
	Sealed []byte `json:"sealed"`
}

func sealContext(ref string) []byte { return []byte("reprints/" + ref) }

// Keep keeps a receipt, replacing one kept under the same reference.
func (s *Store) Keep(r Receipt) error {
	return s.st.Update(func(tx *bolt.Tx) error { return s.KeepTx(tx, r) })
}

// KeepTx is Keep in tx: the receipt is kept when tx commits, with what else tx writes
// (the journal's entry, a payment order forgotten).
func (s *Store) KeepTx(tx *bolt.Tx, r Receipt) error {
	if err := r.check(); err != nil {
		return err
	}
	sealed, err := s.st.Sealer().SealJSON(r, sealContext(r.Ref))
	if err != nil {
		return fmt.Errorf("reprint: %w", err)
	}
	return put(tx, kept{Entry: r.Entry, Sealed: sealed})
}

func put(tx *bolt.Tx, e kept) error {
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("reprint: %w", err)
	}
	b, err := store.Bucket(tx, store.BucketReprints)
	if err != nil {
		return fmt.Errorf("reprint: %w", err)
	}
	if err := b.Put([]byte(e.Entry.Ref), v); err != nil {
		return fmt.Errorf("reprint: keep %s: %w", e.Entry.Ref, err)
	}
	return nil
}

// Interrupted takes the receipts still marked as being printed — the kiosk stopped
// while they printed (a crash, a power cut): each may be missing, or whole, or cut
// short — as kept for staff, since at, for reason; also, if set, is called in the same
// transaction with each (to journal it). It returns how many there were. The kiosk calls
// it at start, before any receipt prints.
func (s *Store) Interrupted(at time.Time, reason string, also func(*bolt.Tx, Entry) error) (int, error) {
	n := 0
	err := s.st.Update(func(tx *bolt.Tx) error {
		b, err := store.Bucket(tx, store.BucketReprints)
		if err != nil {
			return fmt.Errorf("reprint: %w", err)
		}
		var cut []kept
		err = b.ForEach(func(k, v []byte) error {
			var e kept
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("reprint: entry %s: %w", k, err)
			}
			if e.Entry.Printing {
				cut = append(cut, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range cut {
			// The sealed receipt stays as it is: Get takes the entry's fields from the
			// entry.
			e.Entry.Printing, e.Entry.Time, e.Entry.Reason = false, at, reason
			if err := put(tx, e); err != nil {
				return err
			}
			if also != nil {
				if err := also(tx, e.Entry); err != nil {
					return err
				}
			}
		}
		n = len(cut)
		return nil
	})
	return n, err
}

// List returns the kept receipts, oldest first; not those being printed (Printing).
func (s *Store) List() ([]Entry, error) {
	var out []Entry
	err := s.st.View(func(tx *bolt.Tx) error {
		b, err := store.Bucket(tx, store.BucketReprints)
		if err != nil {
			return fmt.Errorf("reprint: %w", err)
		}
		return b.ForEach(func(k, v []byte) error {
			var e kept
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("reprint: entry %s: %w", k, err)
			}
			if !e.Entry.Printing {
				out = append(out, e.Entry)
			}
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, err
}

// Get returns the receipt kept under ref, unsealed.
func (s *Store) Get(ref string) (Receipt, error) {
	var r Receipt
	err := s.st.View(func(tx *bolt.Tx) error {
		b, err := store.Bucket(tx, store.BucketReprints)
		if err != nil {
			return fmt.Errorf("reprint: %w", err)
		}
		v := b.Get([]byte(ref))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, ref)
		}
		var e kept
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("reprint: entry %s: %w", ref, err)
		}
		if err := s.st.Sealer().OpenJSON(e.Sealed, sealContext(ref), &r); err != nil {
			return fmt.Errorf("reprint: receipt %s: %w", ref, err)
		}
		r.Entry = e.Entry
		return nil
	})
	return r, err
}

// Remove forgets the receipt kept under ref (reprinted); none kept is no error.
func (s *Store) Remove(ref string) error {
	return s.st.Update(func(tx *bolt.Tx) error { return s.RemoveTx(tx, ref) })
}

// RemoveTx is Remove in tx: the receipt is forgotten when tx commits, with the journal's
// entry that says it printed.
func (s *Store) RemoveTx(tx *bolt.Tx, ref string) error {
	b, err := store.Bucket(tx, store.BucketReprints)
	if err != nil {
		return fmt.Errorf("reprint: %w", err)
	}
	if err := b.Delete([]byte(ref)); err != nil {
		return fmt.Errorf("reprint: forget %s: %w", ref, err)
	}
	return nil
}

// Prune forgets the receipts kept since before before and returns how many.
func (s *Store) Prune(before time.Time) (int, error) {
	return s.st.DeleteWhere(store.BucketReprints, func(_, v []byte) bool {
		var e kept
		return json.Unmarshal(v, &e) != nil || e.Entry.Time.Before(before)
	})
}
