package printer

import (
	"fmt"
	"slices"
)

// Cut is what the printer does at the end of a receipt.
type Cut int

const (
	// CutPartial feeds to the cutter and cuts leaving a hinge (GS V 66 n): the default,
	// and the only cut many Chinese printers have.
	CutPartial Cut = iota
	// CutFull feeds to the cutter and cuts through (GS V 65 n).
	CutFull
	// CutNone feeds the last line past the tear bar; the citizen tears the paper off.
	CutNone
)

// ParseCut reads a cut mode as written in the configuration: "full", "partial" or "none".
func ParseCut(s string) (Cut, error) {
	switch s {
	case "partial":
		return CutPartial, nil
	case "full":
		return CutFull, nil
	case "none":
		return CutNone, nil
	}
	return 0, fmt.Errorf("printer: %q is not a cut mode (full, partial, none)", s)
}

// String is the configuration spelling: "full", "partial" or "none".
func (c Cut) String() string {
	switch c {
	case CutFull:
		return "full"
	case CutNone:
		return "none"
	}
	return "partial"
}

// Profile describes one printer model as the driver and the document builder need it.
// Build it with ProfileFor and adjust the fields from the configuration.
type Profile struct {
	// Paper is "80mm" or "58mm", for messages and the staff test page.
	Paper string
	// Dots is the printable width in dots (203 dpi: 576 on 80 mm paper, 384 on 58 mm).
	Dots int
	// Columns is the number of Font A (12×24) characters on a line; a hanzi takes two.
	Columns int
	// NativeQR says the printer has GS ( k QR codes. Without it, QR codes are sent as
	// raster images (GS v 0), which is 30–80 times more bytes.
	NativeQR bool
	// QRMaxData is the largest QR payload the printer's GS ( k accepts (7089 on Epson-class
	// printers, less on some clones). Larger payloads go out as raster images.
	QRMaxData int
	// Cut is the printer's cutter.
	Cut Cut
	// Baud is the serial line rate; the driver paces its writes to it.
	Baud int
	// Buffer is the size in bytes of the printer's receive buffer, or less. The driver
	// never has more unconfirmed bytes in flight than this (12 of them kept free for a
	// status query), so a printer that drops bytes when its buffer overflows loses none
	// even without flow control.
	Buffer int
	// Charset is the printer's font ROM.
	Charset Charset
}

// Bauds are the serial rates a profile accepts.
var Bauds = []int{2400, 4800, 9600, 19200, 38400, 57600, 115200}

// ProfileFor returns the profile of a common Chinese 203-dpi printer for a paper width,
// "80mm" (576 dots, 48 columns) or "58mm" (384 dots, 32 columns), with native QR, a
// partial cut, 115200 baud and a 1 KiB flow-control window.
func ProfileFor(paper string) (Profile, error) {
	p := Profile{Paper: paper, NativeQR: true, QRMaxData: 7089, Cut: CutPartial, Baud: 115200, Buffer: 1024}
	switch paper {
	case "80mm":
		p.Dots, p.Columns = 576, 48
	case "58mm":
		p.Dots, p.Columns = 384, 32
	default:
		return Profile{}, fmt.Errorf("printer: %q is not a paper width (80mm, 58mm)", paper)
	}
	return p, nil
}

// Validate reports the first field that is out of range.
func (p Profile) Validate() error {
	switch {
	case p.Dots < 128 || p.Dots > 832:
		return fmt.Errorf("printer: profile: %d dots per line is out of range (128–832)", p.Dots)
	case p.Columns < 16 || p.Columns*8 > p.Dots:
		return fmt.Errorf("printer: profile: %d columns do not fit %d dots", p.Columns, p.Dots)
	case p.QRMaxData < 1 || p.QRMaxData > 7089:
		return fmt.Errorf("printer: profile: QR limit %d is out of range (1–7089)", p.QRMaxData)
	case p.Cut < CutPartial || p.Cut > CutNone:
		return fmt.Errorf("printer: profile: unknown cut mode %d", p.Cut)
	case !slices.Contains(Bauds, p.Baud):
		return fmt.Errorf("printer: profile: %d is not a supported baud rate", p.Baud)
	case p.Buffer < 32 || p.Buffer > 1<<20:
		return fmt.Errorf("printer: profile: buffer %d is out of range (32 bytes to 1 MiB)", p.Buffer)
	case p.Charset != CharsetGBK && p.Charset != CharsetGB2312:
		return fmt.Errorf("printer: profile: unknown charset %d", p.Charset)
	}
	return nil
}
