// Package softdriver is a Fyne driver that paints on the CPU, with the kiosk's own
// painter (screens/paint), into a window that only shows pictures (screens/xwin). It is
// the kiosk's renderer where the machine has no GPU: there Fyne's OpenGL driver runs on
// Mesa's llvmpipe, which compiles shaders with LLVM and holds some 60 MB for it, to
// paint what screens/paint paints in a few milliseconds (docs/benchmarks.md, Start-up
// and Screens).
//
// It drives one window and what the kiosk's screens use: painting after every change,
// taps, drags, keys for activity, animations, fyne.Do. It does not do hover, menus,
// the clipboard, file drops or a second window, and it does not clip (the kiosk does
// not scroll).
package softdriver

import (
	"image"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"golang.org/x/sys/unix"

	"github.com/liangzihu/kiosk/screens/paint"
	"github.com/liangzihu/kiosk/screens/xwin"
)

// Display is where the window's pictures go and its input comes from: an xwin.Window,
// or anything that shows pictures the same way.
type Display interface {
	// Size is the display's size in pixels.
	Size() image.Point
	// Put shows the part r of img.
	Putter
	// Events reports input and changes to the display; it is closed with the display.
	Events() <-chan xwin.Event
	// Close closes the display.
	Close() error
}

// CacheBytes bounds the pixels the painter keeps between frames: the objects of a few
// screens. Over it, a frame forgets what it did not use.
const CacheBytes = 16 << 20

// animationFrame is the time between the frames of a running animation.
const animationFrame = time.Second / 30

// New makes an app whose one window is painted on the CPU and shown on d. base is the
// app fyne.io/fyne/v2/app made (its settings, preferences and storage are kept; its
// own driver is never run). The returned app becomes the current one.
func New(base fyne.App, d Display) fyne.App {
	drv := &driver{
		base:    base,
		display: d,
		painter: paint.NewWithLimit(CacheBytes),
		queue:   make(chan func(), 256),
		quit:    make(chan struct{}),
		ended:   make(chan struct{}),
		anims:   map[*fyne.Animation]time.Time{},
	}
	a := &softApp{App: base, d: drv}
	fyne.SetCurrentApp(a)
	return a
}

// softApp is the base app with this package's driver.
type softApp struct {
	fyne.App
	d *driver
}

func (a *softApp) Driver() fyne.Driver                { return a.d }
func (a *softApp) NewWindow(title string) fyne.Window { return a.d.CreateWindow(title) }
func (a *softApp) Run()                               { a.d.Run() }
func (a *softApp) Quit()                              { a.d.Quit() }

type driver struct {
	base    fyne.App
	display Display
	painter *paint.Painter

	queue    chan func()   // work for the loop from other goroutines
	quit     chan struct{} // closed by Quit
	quitOnce sync.Once
	ended    chan struct{} // closed when Run returns: nothing more runs on the loop
	tid      atomic.Int64  // the loop's OS thread while it runs

	mu      sync.Mutex // guards windows
	windows []*window

	// The loop's own state.
	anims map[*fyne.Animation]time.Time // running animations and when they started
	later []func()                      // work the loop handed itself, run after its turn
}

var _ fyne.Driver = (*driver)(nil)

func (d *driver) CreateWindow(title string) fyne.Window {
	d.mu.Lock()
	defer d.mu.Unlock()
	w := newWindow(d, title, len(d.windows) == 0)
	d.windows = append(d.windows, w)
	return w
}

func (d *driver) AllWindows() []fyne.Window {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]fyne.Window, len(d.windows))
	for i, w := range d.windows {
		out[i] = w
	}
	return out
}

// first is the window on the display (the first made), nil before there is one.
func (d *driver) first() *window {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.windows) == 0 {
		return nil
	}
	return d.windows[0]
}

func (d *driver) RenderedTextSize(text string, size float32, style fyne.TextStyle, source fyne.Resource) (fyne.Size, float32) {
	// The base driver measures with Fyne's text shaper, which needs no window.
	return d.base.Driver().RenderedTextSize(text, size, style, source)
}

// CanvasForObject returns the window's canvas: the kiosk has one window, and Fyne
// asks on every refresh, so the tree is not searched.
func (d *driver) CanvasForObject(fyne.CanvasObject) fyne.Canvas {
	if w := d.first(); w != nil {
		return w.canvas
	}
	return nil
}

func (d *driver) AbsolutePositionForObject(o fyne.CanvasObject) fyne.Position {
	if w := d.first(); w != nil {
		return w.canvas.positionOf(o)
	}
	return fyne.Position{}
}

func (d *driver) Device() fyne.Device { return device{d.base.Driver().Device()} }

// device is the base driver's, but for the scale: the display's pixels are the
// canvas's.
type device struct{ fyne.Device }

func (device) SystemScaleForWindow(fyne.Window) float32 { return 1 }

func (d *driver) DoubleTapDelay() time.Duration { return 300 * time.Millisecond }

// SetDisableScreenBlanking does nothing: the kiosk keeps the X server's screen on
// itself (screens/startup.KeepScreenOn).
func (d *driver) SetDisableScreenBlanking(bool) {}

// DoFromGoroutine runs fn on the loop. Called on the loop, it runs fn once what the loop
// is doing is done (an event's handler), as Fyne's own driver queues it, or at once when
// the caller waits for it; before Run, fn waits for the loop; once Run has returned, fn is
// dropped (the window is gone).
func (d *driver) DoFromGoroutine(fn func(), wait bool) {
	if d.onLoop() {
		if wait {
			fn()
		} else {
			d.later = append(d.later, fn)
		}
		return
	}
	if !wait {
		select {
		case d.queue <- fn:
		case <-d.ended:
		}
		return
	}
	done := make(chan struct{})
	select {
	case d.queue <- func() { defer close(done); fn() }:
	case <-d.ended:
		return
	}
	select {
	case <-done:
	case <-d.ended:
	}
}

func (d *driver) onLoop() bool {
	tid := d.tid.Load()
	return tid != 0 && int64(unix.Gettid()) == tid
}

func (d *driver) Quit() { d.quitOnce.Do(func() { close(d.quit) }) }

// Run runs the loop until Quit, or SIGINT or SIGTERM (as Fyne's own drivers stop): it
// runs what other goroutines hand it, handles the window's input, ticks animations, and
// paints after each of them.
func (d *driver) Run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d.tid.Store(int64(unix.Gettid()))
	defer func() {
		d.tid.Store(0)
		close(d.ended)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)

	w := d.first()
	var events <-chan xwin.Event
	if w != nil {
		events = d.display.Events()
	}
	var tick <-chan time.Time
	var ticker *time.Ticker
	for {
		if len(d.anims) > 0 && ticker == nil {
			ticker = time.NewTicker(animationFrame)
			tick = ticker.C
		} else if len(d.anims) == 0 && ticker != nil {
			ticker.Stop()
			ticker, tick = nil, nil
		}
		select {
		case fn := <-d.queue:
			fn()
		case e, ok := <-events:
			if !ok {
				events = nil
				d.Quit()
				continue
			}
			w.handle(e)
		case now := <-tick:
			d.animate(now)
		case <-sig:
			d.Quit()
		case <-d.quit:
			if ticker != nil {
				ticker.Stop()
			}
			if w != nil {
				w.closeDisplay()
			}
			return
		}
		for len(d.later) > 0 {
			fns := d.later
			d.later = nil
			for _, fn := range fns {
				fn()
			}
		}
		if w != nil {
			w.paint()
		}
	}
}

func (d *driver) StartAnimation(a *fyne.Animation) {
	d.DoFromGoroutine(func() { d.anims[a] = time.Now() }, false)
}

func (d *driver) StopAnimation(a *fyne.Animation) {
	d.DoFromGoroutine(func() { delete(d.anims, a) }, false)
}

// animate ticks every running animation at now, and ends those that are done.
func (d *driver) animate(now time.Time) {
	for a, start := range d.anims {
		if a.Duration <= 0 {
			a.Tick(1)
			delete(d.anims, a)
			continue
		}
		t := float32(now.Sub(start)) / float32(a.Duration)
		cycle := int(t)
		if a.AutoReverse {
			cycle = int(t / 2)
		}
		if a.RepeatCount != fyne.AnimationRepeatForever && cycle > a.RepeatCount {
			final := float32(1)
			if a.AutoReverse {
				final = 0
			}
			a.Tick(curve(a, final))
			delete(d.anims, a)
			continue
		}
		f := t - float32(int(t))
		if a.AutoReverse && int(t)%2 == 1 {
			f = 1 - f
		}
		a.Tick(curve(a, f))
	}
}

func curve(a *fyne.Animation, f float32) float32 {
	if a.Curve == nil {
		return f
	}
	return a.Curve(f)
}
