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
