package session

import (
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
)

// State is where the idle timer stands.
type State int

const (
	// Resting: nobody is being served (home screen, no session). No timer runs.
	Resting State = iota
	// Active: someone is being served and has touched the screen recently.
	Active
	// Warning: the idle time has passed; the countdown is on screen.
	Warning
)

// String is the state's name, for logs.
func (s State) String() string {
	return [...]string{"resting", "active", "warning"}[s]
}

// EventKind says what happened.
type EventKind int

const (
	// Started: a new session began.
	Started EventKind = iota
	// Warned: the countdown is running; Remaining says how long is left. Sent once a second.
	Warned
	// Resumed: the citizen touched the screen during the countdown.
	Resumed
	// Ended: the session was wiped (Reason says why) and the kiosk returns home.
	Ended
)

// Reason says why a session ended.
type Reason string

// Why a session ends.
const (
	ReasonIdle Reason = "idle"
	ReasonExit Reason = "exit"
	// ReasonReplaced: a new card was placed while a session was open.
	ReasonReplaced Reason = "replaced"
	// ReasonShutdown: the kiosk was shut down (Close).
	ReasonShutdown Reason = "shutdown"
)

// Event is sent to the manager's listener, outside the manager's lock.
type Event struct {
	Kind      EventKind
	Remaining time.Duration
	Reason    Reason
	// SessionID of the session the event is about (empty for a wipe of an anonymous visit).
	SessionID string
	// Identified says, of an Ended session, that it had an identity (a card was read).
	Identified bool
}

// Options configure a Manager.
type Options struct {
	Clock clock.Clock
	// IdleAfter is how long without input before the countdown starts (default 60 s).
	IdleAfter time.Duration
	// Countdown is how long the countdown lasts before the wipe (default 10 s).
	Countdown time.Duration
	// OnEvent receives every event. It is called from timer goroutines or from the
	// caller's goroutine, never with the manager's lock held.
	OnEvent func(Event)
}

// Manager owns the current session and its idle timer.
//
// The timer runs while the kiosk is engaged: a session is open, the citizen is on any
// screen but home, or someone chose a language or 大字模式 other than the hall's. Any input (Touch) restarts it. When it fires, the countdown
// starts; when the countdown reaches zero the session is wiped and Ended is sent.
type Manager struct {
	opts Options

	mu       sync.Mutex
	current  *Session
	away     bool // the citizen is on a screen other than home
	chosen   bool // a language or 大字模式 other than the hall's is on (SetChosen)
	state    State
	deadline time.Time // when the countdown ends
	idleAt   time.Time // when the countdown starts, while Active
	// patience is the idle time while the citizen is busy away from the screen
	// (SetPatience); zero when they are not.
	patience time.Duration
	timer    clock.Timer
	gen      int // invalidates timers that fired after being replaced
	// closed is set by Close: no session opens and no timer runs after it.
	closed bool
}

// NewManager returns a manager with no session.
func NewManager(o Options) *Manager {
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	if o.IdleAfter <= 0 {
		o.IdleAfter = 60 * time.Second
	}
	if o.Countdown <= 0 {
		o.Countdown = 10 * time.Second
	}
	if o.OnEvent == nil {
		o.OnEvent = func(Event) {}
	}
	return &Manager{opts: o}
}

// Current returns the open session, or nil.
func (m *Manager) Current() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// Closed reports whether Close has run: no session opens after it.
func (m *Manager) Closed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// State returns the idle state.
func (m *Manager) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Start opens a new session, wiping any open one first (a new card was placed). Once
// the manager is closed it opens none: the session it returns has ended already, keeps
// nothing, and no event is sent.
func (m *Manager) Start() *Session {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		s := newSession(m.opts.Clock.Now())
		s.wipe()
		return s
	}
	var events []Event
	if m.current != nil {
		events = append(events, m.endLocked(ReasonReplaced))
	}
	s := newSession(m.opts.Clock.Now())
	m.current = s
	m.armLocked()
	events = append(events, Event{Kind: Started, SessionID: s.ID})
	m.mu.Unlock()
	m.emit(events...)
	return s
}

// End wipes the open session at once ("退出办理") and reports Ended.
func (m *Manager) End(r Reason) {
	m.mu.Lock()
	ev := m.endLocked(r)
	m.mu.Unlock()
	m.emit(ev)
}

// Expire ends a running countdown at once, as if its time were up: the open session (if
// any) is wiped with ReasonIdle and Ended is reported. It reports whether a countdown was
// running; otherwise it does nothing. Input that is not an answer to the countdown (a
// code held to the scanner by whoever stands there now) must not resume the visit.
func (m *Manager) Expire() bool {
	m.mu.Lock()
	if m.state != Warning {
		m.mu.Unlock()
		return false
	}
	ev := m.endLocked(ReasonIdle)
	m.mu.Unlock()
	m.emit(ev)
	return true
}

// Close wipes the open session and stops the idle timer without reporting anything:
// the kiosk is shutting down and its screen may already be gone. What the screens still
// do meanwhile (a tap that opens a visit without a card, a touch) opens no session and
// arms no timer after it: the manager stays closed. It returns the ID of the session it
// wiped ("" if none), for the journal.
func (m *Manager) Close() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var id string
	if m.current != nil {
		id = m.current.ID
		m.current.wipe()
		m.current = nil
	}
	m.away, m.chosen, m.patience = false, false, 0
	m.closed = true
	m.armLocked()
	return id
}

// SetAway tells the manager whether the citizen is on a screen other than home.
// Leaving home counts as input.
func (m *Manager) SetAway(away bool) {
	m.mu.Lock()
	m.away = away
	m.mu.Unlock()
	m.Touch()
}

// SetChosen tells the manager whether the screen's language or 大字模式 differs from
// the hall's default. While it does the idle timer runs even on home with no session, so
// that a passer-by's choice ends as a visit does and the next citizen gets the hall's
// screen. A change counts as input; the next Ended clears it (the kiosk puts the hall's
// default back then).
func (m *Manager) SetChosen(chosen bool) {
	m.mu.Lock()
	m.chosen = chosen
	m.mu.Unlock()
	m.Touch()
}

// SetPatience gives the open session the idle time d instead of the usual one while
// its citizen is busy away from the screen (paying with their phone, which takes many
// longer than a minute), and d = 0 ends that; the longer of d and the usual idle time
// counts. A change restarts the idle count, unless the countdown is on screen. Without
// an open session it does nothing, and the session's end ends it.
func (m *Manager) SetPatience(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.current == nil || m.patience == d {
		return
	}
	m.patience = d
	if m.state == Active {
		m.armLocked()
	}
}

// WipeAt is when the open session will be wiped if nothing touches the screen: the
// idle time and the countdown from the last input, or the countdown's end while it
// runs. Zero when no timer runs.
func (m *Manager) WipeAt() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch m.state {
	case Active:
		return m.idleAt.Add(m.opts.Countdown)
	case Warning:
		return m.deadline
	}
	return time.Time{}
}

// IdleTime is how long the open session may go without input before the countdown
// starts: the usual idle time, or the patience set for it (SetPatience).
func (m *Manager) IdleTime() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.idleTimeLocked()
}

func (m *Manager) idleTimeLocked() time.Duration { return max(m.opts.IdleAfter, m.patience) }

// Touch records input: it restarts the idle timer and cancels a running countdown.
func (m *Manager) Touch() {
	m.mu.Lock()
	var sid string
	if m.current != nil {
		sid = m.current.ID
	}
	m.touchLocked(sid)
}

// TouchSession is Touch for what the citizen of session id did away from the screen
// (paid the order on the pay QR with their phone): it counts only while that session
// is open, and does nothing once it has ended.
func (m *Manager) TouchSession(id string) {
	m.mu.Lock()
	if m.current == nil || m.current.ID != id {
		m.mu.Unlock()
		return
	}
	m.touchLocked(id)
}

// touchLocked restarts the idle timer of session sid and unlocks m; a countdown it
// cancels is reported.
func (m *Manager) touchLocked(sid string) {
	resumed := m.state == Warning
	m.armLocked()
	m.mu.Unlock()
	if resumed {
		m.emit(Event{Kind: Resumed, SessionID: sid})
	}
}

// Remaining returns the countdown's remaining time while in Warning.
func (m *Manager) Remaining() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != Warning {
		return 0
	}
	return m.deadline.Sub(m.opts.Clock.Now())
}

func (m *Manager) engagedLocked() bool { return m.current != nil || m.away || m.chosen }

// armLocked restarts the idle timer, or stops it when nothing is engaged.
func (m *Manager) armLocked() {
	m.gen++
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	if m.closed || !m.engagedLocked() {
		m.state = Resting
		return
	}
	m.state = Active
	gen := m.gen
	m.idleAt = m.opts.Clock.Now().Add(m.idleTimeLocked())
	m.timer = m.opts.Clock.AfterFunc(m.idleTimeLocked(), func() { m.fire(gen) })
}

// fire runs when the idle time or a countdown second has passed.
func (m *Manager) fire(gen int) {
	m.mu.Lock()
	if gen != m.gen {
		m.mu.Unlock()
		return
	}
	now := m.opts.Clock.Now()
	if m.state == Active {
		m.state = Warning
		m.deadline = now.Add(m.opts.Countdown)
	}
	remaining := m.deadline.Sub(now)
	var ev Event
	if remaining <= 0 {
		ev = m.endLocked(ReasonIdle)
	} else {
		ev = Event{Kind: Warned, Remaining: remaining}
		if m.current != nil {
			ev.SessionID = m.current.ID
		}
		step := min(time.Second, remaining)
		m.gen++
		g := m.gen
		m.timer = m.opts.Clock.AfterFunc(step, func() { m.fire(g) })
	}
	m.mu.Unlock()
	m.emit(ev)
}

// endLocked wipes the session (if any), stops the timer and returns the Ended event.
func (m *Manager) endLocked(r Reason) Event {
	ev := Event{Kind: Ended, Reason: r}
	if m.current != nil {
		ev.SessionID = m.current.ID
		_, ev.Identified = m.current.Identity()
		m.current.wipe()
		m.current = nil
	}
	m.away, m.chosen, m.patience = false, false, 0
	m.armLocked()
	return ev
}

func (m *Manager) emit(events ...Event) {
	for _, e := range events {
		m.opts.OnEvent(e)
	}
}
