// Package idcard drives a 二代居民身份证 reader built around the Ministry of Public
// Security module (SAM_A / SAM_V, GA 467 "AA AA AA 96 69" frames) over a serial port:
// frames, commands, status codes, the 256-byte card text of all four card types, and a
// Reader loop that turns cards placed on the reader into events.
//
// The facts come from docs/devices.md and ../shared/protocols/idcard.md. Nothing here
// logs or formats personal data: Card prints and logs only its type and checks.
package idcard

import (
	"bytes"
	"errors"
	"fmt"
)

// Preamble starts every frame in both directions.
var Preamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

const (
	headerLen = 7 // preamble + LEN_H LEN_L
	// MaxReplyLen bounds a reply's LEN field. The largest real reply (text + photo +
	// 1024 bytes of fingerprint) has LEN 0x090A; anything far beyond is corruption.
	MaxReplyLen = 4096
	minReplyLen = 4 // SW1 SW2 SW3 CHK
)

// Frame errors: a reply that fails one of these checks is never used as data.
var (
	// ErrNotReply: the bytes are not an "AA AA AA 96 69" reply frame at all.
	ErrNotReply = errors.New("not an ID card reader reply")
	// ErrReplyLength: the LEN field is impossible, or disagrees with the bytes present.
	ErrReplyLength = errors.New("reply length is wrong")
	// ErrReplyChecksum: the XOR checksum does not match.
	ErrReplyChecksum = errors.New("reply checksum is wrong")
	// ErrTimeout: no complete reply before the deadline (silence or a truncated reply).
	ErrTimeout = errors.New("no reply from the reader in time")
)

// checksum is the XOR of b, which must run from LEN_H up to the byte before CHK.
func checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// EncodeCommand builds a host→reader frame: preamble, LEN, CMD, PARA, data, CHK.
func EncodeCommand(cmd, para byte, data []byte) []byte {
	n := 2 + len(data) + 1 // CMD PARA DATA CHK
	f := make([]byte, 0, headerLen+n)
	f = append(f, Preamble...)
	f = append(f, byte(n>>8), byte(n), cmd, para)
	f = append(f, data...)
	return append(f, checksum(f[len(Preamble):]))
}

// Reply is a decoded reader→host frame.
type Reply struct {
	SW1, SW2 byte   // the card's APDU status words, relayed
	SW3      Status // the reader / SAM status: decide success on it
	Data     []byte // the bytes between SW3 and CHK
}

// DecodeReply decodes one complete reply frame (nothing before or after it). The
// error wraps ErrNotReply, ErrReplyLength or ErrReplyChecksum and says what was found.
// Data aliases f.
func DecodeReply(f []byte) (Reply, error) {
	r, err := decodeReply(f)
	if err != nil {
		return Reply{}, fmt.Errorf("idcard: %w", err)
	}
	return r, nil
}

func decodeReply(f []byte) (Reply, error) {
	if len(f) < len(Preamble) || !bytes.Equal(f[:len(Preamble)], Preamble) {
		return Reply{}, fmt.Errorf("%w: it does not start with AA AA AA 96 69", ErrNotReply)
	}
	if len(f) < headerLen {
		return Reply{}, fmt.Errorf("%w: %d bytes, shorter than a header", ErrReplyLength, len(f))
	}
	n := int(f[5])<<8 | int(f[6])
	if n == 3 && len(f) == headerLen+n && f[len(f)-1] == checksum(f[len(Preamble):len(f)-1]) {
		return Reply{}, fmt.Errorf("%w: it is a host command (%s)", ErrNotReply, Command{f[7], f[8]})
	}
	if err := checkLEN(n); err != nil {
		return Reply{}, err
	}
	if len(f) != headerLen+n {
		return Reply{}, fmt.Errorf("%w: LEN field says %d bytes in all, the frame has %d", ErrReplyLength, headerLen+n, len(f))
	}
	if got, want := f[len(f)-1], checksum(f[len(Preamble):len(f)-1]); got != want {
		return Reply{}, fmt.Errorf("%w: CHK is %02X, the bytes give %02X", ErrReplyChecksum, got, want)
	}
	return Reply{SW1: f[7], SW2: f[8], SW3: Status(f[9]), Data: f[10 : len(f)-1]}, nil
}

func checkLEN(n int) error {
	if n < minReplyLen || n > MaxReplyLen {
		return fmt.Errorf("%w: LEN field is %d (%04X), must be %d to %d", ErrReplyLength, n, n, minReplyLen, MaxReplyLen)
	}
	return nil
}

// scanFrame looks for one reply frame in a stream buffer, skipping noise before the
// preamble. It returns the frame (aliasing buf) and how many bytes of buf it used
// (noise included) when a whole frame is there; frame == nil with skip > 0 means the
// first skip bytes are noise and can be dropped; frame == nil with skip == 0 means
// more bytes are needed. A frame whose LEN is impossible is an error, not a resync:
// after a real preamble it means the reply is corrupt.
func scanFrame(buf []byte) (frame []byte, used int, err error) {
	i := bytes.Index(buf, Preamble)
	if i < 0 {
		// Keep a tail that may be the start of a preamble split across reads.
		keep := min(len(buf), len(Preamble)-1)
		for keep > 0 && !bytes.HasPrefix(Preamble, buf[len(buf)-keep:]) {
			keep--
		}
		return nil, len(buf) - keep, nil
	}
	if len(buf)-i < headerLen {
		return nil, i, nil
	}
	n := int(buf[i+5])<<8 | int(buf[i+6])
	if err := checkLEN(n); err != nil {
		return nil, i + headerLen, err
	}
	if len(buf)-i < headerLen+n {
		return nil, i, nil
	}
	return buf[i : i+headerLen+n], i + headerLen + n, nil
}
