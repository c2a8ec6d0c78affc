package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
)

// ErrNothingToRollBack means a utility shows the content shipped with the kiosk: there is
// no bundle to go back from.
var ErrNothingToRollBack = errors.New("bundle: the utility shows the kiosk's own content: nothing to roll back")

// Applied is a bundle as the kiosk applied it.
type Applied struct {
	Bundle *Bundle
	// At is when it was applied; By who delivered it (a staff number, or the address it
	// came from over the hall network).
	At time.Time
	By string
}

// Kept is how many bundles a utility's rollbacks can go back through: the one the shown
// bundle replaced, the one that one replaced, and so on. A rollback from the last kept
// goes to the kiosk's own content.
const Kept = 5

// Status is what the kiosk holds for one utility: the bundle it shows (nil: the kiosk's
// own content), the one that bundle replaced (nil: the kiosk's own), the ones before
// that, newest first (at most Kept with Previous), and the highest version it ever
// applied (a new bundle must be newer, also after a rollback).
type Status struct {
	Utility  string
	Current  *Applied
	Previous *Applied
	Older    []*Applied
	Seen     uint64
}

// record is a utility's entry in the database.
type record struct {
	Current  *stored   `json:"current,omitempty"`
	Previous *stored   `json:"previous,omitempty"`
	Older    []*stored `json:"older,omitempty"`
	Seen     uint64    `json:"seen"`
}

type stored struct {
	Envelope []byte    `json:"envelope"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

func (s *stored) applied() (*Applied, error) {
	if s == nil {
		return nil, nil
	}
	b, err := Parse(s.Envelope)
	if err != nil {
		return nil, err
	}
	return &Applied{Bundle: b, At: s.At, By: s.By}, nil
}

// State keeps the applied bundles in the kiosk's database, with the journal's record of
// each change in the same transaction.
type State struct {
	st *store.Store
	j  *journal.Journal
}

// NewState returns the bundles kept in st, journaled in j.
func NewState(st *store.Store, j *journal.Journal) *State { return &State{st: st, j: j} }

func get(tx *bolt.Tx, utility string) (record, error) {
	var r record
	b := tx.Bucket(store.BucketBundles)
	if b == nil {
		return r, errors.New("bundle: bucket missing (schema not migrated)")
	}
	if v := b.Get([]byte(utility)); v != nil {
		if err := json.Unmarshal(v, &r); err != nil {
			return r, fmt.Errorf("bundle: the stored state of %s: %w", utility, err)
		}
	}
	return r, nil
}

func put(tx *bolt.Tx, utility string, r record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(store.BucketBundles).Put([]byte(utility), v)
}

// Statuses returns every utility's state that the kiosk has a record of.
func (s *State) Statuses() (map[string]Status, error) {
	out := map[string]Status{}
	err := s.st.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(store.BucketBundles)
		if b == nil {
			return errors.New("bundle: bucket missing (schema not migrated)")
		}
		return b.ForEach(func(k, _ []byte) error {
			r, err := get(tx, string(k))
			if err != nil {
				return err
			}
			st := Status{Utility: string(k), Seen: r.Seen}
			if st.Current, err = r.Current.applied(); err != nil {
				return fmt.Errorf("bundle: the bundle %s shows: %w", k, err)
			}
			if st.Previous, err = r.Previous.applied(); err != nil {
				return fmt.Errorf("bundle: the bundle %s replaced: %w", k, err)
			}
			for _, o := range r.Older {
				a, err := o.applied()
				if err != nil {
					return fmt.Errorf("bundle: a bundle %s replaced before: %w", k, err)
				}
				st.Older = append(st.Older, a)
			}
			out[string(k)] = st
			return nil
		})
	})
	return out, err
}

// Apply makes b its utility's current bundle, keeping the one it replaces (and up to
// Kept in all), and journals it, in one transaction: ErrStale (wrapped) when its version
// is not newer than every one applied before. b must have been verified.
func (s *State) Apply(b *Bundle, at time.Time, by string) error {
	m := b.Manifest
	return s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, m.Utility)
		if err != nil {
			return err
		}
		if m.Version <= r.Seen {
			return fmt.Errorf("%w: %s version %d, and version %d was applied", ErrStale, m.Utility, m.Version, r.Seen)
		}
		var older []*stored
		if r.Current != nil && r.Previous != nil {
			older = append([]*stored{r.Previous}, r.Older...)[:min(len(r.Older)+1, Kept-1)]
		}
		r.Previous, r.Older = r.Current, older
		r.Current, r.Seen = &stored{Envelope: b.Raw, At: at.UTC(), By: by}, m.Version
		if err := put(tx, m.Utility, r); err != nil {
			return err
		}
		detail := fmt.Sprintf("version %d", m.Version)
		if m.Note != "" {
			detail += ": " + m.Note
		}
		return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleApplied, Utility: m.Utility, Actor: by, Detail: detail})
	})
}

// Rollback makes the bundle a utility's current one replaced current again (or the
// kiosk's own content, if it replaced none) and journals it, in one transaction; the one
// rolled back from is dropped, and the next rollback goes to the bundle before. check,
// called inside the transaction with the bundle to be shown (nil: the kiosk's own),
// may refuse it.
func (s *State) Rollback(utility string, at time.Time, by string, check func(*Applied) error) error {
	return s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, utility)
		if err != nil {
			return err
		}
		if r.Current == nil {
			return ErrNothingToRollBack
		}
		from, err := r.Current.applied()
		if err != nil {
			return err
		}
		prev, err := r.Previous.applied()
		if err != nil {
			return err
		}
		to := "the kiosk's own content"
		if prev != nil {
			to = fmt.Sprintf("version %d", prev.Bundle.Manifest.Version)
		}
		if err := check(prev); err != nil {
			return err
		}
		r.Current, r.Previous = r.Previous, nil
		if len(r.Older) > 0 {
			r.Previous, r.Older = r.Older[0], r.Older[1:]
		}
		if err := put(tx, utility, r); err != nil {
			return err
		}
		return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleRollback, Utility: utility, Actor: by,
			Detail: fmt.Sprintf("version %d rolled back to %s", from.Bundle.Manifest.Version, to)})
	})
}
