package sim

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial"
)

// frame reads a golden frame of the driver package (hex, whitespace separated).
func frame(t *testing.T, name string) []byte {
	t.Helper()
	s, err := os.ReadFile(filepath.Join("..", "idcard", "testdata", "frames", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(s)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fixtures lay out exactly as the golden frames, which were built separately
// from the layout tables.
func TestFixtureFramesMatchGolden(t *testing.T) {
	for _, name := range []string{"resident", "resident_longterm", "gat_residence", "foreign_2017", "foreign_2023"} {
		c, ok := IDCardFixture(name)
		if !ok {
			t.Fatalf("no fixture %s", name)
		}
		got, err := c.ReadReplyFrame()
		if err != nil {
			t.Fatal(err)
		}
		if want := frame(t, "reply_card_"+name); !bytes.Equal(got, want) {
			t.Errorf("%s: frame differs from golden at byte %d", name, firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFixtureList(t *testing.T) {
	names := IDCardFixtureNames()
	types := map[string]bool{}
	for _, n := range names {
		c, _ := IDCardFixture(n)
		types[c.Type] = true
		if c.Label == "" {
			t.Errorf("%s has no label", n)
		}
	}
	for _, typ := range []string{"resident", "foreign_2017", "foreign_2023", "gat_residence"} {
		if !types[typ] {
			t.Errorf("no fixture of type %s", typ)
		}
	}
	demo := DemoCards()
	if len(demo) < 5 {
		t.Errorf("only %d demo cards", len(demo))
	}
	for _, c := range demo {
		if c.Label == "" || c.LabelEN == "" {
			t.Errorf("demo card %s has no label in Chinese and English: %q, %q", c.Type, c.Label, c.LabelEN)
		}
		if _, err := c.ReadReplyFrame(); err != nil {
			t.Errorf("demo card %s: %v", c.Label, err)
		}
	}
	if _, ok := IDCardFixture("nobody"); ok {
		t.Error("unknown fixture found")
	}
}

func TestCardTextRefusesOverlongFields(t *testing.T) {
	c, _ := IDCardFixture("resident")
	c.Name = strings.Repeat("张", 16)
	if _, err := c.Text(); err == nil || !strings.Contains(err.Error(), "name") {
		t.Fatalf("16-character name: %v", err)
	}
	if _, err := (IDCard{Type: "passport"}).Text(); err == nil {
		t.Fatal("unknown type laid out")
	}
}

// host is the driver side of a test: a serial port on the emulator's pty.
type host struct {
	t    *testing.T
	port serial.Port
}

func openHost(t *testing.T, path string) *host {
	t.Helper()
	p, err := serial.Open(path, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &host{t, p}
}

// exchange sends raw bytes and returns what comes back: it waits (up to seconds, the
// machine may be busy) for at least want bytes, then until the line is quiet.
func (h *host) exchange(out []byte, want int) []byte {
	h.t.Helper()
	if _, err := h.port.Write(out); err != nil {
		h.t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	deadline := time.Now().Add(5 * time.Second)
	for {
		wait := 50 * time.Millisecond
		if len(got) < want {
			wait = time.Until(deadline)
		}
		h.port.SetReadTimeout(max(wait, time.Millisecond))
		n, err := h.port.Read(buf)
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 && (len(got) >= want || time.Now().After(deadline)) {
			return got
		}
		got = append(got, buf[:n]...)
	}
}

func (h *host) expect(cmd, reply string) {
	h.t.Helper()
	want := frame(h.t, reply)
	if got := h.exchange(frame(h.t, cmd), len(want)); !bytes.Equal(got, want) {
		h.t.Fatalf("%s: got % X, want %s", cmd, got, reply)
	}
}

func startReader(t *testing.T, o IDCardReaderOptions) *IDCardReader {
	t.Helper()
	if o.Link == "" {
		o.Link = filepath.Join(t.TempDir(), "ttyID")
	}
	r, err := StartIDCardReader(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// The emulator answers every command byte for byte as the golden replies say, and
// follows the card through find, select and read.
func TestIDCardReaderAnswers(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{})
	h := openHost(t, r.Path())
	h.expect("cmd_sam_status", "reply_ok")
	h.expect("cmd_reset", "reply_ok")
	h.expect("cmd_sam_id", "reply_sam_id")
	h.expect("cmd_find", "reply_no_card")
	h.expect("cmd_select", "reply_select_failed")

	resident, _ := IDCardFixture("resident")
	if err := r.Place(resident); err != nil {
		t.Fatal(err)
	}
	h.expect("cmd_select", "reply_select_failed") // not found yet
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	h.expect("cmd_read", "reply_card_resident")
	h.expect("cmd_read_address", "reply_address_none")
	h.expect("cmd_find", "reply_no_card") // an active card does not answer find
	h.expect("cmd_select", "reply_select_ok")

	resident.Fingerprint = make([]byte, 512)
	for i := range resident.Fingerprint {
		resident.Fingerprint[i] = byte(i*13 + 1)
	}
	r.Remove()
	r.Place(resident) // a new placement: the card must be found and selected again
	h.expect("cmd_read", "reply_bad_command")
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	h.expect("cmd_read_fingerprint", "reply_card_resident_fingerprint")

	moved, _ := IDCardFixture("resident_moved")
	r.Remove()
	r.Place(moved)
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	h.expect("cmd_read_address", "reply_address")

	r.Remove()
	h.expect("cmd_read", "reply_read_failed")
	h.expect("cmd_find", "reply_no_card")
	if r.Count(IDCmdFind) != 6 || r.Count(IDCmdRead) != 3 {
		t.Fatalf("counted %d finds, %d reads", r.Count(IDCmdFind), r.Count(IDCmdRead))
	}
}

// Placing a card on a card: the reader is empty for SwapGap, then the new card
// answers from scratch.
func TestIDCardReaderSwap(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{SwapGap: 400 * time.Millisecond})
	h := openHost(t, r.Path())
	a, _ := IDCardFixture("resident")
	b, _ := IDCardFixture("gat_residence")
	r.Place(a)
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	r.Place(b)
	if _, ok := r.Card(); ok {
		t.Fatal("a card on the reader during the swap")
	}
	h.expect("cmd_select", "reply_select_failed")
	h.expect("cmd_read", "reply_read_failed")
	time.Sleep(400 * time.Millisecond)
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	h.expect("cmd_read", "reply_card_gat_residence")
	r.Place(a)
	r.Remove() // lifted before it landed
	time.Sleep(400 * time.Millisecond)
	h.expect("cmd_find", "reply_no_card")
}

// Readers that keep answering find for an active card are emulated too.
func TestIDCardReaderFindWhileActive(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{FindWhileActive: true})
	h := openHost(t, r.Path())
	c, _ := IDCardFixture("gat_residence")
	r.Place(c)
	h.expect("cmd_find", "reply_find_ok")
	h.expect("cmd_select", "reply_select_ok")
	h.expect("cmd_read", "reply_card_gat_residence")
	h.expect("cmd_find", "reply_find_ok")
}

// Bad host frames get the reader's own error statuses; noise from the host is skipped.
func TestIDCardReaderBadCommands(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{})
	h := openHost(t, r.Path())
	for _, tc := range []struct {
		name string
		out  string
		sw3  byte
	}{
		{"wrong checksum (a frame seen in the wild)", "AAAAAA966900032001" + "21", 0x10},
		{"LEN 2", "AAAAAA96690002" + "2001", 0x11},
		{"unknown command", "AAAAAA96690003" + "6001" + "62", 0x21},
		{"noise then find", "0102AAAA03" + "AAAAAA96690003200122", 0x80},
	} {
		out, _ := hex.DecodeString(tc.out)
		if got, want := h.exchange(out, 11), replyFrame(tc.sw3, nil); !bytes.Equal(got, want) {
			t.Errorf("%s: got % X, want % X", tc.name, got, want)
		}
	}
}

func TestIDCardReaderFaults(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{})
	h := openHost(t, r.Path())
	find, ok := frame(t, "cmd_find"), frame(t, "reply_no_card")
	bad := append([]byte(nil), ok...)
	bad[len(bad)-1] ^= 0x5A
	for _, tc := range []struct {
		name  string
		fault IDCardFault
		want  []byte
	}{
		{"checksum", IDCardFault{Kind: FaultBadChecksum, Count: 1}, bad},
		{"truncate", IDCardFault{Kind: FaultTruncate, Count: 1}, ok[:len(ok)/2]},
		{"noise", IDCardFault{Kind: FaultNoise, Count: 1}, append(append([]byte(nil), noise...), ok...)},
		{"silence", IDCardFault{Kind: FaultSilence, Count: 1}, nil},
		{"SAM status", IDCardFault{Kind: FaultStatus, Status: 0x60, Count: 1}, frame(t, "reply_sam_fault")},
		{"other command only", IDCardFault{Kind: FaultSilence, Command: IDCmdRead, Count: 1}, ok},
	} {
		r.ClearFaults()
		r.Inject(tc.fault)
		if got := h.exchange(find, len(tc.want)); !bytes.Equal(got, tc.want) {
			t.Errorf("%s: got % X, want % X", tc.name, got, tc.want)
		}
	}
	r.ClearFaults()
	// Count limits a fault; Count 0 lasts until cleared.
	r.Inject(IDCardFault{Kind: FaultStatus, Status: 0x66, Count: 2})
	r.Inject(IDCardFault{Kind: FaultSilence})
	for i, want := range [][]byte{replyFrame(0x66, nil), replyFrame(0x66, nil), nil, nil} {
		if got := h.exchange(find, len(want)); !bytes.Equal(got, want) {
			t.Errorf("reply %d: got % X, want % X", i, got, want)
		}
	}
	r.ClearFaults()
	h.expect("cmd_find", "reply_no_card")
	if !bytes.Contains(noise, []byte{0xAA, 0xAA}) || bytes.Contains(noise, idcardPreamble) {
		t.Error("noise must hold preamble fragments but no preamble")
	}
}

// Unplugging removes the symlink and closes the pty; replugging brings both back, with
// the card still on the reader.
func TestIDCardReaderUnplug(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{})
	link := r.Path()
	c, _ := IDCardFixture("foreign_2017")
	r.Place(c)
	h := openHost(t, link)
	h.expect("cmd_find", "reply_find_ok")
	if err := r.Unplug(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("link still there: %v", err)
	}
	if _, err := h.port.Write(frame(t, "cmd_find")); err == nil {
		h.port.SetReadTimeout(100 * time.Millisecond)
		if _, err := h.port.Read(make([]byte, 16)); err == nil {
			t.Fatal("the old port still works after unplug")
		}
	}
	if err := r.Replug(); err != nil {
		t.Fatal(err)
	}
	if r.Path() != link {
		t.Fatalf("path %s after replug, want %s", r.Path(), link)
	}
	h2 := openHost(t, link)
	h2.expect("cmd_find", "reply_find_ok")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatal("link left after Close")
	}
	if err := r.Replug(); err == nil {
		t.Fatal("replugged a closed reader")
	}
}

func TestIDCardReaderPlaceRefusesBadCards(t *testing.T) {
	r := startReader(t, IDCardReaderOptions{})
	c, _ := IDCardFixture("resident")
	c.Fingerprint = make([]byte, 100)
	if err := r.Place(c); err == nil {
		t.Fatal("placed a card with a 100-byte fingerprint")
	}
	c.Fingerprint, c.AppendedAddress = nil, strings.Repeat("址", 36)
	if err := r.Place(c); err == nil {
		t.Fatal("placed a card whose appended address does not fit")
	}
	if _, ok := r.Card(); ok {
		t.Fatal("a refused card is on the reader")
	}
}
