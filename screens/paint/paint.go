// Package paint is a software painter for Fyne canvases that keeps what it has drawn.
//
// Fyne's own software painter (fyne.io/fyne/v2/driver/software) rasterises every object
// of the canvas on every paint, into an *image.NRGBA, for which Go's image/draw has no
// fast path: painting an empty 1280×800 canvas takes it about 26 ms on the kiosk's
// machine (docs/benchmarks.md, Screens). This painter does what Fyne's OpenGL painter
// does with textures: it has Fyne's software painter draw each object once, on a small
// canvas of its own, keeps the pixels under a key made of everything that decides them
// (text, colours, size, style, …, not the object's identity, so a screen built again
// finds them), and composites them into an *image.RGBA, where image/draw's fast paths
// apply. Plain rectangles are filled directly, and a rounded or stroked rectangle's
// inside, one colour, is filled rather than composited.
//
// The picture is Fyne's, to within Tolerance where translucent layers meet (the
// package's test and the kiosk's screen benchmark compare the two painters' pictures).
// It knows the kinds of object the kiosk's screens hold: rectangles, text, images,
// rasters and lines, in containers and widgets. It does not clip (the kiosk has no
// scrolling) and skips any other kind of object, counting it in Stats.Skipped.
//
// It paints the kiosk's window where it runs without OpenGL (screens/softdriver), and
// the tests', benchmarks' and tools' pictures.
package paint

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"reflect"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/screens/objtree"
)

// Tolerance is how far, in 8-bit units of a channel, a picture of this painter may be
// from Fyne's painter's: it keeps pixels alpha-premultiplied where Fyne's keeps them
// straight, so a translucent pixel rounds differently, once for each layer.
const Tolerance = 3

// Keep is how long a Painter keeps the pixels of an object it no longer paints: as
// Fyne keeps its textures, about a minute. A visit's texts (a masked name, a phone
// number typed) are then gone from memory a minute or so after the visit.
const Keep = time.Minute

// DefaultCacheBytes bounds the pixels a Painter keeps: about forty full screens.
const DefaultCacheBytes = 160 << 20

// Painter paints a canvas as a window shows it: the theme's background, the content,
// then the overlays. It implements fyne.io/fyne/v2/driver.Painter. Like Fyne's
// painters it reads the objects, so it paints on Fyne's goroutine; its methods may be
// called from several goroutines and paints are serialised. The pixels it keeps hold
// the theme's fonts and the colours of themed icons: after a change of theme, Reset.
type Painter struct {
	mu     sync.Mutex
	tex    map[any]*texture
	bytes  int
	limit  int
	frame  uint64
	now    time.Time // when the paint under way began
	swept  time.Time // when textures were last checked for their age
	keep   time.Duration
	stats  Stats
	canvas software.WindowlessCanvas // where Fyne's painter draws one object
}

// Stats counts a Painter's work since it was made.
type Stats struct {
	Paints  int // canvases painted
	Drawn   int // objects drawn by Fyne's painter, on a miss
	Reused  int // objects composited from kept pixels
	Skipped int // objects of a kind the painter does not know, not drawn
}

// texture is one object's pixels, cropped to those not transparent.
type texture struct {
	img *image.RGBA
	// at is where the texture's origin falls relative to the object's pixel
	// position (floor of its position on the canvas, in pixels).
	at image.Point
	// inside is a part of img that is one opaque colour (a rectangle's fill), filled
	// rather than composited; empty when there is none.
	inside image.Rectangle
	fill   color.RGBA
	used   uint64    // the last paint that used it
	usedAt time.Time // and when that was
}

// New returns a Painter that keeps up to DefaultCacheBytes of pixels.
func New() *Painter { return NewWithLimit(DefaultCacheBytes) }

// NewWithLimit returns a Painter that keeps up to limit bytes of pixels; when a paint
// goes over, it forgets every texture the paint did not use.
func NewWithLimit(limit int) *Painter {
	c := software.NewTransparentCanvas()
	c.SetPadded(false)
	return &Painter{tex: map[any]*texture{}, limit: limit, keep: Keep, canvas: c}
}

// SetKeep sets how long the pixels of an object no longer painted are kept (Keep
// unless set).
func (p *Painter) SetKeep(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keep = d
}

// Reset forgets every pixel kept.
func (p *Painter) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.tex)
	p.bytes = 0
}

// Stats returns the painter's counts.
func (p *Painter) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Paint paints c into a new *image.RGBA of its size in pixels.
func (p *Painter) Paint(c fyne.Canvas) image.Image { return p.Repaint(nil, c) }

// Repaint paints c into dst when dst is c's size in pixels, else into a new
// *image.RGBA, and returns the picture: a window paints into the same two frames again
// and again.
func (p *Painter) Repaint(dst *image.RGBA, c fyne.Canvas) *image.RGBA {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frame++
	p.now = time.Now()
	p.stats.Paints++
	s := c.Scale()
	size := c.Size()
	bounds := image.Rect(0, 0, screen(size.Width, s), screen(size.Height, s))
	if dst == nil || dst.Bounds() != bounds {
		dst = image.NewRGBA(bounds)
	}
	draw.Draw(dst, dst.Bounds(), image.NewUniform(theme.Color(theme.ColorNameBackground)), image.Point{}, draw.Src)
	if content := c.Content(); content != nil {
		p.walk(dst, s, content, fyne.Position{})
	}
	for _, o := range c.Overlays().List() {
		p.walk(dst, s, o, fyne.Position{})
	}
	if p.bytes > p.limit {
		p.forgetUnused()
	}
	if p.now.Sub(p.swept) >= p.keep/4 {
		p.forgetOlder(p.now.Add(-p.keep))
		p.swept = p.now
	}
	return dst
}

// walk paints o, at offset from the canvas's origin, and what it holds.
func (p *Painter) walk(dst *image.RGBA, s float32, o fyne.CanvasObject, offset fyne.Position) {
	if o == nil || !o.Visible() {
		return
	}
	pos := offset.Add(o.Position())
	switch t := o.(type) {
	case *fyne.Container:
		for _, child := range t.Objects {
			p.walk(dst, s, child, pos)
		}
	case fyne.Widget:
		for _, child := range objtree.Children(t) {
			p.walk(dst, s, child, pos)
		}
	case *canvas.Rectangle:
		p.rectangle(dst, s, t, pos)
	case *canvas.Text:
		if t.Text != "" {
			p.text(dst, s, t, pos)
		}
	case *canvas.Image:
		if k, ok := imageKey(t); ok {
			p.object(dst, s, pos, k, t.Size(), func() fyne.CanvasObject { return cloneImage(t) })
		} else {
			p.once(dst, s, pos, t.Size(), cloneImage(t))
		}
	case *canvas.Raster:
		p.raster(dst, s, t, pos)
	case *canvas.Line:
		p.object(dst, s, pos, lineKey(t), t.Size(), func() fyne.CanvasObject { return cloneLine(t) })
	case *canvas.Circle, *canvas.Ellipse, *canvas.Arc, *canvas.LinearGradient, *canvas.RadialGradient,
		*canvas.RegularPolygon, *canvas.ArbitraryPolygon, *canvas.BezierCurve, *canvas.Blur:
		p.stats.Skipped++ // drawn by Fyne's painter, not by this one
	}
}

// text composites a text's pixels where Fyne's painter puts them: its natural size,
// aligned in the object's size. Texts are kept without the object's size, so a label
// of the same words in a box of another width finds them.
func (p *Painter) text(dst *image.RGBA, s float32, t *canvas.Text, pos fyne.Position) {
	natural, size := t.MinSize(), t.Size()
	var dx, dy float32
	switch t.Alignment {
	case fyne.TextAlignTrailing:
		dx = size.Width - natural.Width
	case fyne.TextAlignCenter:
		dx = (size.Width - natural.Width) / 2
	}
	if size.Height > natural.Height {
		dy = (size.Height - natural.Height) / 2
	}
	p.object(dst, s, pos.AddXY(dx, dy), textKey(t), natural, func() fyne.CanvasObject { return cloneText(t) })
}

// screen is Fyne's conversion of a length to pixels.
func screen(v, s float32) int { return int(math.Ceil(float64(v * s))) }

// rectangle fills a plain rectangle and composites any other.
func (p *Painter) rectangle(dst *image.RGBA, s float32, r *canvas.Rectangle, pos fyne.Position) {
	if size := r.Size(); size.Width <= 0 || size.Height <= 0 {
		return
	}
	stroked := r.StrokeColor != nil && r.StrokeWidth > 0
	rounded := r.CornerRadius != 0 || r.TopLeftCornerRadius != 0 || r.TopRightCornerRadius != 0 ||
		r.BottomLeftCornerRadius != 0 || r.BottomRightCornerRadius != 0
	if !stroked && !rounded && r.Aspect == 0 && !shadowed(r.Shadow) {
		if r.FillColor == nil {
			return
		}
		x, y := screen(pos.X, s), screen(pos.Y, s)
		size := r.Size()
		at := image.Rect(x, y, x+screen(size.Width, s), y+screen(size.Height, s))
		op := draw.Over
		if _, _, _, a := r.FillColor.RGBA(); a == 0xffff {
			op = draw.Src
		}
		draw.Draw(dst, at, image.NewUniform(r.FillColor), image.Point{}, op)
		return
	}
	p.object(dst, s, pos, rectKey(r), r.Size(), func() fyne.CanvasObject { return cloneRect(r) })
}

func shadowed(sh canvas.Shadow) bool {
	if sh.Color == nil {
		return false
	}
	_, _, _, a := sh.Color.RGBA()
	return a != 0
}

// raster draws the generator's picture as Fyne's painter does when it is of the
// asked size: the picture changes when the generator's state does, so it is not kept.
func (p *Painter) raster(dst *image.RGBA, s float32, r *canvas.Raster, pos fyne.Position) {
	size := r.Size()
	if size.IsZero() || r.Generator == nil {
		return
	}
	w, h := screen(size.Width, s), screen(size.Height, s)
	pix := r.Generator(w, h)
	if pix.Bounds().Dx() != w || pix.Bounds().Dy() != h {
		clone := canvas.NewRaster(func(int, int) image.Image { return pix })
		clone.ScaleMode, clone.Translucency = r.ScaleMode, r.Translucency
		p.once(dst, s, pos, size, clone)
		return
	}
	x, y := screen(pos.X, s), screen(pos.Y, s)
	draw.Draw(dst, image.Rect(x, y, x+w, y+h), pix, pix.Bounds().Min, draw.Over)
}

// object composites the texture kept under key, drawn first if there is none.
// key already holds the fraction of a pixel of the object's position.
func (p *Painter) object(dst *image.RGBA, s float32, pos fyne.Position, key any, size fyne.Size, clone func() fyne.CanvasObject) {
	if nothing(size) {
		return
	}
	full := positioned{key, s, frac(pos.X, s), frac(pos.Y, s)}
	t := p.tex[full]
	if t == nil {
		t = p.draw(s, pos, size, clone())
		p.tex[full] = t
		p.bytes += len(t.img.Pix)
	} else {
		p.stats.Reused++
	}
	t.used, t.usedAt = p.frame, p.now
	p.composite(dst, s, pos, t)
}

// once draws o for this paint only.
func (p *Painter) once(dst *image.RGBA, s float32, pos fyne.Position, size fyne.Size, o fyne.CanvasObject) {
	if nothing(size) {
		return
	}
	p.composite(dst, s, pos, p.draw(s, pos, size, o))
}

// nothing reports a size with nothing to see: squeezed by a layout (Fyne's software
// painter panics on a rectangle narrower than nothing), or not laid out yet. A line
// may be flat in one direction, not in both.
func nothing(size fyne.Size) bool { return size.Width < 0 || size.Height < 0 || size.IsZero() }

// positioned is a texture's key: what decides its pixels, the canvas's scale, and
// where, within a pixel, the object stands (Fyne rounds positions up to whole pixels
// after adding offsets such as a stroke's, so the fraction changes the picture).
type positioned struct {
	key    any
	scale  float32
	fx, fy float32
}

func frac(v, s float32) float32 {
	px := v * s
	return px - float32(math.Floor(float64(px)))
}

// margin is the room, in pixels, around an object's texture canvas: Fyne's painter
// draws strokes, lines, shadows, italics and descenders beyond an object's bounds.
func margin(o fyne.CanvasObject, s float32) int {
	var m float32
	switch t := o.(type) {
	case *canvas.Rectangle:
		m = t.StrokeWidth + 2
		if shadowed(t.Shadow) {
			m += t.Shadow.BlurRadius*2 + t.Shadow.Spread + max(abs(t.Shadow.Offset.X), abs(t.Shadow.Offset.Y))
		}
	case *canvas.Line:
		m = t.StrokeWidth + 2
	case *canvas.Text:
		if t.TextStyle.Italic {
			m = t.TextSize / 5
		}
	}
	return screen(m, s) + 2
}

func abs(v float32) float32 { return float32(math.Abs(float64(v))) }

// draw has Fyne's software painter draw o, of size, standing at pos's fraction of a
// pixel, and keeps the pixels that are not transparent.
func (p *Painter) draw(s float32, pos fyne.Position, size fyne.Size, o fyne.CanvasObject) *texture {
	p.stats.Drawn++
	r, rect := o.(*canvas.Rectangle)
	var kx, ky int
	if rect && r.Aspect == 0 && !shadowed(r.Shadow) {
		// A rectangle's edges are the same pixels all along: draw a small one and
		// stretch its middle row and column, whole pixels, so that the edges keep their
		// place within a pixel.
		edge := 2*screen(maxRadius(r)+r.StrokeWidth, s) + 12
		kx, ky = max(0, screen(size.Width, s)-edge), max(0, screen(size.Height, s)-edge)
		size = size.SubtractWidthHeight(float32(kx)/s, float32(ky)/s)
	}
	img, at := p.capture(s, pos, size, o)
	t := &texture{at: at}
	if rect {
		t.inside, t.fill = solidInside(img, r, s)
	}
	if kx > 0 || ky > 0 {
		// The middle row and column lie inside the fill when there is one.
		img = stretch(img, kx, ky)
		if !t.inside.Empty() {
			t.inside.Max = t.inside.Max.Add(image.Pt(kx, ky))
		}
	}
	t.img = img
	return t
}

// capture has Fyne's software painter draw o on a canvas of its own and returns the
// pixels that are not transparent, and where they stand from the object's pixel
// position.
func (p *Painter) capture(s float32, pos fyne.Position, size fyne.Size, o fyne.CanvasObject) (*image.RGBA, image.Point) {
	m := margin(o, s)
	o.Resize(size)
	o.Move(fyne.NewPos((float32(m)+frac(pos.X, s))/s, (float32(m)+frac(pos.Y, s))/s))
	p.canvas.SetScale(s)
	p.canvas.SetContent(container.NewWithoutLayout(o))
	p.canvas.Resize(fyne.NewSize(size.Width+float32(2*m+2)/s, size.Height+float32(2*m+2)/s))
	src := p.canvas.Capture()
	p.canvas.SetContent(nil)

	crop := opaqueBounds(src)
	img := image.NewRGBA(image.Rect(0, 0, crop.Dx(), crop.Dy()))
	draw.Draw(img, img.Bounds(), src, crop.Min, draw.Src)
	return img, crop.Min.Sub(image.Pt(m, m))
}

func maxRadius(r *canvas.Rectangle) float32 {
	return max(r.CornerRadius, r.TopLeftCornerRadius, r.TopRightCornerRadius, r.BottomLeftCornerRadius, r.BottomRightCornerRadius)
}

// stretch widens img by kx pixels and heightens it by ky, repeating its middle column
// and row.
func stretch(img *image.RGBA, kx, ky int) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w == 0 || h == 0 {
		return img // nothing to see
	}
	cx, cy := w/2, h/2
	out := image.NewRGBA(image.Rect(0, 0, w+kx, h+ky))
	for y := range h + ky {
		sy := y
		if y > cy+ky {
			sy = y - ky
		} else if y > cy {
			sy = cy
		}
		from := img.Pix[sy*img.Stride : sy*img.Stride+4*w]
		to := out.Pix[y*out.Stride : y*out.Stride+4*(w+kx)]
		copy(to, from[:4*cx])
		for x := cx; x <= cx+kx; x++ {
			copy(to[4*x:4*x+4], from[4*cx:4*cx+4])
		}
		copy(to[4*(cx+kx+1):], from[4*(cx+1):])
	}
	return out
}

// opaqueBounds is the smallest rectangle holding every pixel of img that is not
// fully transparent.
func opaqueBounds(img image.Image) image.Rectangle {
	var out image.Rectangle
	n, ok := img.(*image.NRGBA)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var a uint32
			if ok {
				a = uint32(n.Pix[n.PixOffset(x, y)+3])
			} else {
				_, _, _, a = img.At(x, y).RGBA()
			}
			if a != 0 {
				out = out.Union(image.Rect(x, y, x+1, y+1)) // Union of an empty rectangle is the other
			}
		}
	}
	return out
}

// solidInside finds the part of a rectangle's texture that is its opaque fill alone:
// the texture less its corners and stroke, checked pixel by pixel.
func solidInside(img *image.RGBA, r *canvas.Rectangle, s float32) (image.Rectangle, color.RGBA) {
	if r.FillColor == nil {
		return image.Rectangle{}, color.RGBA{}
	}
	fill := color.RGBAModel.Convert(r.FillColor).(color.RGBA)
	if fill.A != 0xff {
		return image.Rectangle{}, color.RGBA{}
	}
	radius := maxRadius(r)
	if r.StrokeColor != nil {
		radius = max(radius, r.StrokeWidth)
	}
	in := screen(radius, s) + 2
	inside := img.Bounds().Inset(in)
	if inside.Empty() {
		return image.Rectangle{}, color.RGBA{}
	}
	for y := inside.Min.Y; y < inside.Max.Y; y++ {
		for x := inside.Min.X; x < inside.Max.X; x++ {
			if img.RGBAAt(x, y) != fill {
				return image.Rectangle{}, color.RGBA{}
			}
		}
	}
	return inside, fill
}

// composite draws t for an object at pos.
func (p *Painter) composite(dst *image.RGBA, s float32, pos fyne.Position, t *texture) {
	origin := image.Pt(int(math.Floor(float64(pos.X*s))), int(math.Floor(float64(pos.Y*s)))).Add(t.at)
	b := t.img.Bounds()
	if t.inside.Empty() {
		draw.Draw(dst, b.Add(origin), t.img, image.Point{}, draw.Over)
		return
	}
	in := t.inside
	for _, part := range []image.Rectangle{
		{Min: b.Min, Max: image.Pt(b.Max.X, in.Min.Y)},                        // above
		{Min: image.Pt(b.Min.X, in.Max.Y), Max: b.Max},                        // below
		{Min: image.Pt(b.Min.X, in.Min.Y), Max: image.Pt(in.Min.X, in.Max.Y)}, // left
		{Min: image.Pt(in.Max.X, in.Min.Y), Max: image.Pt(b.Max.X, in.Max.Y)}, // right
	} {
		draw.Draw(dst, part.Add(origin), t.img, part.Min, draw.Over)
	}
	draw.Draw(dst, in.Add(origin), image.NewUniform(t.fill), image.Point{}, draw.Src)
}

// forgetOlder drops the textures last used before t.
func (p *Painter) forgetOlder(t time.Time) {
	for k, tex := range p.tex {
		if tex.usedAt.Before(t) {
			p.bytes -= len(tex.img.Pix)
			delete(p.tex, k)
		}
	}
}

// forgetUnused drops the textures the last paint did not use.
func (p *Painter) forgetUnused() {
	for k, t := range p.tex {
		if t.used != p.frame {
			p.bytes -= len(t.img.Pix)
			delete(p.tex, k)
		}
	}
}

func nrgba(c color.Color) color.NRGBA {
	if c == nil {
		return color.NRGBA{}
	}
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}

type textK struct {
	text       string
	color      color.NRGBA
	textSize   float32
	style      fyne.TextStyle
	fontSource fyne.Resource
}

func textKey(t *canvas.Text) any {
	return textK{t.Text, nrgba(t.Color), t.TextSize, t.TextStyle, t.FontSource}
}

func cloneText(t *canvas.Text) fyne.CanvasObject {
	c := canvas.NewText(t.Text, t.Color)
	c.TextSize, c.TextStyle, c.FontSource = t.TextSize, t.TextStyle, t.FontSource
	return c
}

type rectK struct {
	size          fyne.Size
	fill, stroke  color.NRGBA
	strokeWidth   float32
	radius        [5]float32
	aspect        float32
	shadow        color.NRGBA
	blur, spread  float32
	offset        fyne.Position
	shadowVariant canvas.ShadowVariant
}

func rectKey(r *canvas.Rectangle) any {
	return rectK{r.Size(), nrgba(r.FillColor), nrgba(r.StrokeColor), r.StrokeWidth,
		[5]float32{r.CornerRadius, r.TopLeftCornerRadius, r.TopRightCornerRadius, r.BottomLeftCornerRadius, r.BottomRightCornerRadius},
		r.Aspect, nrgba(r.Shadow.Color), r.Shadow.BlurRadius, r.Shadow.Spread, r.Shadow.Offset, r.Shadow.Variant}
}

func cloneRect(r *canvas.Rectangle) fyne.CanvasObject {
	c := canvas.NewRectangle(r.FillColor)
	c.StrokeColor, c.StrokeWidth, c.CornerRadius, c.Aspect, c.Shadow = r.StrokeColor, r.StrokeWidth, r.CornerRadius, r.Aspect, r.Shadow
	c.TopLeftCornerRadius, c.TopRightCornerRadius = r.TopLeftCornerRadius, r.TopRightCornerRadius
	c.BottomLeftCornerRadius, c.BottomRightCornerRadius = r.BottomLeftCornerRadius, r.BottomRightCornerRadius
	return c
}

type imageK struct {
	size         fyne.Size
	file         string
	resource     fyne.Resource
	img          image.Image
	translucency float64
	fill         canvas.ImageFill
	scale        canvas.ImageScale
	radius       float32
}

// imageKey keys an image by its source: a resource or file by name and identity, an
// in-memory picture by identity (Fyne's painters, too, draw a picture changed in
// place again only when told). A source that cannot be a map key is not kept.
func imageKey(i *canvas.Image) (any, bool) {
	for _, v := range []any{i.Resource, i.Image} {
		if v != nil && !reflect.TypeOf(v).Comparable() {
			return nil, false
		}
	}
	return imageK{i.Size(), i.File, i.Resource, i.Image, i.Translucency, i.FillMode, i.ScaleMode, i.CornerRadius}, true
}

func cloneImage(i *canvas.Image) fyne.CanvasObject {
	return &canvas.Image{File: i.File, Resource: i.Resource, Image: i.Image, Translucency: i.Translucency,
		FillMode: i.FillMode, ScaleMode: i.ScaleMode, CornerRadius: i.CornerRadius}
}

type lineK struct {
	from, to fyne.Position
	color    color.NRGBA
	width    float32
}

// lineKey keys a line by its ends relative to its top-left corner: its position is
// that corner.
func lineKey(l *canvas.Line) any {
	at := l.Position()
	return lineK{l.Position1.Subtract(at), l.Position2.Subtract(at), nrgba(l.StrokeColor), l.StrokeWidth}
}

func cloneLine(l *canvas.Line) fyne.CanvasObject {
	c := canvas.NewLine(l.StrokeColor)
	c.StrokeWidth = l.StrokeWidth
	at := l.Position()
	c.Position1, c.Position2 = l.Position1.Subtract(at), l.Position2.Subtract(at)
	return c
}

// Difference compares two pictures of the same size: how many pixels differ in some
// channel by more than tolerance (in 8-bit units, alpha-premultiplied), and the
// largest difference found. Pictures of different sizes differ everywhere.
func Difference(a, b image.Image, tolerance uint8) (pixels int, worst uint8) {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Size() != bb.Size() {
		return max(ab.Dx()*ab.Dy(), bb.Dx()*bb.Dy()), 0xff
	}
	for y := range ab.Dy() {
		for x := range ab.Dx() {
			ca := color.RGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.RGBA)
			cb := color.RGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.RGBA)
			d := max(diff(ca.R, cb.R), diff(ca.G, cb.G), diff(ca.B, cb.B), diff(ca.A, cb.A))
			worst = max(worst, d)
			if d > tolerance {
				pixels++
			}
		}
	}
	return pixels, worst
}

func diff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}
