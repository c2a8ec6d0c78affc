package idcard

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

// State is the reader's health, for the maintenance screen.
type State int

// Reader states.
const (
	StateStarting      State = iota // not checked yet
	StateReady                      // connected, the SAM answers: cards can be read
	StateNoReader                   // the port cannot be opened: unplugged or wrong path
	StateNotResponding              // the port is open but no valid replies come
	StateSAMFault                   // the security module reports a fault
	StateStopped                    // Run has returned
	StateFault                      // the reader answers, but with an error status poll after poll
)

// String is the state's stable identifier (ready, no_reader, …).
func (s State) String() string {
	switch s {
	case StateStarting:
		return "starting"
	case StateReady:
		return "ready"
	case StateNoReader:
		return "no_reader"
	case StateNotResponding:
		return "not_responding"
	case StateSAMFault:
		return "sam_fault"
	case StateStopped:
		return "stopped"
	case StateFault:
		return "fault"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Chinese is the state as staff read it; English says it in English.
func (s State) Chinese() string { return states.ZH(s) }
func (s State) English() string { return states.EN(s) }

var states = said.Table[State]{
	StateStarting:      {ZH: "正在连接", EN: "connecting"},
	StateReady:         {ZH: "就绪", EN: "ready"},
	StateNoReader:      {ZH: "读卡器未连接", EN: "reader not connected"},
	StateNotResponding: {ZH: "读卡器无应答", EN: "reader not answering"},
	StateSAMFault:      {ZH: "安全模块故障", EN: "security module (SAM) fault"},
	StateStopped:       {ZH: "已停止", EN: "stopped"},
	StateFault:         {ZH: "读卡器报错", EN: "reader reports an error"},
}

// ReaderStatus is a snapshot of the reader for maintenance.
type ReaderStatus struct {
	State State
	Since time.Time // when State was entered
	// Err is why the reader is not ready (nil when ready); StaffMessage(Err) says it in
	// Chinese.
	Err error
	// SAMID is the module number, once read.
	SAMID string
	// Port is the configured device path.
	Port string
	// CardPresent is true while a card (read or not) lies on the reader.
	CardPresent bool
}

// EventKind says what an Event is about.
type EventKind int

// Event kinds.
const (
	// EventCard: a card was placed and read; Event.Card is set. Sent once per placement.
	EventCard EventKind = iota
	// EventReadFailed: a card was placed but could not be read after retries; Event.Err
	// says why (e.g. ErrReadFailed when it was pulled away, ErrSAMAuthCard for a fake).
	EventReadFailed
	// EventCardRemoved: the card that caused EventCard or EventReadFailed is gone.
	EventCardRemoved
	// EventState: the reader's state changed; Event.State and Event.Err are set. These
	// are dropped when the channel is full (Status always has the latest).
	EventState
	// EventCardFound: a new card answered and is being read, so the kiosk can show that
	// it is reading; EventCard or EventReadFailed follows. Dropped when the channel is
	// full, and not sent for a card nobody was seen placing (Event.Unseen).
	EventCardFound
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventCard:
		return "card"
	case EventReadFailed:
		return "read_failed"
	case EventCardRemoved:
		return "card_removed"
	case EventState:
		return "state"
	case EventCardFound:
		return "card_found"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something the reader loop saw.
type Event struct {
	Kind  EventKind
	Card  *Card
	Err   error
	State State
	At    time.Time
	// Unseen marks a card event (EventCard, EventReadFailed, EventCardRemoved) that the
	// loop did not see happen: the card was already on the reader when the loop
	// (re)connected, or the reader lost track of it for a while. Nobody may be there: a
	// card left behind is read again after a restart or a reader fault.
	Unseen bool
}

// Options configure a Reader. Zero values get the defaults.
type Options struct {
	// Port is the reader's device path, best a /dev/serial/by-id/... symlink.
	Port string
	// Baud is the line rate; 0 means 115200 (8N1 always).
	Baud int
	// PollInterval is how often the reader is asked for a card, start to start;
	// 0 means 100 ms. A card waits on average half of it before it is noticed.
	PollInterval time.Duration
	// Timeouts for the reader's replies; see Timeouts.
	Timeouts Timeouts
	// Backoff between attempts to reopen a missing port; zero means
	// serialport.DefaultBackoff.
	Backoff serialport.Backoff
	// SkipAppendedAddress skips the 30 03 read (about 8 ms at 115200); the card's
	// Address is then the printed one even if the citizen has moved.
	SkipAppendedAddress bool
	// Logger receives state changes and failures, never personal data; nil discards.
	Logger *slog.Logger
}

// Reader polls an ID card reader and reports cards as events. Create it with
// NewReader, start Run in a goroutine, and drain Events until it is closed.
type Reader struct {
	opts   Options
	log    *slog.Logger
	events chan Event
	ran    atomic.Bool

	mu     sync.Mutex
	status ReaderStatus

	// Owned by the Run goroutine.
	present bool
	silent  int
	faulty  int // polls in a row answered with an error status
	// lost: a poll failed (no valid reply, a SAM fault) while a card was present, so
	// the card may have been swapped, or lifted and put back, unseen.
	lost bool
	// fresh: the port was (re)opened and no poll has found the reader empty since: a
	// card found now was there before, not seen being placed.
	fresh bool
	// quietActive: this reader was seen not answering find for a card it had read (it
	// answered select instead), so a card that answers find is one it has not read.
	quietActive bool
	// read: the card present was read (selected, so such a reader no longer answers
	// find for it); false for one that could not be read, whose state is not known.
	read bool
}

const (
	// readAttempts is how many times a found card is selected and read before
	// EventReadFailed: a card being slid onto the reader, or a line glitch, gets a
	// second chance at once instead of a poll interval later.
	readAttempts = 3
	// retryPause lets a card settle in the field between attempts.
	retryPause = 10 * time.Millisecond
	// silentPolls without a valid reply make the state "not responding", and
	// reopenPolls reopen the port (a wedged USB bridge).
	silentPolls = 2
	reopenPolls = 10
	// faultPolls answered with an error status (21, 24, FF …) make the state "fault":
	// such a reader finds no card.
	faultPolls = 3
)

// NewReader returns a Reader; nothing is opened until Run.
func NewReader(o Options) *Reader {
	if o.Baud <= 0 {
		o.Baud = serialport.DefaultBaud
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	o.Timeouts = o.Timeouts.withDefaults()
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reader{
		opts:   o,
		log:    log.With("device", "idcard", "port", o.Port),
		events: make(chan Event, 16),
		status: ReaderStatus{State: StateStarting, Since: time.Now(), Port: o.Port},
	}
}

// Events delivers card events and state changes. It is closed when Run returns. The
// loop waits for a card event to be taken, so drain it.
func (r *Reader) Events() <-chan Event { return r.events }

// Status is the reader's current state.
func (r *Reader) Status() ReaderStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Run polls the reader until ctx ends, reopening the port whenever it fails, and
// returns ctx's error. It may be called once.
func (r *Reader) Run(ctx context.Context) error {
	if !r.ran.CompareAndSwap(false, true) {
		return errors.New("idcard: Reader.Run called twice")
	}
	defer close(r.events)
	ro := serialport.NewReopener(r.opts.Port, serialport.Mode{Baud: r.opts.Baud}, r.opts.Backoff)
	err := ro.Serve(ctx, r.serve,
		func(err error) { r.setState(ctx, StateNoReader, fmt.Errorf("idcard: %w: %w", ErrNoReader, err)) },
		func(err error) {
			r.log.Warn("reader connection lost", "err", err)
			r.cardGone(ctx, true)
		})
	r.setState(context.Background(), StateStopped, nil)
	return err
}

// serve polls one open port until it fails or ctx ends.
func (r *Reader) serve(ctx context.Context, port serialport.Port) error {
	c := NewClient(port, r.opts.Baud, r.opts.Timeouts)
	r.silent, r.faulty, r.fresh, r.quietActive = 0, 0, true, false
	// A fault of the SAM shows at once; the reader counts as ready only once a poll has
	// found it empty or read the card on it, so that a card placed once it is ready was
	// seen being placed.
	if err := c.SAMStatus(ctx); err != nil {
		if err := r.judge(ctx, c, err); err != nil {
			return err
		}
	}
	next := time.Now()
	for {
		if err := sleepUntil(ctx, next); err != nil {
			return err
		}
		next = time.Now().Add(r.opts.PollInterval)
		if err := r.judge(ctx, c, r.poll(ctx, c)); err != nil {
			return err
		}
	}
}

// judge updates the state from the outcome of a poll, and returns an error when the
// port must be reopened.
func (r *Reader) judge(ctx context.Context, c *Client, err error) error {
	if err != nil && r.present {
		r.lost = true
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrNoReader):
		return err
	case errors.Is(err, ErrSAMFault):
		r.silent, r.faulty = 0, 0
		r.setState(ctx, StateSAMFault, err)
	case isSilence(err):
		r.faulty = 0
		r.silent++
		if r.silent >= silentPolls {
			r.setState(ctx, StateNotResponding, err)
		}
		if r.silent >= reopenPolls {
			return err
		}
	case err != nil:
		// A valid reply with an error status: the reader is there, but not well.
		r.silent = 0
		r.faulty++
		if r.faulty >= faultPolls {
			r.setState(ctx, StateFault, err)
		}
	default:
		r.silent, r.faulty = 0, 0
		if r.Status().State != StateReady {
			r.becomeReady(ctx, c)
		}
	}
	return nil
}

// isSilence reports a poll that got no valid reply.
func isSilence(err error) bool {
	return errors.Is(err, ErrTimeout) || errors.Is(err, ErrReplyChecksum) ||
		errors.Is(err, ErrReplyLength) || errors.Is(err, ErrNotReply)
}

func (r *Reader) becomeReady(ctx context.Context, c *Client) {
	if r.Status().SAMID == "" {
		if id, err := c.SAMID(ctx); err == nil {
			r.mu.Lock()
			r.status.SAMID = id
			r.mu.Unlock()
		}
	}
	r.setState(ctx, StateReady, nil)
}

// poll runs one find-card cycle: a new card is read; a card already handled is only
// checked for removal.
func (r *Reader) poll(ctx context.Context, c *Client) error {
	err := c.Find(ctx)
	if r.present {
		if err == nil && !r.lost && !(r.quietActive && r.read) {
			return nil // still there (readers that answer find for an active card)
		}
		if err != nil {
			if !isNoCard(err) {
				return err
			}
			// Many readers do not answer find for a card they have already read: ask
			// the card itself.
			err = c.Select(ctx)
			if isNoCard(err) {
				r.cardGone(ctx, r.lost)
				return nil
			}
			if err == nil && !r.lost {
				r.quietActive = true
			}
			if err != nil || !r.lost {
				return err
			}
		}
		// The reader lost track of the card while a poll failed, or a reader that
		// does not answer find for a card it has read answered it: the card there may
		// be another one (put down in place of the first between two polls), or the
		// same one lifted and put back. It is read and reported as a new card, unseen:
		// the loop did not see the reader empty. The kiosk knows whether it serves its
		// holder.
		r.cardGone(ctx, true)
		return r.readFound(ctx, c, true)
	}
	if isNoCard(err) {
		r.fresh = false
		return nil
	}
	if err != nil {
		return err
	}
	unseen := r.fresh
	r.fresh = false
	if !unseen {
		// Someone just placed it: the kiosk can show that it is reading. A card that
		// was there all along is read without that.
		r.send(ctx, Event{Kind: EventCardFound})
	}
	return r.readFound(ctx, c, unseen)
}

// isNoCard reports a status that means no card answered.
func isNoCard(err error) bool { return errors.Is(err, ErrNoCard) || errors.Is(err, ErrSelectFailed) }

// readFound selects and reads a card that find has just reported, retrying at once
// on failure, and emits EventCard or EventReadFailed, marked unseen as told.
func (r *Reader) readFound(ctx context.Context, c *Client, unseen bool) error {
	var last error
	for attempt := range readAttempts {
		if attempt > 0 {
			if err := sleepUntil(ctx, time.Now().Add(retryPause)); err != nil {
				return err
			}
		}
		card, err := r.readOnce(ctx, c, attempt > 0)
		if err == nil {
			r.present, r.lost, r.read = true, false, true
			r.setCardPresent(true)
			r.log.Info("card read", "card", card)
			if card.AddressErr != nil {
				r.log.Warn("appended address not read: the printed address stands", "err", card.AddressErr,
					"meaning", StaffMessage(card.AddressErr))
			}
			r.send(ctx, Event{Kind: EventCard, Card: card, Unseen: unseen})
			return nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrNoReader) || errors.Is(err, ErrSAMFault) {
			return err
		}
		if isNoCard(err) && last != nil {
			break // the card left during the retries
		}
		last = err
		if errors.Is(err, ErrBadText) {
			break // the same bytes will come again
		}
	}
	r.present, r.lost, r.read = true, false, false
	r.setCardPresent(true)
	r.log.Warn("card not readable", "err", last, "meaning", StaffMessage(last))
	r.send(ctx, Event{Kind: EventReadFailed, Err: last, Unseen: unseen})
	return nil
}

// readOnce selects and reads the card. On a retry the card may already be selected
// (a reader then no longer answers find), so select comes first and find only if
// select fails.
func (r *Reader) readOnce(ctx context.Context, c *Client, retry bool) (*Card, error) {
	err := c.Select(ctx)
	if retry && isNoCard(err) {
		if err = c.Find(ctx); err == nil {
			err = c.Select(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	return c.readSelected(ctx, !r.opts.SkipAppendedAddress)
}

// cardGone reports the removal of a card that was reported; unseen when the loop did
// not see it lifted (it lost track of it, or of the reader).
func (r *Reader) cardGone(ctx context.Context, unseen bool) {
	if !r.present {
		return
	}
	r.present = false
	r.setCardPresent(false)
	r.send(ctx, Event{Kind: EventCardRemoved, Unseen: unseen})
}

func (r *Reader) setCardPresent(p bool) {
	r.mu.Lock()
	r.status.CardPresent = p
	r.mu.Unlock()
}

func (r *Reader) setState(ctx context.Context, s State, err error) {
	r.mu.Lock()
	changed := r.status.State != s
	r.status.Err = err
	if changed {
		r.status.State, r.status.Since = s, time.Now()
	}
	r.mu.Unlock()
	if !changed {
		return
	}
	if err != nil {
		r.log.Warn("reader state", "state", s.String(), "err", err, "meaning", StaffMessage(err))
	} else {
		r.log.Info("reader state", "state", s.String())
	}
	r.send(ctx, Event{Kind: EventState, State: s, Err: err})
}

// send delivers e. Card events wait for the consumer (or ctx); state and card-found
// events are dropped when the channel is full: Status has the state, and a found card
// is followed by its own outcome.
func (r *Reader) send(ctx context.Context, e Event) {
	e.At = time.Now()
	if e.Kind == EventState || e.Kind == EventCardFound {
		select {
		case r.events <- e:
		default:
		}
		return
	}
	select {
	case r.events <- e:
	case <-ctx.Done():
	}
}

// sleepUntil waits until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
