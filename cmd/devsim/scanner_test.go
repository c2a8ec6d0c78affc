package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/devices/scanner"
)

func TestDevsimScanner(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyQR")
	s := startDevsim(t, "scanner", "--link", link, "--baud", "115200", "--suffix", `\x03`)
	waitFor(t, "the emulator", func() bool { return exists(link) })
	sc := scanner.NewScanner(scanner.Options{Port: link, Baud: 115200, Suffix: "\x03", PartialTimeout: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the emulator", func() bool { return sc.Status().State == scanner.StateReady })
	next := func() scanner.Event {
		t.Helper()
		for {
			select {
			case e := <-sc.Events():
				if e.Kind != scanner.EventState {
					return e
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no event")
			}
		}
	}
	s.send("scan https://kiosk.example/t?ref=LZH  0001")
	if e := next(); e.Code != "https://kiosk.example/t?ref=LZH  0001" {
		t.Fatalf("scan: %+v", e)
	}
	s.send("raw F8 80 03")
	if e := next(); e.Err != scanner.ErrGarbage {
		t.Fatalf("raw: %+v", e)
	}
	for _, bad := range []string{"scan", "raw zz", "jump"} {
		if l := s.send(bad); !strings.HasPrefix(l, "error: ") {
			t.Errorf("%q: %q", bad, l)
		}
	}
	s.send("unplug")
	waitFor(t, "the emulator", func() bool { return sc.Status().State == scanner.StateNoScanner })
	s.send("replug")
	waitFor(t, "the emulator", func() bool { return sc.Status().State == scanner.StateReady })
	s.send("scan BACK")
	if e := next(); e.Code != "BACK" {
		t.Fatalf("after replug: %+v", e)
	}
}

func TestDevsimScannerFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"scanner", "--suffix", `\q`}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "--suffix") {
		t.Fatalf("bad suffix: exit %d, %q", code, errOut.String())
	}
}
