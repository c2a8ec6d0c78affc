package mask

import (
	"strings"
	"unicode/utf8"
)

// Address keeps the first 6 characters of an address, usually the province and city
// (湖北省鄂州市…), and hides the rest: street, number and room identify a household.
// Short addresses keep a third of their characters. It is for an address known only as
// text (a card's); one picked level by level is masked by its levels (Unit, Room).
func Address(addr string) string {
	addr = strings.TrimSpace(addr)
	n := utf8.RuneCountInString(addr)
	if n == 0 {
		return ""
	}
	keep := 6
	if n <= 10 {
		keep = n / 3
	}
	r := []rune(addr)
	return string(r[:keep]) + strings.Repeat("*", n-keep)
}

// An address picked level by level (district, street, community, building, unit, room)
// is masked by its levels: the district down to the building stay, as many households
// share them, and the household's unit and room lose their numbers. The words around a
// number stay (单元, 室, 号, Unit, Room, No.), so the reader sees what was hidden; the
// number becomes a fixed mask whatever its length, as a room number's length tells a
// floor above the 9th: 3单元 → *单元, 1202室 and 602室 → ***室, a village house 17号 →
// ***号, Room 1202 → Room ***. A number is a run of ASCII letters and digits with a digit
// in it (12A室 → ***室).

// Unit hides the number of an address's unit: 3单元 → *单元, Unit 3 → Unit *.
func Unit(name string) string { return hideNumbers(name, "*") }

// Room hides the number of an address's room or house: 1202室 → ***室, 17号 → ***号,
// Room 1202 → Room ***.
func Room(name string) string { return hideNumbers(name, "***") }

// hideNumbers replaces each run of ASCII letters and digits that holds a digit with
// mask; a name with no number at all is masked whole (a unit or room named in words is
// still the household's).
func hideNumbers(name, mask string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	var b strings.Builder
	hid := false
	for i := 0; i < len(name); {
		j := i
		for j < len(name) && isAlnum(name[j]) {
			j++
		}
		if j == i {
			_, n := utf8.DecodeRuneInString(name[i:])
			b.WriteString(name[i : i+n])
			i += n
			continue
		}
		if strings.ContainsAny(name[i:j], "0123456789") {
			b.WriteString(mask)
			hid = true
		} else {
			b.WriteString(name[i:j])
		}
		i = j
	}
	if !hid {
		return strings.Repeat("*", utf8.RuneCountInString(name))
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
