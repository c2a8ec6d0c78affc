package softdriver

import (
	"image"
	_ "unsafe" // go:linkname

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"

	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/xwin"
)

// window is a fyne.Window on the driver's display. Its size and full screen were
// decided when the display was opened: Resize does nothing, SetFullScreen only records.
type window struct {
	d       *driver
	canvas  *swCanvas
	onTop   bool // the first window: on the display, and the app ends when it closes
	title   string
	icon    fyne.Resource
	menu    *fyne.MainMenu
	full    bool
	fixed   bool
	shown   bool
	closed  bool
	onClose func()
	veto    func()

	frames *Presenter
	input  pointer
}

func newWindow(d *driver, title string, onTop bool) *window {
	w := &window{d: d, title: title, onTop: onTop, frames: NewPresenter(d.painter, d.display)}
	w.canvas = &swCanvas{WindowlessCanvas: software.NewCanvasWithPainter(d.painter), w: w}
	w.canvas.SetPadded(true)
	if onTop {
		var dpi float32
		if s, ok := d.display.(interface{ DPI() float32 }); ok {
			dpi = s.DPI()
		}
		w.canvas.SetScale(scaleFor(dpi, d.base.Settings()))
		w.fit(d.display.Size())
	}
	return w
}

// fit sizes the canvas to a display of size pixels.
func (w *window) fit(size image.Point) {
	s := w.canvas.Scale()
	w.canvas.Resize(fyne.NewSize(float32(size.X)/s, float32(size.Y)/s))
}

func (w *window) Title() string                                { return w.title }
func (w *window) SetTitle(t string)                            { w.title = t }
func (w *window) FullScreen() bool                             { return w.full }
func (w *window) SetFullScreen(full bool)                      { w.full = full }
func (w *window) Resize(fyne.Size)                             {}
func (w *window) RequestFocus()                                {}
func (w *window) FixedSize() bool                              { return w.fixed }
func (w *window) SetFixedSize(fixed bool)                      { w.fixed = fixed }
func (w *window) CenterOnScreen()                              {}
func (w *window) Padded() bool                                 { return w.canvas.Padded() }
func (w *window) SetPadded(p bool)                             { w.canvas.SetPadded(p) }
func (w *window) Icon() fyne.Resource                          { return w.icon }
func (w *window) SetIcon(r fyne.Resource)                      { w.icon = r }
func (w *window) SetMaster()                                   {}
func (w *window) MainMenu() *fyne.MainMenu                     { return w.menu }
func (w *window) SetMainMenu(m *fyne.MainMenu)                 { w.menu = m }
func (w *window) SetOnClosed(f func())                         { w.onClose = f }
func (w *window) SetCloseIntercept(f func())                   { w.veto = f }
func (w *window) SetOnDropped(func(fyne.Position, []fyne.URI)) {}
func (w *window) Content() fyne.CanvasObject                   { return w.canvas.Content() }
func (w *window) SetContent(o fyne.CanvasObject)               { w.canvas.SetContent(o) }
func (w *window) Canvas() fyne.Canvas                          { return w.canvas }
func (w *window) Clipboard() fyne.Clipboard                    { return nil }

// Show marks the window shown: the first window is painted on the display from the
// loop's next turn on; another has no display and is never seen.
func (w *window) Show() {
	if !w.onTop {
		fyne.LogError("softdriver: one window only; "+w.title+" is not shown", nil)
	}
	w.shown = true
}

func (w *window) Hide() { w.shown = false }

func (w *window) ShowAndRun() {
	w.Show()
	w.d.Run()
}

// Close closes the window; closing the first ends the app.
func (w *window) Close() {
	if w.closed {
		return
	}
	w.closed = true
	if w.onClose != nil {
		w.onClose()
	}
	if w.onTop {
		w.d.Quit()
	}
}

func (w *window) closeDisplay() {
	if err := w.d.display.Close(); err != nil {
		fyne.LogError("softdriver: close the display", err)
	}
}

// paint paints the canvas and puts what changed since the last frame on the display.
func (w *window) paint() {
	if !w.shown || w.closed {
		return
	}
	cleanCache(true)
	if err := w.frames.Present(w.canvas); err != nil {
		fyne.LogError("softdriver: show the frame", err)
	}
}

// handle acts on one event of the display.
func (w *window) handle(e xwin.Event) {
	switch e.Kind {
	case xwin.Press, xwin.Release, xwin.Motion:
		if w.shown && !w.closed {
			w.input.handle(w.canvas, e)
		}
	case xwin.Key:
		w.canvas.typed(e.Keysym)
	case xwin.Expose:
		w.frames.Expose()
	case xwin.Resize:
		w.fit(image.Pt(e.Width, e.Height))
		w.frames.Expose()
	case xwin.Close:
		if w.veto != nil {
			w.veto()
			return
		}
		w.Close()
	}
}

// canvas is Fyne's in-memory canvas, painted by the driver's painter, whose Capture is
// the frame on the display.
type swCanvas struct {
	software.WindowlessCanvas
	w *window
}

// Capture returns a copy of the frame on the display, or paints one if there is none.
func (c *swCanvas) Capture() image.Image {
	if f := c.w.frames.Shown(); f != nil {
		img := image.NewRGBA(f.Bounds())
		copy(img.Pix, f.Pix)
		return img
	}
	return c.w.d.painter.Paint(c)
}

// root is what input goes to: the top overlay (a modal pop-up takes it all), or the
// content.
func (c *swCanvas) root() fyne.CanvasObject {
	if top := c.Overlays().Top(); top != nil {
		return top
	}
	return c.Content()
}

// positionOf returns where o stands on the canvas.
func (c *swCanvas) positionOf(o fyne.CanvasObject) fyne.Position {
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		if p, ok := objtree.Position(root, o); ok {
			return p
		}
	}
	return fyne.Position{}
}

// cleanCache is Fyne's clean-up of its caches, which its own drivers run as they paint:
// at most every 10 s it drops the renderers of widgets not drawn for a minute, the
// measures of texts and the pictures of icons. Without it, the widgets of a visit's
// screens (masked names, typed numbers) would stay in memory while the kiosk idles.
// Fyne keeps it in an internal package: the name is bound at link time, so a Fyne that
// renames it fails the build.
//
//go:linkname cleanCache fyne.io/fyne/v2/internal/cache.Clean
func cleanCache(canvasRefreshed bool)
