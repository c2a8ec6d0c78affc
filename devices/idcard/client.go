package idcard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/liangzihu/kiosk/devices/serialport"
)

// ErrNoReader: the reader's port cannot be opened, or the device went away (unplugged,
// I/O error). The Reader loop reopens it by itself.
var ErrNoReader = errors.New("ID card reader not connected")

// Timeouts are how long the reader may take to start answering, on top of the time
// the command and the longest possible reply take on the wire at the port's baud rate
// (which Client adds). They only matter when something is wrong: a healthy reply is
// taken the moment its last byte arrives, as announced by its LEN field.
type Timeouts struct {
	// Command covers reset, SAM status and ID, find and select. Zero means 300 ms
	// (vendor code uses 100 ms to 1 s).
	Command time.Duration
	// Read covers reading the card text and photo, which includes the SAM's
	// authentication of the card, and the appended address. Zero means 2 s (vendor
	// code uses 1.1 to 3 s for the text, 1.5 s for the address).
	Read time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	if t.Command <= 0 {
		t.Command = 300 * time.Millisecond
	}
	if t.Read <= 0 {
		t.Read = 2 * time.Second
	}
	return t
}

// Client sends commands to a reader over a port, one at a time, and waits for each
// reply. It is not safe for concurrent use.
type Client struct {
	port     serialport.Port
	baud     int
	timeouts Timeouts
}

// NewClient returns a Client on an open port at baud (0 means 115200).
func NewClient(p serialport.Port, baud int, t Timeouts) *Client {
	if baud <= 0 {
		baud = serialport.DefaultBaud
	}
	return &Client{port: p, baud: baud, timeouts: t.withDefaults()}
}

// wire is how long n bytes take on the line (8N1: 10 bits a byte).
func (c *Client) wire(n int) time.Duration {
	return time.Duration(n) * 10 * time.Second / time.Duration(c.baud)
}

// pollSlice caps a single blocking read so that a cancelled ctx is noticed soon even
// when nobody closes the port.
const pollSlice = 100 * time.Millisecond

// Do sends cmd and returns the reader's reply frame, whatever its status. Errors are
// transport and frame errors: ErrNoReader (I/O error), ErrTimeout, ErrReplyChecksum,
// ErrReplyLength, or ctx's error.
func (c *Client) Do(ctx context.Context, cmd Command) (Reply, error) {
	if err := ctx.Err(); err != nil {
		return Reply{}, err
	}
	// Anything already waiting is a late reply to an earlier command, or noise.
	if err := c.port.ResetInputBuffer(); err != nil {
		return Reply{}, fmt.Errorf("idcard: %s: %w: %w", cmd, ErrNoReader, err)
	}
	f := cmd.Frame()
	start := time.Now()
	if _, err := c.port.Write(f); err != nil {
		return Reply{}, fmt.Errorf("idcard: %s: %w: %w", cmd, ErrNoReader, err)
	}
	allow := c.timeouts.Command
	if cmd == CmdRead || cmd == CmdReadFingerprint || cmd == CmdReadAddress {
		allow = c.timeouts.Read
	}
	deadline := start.Add(c.wire(len(f)) + allow + c.wire(headerLen+cmd.maxReply()))
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return c.readReply(ctx, cmd, deadline)
}

// readReply collects bytes until scanFrame finds a whole frame: it returns as soon as
// the LEN field is satisfied, never waiting for a timeout on a healthy reply.
func (c *Client) readReply(ctx context.Context, cmd Command, deadline time.Time) (Reply, error) {
	buf := make([]byte, 0, 2*headerLen+cmd.maxReply()+64)
	chunk := make([]byte, 512)
	for {
		frame, used, err := scanFrame(buf)
		if err != nil {
			return Reply{}, fmt.Errorf("idcard: %s: %w", cmd, err)
		}
		if frame != nil {
			r, err := decodeReply(frame)
			if err != nil {
				return Reply{}, fmt.Errorf("idcard: %s: %w", cmd, err)
			}
			r.Data = append([]byte(nil), r.Data...)
			return r, nil
		}
		buf = buf[:copy(buf, buf[used:])] // drop noise before the preamble
		if err := ctx.Err(); err != nil {
			return Reply{}, err
		}
		now := time.Now()
		if !now.Before(deadline) {
			if len(buf) >= len(Preamble) {
				return Reply{}, fmt.Errorf("idcard: %s: %w: truncated reply, %d bytes arrived", cmd, ErrTimeout, len(buf))
			}
			return Reply{}, fmt.Errorf("idcard: %s: %w", cmd, ErrTimeout)
		}
		slice := now.Add(pollSlice)
		if deadline.Before(slice) {
			slice = deadline
		}
		c.port.SetReadDeadline(slice)
		n, err := c.port.Read(chunk)
		if err != nil && !serialport.IsTimeout(err) {
			if ctx.Err() != nil {
				return Reply{}, ctx.Err()
			}
			return Reply{}, fmt.Errorf("idcard: %s: %w: %w", cmd, ErrNoReader, err)
		}
		buf = append(buf, chunk[:n]...)
	}
}

// command runs cmd and turns a failure status into a *StatusError.
func (c *Client) command(ctx context.Context, cmd Command) (Reply, error) {
	r, err := c.Do(ctx, cmd)
	if err != nil {
		return r, err
	}
	if r.SW3 != cmd.success() {
		return r, &StatusError{Command: cmd, Status: r.SW3, SW1: r.SW1, SW2: r.SW2}
	}
	// Without sequence numbers, a reply of the wrong size is the best sign of a reply
	// to another command (a late one), or of a reader speaking another dialect.
	if n := cmd.dataLen(); n >= 0 && len(r.Data) != n {
		return r, fmt.Errorf("idcard: %s: %w: success reply with %d data bytes, want %d", cmd, ErrReplyLength, len(r.Data), n)
	}
	return r, nil
}

// Reset resets the SAM (10 FF).
func (c *Client) Reset(ctx context.Context) error {
	_, err := c.command(ctx, CmdReset)
	return err
}

// SAMStatus checks the SAM (11 FF); errors.Is(err, ErrSAMFault) means it cannot work.
func (c *Client) SAMStatus(ctx context.Context) error {
	_, err := c.command(ctx, CmdSAMStatus)
	return err
}

// SAMID reads the module number (12 FF), formatted by ParseSAMID.
func (c *Client) SAMID(ctx context.Context) (string, error) {
	r, err := c.command(ctx, CmdSAMID)
	if err != nil {
		return "", err
	}
	return ParseSAMID(r.Data)
}

// Find asks whether a card is on the reader (20 01): nil when one is, an error
// matching ErrNoCard when none is.
func (c *Client) Find(ctx context.Context) error {
	_, err := c.command(ctx, CmdFind)
	return err
}

// Select selects the card found (20 02); ErrSelectFailed when it cannot.
func (c *Client) Select(ctx context.Context) error {
	_, err := c.command(ctx, CmdSelect)
	return err
}

// Read reads the selected card's text and photo (30 01).
func (c *Client) Read(ctx context.Context) (*Card, error) {
	card, _, err := c.read(ctx, CmdRead)
	return card, err
}

// ReadWithFingerprint reads text, photo and fingerprint templates (30 10). The
// templates are biometric data: use them at once and never keep them.
func (c *Client) ReadWithFingerprint(ctx context.Context) (*Card, []byte, error) {
	return c.read(ctx, CmdReadFingerprint)
}

func (c *Client) read(ctx context.Context, cmd Command) (*Card, []byte, error) {
	r, err := c.command(ctx, cmd)
	if err != nil {
		return nil, nil, err
	}
	return ParseReadReply(r)
}

// ReadAddress reads the appended address (30 03); "" when the card has none (status 91).
func (c *Client) ReadAddress(ctx context.Context) (string, error) {
	r, err := c.Do(ctx, CmdReadAddress)
	if err != nil {
		return "", err
	}
	switch r.SW3 {
	case ErrNoContent:
		return "", nil
	case StatusOK:
		return ParseAddress(r.Data)
	}
	return "", &StatusError{Command: CmdReadAddress, Status: r.SW3, SW1: r.SW1, SW2: r.SW2}
}

// ReadCard runs the whole sequence once: find, then ReadFound. ErrNoCard when no card
// is on the reader.
func (c *Client) ReadCard(ctx context.Context) (*Card, error) {
	if err := c.Find(ctx); err != nil {
		return nil, err
	}
	return c.ReadFound(ctx)
}

// ReadFound selects the card that Find reported, reads its text and photo, and reads
// and applies its appended address (see Card.AddressErr).
func (c *Client) ReadFound(ctx context.Context) (*Card, error) {
	if err := c.Select(ctx); err != nil {
		return nil, err
	}
	return c.readSelected(ctx, true)
}

// readSelected reads a selected card, and its appended address when withAddress. A
// failed address read leaves the printed address, with Card.AddressErr saying why.
func (c *Client) readSelected(ctx context.Context, withAddress bool) (*Card, error) {
	card, err := c.Read(ctx)
	if err != nil || !withAddress {
		return card, err
	}
	addr, err := c.ReadAddress(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		card.AddressErr = err
		return card, nil
	}
	card.ApplyAddress(addr)
	return card, nil
}
