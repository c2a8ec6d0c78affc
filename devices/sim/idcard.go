package sim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// idcardPreamble starts every frame of the ID card reader protocol.
var idcardPreamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// replyFrame builds a reader→host frame: preamble, LEN, SW1 SW2 SW3, data, XOR CHK.
func replyFrame(sw3 byte, data []byte) []byte {
	n := 3 + len(data) + 1
	f := append([]byte{}, idcardPreamble...)
	f = append(f, byte(n>>8), byte(n), 0, 0, sw3)
	f = append(f, data...)
	var x byte
	for _, c := range f[5:] {
		x ^= c
	}
	return append(f, x)
}

// IDCardFaultKind is a way the emulated reader misbehaves.
type IDCardFaultKind int

// Faults.
const (
	// FaultBadChecksum corrupts the reply's checksum byte.
	FaultBadChecksum IDCardFaultKind = iota + 1
	// FaultTruncate sends the first half of the reply, then nothing.
	FaultTruncate
	// FaultNoise sends garbage bytes (no preamble) before the reply.
	FaultNoise
	// FaultSilence sends nothing at all.
	FaultSilence
	// FaultStatus replies with IDCardFault.Status and no data instead (e.g. 0x60, the
	// SAM self-test failure; 0x41, a read failure).
	FaultStatus
	// FaultDelay answers correctly but IDCardFault.Delay late (a slow or stuck reader).
	FaultDelay
)

// IDCardFault is a fault to inject.
type IDCardFault struct {
	Kind IDCardFaultKind
	// Command limits the fault to one command, as CMD<<8 | PARA (e.g. 0x3001 for the
	// card read); 0 means every command.
	Command uint16
	// Status is the SW3 sent by FaultStatus.
	Status byte
	// Delay is FaultDelay's extra wait.
	Delay time.Duration
	// Count is how many replies the fault affects; 0 means until ClearFaults.
	Count int
}

// Commands of the emulated reader, as CMD<<8 | PARA.
const (
	IDCmdReset           uint16 = 0x10FF
	IDCmdSAMStatus       uint16 = 0x11FF
	IDCmdSAMID           uint16 = 0x12FF
	IDCmdFind            uint16 = 0x2001
	IDCmdSelect          uint16 = 0x2002
	IDCmdRead            uint16 = 0x3001
	IDCmdReadAddress     uint16 = 0x3003
	IDCmdReadFingerprint uint16 = 0x3010
)

// IDCardReaderOptions configure the emulated reader.
type IDCardReaderOptions struct {
	// Link is a symlink path for the port, stable across Unplug and Replug (like
	// /dev/serial/by-id/...). Empty: the driver must use Path, which changes on Replug.
	Link string
	// Baud paces replies, and the arrival of commands, like a UART; 0 means 115200.
	Baud int
	// Latency is the reader's own time per command (RF and SAM work) before it answers.
	// Real readers take tens to hundreds of milliseconds; 0 leaves only the wire time.
	Latency time.Duration
	// FindWhileActive makes find keep answering 9F for a card that has been selected.
	// By default find fails (80) for such a card until it is lifted, as on readers
	// that leave the card in its active state.
	FindWhileActive bool
	// SwapGap is how long the reader is empty when Place replaces a card already on
	// it, as when a hand lifts one card and puts down another; 0 means 300 ms.
	SwapGap time.Duration
}

// cardState follows the card through find and select.
type cardState int

const (
	cardIdle   cardState = iota // in the field, not yet found
	cardFound                   // answered find
	cardActive                  // selected: can be read
)

// IDCardReader is an emulated 二代身份证 reader on a pseudo-terminal. It answers the
// GA 467 protocol byte for byte, paced at its baud rate. Cards are placed and removed
// with Place and Remove, faults injected with Inject. All methods are safe for
// concurrent use.
type IDCardReader struct {
	opts IDCardReaderOptions

	mu     sync.Mutex
	pty    *PTY
	path   string
	card   *IDCard
	next   *IDCard   // a card on its way after a swap
	nextAt time.Time // when next lands
	state  cardState
	faults []IDCardFault
	counts map[uint16]int
	closed bool
	wg     sync.WaitGroup
}

// StartIDCardReader starts an emulated reader. Open Path with the driver.
func StartIDCardReader(o IDCardReaderOptions) (*IDCardReader, error) {
	if o.Baud <= 0 {
		o.Baud = 115200
	}
	if o.SwapGap <= 0 {
		o.SwapGap = 300 * time.Millisecond
	}
	r := &IDCardReader{opts: o, counts: map[uint16]int{}}
	if err := r.plug(); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is the port the driver opens: Link when given, else the pty's /dev/pts/N.
func (r *IDCardReader) Path() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.path
}

// Place puts a card on the reader. The card must lay out into its text block. If a
// card is already there, it is lifted at once and the new one lands SwapGap later.
func (r *IDCardReader) Place(c IDCard) error {
	if _, err := c.Text(); err != nil {
		return err
	}
	if _, err := c.appendedAddress(); err != nil {
		return err
	}
	if n := len(c.Fingerprint); n != 0 && n != 512 && n != 1024 {
		return fmt.Errorf("sim: fingerprint is %d bytes, want 0, 512 or 1024", n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.land()
	if r.card != nil || r.next != nil {
		r.card, r.next, r.nextAt = nil, &c, time.Now().Add(r.opts.SwapGap)
		return nil
	}
	r.card, r.state = &c, cardIdle
	return nil
}

// land puts a swapped-in card down once its gap has passed; r.mu is held.
func (r *IDCardReader) land() {
	if r.next != nil && !time.Now().Before(r.nextAt) {
		r.card, r.state, r.next = r.next, cardIdle, nil
	}
}

// Remove lifts the card off the reader.
func (r *IDCardReader) Remove() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.card, r.next = nil, nil
}

// Card is the card on the reader, if any (a card still landing after a swap is not).
func (r *IDCardReader) Card() (IDCard, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.land()
	if r.card == nil {
		return IDCard{}, false
	}
	return *r.card, true
}

// Inject adds a fault; faults apply in the order injected.
func (r *IDCardReader) Inject(f IDCardFault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, f)
}

// ClearFaults removes every fault.
func (r *IDCardReader) ClearFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
}

// Count is how many times the reader has received cmd (CMD<<8 | PARA).
func (r *IDCardReader) Count(cmd uint16) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[cmd]
}

// Unplug makes the reader vanish like a pulled USB cable: the symlink goes first (as
// udev removes /dev/serial/by-id links), then the pty closes, so the driver's reads
// and writes fail.
func (r *IDCardReader) Unplug() error {
	r.mu.Lock()
	p := r.pty
	r.pty = nil
	r.mu.Unlock()
	if p == nil {
		return nil
	}
	if r.opts.Link != "" {
		os.Remove(r.opts.Link)
	}
	err := p.Close()
	r.wg.Wait()
	return err
}

// Replug brings the reader back (at the same Link). A card on it stays there, reset
// to its unread state as after a power cycle.
func (r *IDCardReader) Replug() error {
	r.mu.Lock()
	closed, plugged := r.closed, r.pty != nil
	r.mu.Unlock()
	if closed {
		return errors.New("sim: reader closed")
	}
	if plugged {
		return nil
	}
	return r.plug()
}

func (r *IDCardReader) plug() error {
	p, err := OpenPTY(r.opts.Link)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.pty, r.path, r.state = p, p.Path, cardIdle
	r.mu.Unlock()
	r.wg.Add(1)
	go r.serve(p)
	return nil
}

// Close unplugs the reader for good and removes its symlink.
func (r *IDCardReader) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	err := r.Unplug()
	if r.opts.Link != "" {
		os.Remove(r.opts.Link)
	}
	return err
}

// serve answers commands until the pty closes.
func (r *IDCardReader) serve(p *PTY) {
	defer r.wg.Done()
	var buf []byte
	var first time.Time // when the first byte of the pending command arrived
	chunk := make([]byte, 512)
	for {
		n, err := p.Master.Read(chunk)
		if err != nil {
			return
		}
		if len(buf) == 0 {
			first = time.Now()
		}
		buf = append(buf, chunk[:n]...)
		for {
			cmd, used, status := parseCommand(buf)
			if used == 0 {
				break
			}
			buf = buf[used:]
			if cmd == 0 && status == 0 {
				continue // noise before a preamble
			}
			// The command's bytes take wire time to arrive on a real line.
			sleepUntil(first.Add(WireTime(used, r.opts.Baud) + r.opts.Latency))
			if err := r.answer(p, cmd, status); err != nil {
				return
			}
			first = time.Now()
		}
	}
}

// parseCommand finds the next host frame in buf. It returns how many bytes it used
// (0: need more), the command (CMD<<8 | PARA), and a status to answer instead when the
// frame is bad (0x10 checksum, 0x11 length). cmd == 0 and status == 0 with used > 0
// means noise was skipped.
func parseCommand(buf []byte) (cmd uint16, used int, status byte) {
	i := bytes.Index(buf, idcardPreamble)
	if i < 0 {
		keep := min(len(buf), len(idcardPreamble)-1)
		for keep > 0 && !bytes.HasPrefix(idcardPreamble, buf[len(buf)-keep:]) {
			keep--
		}
		return 0, len(buf) - keep, 0
	}
	if i > 0 {
		return 0, i, 0
	}
	if len(buf) < 7 {
		return 0, 0, 0
	}
	n := int(buf[5])<<8 | int(buf[6])
	if n < 3 || n > 256 {
		return 0, 7, 0x11
	}
	if len(buf) < 7+n {
		return 0, 0, 0
	}
	var x byte
	for _, c := range buf[5 : 7+n-1] {
		x ^= c
	}
	if x != buf[7+n-1] {
		return 0, 7 + n, 0x10
	}
	return uint16(buf[7])<<8 | uint16(buf[8]), 7 + n, 0
}

// answer computes the reply to cmd, applies faults, and writes it paced.
func (r *IDCardReader) answer(p *PTY, cmd uint16, status byte) error {
	r.mu.Lock()
	r.counts[cmd]++
	var reply []byte
	if status != 0 {
		reply = replyFrame(status, nil)
	} else {
		reply = r.reply(cmd)
	}
	reply, delay := r.applyFault(cmd, reply)
	r.mu.Unlock()
	if len(reply) == 0 {
		return nil
	}
	time.Sleep(delay)
	p.Master.SetWriteDeadline(time.Now().Add(2*time.Second + WireTime(len(reply), r.opts.Baud)))
	return writeAsUART(p, reply, r.opts.Baud)
}

// writeAsUART hands bytes to the driver no earlier than a UART would have delivered
// them: each small chunk when its last byte has fully arrived. (WritePaced writes a
// chunk when its first byte starts, which is up to 64 bytes early; the benchmark must
// not gain from that.)
func writeAsUART(p *PTY, b []byte, baud int) error {
	start := time.Now()
	const chunk = 16
	for off := 0; off < len(b); off += chunk {
		end := min(off+chunk, len(b))
		sleepUntil(start.Add(WireTime(end, baud)))
		if _, err := p.Master.Write(b[off:end]); err != nil {
			return fmt.Errorf("sim: write: %w", err)
		}
	}
	return nil
}

// reply is the healthy reader's answer to cmd; r.mu is held.
func (r *IDCardReader) reply(cmd uint16) []byte {
	r.land()
	c := r.card
	switch cmd {
	case IDCmdReset:
		r.state = cardIdle
		return replyFrame(0x90, nil)
	case IDCmdSAMStatus:
		return replyFrame(0x90, nil)
	case IDCmdSAMID:
		// 05.01-20101025-0000123456-0123456789
		return replyFrame(0x90, []byte{5, 0, 1, 0, 0xA1, 0xB7, 0x32, 0x01, 0x40, 0xE2, 0x01, 0x00, 0x15, 0xCD, 0x5B, 0x07})
	case IDCmdFind:
		if c == nil || (r.state == cardActive && !r.opts.FindWhileActive) {
			return replyFrame(0x80, nil)
		}
		if r.state == cardIdle {
			r.state = cardFound
		}
		return replyFrame(0x9F, make([]byte, 4))
	case IDCmdSelect:
		if c == nil || r.state == cardIdle {
			return replyFrame(0x81, nil)
		}
		r.state = cardActive
		return replyFrame(0x90, make([]byte, 8))
	case IDCmdRead, IDCmdReadFingerprint, IDCmdReadAddress:
		if c == nil {
			return replyFrame(0x41, nil)
		}
		if r.state != cardActive {
			return replyFrame(0x21, nil)
		}
		var d []byte
		var err error
		switch cmd {
		case IDCmdReadAddress:
			if c.AppendedAddress == "" {
				return replyFrame(0x91, nil)
			}
			d, err = c.appendedAddress()
		default:
			d, err = c.readData(cmd == IDCmdReadFingerprint)
		}
		if err != nil {
			return replyFrame(0x41, nil) // Place has checked the card
		}
		return replyFrame(0x90, d)
	}
	return replyFrame(0x21, nil)
}

// noise is sent before a reply by FaultNoise; it holds bytes of the preamble but never
// the whole preamble.
var noise = []byte{0x00, 0xFF, 0xAA, 0xAA, 0x13, 0x96, 0x69, 0xAA, 0x55, 0x0D, 0x0A}

// applyFault changes reply according to the first fault matching cmd, and says how
// long to hold it back; r.mu is held.
func (r *IDCardReader) applyFault(cmd uint16, reply []byte) ([]byte, time.Duration) {
	for i := range r.faults {
		f := r.faults[i]
		if f.Command != 0 && f.Command != cmd {
			continue
		}
		if f.Count > 0 {
			if r.faults[i].Count--; r.faults[i].Count == 0 {
				r.faults = append(r.faults[:i], r.faults[i+1:]...)
			}
		}
		switch f.Kind {
		case FaultBadChecksum:
			reply[len(reply)-1] ^= 0x5A
		case FaultTruncate:
			reply = reply[:len(reply)/2]
		case FaultNoise:
			reply = append(append([]byte{}, noise...), reply...)
		case FaultSilence:
			reply = nil
		case FaultStatus:
			reply = replyFrame(f.Status, nil)
		case FaultDelay:
			return reply, f.Delay
		}
		return reply, 0
	}
	return reply, 0
}

func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}
