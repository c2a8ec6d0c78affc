// Package xvfbtest starts a private X server (Xvfb) for a test or a benchmark: the
// software renderer's window (screens/xwin) is tested against a real server.
package xvfbtest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start starts Xvfb with the screen WIDTHxHEIGHTxDEPTH and Xvfb's further args, stops it
// when tb ends, and returns its display name once the server takes connections. It
// skips tb where Xvfb is not installed (scripts/test.sh installs it).
//
// A server that names its display but does not take connections there is stopped and
// another started.
func Start(tb testing.TB, screen string, args ...string) string {
	tb.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		tb.Skip("Xvfb is not installed (scripts/test.sh installs it)")
	}
	var err error
	for range 3 {
		var disp string
		if disp, err = start(tb, screen, args); err == nil {
			return disp
		}
	}
	tb.Fatal(err)
	return ""
}

// start starts one server and waits for it to take connections; it stops it when tb
// ends, or at once when it does not.
func start(tb testing.TB, screen string, args []string) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	// -displayfd: Xvfb picks a free display and writes its number there once it listens.
	// -noreset: a server resets when its last client leaves, and refuses the next one
	// meanwhile (a test's window opened just after one that failed to open).
	cmd := exec.Command("Xvfb", append([]string{"-displayfd", "3", "-noreset", "-screen", "0", screen, "-nolisten", "tcp"}, args...)...)
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		r.Close()
		return "", err
	}
	w.Close()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// Terminated, not killed: a killed server leaves its lock and socket behind for the
	// next one to clear, at the moment another package's server may start.
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
		r.Close()
	}()
	var n string
	select {
	case n = <-line:
	case <-time.After(20 * time.Second):
		stop()
		return "", fmt.Errorf("xvfbtest: Xvfb did not start within 20 s")
	}
	if n == "" {
		stop()
		return "", fmt.Errorf("xvfbtest: Xvfb did not start")
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := dial(n)
		if err == nil {
			break
		}
		select {
		case <-exited:
			return "", fmt.Errorf("xvfbtest: Xvfb on :%s stopped: %w", n, err)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("xvfbtest: Xvfb on :%s takes no connection: %w", n, err)
		}
	}
	tb.Cleanup(stop)
	return ":" + n, nil
}

// dial connects to display n's socket, Linux's abstract one or the file, as Xlib
// does, and hangs up.
func dial(n string) error {
	c, err := net.Dial("unix", "@/tmp/.X11-unix/X"+n)
	if err != nil {
		c, err = net.Dial("unix", "/tmp/.X11-unix/X"+n)
	}
	if err != nil {
		return err
	}
	return c.Close()
}
