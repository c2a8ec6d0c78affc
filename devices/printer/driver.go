package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Port is the serial port the driver needs: a byte stream with a read timeout.
// go.bug.st/serial's serial.Port satisfies it. SetReadTimeout(0) must make Read return
// at once when nothing is waiting (go.bug.st/serial does).
type Port interface {
	io.ReadWriter
	// SetReadTimeout bounds how long Read waits for a byte.
	SetReadTimeout(t time.Duration) error
}

// Options tune the driver's timing. Zero fields take the defaults.
type Options struct {
	// StatusTimeout is how long to wait for the reply to one DLE EOT query (500 ms).
	StatusTimeout time.Duration
	// StallTimeout is how long the printer may hold XOFF or leave a GS r barrier
	// unanswered before the driver asks for its status (3 s). A healthy but slow printer
	// may stall longer, up to StuckTimeout.
	StallTimeout time.Duration
	// StuckTimeout is how long the printer may make no progress (XOFF held, barriers
	// unanswered) while its status reports no error, before the job fails with
	// ErrStalled (4 × StallTimeout). A printer that is well takes data again within a
	// few seconds: its buffer empties at paper speed.
	StuckTimeout time.Duration
	// JobTimeout bounds a whole job, status checks included (2 min).
	JobTimeout time.Duration
	// Logger receives the driver's events; nil means slog.Default(). Receipt text is
	// never logged.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.StatusTimeout <= 0 {
		o.StatusTimeout = 500 * time.Millisecond
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 3 * time.Second
	}
	if o.StuckTimeout <= 0 {
		o.StuckTimeout = 4 * o.StallTimeout
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Printer is an ESC/POS printer on a serial port. Its methods are safe for concurrent
// use; jobs and status queries run one at a time. The caller owns the port and closes it.
type Printer struct {
	mu   sync.Mutex
	port Port
	prof Profile
	opt  Options

	xoff    bool   // the printer sent XOFF and no XON since (it may be between jobs)
	acks    int    // GS r replies received and not yet matched to a barrier
	owed    int    // barriers of failed jobs never answered: their replies may still come
	dirty   bool   // a job failed part-way: its tail may still be in the printer
	replies []byte // DLE EOT replies received
	junk    int    // bytes received that mean nothing: line noise, a wrong baud rate
	rbuf    [64]byte
}

// New returns a driver for the printer on port.
func New(port Port, prof Profile, opt Options) (*Printer, error) {
	if err := prof.Validate(); err != nil {
		return nil, err
	}
	opt.defaults()
	return &Printer{port: port, prof: prof, opt: opt}, nil
}

// Reconnect puts the driver on a new port to its printer, after the old one failed and
// was closed (an I/O error, the printer unplugged or not answering). What the driver
// knows of jobs that did not finish is kept: the next job still first cuts off their
// tail, which the printer may still hold and print. The flow state read on the old port
// is dropped: a printer that comes back sends XOFF again when its buffer fills.
func (p *Printer) Reconnect(port Port) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.port = port
	p.xoff, p.replies = false, p.replies[:0]
}

// Profile returns the printer's profile.
func (p *Printer) Profile() Profile { return p.prof }

// Result tells what happened to a job.
type Result struct {
	// Sent is the number of job bytes written to the port.
	Sent int
	// Confirmed is the number of job bytes the printer confirmed it processed (GS r).
	Confirmed int
	// Complete is true when the printer confirmed the whole job.
	Complete bool
	// Before and After are the statuses read before and after the job. After.Err()
	// non-nil on a complete job means the next job will not print (e.g. the roll ended
	// on the last line); After.PaperNearEnd means the roll should be changed soon.
	Before, After Status
}

// Partial reports whether some but not all of the job reached paper: the receipt is
// incomplete and should be reprinted (补打) once the printer is ready.
func (r Result) Partial() bool { return r.Sent > 0 && !r.Complete }

// JobError is a job that failed. errors.Is finds the cause (ErrPaperOut, ErrNoAnswer,
// ...) and, when the job was partly sent, ErrPartial.
type JobError struct {
	Result Result
	Err    error
}

// Error says how far the job got and why it stopped.
func (e *JobError) Error() string {
	if e.Result.Partial() {
		return fmt.Sprintf("printer: job stopped after %d of its bytes were sent (%d confirmed): %v", e.Result.Sent, e.Result.Confirmed, e.Err)
	}
	return fmt.Sprintf("printer: job not started: %v", e.Err)
}

// Unwrap returns the cause, and ErrPartial for a partial job.
func (e *JobError) Unwrap() []error {
	if e.Result.Partial() {
		return []error{e.Err, ErrPartial}
	}
	return []error{e.Err}
}

// Status asks the printer DLE EOT 1, 2, 3 and 4 and returns what it says. A printer
// that does not answer gives a status that is not Known (Status.Err is ErrNoAnswer); the
// error is for the port itself failing or ctx ending.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(ctx)
}

// Ready reads the status and returns Status.Err, or the port's error: nil means a job
// can start now. Call it before taking money for something that ends in a receipt. A
// printer that reports no error but holds XOFF between jobs takes no data: ErrStalled.
func (p *Printer) Ready(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := p.status(ctx)
	if err != nil {
		return st, err
	}
	if err := st.Err(); err != nil {
		return st, err
	}
	if p.xoff {
		return st, fmt.Errorf("%w: it holds XOFF between jobs", ErrStalled)
	}
	return st, nil
}

func (p *Printer) status(ctx context.Context) (Status, error) {
	// Stale replies (a late answer, a DLE EOT pattern inside image data) must not be
	// taken for this query's.
	if err := p.poll(0); err != nil {
		return Status{}, err
	}
	p.replies, p.junk = p.replies[:0], 0
	var got []byte
	for n := byte(1); n <= 4; n++ {
		if _, err := p.port.Write([]byte{0x10, 0x04, n}); err != nil {
			return Status{}, fmt.Errorf("printer: status query: %w", err)
		}
		deadline := time.Now().Add(p.opt.StatusTimeout)
		for len(p.replies) == 0 {
			if err := ctx.Err(); err != nil {
				return Status{}, err
			}
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			if err := p.poll(min(left, 50*time.Millisecond)); err != nil {
				return Status{}, err
			}
		}
		if len(p.replies) == 0 {
			// One unanswered query is enough: the state is unknown. Bytes that came
			// instead of the reply tell a line set wrong from a printer that is silent.
			st := ParseStatus(got)
			st.Garbled = p.junk > 0
			p.opt.Logger.Warn("printer: no answer to status query", "query", n, "garbled_bytes", p.junk)
			return st, nil
		}
		got = append(got, p.replies[0])
		p.replies = p.replies[:0]
	}
	return ParseStatus(got), nil
}

// poll reads what the printer has sent, waiting at most d for the first byte, and
// sorts it: XON/XOFF change the flow state, DLE EOT replies are kept for status, GS r
// replies count as barrier acknowledgements, anything else is dropped and counted.
func (p *Printer) poll(d time.Duration) error {
	if err := p.port.SetReadTimeout(d); err != nil {
		return fmt.Errorf("printer: read timeout: %w", err)
	}
	for {
		n, err := p.port.Read(p.rbuf[:])
		for _, b := range p.rbuf[:n] {
			switch {
			case b == 0x11:
				p.xoff = false
			case b == 0x13:
				p.xoff = true
			case IsStatusReply(b):
				p.replies = append(p.replies, b)
			case b&0x90 == 0: // GS r reply: 0xx0xxxx
				p.acks++
			default:
				p.junk++
			}
		}
		if err != nil {
			return fmt.Errorf("printer: read: %w", err)
		}
		if n < len(p.rbuf) {
			return nil
		}
		// A full buffer: more may be waiting; read on without waiting.
		if err := p.port.SetReadTimeout(0); err != nil {
			return fmt.Errorf("printer: read timeout: %w", err)
		}
	}
}

// statusQueryBytes is what one status check (DLE EOT 1–4) adds to the printer's buffer.
const statusQueryBytes = 12

// segmentSize is the most job bytes sent between two barriers: two segments, their
// barriers and a status query fit the printer's buffer, so that one segment can be on
// the line while the printer works on the other.
func (p Profile) segmentSize() int { return (p.Buffer-statusQueryBytes)/2 - len(barrier) }

// barrier is GS r 1: the printer answers it only after processing everything before it.
var barrier = []byte{0x1D, 0x72, 0x01}

// pieceSize is how many bytes go to the port at a time; between pieces the driver
// looks for XOFF. A printer raises XOFF with 128 bytes or more still free (Epson,
// Citizen), so a piece in flight never overruns it.
const pieceSize = 64

// Print checks the printer's status, sends the job, and checks the status again.
//
// The job goes out in segments of a little under half the profile's Buffer, each cut at a
// command boundary and followed by a GS r barrier; no more than Buffer unconfirmed bytes
// are ever in flight, so a printer that drops bytes on overflow loses none. Within a
// segment the bytes are paced to the baud rate in small pieces, and the driver stops
// while the printer holds XOFF. When the printer stalls, its status is read (between
// commands only, never inside one): an error ends the job.
//
// The error is a *JobError: before anything was sent (printer not ready) or partial
// (errors.Is(err, ErrPartial)); errors.Is also finds the cause (ErrPaperOut, ...).
func (p *Printer) Print(ctx context.Context, job *Job) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.opt.JobTimeout)
	defer cancel()
	var res Result
	if job == nil || len(job.Data) == 0 {
		return res, &JobError{Result: res, Err: errors.New("empty job")}
	}
	var w *jobWriter
	fail := func(err error) (Result, error) {
		if w != nil && (res.Sent > 0 || p.dirty) {
			p.owed += len(w.pending)
			p.dirty = true
		}
		p.opt.Logger.Warn("printer: job failed", "sent", res.Sent, "confirmed", res.Confirmed, "of", len(job.Data), "err", err)
		return res, &JobError{Result: res, Err: err}
	}
	st, err := p.status(ctx)
	res.Before = st
	if err != nil {
		return fail(err)
	}
	if err := st.Err(); err != nil {
		return fail(err)
	}
	w = &jobWriter{p: p, ctx: ctx, res: &res}
	if err := w.resync(); err != nil {
		return fail(err)
	}
	for _, seg := range segments(job, p.prof.segmentSize()) {
		if err := w.segment(job.Data, seg); err != nil {
			return fail(err)
		}
	}
	if err := w.waitAcks(-1); err != nil {
		return fail(err)
	}
	res.Complete = true
	if res.After, err = p.status(ctx); err != nil {
		return fail(err)
	}
	p.opt.Logger.Info("printer: job printed", "bytes", len(job.Data), "after", res.After.String())
	return res, nil
}

// resync cuts off and discards what is left of an earlier failed job. Its tail may
// still be in the printer (it resumes after new paper is loaded) and answer its
// barriers, or may have been lost (power cycle) and never answer. One more barrier tells
// the two apart: its reply comes after all the old ones that will come at all. Once
// fewer replies than owed have come, silence for StallTimeout means the rest are lost.
func (w *jobWriter) resync() error {
	p := w.p
	if !p.dirty {
		p.acks = 0 // strays, e.g. a GS r pattern in an answer to something else
		return nil
	}
	p.owed++ // the sync barrier, until it is answered
	// Cut the old tail off as a piece of its own (a blank slip if it was lost), so
	// that it does not run into the receipt that follows.
	if err := w.write(append(cutBytes(p.prof.Cut), barrier...)); err != nil {
		return err
	}
	if err := w.wait(func() bool { return p.acks >= 1 }, true); err != nil {
		return err
	}
	quiet := time.Now()
	for p.acks < p.owed && time.Since(quiet) < p.opt.StallTimeout {
		n := p.acks
		if err := p.poll(20 * time.Millisecond); err != nil {
			return err
		}
		if p.acks > n {
			quiet = time.Now()
		}
	}
	p.owed, p.acks, p.dirty = 0, 0, false
	w.start, w.paced = time.Time{}, 0
	return nil
}

// segment is a range of a job's bytes with the command boundaries inside it.
type segment struct {
	start, end int
	cuts       []int // unit ends within (start, end]
}

// segments divides a job at unit boundaries into segments of at most size bytes (a
// single unit larger than size forms a segment of its own).
func segments(job *Job, size int) []segment {
	var segs []segment
	cur := segment{}
	for _, end := range job.units {
		if end-cur.start > size && len(cur.cuts) > 0 {
			cur.end = cur.cuts[len(cur.cuts)-1]
			segs = append(segs, cur)
			cur = segment{start: cur.end}
		}
		cur.cuts = append(cur.cuts, end)
	}
	if len(cur.cuts) > 0 {
		cur.end = cur.cuts[len(cur.cuts)-1]
		segs = append(segs, cur)
	}
	return segs
}

// jobWriter sends one job's segments.
type jobWriter struct {
	p       *Printer
	ctx     context.Context
	res     *Result
	pending []int // job offsets at the end of each segment whose barrier is unanswered
	start   time.Time
	paced   int // bytes written since start
}

func (w *jobWriter) segment(data []byte, seg segment) error {
	// Room in the window: the printer has confirmed enough earlier segments, and there
	// is still room for a status query, whose bytes also go into the printer's buffer.
	if err := w.waitAcks(w.p.prof.Buffer - (seg.end - seg.start) - len(barrier) - statusQueryBytes); err != nil {
		return err
	}
	for _, piece := range pieces(seg) {
		if err := w.waitXON(piece[0] == seg.start || contains(seg.cuts, piece[0])); err != nil {
			return err
		}
		if err := w.write(data[piece[0]:piece[1]]); err != nil {
			return err
		}
		w.res.Sent = piece[1]
	}
	if err := w.waitXON(true); err != nil {
		return err
	}
	if err := w.write(barrier); err != nil {
		return err
	}
	w.pending = append(w.pending, seg.end)
	return nil
}

// pieces splits a segment into writes of about pieceSize bytes, at unit boundaries
// where it can, so that a pause for XOFF (or a status query) falls between commands.
func pieces(seg segment) [][2]int {
	var out [][2]int
	start := seg.start
	for _, end := range seg.cuts {
		for end-start > pieceSize {
			out = append(out, [2]int{start, start + pieceSize})
			start += pieceSize
		}
		if end-start >= pieceSize/2 || end == seg.end {
			if end > start {
				out = append(out, [2]int{start, end})
			}
			start = end
		}
	}
	return out
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// write sends b, no faster than the baud rate: bytes handed to the tty driver cannot be
// recalled, so keeping its queue short is what makes XOFF effective.
func (w *jobWriter) write(b []byte) error {
	if w.start.IsZero() {
		w.start = time.Now()
	}
	if _, err := w.p.port.Write(b); err != nil {
		return fmt.Errorf("printer: write: %w", err)
	}
	w.paced += len(b)
	due := w.start.Add(time.Duration(w.paced) * 10 * time.Second / time.Duration(w.p.prof.Baud))
	if d := time.Until(due); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-w.ctx.Done():
			return w.ctx.Err()
		}
	}
	return w.p.poll(0)
}

// waitXON waits while the printer holds XOFF. atBoundary says the next byte starts a
// command, so a status query may be sent if the stall lasts.
func (w *jobWriter) waitXON(atBoundary bool) error {
	return w.wait(func() bool { return !w.p.xoff }, atBoundary)
}

// waitAcks waits until the unconfirmed bytes in flight (segments and their barriers)
// are at most limit; a negative limit waits for all of them.
func (w *jobWriter) waitAcks(limit int) error {
	inFlight := func() int {
		for w.p.acks > 0 && len(w.pending) > 0 {
			w.res.Confirmed = w.pending[0]
			w.pending = w.pending[1:]
			w.p.acks--
		}
		if len(w.pending) == 0 {
			return 0
		}
		return w.pending[len(w.pending)-1] - w.res.Confirmed + len(barrier)*len(w.pending)
	}
	return w.wait(func() bool { n := inFlight(); return n == 0 || n <= limit }, true)
}

// wait polls the port until ok() holds. After StallTimeout without it, and only at a
// command boundary, it reads the status: an error ends the wait with that error; a
// healthy printer is given more time, up to StuckTimeout without progress (a barrier
// answered). The job's context bounds the whole wait.
func (w *jobWriter) wait(ok func() bool, atBoundary bool) error {
	p := w.p
	stall, moved := time.Now(), time.Now()
	progress := func() int { return w.res.Confirmed + p.acks }
	last := progress()
	for !ok() {
		if n := progress(); n != last {
			last, moved = n, time.Now()
		}
		if err := w.ctx.Err(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return w.stalled()
			}
			return err
		}
		// Between commands the status can be asked after StallTimeout. Inside one (a
		// long XOFF in the middle of an image) the query's bytes would be taken as the
		// command's data, so the driver waits four times longer first: a printer that
		// holds XOFF that long has most likely stopped.
		limit := p.opt.StallTimeout
		if !atBoundary {
			limit *= 4
		}
		if time.Since(stall) > limit {
			// The printer reports nothing while it waits; ask it why.
			st, err := p.status(w.ctx)
			if err != nil {
				return err
			}
			if err := st.Err(); err != nil {
				w.res.After = st
				return err
			}
			if d := time.Since(moved); d >= p.opt.StuckTimeout {
				w.res.After = st
				return fmt.Errorf("%w: no progress for %v", ErrStalled, d.Round(time.Second))
			}
			stall = time.Now()
		}
		if err := p.poll(20 * time.Millisecond); err != nil {
			return err
		}
		// Pacing restarts after a pause, so the next bytes go out at once.
		w.start, w.paced = time.Time{}, 0
	}
	return nil
}

// stalled classifies a job that ran out of time by the printer's status (the job is
// abandoned, so a query inside a command no longer matters), or as ErrStalled.
func (w *jobWriter) stalled() error {
	p := w.p
	ctx, cancel := context.WithTimeout(context.Background(), 4*p.opt.StatusTimeout+time.Second)
	defer cancel()
	st, err := p.status(ctx)
	if err != nil {
		return err
	}
	w.res.After = st
	if err := st.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: not done within %v", ErrStalled, p.opt.JobTimeout)
}
