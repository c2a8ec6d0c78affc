package utility

import (
	"errors"
	"strings"
)

// billQRPrefix starts the QR printed on paper bills: UBILL:1:<utility>:<account>[:<bill>].
const billQRPrefix = "UBILL:1:"

// BillQR is what a paper bill's QR code names.
type BillQR struct {
	Utility string
	Account string
	// Bill is empty when the QR names only the account.
	Bill string
}

// ErrNotBillQR means a scanned code is not a bill's QR.
var ErrNotBillQR = errors.New("utility: not a bill QR code")

// FormatBillQR is the QR content of a bill (or of an account when bill is empty).
func FormatBillQR(utilityID, account, bill string) string {
	s := billQRPrefix + utilityID + ":" + account
	if bill != "" {
		s += ":" + bill
	}
	return s
}

// ParseBillQR reads a scanned bill QR. Account numbers are digits; a bill ID is
// letters, digits and '-'.
func ParseBillQR(s string) (BillQR, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, billQRPrefix) || len(s) > 128 {
		return BillQR{}, ErrNotBillQR
	}
	parts := strings.Split(s[len(billQRPrefix):], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return BillQR{}, ErrNotBillQR
	}
	q := BillQR{Utility: parts[0], Account: parts[1]}
	if len(parts) == 3 {
		q.Bill = parts[2]
	}
	switch q.Utility {
	case Electricity, Water, Gas, Broadband:
	default:
		return BillQR{}, ErrNotBillQR
	}
	if !ValidAccountNumber(q.Account) || (len(parts) == 3 && !validBillID(q.Bill)) {
		return BillQR{}, ErrNotBillQR
	}
	return q, nil
}

// ValidAccountNumber reports whether s looks like an account number: 6 to 20 digits.
// Each utility checks its own format; this is the kiosk's keypad check.
func ValidAccountNumber(s string) bool {
	if len(s) < 6 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func validBillID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
