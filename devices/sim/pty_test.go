package sim

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.bug.st/serial"
)

// A driver on the slave side and the emulator on the master side exchange bytes
// through go.bug.st/serial, raw, both ways.
func TestPTYThroughSerial(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyV0")
	p, err := OpenPTY(link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	port, err := serial.Open(p.Path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	out := []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22, '\n', '\r', 0x11, 0x13}
	if _, err := port.Write(out); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(out))
	if _, err := ioReadFull(p.Master, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(out) {
		t.Fatalf("device got % X, want % X", got, out)
	}
	if err := p.WritePaced([]byte("\r\nOK\x00\xff"), 115200); err != nil {
		t.Fatal(err)
	}
	port.SetReadTimeout(time.Second)
	back := make([]byte, 6)
	if _, err := ioReadFull(port, back); err != nil {
		t.Fatal(err)
	}
	if string(back) != "\r\nOK\x00\xff" {
		t.Fatalf("driver got %q", back)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("no symlink at %s: %v", link, err)
	}
}

func TestWireTime(t *testing.T) {
	if got := WireTime(1360, 115200); got < 118*time.Millisecond || got > 119*time.Millisecond {
		t.Fatalf("1360 bytes at 115200 = %v", got)
	}
}

type reader interface{ Read([]byte) (int, error) }

func ioReadFull(r reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, os.ErrDeadlineExceeded
		}
		n += m
	}
	return n, nil
}

// Close wakes a goroutine blocked reading the master, even while the driver still
// holds the slave open, so that emulators stop cleanly.
func TestCloseWakesMasterReader(t *testing.T) {
	p, err := OpenPTY("")
	if err != nil {
		t.Fatal(err)
	}
	port, err := serial.Open(p.Path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	done := make(chan error)
	go func() {
		_, err := p.Master.Read(make([]byte, 8))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("read succeeded after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the reader")
	}
}
