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
