// Package scanner drives a line-oriented QR / barcode scanner on a serial port: the
// scanner sends each code it reads as text followed by a terminator (CR, LF or CRLF by
// factory default, or a configured suffix). The Scanner loop turns the byte stream
// into scan events, drops garbage (line noise, a wrong baud rate), overlong and
// half-sent lines with a reason, and reopens the port after an unplug.
package scanner

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// Reasons a line is dropped.
var (
	// ErrTooLong: the line is longer than the maximum; everything up to its
	// terminator is discarded.
	ErrTooLong = errors.New("scanner: line too long")
	// ErrGarbage: the line is not clean text (invalid UTF-8 or control characters),
	// typically line noise or a baud rate mismatch. Configure scanners for UTF-8 output.
	ErrGarbage = errors.New("scanner: line is not text")
	// ErrPartial: a line started but its terminator never came (the scanner was
	// unplugged or reset mid-code); a line already too long by then is ErrTooLong.
	ErrPartial = errors.New("scanner: line without terminator")
)

// DefaultMaxLen bounds a code: a version 40 QR code holds at most 2953 bytes.
const DefaultMaxLen = 4096

// Line is one line out of the splitter: a code, or the reason it was dropped.
type Line struct {
	Code string
	Err  error
}

// Splitter cuts a scanner's byte stream into lines. The zero value ends lines at CR
// or LF (so CRLF works too, and empty lines are skipped) and accepts DefaultMaxLen
// bytes a line. The result does not depend on how the stream is cut into Feed calls.
type Splitter struct {
	// Suffix, when not empty, is the only line terminator (a scanner configured with,
	// e.g., a TAB or ETX suffix); CR and LF are then trimmed from the ends of a code.
	Suffix []byte
	// MaxLen is the longest line accepted, in bytes; 0 means DefaultMaxLen.
	MaxLen int

	buf      []byte
	searched int  // bytes of buf already searched for a terminator, in vain
	overflow bool // the current line is already too long: discard to its end
}

func (s *Splitter) maxLen() int {
	if s.MaxLen > 0 {
		return s.MaxLen
	}
	return DefaultMaxLen
}

// terminator finds the first line end in b: its index and length, or -1.
func (s *Splitter) terminator(b []byte) (int, int) {
	if len(s.Suffix) > 0 {
		return bytes.Index(b, s.Suffix), len(s.Suffix)
	}
	return bytes.IndexAny(b, "\r\n"), 1
}

// Feed adds bytes from the port and returns the lines they complete.
func (s *Splitter) Feed(b []byte) []Line {
	s.buf = append(s.buf, b...)
	var out []Line
	// Search only the new bytes (and the tail of the old ones that may start a
	// suffix), so that a long line fed a few bytes at a time costs linear time.
	start, from := 0, max(s.searched-max(len(s.Suffix)-1, 0), 0)
	for {
		i, n := s.terminator(s.buf[from:])
		if i < 0 {
			break
		}
		if l, ok := s.finish(s.buf[start : from+i]); ok {
			out = append(out, l)
		}
		start = from + i + n
		from = start
	}
	if start > 0 {
		s.buf = append(s.buf[:0], s.buf[start:]...)
	}
	// Bound memory: once the pending line cannot fit any more, keep only what may be
	// the start of a suffix, and remember to drop the line at its terminator.
	if keep := max(len(s.Suffix)-1, 0); len(s.buf) > s.maxLen()+keep {
		s.overflow = true
		s.buf = append(s.buf[:0], s.buf[len(s.buf)-keep:]...)
	}
	s.searched = len(s.buf)
	return out
}

// finish judges one complete line; ok is false for an empty line.
func (s *Splitter) finish(line []byte) (Line, bool) {
	if s.overflow || len(line) > s.maxLen() {
		s.overflow = false
		return Line{Err: ErrTooLong}, true
	}
	code := bytes.TrimFunc(line, isControl)
	if len(code) == 0 {
		return Line{}, false
	}
	if !utf8.Valid(code) || bytes.ContainsFunc(code, func(r rune) bool { return r != '\t' && isControl(r) }) {
		return Line{Err: ErrGarbage}, true
	}
	return Line{Code: string(code)}, true
}

// isControl reports C0 controls, DEL and C1 controls.
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7F && r < 0xA0) }

// Pending reports whether a line has started but not ended.
func (s *Splitter) Pending() bool {
	return s.overflow || len(bytes.TrimFunc(s.buf, isControl)) > 0
}

// Reset drops a pending line (after a silence, or when the port is reopened). It
// returns ErrTooLong when that line was already too long (its end would not have saved
// it), ErrPartial when something else was dropped, nil otherwise.
func (s *Splitter) Reset() error {
	var err error
	switch {
	case s.overflow || len(s.buf) > s.maxLen():
		err = ErrTooLong
	case s.Pending():
		err = ErrPartial
	}
	s.buf, s.searched, s.overflow = s.buf[:0], 0, false
	return err
}
