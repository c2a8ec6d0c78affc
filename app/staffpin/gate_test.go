package staffpin

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/workdays"
)

// t0 is when the gates under test start.
var t0 = time.Date(2026, 6, 12, 9, 0, 0, 0, time.UTC)

// newGate opens a gate on testHash, a new store's journal and a manual clock at t0.
func newGate(t *testing.T, o Options) (*Gate, *journal.Journal, *clock.Manual) {
	t.Helper()
	c := clock.NewManual(t0)
	j := journal.New(storetest.Open(t), c)
	o.Journal, o.Clock, o.Hash = j, c, testHash
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return g, j, c
}

// refused checks that err is a *RefusedError wrapping each of causes, with the given
// counts and time, and returns it.
func refused(t *testing.T, err error, until time.Time, failures, left int, causes ...error) *RefusedError {
	t.Helper()
	var r *RefusedError
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a *RefusedError", err)
	}
	for _, c := range causes {
		if !errors.Is(err, c) {
			t.Errorf("%v does not wrap %v", err, c)
		}
	}
	if !r.Until.Equal(until) || r.Failures != failures || r.Left != left {
		t.Errorf("%v: until %s, failures %d, left %d; want %s, %d, %d", err, r.Until, r.Failures, r.Left, until, failures, left)
	}
	return r
}

// kinds lists the kinds of the journal's events.
func kinds(t *testing.T, j *journal.Journal) []journal.Kind {
	t.Helper()
	events, err := j.Range(t0.Add(-time.Hour), t0.Add(48*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Kind
	for _, e := range events {
		if e.Actor != DefaultActor {
			t.Errorf("%s journaled with actor %q", e.Kind, e.Actor)
		}
		out = append(out, e.Kind)
	}
	return out
}

func sameKinds(a, b []journal.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDisabledGate(t *testing.T) {
	t.Parallel()
	g, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Enabled() {
		t.Fatal("a gate without a hash is enabled")
	}
	if err := g.Try(DemoPIN); !errors.Is(err, ErrDisabled) {
		t.Fatalf("Try = %v", err)
	}
	if err := g.Held(); err != nil {
		t.Fatalf("Held without a PIN = %v", err)
	}
	if u, err := g.LockedUntil(); err != nil || !u.IsZero() {
		t.Fatalf("LockedUntil = %s, %v", u, err)
	}
	if _, err := New(Options{Hash: "pbkdf2-sha256$5$x$y"}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("New with a bad hash: %v", err)
	}
	if _, err := New(Options{Hash: testHash}); err == nil {
		t.Fatal("New with a hash and no journal")
	}
}

// A wrong PIN is counted and journaled; the right one, once the wait is over, opens.
func TestWrongThenRight(t *testing.T) {
	t.Parallel()
	g, j, c := newGate(t, Options{})
	if !g.Enabled() {
		t.Fatal("not enabled")
	}
	refused(t, g.Try("1357"), t0.Add(time.Second), 1, 4, ErrWrongPIN)
	refused(t, g.Held(), t0.Add(time.Second), 1, 4, ErrTooSoon)
	refused(t, g.Try(testPIN), t0.Add(time.Second), 1, 4, ErrTooSoon)
	c.Advance(time.Second)
	if err := g.Held(); err != nil {
		t.Fatalf("Held after the wait: %v", err)
	}
	if err := g.Try(testPIN); err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(t, j), []journal.Kind{journal.StaffLoginFailed, journal.StaffLogin}; !sameKinds(got, want) {
		t.Fatalf("journal %v, want %v (a try refused as too soon is not journaled)", got, want)
	}
	if err := g.Held(); err != nil {
		t.Fatalf("Held after the login = %v", err)
	}
}

// After n wrong PINs in a row the next try is evaluated 2^(n-1) s after the last: not a
// moment before.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	g, _, c := newGate(t, Options{})
	last := t0
	refused(t, g.Try("1111"), last.Add(time.Second), 1, 4, ErrWrongPIN)
	for _, tc := range []struct {
		failures int
		wait     time.Duration
	}{
		{1, 1 * time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{4, 8 * time.Second},
	} {
		c.Advance(tc.wait - time.Millisecond)
		refused(t, g.Try(testPIN), last.Add(tc.wait), tc.failures, 5-tc.failures, ErrTooSoon)
		c.Advance(time.Millisecond)
		last = c.Now()
		if tc.failures == 4 {
			break // the fifth wrong PIN locks: TestLockout
		}
		next := time.Second << tc.failures
		refused(t, g.Try("1111"), last.Add(next), tc.failures+1, 4-tc.failures, ErrWrongPIN)
	}
	if err := g.Try(testPIN); err != nil {
		t.Fatalf("the right PIN after 4 wrong ones and the waits: %v", err)
	}
}

// wrong types n wrong PINs, each as soon as the rate limit allows, and returns the last
// error.
func wrong(t *testing.T, g *Gate, c *clock.Manual, n int) error {
	t.Helper()
	var err error
	for i := 0; i < n; i++ {
		var r *RefusedError
		if werr := g.Held(); errors.As(werr, &r) {
			c.Advance(r.Until.Sub(c.Now()))
		} else if werr != nil {
			t.Fatal(werr)
		}
		if err = g.Try("97531"); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	return err
}

// Five wrong PINs in a row lock the gate for 15 minutes from the last; then the count
// starts again.
func TestLockout(t *testing.T) {
	t.Parallel()
	g, j, c := newGate(t, Options{})
	if err := wrong(t, g, c, 4); err == nil {
		t.Fatal("a wrong PIN accepted")
	}
	if u, err := g.LockedUntil(); err != nil || !u.IsZero() {
		t.Fatalf("LockedUntil after 4 wrong PINs = %s, %v: a slowed gate is not locked", u, err)
	}
	err := wrong(t, g, c, 1)
	last := c.Now()
	until := last.Add(15 * time.Minute)
	refused(t, err, until, 5, 0, ErrWrongPIN, ErrLocked)
	if u, err := g.LockedUntil(); err != nil || !u.Equal(until) {
		t.Fatalf("LockedUntil when locked = %s, %v, want %s", u, err, until)
	}
	events, _ := j.Range(t0, until, 0)
	if e := events[len(events)-1]; e.Kind != journal.StaffLocked || !strings.Contains(e.Detail, "锁定至 "+until.In(workdays.CST).Format(time.DateTime)) {
		t.Fatalf("last event %+v, want staff.locked with its end", e)
	}
	for _, d := range []time.Duration{0, time.Second, 14*time.Minute + 59*time.Second} {
		c.Advance(last.Add(d).Sub(c.Now()))
		refused(t, g.Try(testPIN), until, 5, 0, ErrLocked)
		refused(t, g.Held(), until, 5, 0, ErrLocked)
	}
	c.Advance(time.Second)
	if err := g.Held(); err != nil {
		t.Fatalf("Held after the lockout = %v", err)
	}
	if u, err := g.LockedUntil(); err != nil || !u.IsZero() {
		t.Fatalf("LockedUntil after the lockout = %s, %v", u, err)
	}
	refused(t, g.Try("97531"), c.Now().Add(time.Second), 1, 4, ErrWrongPIN)
	c.Advance(time.Second)
	if err := g.Try(testPIN); err != nil {
		t.Fatal(err)
	}
	want := []journal.Kind{journal.StaffLoginFailed, journal.StaffLoginFailed, journal.StaffLoginFailed, journal.StaffLoginFailed,
		journal.StaffLoginFailed, journal.StaffLocked, journal.StaffLoginFailed, journal.StaffLogin}
	if got := kinds(t, j); !sameKinds(got, want) {
		t.Fatalf("journal %v, want %v", got, want)
	}
}

// Options change the limit, the lockout and the journal's actor.
func TestOptions(t *testing.T) {
	t.Parallel()
	g, j, c := newGate(t, Options{MaxFailures: 2, Lockout: time.Hour, Actor: "工号0107"})
	refused(t, g.Try("0000"), t0.Add(time.Second), 1, 1, ErrWrongPIN)
	c.Advance(time.Second)
	refused(t, g.Try("0000"), c.Now().Add(time.Hour), 2, 0, ErrLocked)
	events, _ := j.Range(t0, t0.Add(time.Hour), 0)
	for _, e := range events {
		if e.Actor != "工号0107" {
			t.Errorf("%s by %q", e.Kind, e.Actor)
		}
	}
}

// A lockout survives a restart: a new gate, on the database opened again, is locked.
func TestLockoutSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := clock.NewManual(t0)
	open := func() (*store.Store, *Gate) {
		st, err := store.Open(store.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		g, err := New(Options{Journal: journal.New(st, c), Clock: c, Hash: testHash})
		if err != nil {
			t.Fatal(err)
		}
		return st, g
	}
	st, g := open()
	wrong(t, g, c, 5)
	until := c.Now().Add(15 * time.Minute)
	st.Close()
	c.Advance(10 * time.Minute)
	st, g = open()
	defer st.Close()
	refused(t, g.Try(testPIN), until, 5, 0, ErrLocked)
	c.Advance(5 * time.Minute)
	if err := g.Try(testPIN); err != nil {
		t.Fatal(err)
	}
}

// The right PIN ends a run of wrong ones, and so does Lockout without a wrong PIN.
func TestCountResets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		reset func(g *Gate, c *clock.Manual) error
	}{
		{"the right PIN", func(g *Gate, c *clock.Manual) error { c.Advance(8 * time.Second); return g.Try(testPIN) }},
		{"15 quiet minutes", func(g *Gate, c *clock.Manual) error { c.Advance(15 * time.Minute); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _, c := newGate(t, Options{})
			wrong(t, g, c, 4)
			if err := tc.reset(g, c); err != nil {
				t.Fatal(err)
			}
			if err := g.Held(); err != nil {
				t.Fatalf("Held = %v", err)
			}
			refused(t, g.Try("97531"), c.Now().Add(time.Second), 1, 4, ErrWrongPIN)
		})
	}
}

// Wrong PINs each less than Lockout after the one before are one run, however long it
// takes: the fifth locks, though the first is long out of the journal window of one
// Lockout.
func TestSlowRun(t *testing.T) {
	t.Parallel()
	g, _, c := newGate(t, Options{})
	for i := 0; i < 4; i++ {
		refused(t, g.Try("8642"), c.Now().Add(time.Second<<i), i+1, 4-i, ErrWrongPIN)
		c.Advance(14*time.Minute + 59*time.Second)
	}
	refused(t, g.Try("8642"), c.Now().Add(15*time.Minute), 5, 0, ErrWrongPIN, ErrLocked)
}

// A PIN that is not 4 to 12 digits counts as a wrong one.
func TestInvalidPINIsWrong(t *testing.T) {
	t.Parallel()
	g, j, _ := newGate(t, Options{})
	refused(t, g.Try("12ab"), t0.Add(time.Second), 1, 4, ErrWrongPIN)
	if got := kinds(t, j); !sameKinds(got, []journal.Kind{journal.StaffLoginFailed}) {
		t.Fatalf("journal %v", got)
	}
}

// Two taps at once: one try is evaluated, the other is too soon after it.
func TestConcurrentTries(t *testing.T) {
	t.Parallel()
	g, j, _ := newGate(t, Options{})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.Try("1357")
		}()
	}
	wg.Wait()
	wrongs, soon := 0, 0
	for _, err := range errs {
		switch {
		case errors.Is(err, ErrWrongPIN):
			wrongs++
		case errors.Is(err, ErrTooSoon):
			soon++
		}
	}
	if wrongs != 1 || soon != 1 {
		t.Fatalf("errors %v: want one wrong PIN and one too soon", errs)
	}
	if got := kinds(t, j); !sameKinds(got, []journal.Kind{journal.StaffLoginFailed}) {
		t.Fatalf("journal %v", got)
	}
}

// Neither a PIN typed, right or wrong, nor the hash is in the journal or an error.
func TestNoPINInJournal(t *testing.T) {
	t.Parallel()
	g, j, c := newGate(t, Options{})
	pins := []string{"73915824", "5550199", "86420"}
	var msgs []string
	for _, p := range pins {
		if err := g.Try(p); err != nil {
			msgs = append(msgs, err.Error())
		}
		c.Advance(time.Minute)
		if err := g.Try(p); err != nil {
			msgs = append(msgs, err.Error()) // locked by now: another message
		}
		c.Advance(time.Minute)
	}
	c.Advance(time.Hour)
	if err := g.Try(testPIN); err != nil {
		t.Fatal(err)
	}
	events, err := j.Range(t0, c.Now().Add(time.Second), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 4 {
		t.Fatalf("only %d events", len(events))
	}
	_, salt, key, _ := parse(testHash)
	secrets := append([]string{testPIN, b64.EncodeToString(salt), b64.EncodeToString(key), testHash}, pins...)
	for _, e := range events {
		b, _ := json.Marshal(e)
		msgs = append(msgs, string(b))
	}
	for _, m := range msgs {
		for _, s := range secrets {
			if strings.Contains(m, s) {
				t.Errorf("%q holds %q", m, s)
			}
		}
	}
}

// Staff's unlock (kioskctl staff unlock journals it, the kiosk running or not) ends the
// run of wrong PINs: a locked gate takes tries again at once, also after a restart, and
// counts the wrong PINs after it from one; the lockout is journaled with its end.
func TestUnlock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		wrong int // wrong PINs before the unlock
	}{
		{"locked", 5},
		{"slowed down", 3},
		{"nothing to end", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, j, c := newGate(t, Options{})
			if tc.wrong > 0 {
				wrong(t, g, c, tc.wrong)
			}
			if err := j.Record(Unlock("工号0107")); err != nil {
				t.Fatal(err)
			}
			if u, err := g.LockedUntil(); err != nil || !u.IsZero() {
				t.Fatalf("LockedUntil after the unlock = %s, %v", u, err)
			}
			if err := g.Held(); err != nil {
				t.Fatalf("Held after the unlock = %v", err)
			}
			again, err := New(Options{Journal: j, Clock: c, Hash: testHash}) // a restart
			if err != nil {
				t.Fatal(err)
			}
			refused(t, again.Try("97531"), c.Now().Add(time.Second), 1, 4, ErrWrongPIN)
			c.Advance(time.Second)
			if err := g.Try(testPIN); err != nil {
				t.Fatalf("the right PIN after the unlock: %v", err)
			}
			events, _ := j.Range(t0.Add(-time.Hour), c.Now().Add(time.Hour), 0)
			var unlock *journal.Event
			for i, e := range events {
				if e.Kind == journal.StaffUnlock {
					unlock = &events[i]
				}
			}
			if unlock == nil || unlock.Actor != "工号0107" {
				t.Fatalf("the unlock journaled as %+v", unlock)
			}
		})
	}
}
