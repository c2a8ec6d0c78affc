package serialport

import (
	"context"
	"time"
)

// Backoff is how long a Reopener waits between failed attempts to open a port: Min
// after the first failure, doubling up to Max.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff suits a USB device being replugged: retry soon, then once a second.
var DefaultBackoff = Backoff{Min: 50 * time.Millisecond, Max: time.Second}

// Reopener keeps one serial device open for a driver loop. It is not safe for
// concurrent use; one driver goroutine owns it (Close on the Port it returned is the
// exception, see Port).
type Reopener struct {
	path    string
	mode    Mode
	backoff Backoff

	port   Port
	opened time.Time     // when port was opened
	delay  time.Duration // the wait before the next attempt; 0 after a port that served
	next   time.Time     // no attempt before this
}

// NewReopener returns a Reopener for the device at path. A zero backoff means
// DefaultBackoff.
func NewReopener(path string, mode Mode, b Backoff) *Reopener {
	if b.Min <= 0 {
		b.Min = DefaultBackoff.Min
	}
	if b.Max < b.Min {
		b.Max = max(b.Min, DefaultBackoff.Max)
	}
	return &Reopener{path: path, mode: mode, backoff: b}
}

// Path is the device path the Reopener opens.
func (r *Reopener) Path() string { return r.path }

// Port returns the open port, opening it first if needed. After a failed attempt it
// waits out the backoff before the next one (returning ctx.Err() if ctx ends first);
// each failed attempt is returned as an error so the caller can report the device as
// missing and call Port again.
func (r *Reopener) Port(ctx context.Context) (Port, error) {
	if r.port != nil {
		return r.port, nil
	}
	if d := time.Until(r.next); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := Open(r.path, r.mode)
	if err != nil {
		r.backOff()
		return nil, err
	}
	r.port, r.opened = p, time.Now()
	return p, nil
}

// Fail closes the current port after an I/O error. A port that had served for a while
// is reopened at once (a glitch); one that failed soon after it opened (a device that
// opens but does not work) with backoff, as a failed open, lest the driver spin.
func (r *Reopener) Fail() {
	if r.port != nil {
		r.port.Close()
		r.port = nil
	}
	if time.Since(r.opened) >= r.backoff.Max {
		r.delay, r.next = 0, time.Time{}
		return
	}
	r.backOff()
}

// backOff puts the next attempt off after one more failure: Min, doubling up to Max.
func (r *Reopener) backOff() {
	r.delay = min(max(2*r.delay, r.backoff.Min), r.backoff.Max)
	r.next = time.Now().Add(r.delay)
}

// Serve keeps the device served until ctx ends, for a driver's loop: it opens the port
// (telling openFailed of each failed attempt), runs serve on it, and when serve returns
// tells lost why and reopens. While serve runs, the port is closed as soon as ctx ends,
// which interrupts a blocked read. The callbacks are not called once ctx has ended.
// Serve closes the port and returns ctx's error.
func (r *Reopener) Serve(ctx context.Context, serve func(context.Context, Port) error, openFailed, lost func(error)) error {
	defer r.Close()
	for ctx.Err() == nil {
		port, err := r.Port(ctx)
		if err != nil {
			if ctx.Err() == nil {
				openFailed(err)
			}
			continue
		}
		stop := context.AfterFunc(ctx, func() { port.Close() })
		err = serve(ctx, port)
		stop()
		r.Fail()
		if ctx.Err() == nil {
			lost(err)
		}
	}
	return ctx.Err()
}

// Close closes the current port, if any.
func (r *Reopener) Close() error {
	if r.port == nil {
		return nil
	}
	err := r.port.Close()
	r.port = nil
	return err
}
