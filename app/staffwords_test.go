package app_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/scanner"
)

// Every device and print text staff may read has English without Chinese in it, and
// what the devices say of an error in Chinese is found in the table with the English
// they say beside it: a maintenance screen in English shows no half-English row.
func TestStaffWordsHaveEnglish(t *testing.T) {
	words := app.StaffWordsTable()
	han := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	}
	for zh, en := range words {
		if !han(zh) || en == "" || han(en) {
			t.Errorf("%q is said in English as %q", zh, en)
		}
	}
	errs := []error{printer.ErrPaperOut, printer.ErrCoverOpen, printer.ErrNoAnswer, printer.ErrGarbled, errors.New("some other")}
	for _, err := range errs {
		if zh, en := printer.Advice(err), printer.AdviceEN(err); words[zh] != en {
			t.Errorf("printer %v: %q is said as %q, the printer says %q", err, zh, words[zh], en)
		}
	}
	for _, err := range []error{idcard.ErrNoReader, idcard.ErrTimeout, &idcard.StatusError{Status: idcard.ErrSAMSelfTest}, errors.New("some other")} {
		if zh, en := idcard.StaffMessage(err), idcard.StaffMessageEN(err); words[zh] != en {
			t.Errorf("reader %v: %q is said as %q, the reader says %q", err, zh, words[zh], en)
		}
	}
	for _, st := range []idcard.State{idcard.StateNoReader, idcard.StateSAMFault, idcard.StateFault} {
		if words[st.Chinese()] != st.English() {
			t.Errorf("reader state %s: %q is said as %q", st, st.Chinese(), words[st.Chinese()])
		}
	}
	if st := scanner.StateNoScanner; words[st.Chinese()] != st.English() {
		t.Errorf("scanner state %s: %q is said as %q", st, st.Chinese(), words[st.Chinese()])
	}
}
