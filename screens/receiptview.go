package screens

import (
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	xdraw "golang.org/x/image/draw"

	"github.com/liangzihu/kiosk/screens/touch"
)

// stripRows is the most dots of paper in one strip of the demo receipt view where the
// printout has a blank row to cut at (a QR code or a tall title is never cut).
const stripRows = 120

// demoReceiptPage is the picture the printer emulator drew of the last receipt (demo
// mode).
func demoReceiptPage(s *Shell) Page {
	return Page{Name: "demo-receipt", TitleKey: "demo.receipt_title", Build: func() fyne.CanvasObject {
		img, err := s.K.Demo.LastReceipt()
		if err != nil {
			return note(s.T("demo.no_receipt"), widget.MediumImportance)
		}
		// Paper is read at a fixed, readable scale and paged like the other long
		// screens: an acceptance receipt is two metres of dots.
		scale := float32(0.75)
		if s.K.Elderly() {
			scale = 1
		}
		p := s.pager(s.receiptStrips(img, scale)...)
		p.Abut = true
		return p
	}}
}

// keptReceipt is the demo receipt's strips as pictures, kept across renders of its
// screen: each new picture is scaled again from the printout, 20 ms of each frame.
// The shell forgets them when it goes home or the session ends.
type keptReceipt struct {
	of     image.Image
	scale  float32
	blocks []fyne.CanvasObject
}

// receiptStrips returns the printout's strips as pictures at scale, edge to edge in a
// pager (Abut). The printout is scaled once (30–36 ms for an acceptance receipt) and the
// strips cut from that: strips scaled one by one came out a pixel wider or narrower
// than each other, and the printout's left edge stepped at every cut.
func (s *Shell) receiptStrips(img image.Image, scale float32) []fyne.CanvasObject {
	if k := s.receipt; k != nil && k.of == img && k.scale == scale {
		return k.blocks
	}
	scaled := scaleImage(img, scale)
	from, to := img.Bounds(), scaled.Bounds()
	row := func(y int) int { return to.Min.Y + (y-from.Min.Y)*to.Dy()/from.Dy() }
	var blocks []fyne.CanvasObject
	for _, strip := range receiptStrips(img, stripRows) {
		b := strip.Bounds()
		part := scaled.SubImage(image.Rect(to.Min.X, row(b.Min.Y), to.Max.X, row(b.Max.Y)))
		pb := part.Bounds()
		// Centred at its own size: the picture is drawn pixel for pixel, not fitted
		// to the pager's width.
		blocks = append(blocks, container.NewCenter(touch.NewPicture(part, fyne.NewSize(float32(pb.Dx()), float32(pb.Dy())))))
	}
	s.receipt = &keptReceipt{of: img, scale: scale, blocks: blocks}
	return blocks
}

// subImager is an image whose parts can be taken without a copy (image.RGBA,
// image.Paletted, …).
type subImager interface {
	image.Image
	SubImage(image.Rectangle) image.Image
}

// scaleImage returns img scaled by f (itself at 1), in grey: a receipt is black on
// white. Bilinear, from grey: Catmull-Rom from the emulator's paletted picture took
// 75–83 ms for an acceptance receipt, and the printout is dots, not a photograph.
func scaleImage(img image.Image, f float32) subImager {
	b := img.Bounds()
	if sub, ok := img.(subImager); ok && f == 1 {
		return sub
	}
	dst := image.NewGray(image.Rect(0, 0, int(float32(b.Dx())*f+0.5), int(float32(b.Dy())*f+0.5)))
	xdraw.BiLinear.Scale(dst, dst.Bounds(), grey(img), b, xdraw.Src, nil)
	return dst
}

// grey is img in grey; a paletted picture is converted through its palette, fast.
func grey(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(b)
	p, ok := img.(*image.Paletted)
	if !ok {
		draw.Draw(g, b, img, b.Min, draw.Src)
		return g
	}
	lut := make([]uint8, len(p.Palette))
	for i, c := range p.Palette {
		lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src, dst := p.Pix[p.PixOffset(b.Min.X, y):][:b.Dx()], g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]
		for x, c := range src {
			if int(c) < len(lut) {
				dst[x] = lut[c]
			}
		}
	}
	return g
}

// receiptStrips cuts a printout into strips at blank rows, each no taller than max
// rows unless the printout has no blank row to cut at, so that the gaps the pager puts
// between strips fall on blank paper.
func receiptStrips(img image.Image, max int) []image.Image {
	sub, ok := img.(subImager)
	r := img.Bounds()
	if !ok || r.Empty() {
		return []image.Image{img}
	}
	var strips []image.Image
	start, cut := r.Min.Y, -1
	for y := r.Min.Y; y < r.Max.Y; y++ {
		if y-start >= max && cut > start {
			strips = append(strips, sub.SubImage(image.Rect(r.Min.X, start, r.Max.X, cut)))
			start = cut
		}
		if blankRow(img, y) {
			cut = y
		}
	}
	return append(strips, sub.SubImage(image.Rect(r.Min.X, start, r.Max.X, r.Max.Y)))
}

// blankRow reports whether row y of the printout is unprinted paper. The emulator's
// pictures are paletted: those are read straight from their pixels (a long receipt
// has over a million).
func blankRow(img image.Image, y int) bool {
	r := img.Bounds()
	if p, ok := img.(*image.Paletted); ok {
		dark := make([]bool, len(p.Palette))
		for i, c := range p.Palette {
			dark[i] = isDark(c)
		}
		off := p.PixOffset(r.Min.X, y)
		for _, c := range p.Pix[off : off+r.Dx()] {
			if int(c) >= len(dark) || dark[c] {
				return false
			}
		}
		return true
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		if isDark(img.At(x, y)) {
			return false
		}
	}
	return true
}

func isDark(c color.Color) bool { return color.GrayModel.Convert(c).(color.Gray).Y < 0x80 }
