package printer

import (
	"errors"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// ErrQRTooLarge means a QR code cannot be printed: its payload is too long, or even at
// the smallest allowed module size the symbol (with its quiet zone) is wider than the
// paper. A printer given such a symbol prints nothing and reports no error, so the
// builder refuses it instead.
var ErrQRTooLarge = errors.New("printer: QR code does not fit")

// ECLevel is a QR error-correction level. The zero value is M.
type ECLevel byte

// Error-correction levels.
const (
	ECM ECLevel = iota // 15 %, the default
	ECL                // 7 %
	ECQ                // 25 %
	ECH                // 30 %
)

// QROptions says how to draw a QR code.
type QROptions struct {
	// Module is the preferred module (cell) size in dots, 1–16; 0 means 6 (0.75 mm).
	Module int
	// MinModule is the smallest module size the builder may fall back to so that the
	// symbol fits the paper; 0 means 4 dots (0.5 mm), still readable by phones.
	MinModule int
	// EC is the error-correction level.
	EC ECLevel
	// Raster sends the symbol as an image even when the printer has native QR (for the
	// staff test page, which prints both).
	Raster bool
}

// QRMode says how a QR code was sent.
type QRMode int

// QR modes.
const (
	QRNative QRMode = iota // GS ( k: the printer draws the symbol
	QRRaster               // GS v 0: the host draws it
)

// dataCodewords[v-1][ec] is the number of data codewords of QR version v at level
// ec (L, M, Q, H), from ISO/IEC 18004 table 7.
var dataCodewords = [40][4]int{
	{19, 16, 13, 9}, {34, 28, 22, 16}, {55, 44, 34, 26}, {80, 64, 48, 36},
	{108, 86, 62, 46}, {136, 108, 76, 60}, {156, 124, 88, 66}, {194, 154, 110, 86},
	{232, 182, 132, 100}, {274, 216, 154, 122}, {324, 254, 180, 140}, {370, 290, 206, 158},
	{428, 334, 244, 180}, {461, 365, 261, 197}, {523, 415, 295, 223}, {589, 453, 325, 253},
	{647, 507, 367, 283}, {721, 563, 397, 313}, {795, 627, 445, 341}, {861, 669, 485, 385},
	{932, 714, 512, 406}, {1006, 782, 568, 442}, {1094, 860, 614, 464}, {1174, 914, 664, 514},
	{1276, 1000, 718, 538}, {1370, 1062, 754, 596}, {1468, 1128, 808, 628}, {1531, 1193, 871, 661},
	{1631, 1267, 911, 701}, {1735, 1373, 985, 745}, {1843, 1455, 1033, 793}, {1955, 1541, 1115, 845},
	{2071, 1631, 1171, 901}, {2191, 1725, 1231, 961}, {2306, 1812, 1286, 986}, {2434, 1914, 1354, 1054},
	{2566, 1992, 1426, 1096}, {2702, 2102, 1502, 1142}, {2812, 2216, 1582, 1222}, {2956, 2334, 1666, 1276},
}

// index maps an ECLevel to its column in dataCodewords and its GS ( k parameter (0x30 + index).
func (e ECLevel) index() int {
	switch e {
	case ECL:
		return 0
	case ECQ:
		return 2
	case ECH:
		return 3
	}
	return 1
}

func (e ECLevel) goqr() qrcode.RecoveryLevel {
	return [...]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[e.index()]
}

// QRVersion returns the QR version (1–40) a payload of n bytes needs at level ec in byte
// mode, or 0 when it does not fit version 40. Byte mode is the largest encoding a
// printer's automatic mode selection can choose, so the symbol the printer draws is
// never wider than this version.
func QRVersion(n int, ec ECLevel) int {
	for v := 1; v <= 40; v++ {
		cc := 8
		if v >= 10 {
			cc = 16
		}
		if 4+cc+8*n <= 8*dataCodewords[v-1][ec.index()] {
			return v
		}
	}
	return 0
}

// QR prints a QR code of data, centred, with a blank line above and below for the quiet
// zone. data must be printable ASCII (a URL): printers may read other bytes as Shift-JIS.
//
// The symbol's width is computed on the host: the module size is reduced from
// opt.Module down to opt.MinModule until the symbol and its 4-module quiet zone fit the
// paper; if none fits, or the payload exceeds QR version 40, the document fails with
// ErrQRTooLarge. The symbol is sent natively (GS ( k, model 2) when the profile has
// NativeQR and the payload is within QRMaxData, and otherwise drawn with go-qrcode and
// sent as a raster image (GS v 0) in bands that fit the flow-control window.
func (d *Doc) QR(data string, opt QROptions) QRMode {
	if d.err != nil {
		return QRNative
	}
	mode, err := d.qr(data, opt)
	if err != nil {
		d.fail(err)
	}
	return mode
}

func (d *Doc) qr(data string, opt QROptions) (QRMode, error) {
	if data == "" {
		return QRNative, fmt.Errorf("printer: QR code without data")
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			return QRNative, fmt.Errorf("printer: QR data byte %d is not printable ASCII", i)
		}
	}
	if opt.Module == 0 {
		opt.Module = 6
	}
	if opt.MinModule == 0 {
		opt.MinModule = min(4, opt.Module)
	}
	if opt.Module < 1 || opt.Module > 16 || opt.MinModule < 1 || opt.MinModule > opt.Module {
		return QRNative, fmt.Errorf("printer: QR module size %d (min %d) is out of range (1–16)", opt.Module, opt.MinModule)
	}
	if opt.EC > ECH {
		return QRNative, fmt.Errorf("printer: unknown QR error-correction level %d", opt.EC)
	}
	v := QRVersion(len(data), opt.EC)
	if v == 0 {
		return QRNative, fmt.Errorf("%w: %d bytes exceed QR version 40", ErrQRTooLarge, len(data))
	}
	modules := 17 + 4*v
	m := opt.Module
	for m >= opt.MinModule && (modules+8)*m > d.prof.Dots {
		m--
	}
	if m < opt.MinModule {
		return QRNative, fmt.Errorf("%w: version %d (%d modules) at %d dots a module is wider than %d dots", ErrQRTooLarge, v, modules, opt.MinModule, d.prof.Dots)
	}
	align := d.align
	d.Align(Center)
	d.emit(0x0A)
	mode := QRNative
	if d.prof.NativeQR && !opt.Raster && len(data) <= d.prof.QRMaxData {
		d.nativeQR(data, m, opt.EC)
	} else {
		mode = QRRaster
		if err := d.rasterQR(data, m, opt.EC); err != nil {
			return mode, err
		}
	}
	d.emit(0x0A)
	d.Align(align)
	return mode, nil
}

func (d *Doc) nativeQR(data string, module int, ec ECLevel) {
	d.emit(0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00)            // model 2
	d.emit(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(module))          // module size
	d.emit(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, byte(0x30+ec.index())) // EC level
	n := len(data) + 3
	d.buf = append(d.buf, 0x1D, 0x28, 0x6B, byte(n), byte(n>>8), 0x31, 0x50, 0x30)
	d.buf = append(d.buf, data...)
	d.units = append(d.units, len(d.buf))
	d.emit(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30) // print
}

func (d *Doc) rasterQR(data string, module int, ec ECLevel) error {
	q, err := qrcode.New(data, ec.goqr())
	if err != nil {
		return fmt.Errorf("printer: QR: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	rows := make([][]byte, n)
	bpr := (n*module + 7) / 8
	for y, line := range bm {
		row := make([]byte, bpr)
		for x, black := range line {
			if !black {
				continue
			}
			for i := x * module; i < (x+1)*module; i++ {
				row[i/8] |= 0x80 >> (i % 8)
			}
		}
		rows[y] = row
	}
	// Each module row repeats module times. Bands are separate GS v 0 commands, each
	// small enough for the flow-control window, so barriers can go between them.
	perBand := max(1, (d.prof.segmentSize()-8)/bpr)
	total := n * module
	for y0 := 0; y0 < total; y0 += perBand {
		h := min(perBand, total-y0)
		d.buf = append(d.buf, 0x1D, 0x76, 0x30, 0x00, byte(bpr), byte(bpr>>8), byte(h), byte(h>>8))
		for y := y0; y < y0+h; y++ {
			d.buf = append(d.buf, rows[y/module]...)
		}
		d.units = append(d.units, len(d.buf))
	}
	return nil
}
