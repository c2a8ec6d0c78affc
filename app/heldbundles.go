package app

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
)

// heldCheck is the longest the kiosk waits before it looks at the bundles it holds for
// later again: the wall clock may be set (NTP at boot) while a timer waits, and a
// bundle takes effect by the wall clock.
const heldCheck = time.Minute

// applyDue applies each bundle held for later whose time has come, then waits for the
// next. A held bundle that can no longer be applied (the utility's key changed, its
// files no longer fit the content, it would move the utility's calls, a newer version
// was applied since) is dropped: the journal and the log say why.
func (k *Kiosk) applyDue() {
	defer k.armHeld()
	k.bundleMu.Lock()
	defer k.bundleMu.Unlock()
	sts, err := k.bundles.Statuses()
	if err != nil {
		k.Log.Error("content bundles held for later not read", "err", err)
		return
	}
	now := k.Clock.Now()
	for _, id := range slices.Sorted(maps.Keys(sts)) {
		p := sts[id].Pending
		if p == nil || !p.Bundle.Due(now) {
			continue
		}
		var next *content
		err := k.bundles.Activate(id, now, func(a *bundle.Applied) error {
			if err := k.stillValid(id, a); err != nil {
				return err
			}
			var err error
			if next, err = k.composeWith(id, a.Bundle); err != nil {
				return err
			}
			return k.heldStays(id, next)
		})
		if errors.Is(err, bundle.ErrNothingHeld) {
			continue
		}
		if err != nil {
			k.Log.Error("content bundle held for later not applied", "bundle", p.Bundle.String(), "err", err)
			continue
		}
		k.showContent(next)
		k.Log.Info("content bundle applied", "bundle", p.Bundle.String(), "by", p.By, "held_since", p.At)
	}
}

// DropHeldBundle drops, for good, the bundle held for utility id to take effect later
// (one its utility sent by mistake), journaled with by: it is never applied, and it is
// refused (bundle.ErrDropped) should it come again, by the fleet's broker, the hall
// network or staff; a newer version is taken as any is. bundle.ErrNothingHeld (wrapped)
// when nothing is held, which it may no longer be: it may have just taken effect.
func (k *Kiosk) DropHeldBundle(id, by string) error {
	k.bundleMu.Lock()
	defer k.bundleMu.Unlock()
	a, err := k.bundles.Drop(id, k.Clock.Now(), by)
	if err != nil {
		k.Log.Warn("content bundle held for later not dropped", "utility", id, "by", by, "err", err)
		return err
	}
	k.Log.Info("content bundle held for later dropped", "bundle", a.Bundle.String(), "by", by)
	k.armHeld()
	k.fleetChanged()
	return nil
}

// heldStays refuses, wrapping ErrBundleContent, a bundle held for later with which the
// content next would send id's calls elsewhere than now: the kiosk moves them only to an
// API it has seen answer (probeEndpoint), which it cannot see ahead of time. Such a
// bundle holds the endpoint file of the bundle shown, if that has one.
func (k *Kiosk) heldStays(id string, next *content) error {
	cl, ok := k.clients[id].(endpointer)
	to := next.endpoint(id)
	if !ok || !cl.Moves(to) {
		return nil
	}
	where := "the configured endpoint"
	if to != nil {
		where = to.BaseURL
	}
	return fmt.Errorf("%w: it takes effect later and would send %s's calls to %s, not %s: a kiosk moves them only to an API it has seen answer; "+
		"move them with a bundle that takes effect at once, and give the one for later the same endpoint file", ErrBundleContent, id, where, cl.Endpoint().BaseURL)
}

// armHeld sets the timer for the next bundle held for later, if any; at most heldCheck
// ahead. It reads what is held under heldMu, so that of two calls the last sets the
// timer for what is held after both.
func (k *Kiosk) armHeld() {
	k.heldMu.Lock()
	defer k.heldMu.Unlock()
	k.stopHeld()
	next, ok := k.nextHeld()
	if !ok || k.closing.Load() {
		return
	}
	d := min(max(next.Sub(k.Clock.Now()), 0), heldCheck)
	k.heldTimer = k.Clock.AfterFunc(d, func() { k.spawn(k.applyDue) })
}

// disarmHeld stops the timer for good (Close: closing is set, so no call arms it again).
func (k *Kiosk) disarmHeld() {
	k.heldMu.Lock()
	defer k.heldMu.Unlock()
	k.stopHeld()
}

// stopHeld stops the timer; heldMu is held.
func (k *Kiosk) stopHeld() {
	if k.heldTimer != nil {
		k.heldTimer.Stop()
		k.heldTimer = nil
	}
}

// nextHeld is when the first bundle held for later takes effect.
func (k *Kiosk) nextHeld() (time.Time, bool) {
	sts, err := k.bundles.Statuses()
	if err != nil {
		return time.Time{}, false
	}
	var next time.Time
	for _, st := range sts {
		if p := st.Pending; p != nil && (next.IsZero() || p.Bundle.Manifest.Effective.Before(next)) {
			next = p.Bundle.Manifest.Effective
		}
	}
	return next, !next.IsZero()
}
