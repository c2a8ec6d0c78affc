package softdriver

import (
	"bytes"
	"image"

	"fyne.io/fyne/v2"

	"github.com/liangzihu/kiosk/screens/paint"
)

// Presenter paints a canvas and puts on a display what changed since the frame it put
// last: the software renderer's frame. It paints into two frames in turn, the one on
// show and the next, so that a frame allocates nothing. It is not safe for concurrent
// use (the driver's loop owns it).
type Presenter struct {
	painter     *paint.Painter
	display     Putter
	shown, next *image.RGBA
	exposed     bool
}

// Putter shows the part r of a picture at the same place: a Display, or an xwin.Window.
type Putter interface {
	Put(img *image.RGBA, r image.Rectangle) error
}

// NewPresenter returns a presenter that paints with p and puts on d.
func NewPresenter(p *paint.Painter, d Putter) *Presenter {
	return &Presenter{painter: p, display: d}
}

// Expose has the next Present put the whole frame: the display lost what it showed.
func (p *Presenter) Expose() { p.exposed = true }

// Shown is the frame on show, nil before the first; it is the presenter's own, to read
// on its goroutine.
func (p *Presenter) Shown() *image.RGBA { return p.shown }

// Present paints c and puts the rows that changed (every row after Expose, or when the
// size changed); nothing when none did.
func (p *Presenter) Present(c fyne.Canvas) error {
	frame := p.painter.Repaint(p.next, c)
	p.next = frame
	r := frame.Bounds()
	if !p.exposed && p.shown != nil && p.shown.Bounds() == r {
		r = changed(p.shown, frame)
	}
	if r.Empty() {
		return nil
	}
	if err := p.display.Put(frame, r); err != nil {
		return err
	}
	p.exposed = false
	p.shown, p.next = frame, p.shown
	return nil
}

// changed returns the smallest rectangle holding every pixel in which a and b (of one
// size) differ: whole rows, from the first row that differs to the last.
func changed(a, b *image.RGBA) image.Rectangle {
	r := a.Bounds()
	rowBytes := r.Dx() * 4
	row := func(y int) bool {
		i := a.PixOffset(r.Min.X, y)
		return !bytes.Equal(a.Pix[i:i+rowBytes], b.Pix[i:i+rowBytes])
	}
	top := r.Min.Y
	for top < r.Max.Y && !row(top) {
		top++
	}
	if top == r.Max.Y {
		return image.Rectangle{}
	}
	bottom := r.Max.Y
	for !row(bottom - 1) {
		bottom--
	}
	return image.Rect(r.Min.X, top, r.Max.X, bottom)
}
