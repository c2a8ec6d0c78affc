package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/devices/sim"
)

// devsim printer runs on a link, saves each receipt as a PNG, and takes console commands.
func TestDevsimPrinter(t *testing.T) {
	dir := t.TempDir()
	link, out := filepath.Join(dir, "ttyPRN"), filepath.Join(dir, "out")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	printerConsole = r
	defer func() { printerConsole = os.Stdin }()
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"printer", "--link", link, "--out", out, "--speed", "0", "--paper", "58mm"}, &stdout, &stderr)
	}()
	waitFor(t, "the port", func() bool { return strings.Contains(stdout.String(), link) })
	port, err := serial.Open(link, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	port.Write([]byte("\x1b@hello\n\x1dVB\x00"))
	waitFor(t, "the receipt", func() bool { _, err := os.Stat(filepath.Join(out, "receipt-0001.png")); return err == nil })
	saved := filepath.Join(dir, "saved.png")
	w.WriteString("save " + saved + "\ncover open\nstatus\nfly\n")
	waitFor(t, "the console", func() bool {
		s := stdout.String()
		return strings.Contains(s, "CoverOpen:true") && strings.Contains(s, `unknown command "fly"`)
	})
	// A receipt names its citizen (masked), their account and payment: others may not read it.
	for _, p := range []string{out, filepath.Join(out, "receipt-0001.png"), saved} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("%s has mode %v: others may read it", filepath.Base(p), m)
		}
	}
	w.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("devsim printer did not stop:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

func TestDevsimPrinterUsage(t *testing.T) {
	var stdout, stderr syncBuffer
	if code := run(context.Background(), []string{"printer", "--paper", "76mm"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d", code)
	}
}

// Each console command sets its own fault and leaves the others in force; "clear" ends
// the line's faults and keeps the roll's.
func TestPrinterCommandFaults(t *testing.T) {
	p, err := sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(t.TempDir(), "ttyPRN")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, tc := range []struct {
		lines []string
		want  sim.PrinterFaults
	}{
		{[]string{"paper-out 20", "no-answer on"}, sim.PrinterFaults{PaperOutAfterLines: 20, NoAnswer: true}},
		{[]string{"jam", "garbled on", "xoff on"}, sim.PrinterFaults{PaperOutAfterLines: 20, NoAnswer: true, CutterJam: true, GarbledStatus: true, HoldXOFF: true}},
		{[]string{"xoff off", "no-answer off"}, sim.PrinterFaults{PaperOutAfterLines: 20, CutterJam: true, GarbledStatus: true}},
		{[]string{"clear"}, sim.PrinterFaults{PaperOutAfterLines: 20}},
	} {
		var out syncBuffer
		for _, l := range tc.lines {
			if err := printerCommand(p, l, &out); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		}
		if got := p.Faults(); got != tc.want {
			t.Errorf("after %q: faults %+v, want %+v", tc.lines, got, tc.want)
		}
	}
	var out syncBuffer
	link := p.Path()
	if err := printerCommand(p, "unplug", &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("unplugged, the link is still there: %v", err)
	}
	if err := printerCommand(p, "replug", &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(link); err != nil {
		t.Fatalf("plugged back, no port: %v", err)
	}
}
