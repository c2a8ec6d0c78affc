package idcard

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// TextLen is the size of the card text block.
const TextLen = 256

// PhotoLen is the size of the WLT photo on every card type.
const PhotoLen = 1024

// ErrBadText: the card text does not follow its layout (a date that is not a date, a
// missing number). Its messages name the field, never its content.
var ErrBadText = errors.New("card text is malformed")

// longTerm is 长期 as it appears in a validity-end field.
const longTerm = "长期"

// typeFlagOffset is where the UTF-16 code unit that tells the card type sits.
const typeFlagOffset = 248

// textBlock reads the fixed-width UTF-16LE fields of a text block.
type textBlock []byte

// raw decodes n bytes at off without trimming.
func (t textBlock) raw(off, n int) string {
	u := make([]uint16, n/2)
	for i := range u {
		u[i] = uint16(t[off+2*i]) | uint16(t[off+2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// field decodes n bytes at off, trimming the padding (spaces, NULs) on both sides.
func (t textBlock) field(off, n int) string { return trim(t.raw(off, n)) }

func trim(s string) string { return strings.Trim(s, " \x00\u3000") }

func badText(field, format string, a ...any) error {
	return fmt.Errorf("idcard: %w: %s %s", ErrBadText, field, fmt.Sprintf(format, a...))
}

// date parses a YYYYMMDD field.
func (t textBlock) date(field string, off int) (Date, error) {
	s := t.field(off, 16)
	if len(s) != 8 {
		return Date{}, badText(field, "is not 8 digits")
	}
	v := 0
	for i := range 8 {
		if s[i] < '0' || s[i] > '9' {
			return Date{}, badText(field, "is not 8 digits")
		}
		v = v*10 + int(s[i]-'0')
	}
	d := Date{v / 10000, time.Month(v / 100 % 100), v % 100}
	if n := DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)); n != d || d.Year < 1800 {
		return Date{}, badText(field, "is not a calendar date")
	}
	return d, nil
}

// validTo parses the end of validity: a date, or 长期.
func (t textBlock) validTo(c *Card, off int) error {
	if t.field(off, 16) == longTerm {
		c.LongTerm = true
		return nil
	}
	d, err := t.date("valid-to date", off)
	c.ValidTo = d
	return err
}

// CardTypeOf tells the card type from a text block's flag at offset 248.
func CardTypeOf(text []byte) CardType {
	if len(text) < typeFlagOffset+2 || text[typeFlagOffset+1] != 0 {
		return Resident
	}
	switch text[typeFlagOffset] {
	case 'I':
		return Foreign2017
	case 'Y':
		return Foreign2023
	case 'J':
		return GATResidence
	}
	return Resident
}

// ParseText parses a 256-byte card text block of any of the four card types. The
// returned card has no photo; ParseReadReply fills it in.
func ParseText(text []byte) (*Card, error) {
	if len(text) != TextLen {
		return nil, fmt.Errorf("idcard: %w: text block is %d bytes, want %d", ErrBadText, len(text), TextLen)
	}
	t := textBlock(text)
	c := &Card{Type: CardTypeOf(text)}
	var errs []error
	switch c.Type {
	case Resident, GATResidence:
		c.Name = t.field(0, 30)
		c.GenderCode = t.field(30, 2)
		if c.Type == Resident {
			c.NationCode = t.field(32, 4)
		}
		c.Address = t.field(52, 70)
		c.IDNumber = t.field(122, 36)
		c.Authority = t.field(158, 30)
		if c.Type == GATResidence {
			c.PassNumber = t.field(220, 18)
			c.IssueCount = t.field(238, 4)
		}
		c.NumberOK = ValidNumber18(c.IDNumber)
	case Foreign2017:
		c.EnglishName = t.field(0, 120)
		c.GenderCode = t.field(120, 2)
		c.IDNumber = t.field(122, 30)
		c.Nationality = t.field(152, 6)
		c.Name = t.field(158, 30)
		c.CardVersion = t.field(236, 4)
		c.Authority = t.field(240, 8)
		c.NumberOK = ValidNumber15(c.IDNumber)
	case Foreign2023:
		c.Name = t.field(0, 30)
		c.GenderCode = t.field(30, 2)
		c.IssueCount = t.field(32, 4)
		// The English name is split: characters 1–35 at 52, 36–46 at 220. Join the raw
		// fields first, so that a space at the split is kept.
		c.EnglishName = trim(t.raw(52, 70) + t.raw(220, 22))
		c.IDNumber = t.field(122, 36)
		c.Nationality = t.field(242, 6)
		c.OldNumberLink = t.field(250, 6)
		c.NumberOK = ValidNumber18(c.IDNumber)
	}
	c.PrintedAddress = c.Address

	birthOff, fromOff, toOff := 36, 188, 204
	if c.Type == Foreign2017 {
		birthOff = 220
	}
	var err error
	if c.Birth, err = t.date("birth date", birthOff); err != nil {
		errs = append(errs, err)
	}
	if c.ValidFrom, err = t.date("valid-from date", fromOff); err != nil {
		errs = append(errs, err)
	}
	if err := t.validTo(c, toOff); err != nil {
		errs = append(errs, err)
	}
	if c.IDNumber == "" {
		errs = append(errs, badText("ID number", "is empty"))
	}
	if c.Name == "" && c.EnglishName == "" {
		errs = append(errs, badText("name", "is empty"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// ApplyAddress makes an appended address (追加住址, read with CmdReadAddress) the
// card's current address. An empty address changes nothing.
func (c *Card) ApplyAddress(addr string) {
	if addr = trim(addr); addr == "" {
		return
	}
	c.Address, c.AddressAppended = addr, true
}

// ParseAddress decodes the data of a read-appended-address reply (70 bytes of
// UTF-16LE, space padded).
func ParseAddress(data []byte) (string, error) {
	if len(data)%2 != 0 || len(data) > 2*TextLen {
		return "", fmt.Errorf("idcard: %w: appended address is %d bytes", ErrReplyLength, len(data))
	}
	return textBlock(data).field(0, len(data)), nil
}

// ErrNotCardReply: a valid reply frame, but not the answer to a card read.
var ErrNotCardReply = errors.New("not a card reply")

// ParseReadReply parses the reply to CmdRead (30 01) or CmdReadFingerprint (30 10),
// telling them apart by their length words. It returns the card with its photo, and
// the fingerprint templates of a 30 10 reply (nil otherwise), which the caller must
// not keep. A failure status is a *StatusError; another kind of reply wraps
// ErrNotCardReply.
func ParseReadReply(r Reply) (*Card, []byte, error) {
	switch r.SW3 {
	case StatusOK:
	case StatusFound:
		return nil, nil, fmt.Errorf("idcard: %w: status 9F with %d data bytes (%s)", ErrNotCardReply, len(r.Data), guessReply(len(r.Data)))
	default:
		return nil, nil, &StatusError{Command: CmdRead, Status: r.SW3, SW1: r.SW1, SW2: r.SW2}
	}
	d := r.Data
	word := func(i int) int { return int(d[i])<<8 | int(d[i+1]) }
	var textLen, photoLen, fpLen, hdr int
	switch {
	case len(d) >= 4 && 4+word(0)+word(2) == len(d):
		hdr, textLen, photoLen = 4, word(0), word(2)
	case len(d) >= 6 && 6+word(0)+word(2)+word(4) == len(d):
		hdr, textLen, photoLen, fpLen = 6, word(0), word(2), word(4)
	default:
		return nil, nil, fmt.Errorf("idcard: %w: status %02X with %d data bytes (%s)", ErrNotCardReply, byte(r.SW3), len(d), guessReply(len(d)))
	}
	if textLen != TextLen {
		return nil, nil, fmt.Errorf("idcard: %w: text length word is %d, want %d", ErrReplyLength, textLen, TextLen)
	}
	c, err := ParseText(d[hdr : hdr+textLen])
	if err != nil {
		return nil, nil, err
	}
	c.Photo = append([]byte(nil), d[hdr+textLen:hdr+textLen+photoLen]...)
	var fp []byte
	if fpLen > 0 {
		fp = append([]byte(nil), d[hdr+textLen+photoLen:]...)
	}
	return c, fp, nil
}

// guessReply names the reply a successful frame with n data bytes probably is.
func guessReply(n int) string {
	switch n {
	case 0:
		return "a status-only reply"
	case 4:
		return "looks like a find-card reply"
	case 8:
		return "looks like a select-card reply"
	case 16:
		return "looks like a SAM ID reply"
	case 70:
		return "looks like an appended-address reply"
	}
	return "unknown reply"
}
