package serialport

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/devices/sim"
)

func openSim(t *testing.T) (*sim.PTY, Port) {
	t.Helper()
	p, err := sim.OpenPTY(filepath.Join(t.TempDir(), "ttyV0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	port, err := Open(p.Path, Mode{})
	if err != nil {
		t.Fatalf("open pty (DTR/RTS ENOTTY must be tolerated): %v", err)
	}
	t.Cleanup(func() { port.Close() })
	return p, port
}

func TestModeString(t *testing.T) {
	for _, tc := range []struct {
		m    Mode
		want string
	}{
		{Mode{}, "115200 8N1"},
		{Mode{Baud: 9600, Parity: EvenParity, StopBits: TwoStopBits}, "9600 8E2"},
		{Mode{Baud: 19200, DataBits: 7, Parity: OddParity}, "19200 7O1"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestReadWriteAndDeadline(t *testing.T) {
	p, port := openSim(t)
	if _, err := port.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	if _, err := io.ReadFull(p.Master, got); err != nil || string(got) != "ping" {
		t.Fatalf("device got %q, %v", got, err)
	}
	if err := p.WritePaced([]byte("pong"), 115200); err != nil {
		t.Fatal(err)
	}
	port.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(port, buf); err != nil || string(buf) != "pong" {
		t.Fatalf("driver got %q, %v", buf, err)
	}
	// Nothing more comes: the deadline passes and says so.
	port.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	n, err := port.Read(buf)
	if n != 0 || !IsTimeout(err) {
		t.Fatalf("idle read = %d, %v; want a timeout", n, err)
	}
	// A deadline in the past fails at once.
	port.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := port.Read(buf); !IsTimeout(err) {
		t.Fatalf("past deadline: %v", err)
	}
}

// A deadline already passed still reads what has arrived, without waiting: that is how
// a driver polls (the printer's XOFF and late status replies through
// printer.OverSerialPort, whose zero timeout is a deadline of now). Only with nothing
// waiting does it report the deadline.
func TestPastDeadlineReadsWhatIsWaiting(t *testing.T) {
	p, port := openSim(t)
	buf := make([]byte, 8)
	for _, tc := range []struct {
		name     string
		deadline time.Time
	}{
		{"now", time.Now()},
		{"a second ago", time.Now().Add(-time.Second)},
	} {
		if _, err := p.Master.Write([]byte{0x13, 0x16}); err != nil { // XOFF, a status byte
			t.Fatal(err)
		}
		// Wait (with a deadline far off) until both bytes are in the line discipline.
		port.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(port, buf[:1]); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		port.SetReadDeadline(tc.deadline)
		n, err := port.Read(buf)
		if err != nil || n != 1 || buf[0] != 0x16 {
			t.Fatalf("%s: read % X, %v; want the byte waiting", tc.name, buf[:n], err)
		}
		n, err = port.Read(buf)
		if n != 0 || !IsTimeout(err) {
			t.Fatalf("%s: read % X, %v with nothing waiting; want a timeout", tc.name, buf[:n], err)
		}
	}
}

// Bytes the device sent before the port was opened (a late reply, line noise) are
// not handed to the driver, and ResetInputBuffer drops bytes that arrive later.
func TestStaleInputDiscarded(t *testing.T) {
	p, err := sim.OpenPTY("")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Master.Write([]byte("stale")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // let the line discipline queue it
	port, err := Open(p.Path, Mode{})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	buf := make([]byte, 16)
	port.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := port.Read(buf); n != 0 || !IsTimeout(err) {
		t.Fatalf("read %q, %v; want nothing", buf[:n], err)
	}
	p.Master.Write([]byte("late"))
	time.Sleep(20 * time.Millisecond)
	if err := port.ResetInputBuffer(); err != nil {
		t.Fatal(err)
	}
	p.Master.Write([]byte("new"))
	port.SetReadDeadline(time.Now().Add(time.Second))
	n, err := port.Read(buf)
	if err != nil || string(buf[:n]) != "new" {
		t.Fatalf("read %q, %v; want \"new\"", buf[:n], err)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	_, port := openSim(t)
	done := make(chan error)
	go func() {
		_, err := port.Read(make([]byte, 8)) // no deadline: blocks
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	port.Close()
	select {
	case err := <-done:
		if err == nil || IsTimeout(err) || IsGone(err) {
			t.Fatalf("read after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after Close")
	}
	if err := port.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// Unplugging (the device side closing) is an error, not a timeout: the device is gone.
func TestUnplugIsAnError(t *testing.T) {
	p, port := openSim(t)
	p.Close()
	port.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := port.Read(make([]byte, 8)); err == nil || IsTimeout(err) || !IsGone(err) {
		t.Fatalf("read after unplug: %v", err)
	}
	if _, err := port.Write([]byte("x")); err == nil || !IsGone(err) {
		t.Fatalf("write after unplug: %v", err)
	}
}

// A USB device pulled out mid-read gives a zero-length read, which go.bug.st/serial
// reports as "port closed", as it does after Close: the device is gone unless the port
// was closed.
func TestHangUpIsGone(t *testing.T) {
	// go.bug.st/serial's own "port closed": a read of a port it closed.
	pty, err := sim.OpenPTY(filepath.Join(t.TempDir(), "ttyV0"))
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	sp, err := serial.Open(pty.Path, &serial.Mode{BaudRate: 9600})
	if err != nil {
		t.Fatal(err)
	}
	sp.Close()
	_, closedErr := sp.Read(make([]byte, 1))
	if !hungUp(closedErr) {
		t.Fatalf("go.bug.st/serial's read after close: %v", closedErr)
	}
	for _, closed := range []bool{false, true} {
		p := &port{sp: hangingUp{closedErr}, path: "ttyUSB0"}
		if closed {
			p.Close()
		}
		if _, err := p.Read(make([]byte, 8)); IsGone(err) == closed || IsTimeout(err) {
			t.Errorf("closed by Close %v: %v", closed, err)
		}
	}
}

// hangingUp is a serial port whose reads fail with err.
type hangingUp struct{ err error }

func (h hangingUp) Read([]byte) (int, error)                           { return 0, h.err }
func (h hangingUp) SetReadTimeout(time.Duration) error                 { return nil }
func (h hangingUp) Close() error                                       { return nil }
func (hangingUp) Write(b []byte) (int, error)                          { return len(b), nil }
func (hangingUp) SetMode(*serial.Mode) error                           { return nil }
func (hangingUp) Drain() error                                         { return nil }
func (hangingUp) ResetInputBuffer() error                              { return nil }
func (hangingUp) ResetOutputBuffer() error                             { return nil }
func (hangingUp) SetDTR(bool) error                                    { return nil }
func (hangingUp) SetRTS(bool) error                                    { return nil }
func (hangingUp) GetModemStatusBits() (*serial.ModemStatusBits, error) { return nil, nil }
func (hangingUp) Break(time.Duration) error                            { return nil }

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing"), Mode{})
	if !errors.Is(err, os.ErrNotExist) || !IsGone(err) {
		t.Fatalf("missing device: %v", err)
	}
	plain := filepath.Join(dir, "file")
	os.WriteFile(plain, nil, 0o600)
	if _, err := Open(plain, Mode{}); err == nil || IsGone(err) {
		t.Fatalf("opened a regular file as a serial port, or took it for a device unplugged: %v", err)
	}
}

func TestReopenerBackoffAndRecovery(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyV0")
	r := NewReopener(link, Mode{}, Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond})
	defer r.Close()
	ctx := context.Background()
	var delays []time.Duration
	for range 4 {
		if _, err := r.Port(ctx); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("no device: %v", err)
		}
		delays = append(delays, r.delay)
	}
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond}
	for i := range want {
		if delays[i] != want[i] {
			t.Fatalf("backoff delays %v, want %v", delays, want)
		}
	}

	dev, err := sim.OpenPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := r.Port(ctx)
	if err != nil {
		t.Fatalf("device plugged in: %v", err)
	}
	if p2, _ := r.Port(ctx); p2 != p1 {
		t.Fatal("Port reopened a healthy port")
	}

	// Unplug and plug back at the same path: the driver reports the failure and gets a
	// working port again.
	dev.Close()
	r.Fail()
	dev, err = sim.OpenPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	p3, err := r.Port(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p3.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2)
	if _, err := io.ReadFull(dev.Master, got); err != nil || string(got) != "hi" {
		t.Fatalf("after reopen device got %q, %v", got, err)
	}
}

// A port that fails soon after it opens (a device that opens but does not work) is
// reopened with backoff, lest the driver spin; one that had served is reopened at once
// and the backoff starts over.
func TestReopenerFailSoonBacksOff(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyV0")
	dev, err := sim.OpenPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	b := Backoff{Min: time.Millisecond, Max: 4 * time.Millisecond}
	r := NewReopener(link, Mode{}, b)
	defer r.Close()
	for _, want := range []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond} {
		if _, err := r.Port(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.opened = time.Now() // it fails at once
		r.Fail()
		if r.delay != want || r.next.IsZero() {
			t.Fatalf("failed at once: delay %v, want %v", r.delay, want)
		}
	}
	if _, err := r.Port(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.opened = time.Now().Add(-b.Max) // it served
	r.Fail()
	if r.delay != 0 || !r.next.IsZero() {
		t.Fatalf("failed after serving: delay %v, next %v", r.delay, r.next)
	}
}

func TestReopenerWaitHonoursContext(t *testing.T) {
	r := NewReopener(filepath.Join(t.TempDir(), "none"), Mode{}, Backoff{Min: time.Hour, Max: time.Hour})
	if _, err := r.Port(context.Background()); err == nil {
		t.Fatal("opened a missing device")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Port(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// Serve tells of a missing device, serves it once it is there, tells of a lost
// connection and serves it again; ending ctx interrupts a blocked read and stops it,
// with no callback after the end.
func TestReopenerServe(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyV0")
	r := NewReopener(link, Mode{}, Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan string, 64)
	serves := 0
	done := make(chan error, 1)
	go func() {
		done <- r.Serve(ctx, func(ctx context.Context, p Port) error {
			serves++
			events <- "served"
			if serves == 1 {
				return errors.New("glitch") // a lost connection: Serve reopens
			}
			_, err := p.Read(make([]byte, 1)) // blocks until ctx ends and closes the port
			return err
		}, func(error) {
			select {
			case events <- "missing":
			default:
			}
		}, func(err error) { events <- "lost: " + err.Error() })
	}()
	next := func() string {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("Serve is stuck")
			return ""
		}
	}
	if e := next(); e != "missing" {
		t.Fatalf("no device: %q", e)
	}
	dev, err := sim.OpenPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	var seen []string
	for len(seen) < 3 {
		if e := next(); e != "missing" {
			seen = append(seen, e)
		}
	}
	if seen[0] != "served" || seen[1] != "lost: glitch" || seen[2] != "served" {
		t.Fatalf("events %q", seen)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ending ctx did not interrupt the blocked read")
	}
	select {
	case e := <-events:
		t.Fatalf("a callback after the end: %q", e)
	default:
	}
}
