//go:build glframes

package main

import (
	"flag"
	"fmt"
	"image"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/liangzihu/kiosk/screens/startup"
)

// renderer is the driver the window of this build runs: opengl, or software for a
// soak of the kiosk as it runs without a GPU (scripts/soak.sh).
var renderer = flag.String("renderer", startup.OpenGL, "the window's renderer: opengl or software")

// TestMain runs the kiosk's driver (Fyne's OpenGL driver, or -renderer software) on the
// main goroutine, as the kiosk does, with one 1280×800 window that every harness of
// this build drives (realWindow); the tests and benchmarks run on another goroutine. It
// needs an X display (Xvfb will do):
//
//	scripts/gl-frames.sh
func TestMain(m *testing.M) {
	flag.Parse()
	a, err := newFyneApp(*renderer, false, "frames")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := a.NewWindow("frames")
	if *renderer == startup.OpenGL {
		startup.LeanFramebuffer() // as the kiosk's window
	}
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFixedSize(true)
	realWindow = w
	code, quit := make(chan int, 1), make(chan struct{})
	go func() {
		code <- m.Run()
		close(quit)
		fyne.Do(a.Quit)
	}()
	// A quit the driver loses as it shuts down must not hold the run until the test's
	// timeout: the figures are out (runLoop).
	runLoop(slog.Default(), w.ShowAndRun, quit, loopGrace, sync.OnceFunc(func() { os.Exit(<-code) }))
}

// BenchmarkGLFrames is BenchmarkScreens with the kiosk's own renderer: every screen of
// screenTour in a real window painted by Fyne's OpenGL painter (x11, gles; under Xvfb,
// Mesa's llvmpipe draws it on the CPU). One frame is the shell's work on Fyne's
// goroutine (build) plus the painter's frame: from the first object it paints to the
// frame swapped onto the window (paint). The wait for the display's next tick (Fyne
// paints at most 60 times a second) is not counted. repaints counts the frames after
// which the window was at once marked to be painted again (see frameProbe.dirty); a
// frame slower than Fyne's tick may already include that second paint, uncounted.
//
// Each screen is measured in a process of its own, as the kiosk runs one kiosk a
// process: in one long-lived process the last screens of the tour paint 2–3× slower
// (docs/benchmarks.md). The idle countdown is left out: its manual clock delivers the
// countdown to the shell through Fyne's queue, after the frame measured.
func BenchmarkGLFrames(b *testing.B) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	inChild := os.Getenv(glChildEnv) != ""
	b.Run("blank-canvas", func(b *testing.B) {
		if !inChild {
			glChild(b)
			return
		}
		var p *frameProbe
		fyne.DoAndWait(func() {
			realWindow.SetContent(layout.NewSpacer())
			p = newFrameProbe(realWindow)
		})
		glFrames(b, p, func() func() { return func() {} }, fyne.DoAndWait)
	})
	for _, st := range screenTour {
		if st.env.manual {
			continue
		}
		for _, mode := range []string{"normal", "elderly"} {
			if st.only != "" && st.only != mode {
				continue
			}
			b.Run(st.name+"/"+mode, func(b *testing.B) {
				if !inChild {
					glChild(b)
					return
				}
				k := reach(b, st, mode == "elderly")
				var p *frameProbe
				k.Do(func() { p = newFrameProbe(realWindow) })
				glFrames(b, p, func() func() { return st.prepare(k) }, k.Do)
				if got := k.Current(); got != st.screen {
					b.Fatalf("the frames left %s for %s", st.screen, got)
				}
			})
		}
	}
}

// glChildEnv marks the process BenchmarkGLFrames starts for one screen.
const glChildEnv = "KIOSK_GLFRAMES_SCREEN"

// glChild measures b's screen in a new process of this test binary and reports its
// figures as b's.
func glChild(b *testing.B) {
	name := strings.TrimPrefix(b.Name(), "BenchmarkGLFrames/")
	var pattern []string
	for _, part := range strings.Split(name, "/") {
		pattern = append(pattern, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^$", "-test.bench", "^BenchmarkGLFrames$/"+strings.Join(pattern, "/"),
		"-test.benchtime", fmt.Sprintf("%dx", b.N))
	cmd.Env = append(os.Environ(), glChildEnv+"="+name)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", name, err, out)
	}
	// The result line: name-GOMAXPROCS, iterations, then value–unit pairs.
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkGLFrames/"+name+"-") {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				b.Fatalf("%s: %q: %v", name, line, err)
			}
			b.ReportMetric(v, f[i+1])
		}
		b.ReportMetric(0, "ns/op") // this process's time is the child's start-up, not a frame
		return
	}
	b.Fatalf("%s: no result in\n%s", name, out)
}

// glFrames times b.N frames: prepare (untimed) returns the frame's work and whatever
// it changed is painted, unmeasured; then the work runs on Fyne's goroutine (build) and
// the probe times the frame that follows (paint). A first frame, unmeasured, parses
// the fonts.
func glFrames(b *testing.B, p *frameProbe, prepare func() func(), do func(func())) {
	repaints := 0
	frame := func() (build, paint time.Duration) {
		work := prepare()
		do(p.arm)
		p.wait(b)
		t0 := time.Now()
		do(func() {
			work()
			p.arm()
		})
		build = time.Since(t0)
		paint = p.wait(b)
		if p.dirty(do) {
			repaints++
		}
		return build, paint
	}
	frame()
	repaints = 0
	var f frameSamples
	b.ResetTimer()
	for range b.N {
		f.add(frame())
	}
	b.StopTimer()
	f.report(b)
	b.ReportMetric(float64(repaints), "repaints")
}

// newPainter returns what waits until the real window's next frame is painted and
// swapped, the wait for Fyne's next tick included: BenchmarkCardToAccounts's final
// frame as the citizen sees it.
func newPainter(k *journey) func() {
	var p *frameProbe
	k.Do(func() { p = newFrameProbe(realWindow) })
	return func() {
		k.Do(p.arm)
		p.wait(k.T)
	}
}

// frameProbe times the OpenGL painter's frames: a 1×1 raster painted before the rest
// of the window, whose texture is dropped when the probe is armed, so that the painter
// calls its generator early in the next frame; a function queued from there runs once
// Fyne's loop is done with the frame, i.e. after the buffers are swapped.
type frameProbe struct {
	raster  *canvas.Raster
	armed   atomic.Bool
	painted chan time.Duration
}

// newFrameProbe puts a probe under the window's content; on Fyne's goroutine.
func newFrameProbe(w fyne.Window) *frameProbe {
	p := &frameProbe{painted: make(chan time.Duration, 1)}
	p.raster = canvas.NewRaster(func(int, int) image.Image {
		if p.armed.CompareAndSwap(true, false) {
			start := time.Now()
			go func() {
				fyne.DoAndWait(func() {})
				p.painted <- time.Since(start)
			}()
		}
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	p.raster.Resize(fyne.NewSize(1, 1))
	w.SetContent(container.NewStack(container.NewWithoutLayout(p.raster), w.Content()))
	return p
}

// arm has the next frame timed; on Fyne's goroutine.
func (p *frameProbe) arm() {
	p.armed.Store(true)
	p.raster.Refresh()
}

// dirty reports whether the window was marked for painting again right after the
// frame (something refreshed while Fyne painted it: it will paint the whole window a
// second time). On Fyne's goroutine through do; the mark is left as it was.
func (p *frameProbe) dirty(do func(func())) bool {
	var d bool
	do(func() {
		c := realWindow.Canvas().(interface {
			CheckDirtyAndClear() bool
			SetDirty()
		})
		if d = c.CheckDirtyAndClear(); d {
			c.SetDirty()
		}
	})
	return d
}

// wait returns the time of the armed frame.
func (p *frameProbe) wait(tb testing.TB) time.Duration {
	select {
	case d := <-p.painted:
		return d
	case <-time.After(10 * time.Second):
		tb.Fatal("no frame painted in 10 s")
		return 0
	}
}
