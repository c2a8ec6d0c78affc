package sim

import (
	"errors"
	"os"
	"sync"
	"time"
)

// ScannerOptions configure the emulated QR / barcode scanner.
type ScannerOptions struct {
	// Link is a symlink path for the port, stable across Unplug and Replug.
	Link string
	// Baud paces the output; 0 means 9600, the usual factory setting.
	Baud int
	// Suffix ends every code; nil means CR LF, the usual factory setting. Use an
	// empty, non-nil slice for a scanner configured without suffix.
	Suffix []byte
}

// Scanner is an emulated line-oriented scanner on a pseudo-terminal: each Scan
// sends the code and the suffix, paced at the baud rate, as a real scanner does when
// a QR code is held under it. It is safe for concurrent use.
type Scanner struct {
	opts ScannerOptions

	mu     sync.Mutex // serialises writes and plugging
	pty    *PTY
	path   string
	closed bool
}

// StartScanner starts an emulated scanner. Open Path with the driver.
func StartScanner(o ScannerOptions) (*Scanner, error) {
	if o.Baud <= 0 {
		o.Baud = 9600
	}
	if o.Suffix == nil {
		o.Suffix = []byte("\r\n")
	}
	s := &Scanner{opts: o}
	if err := s.plug(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scanner) plug() error {
	p, err := OpenPTY(s.opts.Link)
	if err != nil {
		return err
	}
	s.pty, s.path = p, p.Path
	return nil
}

// Path is the port the driver opens: Link when given, else the pty's /dev/pts/N.
func (s *Scanner) Path() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path
}

// ErrUnplugged: the emulated device is unplugged or closed.
var ErrUnplugged = errors.New("sim: device unplugged")

// Scan sends code followed by the suffix, as when a code is read.
func (s *Scanner) Scan(code string) error {
	return s.WriteRaw(append([]byte(code), s.opts.Suffix...))
}

// WriteRaw sends bytes as they are: line noise, half a code, a code with another
// terminator.
func (s *Scanner) WriteRaw(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pty == nil {
		return ErrUnplugged
	}
	// If the driver stops reading, the pty fills up; do not hang the caller.
	s.pty.Master.SetWriteDeadline(time.Now().Add(time.Second + WireTime(len(b), s.opts.Baud)))
	return s.pty.WritePaced(b, s.opts.Baud)
}

// Unplug closes the port and removes the link, like pulling the USB cable.
func (s *Scanner) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pty == nil {
		return nil
	}
	if s.opts.Link != "" {
		os.Remove(s.opts.Link)
	}
	err := s.pty.Close()
	s.pty = nil
	return err
}

// Replug brings the scanner back at the same Link.
func (s *Scanner) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sim: scanner closed")
	}
	if s.pty != nil {
		return nil
	}
	return s.plug()
}

// Close unplugs the scanner for good.
func (s *Scanner) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return s.Unplug()
}
