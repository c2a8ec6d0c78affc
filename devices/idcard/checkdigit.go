package idcard

import "strings"

// gbWeights are the GB 11643-1999 (ISO 7064 MOD 11-2) weights of digits 1–17.
var gbWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckChar computes the GB 11643 check character of the first 17 digits of an
// 18-character number; ok is false when they are not 17 digits.
func CheckChar(first17 string) (c byte, ok bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := range 17 {
		d := first17[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		sum += int(d-'0') * gbWeights[i]
	}
	return "10X98765432"[sum%11], true
}

// ValidNumber18 reports whether id is 17 digits and the right GB 11643 check character
// (x accepted for X). It holds for resident, HK/Macao/Taiwan and 2023 foreigner numbers.
func ValidNumber18(id string) bool {
	if len(id) != 18 {
		return false
	}
	c, ok := CheckChar(id[:17])
	return ok && strings.ToUpper(id[17:]) == string(c)
}

// ValidNumber15 reports whether id is a well-formed 2017 foreigner permanent residence
// number: 3 capital letters (nationality) and 12 digits. Its last digit is not
// checked: the one rule published for it (7-3-1 weights, single source) fails the one
// published sample number, and the reader's SAM has already authenticated the card (a
// forged card fails with status 32), so a holder is not refused on an unconfirmed rule.
func ValidNumber15(id string) bool {
	if len(id) != 15 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if i < 3 && (c < 'A' || c > 'Z') || i >= 3 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
