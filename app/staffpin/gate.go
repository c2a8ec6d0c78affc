package staffpin

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/workdays"
)

// Defaults of Options.
const (
	DefaultMaxFailures = 5
	DefaultLockout     = 15 * time.Minute
	// DefaultActor names the touchscreen in the journal: whoever typed the PIN is not
	// known, only that it was typed on the screen (kioskctl's staff give their 工号).
	DefaultActor = "维护模式"
)

// margin widens the journal window read for the state: a clock stepped back a little
// (an NTP correction) must not hide a recent wrong PIN journaled "in the future".
const margin = time.Minute

// Errors of Try. A refusal comes as a *RefusedError that wraps one (or, for the wrong PIN
// that locks, both ErrWrongPIN and ErrLocked): test with errors.Is.
var (
	ErrDisabled = errors.New("staffpin: maintenance mode is off: no PIN hash is configured")
	// ErrStaffID is Try on a gate of members, each with a PIN of their own (TryAs), or
	// TryAs on a gate of one shared PIN (Try).
	ErrStaffID  = errors.New("staffpin: the gate's PINs are not kept that way")
	ErrWrongPIN = errors.New("staffpin: wrong PIN")
	ErrTooSoon  = errors.New("staffpin: too soon after a wrong PIN")
	ErrLocked   = errors.New("staffpin: locked after too many wrong PINs")
)

// RefusedError is a PIN refused, or a try refused for now, with what the screen shows:
// when to try again and how many tries are left.
type RefusedError struct {
	// Until is when the next try will be evaluated; Try refuses every try before it.
	Until time.Time
	// Failures is how many wrong PINs in a row count now.
	Failures int
	// Left is how many more wrong PINs lock the gate; 0 once locked.
	Left int

	cause error
}

// Error says what happened and when to try again, never the PIN.
func (e *RefusedError) Error() string {
	at := e.Until.Format(time.DateTime)
	switch {
	case errors.Is(e.cause, ErrLocked) && errors.Is(e.cause, ErrWrongPIN):
		return fmt.Sprintf("staffpin: wrong PIN, %d in a row: locked until %s", e.Failures, at)
	case errors.Is(e.cause, ErrLocked):
		return fmt.Sprintf("staffpin: locked after %d wrong PINs in a row, until %s", e.Failures, at)
	case errors.Is(e.cause, ErrTooSoon):
		return fmt.Sprintf("staffpin: too soon after a wrong PIN: try again at %s (%d tries left)", at, e.Left)
	}
	return fmt.Sprintf("staffpin: wrong PIN: %d tries left, the next at %s", e.Left, at)
}

// Unwrap gives errors.Is the reason: ErrWrongPIN, ErrTooSoon, ErrLocked, or the first
// and the last together.
func (e *RefusedError) Unwrap() error { return e.cause }

// Options configure a Gate.
type Options struct {
	// Journal records every try evaluated, and is where the Gate reads its state back.
	Journal *journal.Journal
	// Clock tells the time of tries and lockouts; nil: the system clock.
	Clock clock.Clock
	// Hash is the encoded PIN hash (Hash, [staff] pin_hash); "": maintenance mode off.
	Hash string
	// MaxFailures is how many wrong PINs in a row lock the gate (≤ 0: DefaultMaxFailures).
	MaxFailures int
	// Lockout is how long a lockout lasts from the last wrong PIN (≤ 0: DefaultLockout).
	Lockout time.Duration
	// Actor is the journal's actor of the tries ("": DefaultActor).
	Actor string
	// Members are the hall's staff, each with a PIN of their own ([[staff.members]]),
	// tried with TryAs and named in the journal; instead of Hash, not beside it.
	Members []Member
}

// Member is one of the hall's staff, with a PIN of their own.
type Member struct {
	// ID is the member's 工号: 1 to 12 digits, typed on the screen's keypad.
	ID string
	// Name is the member's name, in the journal beside the 工号.
	Name string
	// Hash is the member's PIN's hash (Hash), never the PIN.
	Hash string
}

// Check says which of the member's fields (id, name or pin_hash) is not valid, and why.
func (m Member) Check() (field string, err error) {
	if err := ValidStaffID(m.ID); err != nil {
		return "id", err
	}
	if strings.TrimSpace(m.Name) == "" || utf8.RuneCountInString(m.Name) > 16 {
		return "name", errors.New("a name is 1 to 16 characters, not blank")
	}
	if err := CheckHash(m.Hash); err != nil {
		return "pin_hash", err
	}
	return "", nil
}

// Label names the member in the journal: "工号 0417 王芳".
func (m Member) Label() string { return "工号 " + m.ID + " " + m.Name }

// Gate checks PINs typed on the screen. After n wrong PINs in a row it evaluates the
// next try only 2^(n-1) s after the last (1, 2, 4, 8 s); after MaxFailures it refuses
// every try until Lockout has passed since the last. The right PIN resets the count, and
// so do Lockout without a wrong PIN (a wrong PIN yesterday does not count today) and
// staff's staff.unlock (Unlock, kioskctl staff unlock). The state is the journal's
// staff.login, staff.unlock and staff.login_failed events, read at every try: a restart
// does not reset it. A Gate is safe for concurrent use.
type Gate struct {
	journal *journal.Journal
	clock   clock.Clock
	hash    string
	members map[string]Member
	max     int
	lockout time.Duration
	actor   string

	// mu makes the check of the state, the PIN's verification and its journaling one
	// step: two taps at once cannot both pass the rate limit.
	mu sync.Mutex
}

// New returns a gate. It refuses a hash that CheckHash refuses, so that a kiosk does not
// start with a maintenance mode nobody can open, and a hash without a journal.
func New(o Options) (*Gate, error) {
	if o.Hash != "" && len(o.Members) > 0 {
		return nil, errors.New("staffpin: one shared PIN (staff.pin_hash) or a PIN for each member (staff.members), not both")
	}
	if o.Hash != "" {
		if err := CheckHash(o.Hash); err != nil {
			return nil, err
		}
	}
	members := map[string]Member{}
	for i, m := range o.Members {
		if field, err := m.Check(); err != nil {
			return nil, fmt.Errorf("staffpin: staff.members[%d].%s: %w", i, field, err)
		}
		if _, dup := members[m.ID]; dup {
			return nil, fmt.Errorf("staffpin: staff.members[%d].id: 工号 %s twice", i, m.ID)
		}
		members[m.ID] = m
	}
	if (o.Hash != "" || len(members) > 0) && o.Journal == nil {
		return nil, errors.New("staffpin: no journal to record the tries in")
	}
	g := &Gate{journal: o.Journal, clock: o.Clock, hash: o.Hash, members: members, max: o.MaxFailures, lockout: o.Lockout, actor: o.Actor}
	if g.clock == nil {
		g.clock = clock.System()
	}
	if g.max <= 0 {
		g.max = DefaultMaxFailures
	}
	if g.lockout <= 0 {
		g.lockout = DefaultLockout
	}
	if g.actor == "" {
		g.actor = DefaultActor
	}
	return g, nil
}

// Enabled reports whether maintenance mode can be opened: a hash is configured, or
// members are.
func (g *Gate) Enabled() bool { return g.hash != "" || len(g.members) > 0 }

// PerMember reports whether each member has a PIN of their own: tries give a 工号
// (TryAs).
func (g *Gate) PerMember() bool { return len(g.members) > 0 }

// ValidStaffID checks a 工号: 1 to 12 digits.
func ValidStaffID(id string) error {
	if id == "" || len(id) > 12 || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("%q is not a 工号 of 1 to 12 digits", id)
	}
	return nil
}

// Try checks pin and returns nil when it is right, journaled as staff.login. Otherwise:
// ErrDisabled without a hash; a *RefusedError wrapping ErrTooSoon or ErrLocked when no
// try is evaluated for now (nothing is journaled); a *RefusedError wrapping ErrWrongPIN
// for a wrong PIN (one that is not 4 to 12 digits included), journaled as
// staff.login_failed, and as staff.locked too when it locks the gate (then it also
// wraps ErrLocked). A try that cannot be journaled is refused with the journal's error:
// no login, and no wrong PIN, goes unrecorded.
//
// Verifying the PIN takes PBKDF2's time (0.1 s at DefaultIterations on an x86 core with
// SHA extensions, BenchmarkVerify; longer on a small board), during which other tries
// wait: call Try off the UI goroutine.
func (g *Gate) Try(pin string) error {
	if !g.Enabled() {
		return ErrDisabled
	}
	if g.PerMember() {
		return ErrStaffID
	}
	return g.try(func() (bool, error) { return Verify(g.hash, pin) }, g.actor, "")
}

// TryAs checks the PIN of the member whose 工号 is id, as Try checks the shared PIN, and
// returns the member when it is right; the journal's staff.login names them, and a wrong
// PIN's staff.login_failed their 工号. A 工号 nobody has costs the same time as a wrong
// PIN and counts as one, so that the screen tells no 工号 apart; the journal calls it
// 未知工号, never what was typed (a PIN typed into the 工号 field). The run of wrong PINs is the kiosk's, not a member's: trying
// many 工号 does not get more tries. ErrStaffID on a gate of one shared PIN.
func (g *Gate) TryAs(id, pin string) (Member, error) {
	if !g.Enabled() {
		return Member{}, ErrDisabled
	}
	if !g.PerMember() {
		return Member{}, ErrStaffID
	}
	m, known := g.members[id]
	hash, failPrefix := m.Hash, "工号 "+id+"："
	if !known {
		for _, other := range g.members {
			hash = other.Hash
			break
		}
		// What was typed is not journaled: it may be a PIN typed into the 工号 field.
		failPrefix = "未知工号："
	}
	err := g.try(func() (bool, error) {
		ok, err := Verify(hash, pin)
		return ok && known, err
	}, m.Label(), failPrefix)
	if err != nil {
		return Member{}, err
	}
	return m, nil
}

// try evaluates one try whose check says whether the PIN is right: the rate limit and
// lockout first, then the check, then the journal (a login by actor, or a wrong PIN
// whose detail begins with failPrefix).
func (g *Gate) try(check func() (bool, error), actor, failPrefix string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clock.Now()
	n, last, err := g.state(now)
	if err != nil {
		return err
	}
	if err := g.held(n, last, now); err != nil {
		return err
	}
	ok, err := check()
	if err != nil {
		return err
	}
	at := g.clock.Now() // after PBKDF2's time: the journal's order is the tries' order
	if ok {
		if err := g.record(journal.Event{Time: at, Kind: journal.StaffLogin, Actor: actor}); err != nil {
			return err
		}
		return nil
	}
	n++
	if err := g.record(journal.Event{Time: at, Kind: journal.StaffLoginFailed, Detail: fmt.Sprintf("%s连续第%d次输错", failPrefix, n)}); err != nil {
		return err
	}
	if n < g.max {
		return &RefusedError{Until: g.until(n, at), Failures: n, Left: g.max - n, cause: ErrWrongPIN}
	}
	until := g.until(n, at)
	// The journal is read by the hall's staff, on the screen and through kioskctl.
	detail := fmt.Sprintf("连续输错%d次，锁定至 %s", n, until.In(workdays.CST).Format(time.DateTime))
	if err := g.record(journal.Event{Time: at, Kind: journal.StaffLocked, Detail: detail}); err != nil {
		return err
	}
	return &RefusedError{Until: until, Failures: n, cause: errors.Join(ErrWrongPIN, ErrLocked)}
}

// held is the refusal of a try at now after n wrong PINs in a row, the last at last,
// before its PIN is checked: too soon after a wrong PIN, or locked; nil when it is taken.
func (g *Gate) held(n int, last, now time.Time) error {
	until := g.until(n, last)
	switch {
	case !now.Before(until):
		return nil
	case n >= g.max:
		return &RefusedError{Until: until, Failures: n, cause: ErrLocked}
	}
	return &RefusedError{Until: until, Failures: n, Left: g.max - n, cause: ErrTooSoon}
}

// Held is what a try now would be refused with before its PIN is checked (a
// *RefusedError: too soon after a wrong PIN, or locked), for a screen opened meanwhile
// to say so; nil when a try is taken, or the gate has no PIN. It does not wait for a Try
// in progress.
func (g *Gate) Held() error {
	if !g.Enabled() {
		return nil
	}
	now := g.clock.Now()
	n, last, err := g.state(now)
	if err != nil {
		return err
	}
	return g.held(n, last, now)
}

// LockedUntil is when the gate takes tries again while too many wrong PINs in a row
// have locked it (someone may be guessing: staff and the city should know); zero when
// it is not locked, or has no PIN.
func (g *Gate) LockedUntil() (time.Time, error) {
	if !g.Enabled() {
		return time.Time{}, nil
	}
	now := g.clock.Now()
	n, last, err := g.state(now)
	if err != nil || n < g.max {
		return time.Time{}, err
	}
	if until := g.until(n, last); now.Before(until) {
		return until, nil
	}
	return time.Time{}, nil
}

// Unlock is the event that ends the run of wrong PINs, and so a lockout, on the gate of
// the journal it is recorded in, running or not (the gate reads its state there at
// every try): staff's, by actor.
func Unlock(actor string) journal.Event {
	return journal.Event{Kind: journal.StaffUnlock, Actor: actor, Detail: "维护口令锁定已解除"}
}

func (g *Gate) record(e journal.Event) error {
	if e.Actor == "" {
		e.Actor = g.actor
	}
	if err := g.journal.Record(e); err != nil {
		return fmt.Errorf("staffpin: the try could not be journaled, so it is refused: %w", err)
	}
	return nil
}

// until is the time before which no try is evaluated after n wrong PINs in a row, the
// last at last: Lockout after it once locked, else 2^(n-1) s (at most Lockout).
func (g *Gate) until(n int, last time.Time) time.Time {
	switch {
	case n <= 0:
		return time.Time{}
	case n >= g.max:
		return last.Add(g.lockout)
	}
	return last.Add(min(time.Second<<(n-1), g.lockout))
}

// state reads the run of wrong PINs that counts at now back from the journal: how many
// (at most MaxFailures), and when the last was. A run ends, going back, at a staff.login
// or a staff.unlock, or at a gap of Lockout or more between two wrong PINs (or between the last and now).
// Usually one window of the journal, Lockout long, holds it; a run whose wrong PINs came
// slowly, each less than Lockout after the one before, is followed into earlier windows.
func (g *Gate) state(now time.Time) (n int, last time.Time, err error) {
	var earliest time.Time // the earliest wrong PIN of the run so far
	to := now.Add(margin)
	for {
		from := to.Add(-g.lockout - 2*margin)
		events, err := g.journal.Range(from, to, 0)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("staffpin: reading the journal: %w", err)
		}
		for i := len(events) - 1; i >= 0; i-- {
			e := events[i]
			switch e.Kind {
			case journal.StaffLogin, journal.StaffUnlock:
				return n, last, nil
			case journal.StaffLoginFailed:
				after := now
				if n > 0 {
					after = earliest
				}
				if after.Sub(e.Time) >= g.lockout {
					return n, last, nil
				}
				if n == 0 {
					last = e.Time
				}
				n++
				earliest = e.Time
				if n >= g.max {
					return n, last, nil
				}
			}
		}
		// A wrong PIN before the earliest one still in the run would be less than
		// Lockout before it: if that time is inside this window, there is none.
		if n == 0 || !earliest.Add(-g.lockout).Before(from) {
			return n, last, nil
		}
		to = from
	}
}
