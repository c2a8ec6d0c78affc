package sim

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/liangzihu/kiosk/assets"
)

// paperMaxDots caps one printout's length (1 m at 8 dots/mm), so that a broken or
// hostile stream cannot make the emulator allocate without bound.
const paperMaxDots = 8000

// paper is one printout being printed: a strip of dots, 1 = black.
type paper struct {
	dots int    // printable width
	pix  []byte // dots × rows, row-major
	y    int    // print position (dots from the top)
}

func newPaper(dots int) *paper { return &paper{dots: dots} }

// ensure grows the strip to hold rows [0, y).
func (p *paper) ensure(y int) {
	y = min(y, paperMaxDots)
	if need := y * p.dots; need > len(p.pix) {
		p.pix = append(p.pix, make([]byte, need-len(p.pix))...)
	}
}

func (p *paper) set(x, y int) {
	if x < 0 || x >= p.dots || y < 0 || y >= paperMaxDots {
		return
	}
	p.ensure(y + 1)
	p.pix[y*p.dots+x] = 1
}

// advance moves the print position down by n dots (blank paper costs no memory until
// the picture is made).
func (p *paper) advance(n int) {
	p.y = min(p.y+n, paperMaxDots)
}

// empty reports whether nothing was printed and the paper did not move.
func (p *paper) empty() bool { return p.y == 0 && len(p.pix) == 0 }

// image renders the strip as the paper looks: the paper's full width (the printable
// area centred, with the unprintable margins), and a short margin above and below.
func (p *paper) image() *image.Paletted {
	side := paperMargin(p.dots)
	const top = 24
	h := max(p.y, len(p.pix)/p.dots)
	img := image.NewPaletted(image.Rect(0, 0, p.dots+2*side, h+2*top), color.Palette{color.White, color.Black})
	for y := 0; y*p.dots < len(p.pix); y++ {
		row := p.pix[y*p.dots : (y+1)*p.dots]
		off := img.PixOffset(side, y+top)
		copy(img.Pix[off:off+p.dots], row)
	}
	return img
}

// paperMargin is the unprintable margin on each side: 4 mm on 80 mm paper (576 of 640
// dots printable), 5 mm on 58 mm paper (384 of 464).
func paperMargin(dots int) int {
	if dots <= 384 {
		return 40
	}
	return 32
}

// EncodePNG encodes a printout as a 1-bit PNG.
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// glyph is a character's bitmap in its Font A cell: 12×24 (ASCII) or 24×24 (hanzi).
type glyph struct {
	w, h    int
	bits    []byte // w × h, 1 = black
	missing bool   // the font has no such character: bits is a hollow box
}

// glyphAliases are code points that GB tables disagree on: GBK decodes A1AA as U+2014,
// GB2312 tables (and so the bundled font's subset) as U+2015.
var glyphAliases = map[rune]rune{0x2014: 0x2015, 0x2015: 0x2014}

// The font is the kiosk's bundled CJK font (a Noto Sans CJK SC subset). Glyphs are
// rasterised once, without anti-aliasing, as a thermal head prints them.
var glyphs struct {
	once  sync.Once
	font  *sfnt.Font
	err   error
	mu    sync.Mutex
	cache map[rune]*glyph
	buf   sfnt.Buffer
}

// glyphFor returns the bitmap of r: wide (24×24) for hanzi and other 2-byte
// characters, narrow (12×24) for ASCII. A character missing from the font prints as a
// hollow box, as printers print characters missing from their ROM.
func glyphFor(r rune, wide bool) *glyph {
	glyphs.once.Do(func() {
		glyphs.font, glyphs.err = sfnt.Parse(assets.Font)
		glyphs.cache = map[rune]*glyph{}
	})
	glyphs.mu.Lock()
	defer glyphs.mu.Unlock()
	key := r
	if !wide {
		key = -1 - r // narrow and wide forms of one rune are distinct cells
	}
	if g, ok := glyphs.cache[key]; ok {
		return g
	}
	g := rasterGlyph(r, wide)
	if alt, ok := glyphAliases[r]; ok && g.missing {
		g = rasterGlyph(alt, wide)
	}
	glyphs.cache[key] = g
	return g
}

func rasterGlyph(r rune, wide bool) *glyph {
	w, h := 12, 24
	size, baseline := fixed.I(22), float32(19)
	if wide {
		w, size, baseline = 24, fixed.I(24), 21
	}
	g := &glyph{w: w, h: h, bits: make([]byte, w*h)}
	if r == ' ' || r == '\u3000' {
		return g
	}
	f := glyphs.font
	var idx sfnt.GlyphIndex
	var segs sfnt.Segments
	var err error = glyphs.err
	if err == nil {
		idx, err = f.GlyphIndex(&glyphs.buf, r)
	}
	if err == nil && idx != 0 {
		segs, err = f.LoadGlyph(&glyphs.buf, idx, size, nil)
	}
	if err != nil || idx == 0 || len(segs) == 0 {
		box(g)
		g.missing = true
		return g
	}
	// Fit the ink horizontally into the cell: centred, squeezed if wider (ASCII glyphs
	// of a proportional font are wider than 12 dots).
	b := segs.Bounds()
	minX, maxX := float32(b.Min.X)/64, float32(b.Max.X)/64
	sx, off := float32(1), float32(0)
	if !wide {
		if ink := maxX - minX; ink > float32(w-1) {
			sx = float32(w-1) / ink
			off = 0.5 - minX*sx
		} else {
			off = (float32(w)-ink)/2 - minX
		}
	}
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64*sx + off, float32(p.Y)/64 + baseline
	}
	ras := vector.NewRasterizer(w, h)
	for i, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			if i > 0 {
				ras.ClosePath() // contours are implicitly closed
			}
			ras.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			ras.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			ras.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			x3, y3 := pt(s.Args[2])
			ras.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	ras.ClosePath()
	a := image.NewAlpha(image.Rect(0, 0, w, h))
	ras.Draw(a, a.Bounds(), image.Opaque, image.Point{})
	for i, v := range a.Pix {
		if v >= 0x70 {
			g.bits[i] = 1
		}
	}
	return g
}

// box draws a hollow rectangle: the mark for a character the font lacks.
func box(g *glyph) {
	for y := 3; y < g.h-2; y++ {
		for x := 1; x < g.w-1; x++ {
			if y == 3 || y == g.h-3 || x == 1 || x == g.w-2 {
				g.bits[y*g.w+x] = 1
			}
		}
	}
}
