package sim

import (
	"bytes"
	"errors"
	"image"
	"io"
	"sync"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// escposHost is what the interpreter needs from the printer around it.
type escposHost interface {
	// feed is called before the paper moves n dots; it may block (slow printing, paper
	// out) and its error stops the interpreter.
	feed(n int) error
	// transmit answers GS r n (paper sensor) and GS I n (printer ID).
	transmit(cmd, n byte)
	// cut is called with the paper of a printout that has been cut off.
	cut(p *paper)
}

// escpos interprets an ESC/POS byte stream and prints it on paper. It knows the
// length of every command in the ESC/POS reference (and of the common Chinese-market
// ones), so an unknown or unsupported command is skipped without losing the bytes that
// follow; a byte that starts no known command is skipped alone. Nothing in the stream
// can make it panic or allocate without bound.
type escpos struct {
	host escposHost
	src  io.ByteReader
	mu   *sync.Mutex // held while the paper changes, if not nil (live emulator)
	dots int

	paper *paper
	line  []cell
	lineX int
	back  int // a byte pushed back for re-reading, or -1

	chineseAtPowerOn bool
	chinese          bool
	align            byte
	bold             bool
	underline        int
	w, h             int // character magnification
	fontB            bool
	reverse          bool
	spacing          int // line spacing in dots
	charSpacing      int // right-side character spacing in dots
	leftMargin       int
	areaWidth        int

	qrModel, qrModule, qrEC byte
	qrData                  []byte
	qrCacheKey              string
	qrCache                 [][]bool
}

// cell is one printed character (or a blank advance) on the pending line.
type cell struct {
	x         int
	g         *glyph
	w, h      int // magnification
	cw        int // cell width before magnification: the glyph's, or 9 for Font B
	bold      bool
	underline int
	reverse   bool
}

// ESC/POS byte values.
const (
	escLF  = 0x0A
	escDLE = 0x10
	escESC = 0x1B
	escFS  = 0x1C
	escGS  = 0x1D
)

func newESCPOS(host escposHost, dots int, chineseAtPowerOn bool) *escpos {
	m := &escpos{host: host, dots: dots, back: -1, chineseAtPowerOn: chineseAtPowerOn, paper: newPaper(dots)}
	m.initialise()
	return m
}

// initialise is ESC @: modes back to power-on, the pending line discarded. It does not
// touch the paper already printed.
func (m *escpos) initialise() {
	m.line, m.lineX = m.line[:0], 0
	m.chinese = m.chineseAtPowerOn
	m.align, m.bold, m.underline, m.w, m.h = 0, false, 0, 1, 1
	m.fontB, m.reverse = false, false
	m.spacing, m.charSpacing = 30, 0
	m.leftMargin, m.areaWidth = 0, m.dots
	m.qrModel, m.qrModule, m.qrEC = 0x32, 3, 0x30
}

func (m *escpos) next() (byte, error) {
	if m.back >= 0 {
		b := byte(m.back)
		m.back = -1
		return b, nil
	}
	return m.src.ReadByte()
}

func (m *escpos) read(n int) ([]byte, error) {
	b := make([]byte, n)
	for i := range b {
		var err error
		if b[i], err = m.next(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (m *escpos) skip(n int) error {
	for ; n > 0; n-- {
		if _, err := m.next(); err != nil {
			return err
		}
	}
	return nil
}

func (m *escpos) u16() (int, error) {
	b, err := m.read(2)
	if err != nil {
		return 0, err
	}
	return int(b[0]) | int(b[1])<<8, nil
}

// run interprets the stream until it ends (io.EOF is a clean end) or the host stops it.
func (m *escpos) run(src io.ByteReader) error {
	m.src = src
	for {
		b, err := m.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := m.step(b); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (m *escpos) step(b byte) error {
	switch {
	case b == escLF || b == 0x0C:
		return m.printLine()
	case b == 0x09:
		m.lineX = min((m.lineX/(12*8)+1)*12*8, m.areaWidth)
		return nil
	case b == escDLE:
		return m.dle()
	case b == escESC:
		return m.esc()
	case b == escFS:
		return m.fs()
	case b == escGS:
		return m.gs()
	case b < 0x20 || b == 0x7F:
		return nil // CR and other control bytes do nothing
	case b < 0x80:
		return m.char(rune(b), false)
	case !m.chinese:
		return m.char('?', false) // a code-page character: not emulated
	}
	// Chinese mode: a GB lead byte and its trail byte.
	t, err := m.next()
	if err != nil {
		return err
	}
	if b == 0x80 || b == 0xFF || t < 0x40 || t == 0x7F || t == 0xFF {
		m.back = int(t)
		return m.char(utf8.RuneError, true)
	}
	r, _ := utf8.DecodeRune(gbDecode(b, t))
	return m.char(r, true)
}

var gbDecoder = simplifiedchinese.GBK.NewDecoder()
var gbDecoderMu sync.Mutex

// gbDecode decodes one 2-byte GB code to UTF-8.
func gbDecode(b, t byte) []byte {
	gbDecoderMu.Lock()
	defer gbDecoderMu.Unlock()
	out, err := gbDecoder.Bytes([]byte{b, t})
	if err != nil {
		return []byte(string(utf8.RuneError))
	}
	return out
}

// char adds a character to the pending line, printing the line first if it is full.
func (m *escpos) char(r rune, wide bool) error {
	g := glyphFor(r, wide)
	cw := g.w
	if m.fontB && !wide {
		cw = 9 // Font B: the 12-dot glyph squeezed into 9
	}
	if m.lineX+cw*m.w > m.areaWidth {
		if err := m.printLine(); err != nil {
			return err
		}
		if cw*m.w > m.areaWidth {
			return nil
		}
	}
	m.line = append(m.line, cell{x: m.lineX, g: g, w: m.w, h: m.h, cw: cw, bold: m.bold, underline: m.underline, reverse: m.reverse})
	m.lineX += cw*m.w + m.charSpacing
	return nil
}

// printLine prints the pending line and feeds: by the line spacing, or by the tallest
// character when that is taller.
func (m *escpos) printLine() error {
	height := 0
	for _, c := range m.line {
		height = max(height, c.g.h*c.h)
	}
	adv := max(m.spacing, height)
	if err := m.host.feed(adv); err != nil {
		return err
	}
	m.lock()
	defer m.unlock()
	off := m.leftMargin + m.alignOffset(m.lineX)
	for _, c := range m.line {
		m.drawCell(c, off, m.paper.y+height-c.g.h*c.h)
	}
	m.paper.advance(adv)
	m.line, m.lineX = m.line[:0], 0
	return nil
}

func (m *escpos) alignOffset(width int) int {
	free := max(m.areaWidth-width, 0)
	switch m.align {
	case 1:
		return free / 2
	case 2:
		return free
	}
	return 0
}

func (m *escpos) drawCell(c cell, x0, y0 int) {
	g := c.g
	for y := 0; y < g.h*c.h; y++ {
		for x := 0; x < c.cw*c.w; x++ {
			gx := x / c.w * g.w / c.cw
			on := g.bits[(y/c.h)*g.w+gx] == 1
			if c.bold && !on && gx > 0 {
				on = g.bits[(y/c.h)*g.w+gx-1] == 1 // double strike, shifted one dot
			}
			if c.underline > 0 && y >= g.h*c.h-c.underline {
				on = true
			}
			if on != c.reverse {
				m.paper.set(x0+c.x+x, y0+y)
			}
		}
	}
}

func (m *escpos) lock() {
	if m.mu != nil {
		m.mu.Lock()
	}
}

func (m *escpos) unlock() {
	if m.mu != nil {
		m.mu.Unlock()
	}
}

// feedDots feeds blank paper, printing the pending line first.
func (m *escpos) feedDots(n int) error {
	if len(m.line) > 0 {
		if err := m.printLine(); err != nil {
			return err
		}
	}
	if n <= 0 {
		return nil
	}
	if err := m.host.feed(n); err != nil {
		return err
	}
	m.lock()
	m.paper.advance(n)
	m.unlock()
	return nil
}

// cutPaper ends the printout: the pending line is printed, the picture handed over, and
// a new printout begins.
func (m *escpos) cutPaper() error {
	if len(m.line) > 0 {
		if err := m.printLine(); err != nil {
			return err
		}
	}
	m.lock()
	done := m.paper
	m.paper = newPaper(m.dots)
	m.unlock()
	m.host.cut(done)
	return nil
}

// dle handles the real-time commands. The live emulator answers them when they arrive;
// here, in the stream, they are only skipped.
func (m *escpos) dle() error {
	c, err := m.next()
	if err != nil {
		return err
	}
	switch c {
	case 0x04, 0x05: // DLE EOT n, DLE ENQ n
		return m.skip(1)
	case 0x14: // DLE DC4 fn ...
		fn, err := m.next()
		if err != nil {
			return err
		}
		switch fn {
		case 1, 2: // pulse m t; power off a b
			return m.skip(2)
		case 7: // buzzer: m a b c (some models)
			return m.skip(4)
		case 8: // clear buffers: 1 3 20 1 6 2 8
			return m.skip(7)
		}
		return nil
	}
	m.back = int(c)
	return nil
}

func (m *escpos) esc() error {
	c, err := m.next()
	if err != nil {
		return err
	}
	switch c {
	case '@':
		m.initialise()
	case '2':
		m.spacing = 30
	case 'i', 'm': // cut (obsolete forms)
		return m.cutPaper()
	case '!', ' ', '-', '3', 'E', 'G', 'J', 'd', 'M', 'a':
		n, err := m.next()
		if err != nil {
			return err
		}
		return m.escArg(c, n)
	case '$', '\\': // absolute, relative position
		n, err := m.u16()
		if err != nil {
			return err
		}
		if c == '\\' {
			n = m.lineX + int(int16(n))
		}
		if n >= 0 && n < m.areaWidth {
			m.lineX = n
		}
	case '%', '=', '?', 'K', 'R', 'T', 'U', 'V', 'e', 'r', 't', 'u', '{':
		return m.skip(1) // one parameter byte, not emulated
	case 'c', 'B': // ESC c 3/4/5 n (panel, sensors); buzzer n t (Chinese models)
		return m.skip(2)
	case 'p': // drawer pulse m t1 t2
		return m.skip(3)
	case 'W': // page-mode area
		return m.skip(8)
	case 'D': // tab stops, NUL-terminated, at most 32
		for range 33 {
			if b, err := m.next(); err != nil || b == 0 {
				return err
			}
		}
	case '*': // bit image: m nL nH d(n or 3n)
		p, err := m.read(3)
		if err != nil {
			return err
		}
		n := int(p[1]) | int(p[2])<<8
		if p[0] >= 32 {
			n *= 3
		}
		return m.skip(n)
	case '&': // user-defined characters: y c1 c2 [x d(y·x)]…
		p, err := m.read(3)
		if err != nil {
			return err
		}
		for k := int(p[1]); k <= int(p[2]) && k <= 126; k++ {
			x, err := m.next()
			if err != nil {
				return err
			}
			if err := m.skip(int(p[0]) * int(x)); err != nil {
				return err
			}
		}
	}
	// Any other ESC sequence is unknown: its prefix alone is skipped.
	return nil
}

// escArg carries out ESC c n.
func (m *escpos) escArg(c, n byte) error {
	switch c {
	case '!': // print mode: font B, bold, double height, double width, underline
		m.fontB = n&0x01 != 0
		m.bold = n&0x08 != 0
		m.h, m.w = 1+int(n>>4&1), 1+int(n>>5&1)
		m.underline = int(n >> 7)
	case ' ':
		m.charSpacing = int(n)
	case '-':
		if u := int(n) % 48; u <= 2 {
			m.underline = u
		}
	case '3':
		m.spacing = int(n)
	case 'E', 'G':
		m.bold = n&1 == 1
	case 'J':
		return m.feedDots(int(n))
	case 'd':
		return m.feedDots(int(n) * m.spacing)
	case 'M':
		m.fontB = n == 1 || n == '1'
	case 'a':
		if a := n % 48; a <= 2 {
			m.align = a
		}
	}
	return nil
}

func (m *escpos) fs() error {
	c, err := m.next()
	if err != nil {
		return err
	}
	switch c {
	case '&':
		m.chinese = true
	case '.':
		m.chinese = false
	case '!', '-', 'C', 'W':
		return m.skip(1) // hanzi print mode, underline, code system, quadruple size
	case 'S', 'p', '?':
		return m.skip(2)
	case '2': // user-defined hanzi c1 c2 d(72)
		return m.skip(74)
	case 'q': // NV images: n [xL xH yL yH d(x·y·8)]…
		n, err := m.next()
		if err != nil {
			return err
		}
		for range int(n) {
			x, err := m.u16()
			if err != nil {
				return err
			}
			y, err := m.u16()
			if err != nil {
				return err
			}
			if err := m.skip(x * y * 8); err != nil {
				return err
			}
		}
	case '(': // FS ( fn pL pH d
		if _, err := m.next(); err != nil {
			return err
		}
		n, err := m.u16()
		if err != nil {
			return err
		}
		return m.skip(n)
	}
	return nil
}

func (m *escpos) gs() error {
	c, err := m.next()
	if err != nil {
		return err
	}
	switch c {
	case '!', 'B', 'r', 'I', 'V':
		n, err := m.next()
		if err != nil {
			return err
		}
		return m.gsArg(c, n)
	case 'L', 'W': // left margin, print area width
		n, err := m.u16()
		if err != nil {
			return err
		}
		if c == 'L' && n < m.dots {
			m.leftMargin = n
			m.areaWidth = min(m.areaWidth, m.dots-n)
		}
		if c == 'W' && n > 0 {
			m.areaWidth = min(n, m.dots-m.leftMargin)
		}
	case 'v':
		return m.raster()
	case 'k':
		return m.barcode()
	case '(': // GS ( fn pL pH d
		p, err := m.read(3)
		if err != nil {
			return err
		}
		n := int(p[1]) | int(p[2])<<8
		if p[0] == 'k' {
			return m.qr(n)
		}
		return m.skip(n)
	case '8': // GS 8 L p1 p2 p3 p4 d: 4-byte length
		p, err := m.read(5)
		if err != nil {
			return err
		}
		return m.skip(int(p[1]) | int(p[2])<<8 | int(p[3])<<16 | int(p[4])<<24)
	case '*': // downloaded bit image x y d(x·y·8)
		p, err := m.read(2)
		if err != nil {
			return err
		}
		return m.skip(int(p[0]) * int(p[1]) * 8)
	case '$', '\\', 'P':
		return m.skip(2)
	case '^':
		return m.skip(3)
	case '/', 'E', 'H', 'T', 'a', 'b', 'f', 'h', 'w', '|', 'j':
		return m.skip(1)
	}
	// Any other GS sequence is unknown: its prefix alone is skipped.
	return nil
}

// gsArg carries out GS c n.
func (m *escpos) gsArg(c, n byte) error {
	switch c {
	case '!':
		// An out-of-range magnification is ignored, as printers do.
		if w, h := int(n>>4)+1, int(n&0x0F)+1; w <= 8 && h <= 8 {
			m.w, m.h = w, h
		}
	case 'B':
		m.reverse = n&1 == 1
	case 'r', 'I':
		m.host.transmit(c, n)
	case 'V': // cut; the feed-first forms take the feed in n
		switch n {
		case 65, 66, 97, 98, 103, 104:
			f, err := m.next()
			if err != nil {
				return err
			}
			if err := m.feedDots(int(f)); err != nil {
				return err
			}
		}
		return m.cutPaper()
	}
	return nil
}

// barcode skips GS k: m 0–6 data NUL, or m 65–79 n data(n). Barcodes are not drawn.
func (m *escpos) barcode() error {
	mode, err := m.next()
	if err != nil {
		return err
	}
	if mode <= 6 {
		for i := 0; i < 256; i++ {
			b, err := m.next()
			if err != nil || b == 0 {
				return err
			}
		}
		return nil
	}
	n, err := m.next()
	if err != nil {
		return err
	}
	return m.skip(int(n))
}

// raster draws GS v 0 m xL xH yL yH d: x bytes a row, y rows, MSB leftmost; m doubles
// width (bit 0) and height (bit 1). It is placed by the justification (ESC a), as HPRT
// and many Chinese printers do; dots beyond the printable width are discarded.
func (m *escpos) raster() error {
	c, err := m.next()
	if err != nil {
		return err
	}
	if c != '0' {
		m.back = int(c) // not GS v 0: skip the prefix alone
		return nil
	}
	p, err := m.read(5)
	if err != nil {
		return err
	}
	mode := p[0] % 48
	x, y := int(p[1])|int(p[2])<<8, int(p[3])|int(p[4])<<8
	sw, sh := 1+int(mode&1), 1+int(mode>>1&1)
	keepX := min(x, (m.dots+7)/8)
	keepY := min(y, paperMaxDots)
	rows := make([][]byte, 0, min(keepY, 1024))
	for r := 0; r < y; r++ {
		if r < keepY {
			row, err := m.read(keepX)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			if err := m.skip(x - keepX); err != nil {
				return err
			}
			continue
		}
		if err := m.skip(x); err != nil {
			return err
		}
	}
	if len(m.line) > 0 {
		if err := m.printLine(); err != nil {
			return err
		}
	}
	if err := m.host.feed(len(rows) * sh); err != nil {
		return err
	}
	m.lock()
	defer m.unlock()
	x0 := m.leftMargin + m.alignOffset(x*8*sw)
	for r, row := range rows {
		for i := 0; i < len(row)*8; i++ {
			if row[i/8]&(0x80>>(i%8)) == 0 {
				continue
			}
			for dy := range sh {
				for dx := range sw {
					m.paper.set(x0+i*sw+dx, m.paper.y+r*sh+dy)
				}
			}
		}
	}
	m.paper.advance(len(rows) * sh)
	return nil
}

// qr handles GS ( k with n parameter bytes: QR model, module size, error correction,
// store and print. Other symbologies are skipped.
func (m *escpos) qr(n int) error {
	if n < 2 {
		return m.skip(n)
	}
	p, err := m.read(2)
	if err != nil {
		return err
	}
	cn, fn := p[0], p[1]
	n -= 2
	if cn != 0x31 {
		return m.skip(n)
	}
	switch {
	case fn == 0x50 && n >= 1: // store: m d…
		if err := m.skip(1); err != nil {
			return err
		}
		data, err := m.read(n - 1)
		if err != nil {
			return err
		}
		m.qrData = data
		return nil
	case fn == 0x51: // print
		if err := m.skip(n); err != nil {
			return err
		}
		return m.printQR()
	case n >= 1 && (fn == 0x41 || fn == 0x43 || fn == 0x45):
		v, err := m.next()
		if err != nil {
			return err
		}
		switch fn {
		case 0x41:
			m.qrModel = v
		case 0x43:
			if v >= 1 && v <= 16 {
				m.qrModule = v
			}
		case 0x45:
			if v >= 0x30 && v <= 0x33 {
				m.qrEC = v
			}
		}
		return m.skip(n - 1)
	}
	return m.skip(n)
}

// printQR draws the stored symbol as a printer does: model 2 only, and nothing at all
// when there is no data, too much data, or the symbol is wider than the print area.
func (m *escpos) printQR() error {
	if len(m.line) > 0 {
		if err := m.printLine(); err != nil {
			return err
		}
	}
	if m.qrModel != 0x32 || len(m.qrData) == 0 || len(m.qrData) > 7089 {
		return nil
	}
	key := string([]byte{m.qrEC}) + string(m.qrData)
	if key != m.qrCacheKey {
		m.qrCacheKey, m.qrCache = key, nil
		level := [...]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[m.qrEC-0x30]
		if q, err := qrcode.New(string(m.qrData), level); err == nil {
			q.DisableBorder = true
			m.qrCache = q.Bitmap()
		}
	}
	bm := m.qrCache
	size := len(bm) * int(m.qrModule)
	if len(bm) == 0 || size > m.areaWidth {
		return nil
	}
	if err := m.host.feed(size); err != nil {
		return err
	}
	m.lock()
	defer m.unlock()
	x0 := m.leftMargin + m.alignOffset(size)
	mod := int(m.qrModule)
	for y, row := range bm {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := range mod {
				for dx := range mod {
					m.paper.set(x0+x*mod+dx, m.paper.y+y*mod+dy)
				}
			}
		}
	}
	m.paper.advance(size)
	return nil
}

// RenderMaxPrintouts is the most pictures RenderESCPOS returns; later cuts are dropped.
const RenderMaxPrintouts = 32

// RenderESCPOS prints a byte stream on the emulator's paper, dots wide (576 for 80 mm,
// 384 for 58 mm), offline: one picture per cut, and a last one for anything printed
// after the last cut. The printer is assumed in Chinese mode at power-on only if
// chineseAtPowerOn; jobs built by devices/printer send FS & themselves.
func RenderESCPOS(stream []byte, dots int, chineseAtPowerOn bool) []*image.Paletted {
	h := &offlineHost{}
	m := newESCPOS(h, dots, chineseAtPowerOn)
	_ = m.run(bytes.NewReader(stream)) // an offline run ends only at the end of the stream
	if !m.paper.empty() {
		h.cut(m.paper)
	}
	return h.images
}

type offlineHost struct{ images []*image.Paletted }

func (*offlineHost) feed(int) error      { return nil }
func (*offlineHost) transmit(byte, byte) {}

func (h *offlineHost) cut(p *paper) {
	if len(h.images) < RenderMaxPrintouts {
		h.images = append(h.images, p.image())
	}
}
