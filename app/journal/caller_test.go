package journal

import "testing"

// What Acting writes reads back as the name given and the same caller; an actor no
// Acting made reads as itself.
func TestParseActing(t *testing.T) {
	for _, c := range []Caller{
		{Known: true, UID: 998, User: "kiosk", PID: 4242, HasLogin: true, LoginUID: 1001, Login: "staff1"},
		{Known: true, UID: 1234, PID: 7, HasLogin: true, LoginUID: 1001},
		{Known: true, UID: 0, User: "root", PID: 9, Self: true},
		{Known: true, UID: 5, User: "a b", PID: 1},
		{Unknown: "peer credentials are read on Linux only, not on darwin"},
	} {
		claim, got, ok := ParseActing(Acting("工号0107 王五", c))
		if !ok || claim != "工号0107 王五" || got != c {
			t.Errorf("%+v read back as %q, %+v, %v", c, claim, got, ok)
		}
	}
	for _, actor := range []string{"维护模式", "fleet electricity", "王五 ⟨not a caller⟩", "127.0.0.1:5000"} {
		if claim, _, ok := ParseActing(actor); ok || claim != actor {
			t.Errorf("%q read as %q, %v", actor, claim, ok)
		}
	}
}
