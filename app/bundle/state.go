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
// applied (a new bundle must be newer, also after a rollback); the bundle it holds to
// apply when that takes effect (Pending, with At when it was taken), if any; and the
// last version staff dropped while it was held (Dropped, 0: none; a new bundle must be
// newer than that too).
type Status struct {
	Utility  string
	Current  *Applied
	Previous *Applied
	Older    []*Applied
	Seen     uint64
	Pending  *Applied
	Dropped  uint64
}

// record is a utility's entry in the database.
type record struct {
	Current  *stored   `json:"current,omitempty"`
	Previous *stored   `json:"previous,omitempty"`
	Older    []*stored `json:"older,omitempty"`
	Seen     uint64    `json:"seen"`
	Pending  *stored   `json:"pending,omitempty"`
	Dropped  uint64    `json:"dropped,omitempty"`
}

// taken refuses utility's version v when it is not newer than one r applied (ErrStale)
// or one staff dropped (ErrDropped).
func (r *record) taken(utility string, v uint64) error {
	if v <= r.Seen {
		return notNewer(utility, v, r.Seen)
	}
	if v <= r.Dropped {
		return fmt.Errorf("%w: %s version %d, and version %d was dropped: send a newer version", ErrDropped, utility, v, r.Dropped)
	}
	return nil
}

// pendingVersion is the version of the bundle r holds to apply later; 0 if none (or
// one that no longer parses, which anything newer replaces).
func (r *record) pendingVersion() uint64 {
	a, err := r.Pending.applied()
	if err != nil || a == nil {
		return 0
	}
	return a.Bundle.Manifest.Version
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
	b, err := bucket(tx)
	if err != nil {
		return r, err
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
	b, err := bucket(tx)
	if err != nil {
		return err
	}
	return b.Put([]byte(utility), v)
}

// bucket is the bundles' bucket in tx; an error wrapping store.ErrNoBucket when the file
// lacks it.
func bucket(tx *bolt.Tx) (*bolt.Bucket, error) {
	b, err := store.Bucket(tx, store.BucketBundles)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return b, nil
}

// Statuses returns every utility's state that the kiosk has a record of.
func (s *State) Statuses() (map[string]Status, error) {
	out := map[string]Status{}
	err := s.st.View(func(tx *bolt.Tx) error {
		b, err := bucket(tx)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, _ []byte) error {
			r, err := get(tx, string(k))
			if err != nil {
				return err
			}
			st := Status{Utility: string(k), Seen: r.Seen, Dropped: r.Dropped}
			if st.Current, err = r.Current.applied(); err != nil {
				return fmt.Errorf("bundle: the bundle %s shows: %w", k, err)
			}
			if st.Previous, err = r.Previous.applied(); err != nil {
				return fmt.Errorf("bundle: the bundle %s replaced: %w", k, err)
			}
			if st.Pending, err = r.Pending.applied(); err != nil {
				return fmt.Errorf("bundle: the bundle %s holds for later: %w", k, err)
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
// is not newer than every one applied before, ErrDropped when staff dropped it (or a
// newer one) while it was held. A bundle held for later whose version is not newer than
// b's can never be applied after it: it is dropped. b must have been verified.
func (s *State) Apply(b *Bundle, at time.Time, by string) error {
	return s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, b.Manifest.Utility)
		if err != nil {
			return err
		}
		return s.apply(tx, r, &stored{Envelope: b.Raw, At: at.UTC(), By: by}, b.Manifest, at, "")
	})
}

// apply puts st, the bundle of manifest m, in place in r; how says more for the journal.
func (s *State) apply(tx *bolt.Tx, r record, st *stored, m Manifest, at time.Time, how string) error {
	if err := r.taken(m.Utility, m.Version); err != nil {
		return err
	}
	var older []*stored
	if r.Current != nil && r.Previous != nil {
		older = append([]*stored{r.Previous}, r.Older...)[:min(len(r.Older)+1, Kept-1)]
	}
	r.Previous, r.Older = r.Current, older
	r.Current, r.Seen = st, m.Version
	detail := fmt.Sprintf("version %d%s", m.Version, how)
	if m.Note != "" {
		detail += ": " + m.Note
	}
	if p := r.pendingVersion(); r.Pending != nil && p <= m.Version {
		r.Pending = nil
		if p != m.Version {
			detail += fmt.Sprintf(" (version %d, held for later, dropped: it is not newer)", p)
		}
	}
	if err := put(tx, m.Utility, r); err != nil {
		return err
	}
	return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleApplied, Utility: m.Utility, Actor: st.By, Detail: detail})
}

// notNewer refuses utility's version v: version seen was applied.
func notNewer(utility string, v, seen uint64) error {
	return fmt.Errorf("%w: %s version %d, and version %d was applied", ErrStale, utility, v, seen)
}

// Schedule holds b, which takes effect later, to be applied then (Activate), in place of
// any bundle held before for its utility, and journals it, in one transaction:
// ErrStale (wrapped) when its version is not newer than every one applied before and
// the one held, ErrDropped when staff dropped it (or a newer one). b must have been
// verified.
func (s *State) Schedule(b *Bundle, at time.Time, by string) error {
	m := b.Manifest
	return s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, m.Utility)
		if err != nil {
			return err
		}
		if err := r.taken(m.Utility, m.Version); err != nil {
			return err
		}
		detail := fmt.Sprintf("version %d, effective %s", m.Version, rfc3339(m.Effective))
		if p := r.pendingVersion(); p >= m.Version {
			return fmt.Errorf("%w: %s version %d, and version %d is held to take effect later", ErrStale, m.Utility, m.Version, p)
		} else if p > 0 {
			detail += fmt.Sprintf(", in place of version %d", p)
		}
		if m.Note != "" {
			detail += ": " + m.Note
		}
		r.Pending = &stored{Envelope: b.Raw, At: at.UTC(), By: by}
		if err := put(tx, m.Utility, r); err != nil {
			return err
		}
		return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleScheduled, Utility: m.Utility, Actor: by, Detail: detail})
	})
}

// ErrNothingHeld means a utility has no bundle held to take effect later.
var ErrNothingHeld = errors.New("bundle: no bundle is held for later")

// Activate applies the bundle held for utility, as Apply does, once check (called in the
// transaction with it) passes. A held bundle that check refuses, that no longer parses or
// that is not newer than one applied since is dropped, the refusal journaled and
// returned. ErrNothingHeld when nothing is held.
func (s *State) Activate(utility string, at time.Time, check func(*Applied) error) error {
	var refused error
	err := s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, utility)
		if err != nil {
			return err
		}
		p, err := r.Pending.applied()
		if err == nil && p == nil {
			return ErrNothingHeld
		}
		if err == nil {
			err = check(p)
		}
		if err == nil {
			m := p.Bundle.Manifest
			if m.Version > r.Seen {
				return s.apply(tx, r, r.Pending, m, at, ", held until "+rfc3339(m.Effective))
			}
			err = notNewer(utility, m.Version, r.Seen)
		}
		refused, r.Pending = err, nil
		if err := put(tx, utility, r); err != nil {
			return err
		}
		return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleRefused, Utility: utility,
			Detail: "held for later, dropped: " + err.Error()})
	})
	if err != nil {
		return err
	}
	return refused
}

// Drop drops the bundle held for utility to take effect later, for good, and journals
// it (journal.BundleDropped, with by), in one transaction: staff drop one a utility sent
// by mistake. Its version, and any older one, is refused from then on (ErrDropped),
// however it comes again (the fleet's broker keeps the last bundle it was sent, and
// hands it over again at each connection): the utility sends a newer version.
// ErrNothingHeld (wrapped) when nothing is held. It returns the bundle dropped.
func (s *State) Drop(utility string, at time.Time, by string) (*Applied, error) {
	var dropped *Applied
	err := s.st.Update(func(tx *bolt.Tx) error {
		r, err := get(tx, utility)
		if err != nil {
			return err
		}
		if dropped, err = r.Pending.applied(); err != nil {
			return fmt.Errorf("bundle: the bundle %s holds for later: %w", utility, err)
		}
		if dropped == nil {
			return fmt.Errorf("%w for %s: there is nothing to drop (one held may have taken effect meanwhile)", ErrNothingHeld, utility)
		}
		m := dropped.Bundle.Manifest
		r.Pending, r.Dropped = nil, max(r.Dropped, m.Version)
		if err := put(tx, utility, r); err != nil {
			return err
		}
		detail := fmt.Sprintf("version %d, effective %s", m.Version, rfc3339(m.Effective))
		if m.Note != "" {
			detail += ": " + m.Note
		}
		return s.j.Append(tx, journal.Event{Time: at, Kind: journal.BundleDropped, Utility: utility, Actor: by, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return dropped, nil
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
