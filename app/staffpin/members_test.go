package staffpin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

// membersGate opens a gate of two members, 0417 with testPIN and 0520 with the demo PIN.
func membersGate(t *testing.T) (*Gate, *journal.Journal, *clock.Manual) {
	t.Helper()
	c := clock.NewManual(t0)
	j := journal.New(storetest.Open(t), c)
	g, err := New(Options{Journal: j, Clock: c, Members: []Member{
		{ID: "0417", Name: "王芳", Hash: testHash},
		{ID: "0520", Name: "李建国", Hash: DemoHash},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return g, j, c
}

func TestMembers(t *testing.T) {
	t.Parallel()
	g, j, c := membersGate(t)
	if !g.Enabled() || !g.PerMember() {
		t.Fatal("a gate of members is off, or not per member")
	}
	if err := g.Try(testPIN); !errors.Is(err, ErrStaffID) {
		t.Errorf("Try on a gate of members: %v, want ErrStaffID", err)
	}
	// Another member's PIN, and a 工号 nobody has, are wrong PINs of the kiosk's one run.
	refused(t, func() error { _, err := g.TryAs("0417", DemoPIN); return err }(), t0.Add(time.Second), 1, 4, ErrWrongPIN)
	c.Advance(time.Second)
	refused(t, func() error { _, err := g.TryAs("9999", testPIN); return err }(), c.Now().Add(2*time.Second), 2, 3, ErrWrongPIN)
	c.Advance(2 * time.Second)
	m, err := g.TryAs("0520", DemoPIN)
	if err != nil || m.Name != "李建国" {
		t.Fatalf("TryAs(0520) = %+v, %v", m, err)
	}
	events, err := j.Range(t0, c.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, string(e.Kind)+" by "+e.Actor+": "+e.Detail)
	}
	want := []string{
		"staff.login_failed by 维护模式: 工号 0417：连续第1次输错",
		"staff.login_failed by 维护模式: 未知工号：连续第2次输错",
		"staff.login by 工号 0520 李建国: ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The shared PIN's gate takes no 工号.
	shared, _, _ := newGate(t, Options{})
	if _, err := shared.TryAs("0417", testPIN); !errors.Is(err, ErrStaffID) {
		t.Errorf("TryAs on a shared PIN: %v, want ErrStaffID", err)
	}
}

// What is typed as a 工号 reaches the journal only when it is a member's: a PIN typed
// into the 工号 field by mistake (or anyone's guess) is journaled as 未知工号, without
// its digits, up to the lockout and after it.
func TestMembersUnknownIDNotJournaled(t *testing.T) {
	t.Parallel()
	g, j, c := membersGate(t)
	typed := []string{"918273", testPIN, DemoPIN + "7", "04170", "052"} // the fifth locks
	for i, id := range typed {
		if i > 0 {
			c.Advance(time.Second << (i - 1))
		}
		if _, err := g.TryAs(id, testPIN); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("TryAs(%s): %v, want a wrong PIN", id, err)
		}
	}
	events, err := j.Range(t0.Add(-time.Hour), c.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range events {
		for _, id := range typed {
			if strings.Contains(e.Detail, id) || strings.Contains(e.Actor, id) {
				t.Errorf("%s journaled the 工号 typed, %s: %q by %q", e.Kind, id, e.Detail, e.Actor)
			}
		}
		if e.Kind == journal.StaffLoginFailed {
			failed++
			if !strings.HasPrefix(e.Detail, "未知工号：") {
				t.Errorf("a wrong 工号 journaled as %q", e.Detail)
			}
		}
	}
	if failed != len(typed) || !sameKinds(kinds(t, j)[len(typed):], []journal.Kind{journal.StaffLocked}) {
		t.Errorf("%d wrong PINs journaled, want %d", failed, len(typed))
	}
}

func TestMembersRefused(t *testing.T) {
	t.Parallel()
	j := journal.New(storetest.Open(t), clock.NewManual(t0))
	ok := Member{ID: "0417", Name: "王芳", Hash: testHash}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"both", Options{Hash: testHash, Members: []Member{ok}}, "not both"},
		{"letters", Options{Members: []Member{{ID: "A17", Name: "王芳", Hash: testHash}}}, "staff.members[0].id"},
		{"long", Options{Members: []Member{{ID: "1234567890123", Name: "王芳", Hash: testHash}}}, "1 to 12 digits"},
		{"twice", Options{Members: []Member{ok, ok}}, "staff.members[1].id: 工号 0417 twice"},
		{"no name", Options{Members: []Member{{ID: "0417", Name: " ", Hash: testHash}}}, "staff.members[0].name"},
		{"bad hash", Options{Members: []Member{{ID: "0417", Name: "王芳", Hash: "123456"}}}, "staff.members[0].pin_hash"},
		{"no journal", Options{Members: []Member{ok}}, "no journal"},
	} {
		if tc.name != "no journal" {
			tc.o.Journal = j
		}
		if _, err := New(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
