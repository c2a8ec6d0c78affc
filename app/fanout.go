package app

import (
	"context"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
)

// answer is one utility's answer to a look-up asked of every utility at once.
type answer[T any] struct {
	utility string
	state   LookupState
	value   T
	err     error
}

// fanout is a look-up asked of several utilities at once in a visit, each utility's
// answer kept as it comes (the accounts and 我的办件 of the visit's citizen, at every
// enabled utility; the parts of a joint application, at the utilities that have them),
// so that a slow or broken utility holds up none of the others. It lives in the session
// and is dropped with it.
type fanout[T any] struct {
	mu      sync.Mutex
	answers []answer[T]
	done    chan struct{}
	// life ends with the visit; cancel ends it: the citizen's ID goes to no utility
	// after they left.
	life   context.Context
	cancel context.CancelFunc
	// ask asks one utility; what names the look-up in the log.
	ask  func(context.Context, utility.Client, utility.Identity) (T, error)
	what string
	// byNumber: the look-up asks for a number typed or scanned, not for the visit's
	// citizen: a visit without a card may ask, and ask is given no identity.
	byNumber bool
}

// fanoutTimeout bounds a whole look-up; each utility's own timeout is shorter.
const fanoutTimeout = 30 * time.Second

// Wait blocks until every utility has answered (or timed out).
func (f *fanout[T]) Wait() { <-f.done }

// Wipe drops the answers (they hold names and addresses) and stops the look-up.
func (f *fanout[T]) Wipe() {
	f.cancel()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = nil
}

func (f *fanout[T]) snapshot() []answer[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]answer[T](nil), f.answers...)
}

func (f *fanout[T]) set(a answer[T]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.answers {
		if f.answers[i].utility == a.utility {
			f.answers[i] = a
		}
	}
}

// core is the fanout of the value that embeds it, kept in the session.
func (f *fanout[T]) core() *fanout[T] { return f }

// startFanout starts f's look-up in visit s: each of clients Loading, holder (which
// embeds f) kept in the session under key, the answers coming on the kiosk's
// goroutines. The visit must be open (ErrNoSession once it has ended) and, unless f is
// byNumber, have an identified citizen.
func startFanout[T any](k *Kiosk, s *session.Session, key string, holder interface{ core() *fanout[T] }, clients []utility.Client) error {
	f := holder.core()
	if s == nil || s.Wiped() {
		return ErrNoSession
	}
	if _, ok := s.Identity(); !ok && !f.byNumber {
		return ErrNoSession
	}
	f.done = make(chan struct{})
	f.life, f.cancel = context.WithCancel(k.life)
	for _, c := range clients {
		f.answers = append(f.answers, answer[T]{utility: c.ID(), state: Loading})
	}
	if old, ok := s.Get(key); ok {
		if w, ok := old.(session.Wiper); ok {
			w.Wipe() // a look-up started anew: the one before asks no more
		}
	}
	s.Set(key, holder)
	lookup := func() {
		defer close(f.done)
		askFanout(k, s, f, clients, false)
	}
	if !k.spawn(lookup) { // the kiosk is closing
		f.cancel()
		close(f.done)
	}
	return nil
}

// askFanout asks clients for the visit's citizen (or, byNumber, for what f asks), each
// answer put in f and told to the OnLookup listeners. Asked again (again), a utility
// that fails leaves its answer as it was: what it said a moment ago is better than
// "unavailable".
func askFanout[T any](k *Kiosk, s *session.Session, f *fanout[T], clients []utility.Client, again bool) {
	var who utility.Identity
	switch id, ok := s.Identity(); {
	case f.byNumber:
		if s.Wiped() {
			return
		}
	case !ok: // the citizen left
		return
	default:
		who = utility.Identity{IDNumber: id.IDNumber, Name: id.Name}
	}
	ctx, cancel := context.WithTimeout(f.life, fanoutTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := f.ask(ctx, c, who)
			a := answer[T]{utility: c.ID(), state: Found, value: v}
			if err != nil {
				a = answer[T]{utility: c.ID(), state: Unavailable, err: err}
				k.Log.Warn(f.what, "utility", c.ID(), "err", err)
			} else {
				k.Outbox.Reached(c.ID()) // requests an outage held there go now
			}
			if !s.Wiped() && !(again && err != nil) {
				f.set(a)
				k.lookupUpdated()
			}
		}()
	}
	wg.Wait()
}

// retryFanout asks one utility again, its answer being Unavailable (重新查询: it failed a
// moment ago and may be back): Loading until it answers. It reports whether it asked:
// not when the answer is not Unavailable (a second tap while it asks), nor without a
// look-up under key in the visit.
func retryFanout[T any](k *Kiosk, key, utilityID string) bool {
	s := k.Sessions.Current()
	if s == nil {
		return false
	}
	v, _ := s.Get(key)
	holder, ok := v.(interface{ core() *fanout[T] })
	c, err := k.Client(utilityID)
	if !ok || err != nil {
		return false
	}
	f := holder.core()
	f.mu.Lock()
	asked := false
	for i := range f.answers {
		if a := &f.answers[i]; a.utility == utilityID && a.state == Unavailable {
			*a = answer[T]{utility: utilityID, state: Loading}
			asked = true
		}
	}
	f.mu.Unlock()
	if !asked {
		return false
	}
	k.lookupUpdated()
	return k.spawn(func() { askFanout(k, s, f, []utility.Client{c}, false) }) // false: the kiosk is closing
}

// OnLookup registers a listener called (from another goroutine) each time a utility
// answers one of the visit's look-ups: the citizen's accounts (StartAccountLookup), their
// 我的办件 (StartApplicationLookup), or the parts of a joint application
// (StartJointLookup).
func (k *Kiosk) OnLookup(f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lookupListeners = append(k.lookupListeners, f)
}

// lookupUpdated tells the OnLookup listeners that a utility's answer changed a look-up.
func (k *Kiosk) lookupUpdated() {
	k.mu.Lock()
	ls := append([]func(){}, k.lookupListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f()
	}
}
