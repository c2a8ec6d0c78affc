package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/serialport"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

// session runs `devsim ARGS` with a pipe as its control input.
type session struct {
	t      *testing.T
	ctl    *io.PipeWriter
	out    *simtest.SyncBuffer
	code   chan int
	cancel context.CancelFunc
}

func startDevsim(t *testing.T, args ...string) *session {
	t.Helper()
	pr, pw := io.Pipe()
	old := controlInput
	controlInput = pr
	t.Cleanup(func() { controlInput = old })
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{t: t, ctl: pw, out: &simtest.SyncBuffer{}, code: make(chan int, 1), cancel: cancel}
	var errOut simtest.SyncBuffer
	go func() { s.code <- run(ctx, args, s.out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-s.code:
		case <-time.After(10 * time.Second):
			t.Error("devsim did not stop")
		}
	})
	return s
}

// send writes a control line and waits for its ok or error line.
func (s *session) send(line string) string {
	s.t.Helper()
	before := strings.Count(s.out.String(), "\n")
	if _, err := io.WriteString(s.ctl, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := s.out.String()
		lines := strings.Split(out, "\n")
		for _, l := range lines[min(before, len(lines)):] {
			if l == "ok: "+line || strings.HasPrefix(l, "error: "+line+":") {
				return l
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.t.Fatalf("no answer to %q in:\n%s", line, s.out.String())
	return ""
}

func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

func readCard(t *testing.T, link string) (*idcard.Card, error) {
	t.Helper()
	p, err := serialport.Open(link, serialport.Mode{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return idcard.NewClient(p, 115200, idcard.Timeouts{}).ReadCard(context.Background())
}

func TestDevsimIDCard(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "ttyID")
	s := startDevsim(t, "idcard", "--link", link, "--card", "resident")
	waitFor(t, "the emulator", func() bool { return strings.Contains(s.out.String(), "idcard reader on "+link+" (115200 baud)") })
	if c, err := readCard(t, link); err != nil || c.IDNumber != "420702198503151237" {
		t.Fatalf("start card: %v, %v", c, err)
	}
	s.send("remove")
	if _, err := readCard(t, link); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("after remove: %v", err)
	}
	s.send("place foreign_2023")
	if c, err := readCard(t, link); err != nil || c.Type != idcard.Foreign2023 {
		t.Fatalf("placed: %v, %v", c, err)
	}
	s.send("fault status=66 1 2001")
	if _, err := readCard(t, link); !errors.Is(err, idcard.ErrSAMUnlicensed) {
		t.Fatalf("fault: %v", err)
	}
	s.send("fault checksum")
	if _, err := readCard(t, link); !errors.Is(err, idcard.ErrReplyChecksum) {
		t.Fatalf("checksum fault: %v", err)
	}
	s.send("clear")
	s.send("unplug")
	if exists(link) {
		t.Fatal("link after unplug")
	}
	s.send("replug")
	if !exists(link) {
		t.Fatal("no link after replug")
	}
	card := filepath.Join(dir, "card.json")
	os.WriteFile(card, []byte(`{"type":"resident","name":"测试","gender":"9","nation":"81","birth":"20000229",
		"address":"某地","id_number":"420702200002290019","authority":"某局","valid_from":"20200101","valid_to":"长期"}`), 0o600)
	s.send("remove")
	s.send("place @" + card)
	c, err := readCard(t, link)
	if err != nil || c.Name != "测试" || c.Gender() != "未说明" || c.Nation() != "81" || !c.LongTerm {
		t.Fatalf("card from file: %v, %v", c, err)
	}
	for _, bad := range []string{"place nobody", "place @" + filepath.Join(dir, "none.json"), "fault gremlins", "fault status=XY", "fault delay=soon", "fault noise x", "fault noise 1 zz", "dance", "place"} {
		if l := s.send(bad); !strings.HasPrefix(l, "error: ") {
			t.Errorf("%q: %q", bad, l)
		}
	}
	s.send("list")
	s.send("show gat_residence")
	out := s.out.String()
	if !strings.Contains(out, "resident_expired     居民身份证（已过期）") || !strings.Contains(out, `"pass_number": "H01234567"`) {
		t.Fatalf("list/show output:\n%s", out)
	}
	io.WriteString(s.ctl, "quit\n")
	s.stopped(link)
}

// stopped waits for devsim to stop after quit, and checks that it took its port's link
// away.
func (s *session) stopped(link string) {
	s.t.Helper()
	select {
	case code := <-s.code:
		if code != 0 {
			s.t.Fatalf("exit %d", code)
		}
		s.code <- code // for the cleanup
	case <-time.After(10 * time.Second):
		s.t.Fatal("quit did not stop devsim")
	}
	if exists(link) {
		s.t.Fatal("link left after quit")
	}
}

// Control lines through a FIFO, whose writers come and go.
func TestDevsimIDCardFIFO(t *testing.T) {
	dir := t.TempDir()
	link, fifo := filepath.Join(dir, "ttyID"), filepath.Join(dir, "ctl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startDevsim(t, "idcard", "--link", link, "--control", fifo)
	waitFor(t, "the emulator", func() bool { return exists(link) })
	for _, line := range []string{"place gat_residence", "remove", "place foreign_2017"} {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(line + "\n")
		f.Close()
		waitFor(t, "the emulator", func() bool { return strings.Contains(s.out.String(), "ok: "+line) })
	}
	if c, err := readCard(t, link); err != nil || c.Type != idcard.Foreign2017 {
		t.Fatalf("%v, %v", c, err)
	}
}

func TestDevsimIDCardFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"idcard", "--card", "nobody"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), `no fixture card "nobody"`) {
		t.Fatalf("exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"idcard", "-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "place @FILE.json") {
		t.Fatalf("help: exit %d, %q", code, errOut.String())
	}
}
