package session

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
)

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) on(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, e := range r.events {
		switch e.Kind {
		case Started:
			s = append(s, "start")
		case Warned:
			s = append(s, fmt.Sprintf("warn%d", int(e.Remaining.Seconds())))
		case Resumed:
			s = append(s, "resume")
		case Ended:
			s = append(s, "end:"+string(e.Reason))
		}
	}
	return strings.Join(s, " ")
}

func newTestManager() (*Manager, *clock.Manual, *recorder) {
	c := clock.NewManual(time.Date(2026, 11, 25, 9, 0, 0, 0, time.Local))
	r := &recorder{}
	m := NewManager(Options{Clock: c, IdleAfter: 60 * time.Second, Countdown: 10 * time.Second, OnEvent: r.on})
	return m, c, r
}

func TestIdleCountdownWipes(t *testing.T) {
	m, c, r := newTestManager()
	s := m.Start()
	s.SetIdentity(Identity{Name: "张三", IDNumber: "11010519491231002X"})
	s.Set("bills", []string{"x"})
	s.Set("draft", 1)
	s.Delete("draft")
	if _, ok := s.Get("draft"); ok || s.Len() != 2 {
		t.Fatalf("deleted value still held: %d values", s.Len())
	}

	c.Advance(59 * time.Second)
	if got := m.State(); got != Active {
		t.Fatalf("state after 59 s = %v, want active", got)
	}
	c.Advance(1 * time.Second)
	if got := m.State(); got != Warning {
		t.Fatalf("state after 60 s = %v, want warning", got)
	}
	if rem := m.Remaining(); rem != 10*time.Second {
		t.Fatalf("remaining = %v, want 10s", rem)
	}
	c.Advance(10 * time.Second)
	want := "start warn10 warn9 warn8 warn7 warn6 warn5 warn4 warn3 warn2 warn1 end:idle"
	if got := r.kinds(); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	if m.Current() != nil {
		t.Fatal("session still open after the countdown")
	}
	if !s.Wiped() || s.Len() != 0 {
		t.Fatalf("session not wiped: wiped=%v len=%d", s.Wiped(), s.Len())
	}
	if _, ok := s.Identity(); ok {
		t.Fatal("identity survived the wipe")
	}
	if m.State() != Resting || c.Pending() != 0 {
		t.Fatalf("after wipe: state %v, %d timers pending", m.State(), c.Pending())
	}
}

func TestTouchResetsAndResumes(t *testing.T) {
	m, c, r := newTestManager()
	m.Start()
	c.Advance(50 * time.Second)
	m.Touch()
	c.Advance(50 * time.Second)
	if m.State() != Active {
		t.Fatalf("touch did not restart the idle timer: %v", m.State())
	}
	c.Advance(13 * time.Second) // 63 s since the touch: countdown at 7 s
	if m.State() != Warning {
		t.Fatalf("state = %v, want warning", m.State())
	}
	m.Touch() // 继续办理
	if m.State() != Active || m.Current() == nil {
		t.Fatalf("continue did not resume: %v", m.State())
	}
	c.Advance(59 * time.Second)
	if m.State() != Active {
		t.Fatalf("a fresh full idle period should follow a resume")
	}
	if got := r.kinds(); !strings.HasSuffix(got, "warn7 resume") {
		t.Fatalf("events: %s", got)
	}
}

// Expire ends a running countdown at once, as its last second would: the session is
// wiped, Ended says idle, and no timer is left. Before the countdown it does nothing.
func TestExpireEndsTheCountdownOnly(t *testing.T) {
	m, c, r := newTestManager()
	s := m.Start()
	c.Advance(59 * time.Second)
	if m.Expire() || m.Current() != s || m.State() != Active {
		t.Fatalf("Expire before the countdown: state %v", m.State())
	}
	c.Advance(3 * time.Second) // the countdown at 8 s
	if !m.Expire() {
		t.Fatal("Expire did not report the countdown")
	}
	if m.Current() != nil || !s.Wiped() || m.State() != Resting || c.Pending() != 0 {
		t.Fatalf("after Expire: current %v, wiped %v, state %v, %d timers", m.Current(), s.Wiped(), m.State(), c.Pending())
	}
	if got, want := r.kinds(), "start warn10 warn9 warn8 end:idle"; got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	if m.Expire() {
		t.Fatal("Expire with nothing counting down")
	}
}

// A citizen paying with their phone touches nothing for longer than the usual idle
// time: the session waits as long as its patience says, then counts down as usual;
// WipeAt says when the wipe comes. Patience ends when set to 0 or with the session.
func TestPatience(t *testing.T) {
	m, c, r := newTestManager()
	if m.SetPatience(3 * time.Minute); m.IdleTime() != 60*time.Second {
		t.Fatalf("patience without a session: idle time %v", m.IdleTime())
	}
	m.Start()
	c.Advance(30 * time.Second)
	m.SetPatience(3 * time.Minute) // the pay QR appears
	if m.IdleTime() != 3*time.Minute || !m.WipeAt().Equal(c.Now().Add(3*time.Minute+10*time.Second)) {
		t.Fatalf("while paying: idle time %v, wipe at %v (now %v)", m.IdleTime(), m.WipeAt(), c.Now())
	}
	c.Advance(3*time.Minute - time.Second)
	if m.State() != Active {
		t.Fatalf("state %v before the patience ran out", m.State())
	}
	m.Touch()
	c.Advance(3*time.Minute - time.Second)
	if m.State() != Active {
		t.Fatalf("a touch while paying gave less than the patience: %v", m.State())
	}
	c.Advance(time.Second)
	if m.State() != Warning || !m.WipeAt().Equal(c.Now().Add(10*time.Second)) {
		t.Fatalf("after the patience: %v, wipe at %v (now %v)", m.State(), m.WipeAt(), c.Now())
	}
	m.Touch()        // 继续办理
	m.SetPatience(0) // paid: the result screen
	if m.IdleTime() != 60*time.Second {
		t.Fatalf("idle time %v after paying", m.IdleTime())
	}
	c.Advance(60 * time.Second)
	if m.State() != Warning {
		t.Fatalf("state %v a minute after paying", m.State())
	}
	c.Advance(10 * time.Second)
	if got := r.kinds(); !strings.HasSuffix(got, "warn1 end:idle") || !m.WipeAt().IsZero() {
		t.Fatalf("events: %s, wipe at %v", got, m.WipeAt())
	}

	// A shorter patience changes nothing; the last session's does not outlive it.
	m.Start()
	m.SetPatience(30 * time.Second)
	if m.IdleTime() != 60*time.Second {
		t.Fatalf("idle time %v", m.IdleTime())
	}
	m.SetPatience(5 * time.Minute)
	m.End(ReasonExit)
	m.Start()
	if m.IdleTime() != 60*time.Second {
		t.Fatalf("the last session's patience outlived it: %v", m.IdleTime())
	}
}

// What a citizen does away from the screen (pays on their phone) counts as input of
// their session only: it ends their countdown, and touches nobody else's.
func TestTouchSession(t *testing.T) {
	m, c, r := newTestManager()
	a := m.Start()
	c.Advance(63 * time.Second)
	m.TouchSession(a.ID)
	if m.State() != Active {
		t.Fatalf("state %v after the citizen's own doing", m.State())
	}
	m.End(ReasonExit)
	m.Start()
	c.Advance(63 * time.Second)
	m.TouchSession(a.ID) // the last citizen's payment, seen after they left
	if m.State() != Warning {
		t.Fatalf("state %v: the last citizen's doing counted for the next", m.State())
	}
	if got := r.kinds(); got != "start warn10 warn9 warn8 warn7 resume end:exit start warn10 warn9 warn8 warn7" {
		t.Fatalf("events: %s", got)
	}
}

func TestExitWipesAtOnce(t *testing.T) {
	m, c, r := newTestManager()
	s := m.Start()
	s.SetIdentity(Identity{Name: "李四"})
	m.End(ReasonExit)
	if m.Current() != nil || !s.Wiped() {
		t.Fatal("exit did not wipe")
	}
	if got := r.kinds(); got != "start end:exit" {
		t.Fatalf("events: %s", got)
	}
	if c.Pending() != 0 {
		t.Fatalf("%d timers left running", c.Pending())
	}
	s.Set("late", 1) // a flow finishing after the wipe must not bring data back
	if s.Len() != 0 {
		t.Fatal("value stored after wipe")
	}
}

// At shutdown the session is wiped and every timer stopped, and nothing is reported:
// the screen that would hear it may be gone.
func TestCloseWipesSilently(t *testing.T) {
	for _, withSession := range []bool{true, false} {
		m, c, r := newTestManager()
		var s *Session
		if withSession {
			s = m.Start()
			s.SetIdentity(Identity{Name: "李四"})
		}
		m.SetAway(true)
		before := r.kinds()
		id := m.Close()
		if withSession && (id != s.ID || !s.Wiped()) || !withSession && id != "" {
			t.Fatalf("session %v: Close returned %q", withSession, id)
		}
		c.Advance(10 * time.Minute)
		if got := r.kinds(); got != before {
			t.Errorf("session %v: events after Close: %q, before %q", withSession, got, before)
		}
		if c.Pending() != 0 || m.Current() != nil || m.State() != Resting {
			t.Errorf("session %v: %d timers, state %v after Close", withSession, c.Pending(), m.State())
		}
	}
}

func TestAwayWithoutSessionReturnsHome(t *testing.T) {
	m, c, r := newTestManager()
	m.SetAway(true) // browsing the guide without a card
	c.Advance(70 * time.Second)
	if got := r.kinds(); !strings.HasSuffix(got, "end:idle") {
		t.Fatalf("anonymous visit did not time out: %s", got)
	}
	// At home with no session nothing runs.
	c.Advance(10 * time.Minute)
	if c.Pending() != 0 || m.State() != Resting {
		t.Fatalf("timer running while resting")
	}
}

func TestChosenModeOnHomeTimesOut(t *testing.T) {
	m, c, r := newTestManager()
	m.SetChosen(true) // a passer-by taps English on home and walks off
	if m.State() != Active {
		t.Fatalf("state %s: no timer runs for a chosen mode", m.State())
	}
	c.Advance(70 * time.Second)
	if got := r.kinds(); !strings.HasSuffix(got, "end:idle") {
		t.Fatalf("a chosen mode on home did not time out: %s", got)
	}
	c.Advance(10 * time.Minute)
	if c.Pending() != 0 || m.State() != Resting {
		t.Fatalf("the end did not clear the choice: state %s", m.State())
	}
	// The hall's own mode chosen back: nothing to time out.
	m.SetChosen(true)
	m.SetChosen(false)
	if m.State() != Resting {
		t.Fatalf("state %s with the hall's mode back", m.State())
	}
}

func TestNewCardReplacesSession(t *testing.T) {
	m, _, r := newTestManager()
	a := m.Start()
	a.SetIdentity(Identity{Name: "张三"})
	b := m.Start()
	if !a.Wiped() || b.Wiped() || m.Current() != b {
		t.Fatal("the first session was not replaced")
	}
	if got := r.kinds(); got != "start end:replaced start" {
		t.Fatalf("events: %s", got)
	}
}

type secret struct{ b []byte }

func (s *secret) Wipe() {
	for i := range s.b {
		s.b[i] = 0
	}
}

func TestWipeOverwritesWipers(t *testing.T) {
	m, _, _ := newTestManager()
	s := m.Start()
	v := &secret{b: []byte("13812345678")}
	s.Set("phone", v)
	m.End(ReasonExit)
	for _, c := range v.b {
		if c != 0 {
			t.Fatalf("wiper not called: %q", v.b)
		}
	}
}

func TestIdentityNeverPrintsRaw(t *testing.T) {
	id := Identity{Name: "张三丰", IDNumber: "11010519491231002X", CardType: "resident"}
	var b strings.Builder
	l := slog.New(slog.NewJSONHandler(&b, nil))
	l.Info("card", "who", id)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&b, verb+"\n", id)
		fmt.Fprintf(&b, verb+"\n", &id)
	}
	fmt.Fprintln(&b, []*Identity{&id}, struct{ ID Identity }{id})
	out := b.String()
	for _, raw := range []string{"张三丰", "11010519491231002X", "19491231"} {
		if strings.Contains(out, raw) {
			t.Fatalf("raw %q in output: %s", raw, out)
		}
	}
}

// Closed, the manager stays closed: what the screens still do while the kiosk shuts down
// (a tap that opens a visit without a card, a screen left home, a touch) opens no
// session and arms no timer, so that no event reaches the screen that is going away. A
// session asked for then is one already ended, which keeps nothing.
func TestClosedStaysClosed(t *testing.T) {
	m, c, r := newTestManager()
	if m.Closed() {
		t.Fatal("closed before Close")
	}
	m.Close()
	before := r.kinds()
	s := m.Start()
	s.Set("joint/J2611280930120042", 1)
	m.SetAway(true)
	m.SetChosen(true)
	m.SetPatience(time.Hour)
	m.Touch()
	c.Advance(10 * time.Minute)
	if got := r.kinds(); got != before {
		t.Errorf("events after Close: %q, before %q", got, before)
	}
	if m.Current() != nil || !s.Wiped() || s.Len() != 0 {
		t.Errorf("a session opened after Close: current %v, wiped %v, %d values", m.Current(), s.Wiped(), s.Len())
	}
	if c.Pending() != 0 || m.State() != Resting || !m.Closed() {
		t.Errorf("%d timers, state %v, closed %v after Close", c.Pending(), m.State(), m.Closed())
	}
}
