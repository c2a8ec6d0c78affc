// Package serialport opens the kiosk's serial devices (ID card reader, printer,
// scanner) through go.bug.st/serial and gives drivers a small Port with read deadlines.
// A Reopener keeps one device open across unplugging: after an I/O error the driver
// calls Fail, and the next Port call reopens the same path with exponential backoff.
//
// Give ports by their stable name under /dev/serial/by-id/: a plain /dev/ttyUSB0 may
// come back as /dev/ttyUSB1 after a replug, a by-id symlink does not.
package serialport

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.bug.st/serial"
)

// Parity of a serial line.
type Parity int

// Parities.
const (
	NoParity Parity = iota
	OddParity
	EvenParity
)

// StopBits of a serial line.
type StopBits int

// Stop bits.
const (
	OneStopBit StopBits = iota
	TwoStopBits
)

// Mode is a line setting. The zero value means 115200 8N1, the kiosk devices' default.
type Mode struct {
	Baud     int // bits per second; 0 means 115200
	DataBits int // 5 to 8; 0 means 8
	Parity   Parity
	StopBits StopBits
}

// DefaultBaud is the rate used when Mode.Baud is zero.
const DefaultBaud = 115200

func (m Mode) withDefaults() Mode {
	if m.Baud == 0 {
		m.Baud = DefaultBaud
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	return m
}

// String formats the mode like "115200 8N1".
func (m Mode) String() string {
	m = m.withDefaults()
	p := map[Parity]string{NoParity: "N", OddParity: "O", EvenParity: "E"}[m.Parity]
	s := map[StopBits]string{OneStopBit: "1", TwoStopBits: "2"}[m.StopBits]
	return fmt.Sprintf("%d %d%s%s", m.Baud, m.DataBits, p, s)
}

// Port is what a driver needs of a serial port. It is safe to call Close from another
// goroutine while a Read is blocked: the Read returns at once with an error.
type Port interface {
	// Read reads what has arrived, at least one byte. It returns an error wrapping
	// os.ErrDeadlineExceeded when the read deadline passes with nothing read, and any
	// other error when the device is gone (unplugged, closed). A deadline already
	// passed (such as time.Now()) still returns what is waiting: it is a read that does
	// not wait.
	Read(p []byte) (int, error)
	// Write writes p; an error means the device is gone.
	Write(p []byte) (int, error)
	// SetReadDeadline sets when pending and future Reads give up; the zero time means never.
	SetReadDeadline(t time.Time) error
	// ResetInputBuffer discards bytes received but not yet read, such as a late reply.
	ResetInputBuffer() error
	// Close closes the port; it is safe to call more than once.
	Close() error
}

// Open opens the serial port at path (a device or a symlink to one) with mode, and
// discards anything the device sent before it was opened.
//
// DTR and RTS are asserted after opening (some readers take power or a "ready" signal
// from them). On a pseudo-terminal these ioctls fail with ENOTTY; that is ignored, and
// Mode.InitialStatusBits is left nil because go.bug.st/serial would refuse to open a
// pty with it set.
func Open(path string, mode Mode) (Port, error) {
	mode = mode.withDefaults()
	sm := &serial.Mode{BaudRate: mode.Baud, DataBits: mode.DataBits}
	switch mode.Parity {
	case OddParity:
		sm.Parity = serial.OddParity
	case EvenParity:
		sm.Parity = serial.EvenParity
	default:
		sm.Parity = serial.NoParity
	}
	if mode.StopBits == TwoStopBits {
		sm.StopBits = serial.TwoStopBits
	} else {
		sm.StopBits = serial.OneStopBit
	}
	sp, err := serial.Open(path, sm)
	if err != nil {
		return nil, fmt.Errorf("serialport: open %s: %w", path, err)
	}
	for _, set := range []func(bool) error{sp.SetDTR, sp.SetRTS} {
		if err := set(true); err != nil && !ignorableModemError(err) {
			sp.Close()
			return nil, fmt.Errorf("serialport: open %s: modem lines: %w", path, err)
		}
	}
	if err := sp.ResetInputBuffer(); err != nil {
		sp.Close()
		return nil, fmt.Errorf("serialport: open %s: %w", path, err)
	}
	return &port{sp: sp, path: path}, nil
}

// ignorableModemError reports whether setting a modem line failed only because the
// device has no modem lines (a pseudo-terminal, some USB bridges).
func ignorableModemError(err error) bool {
	return errors.Is(err, syscall.ENOTTY) || errors.Is(err, syscall.EINVAL)
}

// port adapts go.bug.st/serial's timeout-per-read to deadlines.
type port struct {
	sp     serial.Port
	path   string
	closed atomic.Bool // Close was called: a read that ends now is not a device gone

	mu       sync.Mutex
	deadline time.Time
}

// maxWait caps one underlying read so that a far deadline is still honoured when it is
// moved closer from another goroutine.
const maxWait = time.Second

func (p *port) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		dl := p.deadline
		p.mu.Unlock()
		wait, passed := maxWait, false
		if !dl.IsZero() {
			wait = min(time.Until(dl), maxWait)
			if wait <= 0 {
				// One read of what is waiting, without waiting: a deadline of "now" is
				// how a driver polls (the printer's XOFF).
				wait, passed = 0, true
			}
		}
		if err := p.sp.SetReadTimeout(wait); err != nil {
			return 0, fmt.Errorf("serialport: read %s: %w", p.path, err)
		}
		n, err := p.sp.Read(b)
		if err != nil {
			if hungUp(err) && !p.closed.Load() {
				// go.bug.st/serial says "closed" of a USB device pulled out mid-read too.
				return n, fmt.Errorf("serialport: read %s: %w: %w", p.path, ErrGone, err)
			}
			return n, fmt.Errorf("serialport: read %s: %w", p.path, err)
		}
		if n > 0 {
			return n, nil
		}
		if passed {
			return 0, fmt.Errorf("serialport: read %s: %w", p.path, os.ErrDeadlineExceeded)
		}
	}
}

func (p *port) Write(b []byte) (int, error) {
	n, err := p.sp.Write(b)
	if err != nil {
		return n, fmt.Errorf("serialport: write %s: %w", p.path, err)
	}
	if n < len(b) {
		return n, fmt.Errorf("serialport: write %s: short write (%d of %d bytes)", p.path, n, len(b))
	}
	return n, nil
}

func (p *port) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
	return nil
}

func (p *port) ResetInputBuffer() error {
	if err := p.sp.ResetInputBuffer(); err != nil {
		return fmt.Errorf("serialport: reset input %s: %w", p.path, err)
	}
	return nil
}

func (p *port) Close() error {
	p.closed.Store(true)
	return p.sp.Close()
}

// IsTimeout reports whether err is a read deadline passing (the device may still be
// there), as opposed to the device being gone.
func IsTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// ErrGone is a port whose device went away while it was open (IsGone).
var ErrGone = errors.New("serialport: the device went away")

// IsGone reports whether err says the device is not there: nothing at the path (the
// cable pulled and udev's /dev/serial/by-id link gone, a node with no device behind it),
// or an open port whose device went away. Staff then check the cable, not the settings.
func IsGone(err error) bool {
	for _, e := range []error{ErrGone, syscall.ENOENT, syscall.ENXIO, syscall.ENODEV, syscall.EIO} {
		if errors.Is(err, e) {
			return true
		}
	}
	var pe *serial.PortError
	return errors.As(err, &pe) && pe.Code() == serial.PortNotFound
}

// hungUp reports go.bug.st/serial's "port closed", which a read returns after Close,
// and when the device hung up (a USB device pulled out gives a zero-length read).
func hungUp(err error) bool {
	var pe *serial.PortError
	return errors.As(err, &pe) && pe.Code() == serial.PortClosed
}
