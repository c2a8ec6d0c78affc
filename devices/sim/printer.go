package sim

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"sync"
	"time"
)

// PrinterOptions configure an emulated ESC/POS receipt printer.
type PrinterOptions struct {
	// Link is a stable path for the port (a symlink to the pty); empty for none.
	Link string
	// Dots is the printable width: 576 (80 mm, the default) or 384 (58 mm).
	Dots int
	// Baud paces both directions like a UART at this rate; 0 means 115200, and a
	// negative value no pacing at all.
	Baud int
	// Buffer is the receive buffer in bytes (default 4096). When it is full, further
	// bytes are dropped, as a real printer drops them.
	Buffer int
	// XonXoff makes the printer send XOFF (13) when fewer than min(128, Buffer/2) bytes
	// are free or when it goes off line, and XON (11) when it can take data again.
	XonXoff bool
	// Speed is the paper speed in mm/s (8 dots a mm); 0 prints instantly.
	Speed int
	// ChineseAtPowerOn starts (and ESC @ returns) the printer in Chinese mode, as many
	// Chinese printers do; by default it starts in single-byte mode, so that a job that
	// forgets FS & prints garbage here too.
	ChineseAtPowerOn bool
	// History is how many cut receipts are kept (default 8).
	History int
	// Capture keeps every byte the printer accepted into its buffer (see Accepted).
	Capture bool
	// OnPrintout, if set, is called (on the printer's goroutine) after each cut.
	OnPrintout func(Printout)
}

// PrinterState is the printer's condition, reported by DLE EOT and obeyed: with any of
// CoverOpen, PaperEnd, CutterError, Unrecoverable, Overheat or Offline the printer is
// off line and stops taking data out of its buffer until the condition clears.
type PrinterState struct {
	CoverOpen     bool
	PaperNearEnd  bool
	PaperEnd      bool
	CutterError   bool
	Unrecoverable bool
	Overheat      bool
	Offline       bool
	FeedButton    bool
}

func (s PrinterState) offline() bool {
	return s.CoverOpen || s.PaperEnd || s.CutterError || s.Unrecoverable || s.Overheat || s.Offline
}

// PrinterFaults are failures injected on demand.
type PrinterFaults struct {
	// NoAnswer: the printer sends nothing back (no DLE EOT or GS r replies, no XON/XOFF),
	// like a printer whose TX line is cut or a model that does not answer.
	NoAnswer bool
	// PaperOutAfterLines: the roll ends after this many lines (30 dots each) from now;
	// 0 never.
	PaperOutAfterLines int
	// NearEndAfterLines: the near-end sensor trips after this many lines; 0 never.
	NearEndAfterLines int
	// CutterJam: the next cut jams the cutter (CutterError).
	CutterJam bool
	// HoldXOFF: the printer sends XOFF and holds it, whatever its buffer, while its
	// status says it is well (a printer whose mechanism stalls without reporting it).
	// It still prints what its buffer holds. Clearing it sends XON when the printer can
	// take data (with XonXoff only).
	HoldXOFF bool
	// GarbledStatus: DLE EOT is answered with a byte that lacks the reply's fixed bits
	// (its bit 7 set), as line noise or a wrong baud rate give.
	GarbledStatus bool
}

// Printout is one cut receipt as the emulator printed it.
type Printout struct {
	Image *image.Paletted
	// Time is when it was cut (or torn off).
	Time time.Time
	// Torn is the end of a roll that ran out, torn off when a new roll was loaded:
	// the first part of a receipt, never cut.
	Torn bool
}

// PrinterStats counts the bytes the printer received.
type PrinterStats struct {
	Accepted int // bytes put into the receive buffer
	Dropped  int // bytes lost because the buffer was full
	XOFFs    int // XOFF bytes sent
	Cuts     int // receipts cut since start
}

// ErrNoPrintout is returned by LastReceiptPNG before the first cut.
var ErrNoPrintout = errors.New("sim: no receipt printed yet")

// Printer is an emulated ESC/POS thermal printer on a pseudo-terminal. It receives at the
// baud rate into a bounded buffer, answers real-time status (DLE EOT) on arrival,
// interprets the buffer at paper speed, draws the paper with the bundled font, and keeps
// each cut receipt as a picture.
type Printer struct {
	opt PrinterOptions

	mu        sync.Mutex
	cond      *sync.Cond
	ring      []byte
	head, n   int
	closed    bool
	state     PrinterState
	faults    PrinterFaults
	used      int // dots of paper used since the faults were set or paper loaded
	xoff      bool
	stats     PrinterStats
	accepted  []byte
	printouts []Printout
	cutSignal chan struct{} // closed and replaced at every cut

	paperMu sync.Mutex // guards the interpreter's current paper
	m       *escpos

	wmu  sync.Mutex // serialises writes to the master, and guards pty and path
	pty  *PTY       // nil while unplugged
	path string
	rwg  sync.WaitGroup // the receiver of the pty plugged in
	done chan struct{}
	wg   sync.WaitGroup // the interpreter
}

// StartPrinter opens a pty and runs an emulated printer on it until Close.
func StartPrinter(opt PrinterOptions) (*Printer, error) {
	if opt.Dots == 0 {
		opt.Dots = 576
	}
	if opt.Dots < 128 || opt.Dots > 832 {
		return nil, fmt.Errorf("sim: printer width %d dots is out of range", opt.Dots)
	}
	if opt.Baud == 0 {
		opt.Baud = 115200
	}
	if opt.Buffer <= 0 {
		opt.Buffer = 4096
	}
	if opt.History <= 0 {
		opt.History = 8
	}
	pty, err := OpenPTY(opt.Link)
	if err != nil {
		return nil, err
	}
	p := &Printer{pty: pty, path: pty.Path, opt: opt, ring: make([]byte, opt.Buffer), cutSignal: make(chan struct{}), done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	p.m = newESCPOS(p, opt.Dots, opt.ChineseAtPowerOn)
	p.m.mu = &p.paperMu
	p.wg.Add(1)
	p.rwg.Add(1)
	go p.receive(pty)
	go p.process()
	return p, nil
}

// Path is the port to open: the symlink if one was asked for, else /dev/pts/N (a new
// one after Replug).
func (p *Printer) Path() string {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return p.path
}

// Unplug pulls the printer's data cable: the symlink goes (as udev removes
// /dev/serial/by-id links) and the pty closes, so the driver's reads and writes fail.
// The printer keeps its power: it goes on printing what its buffer holds.
func (p *Printer) Unplug() error {
	p.wmu.Lock()
	pty := p.pty
	p.pty = nil
	p.wmu.Unlock()
	if pty == nil {
		return nil
	}
	if p.opt.Link != "" {
		os.Remove(p.opt.Link)
	}
	err := pty.Close()
	p.rwg.Wait()
	return err
}

// Replug plugs the cable back in, at the same Link. What the printer holds (its
// buffer, its state, a receipt begun) is as it was; it sends XOFF again if it cannot
// take data.
func (p *Printer) Replug() error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return errors.New("sim: printer closed")
	}
	p.wmu.Lock()
	if p.pty != nil {
		p.wmu.Unlock()
		return nil
	}
	pty, err := OpenPTY(p.opt.Link)
	if err != nil {
		p.wmu.Unlock()
		return err
	}
	p.pty, p.path = pty, pty.Path
	p.wmu.Unlock()
	p.rwg.Add(1)
	go p.receive(pty)
	// XON and XOFF sent while unplugged were lost: the flow state starts afresh.
	p.mu.Lock()
	p.xoff = false
	p.mu.Unlock()
	p.flow()
	return nil
}

// Close stops the printer and closes the pty; to a driver it looks unplugged.
func (p *Printer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	p.cond.Broadcast()
	p.mu.Unlock()
	err := p.Unplug()
	p.wg.Wait()
	return err
}

// State returns the printer's condition.
func (p *Printer) State() PrinterState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// SetState sets the printer's condition (open the cover, jam the cutter, ...). Clearing
// every off-line condition lets it resume printing what is in its buffer.
func (p *Printer) SetState(s PrinterState) {
	p.mu.Lock()
	p.state = s
	p.cond.Broadcast()
	p.mu.Unlock()
	p.flow()
}

// Faults returns the faults in force (a cutter jam is used up by the cut it jams; a
// new roll clears the paper counters).
func (p *Printer) Faults() PrinterFaults {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

// SetFaults injects faults; the paper counters start from now.
func (p *Printer) SetFaults(f PrinterFaults) {
	p.mu.Lock()
	p.faults, p.used = f, 0
	p.cond.Broadcast()
	p.mu.Unlock()
	p.flow()
}

// LoadPaper puts in a new roll: paper end and near end clear, the paper counters start
// again, and printing resumes with what is left in the buffer. What was printed on the
// old roll since the last cut is kept as a Torn printout.
func (p *Printer) LoadPaper() {
	p.mu.Lock()
	out := p.state.PaperEnd
	p.mu.Unlock()
	var torn *paper
	if out {
		p.paperMu.Lock()
		if !p.m.paper.empty() {
			torn, p.m.paper = p.m.paper, newPaper(p.opt.Dots)
		}
		p.paperMu.Unlock()
	}
	p.mu.Lock()
	if torn != nil {
		p.keep(Printout{Image: torn.image(), Time: time.Now(), Torn: true})
	}
	p.state.PaperEnd, p.state.PaperNearEnd = false, false
	p.faults.PaperOutAfterLines, p.faults.NearEndAfterLines = 0, 0
	p.used = 0
	p.cond.Broadcast()
	p.mu.Unlock()
	p.flow()
}

// Stats returns the byte counters.
func (p *Printer) Stats() PrinterStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Accepted returns the bytes put into the receive buffer so far (with Capture only).
func (p *Printer) Accepted() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.accepted...)
}

// Printouts returns the receipts kept (cut, or torn off at a paper change), oldest first.
func (p *Printer) Printouts() []Printout {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Printout(nil), p.printouts...)
}

// LastReceiptPNG returns the last receipt kept as a PNG, for staff to see.
func (p *Printer) LastReceiptPNG() ([]byte, error) {
	p.mu.Lock()
	if len(p.printouts) == 0 {
		p.mu.Unlock()
		return nil, ErrNoPrintout
	}
	img := p.printouts[len(p.printouts)-1].Image
	p.mu.Unlock()
	return EncodePNG(img)
}

// Current returns what is printed since the last cut: the visible part of an
// unfinished receipt (after a paper-out, say).
func (p *Printer) Current() *image.Paletted {
	p.paperMu.Lock()
	defer p.paperMu.Unlock()
	return p.m.paper.image()
}

// WaitCuts waits until n receipts have been cut since start, or ctx ends.
func (p *Printer) WaitCuts(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		cuts, sig, closed := p.stats.Cuts, p.cutSignal, p.closed
		p.mu.Unlock()
		if cuts >= n {
			return nil
		}
		if closed {
			return errors.New("sim: printer closed")
		}
		select {
		case <-sig:
		case <-p.done:
		case <-ctx.Done():
			return fmt.Errorf("sim: %d of %d receipts cut: %w", cuts, n, ctx.Err())
		}
	}
}

// statusByte is the reply to DLE EOT n.
func (s PrinterState) statusByte(n byte) byte {
	b := byte(0x12)
	set := func(on bool, bit byte) {
		if on {
			b |= bit
		}
	}
	switch n {
	case 1:
		set(s.offline(), 0x08)
	case 2:
		set(s.CoverOpen, 0x04)
		set(s.FeedButton, 0x08)
		set(s.PaperEnd, 0x20)
		set(s.CutterError || s.Unrecoverable || s.Overheat, 0x40)
	case 3:
		set(s.CutterError, 0x08)
		set(s.Unrecoverable, 0x20)
		set(s.Overheat, 0x40)
	case 4:
		set(s.PaperNearEnd, 0x0C)
		set(s.PaperEnd, 0x60)
	}
	return b
}

// receive takes bytes off the line at the baud rate. Real-time commands are answered
// at once, as a printer's receive interrupt does, even when the buffer is full or the
// printer off line; everything (them included) then goes into the buffer, or is dropped
// when the buffer is full.
func (p *Printer) receive(pty *PTY) {
	defer p.rwg.Done()
	buf := make([]byte, 64)
	var prev [2]byte
	start := time.Now()
	total := 0
	for {
		n, err := pty.Master.Read(buf)
		select {
		case <-p.done:
			return
		default:
		}
		if n == 0 && err != nil {
			return // the pty is closing
		}
		if total == 0 || time.Since(start) > WireTime(total, p.opt.Baud)+50*time.Millisecond {
			start, total = time.Now(), 0 // the line was idle: pacing starts afresh
		}
		var replies []byte
		p.mu.Lock()
		for _, b := range buf[:n] {
			if prev[0] == escDLE && prev[1] == 0x04 && b >= 1 && b <= 4 && !p.faults.NoAnswer {
				r := p.state.statusByte(b)
				if p.faults.GarbledStatus {
					r ^= 0xA5 // bit 7 set: neither a status reply nor GS r's
				}
				replies = append(replies, r)
			}
			prev[0], prev[1] = prev[1], b
			if p.n == len(p.ring) {
				p.stats.Dropped++
				continue
			}
			p.ring[(p.head+p.n)%len(p.ring)] = b
			p.n++
			p.stats.Accepted++
			if p.opt.Capture {
				p.accepted = append(p.accepted, b)
			}
		}
		p.cond.Broadcast()
		p.mu.Unlock()
		p.send(replies)
		p.flow()
		total += n
		if p.opt.Baud > 0 {
			if d := time.Until(start.Add(WireTime(total, p.opt.Baud))); d > 0 {
				select {
				case <-time.After(d):
				case <-p.done:
					return
				}
			}
		}
	}
}

// printerBuffer is the receive buffer as the interpreter reads it.
type printerBuffer struct{ p *Printer }

// ReadByte hands the interpreter the next byte of the buffer, waiting while the buffer
// is empty or the printer is off line.
func (r printerBuffer) ReadByte() (byte, error) {
	p := r.p
	p.mu.Lock()
	for !p.closed && (p.n == 0 || p.state.offline()) {
		p.cond.Wait()
	}
	if p.closed {
		p.mu.Unlock()
		return 0, io.EOF
	}
	b := p.ring[p.head]
	p.head = (p.head + 1) % len(p.ring)
	p.n--
	p.mu.Unlock()
	p.flow()
	return b, nil
}

func (p *Printer) process() {
	defer p.wg.Done()
	// The interpreter ends when the printer closes; a receipt left unfinished is
	// available through Current until then.
	_ = p.m.run(printerBuffer{p})
}

// flow sends XOFF or XON when the printer's ability to take data changes.
func (p *Printer) flow() {
	if !p.opt.XonXoff {
		return
	}
	p.mu.Lock()
	free := len(p.ring) - p.n
	low := min(128, len(p.ring)/2)
	want := p.xoff
	switch {
	case p.faults.HoldXOFF || p.state.offline() || free < low:
		want = true
	case free >= (len(p.ring)+low)/2:
		want = false
	}
	changed := want != p.xoff && !p.faults.NoAnswer
	if changed {
		p.xoff = want
		if want {
			p.stats.XOFFs++
		}
	}
	p.mu.Unlock()
	if changed {
		b := byte(0x11)
		if want {
			b = 0x13
		}
		p.send([]byte{b})
	}
}

func (p *Printer) send(b []byte) {
	if len(b) == 0 {
		return
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.pty == nil {
		return // unplugged: nobody hears it
	}
	baud := p.opt.Baud
	if baud < 0 {
		baud = 0
	}
	// A driver that stops reading must not hold the printer (and Unplug) for ever.
	p.pty.Master.SetWriteDeadline(time.Now().Add(time.Second + WireTime(len(b), baud)))
	// A failed write means the pty is closing, or nobody reads: the reply is lost.
	_ = p.pty.WritePaced(b, baud)
}

// feed implements escposHost: it accounts for the paper, trips the paper sensors, and
// takes the time the paper motion takes at Speed.
func (p *Printer) feed(n int) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return io.EOF
	}
	p.used += n
	const line = 30
	if f := p.faults.NearEndAfterLines; f > 0 && p.used >= f*line {
		p.state.PaperNearEnd = true
	}
	if f := p.faults.PaperOutAfterLines; f > 0 && p.used >= f*line {
		p.state.PaperEnd, p.state.PaperNearEnd = true, true
	}
	p.mu.Unlock()
	p.flow()
	if p.opt.Speed > 0 && n > 0 {
		select {
		case <-time.After(time.Duration(n) * time.Second / time.Duration(p.opt.Speed*8)):
		case <-p.done:
			return io.EOF
		}
	}
	return nil
}

// transmit implements escposHost: GS r n answers the paper sensor (near end 03, paper
// end 0C; since the printer stops at paper end it never actually sends 0C), GS I n a
// model ID.
func (p *Printer) transmit(cmd, n byte) {
	p.mu.Lock()
	if p.faults.NoAnswer {
		p.mu.Unlock()
		return
	}
	var b byte
	switch cmd {
	case 'r':
		if n == 1 || n == '1' {
			if p.state.PaperNearEnd {
				b |= 0x03
			}
			if p.state.PaperEnd {
				b |= 0x0C
			}
		}
	case 'I':
		b = 0x20 // a model ID in 0x20–0x6F
	}
	p.mu.Unlock()
	p.send([]byte{b})
}

// keep adds a printout to the history; p.mu is held.
func (p *Printer) keep(po Printout) {
	p.printouts = append(p.printouts, po)
	if len(p.printouts) > p.opt.History {
		p.printouts = p.printouts[len(p.printouts)-p.opt.History:]
	}
}

// cut implements escposHost: keep the receipt, or jam the cutter if asked to.
func (p *Printer) cut(pp *paper) {
	po := Printout{Image: pp.image(), Time: time.Now()}
	p.mu.Lock()
	if p.faults.CutterJam {
		p.faults.CutterJam = false
		p.state.CutterError = true
	}
	p.keep(po)
	p.stats.Cuts++
	close(p.cutSignal)
	p.cutSignal = make(chan struct{})
	p.mu.Unlock()
	p.flow()
	if p.opt.OnPrintout != nil {
		p.opt.OnPrintout(po)
	}
}
