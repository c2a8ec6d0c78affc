package scanner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liangzihu/kiosk/devices/serialport"

	"github.com/liangzihu/kiosk/devices/said"
)

// State is the scanner's connection state, for maintenance.
type State int

// Scanner states. A scanner never answers anything, so "ready" only means its port is
// open: a scanner that is powered off behind a working USB bridge still looks ready.
const (
	StateStarting  State = iota // not opened yet
	StateReady                  // the port is open
	StateNoScanner              // the port cannot be opened: unplugged or wrong path
	StateStopped                // Run has returned
)

// String is the state's stable identifier.
func (s State) String() string {
	switch s {
	case StateStarting:
		return "starting"
	case StateReady:
		return "ready"
	case StateNoScanner:
		return "no_scanner"
	case StateStopped:
		return "stopped"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Chinese is the state as staff read it; English says it in English.
func (s State) Chinese() string { return states.ZH(s) }
func (s State) English() string { return states.EN(s) }

var states = said.Table[State]{
	StateStarting:  {ZH: "正在连接", EN: "connecting"},
	StateReady:     {ZH: "就绪", EN: "ready"},
	StateNoScanner: {ZH: "扫码器未连接", EN: "scanner not connected"},
	StateStopped:   {ZH: "已停止", EN: "stopped"},
}

// Words are what State.Chinese says, Chinese to English: a screen in English shows
// with them what was kept in Chinese (a device's state).
func Words() map[string]string { return states.Words(map[string]string{}) }

// ErrNoScanner: the scanner's port cannot be opened or failed.
var ErrNoScanner = errors.New("scanner: not connected")

// EventKind says what an Event is.
type EventKind int

// Event kinds.
const (
	// EventScan: a code was read; Event.Code holds it.
	EventScan EventKind = iota
	// EventDropped: a line was discarded; Event.Err is ErrGarbage, ErrTooLong or
	// ErrPartial. The kiosk may ask the citizen to scan again.
	EventDropped
	// EventState: the connection state changed (dropped when the channel is full;
	// Status has the latest).
	EventState
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventScan:
		return "scan"
	case EventDropped:
		return "dropped"
	case EventState:
		return "state"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something the scanner loop saw. A Code may be personal data (an account
// number in a bill's QR): do not log it.
type Event struct {
	Kind  EventKind
	Code  string
	Err   error
	State State
	At    time.Time
}

// ScannerStatus is a snapshot for maintenance.
type ScannerStatus struct {
	State State
	Since time.Time
	Err   error // why the scanner is not ready
	Port  string
	Scans int // codes read since start
}

// Options configure a Scanner. Zero values get the defaults.
type Options struct {
	// Port is the scanner's device path, best a /dev/serial/by-id/... symlink.
	Port string
	// Baud is the line rate; 0 means 9600 (the usual factory setting), 8N1.
	Baud int
	// Suffix is the line terminator the scanner is configured with; empty means CR,
	// LF or CRLF.
	Suffix string
	// MaxLen is the longest code accepted, in bytes; 0 means DefaultMaxLen.
	MaxLen int
	// PartialTimeout is how long a started line may wait for its terminator before it
	// is dropped; 0 means 500 ms. A scanner sends a code in one burst.
	PartialTimeout time.Duration
	// Backoff between attempts to reopen a missing port.
	Backoff serialport.Backoff
	// Logger receives state changes and drops, never the codes; nil discards.
	Logger *slog.Logger
}

// Scanner reads codes from a serial scanner. Create it with NewScanner, start Run in
// a goroutine, and drain Events until it is closed.
type Scanner struct {
	opts   Options
	log    *slog.Logger
	events chan Event
	ran    atomic.Bool

	mu     sync.Mutex
	status ScannerStatus

	split Splitter // owned by the Run goroutine
}

// NewScanner returns a Scanner; nothing is opened until Run.
func NewScanner(o Options) *Scanner {
	if o.Baud <= 0 {
		o.Baud = 9600
	}
	if o.PartialTimeout <= 0 {
		o.PartialTimeout = 500 * time.Millisecond
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scanner{
		opts:   o,
		log:    log.With("device", "scanner", "port", o.Port),
		events: make(chan Event, 16),
		status: ScannerStatus{State: StateStarting, Since: time.Now(), Port: o.Port},
		split:  Splitter{Suffix: []byte(o.Suffix), MaxLen: o.MaxLen},
	}
}

// Events delivers scans, drops and state changes; it is closed when Run returns. The
// loop waits for scans and drops to be taken, so drain it.
func (s *Scanner) Events() <-chan Event { return s.events }

// Status is the scanner's current state.
func (s *Scanner) Status() ScannerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Run reads the scanner until ctx ends, reopening the port whenever it fails, and
// returns ctx's error. It may be called once.
func (s *Scanner) Run(ctx context.Context) error {
	if !s.ran.CompareAndSwap(false, true) {
		return errors.New("scanner: Run called twice")
	}
	defer close(s.events)
	ro := serialport.NewReopener(s.opts.Port, serialport.Mode{Baud: s.opts.Baud}, s.opts.Backoff)
	err := ro.Serve(ctx, s.serve,
		func(err error) { s.setState(StateNoScanner, fmt.Errorf("%w: %w", ErrNoScanner, err)) },
		func(err error) {
			s.log.Warn("scanner connection lost", "err", err)
			// A line cut by the unplug is not joined to the next scan.
			if err := s.split.Reset(); err != nil {
				s.send(ctx, Event{Kind: EventDropped, Err: err})
			}
		})
	s.setState(StateStopped, nil)
	return err
}

// serve reads one open port until it fails or ctx ends.
func (s *Scanner) serve(ctx context.Context, port serialport.Port) error {
	s.setState(StateReady, nil)
	buf := make([]byte, 1024)
	var last time.Time // when the last byte came
	for {
		// Wake up when a pending line has waited long enough for its terminator.
		var deadline time.Time
		if s.split.Pending() {
			deadline = last.Add(s.opts.PartialTimeout)
		}
		port.SetReadDeadline(deadline)
		n, err := port.Read(buf)
		if serialport.IsTimeout(err) {
			if err := s.split.Reset(); err != nil {
				s.drop(ctx, err)
			}
			continue
		}
		if err != nil {
			return err
		}
		last = time.Now()
		for _, l := range s.split.Feed(buf[:n]) {
			if l.Err != nil {
				s.drop(ctx, l.Err)
				continue
			}
			s.mu.Lock()
			s.status.Scans++
			s.mu.Unlock()
			s.log.Info("code scanned", "bytes", len(l.Code))
			s.send(ctx, Event{Kind: EventScan, Code: l.Code})
		}
	}
}

func (s *Scanner) drop(ctx context.Context, err error) {
	s.log.Warn("scanner line dropped", "err", err)
	s.send(ctx, Event{Kind: EventDropped, Err: err})
}

func (s *Scanner) setState(st State, err error) {
	s.mu.Lock()
	changed := s.status.State != st
	s.status.Err = err
	if changed {
		s.status.State, s.status.Since = st, time.Now()
	}
	s.mu.Unlock()
	if !changed {
		return
	}
	s.log.Info("scanner state", "state", st.String(), "err", err)
	select {
	case s.events <- Event{Kind: EventState, State: st, Err: err, At: time.Now()}:
	default:
	}
}

// send delivers a scan or drop, waiting for the consumer or ctx.
func (s *Scanner) send(ctx context.Context, e Event) {
	e.At = time.Now()
	select {
	case s.events <- e:
	case <-ctx.Done():
	}
}
