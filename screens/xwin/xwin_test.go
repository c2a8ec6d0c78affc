package xwin

import (
	"errors"
	"image"
	"image/color"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/screens/xwin/xvfbtest"
)

// next returns the next event of one of the kinds, skipping others.
func next(t testing.TB, w *Window, kinds ...EventKind) Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-w.Events():
			if !ok {
				t.Fatal("events closed")
			}
			for _, k := range kinds {
				if e.Kind == k {
					return e
				}
			}
		case <-timeout:
			t.Fatalf("no event of kinds %v within 10 s", kinds)
		}
	}
}

func picture(size image.Point) *image.RGBA {
	img := image.NewRGBA(image.Rectangle{Max: size})
	for y := 0; y < size.Y; y++ {
		for x := 0; x < size.X; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 0xff})
		}
	}
	return img
}

func same(t *testing.T, got, want *image.RGBA, at image.Point) {
	t.Helper()
	for y := 0; y < got.Bounds().Dy(); y++ {
		for x := 0; x < got.Bounds().Dx(); x++ {
			if g, w := got.RGBAAt(x, y), want.RGBAAt(x+at.X, y+at.Y); g != w {
				t.Fatalf("pixel (%d,%d): the server shows %v, put %v", x+at.X, y+at.Y, g, w)
			}
		}
	}
}

// A picture put is what the server shows, in shared memory (MIT-SHM) and, from a server
// without it (one on another machine), in the requests.
func TestPutShowsThePicture(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		shared bool
	}{{"shared memory", nil, true}, {"a server without MIT-SHM", []string{"-extension", "MIT-SHM"}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			w := putShowsThePicture(t, tc.args)
			if shared := w.shm != nil; shared != tc.shared || w.noShm == tc.shared {
				t.Errorf("shared memory used %v, want %v", shared, tc.shared)
			}
		})
	}
}

func putShowsThePicture(t *testing.T, xvfbArgs []string) *Window {
	w, err := Open(Options{Display: xvfbtest.Start(t, "640x480x24", xvfbArgs...), Title: "水电气网", Class: "kiosk-test", Width: 300, Height: 200, Fixed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if got := w.Size(); got != image.Pt(300, 200) {
		t.Fatalf("size %v", got)
	}
	next(t, w, Expose)
	img := picture(image.Pt(300, 200))
	if err := w.Put(img, img.Bounds()); err != nil {
		t.Fatal(err)
	}
	shown, err := w.Snapshot(image.Rect(0, 0, 300, 200))
	if err != nil {
		t.Fatal(err)
	}
	same(t, shown, img, image.Point{})

	// A part put alone changes that part only.
	part := image.NewRGBA(img.Bounds())
	for i := range part.Pix {
		part.Pix[i] = 0xff
	}
	r := image.Rect(10, 20, 60, 45)
	if err := w.Put(part, r); err != nil {
		t.Fatal(err)
	}
	shown, err = w.Snapshot(image.Rect(0, 0, 300, 200))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []image.Point{{10, 20}, {59, 44}} {
		if c := shown.RGBAAt(p.X, p.Y); c != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("inside the part at %v: %v", p, c)
		}
	}
	for _, p := range []image.Point{{9, 20}, {60, 44}, {10, 45}} {
		if c, want := shown.RGBAAt(p.X, p.Y), img.RGBAAt(p.X, p.Y); c != want {
			t.Errorf("outside the part at %v: %v, want %v", p, c, want)
		}
	}
	return w
}

func TestFullscreenTakesTheScreen(t *testing.T) {
	w, err := Open(Options{Display: xvfbtest.Start(t, "640x480x24", "-dpi", "240"), Fullscreen: true, Width: 100, Height: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := w.Size(); got != image.Pt(640, 480) {
		t.Fatalf("size %v, want the screen's 640×480", got)
	}
	if dpi := w.DPI(); dpi < 235 || dpi > 245 {
		t.Errorf("DPI %.1f, want the server's 240", dpi)
	}
}

// TestPointerAndKeys drives the server's pointer and keyboard with xdotool (XTEST), as
// a touchscreen's driver does.
func TestPointerAndKeys(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool is not installed (scripts/test.sh installs it)")
	}
	disp := xvfbtest.Start(t, "640x480x24")
	w, err := Open(Options{Display: disp, Width: 400, Height: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	next(t, w, Expose)
	xdotool := func(args ...string) {
		t.Helper()
		cmd := exec.Command("xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+disp)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v\n%s", args, err, out)
		}
	}
	xdotool("mousemove", "50", "40", "mousedown", "1", "mousemove", "70", "45", "mouseup", "1")
	if e := next(t, w, Press); e.X != 50 || e.Y != 40 || e.Button != 1 {
		t.Errorf("press %+v", e)
	}
	if e := next(t, w, Motion); e.X != 70 || e.Y != 45 {
		t.Errorf("motion %+v", e)
	}
	if e := next(t, w, Release); e.X != 70 || e.Y != 45 || e.Button != 1 {
		t.Errorf("release %+v", e)
	}
	xdotool("key", "a", "Return")
	if e := next(t, w, Key); e.Keysym != 'a' {
		t.Errorf("key %+v, want a", e)
	}
	if e := next(t, w, Key); e.Keysym != 0xff0d {
		t.Errorf("key %+v, want Return (0xff0d)", e)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Open(Options{Display: ":4097", Width: 10, Height: 10}); err == nil || !strings.Contains(err.Error(), `":4097"`) {
		t.Errorf("no server: %v", err)
	}
	disp := xvfbtest.Start(t, "320x240x24")
	if _, err := Open(Options{Display: disp}); err == nil || !strings.Contains(err.Error(), "size 0×0") {
		t.Errorf("no size: %v", err)
	}
	w, err := Open(Options{Display: disp, Width: 10, Height: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Snapshot(image.Rect(20, 20, 30, 30)); err == nil {
		t.Error("a snapshot outside the window")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for range w.Events() {
	}
	img := picture(image.Pt(10, 10))
	if err := w.Put(img, img.Bounds()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("put after close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestVisualRefused(t *testing.T) {
	if _, err := Open(Options{Display: xvfbtest.Start(t, "320x240x16"), Width: 10, Height: 10}); !errors.Is(err, ErrVisual) {
		t.Errorf("16-bit screen: %v, want ErrVisual", err)
	}
}

// BenchmarkPut puts a full 1280×800 frame, and the strip a clock's minute changes, on a
// private Xvfb: what the software renderer adds to a frame after painting it.
func BenchmarkPut(b *testing.B) {
	for _, bc := range []struct {
		name string
		r    image.Rectangle
	}{
		{"full-1280x800", image.Rect(0, 0, 1280, 800)},
		{"header-1280x80", image.Rect(0, 0, 1280, 80)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w, err := Open(Options{Display: xvfbtest.Start(b, "1280x800x24"), Width: 1280, Height: 800})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			img := picture(image.Pt(1280, 800))
			b.SetBytes(int64(bc.r.Dx() * bc.r.Dy() * 4))
			for b.Loop() {
				if err := w.Put(img, bc.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
