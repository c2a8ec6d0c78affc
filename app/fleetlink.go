package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/fleet"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staff"
)

// fleetLink is the kiosk's link to the city's broker (fleet.broker, docs/fleet.md).
type fleetLink struct {
	mu sync.Mutex
	// link is set once connecting began (nil if it could not begin), and linked closed
	// then: the link's callbacks, and the kiosk's listeners, may come before.
	link   *fleet.Kiosk
	linked chan struct{}
	// told is each device's state as last published in an alarm.
	told map[string]fleet.Alarm
	// refused is the digest of each utility's bundle last refused from the broker: the
	// broker hands it again on every connection, and it is refused (and journaled) once.
	// Only the kiosk's utilities have one: any other topic would grow it at will.
	refused map[string][sha256.Size]byte
	// rate bounds the bundles from the broker checked and journaled, by topic, as the
	// hall network's are by sender: a flood of ever different junk on a utility's topic
	// (its account misused, a broker without the ACL) would fill the journal.
	rate limiter
	// publishing orders the statuses: each is made and handed to the link under it, so
	// that the broker does not keep one made before the last (two changes at once, a
	// bundle applied as a device came up, left the older status kept until the next),
	// nor a "running" after the "stopped" of a kiosk that stops.
	publishing sync.Mutex
}

// get is the link; nil until connecting began.
func (fl *fleetLink) get() *fleet.Kiosk {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.link
}

// wait is the link once connecting began: what is published before (the status of the
// first connection, a bundle it brought applied, a device's first state) waits for it
// rather than go unpublished until the next fleet.status_every.
func (fl *fleetLink) wait() *fleet.Kiosk {
	<-fl.linked
	return fl.get()
}

// startFleet links the kiosk to the city's broker, if one is configured: it publishes the
// kiosk's status on connecting, on every change of a device's state (with an alarm) or of
// its bundles, and every fleet.status_every, and takes the utilities' bundles published
// there. A broker that cannot be reached holds nothing up: the link keeps trying, and
// the log says why.
func (k *Kiosk) startFleet(ctx context.Context) {
	f := k.Config.Fleet
	if f.Broker == "" {
		return
	}
	b, err := fleet.BrokerOf(f, k.Config.Kiosk.ID)
	if err != nil {
		k.Log.Error("fleet: not linked to the broker", "err", err)
		return
	}
	// In place before the link's callbacks and the kiosk's listeners can come.
	fl := &fleetLink{told: map[string]fleet.Alarm{}, refused: map[string][sha256.Size]byte{}, linked: make(chan struct{})}
	k.fleet = fl
	k.OnDevice(k.fleetDevice)
	k.OnContent(k.fleetChanged)
	link, err := fleet.Connect(fleet.KioskOptions{Broker: b, Kiosk: k.Config.Kiosk.ID, Prefix: f.Prefix, Logger: k.Log,
		OnBundle:  k.fleetBundle,
		OnConnect: func() { k.spawn(k.publishStatus) }})
	fl.mu.Lock()
	fl.link = link
	fl.mu.Unlock()
	close(fl.linked)
	if err != nil {
		k.Log.Error("fleet: not linked to the broker", "err", err)
		return
	}
	k.spawn(func() {
		t := time.NewTicker(f.StatusEvery.Duration)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				k.publishStatus()
			}
		}
	})
}

// fleetStatus is the kiosk's status for the fleet in state.
func (k *Kiosk) fleetStatus(state fleet.State) fleet.Status {
	s := fleet.Status{Kiosk: k.Config.Kiosk.ID, State: state, Time: k.Clock.Now(), Hall: k.Config.Kiosk.HallName,
		Release: buildRevision(), Bundles: map[string]uint64{}, Held: map[string]uint64{}}
	for id, b := range k.content.Load().bundles {
		s.Bundles[id] = b.Manifest.Version
	}
	if sts, err := k.bundles.Statuses(); err == nil {
		for id, st := range sts {
			if st.Pending != nil {
				s.Held[id] = st.Pending.Bundle.Manifest.Version
			}
		}
	}
	if state == fleet.Running {
		report, err := k.staffLocal().Status(context.Background())
		if err == nil {
			s.Report, err = json.Marshal(report)
		}
		if err != nil {
			k.Log.Warn("fleet: the status goes out without the kiosk's report", "err", err)
		}
	}
	return s
}

// publishStatus publishes the kiosk's status, if the link is up (the next connection
// publishes it anew).
func (k *Kiosk) publishStatus() {
	link := k.fleet.wait()
	if link == nil {
		return
	}
	k.fleet.publishing.Lock()
	defer k.fleet.publishing.Unlock()
	if err := link.PublishStatus(k.fleetStatus(fleet.Running)); err != nil && !errors.Is(err, fleet.ErrNotConnected) {
		k.Log.Warn("fleet: status not published", "err", err)
	}
}

// fleetChanged publishes the status anew, if linked to the broker: what it says changed
// (a bundle applied, rolled back or held).
func (k *Kiosk) fleetChanged() {
	if k.fleet != nil {
		k.spawn(k.publishStatus)
	}
}

// fleetDevice publishes an alarm, and the status, when a device's state changes as the
// fleet last heard it (devices report the same state again: the printer after every
// receipt), and the status alone when a device first reports that it works.
func (k *Kiosk) fleetDevice(e DeviceEvent) {
	a := fleet.Alarm{Kiosk: k.Config.Kiosk.ID, Time: k.Clock.Now(), Device: e.Device, OK: e.OK, Detail: e.Detail}
	fl := k.fleet
	fl.mu.Lock()
	last, ok := fl.told[e.Device]
	changed := !ok && !e.OK || ok && (last.OK != a.OK || last.Detail != a.Detail)
	fl.told[e.Device] = a
	fl.mu.Unlock()
	if !changed && ok {
		return
	}
	k.spawn(func() {
		if link := fl.wait(); link != nil && changed {
			if err := link.PublishAlarm(a); err != nil {
				k.Log.Warn("fleet: alarm not published", "device", a.Device, "ok", a.OK, "err", err)
			}
		}
		k.publishStatus()
	})
}

// fleetBundle applies a utility's bundle from the broker. The broker gives the latest
// again on every connection: a version the kiosk already applied or holds, or the very
// bundle it refused last for good (badly signed, say: not one expired by a clock not
// yet set, see refusedForGood), is passed over without a word, where anything else is
// checked, and journaled, as any bundle is.
func (k *Kiosk) fleetBundle(topicUtility string, data []byte) {
	b, perr := bundle.Parse(data)
	if perr == nil {
		if st, err := k.bundles.Statuses(); err == nil {
			s := st[b.Manifest.Utility]
			// Staff's drop of a held bundle holds too: the broker hands the same bundle
			// over again at each connection.
			if v := b.Manifest.Version; v <= s.Seen || v <= s.Dropped || s.Pending != nil && v <= s.Pending.Bundle.Manifest.Version {
				k.Log.Debug("fleet: bundle taken before", "bundle", b.String())
				return
			}
		}
	}
	fl := k.fleet
	sum := sha256.Sum256(data)
	fl.mu.Lock()
	last, seen := fl.refused[topicUtility]
	fl.mu.Unlock()
	if seen && last == sum {
		return
	}
	if !fl.rate.allow(topicUtility, k.Clock.Now()) {
		// Not journaled, and logged below a warning: the flood would fill the log too. A
		// bundle the utility means is kept by the broker and comes again at the next
		// connection.
		k.Log.Debug("fleet: too many bundles on the topic; passed over", "topic_utility", topicUtility)
		return
	}
	var err error
	if perr == nil && b.Manifest.Utility != topicUtility {
		err = k.refuseOffTopic(topicUtility, b)
	} else {
		_, err = k.ApplyBundle(data, ByFleet+topicUtility)
	}
	fl.mu.Lock()
	if refusedForGood(err) && slices.Contains(config.UtilityIDs, topicUtility) {
		fl.refused[topicUtility] = sum
	} else {
		delete(fl.refused, topicUtility)
	}
	fl.mu.Unlock()
	if err != nil {
		k.Log.Warn("fleet: bundle refused", "topic_utility", topicUtility, "err", err)
	}
}

// refuseOffTopic refuses, wrapping bundle.ErrScope, and journals a bundle that came on
// another utility's topic than its own: each utility publishes on its own topic only (the
// city's ACL), so it came from a broker without that rule or an account misused, and the
// journal would name the wrong utility as who delivered it. Its own utility publishes it
// on its own topic.
func (k *Kiosk) refuseOffTopic(topicUtility string, b *bundle.Bundle) error {
	err := fmt.Errorf("%w: bundle %s v%d came on the broker's topic of %s: a utility publishes its bundles on its own topic (kioskctl bundle publish)",
		bundle.ErrScope, b.Manifest.Utility, b.Manifest.Version, topicUtility)
	e := journal.Event{Kind: journal.BundleRefused, Actor: ByFleet + topicUtility, Detail: err.Error()}
	if slices.Contains(config.UtilityIDs, topicUtility) {
		e.Utility = topicUtility
	}
	k.record(e)
	k.Log.Warn("content bundle refused", "by", ByFleet+topicUtility, "err", err)
	return err
}

// refusedForGood reports a refusal the same bundle would meet again: malformed, badly
// signed, out of scope, stale or dropped by staff, its content refused, no key for it. Not one that passes:
// expired or created in the future by the kiosk's clock (wrong at boot until NTP sets
// it), an endpoint that may answer by the next connection, a database error.
func refusedForGood(err error) bool {
	for _, lasting := range []error{bundle.ErrMalformed, bundle.ErrSignature, bundle.ErrScope, bundle.ErrStale,
		bundle.ErrDropped, bundle.ErrNoKey, ErrBundleContent} {
		if errors.Is(err, lasting) {
			return true
		}
	}
	return false
}

// fleetState is the link to the broker for staff; nil without one configured.
func (k *Kiosk) fleetState() *staff.FleetLink {
	if k.Config.Fleet.Broker == "" {
		return nil
	}
	s := &staff.FleetLink{Broker: k.Config.Fleet.Broker}
	if k.fleet != nil {
		if link := k.fleet.get(); link != nil {
			s.Linked = link.Connected()
		}
	}
	return s
}

// stopFleet publishes the kiosk's last status, stopped, and unlinks it.
func (k *Kiosk) stopFleet() {
	if k.fleet == nil {
		return
	}
	if link := k.fleet.get(); link != nil {
		// After any status under way, and before any to come (the closed link publishes
		// none): the broker keeps "stopped", not a "running" sent after it.
		k.fleet.publishing.Lock()
		defer k.fleet.publishing.Unlock()
		link.Close(k.fleetStatus(fleet.Stopped))
	}
}
