package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

// devsim printer runs on a link, saves each receipt as a PNG, and takes control lines
// from stdin or, as the other emulators, from a FIFO whose writers come and go
// (--control), and stops at quit.
func TestDevsimPrinter(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "stdin", true: "FIFO"}[fifo], func(t *testing.T) {
			dir := t.TempDir()
			link, out, ctl := filepath.Join(dir, "ttyPRN"), filepath.Join(dir, "out"), filepath.Join(dir, "ctl")
			args := []string{"printer", "--link", link, "--out", out, "--speed", "0", "--paper", "58mm"}
			if fifo {
				if err := syscall.Mkfifo(ctl, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--control", ctl)
			}
			s := startDevsim(t, args...)
			// write writes a control line; send writes one and waits for its answer.
			write := func(line string) {
				if !fifo {
					if _, err := io.WriteString(s.ctl, line+"\n"); err != nil {
						t.Fatal(err)
					}
					return
				}
				f, err := os.OpenFile(ctl, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(line + "\n")
				f.Close()
			}
			send := func(line string) {
				write(line)
				waitFor(t, line, func() bool {
					o := s.out.String()
					return strings.Contains(o, "ok: "+line) || strings.Contains(o, "error: "+line+":")
				})
			}
			waitFor(t, "the port", func() bool { return strings.Contains(s.out.String(), link) })
			port, err := serial.Open(link, &serial.Mode{BaudRate: 115200})
			if err != nil {
				t.Fatal(err)
			}
			defer port.Close()
			port.Write([]byte("\x1b@hello\n\x1dVB\x00"))
			waitFor(t, "the receipt", func() bool { _, err := os.Stat(filepath.Join(out, "receipt-0001.png")); return err == nil })
			saved := filepath.Join(dir, "saved.png")
			for _, line := range []string{"save " + saved, "cover open", "status", "fly"} {
				send(line)
			}
			if o := s.out.String(); !strings.Contains(o, "CoverOpen:true") || !strings.Contains(o, `unknown command "fly"`) {
				t.Fatalf("the control lines' answers:\n%s", o)
			}
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
			write("quit")
			s.stopped(link)
		})
	}
}

func TestDevsimPrinterUsage(t *testing.T) {
	var stdout, stderr simtest.SyncBuffer
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
		var out simtest.SyncBuffer
		for _, l := range tc.lines {
			if err := printerCommand(p, l, &out); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		}
		if got := p.Faults(); got != tc.want {
			t.Errorf("after %q: faults %+v, want %+v", tc.lines, got, tc.want)
		}
	}
	var out simtest.SyncBuffer
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
