// Package sim emulates the kiosk's serial devices on pseudo-terminals, byte for byte as
// the real devices speak, so that drivers are tested through go.bug.st/serial on a real
// tty and demo mode runs without hardware. An emulator holds the pty's master side; the
// driver opens the slave path (or a stable symlink to it) like any serial port.
package sim

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal pair.
type PTY struct {
	// Master is the device side: the emulator reads what the driver sends and writes replies.
	// It is non-blocking: Close wakes a goroutine blocked on it, and deadlines work.
	Master *os.File
	// Path is the slave's path (/dev/pts/N), or the symlink given to OpenPTY.
	Path string

	slave *os.File
	link  string
	once  sync.Once
}

// OpenPTY opens a new pair in raw mode. With link non-empty it also creates (or
// replaces) a symlink at link pointing to the slave, a stable name that survives
// "unplugging" (closing) and re-creating the pair, like /dev/serial/by-id/....
func OpenPTY(link string) (*PTY, error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("sim: open pty: %w", err)
	}
	if err := makeRaw(s); err != nil {
		m.Close()
		s.Close()
		return nil, err
	}
	if m, err = pollable(m); err != nil {
		s.Close()
		return nil, err
	}
	p := &PTY{Master: m, Path: s.Name(), slave: s}
	if link != "" {
		tmp := link + ".tmp"
		os.Remove(tmp)
		if err := os.Symlink(s.Name(), tmp); err != nil {
			p.Close()
			return nil, fmt.Errorf("sim: link %s: %w", link, err)
		}
		if err := os.Rename(tmp, link); err != nil {
			p.Close()
			return nil, fmt.Errorf("sim: link %s: %w", link, err)
		}
		p.Path, p.link = link, link
	}
	return p, nil
}

// pollable returns f as a non-blocking file in Go's poller, closing f. creack/pty calls
// Fd() on the master, which makes it blocking: a goroutine blocked reading it could not
// be woken by Close, and deadlines would not work. The dup keeps the same pty.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("sim: dup pty master: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("sim: pty master: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// makeRaw puts the slave in raw mode so that the line discipline neither echoes nor
// translates bytes before the driver opens it (the driver sets its own mode on open).
func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("sim: termios: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("sim: termios: %w", err)
	}
	return nil
}

// Close closes both sides: to the driver it looks like the device was unplugged.
// The symlink, if any, is left in place for the next pair.
func (p *PTY) Close() error {
	var err error
	p.once.Do(func() {
		err = errors.Join(p.Master.Close(), p.slave.Close())
	})
	return err
}

// WireTime is how long n bytes take on a UART at baud (8N1: 10 bits a byte).
func WireTime(n, baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(baud)
}

// WritePaced writes b to the master no faster than baud allows, so that the driver
// sees the timing of a real UART.
func (p *PTY) WritePaced(b []byte, baud int) error {
	start := time.Now()
	const chunk = 64
	for off := 0; off < len(b); off += chunk {
		end := min(off+chunk, len(b))
		if _, err := p.Master.Write(b[off:end]); err != nil {
			return fmt.Errorf("sim: write: %w", err)
		}
		if d := time.Until(start.Add(WireTime(end, baud))); d > 0 {
			time.Sleep(d)
		}
	}
	return nil
}
