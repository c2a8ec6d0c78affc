package scanner

import (
	"bytes"
	"fmt"
	"testing"
	"unicode/utf8"
)

// FuzzSplitter feeds arbitrary bytes, cut at every chunk size, with and without a
// suffix: nothing panics, the lines do not depend on the cutting, and every code is
// clean text within the limit that holds no terminator.
func FuzzSplitter(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, suffix []byte, chunk uint8, maxLen uint8) {
		if len(suffix) > 8 {
			suffix = suffix[:8]
		}
		mk := func() *Splitter { return &Splitter{Suffix: suffix, MaxLen: int(maxLen)} }
		whole := mk().Feed(data)
		var cut []Line
		s := mk()
		n := int(chunk%16) + 1
		for off := 0; off < len(data); off += n {
			cut = append(cut, s.Feed(data[off:min(off+n, len(data))])...)
		}
		if fmt.Sprint(whole) != fmt.Sprint(cut) {
			t.Fatalf("chunk %d changes the lines:\n%v\n%v", n, whole, cut)
		}
		limit := s.maxLen()
		for _, l := range whole {
			if l.Err != nil {
				if l.Code != "" || (l.Err != ErrTooLong && l.Err != ErrGarbage) {
					t.Fatalf("bad drop %+v", l)
				}
				continue
			}
			c := []byte(l.Code)
			if len(c) == 0 || len(c) > limit || !utf8.Valid(c) ||
				bytes.ContainsFunc(c, func(r rune) bool { return r != '\t' && isControl(r) }) {
				t.Fatalf("bad code %q", c)
			}
			if (len(suffix) > 0 && bytes.Contains(c, suffix)) || (len(suffix) == 0 && bytes.ContainsAny(c, "\r\n")) {
				t.Fatalf("code %q holds a terminator", c)
			}
		}
		if len(s.buf) > limit+len(suffix) {
			t.Fatalf("buffer holds %d bytes", len(s.buf))
		}
	})
}
