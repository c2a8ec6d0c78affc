// Package printer drives an ESC/POS thermal receipt printer over a serial line: a
// document builder that turns text, label/value rows, QR codes and a cut into the
// printer's bytes (Chinese text in 2-byte GB18030), printer profiles (80 / 58 mm, QR,
// cutter, baud), real-time status (DLE EOT), and a driver that sends a job paced to
// the printer's buffer, honours XON/XOFF, and checks the status before and after.
//
// The byte-level facts are in shared/protocols/escpos.md; the emulator in devices/sim
// speaks the same bytes.
package printer

import (
	"fmt"
	"strings"
)

// Align is a line's horizontal alignment (ESC a).
type Align byte

// Alignments.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Row is a label/value pair printed in two columns by Doc.Rows.
type Row struct {
	Label string
	Value string
}

// Doc builds one print job. Every job starts with ESC @ (initialise) and FS & (Chinese
// mode). Text is encoded as 2-byte GB18030 (GBK); before encoding, ¥ becomes ￥, a
// no-break, thin or other wide space or a tab becomes a space, • becomes ·, − a hyphen,
// 〜 ～, ² and ³ the digits 2 and 3, and zero-width characters (Keep's word joiners, a
// zero-width space, a byte-order mark, a soft hyphen) are dropped. Any other character
// the printer cannot print makes the document fail with an *UnprintableError.
//
// Methods record the first error and then do nothing (like bufio.Writer); Job returns it.
// A Doc is not safe for concurrent use.
type Doc struct {
	prof  Profile
	buf   []byte
	units []int // end offsets of indivisible units (commands, text lines)
	err   error

	align     Align
	bold      bool
	underline int
	w, h      int
	spacing   int // line spacing in dots; 0 = the printer's default (ESC 2)

	substitute  bool // print what the printer cannot as □ (Substitute)
	substituted int
}

// NewDoc starts a document for a printer profile.
func NewDoc(p Profile) *Doc {
	d := &Doc{prof: p, buf: make([]byte, 0, 1024), units: make([]int, 0, 64), w: 1, h: 1}
	if err := p.Validate(); err != nil {
		d.err = err
		return d
	}
	d.emit(0x1B, 0x40) // ESC @
	d.emit(0x1C, 0x26) // FS &
	return d
}

// Substitute makes the document print each character the printer cannot print as □
// (a control character as a space) instead of failing with an *UnprintableError: for
// text from outside, a name or a utility's words, on a receipt that must print all the
// same. Job.Substituted counts them.
func (d *Doc) Substitute() { d.substitute = true }

// Profile returns the profile the document is built for.
func (d *Doc) Profile() Profile { return d.prof }

// Err returns the first error, if any.
func (d *Doc) Err() error { return d.err }

// Columns is the number of columns on a line at the current character width.
func (d *Doc) Columns() int { return d.prof.Columns / d.w }

// emit appends one command as an indivisible unit.
func (d *Doc) emit(b ...byte) {
	d.buf = append(d.buf, b...)
	d.units = append(d.units, len(d.buf))
}

func (d *Doc) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Align sets the alignment of the following lines (ESC a n).
func (d *Doc) Align(a Align) {
	if d.err != nil || a == d.align {
		return
	}
	if a > Right {
		d.fail(fmt.Errorf("printer: alignment %d is out of range", a))
		return
	}
	d.align = a
	d.emit(0x1B, 0x61, byte(a))
}

// Bold turns emphasis on or off (ESC E n).
func (d *Doc) Bold(on bool) {
	if d.err != nil || on == d.bold {
		return
	}
	d.bold = on
	d.emit(0x1B, 0x45, b2i(on))
}

// Underline sets the underline thickness in dots, 0 (off), 1 or 2 (ESC - n).
func (d *Doc) Underline(dots int) {
	if d.err != nil || dots == d.underline {
		return
	}
	if dots < 0 || dots > 2 {
		d.fail(fmt.Errorf("printer: underline %d is out of range (0–2)", dots))
		return
	}
	d.underline = dots
	d.emit(0x1B, 0x2D, byte(dots))
}

// Size sets the character magnification, 1–8 in each direction (GS ! n). Text is
// wrapped to Columns()/w characters.
func (d *Doc) Size(w, h int) {
	if d.err != nil || (w == d.w && h == d.h) {
		return
	}
	if w < 1 || w > 8 || h < 1 || h > 8 {
		d.fail(fmt.Errorf("printer: size %d×%d is out of range (1–8)", w, h))
		return
	}
	d.w, d.h = w, h
	d.emit(0x1D, 0x21, byte((w-1)<<4|(h-1)))
}

// LineSpacing sets the feed after each line in dots, 1–255 (ESC 3 n), or back to the
// printer's default of 1/6 inch with 0 (ESC 2). A line of magnified characters taller
// than the spacing feeds by its own height, so lines touch; a spacing above that height
// leaves a gap between them.
func (d *Doc) LineSpacing(dots int) {
	if d.err != nil || dots == d.spacing {
		return
	}
	if dots < 0 || dots > 255 {
		d.fail(fmt.Errorf("printer: line spacing %d is out of range (0–255)", dots))
		return
	}
	d.spacing = dots
	if dots == 0 {
		d.emit(0x1B, 0x32)
		return
	}
	d.emit(0x1B, 0x33, byte(dots))
}

// Reset returns alignment, emphasis, underline, size and line spacing to their
// defaults.
func (d *Doc) Reset() {
	d.Align(Left)
	d.Bold(false)
	d.Underline(0)
	d.Size(1, 1)
	d.LineSpacing(0)
}

// Line prints text and ends the line, wrapping it on the host at the current width so
// that breaks fall at spaces or between hanzi. A "\n" in text starts a new line. A
// centred text that needs several lines is split into lines of nearly equal width.
func (d *Doc) Line(text string) {
	if d.err != nil {
		return
	}
	var lines []string
	if d.align == Center {
		lines = balance(text, d.Columns())
	} else {
		lines = Wrap(text, d.Columns())
	}
	for _, l := range lines {
		d.textLine(l)
	}
}

func (d *Doc) textLine(l string) {
	buf, err := appendEncoded(d.buf, l, d.prof.Charset)
	if err != nil && d.substitute {
		// Only a line the printer cannot print whole is looked at character by character.
		var n int
		l, n = printable(l, d.prof.Charset)
		d.substituted += n
		buf, err = appendEncoded(d.buf, l, d.prof.Charset)
	}
	if err != nil {
		d.fail(err)
		return
	}
	d.buf = buf
	d.emit(0x0A)
}

// Feed feeds n blank lines (ESC d n), 0–255.
func (d *Doc) Feed(n int) {
	if d.err != nil || n == 0 {
		return
	}
	if n < 0 || n > 255 {
		d.fail(fmt.Errorf("printer: feed %d is out of range (0–255)", n))
		return
	}
	d.emit(0x1B, 0x64, byte(n))
}

// Rule prints a dashed horizontal rule across the paper, in normal size and weight; the
// current style is restored afterwards.
func (d *Doc) Rule() {
	if d.err != nil {
		return
	}
	a, b, u, w, h, sp := d.align, d.bold, d.underline, d.w, d.h, d.spacing
	d.Reset()
	d.textLine(strings.Repeat("-", d.prof.Columns))
	d.Align(a)
	d.Bold(b)
	d.Underline(u)
	d.Size(w, h)
	d.LineSpacing(sp)
}

// Rows prints label/value pairs in two columns aligned by display width: the label
// column is as wide as the widest label (at most half the line), two spaces, then the
// value. Labels and values that do not fit wrap within their own column. Rows are
// printed left-aligned in the current style.
func (d *Doc) Rows(rows ...Row) {
	if d.err != nil || len(rows) == 0 {
		return
	}
	const gap = 2
	cols := d.Columns()
	lw := 0
	for _, r := range rows {
		lw = max(lw, Width(r.Label))
	}
	lw = min(lw, cols/2-gap)
	vw := cols - lw - gap
	align := d.align
	d.Align(Left)
	defer d.Align(align)
	if lw < 2 {
		// Too narrow for two columns (large characters on narrow paper): each label
		// above its value.
		for _, r := range rows {
			for _, l := range append(Wrap(r.Label, cols), Wrap(r.Value, cols)...) {
				d.textLine(l)
			}
		}
		return
	}
	var line strings.Builder
	for _, r := range rows {
		labels, values := Wrap(r.Label, lw), Wrap(r.Value, vw)
		for i := range max(len(labels), len(values)) {
			line.Reset()
			l := ""
			if i < len(labels) {
				l = labels[i]
			}
			line.WriteString(l)
			if i < len(values) && values[i] != "" {
				line.WriteString(strings.Repeat(" ", lw-Width(l)+gap))
				line.WriteString(values[i])
			}
			d.textLine(line.String())
		}
	}
}

// Cut ends the receipt: feed to the cutter and cut (GS V 66 0 partial, GS V 65 0 full),
// or with CutNone feed the last line past the tear bar (ESC d 4).
func (d *Doc) Cut() {
	if d.err != nil {
		return
	}
	d.emit(cutBytes(d.prof.Cut)...)
}

func cutBytes(c Cut) []byte {
	switch c {
	case CutFull:
		return []byte{0x1D, 0x56, 0x41, 0x00}
	case CutPartial:
		return []byte{0x1D, 0x56, 0x42, 0x00}
	}
	return []byte{0x1B, 0x64, 0x04}
}

// Job returns the finished job, or the document's first error.
func (d *Doc) Job() (*Job, error) {
	if d.err != nil {
		return nil, d.err
	}
	return &Job{Data: d.buf, units: d.units, Substituted: d.substituted}, nil
}

// Bytes returns the job's bytes, or the document's first error.
func (d *Doc) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	return d.buf, nil
}

// Job is a finished print job: the bytes to send, and where they may be divided.
type Job struct {
	// Data is the byte stream.
	Data []byte
	// Substituted is how many characters were printed as □ or a space (Doc.Substitute).
	Substituted int
	// units are end offsets of commands that must reach the printer whole: the driver
	// inserts status queries and GS r barriers only between them.
	units []int
}

// RawJob wraps bytes built elsewhere (a captured stream, a file) as a job. Having no
// known command boundaries, the driver sends it without barriers inside, relying on
// pacing and XON/XOFF alone.
func RawJob(b []byte) *Job { return &Job{Data: b, units: []int{len(b)}} }

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}
