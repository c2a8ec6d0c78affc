package smallfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("x", n)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(write("target", 3), link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		want     int // bytes read, when no error
		notFile  bool
		tooLarge bool
		missing  bool
	}{
		{name: "empty", path: write("empty", 0), want: 0},
		{name: "exactly the bound", path: write("ten", 10), want: 10},
		{name: "a byte over", path: write("eleven", 11), tooLarge: true},
		{name: "a symbolic link to a file", path: link, want: 3},
		{name: "a device that never ends", path: "/dev/zero", notFile: true},
		// Opened, a FIFO without a writer would wait for ever.
		{name: "a FIFO", path: fifo, notFile: true},
		{name: "a folder", path: dir, notFile: true},
		{name: "missing", path: filepath.Join(dir, "none"), missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Read(tt.path, 10)
			var tl *TooLargeError
			switch {
			case tt.notFile:
				if !errors.Is(err, ErrNotFile) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("err = %v, want ErrNotFile naming the path", err)
				}
			case tt.tooLarge:
				if !errors.As(err, &tl) || tl.Max != 10 || err.Error() != tt.path+": more than 10 bytes" {
					t.Fatalf("err = %v, want a TooLargeError", err)
				}
			case tt.missing:
				if !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("err = %v, want ErrNotExist", err)
				}
			default:
				if err != nil || len(data) != tt.want {
					t.Fatalf("read %d bytes, %v; want %d", len(data), err, tt.want)
				}
			}
		})
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{
		100:          "100 bytes",
		1 << 10:      "1 KiB",
		64 << 10:     "64 KiB",
		1<<10 + 1:    "1025 bytes",
		4 << 20:      "4 MiB",
		1<<20 + 1024: "1025 KiB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
