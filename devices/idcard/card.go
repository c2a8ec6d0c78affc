package idcard

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// CardType is which of the four documents the card is.
type CardType int

// Card types, told apart by the flag at text offset 248.
const (
	Resident     CardType = iota // 居民身份证
	Foreign2017                  // 外国人永久居留身份证 (2017), flag I
	Foreign2023                  // 外国人永久居留身份证 (2023), flag Y
	GATResidence                 // 港澳台居民居住证, flag J
)

// String is the type's stable identifier: resident, foreign_2017, foreign_2023,
// gat_residence.
func (t CardType) String() string {
	switch t {
	case Resident:
		return "resident"
	case Foreign2017:
		return "foreign_2017"
	case Foreign2023:
		return "foreign_2023"
	case GATResidence:
		return "gat_residence"
	}
	return fmt.Sprintf("CardType(%d)", int(t))
}

// Chinese is the document's Chinese name.
func (t CardType) Chinese() string {
	switch t {
	case Resident:
		return "居民身份证"
	case Foreign2017, Foreign2023:
		return "外国人永久居留身份证"
	case GATResidence:
		return "港澳台居民居住证"
	}
	return "未知证件"
}

// Date is a calendar date without a time of day or zone: a birth date or a validity
// date printed on the card. The zero Date means "none".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the calendar date of t in t's own location (pass the kiosk's local time).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// String formats d as YYYY-MM-DD ("" for the zero Date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Card is what the reader returned for one card, parsed. Fields a card type does not
// have are empty; see each field.
//
// A Card is personal data. It formats (fmt, all verbs) and logs (slog) as its type and
// checks only, never a name, number, date or address; mask fields yourself before
// showing them. The photo is never stored by this package and must not be stored by
// the caller.
type Card struct {
	Type CardType

	// Name is the Chinese name (all types; may be empty on a 2017 foreigner card).
	Name string
	// EnglishName is the English name of a foreigner card (2023: both name fields joined).
	EnglishName string
	// GenderCode is the GB/T 2261.1 code: 0 未知, 1 男, 2 女, 9 未说明. See Gender.
	GenderCode string
	// NationCode is the GB 3304 民族 code of a resident card. See Nation.
	NationCode string
	// Nationality is a foreigner card's ISO 3166-1 alpha-3 country code.
	Nationality string
	Birth       Date
	// Address is the current address: the appended address (追加住址) when the card has
	// one, otherwise the address in the card text. Resident and HK/Macao/Taiwan only.
	Address string
	// PrintedAddress is the address in the card text, before any appended address.
	PrintedAddress string
	// AddressAppended reports that Address comes from the appended address.
	AddressAppended bool
	// AddressErr is why the appended address could not be read, when it could not:
	// Address is then the printed one. The card is read all the same, for the
	// appended address is optional (GA 490-2013 dropped it) and some readers fail it.
	AddressErr error
	// IDNumber is the 18-character citizen number (resident, J), the 18-character 2023
	// foreigner number, or the 15-character 2017 foreigner number.
	IDNumber string
	// Authority is the issuing authority (resident, J) or, on a 2017 foreigner card,
	// the code of the office that accepted the application (受理机关代码).
	Authority string
	ValidFrom Date
	// ValidTo is the last valid day; zero when LongTerm.
	ValidTo Date
	// LongTerm is true when the card says 长期 (no end date).
	LongTerm bool
	// PassNumber is the 通行证号码 of an HK/Macao/Taiwan permit.
	PassNumber string
	// IssueCount is the permit's 签发次数 (J) or the 2023 foreigner card's 换证次数 (Y),
	// as the two digits on the card.
	IssueCount string
	// CardVersion is a 2017 foreigner card's 证件版本号.
	CardVersion string
	// OldNumberLink is a 2023 foreigner card's link to the earlier 15-character number.
	OldNumberLink string
	// NumberOK reports that the ID number's check character is right (GB 11643 MOD
	// 11-2 for 18-character numbers; a 2017 foreigner number is checked for its form
	// only, see ValidNumber15). A card whose number fails is still returned, with
	// NumberOK false; see Check.
	NumberOK bool
	// Photo is the 1024-byte WLT photo, opaque: decode it only through a licensed
	// PhotoDecoder, and never store it.
	Photo []byte
}

// Gender is the name of GenderCode (男, 女, 未知, 未说明), or the raw code when it is not
// in GB/T 2261.1.
func (c *Card) Gender() string { return GenderName(c.GenderCode) }

// Nation is the name of NationCode (汉, 蒙古, …), the raw code when it is not in GB 3304,
// or "" when the card has no 民族 field.
func (c *Card) Nation() string { return NationName(c.NationCode) }

// Expired reports whether today is after the card's last valid day.
func (c *Card) Expired(today Date) bool {
	return !c.LongTerm && !c.ValidTo.IsZero() && c.ValidTo.Before(today)
}

// Card check errors, returned by Check.
var (
	// ErrExpired: today is after the card's last valid day.
	ErrExpired = errors.New("idcard: the card has expired")
	// ErrNotYetValid: today is before the card's first valid day.
	ErrNotYetValid = errors.New("idcard: the card is not valid yet")
	// ErrBadNumber: the ID number's check character is wrong (a misread or a forgery).
	ErrBadNumber = errors.New("idcard: the ID number fails its check digit")
)

// Check judges the card against today (the kiosk's local date): nil when it may be
// used, else ErrBadNumber, ErrExpired or ErrNotYetValid (joined when several apply).
func (c *Card) Check(today Date) error {
	var errs []error
	if !c.NumberOK {
		errs = append(errs, ErrBadNumber)
	}
	if c.Expired(today) {
		errs = append(errs, ErrExpired)
	}
	if !c.ValidFrom.IsZero() && today.Before(c.ValidFrom) {
		errs = append(errs, ErrNotYetValid)
	}
	return errors.Join(errs...)
}

// String describes the card without personal data.
func (c Card) String() string {
	return fmt.Sprintf("idcard.Card{type=%s number_ok=%t address_appended=%t}", c.Type, c.NumberOK, c.AddressAppended)
}

// Format prints String for every verb, so that no fmt verb (%v, %+v, %#v, %s, %q, %x …)
// can print the card's fields, whether given a Card or a *Card.
func (c Card) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue logs the card's type and checks only.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", c.Type.String()),
		slog.Bool("number_ok", c.NumberOK),
		slog.Bool("address_appended", c.AddressAppended),
	)
}

var (
	_ slog.LogValuer = Card{}
	_ fmt.Formatter  = Card{}
)
