package idcard

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanStream runs the stream scanner over data in chunks and records what it yields.
func scanStream(t *testing.T, data []byte, chunk int) []string {
	var out []string
	var buf []byte
	for off := 0; off < len(data); off += chunk {
		buf = append(buf, data[off:min(off+chunk, len(data))]...)
		for {
			f, used, err := scanFrame(buf)
			if used < 0 || used > len(buf) {
				t.Fatalf("used %d of %d", used, len(buf))
			}
			switch {
			case err != nil:
				if f != nil || !errors.Is(err, ErrReplyLength) {
					t.Fatalf("frame with error, or unexpected error %v", err)
				}
				out = append(out, "err:"+err.Error())
			case f != nil:
				n := int(f[5])<<8 | int(f[6])
				if !bytes.HasPrefix(f, Preamble) || len(f) != headerLen+n {
					t.Fatalf("bad frame % X", f)
				}
				r, err := decodeReply(f)
				if err != nil && !errors.Is(err, ErrReplyChecksum) {
					t.Fatalf("scanned frame fails with %v", err)
				}
				out = append(out, fmt.Sprintf("frame:%X:%v:%X", f, err == nil, r.Data))
			}
			if used == 0 {
				break
			}
			buf = buf[used:]
		}
	}
	return out
}

// FuzzFrameDecoder feeds arbitrary bytes to the stream scanner (in chunks of every
// size, as reads from a port deliver them) and to DecodeReply. Nothing may panic, the
// scanner must yield the same frames however the stream is cut, and a frame that
// decodes must re-encode to the same bytes.
func FuzzFrameDecoder(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		whole := scanStream(t, data, max(len(data), 1))
		cut := scanStream(t, data, int(chunk%32)+1)
		if strings.Join(whole, "\n") != strings.Join(cut, "\n") {
			t.Fatalf("chunk %d changes the result:\n%v\n%v", chunk%32+1, whole, cut)
		}
		r, err := DecodeReply(data)
		if err != nil {
			if !errors.Is(err, ErrNotReply) && !errors.Is(err, ErrReplyLength) && !errors.Is(err, ErrReplyChecksum) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		n := 3 + len(r.Data) + 1
		again := append(append([]byte{}, Preamble...), byte(n>>8), byte(n), r.SW1, r.SW2, byte(r.SW3))
		again = append(again, r.Data...)
		again = append(again, checksum(again[len(Preamble):]))
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoded % X, input % X", again, data)
		}
		// Whatever the frame, reading it as a card reply fails cleanly or gives a card.
		if c, _, err := ParseReadReply(r); err == nil && len(c.Photo) > len(data) {
			t.Fatal("photo longer than the frame")
		}
	})
}

// FuzzParseText parses arbitrary text blocks: no panic, a clear error, or a card whose
// fields are trimmed valid text, whose dates are real dates, and which still prints
// nothing personal.
func FuzzParseText(f *testing.F) {
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseText(text)
		if err != nil {
			if c != nil || !errors.Is(err, ErrBadText) {
				t.Fatalf("card %v with error %v", c, err)
			}
			return
		}
		if len(text) != TextLen || c.Type != CardTypeOf(text) {
			t.Fatalf("accepted %d bytes as %v", len(text), c.Type)
		}
		for _, s := range []string{c.Name, c.EnglishName, c.GenderCode, c.NationCode, c.Nationality, c.Address,
			c.IDNumber, c.Authority, c.PassNumber, c.IssueCount, c.CardVersion, c.OldNumberLink} {
			if !utf8.ValidString(s) || trim(s) != s {
				t.Fatalf("field %q not trimmed valid UTF-8", s)
			}
		}
		if c.IDNumber == "" || (c.Name == "" && c.EnglishName == "") {
			t.Fatal("a card without number or name")
		}
		for _, d := range []Date{c.Birth, c.ValidFrom} {
			if len(d.String()) != 10 {
				t.Fatalf("date %v", d)
			}
		}
		if c.LongTerm == !c.ValidTo.IsZero() {
			t.Fatalf("long term %t with end %v", c.LongTerm, c.ValidTo)
		}
		want := ValidNumber18(c.IDNumber)
		if c.Type == Foreign2017 {
			want = ValidNumber15(c.IDNumber)
		}
		if c.NumberOK != want {
			t.Fatal("NumberOK disagrees with the check")
		}
		if s := fmt.Sprintf("%+v", c); !strings.HasPrefix(s, "idcard.Card{type=") {
			t.Fatalf("card prints %q", s)
		}
	})
}
