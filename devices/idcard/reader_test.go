package idcard_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/serialport"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

const waitLimit = 10 * time.Second // generous: a failure, never a timing measurement

// rig is an emulated reader on a pty and a Reader loop on its symlink.
type rig struct {
	t      *testing.T
	link   string
	sim    *sim.IDCardReader
	reader *idcard.Reader
	cancel context.CancelFunc
	done   chan error
	logBuf *simtest.SyncBuffer

	stopOnce sync.Once
	mu       sync.Mutex
	events   []idcard.Event
	seen     int // events consumed by next
}

// fastOptions keep the tests quick: the poll interval is the configuration's minimum.
func fastOptions(link string) idcard.Options {
	return idcard.Options{
		Port:         link,
		PollInterval: 20 * time.Millisecond,
		Timeouts:     idcard.Timeouts{Command: 300 * time.Millisecond, Read: time.Second},
		Backoff:      serialport.Backoff{Min: 5 * time.Millisecond, Max: 50 * time.Millisecond},
	}
}

func newRig(t *testing.T, so sim.IDCardReaderOptions, start bool) *rig {
	t.Helper()
	g := &rig{t: t, link: filepath.Join(t.TempDir(), "ttyID"), done: make(chan error, 1), logBuf: &simtest.SyncBuffer{}}
	if start {
		g.startSim(so)
	}
	o := fastOptions(g.link)
	o.Logger = slog.New(slog.NewJSONHandler(g.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	g.reader = idcard.NewReader(o)
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	go func() { g.done <- g.reader.Run(ctx) }()
	go func() {
		for e := range g.reader.Events() {
			g.mu.Lock()
			g.events = append(g.events, e)
			g.mu.Unlock()
		}
	}()
	t.Cleanup(g.stop)
	return g
}

func (g *rig) startSim(so sim.IDCardReaderOptions) {
	g.t.Helper()
	so.Link = g.link
	s, err := sim.StartIDCardReader(so)
	if err != nil {
		g.t.Fatal(err)
	}
	g.sim = s
	g.t.Cleanup(func() { s.Close() })
}

func (g *rig) stop() {
	g.stopOnce.Do(func() {
		g.cancel()
		select {
		case err := <-g.done:
			if !errors.Is(err, context.Canceled) {
				g.t.Errorf("Run returned %v", err)
			}
		case <-time.After(waitLimit):
			g.t.Error("Run did not return after cancel")
		}
	})
}

// next waits for the next card event (state events are skipped) and checks its kind.
func (g *rig) next(kind idcard.EventKind) idcard.Event {
	g.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		for g.seen < len(g.events) {
			e := g.events[g.seen]
			g.seen++
			if e.Kind == idcard.EventState || e.Kind == idcard.EventCardFound {
				continue
			}
			g.mu.Unlock()
			if e.Kind != kind {
				g.t.Fatalf("got %v event (err %v), want %v", e.Kind, e.Err, kind)
			}
			return e
		}
		g.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
	g.t.Fatalf("no %v event", kind)
	return idcard.Event{}
}

// quiet checks that no card event comes for a while (many poll intervals).
func (g *rig) quiet() {
	g.t.Helper()
	time.Sleep(15 * 20 * time.Millisecond)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.events[g.seen:] {
		if e.Kind != idcard.EventState && e.Kind != idcard.EventCardFound {
			g.t.Fatalf("unexpected %v event (err %v)", e.Kind, e.Err)
		}
	}
}

func (g *rig) waitState(s idcard.State) idcard.ReaderStatus {
	g.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if st := g.reader.Status(); st.State == s {
			return st
		}
		time.Sleep(2 * time.Millisecond)
	}
	st := g.reader.Status()
	g.t.Fatalf("state %v (err %v), want %v", st.State, st.Err, s)
	return st
}

func (g *rig) place(name string) sim.IDCard {
	g.t.Helper()
	c, ok := sim.IDCardFixture(name)
	if !ok {
		g.t.Fatalf("no fixture %s", name)
	}
	if err := g.sim.Place(c); err != nil {
		g.t.Fatal(err)
	}
	return c
}

// Each card type placed gives exactly one Card event, with the card's fields; a card
// left on the reader is not reported again; lifting it is an event. Both reader
// behaviours (find fails or keeps succeeding for a card already read) are covered.
func TestPlaceAndRemove(t *testing.T) {
	for _, findWhileActive := range []bool{false, true} {
		g := newRig(t, sim.IDCardReaderOptions{FindWhileActive: findWhileActive}, true)
		st := g.waitState(idcard.StateReady)
		if st.SAMID != "05.01-20101025-0000123456-0123456789" || st.Err != nil {
			t.Fatalf("ready status %+v", st)
		}
		for i, name := range []string{"resident", "foreign_2017", "foreign_2023", "gat_residence", "resident_moved"} {
			want := g.place(name)
			e := g.next(idcard.EventCard)
			if e.Unseen {
				t.Fatalf("%s: a card placed while the loop watched is reported unseen", name)
			}
			c := e.Card
			if c.Type.String() != want.Type || c.IDNumber != want.IDNumber || !c.NumberOK || len(c.Photo) != idcard.PhotoLen {
				t.Fatalf("%s: got %v %v", name, c.Type, c)
			}
			if (name == "resident_moved") != c.AddressAppended || (c.AddressAppended && c.Address != want.AppendedAddress) {
				t.Fatalf("%s: appended address not applied right", name)
			}
			if !g.reader.Status().CardPresent {
				t.Fatalf("%s: status says no card", name)
			}
			g.quiet()
			if n := g.sim.Count(sim.IDCmdRead); n != i+1 {
				t.Fatalf("%s: %d reads for %d placements", name, n, i+1)
			}
			g.sim.Remove()
			if e := g.next(idcard.EventCardRemoved); e.Unseen {
				t.Fatalf("%s: a card lifted while the loop watched is reported unseen", name)
			}
			if g.reader.Status().CardPresent {
				t.Fatalf("%s: status says a card is present", name)
			}
		}
		g.stop()
	}
}

// A placed card is announced as found before it is read, so the kiosk can show that it
// is reading.
func TestFoundBeforeRead(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	g.place("resident")
	g.next(idcard.EventCard)
	g.mu.Lock()
	var kinds []idcard.EventKind
	for _, e := range g.events {
		if e.Kind != idcard.EventState {
			kinds = append(kinds, e.Kind)
		}
	}
	g.mu.Unlock()
	if len(kinds) != 2 || kinds[0] != idcard.EventCardFound || kinds[1] != idcard.EventCard {
		t.Fatalf("events %v, want card_found then card", kinds)
	}
	g.stop()
}

// One card put down in place of another is a removal and a new card, on both kinds
// of reader.
func TestSwapCards(t *testing.T) {
	for _, findWhileActive := range []bool{false, true} {
		g := newRig(t, sim.IDCardReaderOptions{FindWhileActive: findWhileActive}, true)
		g.waitState(idcard.StateReady)
		g.place("resident")
		g.next(idcard.EventCard)
		g.place("foreign_2017")
		g.next(idcard.EventCardRemoved)
		if e := g.next(idcard.EventCard); e.Card.Type != idcard.Foreign2017 {
			t.Fatalf("after the swap: %v", e.Card)
		}
		g.stop()
	}
}

// One card put down in place of another faster than a poll, so that no poll finds the
// reader empty: a reader that does not answer find for a card it has read answers it
// for the new one, which is read and reported (unseen: nobody saw the reader empty).
// Before, the new card was taken for the old one still lying there and never read.
func TestQuickSwap(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{SwapGap: time.Microsecond}, true)
	g.waitState(idcard.StateReady)
	g.place("resident")
	g.next(idcard.EventCard)
	g.quiet() // polls with the card read on the reader: it does not answer find
	g.place("foreign_2017")
	g.next(idcard.EventCardRemoved)
	if e := g.next(idcard.EventCard); e.Card.Type != idcard.Foreign2017 {
		t.Fatalf("after the swap: %v", e.Card)
	}
	g.quiet() // and it is read once
	if n := g.sim.Count(sim.IDCmdRead); n != 2 {
		t.Fatalf("%d reads for two cards", n)
	}
	g.stop()
}

// Noise before every reply: the driver finds the preamble and reads the card.
func TestNoiseResync(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	g.sim.Inject(sim.IDCardFault{Kind: sim.FaultNoise})
	g.place("resident")
	if e := g.next(idcard.EventCard); e.Card.Name != "李明华" {
		t.Fatalf("card %v", e.Card)
	}
	g.sim.Remove()
	g.next(idcard.EventCardRemoved)
	if st := g.reader.Status(); st.State != idcard.StateReady {
		t.Fatalf("state %v, err %v", st.State, st.Err)
	}
}

// A damaged read reply is refused (never used) and the read retried at once.
func TestDamagedReplyRetried(t *testing.T) {
	for _, kind := range []sim.IDCardFaultKind{sim.FaultBadChecksum, sim.FaultTruncate, sim.FaultSilence} {
		g := newRig(t, sim.IDCardReaderOptions{}, true)
		g.waitState(idcard.StateReady)
		g.sim.Inject(sim.IDCardFault{Kind: kind, Command: sim.IDCmdRead, Count: 1})
		g.place("gat_residence")
		if e := g.next(idcard.EventCard); e.Card.PassNumber != "H01234567" {
			t.Fatalf("fault %d: card %v", kind, e.Card)
		}
		if n := g.sim.Count(sim.IDCmdRead); n != 2 {
			t.Fatalf("fault %d: %d reads, want 2", kind, n)
		}
		g.quiet()
		g.stop()
	}
}

// A card that cannot be read is one ReadFailed event with the reason, then a removal.
func TestReadFailure(t *testing.T) {
	for _, tc := range []struct {
		fault sim.IDCardFault
		err   error
	}{
		{sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x41, Command: sim.IDCmdRead}, idcard.ErrReadFailed},
		{sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x32, Command: sim.IDCmdRead}, idcard.ErrSAMAuthCard},
		{sim.IDCardFault{Kind: sim.FaultBadChecksum, Command: sim.IDCmdRead}, idcard.ErrReplyChecksum},
	} {
		g := newRig(t, sim.IDCardReaderOptions{}, true)
		g.waitState(idcard.StateReady)
		g.sim.Inject(tc.fault)
		g.place("resident")
		e := g.next(idcard.EventReadFailed)
		if !errors.Is(e.Err, tc.err) {
			t.Fatalf("read failed with %v, want %v", e.Err, tc.err)
		}
		g.quiet()
		if n := g.sim.Count(sim.IDCmdRead); n != 3 {
			t.Fatalf("%d read attempts, want 3", n)
		}
		g.sim.Remove()
		g.next(idcard.EventCardRemoved)
		g.stop()
	}
}

// Card text that breaks its layout is reported, not retried, and not half-parsed.
func TestMalformedCardText(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	c, _ := sim.IDCardFixture("resident")
	c.Birth = "19851399"
	g.sim.Place(c)
	if e := g.next(idcard.EventReadFailed); !errors.Is(e.Err, idcard.ErrBadText) {
		t.Fatalf("%v", e.Err)
	}
	if n := g.sim.Count(sim.IDCmdRead); n != 1 {
		t.Fatalf("%d reads of a malformed card", n)
	}
}

// A silent reader is "not responding", and recovers by itself.
func TestSilenceAndRecovery(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	g.sim.Inject(sim.IDCardFault{Kind: sim.FaultSilence})
	st := g.waitState(idcard.StateNotResponding)
	if !errors.Is(st.Err, idcard.ErrTimeout) || !strings.Contains(idcard.StaffMessage(st.Err), "无应答") {
		t.Fatalf("not responding with %v", st.Err)
	}
	g.sim.ClearFaults()
	g.waitState(idcard.StateReady)
	g.place("foreign_2023")
	g.next(idcard.EventCard)
}

// A SAM fault, at start or later, is a state staff can read; it clears by itself.
func TestSAMFault(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, false)
	g.startSim(sim.IDCardReaderOptions{})
	g.sim.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x60})
	st := g.waitState(idcard.StateSAMFault)
	if !errors.Is(st.Err, idcard.ErrSAMFault) || !errors.Is(st.Err, idcard.ErrSAMSelfTest) ||
		!strings.Contains(idcard.StaffMessage(st.Err), "SAM_V自检失败") {
		t.Fatalf("SAM fault status %v", st.Err)
	}
	g.sim.ClearFaults()
	g.waitState(idcard.StateReady)
	g.sim.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x66})
	st = g.waitState(idcard.StateSAMFault)
	if !errors.Is(st.Err, idcard.ErrSAMUnlicensed) {
		t.Fatalf("unlicensed SAM: %v", st.Err)
	}
	g.sim.ClearFaults()
	g.waitState(idcard.StateReady)
}

// A reader that answers every poll with an error status finds no card: it is not
// ready, and staff read the status; it clears by itself.
func TestReaderFault(t *testing.T) {
	for _, status := range []byte{0xFF, 0x21, 0x24} {
		g := newRig(t, sim.IDCardReaderOptions{}, true)
		g.waitState(idcard.StateReady)
		g.sim.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: status})
		st := g.waitState(idcard.StateFault)
		var se *idcard.StatusError
		if !errors.As(st.Err, &se) || byte(se.Status) != status ||
			!strings.Contains(idcard.StaffMessage(st.Err), fmt.Sprintf("%02X", status)) {
			t.Fatalf("status %02X: reader error %v", status, st.Err)
		}
		g.sim.ClearFaults()
		g.waitState(idcard.StateReady)
	}
}

// Unplugging the reader (pty closed, symlink gone) with a card on it: the card is
// reported gone and the reader missing; plugged back in at the same path, the loop
// reconnects by itself and reads the card again.
func TestUnplugAndReconnect(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	g.place("resident_longterm")
	if e := g.next(idcard.EventCard); !e.Card.LongTerm {
		t.Fatal("长期 not parsed")
	}
	if err := g.sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	if e := g.next(idcard.EventCardRemoved); !e.Unseen {
		t.Fatal("the card's removal with the reader is reported as seen")
	}
	st := g.waitState(idcard.StateNoReader)
	if !errors.Is(st.Err, idcard.ErrNoReader) || !strings.Contains(idcard.StaffMessage(st.Err), "未连接") {
		t.Fatalf("no reader: %v", st.Err)
	}
	g.mu.Lock()
	before := len(g.events)
	g.mu.Unlock()
	if err := g.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	g.waitState(idcard.StateReady)
	// The card lay on the reader all along: nobody was seen placing it (it may have been
	// left behind), and nobody is told it is being read.
	if e := g.next(idcard.EventCard); e.Card.Name != "王秀英" || !e.Unseen {
		t.Fatalf("card after replug %v, unseen %v", e.Card, e.Unseen)
	}
	g.mu.Lock()
	for _, e := range g.events[before:] {
		if e.Kind == idcard.EventCardFound {
			t.Error("the card lying on the reader after the replug was announced as found")
		}
	}
	g.mu.Unlock()
	g.sim.Remove()
	if e := g.next(idcard.EventCardRemoved); e.Unseen {
		t.Fatal("the card lifted after the replug is reported unseen")
	}
	g.place("resident")
	if e := g.next(idcard.EventCard); e.Unseen {
		t.Fatal("a card placed after the replug is reported unseen")
	}
}

// The loop starts before the reader is plugged in.
func TestStartWithoutReader(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, false)
	g.waitState(idcard.StateNoReader)
	g.startSim(sim.IDCardReaderOptions{})
	g.waitState(idcard.StateReady)
	g.place("foreign_2017")
	g.next(idcard.EventCard)
}

// Cancelling stops the loop at once, even in the middle of a slow read, closes the
// events channel, and leaves no goroutine behind.
func TestCancelLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	link := filepath.Join(t.TempDir(), "ttyID")
	s, err := sim.StartIDCardReader(sim.IDCardReaderOptions{Link: link, Baud: 9600})
	if err != nil {
		t.Fatal(err)
	}
	o := fastOptions(link)
	o.Baud = 9600
	r := idcard.NewReader(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	for r.Status().State != idcard.StateReady {
		time.Sleep(2 * time.Millisecond)
	}
	c, _ := sim.IDCardFixture("resident")
	s.Place(c)
	for s.Count(sim.IDCmdRead) == 0 { // the 1.3 s read at 9600 baud is under way
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return")
	}
	for range r.Events() { // drains and proves the channel is closed
	}
	if r.Status().State != idcard.StateStopped {
		t.Fatalf("state %v after Run", r.Status().State)
	}
	if err := r.Run(context.Background()); err == nil {
		t.Fatal("a second Run was accepted")
	}
	s.Close()
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// The loop's log says what happened without a name, number, birth date or address.
func TestLogHasNoPersonalData(t *testing.T) {
	g := newRig(t, sim.IDCardReaderOptions{}, true)
	g.waitState(idcard.StateReady)
	var secrets []string
	for _, name := range sim.IDCardFixtureNames() {
		c := g.place(name)
		g.next(idcard.EventCard)
		g.sim.Remove()
		g.next(idcard.EventCardRemoved)
		secrets = append(secrets, c.Name, c.EnglishName, c.IDNumber, c.Address, c.Birth, c.PassNumber, c.AppendedAddress)
	}
	g.sim.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x41, Command: sim.IDCmdRead})
	g.place("resident")
	g.next(idcard.EventReadFailed)
	g.stop()
	log := g.logBuf.String()
	if strings.Count(log, `"msg":"card read"`) != len(sim.IDCardFixtureNames()) || !strings.Contains(log, "card not readable") {
		t.Fatalf("log lacks the reads:\n%s", log)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("%q in the log", s)
		}
	}
}

// The Client used on its own (kioskctl idcard read) and its transport errors.
func TestClient(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyID")
	s, err := sim.StartIDCardReader(sim.IDCardReaderOptions{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	port, err := serialport.Open(link, serialport.Mode{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	c := idcard.NewClient(port, 115200, idcard.Timeouts{Command: 200 * time.Millisecond, Read: 500 * time.Millisecond})
	ctx := context.Background()
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.SAMStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadCard(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("no card: %v", err)
	}
	moved, _ := sim.IDCardFixture("resident_moved")
	s.Place(moved)
	card, err := c.ReadCard(ctx)
	if err != nil || card.Address != moved.AppendedAddress || card.PrintedAddress != moved.Address {
		t.Fatalf("ReadCard: %v, %v", card, err)
	}
	// A reader that refuses or never answers the appended address still reads the
	// card, with its printed address.
	for _, tc := range []struct {
		fault sim.IDCardFault
		err   error
	}{
		{sim.IDCardFault{Kind: sim.FaultStatus, Command: sim.IDCmdReadAddress, Status: 0x21, Count: 1}, idcard.ErrBadCommand},
		{sim.IDCardFault{Kind: sim.FaultSilence, Command: sim.IDCmdReadAddress, Count: 1}, idcard.ErrTimeout},
	} {
		s.Remove()
		s.Place(moved)
		s.Inject(tc.fault)
		card, err := c.ReadCard(ctx)
		if err != nil {
			t.Fatalf("address fault %d: %v", tc.fault.Kind, err)
		}
		if card.Name != moved.Name || card.AddressAppended || card.Address != moved.Address ||
			!errors.Is(card.AddressErr, tc.err) {
			t.Fatalf("address fault %d: %v, address error %v", tc.fault.Kind, card, card.AddressErr)
		}
	}
	moved.Fingerprint = make([]byte, 1024)
	s.Remove()
	s.Place(moved)
	c.Find(ctx)
	c.Select(ctx)
	if card, fp, err := c.ReadWithFingerprint(ctx); err != nil || len(fp) != 1024 || card.Name != moved.Name {
		t.Fatalf("ReadWithFingerprint: %v, %d, %v", card, len(fp), err)
	}

	for _, tc := range []struct {
		fault sim.IDCardFault
		err   error
		msg   string
	}{
		{sim.IDCardFault{Kind: sim.FaultSilence, Count: 1}, idcard.ErrTimeout, "find card: no reply"},
		{sim.IDCardFault{Kind: sim.FaultTruncate, Count: 1}, idcard.ErrTimeout, "truncated reply, 5 bytes arrived"},
		{sim.IDCardFault{Kind: sim.FaultBadChecksum, Count: 1}, idcard.ErrReplyChecksum, "find card: reply checksum is wrong"},
		{sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x24, Count: 1}, idcard.ErrUnrecognized, "status 24 (无法识别的错误)"},
	} {
		s.Inject(tc.fault)
		if err := c.Find(ctx); !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("fault %d: %v, want %q", tc.fault.Kind, err, tc.msg)
		}
	}
	// A late reply to a timed-out command is not taken for the next reply.
	s.Remove()
	s.Inject(sim.IDCardFault{Kind: sim.FaultDelay, Delay: 400 * time.Millisecond, Count: 1})
	if err := c.Find(ctx); !errors.Is(err, idcard.ErrTimeout) {
		t.Fatalf("slow find: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // the late "no card" reply arrives
	s.Place(moved)
	if err := c.Find(ctx); err != nil {
		t.Fatalf("find after a late reply: %v", err)
	}
	// A reply of the wrong size for the command is refused.
	s.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x90, Count: 1})
	if err := c.Select(ctx); !errors.Is(err, idcard.ErrReplyLength) || !strings.Contains(err.Error(), "0 data bytes, want 8") {
		t.Fatalf("short select reply: %v", err)
	}

	ctx2, cancel := context.WithCancel(ctx)
	s.Inject(sim.IDCardFault{Kind: sim.FaultSilence})
	time.AfterFunc(20*time.Millisecond, cancel)
	long := idcard.NewClient(port, 115200, idcard.Timeouts{Command: time.Hour})
	if err := long.Find(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled find: %v", err)
	}
	s.ClearFaults()

	s.Unplug()
	if err := c.Find(ctx); !errors.Is(err, idcard.ErrNoReader) {
		t.Fatalf("unplugged: %v", err)
	}
}

// A reader that was away (a poll without a valid reply) has lost track of the card on
// it, which may have been swapped, or lifted and put back, unseen: once it answers,
// the card on it is read and reported again after the removal of the one before (the
// kiosk knows whether it already serves the holder). Away for long (not responding) or
// for one poll (the swap inside one command's timeout); both reader behaviours.
func TestCardAfterReaderAway(t *testing.T) {
	for _, findWhileActive := range []bool{false, true} {
		for _, long := range []bool{true, false} {
			for _, swap := range []bool{true, false} {
				name := fmt.Sprintf("find while active %v, long %v, swap %v", findWhileActive, long, swap)
				g := newRig(t, sim.IDCardReaderOptions{FindWhileActive: findWhileActive, SwapGap: time.Millisecond}, true)
				g.waitState(idcard.StateReady)
				g.place("resident")
				g.next(idcard.EventCard)
				if long {
					g.sim.Inject(sim.IDCardFault{Kind: sim.FaultSilence})
					g.waitState(idcard.StateNotResponding)
				} else {
					// One find goes unanswered; the card is swapped while the driver waits.
					n := g.sim.Count(sim.IDCmdFind)
					g.sim.Inject(sim.IDCardFault{Kind: sim.FaultSilence, Command: sim.IDCmdFind, Count: 1})
					for g.sim.Count(sim.IDCmdFind) == n {
						time.Sleep(time.Millisecond)
					}
				}
				want := idcard.Resident
				if swap {
					g.place("foreign_2017")
					want = idcard.Foreign2017
				}
				g.sim.ClearFaults()
				g.waitState(idcard.StateReady)
				if e := g.next(idcard.EventCardRemoved); !e.Unseen {
					t.Fatalf("%s: the removal the reader lost track of is reported as seen", name)
				}
				// The same card never left the reader: nobody was seen placing it. A swapped
				// one may have been: the reader may catch the moment it was empty.
				if e := g.next(idcard.EventCard); e.Card.Type != want || !swap && !e.Unseen {
					t.Fatalf("%s: reported %v, unseen %v", name, e.Card, e.Unseen)
				}
				g.quiet()
				g.stop()
			}
		}
	}
}
