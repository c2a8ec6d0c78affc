package mask

import (
	"strings"
	"unicode/utf8"
)

// Address keeps the first 6 characters of an address, usually the province and city
// (湖北省鄂州市…), and hides the rest: street, number and room identify a household.
// Short addresses keep a third of their characters.
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
