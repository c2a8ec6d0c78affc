package scanner

import (
	"errors"
	"strings"
	"testing"
)

func feedAll(s *Splitter, chunks ...string) []Line {
	var out []Line
	for _, c := range chunks {
		out = append(out, s.Feed([]byte(c))...)
	}
	return out
}

func show(lines []Line) string {
	var b []string
	for _, l := range lines {
		if l.Err != nil {
			b = append(b, "!"+strings.TrimPrefix(l.Err.Error(), "scanner: "))
		} else {
			b = append(b, l.Code)
		}
	}
	return strings.Join(b, "|")
}

func TestSplitter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		suffix string
		max    int
		chunks []string
		want   string
	}{
		{"CRLF", "", 0, []string{"A1\r\nB2\r\n"}, "A1|B2"},
		{"LF", "", 0, []string{"A1\nB2\n"}, "A1|B2"},
		{"CR", "", 0, []string{"A1\rB2\r"}, "A1|B2"},
		{"split everywhere", "", 0, []string{"A", "1\r", "\nB", "2", "\r\n"}, "A1|B2"},
		{"empty lines skipped", "", 0, []string{"\r\n\r\n\nA1\r\n\r"}, "A1"},
		{"URL with spaces and tabs kept", "", 0, []string{"https://k.example/t?r=1 2\tx\r\n"}, "https://k.example/t?r=1 2\tx"},
		{"UTF-8", "", 0, []string{"缴费单 0001\r\n"}, "缴费单 0001"},
		{"STX prefix trimmed", "", 0, []string{"\x02ABC\x03\r\n"}, "ABC"},
		{"no terminator yet", "", 0, []string{"ABC"}, ""},
		{"garbage bytes", "", 0, []string{"\xF8\x80\x80\xFE\r\nOK\r\n"}, "!line is not text|OK"},
		{"control inside", "", 0, []string{"A\x00B\r\n"}, "!line is not text"},
		{"C1 control inside", "", 0, []string{"A\u0085B\r\n"}, "!line is not text"},
		{"too long", "", 5, []string{"123456\r\n12345\r\n"}, "!line too long|12345"},
		{"too long in pieces", "", 5, []string{"123", "456", "789", "\r", "\nabc\n"}, "!line too long|abc"},
		{"TAB suffix", "\t", 0, []string{"A1\tB2\r\n\t"}, "A1|B2"},
		{"multi-byte suffix split", "#END", 0, []string{"A1#E", "ND", "B2#", "END"}, "A1|B2"},
		{"suffix: CR/LF not terminators", "#", 0, []string{"A\r\nB#"}, "!line is not text"},
		{"suffix: too long in pieces", "##", 4, []string{"12345", "6#", "#ok##"}, "!line too long|ok"},
	} {
		s := &Splitter{Suffix: []byte(tc.suffix), MaxLen: tc.max}
		if got := show(feedAll(s, tc.chunks...)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSplitterPartial(t *testing.T) {
	s := &Splitter{}
	s.Feed([]byte("\r\n"))
	if s.Pending() || s.Reset() != nil {
		t.Fatal("terminators alone are not a pending line")
	}
	s.Feed([]byte("HALF"))
	if !s.Pending() {
		t.Fatal("HALF not pending")
	}
	if err := s.Reset(); !errors.Is(err, ErrPartial) {
		t.Fatalf("reset: %v", err)
	}
	if got := show(s.Feed([]byte("WHOLE\r\n"))); got != "WHOLE" {
		t.Fatalf("after reset: %q", got)
	}
	// An overlong line pending is dropped by Reset too, as too long (its end would not
	// have saved it), and forgotten.
	s = &Splitter{MaxLen: 3}
	s.Feed([]byte("123456"))
	if err := s.Reset(); !errors.Is(err, ErrTooLong) {
		t.Fatalf("overflow reset: %v", err)
	}
	if got := show(s.Feed([]byte("abc\n"))); got != "abc" {
		t.Fatalf("after overflow reset: %q", got)
	}
}

// Memory stays bounded by MaxLen whatever the stream.
func TestSplitterBounded(t *testing.T) {
	s := &Splitter{MaxLen: 64}
	for range 1000 {
		s.Feed([]byte(strings.Repeat("x", 1000)))
		if len(s.buf) > 64 {
			t.Fatalf("buffer grew to %d", len(s.buf))
		}
	}
	if got := show(s.Feed([]byte("\nok\n"))); got != "!line too long|ok" {
		t.Fatalf("%q", got)
	}
}
