package idcard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden reads a testdata/frames/*.hex file: hex bytes separated by whitespace.
func golden(t testing.TB, name string) []byte {
	t.Helper()
	s, err := os.ReadFile(filepath.Join("testdata", "frames", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(s)), ""))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func TestCommandFrames(t *testing.T) {
	for _, tc := range []struct {
		cmd    Command
		golden string
		name   string
	}{
		{CmdReset, "cmd_reset", "reset SAM"},
		{CmdSAMStatus, "cmd_sam_status", "SAM status"},
		{CmdSAMID, "cmd_sam_id", "read SAM ID"},
		{CmdFind, "cmd_find", "find card"},
		{CmdSelect, "cmd_select", "select card"},
		{CmdRead, "cmd_read", "read card"},
		{CmdReadFingerprint, "cmd_read_fingerprint", "read card with fingerprint"},
		{CmdReadAddress, "cmd_read_address", "read appended address"},
	} {
		if got, want := tc.cmd.Frame(), golden(t, tc.golden); !bytes.Equal(got, want) {
			t.Errorf("%s: % X, want % X", tc.golden, got, want)
		}
		if tc.cmd.String() != tc.name {
			t.Errorf("%s: String %q", tc.golden, tc.cmd.String())
		}
	}
	if s := (Command{0x60, 0x01}).String(); s != "command 60 01" {
		t.Errorf("unknown command String %q", s)
	}
}

// Frames with data, from the protocol document (set max RF bytes, set baud rate).
func TestEncodeCommandWithData(t *testing.T) {
	for _, tc := range []struct {
		cmd, para byte
		data      []byte
		want      string
	}{
		{0x61, 0xFF, []byte{0x50}, "AAAAAA9669000461FF50CA"},
		{0x60, 0x00, nil, "AAAAAA966900036000" + "63"},
		{0x60, 0x04, nil, "AAAAAA966900036004" + "67"},
	} {
		if got := strings.ToUpper(hex.EncodeToString(EncodeCommand(tc.cmd, tc.para, tc.data))); got != tc.want {
			t.Errorf("%02X %02X: %s, want %s", tc.cmd, tc.para, got, tc.want)
		}
	}
}

func TestDecodeReplyGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		sw3    Status
		data   int
	}{
		{"reply_ok", StatusOK, 0},
		{"reply_sam_id", StatusOK, 16},
		{"reply_find_ok", StatusFound, 4},
		{"reply_no_card", ErrNoCard, 0},
		{"reply_select_ok", StatusOK, 8},
		{"reply_select_failed", ErrSelectFailed, 0},
		{"reply_read_failed", ErrReadFailed, 0},
		{"reply_sam_fault", ErrSAMSelfTest, 0},
		{"reply_address", StatusOK, 70},
		{"reply_address_none", ErrNoContent, 0},
		{"reply_card_resident", StatusOK, 4 + 256 + 1024},
		{"reply_card_resident_fingerprint", StatusOK, 6 + 256 + 1024 + 512},
	} {
		r, err := DecodeReply(golden(t, tc.golden))
		if err != nil {
			t.Errorf("%s: %v", tc.golden, err)
			continue
		}
		if r.SW3 != tc.sw3 || len(r.Data) != tc.data || r.SW1 != 0 || r.SW2 != 0 {
			t.Errorf("%s: SW %02X %02X %02X, %d data bytes; want SW3 %02X, %d bytes", tc.golden, r.SW1, r.SW2, byte(r.SW3), len(r.Data), byte(tc.sw3), tc.data)
		}
	}
}

func TestDecodeReplyRefusesBadFrames(t *testing.T) {
	ok := []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x90, 0x94}
	mod := func(f func([]byte) []byte) []byte { return f(append([]byte(nil), ok...)) }
	for _, tc := range []struct {
		name  string
		frame []byte
		err   error
		msg   string
	}{
		{"checksum", mod(func(b []byte) []byte { b[10] = 0x95; return b }), ErrReplyChecksum, "CHK is 95, the bytes give 94"},
		{"flipped data byte", mod(func(b []byte) []byte { b[9] = 0x91; return b }), ErrReplyChecksum, "CHK"},
		{"LEN too small", mod(func(b []byte) []byte { b[6] = 3; return b }), ErrReplyLength, "LEN field is 3"},
		{"LEN huge", mod(func(b []byte) []byte { b[5] = 0xFF; return b }), ErrReplyLength, "LEN field is 65284"},
		{"LEN longer than frame", mod(func(b []byte) []byte { b[6] = 5; return b }), ErrReplyLength, "LEN field says 12 bytes in all, the frame has 11"},
		{"bytes after frame", append(mod(func(b []byte) []byte { return b }), 0x00), ErrReplyLength, "the frame has 12"},
		{"truncated", ok[:9], ErrReplyLength, "LEN field says 11 bytes in all, the frame has 9"},
		{"header only", ok[:6], ErrReplyLength, "shorter than a header"},
		{"empty", nil, ErrNotReply, ""},
		{"other protocol", []byte{0x02, 0x00, 0x03, 0x32, 0x29, 0xFF, 0xE4, 0x03}, ErrNotReply, "AA AA AA 96 69"},
		{"preamble later", append([]byte{0x00}, ok...), ErrNotReply, ""},
		{"a command", CmdSelect.Frame(), ErrNotReply, "it is a host command (select card)"},
	} {
		_, err := DecodeReply(tc.frame)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "idcard: ") {
			t.Errorf("%s: %v, want %v containing %q", tc.name, err, tc.err, tc.msg)
		}
	}
}

// scanAll feeds stream to scanFrame in chunks of size n, like reads from a port.
func scanAll(stream []byte, n int) (frames [][]byte, errs []error, left []byte) {
	var buf []byte
	for off := 0; off < len(stream); off += n {
		buf = append(buf, stream[off:min(off+n, len(stream))]...)
		for {
			f, used, err := scanFrame(buf)
			if err != nil {
				errs = append(errs, err)
			}
			if f != nil {
				frames = append(frames, append([]byte(nil), f...))
			}
			if used == 0 {
				break
			}
			buf = buf[used:]
		}
	}
	return frames, errs, buf
}

func TestScanFrameResyncs(t *testing.T) {
	find := golden(t, "reply_find_ok")
	card := golden(t, "reply_card_resident")
	noise := []byte{0x00, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xAA, 0xAA, 0xAA, 0x96}
	stream := append(append(append(append([]byte{}, noise...), find...), noise[:4]...), card...)
	for _, chunk := range []int{1, 3, 7, 64, len(stream)} {
		frames, errs, left := scanAll(stream, chunk)
		if len(errs) != 0 || len(frames) != 2 || !bytes.Equal(frames[0], find) || !bytes.Equal(frames[1], card) || len(left) != 0 {
			t.Errorf("chunk %d: %d frames, errors %v, %d bytes left", chunk, len(frames), errs, len(left))
		}
	}
}

func TestScanFrameKeepsPartialPreamble(t *testing.T) {
	for _, tail := range [][]byte{{0xAA}, {0xAA, 0xAA}, {0xAA, 0xAA, 0xAA}, {0xAA, 0xAA, 0xAA, 0x96}} {
		buf := append([]byte{1, 2, 3}, tail...)
		f, used, err := scanFrame(buf)
		if f != nil || err != nil || used != 3 {
			t.Errorf("% X: frame %v, used %d, err %v; want the tail kept", buf, f, used, err)
		}
	}
	if _, used, _ := scanFrame([]byte{1, 0xAA, 0x96}); used != 3 {
		t.Errorf("AA 96 is not a preamble start; used %d", used)
	}
}

// A preamble followed by an impossible LEN is a corrupt reply, reported as such.
func TestScanFrameBadLength(t *testing.T) {
	_, used, err := scanFrame([]byte{9, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0})
	if !errors.Is(err, ErrReplyLength) || used != 8 {
		t.Fatalf("used %d, err %v", used, err)
	}
}
