// Package xwin shows pictures in an X11 window and reports what the pointer (a
// touchscreen's emulated pointer) and the keyboard do in it, through Xlib. It knows no
// toolkit: the kiosk's software renderer (screens/softdriver) paints Fyne's canvas into
// an image and puts the changed part here, so that a kiosk with no GPU runs without an
// OpenGL stack (Mesa's llvmpipe costs some 60 MB; docs/benchmarks.md, Start-up).
//
// A Window holds two connections to the X server: one draws, from the caller's
// goroutine, and one waits for events, on a goroutine of its own, so that neither
// waits for the other and no Xlib connection is ever used by two goroutines at once.
// Pictures go through memory shared with the server (MIT-SHM) where it can share it:
// half the time of sending them in requests (docs/benchmarks.md).
package xwin

/*
#cgo pkg-config: x11 xext
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/Xatom.h>
#include <X11/extensions/XShm.h>

// Xlib's default error handler ends the process; an error is kept for the caller
// instead (the latest one: requests that fail are checked right after an XSync).
static int xwin_error;
static int xwin_on_error(Display *d, XErrorEvent *e) {
	xwin_error = e->error_code;
	return 0;
}
static void xwin_catch_errors(void) { XSetErrorHandler(xwin_on_error); }
static int xwin_take_error(void) { int e = xwin_error; xwin_error = 0; return e; }

// The pictures are 32-bit pixels, blue in the lowest byte: the layout of 24-bit
// TrueColor on every X server the kiosk meets.
static int xwin_visual_ok(Display *d) {
	Visual *v = DefaultVisual(d, DefaultScreen(d));
	return DefaultDepth(d, DefaultScreen(d)) == 24 && v->class == TrueColor &&
		v->red_mask == 0xff0000 && v->green_mask == 0xff00 && v->blue_mask == 0xff;
}

static void xwin_set_atom_list(Display *d, Window w, const char *prop, const char **names, int n) {
	Atom atoms[4];
	for (int i = 0; i < n; i++) atoms[i] = XInternAtom(d, names[i], False);
	XChangeProperty(d, w, XInternAtom(d, prop, False), XA_ATOM, 32, PropModeReplace,
		(unsigned char *)atoms, n);
}

static Window xwin_create(Display *d, int width, int height, int fullscreen, int fixed,
		const char *title, const char *class_name) {
	int screen = DefaultScreen(d);
	XSetWindowAttributes a;
	memset(&a, 0, sizeof a);
	// No background: the server would clear the window before each expose, and the
	// picture, put right after, would flicker.
	a.background_pixmap = None;
	a.bit_gravity = NorthWestGravity;
	Window w = XCreateWindow(d, RootWindow(d, screen), 0, 0, width, height, 0,
		DefaultDepth(d, screen), InputOutput, DefaultVisual(d, screen),
		CWBackPixmap | CWBitGravity, &a);

	size_t n = strlen(title);
	XChangeProperty(d, w, XInternAtom(d, "_NET_WM_NAME", False), XInternAtom(d, "UTF8_STRING", False),
		8, PropModeReplace, (const unsigned char *)title, n);
	XStoreName(d, w, class_name);
	XClassHint ch = {(char *)class_name, (char *)class_name};
	XSetClassHint(d, w, &ch);

	XSizeHints *sh = XAllocSizeHints();
	sh->flags = PPosition | PSize;
	sh->x = 0; sh->y = 0; sh->width = width; sh->height = height;
	if (fixed) {
		sh->flags |= PMinSize | PMaxSize;
		sh->min_width = sh->max_width = width;
		sh->min_height = sh->max_height = height;
	}
	XSetWMNormalHints(d, w, sh);
	XFree(sh);

	// A window manager asks rather than kills (the kiosk ignores the request).
	const char *protocols[] = {"WM_DELETE_WINDOW"};
	xwin_set_atom_list(d, w, "WM_PROTOCOLS", protocols, 1);
	if (fullscreen) {
		const char *state[] = {"_NET_WM_STATE_FULLSCREEN"};
		xwin_set_atom_list(d, w, "_NET_WM_STATE", state, 1);
	}
	return w;
}

static int xwin_put(Display *d, Window w, GC gc, char *data, int x, int y, int width, int height) {
	XImage img;
	memset(&img, 0, sizeof img);
	img.width = width;
	img.height = height;
	img.format = ZPixmap;
	img.data = data;
	img.byte_order = LSBFirst;
	img.bitmap_unit = 32;
	img.bitmap_bit_order = LSBFirst;
	img.bitmap_pad = 32;
	img.depth = 24;
	img.bytes_per_line = width * 4;
	img.bits_per_pixel = 32;
	img.red_mask = 0xff0000;
	img.green_mask = 0xff00;
	img.blue_mask = 0xff;
	if (!XInitImage(&img)) return -1;
	XPutImage(d, w, gc, &img, 0, 0, x, y, width, height);
	// A round trip: errors are known here, and a slow server slows the painter down
	// rather than queueing frames.
	XSync(d, False);
	return xwin_take_error();
}

// The shared-memory image (MIT-SHM): the picture is written where the server reads it,
// and a put sends no pixels over the connection, only where they are. A server on
// another machine, or one that does not share the kiosk's System V IPC, cannot attach
// the segment: xwin_shm_create fails and the pictures go by XPutImage.
typedef struct {
	XShmSegmentInfo info;
	XImage *img;
} xwin_shm;

// xwin_shm_create makes a width × height image in a shared segment the server has
// attached; 0 on success, else an X error code or -1.
static int xwin_shm_create(Display *d, xwin_shm *s, int width, int height) {
	memset(s, 0, sizeof *s);
	s->info.shmid = -1;
	if (!XShmQueryExtension(d)) return -1;
	s->img = XShmCreateImage(d, DefaultVisual(d, DefaultScreen(d)), 24, ZPixmap, NULL, &s->info, width, height);
	if (!s->img) return -1;
	if (s->img->bits_per_pixel != 32 || s->img->bytes_per_line != width * 4) {
		XDestroyImage(s->img);
		s->img = NULL;
		return -1;
	}
	s->info.shmid = shmget(IPC_PRIVATE, (size_t)s->img->bytes_per_line * height, IPC_CREAT | 0600);
	if (s->info.shmid < 0) {
		XDestroyImage(s->img);
		s->img = NULL;
		return -1;
	}
	s->info.shmaddr = s->img->data = shmat(s->info.shmid, NULL, 0);
	// Removed once both sides detach: the segment goes with the kiosk, however it ends.
	shmctl(s->info.shmid, IPC_RMID, NULL);
	if (s->info.shmaddr == (char *)-1) {
		s->img->data = NULL;
		XDestroyImage(s->img);
		s->img = NULL;
		return -1;
	}
	s->info.readOnly = True;
	XShmAttach(d, &s->info);
	XSync(d, False);
	int err = xwin_take_error();
	if (err) {
		shmdt(s->info.shmaddr);
		s->img->data = NULL;
		XDestroyImage(s->img);
		s->img = NULL;
		return err;
	}
	return 0;
}

// xwin_shm_put shows the rectangle of the shared image at (sx, sy) at (x, y) in w; the
// round trip (as xwin_put's) also means the server is done reading it.
static int xwin_shm_put(Display *d, Window w, GC gc, xwin_shm *s, int sx, int sy, int x, int y, int width, int height) {
	XShmPutImage(d, w, gc, s->img, sx, sy, x, y, width, height, False);
	XSync(d, False);
	return xwin_take_error();
}

static char *xwin_shm_data(xwin_shm *s) { return s->img->data; }

static void xwin_shm_destroy(Display *d, xwin_shm *s) {
	if (!s->img) return;
	XShmDetach(d, &s->info);
	XSync(d, False);
	shmdt(s->info.shmaddr);
	s->img->data = NULL;
	XDestroyImage(s->img);
	s->img = NULL;
}

// xwin_get copies a rectangle of what the server shows into data (32-bit pixels as
// above). It returns an X error code, or -1 when the server sent nothing.
static int xwin_get(Display *d, Window w, char *data, int x, int y, int width, int height) {
	XImage *img = XGetImage(d, w, x, y, width, height, AllPlanes, ZPixmap);
	XSync(d, False);
	int err = xwin_take_error();
	if (!img) return err ? err : -1;
	for (int row = 0; row < height; row++)
		memcpy(data + row * width * 4, img->data + row * img->bytes_per_line, width * 4);
	XDestroyImage(img);
	return err;
}

// The kinds of event, numbered as Go's EventKind, and the window gone.
enum { XWIN_PRESS = 1, XWIN_RELEASE, XWIN_MOTION, XWIN_KEY, XWIN_EXPOSE, XWIN_RESIZE, XWIN_CLOSE, XWIN_GONE };

typedef struct {
	int kind, x, y, button, width, height;
	unsigned long keysym;
} xwin_event;

// xwin_next waits for the next event worth reporting. Expose events come as a series;
// only the last of one is reported, since the whole window is put again.
static void xwin_next(Display *d, xwin_event *out) {
	XEvent e;
	memset(out, 0, sizeof *out);
	for (;;) {
		XNextEvent(d, &e);
		switch (e.type) {
		case ButtonPress:
		case ButtonRelease:
			out->kind = e.type == ButtonPress ? XWIN_PRESS : XWIN_RELEASE;
			out->x = e.xbutton.x; out->y = e.xbutton.y; out->button = e.xbutton.button;
			return;
		case MotionNotify:
			// Only the latest position of a drag matters.
			while (XCheckTypedWindowEvent(d, e.xmotion.window, MotionNotify, &e)) {}
			out->kind = XWIN_MOTION;
			out->x = e.xmotion.x; out->y = e.xmotion.y;
			return;
		case KeyPress:
			out->kind = XWIN_KEY;
			out->keysym = XLookupKeysym(&e.xkey, 0);
			return;
		case Expose:
			if (e.xexpose.count == 0) { out->kind = XWIN_EXPOSE; return; }
			break;
		case ConfigureNotify:
			out->kind = XWIN_RESIZE;
			out->width = e.xconfigure.width; out->height = e.xconfigure.height;
			return;
		case ClientMessage:
			out->kind = XWIN_CLOSE;
			return;
		case DestroyNotify:
			out->kind = XWIN_GONE;
			return;
		}
	}
}

static void xwin_watch(Display *d, Window w) {
	XSelectInput(d, w, ButtonPressMask | ButtonReleaseMask | Button1MotionMask | KeyPressMask |
		ExposureMask | StructureNotifyMask);
	XSync(d, False);
}
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"sync"
	"unsafe"
)

// Options are a window's settings.
type Options struct {
	// Display is the X display to open; "" means $DISPLAY.
	Display string
	// Title is the window's title (UTF-8), for a window manager.
	Title string
	// Class names the program to a window manager (WM_CLASS).
	Class string
	// Width and Height are the window's size in pixels; a full-screen window takes the
	// screen's instead.
	Width, Height int
	// Fullscreen covers the screen: the window is the screen's size at its origin, and
	// asks a window manager, where one runs, for full screen (_NET_WM_STATE_FULLSCREEN).
	Fullscreen bool
	// Fixed asks a window manager not to let the window be resized.
	Fixed bool
}

// EventKind says what happened in the window.
type EventKind int

// The kinds of Event.
const (
	Press   EventKind = iota + 1 // a pointer button (a finger) went down at X, Y
	Release                      // it came up at X, Y
	Motion                       // it moved to X, Y while button 1 was down
	Key                          // a key was pressed: Keysym
	Expose                       // the server lost what the window showed: put it all again
	Resize                       // the window is now Width × Height
	Close                        // a window manager asks the window to close
)

// Event is one thing that happened in the window.
type Event struct {
	Kind          EventKind
	X, Y          int
	Button        int // for Press and Release: 1 is the primary button, and a touch
	Width, Height int
	Keysym        uint32 // X keysym; for printable ASCII, the character itself
}

// ErrVisual is returned when the display's pixels are not 24-bit TrueColor.
var ErrVisual = errors.New("xwin: the display's default visual is not 24-bit TrueColor")

// Window is an X11 window that shows pictures.
type Window struct {
	draw, watch *C.Display
	win         C.Window
	gc          C.GC
	events      chan Event
	stop        chan struct{} // closed by Close: events are no longer read
	done        chan struct{} // closed when the watching connection is

	dpi float32 // of the screen, from its size in millimetres; 0 when the server does not know

	mu     sync.Mutex // guards size, buf, shm and closed, and the drawing connection
	size   image.Point
	buf    []byte
	closed bool
	// shm is the shared-memory image pictures are written to, sized shmSize (C memory:
	// Xlib keeps a pointer to it); nil before the first put, or when the server cannot
	// share memory with the kiosk (noShm): then the pictures go in the requests.
	shm     *C.xwin_shm
	shmSize image.Point
	noShm   bool
}

// Open connects to the display and maps a window there.
func Open(o Options) (*Window, error) {
	name := o.Display
	if name == "" {
		name = os.Getenv("DISPLAY")
	}
	draw, err := connect(name)
	if err != nil {
		return nil, err
	}
	watch, err := connect(name)
	if err != nil {
		C.XCloseDisplay(draw)
		return nil, err
	}
	C.xwin_catch_errors()
	if C.xwin_visual_ok(draw) == 0 {
		C.XCloseDisplay(watch)
		C.XCloseDisplay(draw)
		return nil, ErrVisual
	}
	width, height := o.Width, o.Height
	screen := C.XDefaultScreen(draw)
	var dpi float32
	if mm := float32(C.XDisplayWidthMM(draw, screen)); mm > 0 {
		dpi = float32(C.XDisplayWidth(draw, screen)) / (mm / 25.4)
	}
	if o.Fullscreen {
		width, height = int(C.XDisplayWidth(draw, screen)), int(C.XDisplayHeight(draw, screen))
	}
	if width <= 0 || height <= 0 {
		C.XCloseDisplay(watch)
		C.XCloseDisplay(draw)
		return nil, fmt.Errorf("xwin: window size %d×%d", width, height)
	}
	title, class := C.CString(o.Title), C.CString(o.Class)
	defer C.free(unsafe.Pointer(title))
	defer C.free(unsafe.Pointer(class))
	w := &Window{draw: draw, watch: watch, events: make(chan Event, 64),
		stop: make(chan struct{}), done: make(chan struct{}),
		size: image.Pt(width, height), dpi: dpi}
	w.win = C.xwin_create(draw, C.int(width), C.int(height), cbool(o.Fullscreen), cbool(o.Fixed), title, class)
	w.gc = C.XCreateGC(draw, C.Drawable(w.win), 0, nil)
	C.XSync(draw, C.False)
	// The watching connection listens before the window is mapped, so that it sees
	// the first Expose.
	C.xwin_watch(watch, w.win)
	C.XMapWindow(draw, w.win)
	C.XSync(draw, C.False)
	if code := C.xwin_take_error(); code != 0 {
		C.XCloseDisplay(watch)
		C.XCloseDisplay(draw)
		return nil, fmt.Errorf("xwin: create the window on %q: X error %d", name, int(code))
	}
	go w.watchEvents()
	return w, nil
}

func connect(name string) (*C.Display, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	d := C.XOpenDisplay(cname)
	if d == nil {
		return nil, fmt.Errorf("xwin: cannot open display %q", name)
	}
	return d, nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// watchEvents reports the window's events until it is destroyed.
func (w *Window) watchEvents() {
	defer close(w.done)
	defer close(w.events)
	var e C.xwin_event
	for {
		C.xwin_next(w.watch, &e)
		// The C side's kinds are numbered as EventKind, and one more: the window gone.
		if e.kind == C.XWIN_GONE {
			C.XCloseDisplay(w.watch)
			return
		}
		ev := Event{Kind: EventKind(e.kind), X: int(e.x), Y: int(e.y), Button: int(e.button),
			Width: int(e.width), Height: int(e.height), Keysym: uint32(e.keysym)}
		if ev.Kind == Resize {
			w.mu.Lock()
			w.size = image.Pt(ev.Width, ev.Height)
			w.mu.Unlock()
		}
		select {
		case w.events <- ev:
		case <-w.stop:
		}
	}
}

// Events returns the window's events. The channel is closed when the window is.
// Its reader must keep up: the events wait for it.
func (w *Window) Events() <-chan Event { return w.events }

// DPI returns the screen's pixels per inch as the X server reports them (its size in
// millimetres), 0 when it reports none.
func (w *Window) DPI() float32 { return w.dpi }

// Size returns the window's size in pixels.
func (w *Window) Size() image.Point {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.size
}

// Put shows the part r of img at the same place in the window.
func (w *Window) Put(img *image.RGBA, r image.Rectangle) error {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("xwin: put: the window is closed")
	}
	if w.sharedImage(img.Bounds().Size()) {
		// Into the shared image at the same place, then only the rectangle's place sent.
		size, at := img.Bounds().Size(), r.Min.Sub(img.Bounds().Min)
		data := unsafe.Slice((*byte)(unsafe.Pointer(C.xwin_shm_data(w.shm))), size.X*size.Y*4)
		toBGRX(data, size.X*4, img, r, at)
		code := C.xwin_shm_put(w.draw, w.win, w.gc, w.shm, C.int(at.X), C.int(at.Y),
			C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()))
		if code != 0 {
			return fmt.Errorf("xwin: put %v: X error %d", r, int(code))
		}
		return nil
	}
	n := r.Dx() * r.Dy() * 4
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	buf := w.buf[:n]
	toBGRX(buf, r.Dx()*4, img, r, image.Point{})
	code := C.xwin_put(w.draw, w.win, w.gc, (*C.char)(unsafe.Pointer(&buf[0])),
		C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()))
	if code != 0 {
		return fmt.Errorf("xwin: put %v: X error %d", r, int(code))
	}
	return nil
}

// toBGRX writes the part r of img into dst (stride bytes a row) from the pixel at, as
// the server's 32-bit BGRX: a pixel at a time as one word.
func toBGRX(dst []byte, stride int, img *image.RGBA, r image.Rectangle, at image.Point) {
	rowBytes := r.Dx() * 4
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := img.Pix[img.PixOffset(r.Min.X, y):][:rowBytes]
		row := dst[(at.Y+y-r.Min.Y)*stride+at.X*4:][:rowBytes]
		for j := 0; j < rowBytes; j += 4 {
			v := binary.LittleEndian.Uint32(src[j:])
			binary.LittleEndian.PutUint32(row[j:], v>>16&0xff|v&0xff00|(v&0xff)<<16|0xff000000)
		}
	}
}

// sharedImage makes sure the shared image is size, if the server can share one; false
// when it cannot (tried once: a server that cannot attach the segment never will). w.mu
// is held.
func (w *Window) sharedImage(size image.Point) bool {
	if w.noShm {
		return false
	}
	if w.shm != nil && w.shmSize == size {
		return true
	}
	w.dropShm()
	s := (*C.xwin_shm)(C.calloc(1, C.size_t(unsafe.Sizeof(C.xwin_shm{}))))
	if code := C.xwin_shm_create(w.draw, s, C.int(size.X), C.int(size.Y)); code != 0 {
		C.free(unsafe.Pointer(s))
		w.noShm = true
		return false
	}
	w.shm, w.shmSize = s, size
	return true
}

// dropShm detaches and frees the shared image, if any. w.mu is held.
func (w *Window) dropShm() {
	if w.shm != nil {
		C.xwin_shm_destroy(w.draw, w.shm)
		C.free(unsafe.Pointer(w.shm))
		w.shm = nil
	}
}

// Snapshot returns what the X server shows in the part r of the window: a check that
// a picture put there arrived.
func (w *Window) Snapshot(r image.Rectangle) (*image.RGBA, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, errors.New("xwin: snapshot: the window is closed")
	}
	r = r.Intersect(image.Rectangle{Max: w.size})
	if r.Empty() {
		return nil, fmt.Errorf("xwin: snapshot: %v is outside the window", r)
	}
	buf := make([]byte, r.Dx()*r.Dy()*4)
	if code := C.xwin_get(w.draw, w.win, (*C.char)(unsafe.Pointer(&buf[0])),
		C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy())); code != 0 {
		return nil, fmt.Errorf("xwin: snapshot %v: X error %d", r, int(code))
	}
	img := image.NewRGBA(image.Rectangle{Max: r.Size()})
	for i := 0; i < len(buf); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = buf[i+2], buf[i+1], buf[i], 0xff
	}
	return img, nil
}

// Close destroys the window and closes both connections. The event channel is closed
// once the watching connection has seen the window go.
func (w *Window) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.stop)
	w.dropShm()
	C.XDestroyWindow(w.draw, w.win)
	C.XFreeGC(w.draw, w.gc)
	C.XSync(w.draw, C.False)
	C.XCloseDisplay(w.draw)
	w.mu.Unlock()
	<-w.done
	return nil
}
