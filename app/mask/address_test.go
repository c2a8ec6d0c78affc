package mask

import "testing"

func TestAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"湖北省鄂州市梁子湖区太和镇幸福路88号", "湖北省鄂州市*************"},
		{" 北京市东城区景山前街4号 ", "北京市东城区******"},
		{"太和镇幸福路8号", "太和******"},
		{"8号", "**"},
		{"", ""},
	} {
		if got := Address(tc.in); got != tc.want {
			t.Errorf("Address(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A unit and a room lose their numbers, whatever their length, and keep the words that
// say what was hidden.
func TestUnitAndRoom(t *testing.T) {
	for _, tc := range []struct {
		unit, room       string
		maskedU, maskedR string
	}{
		{"3单元", "1202室", "*单元", "***室"},
		{"2单元", "602室", "*单元", "***室"},
		{"12单元", "101室", "*单元", "***室"}, // two digits or one: the same mask
		{"", "17号", "", "***号"},         // a village house: no unit
		{"Unit 3", "Room 1202", "Unit *", "Room ***"},
		{"", "No. 17", "", "No. ***"},
		{" 1单元 ", "12A室", "*单元", "***室"}, // letters inside a number are the number's
		{"东单元", "甲室", "***", "**"},       // no number: the name is the household's, hidden whole
	} {
		if got := Unit(tc.unit); got != tc.maskedU {
			t.Errorf("Unit(%q) = %q, want %q", tc.unit, got, tc.maskedU)
		}
		if got := Room(tc.room); got != tc.maskedR {
			t.Errorf("Room(%q) = %q, want %q", tc.room, got, tc.maskedR)
		}
	}
}
