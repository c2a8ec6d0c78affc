package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
)

// `staff pin-hash` prints a hash of the PIN read from stdin that verifies, and that a
// configuration takes; a PIN that is not 6 to 12 digits is refused in one line. (Each
// hash takes PBKDF2's full time, seconds under the race detector: few cases make one.)
func TestStaffPINHash(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		code        int
		pin, err    string
	}{
		{name: "a PIN from Windows", stdin: "407215\r\n", pin: "407215"},
		{name: "a PIN without a newline", stdin: "918273645", pin: "918273645"},
		{name: "too short", stdin: "123\n", code: 1, err: "kioskctl staff pin-hash: a new PIN is 6 to 12 digits (0-9) and nothing else\n"},
		{name: "4 digits, as the screen still takes", stdin: "2468\n", code: 1, err: "kioskctl staff pin-hash: a new PIN is 6 to 12 digits (0-9) and nothing else\n"},
		{name: "5 digits", stdin: "24680\n", code: 1, err: "a new PIN is 6 to 12 digits"},
		{name: "not digits", stdin: "12ab34\n", code: 1, err: "kioskctl staff pin-hash: a new PIN is 6 to 12 digits (0-9) and nothing else\n"},
		{name: "a space", stdin: "123456 \n", code: 1, err: "a new PIN is 6 to 12 digits"},
		{name: "nothing", stdin: "", code: 1, err: "no PIN on stdin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"staff", "pin-hash"}, strings.NewReader(tc.stdin), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, errb.String(), tc.code, tc.err)
			}
			if tc.code != 0 {
				if out.Len() != 0 || strings.Count(errb.String(), "\n") != 1 {
					t.Fatalf("a refusal printed %q, %q", out.String(), errb.String())
				}
				return
			}
			hash := strings.TrimSuffix(out.String(), "\n")
			if strings.Contains(hash, "\n") || !strings.Contains(errb.String(), "[staff] pin_hash") {
				t.Fatalf("stdout %q, stderr %q: want the hash alone, and where to put it", out.String(), errb.String())
			}
			if ok, err := staffpin.Verify(hash, tc.pin); !ok || err != nil {
				t.Fatalf("the hash does not verify: %v, %v", ok, err)
			}
			c, err := config.Parse([]byte("[kiosk]\ndemo = true\n[staff]\npin_hash = \""+hash+"\"\n"), "k.toml")
			if err != nil || c.Staff.PINHash != hash {
				t.Fatalf("a configuration with the hash: %v", err)
			}
		})
	}
}

// Typed at a terminal, the PIN is asked for twice and not echoed; two PINs that differ
// (a slip of the finger nobody saw) are refused, as is a first that is no PIN, without
// asking again; echo is back on afterwards.
func TestStaffPINHashAtATerminal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		typed []string // a line at each prompt
		code  int
		err   string
	}{
		{name: "the same twice", typed: []string{"407215", "407215"}},
		{name: "not the same", typed: []string{"407215", "407125"}, code: 1, err: "the two PINs typed differ"},
		{name: "no PIN", typed: []string{"12ab"}, code: 1, err: "a new PIN is 6 to 12 digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			master, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer master.Close()
			defer tty.Close()
			errw := &promptWatch{prompted: make(chan struct{})}
			var out bytes.Buffer
			code := make(chan int)
			go func() { code <- run([]string{"staff", "pin-hash"}, tty, &out, errw) }()
			// Typed once echo is off: the terminal hands them over a line at a time.
			<-errw.prompted
			master.Write([]byte(strings.Join(tc.typed, "\n") + "\n"))
			if c := <-code; c != tc.code || !strings.Contains(errw.String(), tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", c, errw.String(), tc.code, tc.err)
			}
			if tc.code != 0 {
				if out.Len() > 0 {
					t.Fatalf("a refusal printed %q", out.String())
				}
			} else if err := staffpin.CheckHash(strings.TrimSpace(out.String())); err != nil {
				t.Fatalf("%q: %v", out.String(), err) // TestStaffPINHash verifies such hashes
			}
			// Echo is on again: the marker comes back, and nothing before it.
			master.Write([]byte("marker\n"))
			var echoed []byte
			buf := make([]byte, 256)
			for !bytes.Contains(echoed, []byte("marker")) {
				n, err := master.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				echoed = append(echoed, buf[:n]...)
			}
			for _, line := range tc.typed {
				if bytes.Contains(echoed, []byte(line)) {
					t.Fatalf("the PIN was echoed: %q", echoed)
				}
			}
		})
	}
}

// promptWatch is stderr for TestStaffPINHashAtATerminal: it says when the prompt is out,
// that is when echo is off.
type promptWatch struct {
	mu       sync.Mutex
	b        bytes.Buffer
	prompted chan struct{}
}

func (w *promptWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	first := w.b.Len() == 0
	w.b.Write(p)
	if first && strings.Contains(w.b.String(), "not shown") {
		close(w.prompted)
	}
	return len(p), nil
}

func (w *promptWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// lockPIN journals enough wrong PINs in a row, just now, to lock the maintenance PIN.
func lockPIN(t *testing.T, j *journal.Journal) {
	t.Helper()
	now := time.Now()
	for i := range staffpin.DefaultMaxFailures {
		if err := j.Record(journal.Event{Time: now.Add(time.Duration(i-staffpin.DefaultMaxFailures) * time.Second), Kind: journal.StaffLoginFailed}); err != nil {
			t.Fatal(err)
		}
	}
}

// `staff unlock` ends a lockout of the maintenance PIN through the running kiosk, whose
// status stops saying it is locked, and on the database of a stopped kiosk, whose PIN
// screen takes tries again when it starts; it is journaled with the staff number.
func TestStaffUnlock(t *testing.T) {
	t.Run("running", func(t *testing.T) {
		k, cfg := startKiosk(t, nil, false)
		lockPIN(t, k.Journal)
		if code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfg); code != 0 || !strings.Contains(out, "maintenance PIN locked until ") ||
			!strings.Contains(out, "kioskctl staff unlock") {
			t.Fatalf("status while locked: %d %q %q", code, out, errs)
		}
		if code, _, errs := kioskctl(t, "staff", "unlock", "--config", cfg); code != 2 || !strings.Contains(errs, "--actor is required") {
			t.Errorf("without --actor: %d %q", code, errs)
		}
		if code, out, errs := kioskctl(t, "staff", "unlock", "--config", cfg, "--actor", "工号0107"); code != 0 || !strings.Contains(out, "maintenance PIN unlocked") {
			t.Fatalf("unlock: %d %q %q", code, out, errs)
		}
		if code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfg); code != 0 || strings.Contains(out, "locked") {
			t.Fatalf("status after the unlock: %d %q %q", code, out, errs)
		}
		if err := k.MaintenanceHeld(); err != nil {
			t.Errorf("the PIN screen after the unlock: %v", err)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		cfg, _ := kioskWithDeadLetters(t)
		o := store.Options{Dir: filepath.Join(filepath.Dir(cfg), "data")}
		withGate := func(f func(j *journal.Journal, g *staffpin.Gate)) {
			st, err := store.Open(o)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			j := journal.New(st, nil)
			g, err := staffpin.New(staffpin.Options{Journal: j, Hash: staffpin.DemoHash})
			if err != nil {
				t.Fatal(err)
			}
			f(j, g)
		}
		withGate(func(j *journal.Journal, g *staffpin.Gate) {
			lockPIN(t, j)
			if until, err := g.LockedUntil(); err != nil || until.IsZero() {
				t.Fatalf("not locked: %v", err)
			}
		})
		if code, out, errs := kioskctl(t, "staff", "unlock", "--config", cfg, "--actor", "工号0107"); code != 0 || !strings.Contains(out, "maintenance PIN unlocked") {
			t.Fatalf("unlock: %d %q %q", code, out, errs)
		}
		withGate(func(j *journal.Journal, g *staffpin.Gate) {
			if until, err := g.LockedUntil(); err != nil || !until.IsZero() {
				t.Fatalf("still locked until %s: %v", until, err)
			}
			evs, err := j.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
			if last := evs[len(evs)-1]; err != nil || last.Kind != journal.StaffUnlock || last.Actor != actingHere("工号0107", false) {
				t.Errorf("last event %+v, %v; want the unlock by 工号0107", last, err)
			}
		})
	})
}
