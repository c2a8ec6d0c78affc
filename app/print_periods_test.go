package app

import "testing"

// A payment receipt's 账期 reads oldest first, whichever order the bills were listed in.
func TestPeriodsZH(t *testing.T) {
	for in, want := range map[string]string{
		"2026-10、2026-09":         "2026年9月、2026年10月",
		"2026-09、2026-10":         "2026年9月、2026年10月",
		"2026-01、2025-12、2025-11": "2025年11月、2025年12月、2026年1月",
		"2026-10":                 "2026年10月",
	} {
		if got := periodsZH(in); got != want {
			t.Errorf("periodsZH(%q) = %q, want %q", in, got, want)
		}
	}
}
