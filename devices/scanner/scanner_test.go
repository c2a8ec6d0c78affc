package scanner_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/devices/scanner"
	"github.com/liangzihu/kiosk/devices/serialport"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

const waitLimit = 10 * time.Second

type rig struct {
	t    *testing.T
	sim  *sim.Scanner
	sc   *scanner.Scanner
	log  *simtest.SyncBuffer
	stop func()
}

func newRig(t *testing.T, so sim.ScannerOptions, o scanner.Options) *rig {
	t.Helper()
	so.Link = filepath.Join(t.TempDir(), "ttyQR")
	s, err := sim.StartScanner(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g := &rig{t: t, sim: s, log: &simtest.SyncBuffer{}}
	o.Port, o.Baud = so.Link, so.Baud
	o.Backoff = serialport.Backoff{Min: 5 * time.Millisecond, Max: 50 * time.Millisecond}
	o.Logger = slog.New(slog.NewJSONHandler(g.log, nil))
	g.sc = scanner.NewScanner(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.sc.Run(ctx) }()
	var once sync.Once
	g.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitLimit):
				t.Error("Run did not return")
			}
		})
	}
	t.Cleanup(g.stop)
	g.waitState(scanner.StateReady)
	return g
}

// next returns the next scan or drop, skipping state events.
func (g *rig) next() scanner.Event {
	g.t.Helper()
	timeout := time.After(waitLimit)
	for {
		select {
		case e := <-g.sc.Events():
			if e.Kind != scanner.EventState {
				return e
			}
		case <-timeout:
			g.t.Fatal("no event")
		}
	}
}

func (g *rig) waitState(s scanner.State) scanner.ScannerStatus {
	g.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if st := g.sc.Status(); st.State == s {
			return st
		}
		time.Sleep(2 * time.Millisecond)
	}
	g.t.Fatalf("state %v, want %v", g.sc.Status().State, s)
	return scanner.ScannerStatus{}
}

func (g *rig) expectScan(code string) {
	g.t.Helper()
	if e := g.next(); e.Kind != scanner.EventScan || e.Code != code {
		g.t.Fatalf("got %v %q (err %v), want scan %q", e.Kind, e.Code, e.Err, code)
	}
}

func (g *rig) expectDrop(err error) {
	g.t.Helper()
	if e := g.next(); e.Kind != scanner.EventDropped || !errors.Is(e.Err, err) {
		g.t.Fatalf("got %v %q (err %v), want drop %v", e.Kind, e.Code, e.Err, err)
	}
}

// Codes arrive whatever the scanner's terminator; noise and overlong lines are
// dropped with a reason and do not spoil the next code.
func TestScans(t *testing.T) {
	for _, tc := range []struct {
		name   string
		suffix []byte
		driver string
	}{
		{"CRLF", nil, ""},
		{"CR", []byte("\r"), ""},
		{"LF", []byte("\n"), ""},
		{"TAB configured", []byte("\t"), "\t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, sim.ScannerOptions{Suffix: tc.suffix, Baud: 115200}, scanner.Options{Suffix: tc.driver, MaxLen: 200})
			for _, code := range []string{"https://kiosk.example/t?ref=LZH-20261125-0001", "TRK2026112500042", "缴费户号 0101234567"} {
				if err := g.sim.Scan(code); err != nil {
					t.Fatal(err)
				}
				g.expectScan(code)
			}
			g.sim.WriteRaw(append([]byte{0xF8, 0x80, 0x00, 0xFE}, tc.suffix...))
			if tc.suffix == nil {
				g.sim.WriteRaw([]byte("\r\n"))
			}
			g.expectDrop(scanner.ErrGarbage)
			g.sim.Scan(strings.Repeat("9", 201))
			g.expectDrop(scanner.ErrTooLong)
			g.sim.Scan("OK-AFTER")
			g.expectScan("OK-AFTER")
			if st := g.sc.Status(); st.Scans != 4 || st.State != scanner.StateReady {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

// Half a code followed by silence is dropped, not glued to the next scan; a line already
// too long when the silence comes is dropped as too long.
func TestPartialLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		sent string
		want error
	}{
		{"half a code", "TRK20261", scanner.ErrPartial},
		{"too long", strings.Repeat("9", 201), scanner.ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// At 115200 baud the emulator's bursts of 64 bytes come well within the timeout.
			g := newRig(t, sim.ScannerOptions{Baud: 115200}, scanner.Options{Baud: 115200, PartialTimeout: 50 * time.Millisecond, MaxLen: 200})
			g.sim.WriteRaw([]byte(tc.sent))
			g.expectDrop(tc.want)
			g.sim.Scan("TRK2026112500042")
			g.expectScan("TRK2026112500042")
		})
	}
}

// Unplugged mid-code: the half line is dropped, the state says so, and after the
// replug scanning works again without a restart.
func TestUnplugAndReconnect(t *testing.T) {
	g := newRig(t, sim.ScannerOptions{Baud: 115200}, scanner.Options{})
	g.sim.WriteRaw([]byte("HALF"))
	time.Sleep(20 * time.Millisecond)
	g.sim.Unplug()
	g.expectDrop(scanner.ErrPartial)
	st := g.waitState(scanner.StateNoScanner)
	if !errors.Is(st.Err, scanner.ErrNoScanner) {
		t.Fatalf("no scanner: %v", st.Err)
	}
	if err := g.sim.Scan("LOST"); !errors.Is(err, sim.ErrUnplugged) {
		t.Fatalf("scan while unplugged: %v", err)
	}
	if err := g.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	g.waitState(scanner.StateReady)
	g.sim.Scan("BACK")
	g.expectScan("BACK")
}

// Cancel stops the loop, closes the channel and leaks nothing; the log has no codes.
func TestCancelAndLog(t *testing.T) {
	before := runtime.NumGoroutine()
	g := newRig(t, sim.ScannerOptions{}, scanner.Options{})
	g.sim.Scan("ACCOUNT-0101234567")
	g.expectScan("ACCOUNT-0101234567")
	g.stop()
	for range g.sc.Events() {
	}
	if g.sc.Status().State != scanner.StateStopped {
		t.Fatalf("state %v", g.sc.Status().State)
	}
	if err := g.sc.Run(context.Background()); err == nil {
		t.Fatal("second Run accepted")
	}
	if log := g.log.String(); strings.Contains(log, "0101234567") || !strings.Contains(log, `"bytes":18`) {
		t.Fatalf("log:\n%s", log)
	}
	g.sim.Close()
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// Scans sent while nobody had the port open are not delivered later.
func TestNoStaleScans(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyQR")
	s, err := sim.StartScanner(sim.ScannerOptions{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Scan("STALE")
	sc := scanner.NewScanner(scanner.Options{Port: link})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for sc.Status().State != scanner.StateReady {
		time.Sleep(2 * time.Millisecond)
	}
	s.Scan("FRESH")
	for e := range sc.Events() {
		if e.Kind == scanner.EventScan {
			if e.Code != "FRESH" {
				t.Fatalf("got %q", e.Code)
			}
			return
		}
	}
}
