// Package xvfbtest starts a private X server (Xvfb) for a test or a benchmark: the
// software renderer's window (screens/xwin) is tested against a real server.
package xvfbtest

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Start starts Xvfb with the screen WIDTHxHEIGHTxDEPTH and Xvfb's further args, stops it
// when tb ends, and returns its display name. It skips tb where Xvfb is not installed
// (scripts/test.sh installs it).
func Start(tb testing.TB, screen string, args ...string) string {
	tb.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		tb.Skip("Xvfb is not installed (scripts/test.sh installs it)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	// -displayfd: Xvfb picks a free display and writes its number there once it listens.
	cmd := exec.Command("Xvfb", append([]string{"-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp"}, args...)...)
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	w.Close()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
		r.Close()
	}()
	select {
	case n := <-line:
		if n == "" {
			tb.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		tb.Fatal("Xvfb did not start within 20 s")
	}
	return ""
}
