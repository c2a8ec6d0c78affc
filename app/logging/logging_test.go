package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"id 11010519491231002X read", "id 110105********002X read"},
		{"身份证11010519491231002x号", "身份证110105********002x号"},
		{"call 13812345678 now", "call 138****5678 now"},
		{"order 20261125173012000123 paid", "order 20261125173012000123 paid"},
		{"permit PAK310080010103", "permit PAK**********03"},
	} {
		if got := Scrub(tc.in); got != tc.want {
			t.Errorf("Scrub(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Whatever code passes to the logger, the file never holds a raw ID or mobile number.
func TestRedactingLogger(t *testing.T) {
	dir := t.TempDir()
	log, c, err := New(Options{Dir: dir, MaxBytes: 1 << 20, Files: 2})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("lookup 11010519491231002X", "phone", "13812345678",
		"err", errors.New("utility: no account for 11010519491231002X"),
		slog.Group("who", "id", "440524188001010014"))
	log.With("id", "11010519491231002X").Warn("x")
	c.Close()
	b, err := os.ReadFile(filepath.Join(dir, "kiosk.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"11010519491231002X", "13812345678", "440524188001010014"} {
		if bytes.Contains(b, []byte(raw)) {
			t.Fatalf("log holds %s:\n%s", raw, b)
		}
	}
	if !bytes.Contains(b, []byte("110105********002X")) {
		t.Fatalf("masked value missing:\n%s", b)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kiosk.log")
	r, err := OpenRotating(p, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 39) + "\n"
	for i := 0; i < 20; i++ {
		if _, err := r.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	for _, name := range []string{"kiosk.log", "kiosk.log.1", "kiosk.log.2"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Size() > 100 {
			t.Fatalf("%s is %d bytes, over the cap", name, st.Size())
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s is mode %v: the log is the kiosk's alone", name, st.Mode().Perm())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "kiosk.log.3")); !os.IsNotExist(err) {
		t.Fatal("more files kept than asked")
	}
	if _, err := r.Write([]byte("late")); err == nil {
		t.Fatal("write after close succeeded")
	}
}

// A rotation that cannot open the new file (its folder gone, a full disk) loses the
// lines written meanwhile, not the log: once the file can be made again, the next
// write makes it, without a restart. Closed, it stays closed.
func TestRotationFailureNotForever(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kiosk.log")
	r, err := OpenRotating(path, 64, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("x", 40) + "\n")
	if _, err := r.Write(line); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(line); err == nil {
		t.Fatal("a rotation into a folder that is gone succeeded")
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(line); err != nil {
		t.Fatalf("a write once the folder is back: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, line) {
		t.Fatalf("the log once the folder is back: %q, %v", b, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(line); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("a write after Close: %v", err)
	}
}
