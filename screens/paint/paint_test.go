package paint_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/paint"
	kt "github.com/liangzihu/kiosk/screens/theme"
)

// place puts o at pos with size in a container without layout.
func place(o fyne.CanvasObject, x, y, w, h float32) fyne.CanvasObject {
	o.Move(fyne.NewPos(x, y))
	o.Resize(fyne.NewSize(w, h))
	return o
}

func text(s string, size float32, align fyne.TextAlign) *canvas.Text {
	t := canvas.NewText(s, color.NRGBA{R: 0x20, G: 0x40, B: 0x90, A: 0xff})
	t.TextSize, t.Alignment = size, align
	return t
}

func rounded(fill, stroke color.Color, width, radius float32) *canvas.Rectangle {
	r := canvas.NewRectangle(fill)
	r.StrokeColor, r.StrokeWidth, r.CornerRadius = stroke, width, radius
	return r
}

func raster() *canvas.Raster {
	return canvas.NewRaster(func(w, h int) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 7), G: uint8(y * 5), B: 0x80, A: 0xff})
			}
		}
		return img
	})
}

// TestMatchesFynesPainter paints each kind of object the painter knows, at whole and
// fractional positions, and compares the picture with Fyne's software painter's.
func TestMatchesFynesPainter(t *testing.T) {
	cases := []struct {
		name    string
		content func() fyne.CanvasObject
	}{
		{"plain rectangles", func() fyne.CanvasObject {
			return container.NewWithoutLayout(
				place(canvas.NewRectangle(color.NRGBA{R: 0xff, A: 0xff}), 10, 10, 100, 40),
				place(canvas.NewRectangle(color.NRGBA{G: 0xff, A: 0x80}), 50.5, 30.25, 100.3, 40.6))
		}},
		{"rounded and stroked rectangles", func() fyne.CanvasObject {
			return container.NewWithoutLayout(
				place(rounded(color.White, color.NRGBA{B: 0xff, A: 0xff}, 2, 12), 20, 20, 300, 200),
				place(rounded(color.NRGBA{R: 0xee, G: 0xee, B: 0xff, A: 0xff}, nil, 0, 8), 340.5, 20.5, 200, 120),
				place(rounded(color.NRGBA{R: 0x80, A: 0x80}, color.Black, 3, 0), 40, 250, 200, 80),
				place(rounded(color.Transparent, color.NRGBA{G: 0x80, A: 0xff}, 2.5, 16), 300.7, 240.2, 220, 100))
		}},
		{"a rectangle with a shadow", func() fyne.CanvasObject {
			r := rounded(color.White, nil, 0, 8)
			r.Shadow = canvas.Shadow{Color: color.NRGBA{A: 0x60}, BlurRadius: 6, Spread: 2, Offset: fyne.NewPos(3, 4)}
			return container.NewWithoutLayout(place(r, 60.5, 40, 240, 120))
		}},
		{"text, aligned, at fractions of a pixel", func() fyne.CanvasObject {
			bold := text("大字模式 Bold", 30, fyne.TextAlignLeading)
			bold.TextStyle.Bold = true
			return container.NewWithoutLayout(
				place(text("请将身份证放在读卡区", 28, fyne.TextAlignLeading), 10, 10, 400, 40),
				place(text("账户与账单 ¥12.30", 24, fyne.TextAlignCenter), 10.5, 60.3, 401, 41),
				place(text("右对齐 Trailing", 20, fyne.TextAlignTrailing), 10.25, 110.75, 400.5, 60),
				place(text("比它的框宽得多的一行文字", 24, fyne.TextAlignCenter), 100, 200, 60, 20),
				place(bold, 20, 260, 300, 40))
		}},
		{"lines", func() fyne.CanvasObject {
			down := canvas.NewLine(color.Black)
			down.StrokeWidth, down.Position1, down.Position2 = 3, fyne.NewPos(10, 10), fyne.NewPos(60, 40)
			up := canvas.NewLine(color.NRGBA{R: 0xc0, A: 0xff})
			up.StrokeWidth, up.Position1, up.Position2 = 2.5, fyne.NewPos(70.5, 80), fyne.NewPos(120, 20.5)
			return container.NewWithoutLayout(down, up)
		}},
		{"images and rasters", func() fyne.CanvasObject {
			icon := canvas.NewImageFromResource(theme.HomeIcon())
			icon.FillMode = canvas.ImageFillContain
			return container.NewWithoutLayout(place(icon, 10, 10, 64, 64), place(raster(), 100.5, 10.5, 120, 80))
		}},
		{"widgets", func() fyne.CanvasObject {
			return container.NewVBox(widget.NewLabel("标签 Label"), widget.NewButton("按钮", nil),
				widget.NewRichTextFromMarkdown("**富文本** text"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			fyne.CurrentApp().Settings().SetTheme(kt.New(false))
			w := test.NewWindow(tc.content())
			defer w.Close()
			w.SetPadded(false)
			w.Resize(fyne.NewSize(640, 400))
			p := paint.New()
			want := w.Canvas().Capture()
			for range 2 { // the second paint composites what the first kept
				AssertSimilar(t, p.Paint(w.Canvas()), want)
			}
			if s := p.Stats(); s.Skipped != 0 || s.Reused < s.Drawn {
				t.Errorf("stats %+v: want nothing skipped and the second paint reusing what the first drew", s)
			}
		})
	}
}

// AssertSimilar fails t unless got is want to within paint.Tolerance.
func AssertSimilar(t *testing.T, got, want image.Image) {
	t.Helper()
	n, worst := paint.Difference(got, want, paint.Tolerance)
	if n != 0 {
		t.Errorf("%d pixels differ from Fyne's painter (worst by %d)", n, worst)
	}
	t.Logf("largest difference from Fyne's painter: %d", worst)
}

// TestForgetsOverItsLimit paints one screen, another, and the first again: a painter
// within its limit draws nothing the second time, one over it draws the first again.
func TestForgetsOverItsLimit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		limit     int
		drawnMore bool
	}{
		{"within the limit", paint.DefaultCacheBytes, false},
		{"over the limit", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			first := container.NewWithoutLayout(place(text("第一屏", 24, fyne.TextAlignLeading), 10, 10, 200, 40))
			second := container.NewWithoutLayout(place(text("第二屏", 24, fyne.TextAlignLeading), 10, 10, 200, 40))
			w := test.NewWindow(first)
			defer w.Close()
			w.Resize(fyne.NewSize(300, 100))
			p := paint.NewWithLimit(tc.limit)
			p.Paint(w.Canvas())
			w.SetContent(second)
			p.Paint(w.Canvas())
			drawn := p.Stats().Drawn
			w.SetContent(first)
			AssertSimilar(t, p.Paint(w.Canvas()), w.Canvas().Capture())
			if more := p.Stats().Drawn > drawn; more != tc.drawnMore {
				t.Errorf("the first screen drawn again: %v, want %v (%+v)", more, tc.drawnMore, p.Stats())
			}
			p.Reset()
			p.Paint(w.Canvas())
			if p.Stats().Drawn == drawn {
				t.Error("after Reset the painter drew nothing new")
			}
		})
	}
}

// TestCountsWhatItSkips: a kind of object the kiosk does not use is counted, not drawn.
func TestCountsWhatItSkips(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(container.NewWithoutLayout(place(canvas.NewCircle(color.Black), 10, 10, 40, 40)))
	defer w.Close()
	w.Resize(fyne.NewSize(100, 100))
	p := paint.New()
	p.Paint(w.Canvas())
	if s := p.Stats(); s.Skipped != 1 {
		t.Errorf("stats %+v: want the circle skipped", s)
	}
}

// TestSqueezedObjects: a layout may leave an object a size below nothing (Fyne's own
// software painter panics on such a rounded rectangle) or none yet; the painter draws
// nothing for it, and still draws a flat line.
func TestSqueezedObjects(t *testing.T) {
	test.NewTempApp(t)
	rounded := canvas.NewRectangle(color.White)
	rounded.StrokeColor, rounded.StrokeWidth, rounded.CornerRadius = color.Black, 2, 8
	rounded.Resize(fyne.NewSize(-4.6, 88))
	unlaid := canvas.NewRectangle(color.Black)
	unlaid.StrokeColor, unlaid.StrokeWidth = color.White, 2
	line := canvas.NewLine(color.White)
	line.StrokeWidth = 2
	line.Position1, line.Position2 = fyne.NewPos(10, 50), fyne.NewPos(90, 50)
	picture := func(objs ...fyne.CanvasObject) *image.RGBA {
		c := test.NewCanvas()
		c.SetPadded(false)
		c.SetContent(container.NewWithoutLayout(objs...))
		c.Resize(fyne.NewSize(100, 100))
		return paint.New().Paint(c).(*image.RGBA)
	}
	want := picture(line)
	if got := want.RGBAAt(50, 50); got.R < 0xc0 {
		t.Fatalf("the flat line is not drawn: %v", got)
	}
	got := picture(rounded, unlaid, line)
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Error("the squeezed and unlaid rectangles left pixels")
	}
}

// TestForgetsWhatItNoLongerPaints: the pixels of a text no longer on screen (a visit's
// masked name) are kept for Keep, then forgotten.
func TestForgetsWhatItNoLongerPaints(t *testing.T) {
	test.NewTempApp(t)
	c := test.NewCanvas()
	c.Resize(fyne.NewSize(200, 100))
	show := func(p *paint.Painter, text string) {
		c.SetContent(canvas.NewText(text, color.Black))
		p.Paint(c)
	}
	for _, tc := range []struct {
		name       string
		keep, wait time.Duration
		drawnMore  int
	}{
		{"within Keep: reused", time.Hour, 0, 0},
		{"after Keep: drawn again", 50 * time.Millisecond, 120 * time.Millisecond, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := paint.New()
			p.SetKeep(tc.keep)
			show(p, "李*")
			show(p, "首页")
			time.Sleep(tc.wait)
			show(p, "首页") // a paint after the wait forgets what is older
			before := p.Stats().Drawn
			show(p, "李*")
			if got := p.Stats().Drawn - before; got != tc.drawnMore {
				t.Errorf("李* drawn %d more times, want %d", got, tc.drawnMore)
			}
		})
	}
}
