// Package mask de-identifies personal data for screens, paper and logs (GB/T 35273
// "display restriction"): one rule everywhere, and the birth date inside an ID number is
// always hidden.
package mask

import (
	"strings"
	"unicode/utf8"
)

// Name keeps the first character and replaces each of the others with *: 张三 → 张*,
// 欧阳娜娜 → 欧***. Spaces in Latin names are kept so the shape stays readable.
func Name(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(name)
	var b strings.Builder
	b.WriteRune(r)
	rest := name[size:]
	if rest == "" {
		// A one-character name still gets a mask so it is never shown whole.
		b.WriteByte('*')
		return b.String()
	}
	for _, c := range rest {
		if c == ' ' {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte('*')
	}
	return b.String()
}

// IDNumber hides the birth date inside an ID number. An 18-character number (resident
// card, HK/Macao/Taiwan permit, 2023 foreigner card) keeps its first 6 and last 4
// characters (420704********123X), hiding digits 7–14. A 15-character one keeps its
// first 3 and last 2 (PAK**********03): a 2017 foreigner card's number is country (3),
// province (2), 2 digits, YYMMDD and 2 more, and an old 15-digit resident number has
// YYMMDD at 7–12, so the last 4 would show the day of birth. Other lengths keep the
// first 3 and last 4 and hide at least 4 characters.
func IDNumber(id string) string {
	id = strings.TrimSpace(id)
	n := utf8.RuneCountInString(id)
	if n == 0 {
		return ""
	}
	runes := []rune(id)
	head, tail := 3, 4
	switch n {
	case 18:
		head = 6
	case 15:
		tail = 2
	}
	if n-head-tail < 4 {
		// Too short to show both ends safely: show only the last two.
		head, tail = 0, min(2, n/2)
	}
	var b strings.Builder
	b.WriteString(string(runes[:head]))
	b.WriteString(strings.Repeat("*", n-head-tail))
	b.WriteString(string(runes[n-tail:]))
	return b.String()
}

// Phone keeps the first 3 and last 4 digits of a mobile number: 138****5678.
func Phone(p string) string {
	p = strings.TrimSpace(p)
	n := utf8.RuneCountInString(p)
	if n < 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(p)
	return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
}

// Certificate keeps the first 2 and last 2 characters of a certificate's number the
// citizen typed (不动产权证号: 1234567 → 12***67), hiding at least 3: enough for them to
// recognise it, too little for a bystander to note. A shorter one is hidden whole.
func Certificate(v string) string {
	v = strings.TrimSpace(v)
	r := []rune(v)
	n := len(r)
	if n < 7 {
		return strings.Repeat("*", n)
	}
	return string(r[:2]) + strings.Repeat("*", n-4) + string(r[n-2:])
}
