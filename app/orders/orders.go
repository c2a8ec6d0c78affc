// Package orders keeps the payment orders the kiosk made until it knows how each one
// ended. A citizen can pay an order on their phone after nobody is left to watch it:
// the kiosk restarted (a crash, a power cut, staff), or the citizen walked away while
// the cancellation was on its way. A kept order is asked after until the utility says
// it is paid, cancelled or expired, so that a paid one still gets its receipt (补打)
// and a pending one is cancelled. An order names its account holder, so it is sealed.
//
// An order is kept from the moment it is asked for: its record is written in the same
// bbolt transaction as the order request in the outbox (PutTx), before the utility is
// called, without the utility's reference (Asked), which is added once the utility
// answers. So a kill or a power cut at any moment leaves no order made at the utility
// that the kiosk does not know; and a cancellation is noted (CancelSent) in the same
// transaction as it is stored, so that none is sent twice.
package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

// Order is a payment order as the kiosk made it.
type Order struct {
	// KioskRef is the order request's kiosk reference (the outbox's, the journal's).
	KioskRef string `json:"kiosk_ref"`
	Utility  string `json:"utility"`
	Account  string `json:"account"`
	// Reference is the utility's order reference, by which its status is asked; empty
	// while the order request has not been answered (Asked).
	Reference string `json:"reference"`
	// Bills are the IDs of the bills the order pays, and Amount its amount: an answer
	// about the order naming others is another order's (app's ownPayment). An order
	// kept before its bills were has none.
	Bills  []string    `json:"bills,omitempty"`
	Amount utility.Fen `json:"amount_fen"`
	// Holder is the account holder's name, for the receipt (which masks it).
	Holder string `json:"holder,omitempty"`
	// Periods are the bills' periods the order pays (账期), for the receipt.
	Periods string    `json:"periods,omitempty"`
	Session string    `json:"session"`
	Created time.Time `json:"created"`
	// CancelSent: a cancellation is in the outbox already; it is not sent twice.
	CancelSent bool `json:"cancel_sent,omitempty"`
	// CancelRefs are the kiosk references of the cancellations sent (Cancelling): one
	// that ran out of attempts is a dead letter the settling pass closes once it knows
	// how the order ended. An order kept before they were noted has none.
	CancelRefs []string `json:"cancel_refs,omitempty"`
}

// Store keeps orders in the kiosk's database (store.BucketOrders).
type Store struct {
	st *store.Store
}

// New returns the orders kept in st.
func New(st *store.Store) *Store { return &Store{st: st} }

// kept is an order as stored: its creation time in clear for pruning, the rest sealed.
type kept struct {
	Created time.Time `json:"created"`
	Sealed  []byte    `json:"sealed"`
}

func sealContext(ref string) []byte { return []byte("payment_orders/" + ref) }

// Asked reports whether the order was asked for and its utility's answer is not kept
// yet: the order may have been made at the utility, or not (the outbox's request says).
func (o Order) Asked() bool { return o.Reference == "" }

// Put keeps an order, replacing the one kept under the same kiosk reference.
func (s *Store) Put(o Order) error {
	return s.st.Update(func(tx *bolt.Tx) error { return s.PutTx(tx, o) })
}

// PutTx is Put in tx: the order is kept when tx commits, with what else tx writes (the
// order request, a cancellation, in the outbox).
func (s *Store) PutTx(tx *bolt.Tx, o Order) error {
	if o.KioskRef == "" || o.Utility == "" {
		return fmt.Errorf("orders: an order needs its kiosk reference and utility (%q, %q)", o.KioskRef, o.Utility)
	}
	sealed, err := s.st.Sealer().SealJSON(o, sealContext(o.KioskRef))
	if err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	v, err := json.Marshal(kept{Created: o.Created, Sealed: sealed})
	if err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	b, err := bucket(tx)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(o.KioskRef), v); err != nil {
		return fmt.Errorf("orders: keep %s: %w", o.KioskRef, err)
	}
	return nil
}

// Get returns the order kept under a kiosk reference; ok is false when none is.
func (s *Store) Get(ref string) (o Order, ok bool, err error) {
	err = s.st.View(func(tx *bolt.Tx) error {
		o, ok, err = s.GetTx(tx, ref)
		return err
	})
	return o, ok, err
}

// GetTx is Get in tx.
func (s *Store) GetTx(tx *bolt.Tx, ref string) (o Order, ok bool, err error) {
	b, err := bucket(tx)
	if err != nil {
		return o, false, err
	}
	v := b.Get([]byte(ref))
	if v == nil {
		return o, false, nil
	}
	return o, true, s.open(ref, v, &o)
}

// ChangeTx changes the order kept under ref in tx with change; ok is false, and nothing
// changes, when none is kept.
func (s *Store) ChangeTx(tx *bolt.Tx, ref string, change func(*Order)) (ok bool, err error) {
	o, ok, err := s.GetTx(tx, ref)
	if err != nil || !ok {
		return ok, err
	}
	change(&o)
	return true, s.PutTx(tx, o)
}

// bucket is the orders' bucket in tx; an error wrapping store.ErrNoBucket when the
// file lacks it.
func bucket(tx *bolt.Tx) (*bolt.Bucket, error) {
	b, err := store.Bucket(tx, store.BucketOrders)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	return b, nil
}

func (s *Store) open(ref string, v []byte, o *Order) error {
	var k kept
	if err := json.Unmarshal(v, &k); err != nil {
		return fmt.Errorf("orders: %s: %w", ref, err)
	}
	if err := s.st.Sealer().OpenJSON(k.Sealed, sealContext(ref), o); err != nil {
		return fmt.Errorf("orders: %s: %w", ref, err)
	}
	return nil
}

// List returns the kept orders, oldest first. One that cannot be opened (damaged, or
// sealed under another key) is left out and reported in the error; the rest are listed.
func (s *Store) List() ([]Order, error) {
	var out []Order
	var bad []error
	err := s.st.View(func(tx *bolt.Tx) error {
		b, err := bucket(tx)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var o Order
			if err := s.open(string(k), v, &o); err != nil {
				bad = append(bad, err)
				return nil
			}
			out = append(out, o)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, errors.Join(append(bad, err)...)
}

// Asking is the outbox request's With (outbox.Request) for order o, which the request
// asks the utility for: o is kept under the request's kiosk reference, unanswered
// (Asked), in the request's transaction. told, if set, is given the kiosk reference
// there, before the transaction commits.
func (s *Store) Asking(o Order, told func(kioskRef string)) func(*bolt.Tx, string) error {
	return func(tx *bolt.Tx, ref string) error {
		if told != nil {
			told(ref)
		}
		o.KioskRef, o.Reference = ref, ""
		return s.PutTx(tx, o)
	}
}

// Cancelling is the With of the request that cancels the order kept under ref, which
// the utility knows as reference: in the request's transaction, the order is bound to
// reference (its answer may have come late), noted as cancelled (CancelSent) and given
// the request's kiosk reference (CancelRefs). Nothing when none is kept.
func (s *Store) Cancelling(ref, reference string) func(*bolt.Tx, string) error {
	return func(tx *bolt.Tx, cancelRef string) error {
		_, err := s.ChangeTx(tx, ref, func(o *Order) {
			o.Reference, o.CancelSent = reference, true
			if !slices.Contains(o.CancelRefs, cancelRef) {
				o.CancelRefs = append(o.CancelRefs, cancelRef)
			}
		})
		return err
	}
}

// Answered binds the utility's reference to the order asked under ref; ok is false
// when none is kept.
func (s *Store) Answered(ref, reference string) (ok bool, err error) {
	err = s.st.Update(func(tx *bolt.Tx) error {
		ok, err = s.ChangeTx(tx, ref, func(o *Order) { o.Reference = reference })
		return err
	})
	return ok, err
}

// Count returns how many orders are kept, without opening them.
func (s *Store) Count() (int, error) {
	n := 0
	err := s.st.View(func(tx *bolt.Tx) error {
		b, err := bucket(tx)
		if err != nil {
			return err
		}
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}

// Remove forgets the order kept under ref (its end is known); none kept is no error.
func (s *Store) Remove(ref string) error {
	return s.st.Update(func(tx *bolt.Tx) error { return s.RemoveTx(tx, ref) })
}

// RemoveTx is Remove in tx: the order is forgotten when tx commits, with the journal's
// entry that says how it ended.
func (s *Store) RemoveTx(tx *bolt.Tx, ref string) error {
	b, err := bucket(tx)
	if err != nil {
		return err
	}
	if err := b.Delete([]byte(ref)); err != nil {
		return fmt.Errorf("orders: forget %s: %w", ref, err)
	}
	return nil
}

// Prune forgets the orders made before before, settled or not (by then the utility
// has long expired them, and the holder's name must go), and returns how many.
func (s *Store) Prune(before time.Time) (int, error) {
	return s.st.DeleteWhere(store.BucketOrders, func(_, v []byte) bool {
		var k kept
		return json.Unmarshal(v, &k) != nil || k.Created.Before(before)
	})
}
