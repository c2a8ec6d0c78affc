package mask

import "testing"

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
		{"CAN110019810803", "CAN********0803"},
		{"12345", "***45"},
		{"", ""},
	} {
		got := IDNumber(tc.in)
		if got != tc.want {
			t.Errorf("IDNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The birth date (digits 7–14) must never survive masking.
func TestIDNumberHidesBirthDate(t *testing.T) {
	id := "11010519491231002X"
	if m := IDNumber(id); m[6:14] != "********" {
		t.Fatalf("birth date visible in %q", m)
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
