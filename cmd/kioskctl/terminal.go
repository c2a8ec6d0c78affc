package main

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// textOut is what kioskctl prints, to a terminal as a rule: every control or
// formatting character but the line's end and the tab (a terminal's escape, a
// carriage return that writes over a line, a right-to-left override), and every byte
// that is not UTF-8, reaches w as U+FFFD. What kioskctl prints comes in part from the
// kiosk it reaches, and --socket may name any socket: one served by someone else
// (a member of staff told to type --socket /tmp/x.sock) must not drive the terminal of
// whoever runs it, nor hide its lines behind others. kioskctl prints text only
// (copies, pictures and keys go to files), so nothing it means to print is changed.
type textOut struct {
	w       io.Writer
	pending []byte // the start of a character whose rest is in the next write
}

func newTextOut(w io.Writer) *textOut { return &textOut{w: w} }

// safeRune reports whether r may reach a terminal as it is.
func safeRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return true
	}
	return r != utf8.RuneError && !unicode.In(r, unicode.Cc, unicode.Cf)
}

func (t *textOut) Write(p []byte) (int, error) {
	n := len(p)
	b := append(t.pending, p...)
	t.pending = nil
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if !utf8.FullRune(b[i:]) {
			t.pending = append([]byte(nil), b[i:]...)
			break
		}
		r, size := utf8.DecodeRune(b[i:])
		if safeRune(r) {
			out = append(out, b[i:i+size]...)
		} else {
			out = utf8.AppendRune(out, utf8.RuneError)
		}
		i += size
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// flush writes a character left cut at the end, as U+FFFD: nothing follows to end it.
func (t *textOut) flush() {
	if len(t.pending) > 0 {
		t.pending = nil
		t.w.Write([]byte(string(utf8.RuneError))) //nolint:errcheck // the last of the output; nowhere to report it
	}
}
