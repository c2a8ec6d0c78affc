package mask

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"张三", "张*"},
		{"欧阳娜娜", "欧***"},
		{"王", "王*"},
		{"  李四 ", "李*"},
		{"", ""},
		{"JOHN SMITH", "J*** *****"},
		{"堃", "堃*"},
	} {
		if got := Name(tc.in); got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIDNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"11010519491231002X", "110105********002X"},
		{"420704199001011234", "420704********1234"},
		{"CAN420085031505", "CAN**********05"},
		{"PAK310080010103", "PAK**********03"},
		{"110105491231002", "110**********02"},
		{"H01234567", "*******67"},
		{"12345", "***45"},
		{"", ""},
	} {
		got := IDNumber(tc.in)
		if got != tc.want {
			t.Errorf("IDNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The birth date must never survive masking: digits 7–14 of an 18-character number;
// characters 8–13 (YYMMDD) of a 2017 foreigner's 15-character number
// (country, province, 2, YYMMDD, 2: /work/shared/protocols/idcard.md §6.3–6.4) and
// digits 7–12 of an old 15-digit resident number.
func TestIDNumberHidesBirthDate(t *testing.T) {
	for _, tc := range []struct {
		id         string
		birth, end int // the birth date's characters, [birth, end)
	}{
		{"11010519491231002X", 6, 14},
		{"942616198808080026", 6, 14},
		{"PAK310080010103", 7, 13},
		{"CAN420085031505", 7, 13},
		{"110105491231002", 6, 12},
	} {
		m := IDNumber(tc.id)
		if len(m) != len(tc.id) || strings.Trim(m[tc.birth:tc.end], "*") != "" {
			t.Errorf("birth date visible in %q (of %s)", m, tc.id)
		}
	}
}

func TestPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"123", "***"},
	} {
		if got := Phone(tc.in); got != tc.want {
			t.Errorf("Phone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCertificate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1234567", "12***67"},
		{" 123456789012 ", "12********12"},
		{"123456", "******"},
		{"", ""},
	} {
		if got := Certificate(tc.in); got != tc.want {
			t.Errorf("Certificate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
