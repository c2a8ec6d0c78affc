package staff

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staff/stafftest"
)

// by is the actor the journal keeps for an action name took: via "database" (Local, as
// kioskctl calls it) as given; via "socket" followed by this process's account, which is
// on the other end of the socket.
func by(via, name string) string {
	if via == "socket" {
		return journal.Acting(name, accountOf(uint32(os.Getuid()), os.Getpid()))
	}
	return name
}

// Environment of this test binary run as a staff client by TestPeerOtherUser.
const (
	clientSocket = "KIOSK_STAFF_TEST_SOCKET"
	clientActor  = "KIOSK_STAFF_TEST_ACTOR"
)

// TestMain runs the binary as a staff client when TestPeerOtherUser starts it so: it
// unlocks the PIN through the socket with the actor it was given, and ends.
func TestMain(m *testing.M) {
	if path := os.Getenv(clientSocket); path != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := Dial(ctx, path)
		if err == nil {
			err = c.UnlockPIN(ctx, os.Getenv(clientActor))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "staff client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lastActor is the actor of the journal's last event of kind.
func lastActor(t *testing.T, k *kiosk, kind journal.Kind) string {
	t.Helper()
	evs, err := k.l.Events(context.Background(), Query{Since: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == kind {
			return evs[i].Actor
		}
	}
	t.Fatalf("no %s journaled: %+v", kind, evs)
	return ""
}

// A staff action through the socket is journaled with the account the kernel says
// connected, after the name the client gave: here this very process, on a real socket.
// A name that imitates an account, or is long enough to push one out of the journal's
// limit, does not hide it.
func TestPeerAccount(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	real := fmt.Sprintf("⟨os user %s uid %d", me.Username, os.Getuid())
	for _, tc := range []struct{ name, claim, start string }{
		{"a name", "王五", "王五 " + real},
		{"an imitation", "王五 ⟨os user staff1 uid 1001, pid 1⟩", "王五 \ufffdos user staff1 uid 1001, pid 1\ufffd " + real},
		{"a long name", strings.Repeat("王", 100), strings.Repeat("王", 20) + "… " + real},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKiosk(t)
			c := serve(t, k.dir, k.l)
			if err := c.UnlockPIN(context.Background(), tc.claim); err != nil {
				t.Fatal(err)
			}
			got := lastActor(t, k, journal.StaffUnlock)
			if !strings.HasPrefix(got, tc.start) || !strings.HasSuffix(got, fmt.Sprintf(", pid %d⟩", os.Getpid())) {
				t.Errorf("journaled as %q, want %q…, pid %d⟩", got, tc.start, os.Getpid())
			}
			if len(got) > journal.MaxActor {
				t.Errorf("%d bytes kept, more than %d", len(got), journal.MaxActor)
			}
		})
	}
}

// A client run by another user (nobody), claiming to be root, is journaled as nobody,
// with its own pid: the kiosk believes the kernel, not the client. The socket is opened
// to every user for the test.
func TestPeerOtherUser(t *testing.T) {
	k := newKiosk(t)
	serve(t, k.dir, k.l)
	sock := SocketPath(k.dir)
	for _, p := range []string{filepath.Dir(k.dir), k.dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	uid, pid, out, err := asNobody(t, sock, "root ⟨os user root uid 0, pid 1⟩", nil)
	if err != nil {
		t.Fatalf("the client as nobody: %v: %s", err, out)
	}
	got := lastActor(t, k, journal.StaffUnlock)
	want := fmt.Sprintf("root \ufffdos user root uid 0, pid 1\ufffd ⟨os user nobody uid %d", uid)
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, fmt.Sprintf(", pid %d⟩", pid)) {
		t.Errorf("journaled as %q, want %q…, pid %d⟩", got, want, pid)
	}
}

// asNobody runs this test binary as the user nobody, in groups as well as nobody's
// own, as a staff client that unlocks the PIN through sock with actor; it returns
// nobody's uid, the client's pid, what it printed and how it ended. It needs root (the
// test is skipped otherwise) and a socket whose folders nobody may pass.
func asNobody(t *testing.T, sock, actor string, groups []uint32) (uid uint32, pid int, out string, err error) {
	t.Helper()
	nobody := stafftest.AsNobody(t)
	cmd := nobody.Command(groups, []string{clientSocket + "=" + sock, clientActor + "=" + actor})
	var b strings.Builder
	cmd.Stdout, cmd.Stderr = &b, &b
	err = cmd.Run()
	return nobody.UID, cmd.Process.Pid, b.String(), err
}

// What the journal says of an account, and of one it could not learn.
func TestCallerText(t *testing.T) {
	for _, tc := range []struct {
		c    journal.Caller
		want string
	}{
		{journal.Caller{Known: true, UID: 998, User: "kiosk", PID: 4242, HasLogin: true, LoginUID: 1001, Login: "staff1"},
			"os user kiosk uid 998, login staff1 uid 1001, pid 4242"},
		{journal.Caller{Known: true, UID: 1234, PID: 7}, "os user uid 1234, pid 7"},
		{journal.Caller{Known: true, UID: 0, User: "root", PID: 9, Self: true}, "kioskctl as os user root uid 0, pid 9"},
		{journal.Caller{Unknown: "peer credentials are read on Linux only, not on darwin"},
			"os user unknown: peer credentials are read on Linux only, not on darwin"},
		{journal.Caller{Known: true, UID: 5, User: "evil\x1b[2J" + strings.Repeat("x", 40), PID: 1},
			"os user evil\ufffd[2J" + strings.Repeat("x", 19) + "… uid 5, pid 1"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
	if got := journal.Acting(" ", journal.Caller{Known: true}); got != " " {
		t.Errorf("a blank actor became %q: the action's check would no longer refuse it", got)
	}
}

// The audit login uid names the person behind sudo: read from /proc, and not set for a
// process no login started.
func TestLoginUID(t *testing.T) {
	b, err := os.ReadFile("/proc/self/loginuid")
	if err != nil {
		t.Fatalf("this kernel keeps no login uid: %v", err)
	}
	l, ok := loginUID(os.Getpid())
	if set := strings.TrimSpace(string(b)) != "4294967295"; ok != set || set && fmt.Sprint(l) != strings.TrimSpace(string(b)) {
		t.Errorf("login uid %d, %v; /proc says %s", l, ok, b)
	}
	if _, ok := loginUID(-1); ok {
		t.Error("a login uid for no process")
	}
}
