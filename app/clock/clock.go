// Package clock abstracts time so that timers (idle timeout, retries, countdowns) can
// be tested without waiting: production code uses System, tests use a Manual clock.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and schedules functions.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine (System) or from Advance (Manual) after d.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled call that can be stopped.
type Timer interface {
	// Stop prevents the call; it reports whether the call was still pending.
	Stop() bool
}

// System is the real clock.
func System() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Manual is a clock that moves only when Advance is called. It is safe for concurrent use;
// scheduled functions run synchronously inside Advance, outside its lock.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*manualTimer
}

// NewManual returns a manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

type manualTimer struct {
	c    *Manual
	at   time.Time
	seq  int
	f    func()
	done bool
}

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d.
func (c *Manual) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	pending := !t.done
	t.done = true
	return pending
}

// Advance moves the clock forward by d, running every function that falls due, in order.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *manualTimer
		live := c.timers[:0]
		for _, t := range c.timers {
			if t.done {
				continue
			}
			live = append(live, t)
		}
		c.timers = live
		sort.Slice(c.timers, func(i, j int) bool {
			if c.timers[i].at.Equal(c.timers[j].at) {
				return c.timers[i].seq < c.timers[j].seq
			}
			return c.timers[i].at.Before(c.timers[j].at)
		})
		if len(c.timers) > 0 && !c.timers[0].at.After(end) {
			next = c.timers[0]
			next.done = true
			if next.at.After(c.now) {
				c.now = next.at
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending returns how many scheduled functions have not run or been stopped.
func (c *Manual) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}
