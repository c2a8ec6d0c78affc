package main

import (
	"net"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/staff"
)

// A kiosk started on the data folder of a running one stops before it touches anything
// there; a folder without a kiosk, or with the socket a crash left, lets it start.
func TestAlreadyRunning(t *testing.T) {
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		running bool
	}{
		{"a kiosk runs there", func(t *testing.T) string { return newJourney(t).DataDir }, true},
		{"no kiosk yet", func(t *testing.T) string { return t.TempDir() }, false},
		{"the socket of a kiosk that crashed", func(t *testing.T) string {
			dir := t.TempDir()
			l, err := net.ListenUnix("unix", &net.UnixAddr{Name: staff.SocketPath(dir), Net: "unix"})
			if err != nil {
				t.Fatal(err)
			}
			l.SetUnlinkOnClose(false)
			l.Close()
			return dir
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			err := alreadyRunning(dir, dir)
			if got := err != nil; got != tt.running {
				t.Fatalf("alreadyRunning: %v, want running %v", err, tt.running)
			}
			if tt.running && !strings.Contains(err.Error(), dir) {
				t.Errorf("%q does not name the data folder", err)
			}
		})
	}
}
