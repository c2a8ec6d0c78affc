package main

import (
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/liangzihu/kiosk/app/staff"
)

// fakeKiosk serves a socket that is not a kiosk's (as anyone can where a member of
// staff is told to type --socket): its answers carry a terminal's escapes, a carriage
// return and a right-to-left override.
func fakeKiosk(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "x.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	const evil = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\rkiosk: ok\u202e\u009b31m"
	answer := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v) //nolint:errcheck // the test reads what came
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, staff.Status{Running: true, Devices: []staff.Device{{Name: "printer", Detail: evil}}})
	})
	mux.HandleFunc("GET /v1/kiosk", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, staff.Identity{ID: "LZH" + evil, Code: "245"})
	})
	mux.HandleFunc("GET /v1/requests", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusInternalServerError, map[string]string{"error": "failed" + evil})
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// Whatever a socket answers, kioskctl prints no control or formatting character but
// the line's end and the tab: in what it prints, nor in the error it reports.
func TestFakeKioskCannotDriveTheTerminal(t *testing.T) {
	sock := fakeKiosk(t)
	for _, args := range [][]string{{"kiosk", "status", "--socket", sock}, {"outbox", "list", "--socket", sock}} {
		code, out, errs := kioskctl(t, args...)
		if code == 0 && !strings.Contains(out, "LZH") || code != 0 && !strings.Contains(errs, "failed") {
			t.Errorf("%v: %d %q %q: not the fake kiosk's answer", args, code, out, errs)
		}
		for _, s := range []string{out, errs} {
			if i := strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\t' && unicode.In(r, unicode.Cc, unicode.Cf) }); i >= 0 {
				t.Errorf("%v: %q at %d of %q", args, s[i:], i, s)
			}
		}
	}
}

// A character cut between two writes reaches the terminal whole; a byte that is not
// UTF-8, or a character cut at the end, as U+FFFD.
func TestTextOut(t *testing.T) {
	var b strings.Builder
	w := newTextOut(&b)
	for _, p := range [][]byte{[]byte("工号\t"), []byte("王")[:2], []byte("王")[2:], {'\n', 0x9b, 0xe6}} {
		if n, err := w.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %q: %d, %v", p, n, err)
		}
	}
	w.flush()
	if got, want := b.String(), "工号\t王\n\ufffd\ufffd"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
