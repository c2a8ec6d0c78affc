// Package screentest drives the kiosk's screens in tests, through Fyne's test driver:
// a kiosk and its shell in a 1280×800 test window, taps by label, what the screen
// shows, and a UI queue that the test drains on its own goroutine, so that events from
// device and network goroutines touch widgets only there (as Fyne's event loop would).
//
// The same harness can drive a real window of a running Fyne app (Options.Window): the
// frame benchmark of the OpenGL painter uses it. Its UI work then runs on Fyne's
// goroutine, through fyne.DoAndWait.
package screentest

import (
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens"
	"github.com/liangzihu/kiosk/screens/objtree"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// Options set a harness up; zero values give a demo kiosk on a manual clock with every
// utility unreachable and no devices.
type Options struct {
	// Config defaults to config.Defaults(); its data folder is always a temporary one.
	Config *config.Config
	Demo   app.DemoRig
	// UtilityURLs are the utilities' base URLs; nil points them all at a closed port.
	UtilityURLs map[string]string
	// RealClock runs the kiosk on the system clock (journeys with real devices and
	// utilities); otherwise Clock is a manual clock set to 2026-11-25 09:30.
	RealClock bool
	// Start starts the kiosk's devices and outbox.
	Start bool
	// DataDir is the kiosk's data folder; empty: a new temporary one. A test that
	// restarts the kiosk gives both runs the same folder.
	DataDir string
	// Window is a shown window of a running Fyne app (the OpenGL driver) to drive
	// instead of a test window; nil: a test window in a temporary test app.
	Window fyne.Window
	// Log receives the kiosk's log (JSON lines); nil: a buffer that H.Log returns. A
	// long run gives io.Discard, as the buffer would keep every line.
	Log io.Writer
	// Restart is the kiosk's way to restart itself (app.Options.Restart); nil: it has
	// none, as a kiosk started by a tool.
	Restart func()
}

// H is a kiosk and its shell in a test window.
type H struct {
	T     testing.TB
	K     *app.Kiosk
	Shell *screens.Shell
	Win   fyne.Window
	// Clock is the manual clock, nil with RealClock.
	Clock *clock.Manual
	// DataDir is the kiosk's data folder.
	DataDir string
	// Taps counts the taps made through the harness (page turns included), as a
	// citizen would make them: a journey's length in taps.
	Taps int
	log  *simtest.SyncBuffer
	// ui is the queue of the test window's UI goroutine (the test's); nil with a real
	// window, whose driver runs fyne.Do's queue itself.
	ui chan func()
	// onUI is set while Do runs a function on a real window's UI goroutine.
	onUI bool
	// screen names the screen of a harness without a shell (NewScreen).
	screen string
}

// New builds the harness; everything is closed when the test ends.
func New(t testing.TB, o Options) *H {
	t.Helper()
	if o.Window == nil {
		test.NewTempApp(t)
	}
	cfg := o.Config
	if cfg == nil {
		cfg = config.Defaults()
	}
	cfg.Demo = true
	cfg.Data.Dir = o.DataDir
	if cfg.Data.Dir == "" {
		cfg.Data.Dir = t.TempDir()
	}
	urls := o.UtilityURLs
	if urls == nil {
		urls = map[string]string{}
		for _, id := range config.UtilityIDs {
			urls[id] = "http://127.0.0.1:1" // closed: these tests do not reach the utilities
		}
	}
	h := &H{T: t, DataDir: cfg.Data.Dir, log: &simtest.SyncBuffer{}}
	var logTo io.Writer = h.log
	if o.Log != nil {
		logTo = o.Log
	}
	if o.Window == nil {
		h.ui = make(chan func(), 4096)
	}
	var clk clock.Clock = clock.System()
	if !o.RealClock {
		h.Clock = clock.NewManual(time.Date(2026, 11, 25, 9, 30, 0, 0, time.Local))
		clk = h.Clock
	}
	k, err := app.New(cfg, app.Options{Clock: clk, Logger: slog.New(slog.NewJSONHandler(logTo, nil)), Demo: o.Demo, UtilityURLs: urls, Restart: o.Restart})
	if err != nil {
		t.Fatal(err)
	}
	h.K = k
	t.Cleanup(func() { k.Close() })
	if o.Window == nil {
		h.Win = test.NewTempWindow(t, nil)
		h.Win.SetPadded(false)
		h.Win.Resize(fyne.NewSize(1280, 800))
		h.Shell = screens.NewShell(k, h.Win, screens.Options{Do: func(f func()) { h.ui <- f }})
	} else {
		h.Win = o.Window
		h.Do(func() {
			// The window outlives the kiosks driven in it: what an earlier one left open
			// over its screen (a notice, the demo card chooser) goes.
			for o := h.Win.Canvas().Overlays(); o.Top() != nil; {
				o.Remove(o.Top())
			}
			h.Shell = screens.NewShell(k, h.Win, screens.Options{})
		})
	}
	if o.Start {
		k.Start(t.Context())
		if o.Demo != nil && k.Config.Devices.IDCard.Enabled {
			// A card placed before the reader's first poll would be one nobody was seen
			// placing, which opens no visit. The first poll may find the reader as a
			// test left it: unplugged, or with a fault.
			h.WaitFor("the ID card reader's first poll", func() bool { _, ok := k.DeviceState("idcard"); return ok })
		}
	}
	return h
}

// NewScreen is a harness for a screen shown without a kiosk (the out-of-service
// screen): show fills a 1280×800 test window. K and Shell are nil; name names the
// screen in failures.
func NewScreen(t testing.TB, name string, show func(fyne.Window)) *H {
	t.Helper()
	test.NewTempApp(t)
	h := &H{T: t, screen: name, log: &simtest.SyncBuffer{}, ui: make(chan func(), 4096)}
	h.Win = test.NewTempWindow(t, nil)
	h.Win.SetPadded(false)
	h.Win.Resize(fyne.NewSize(1280, 800))
	show(h.Win)
	// The screen's size, whatever its content asked the test window for: checks then
	// find what does not fit.
	h.Win.Resize(fyne.NewSize(1280, 800))
	return h
}

// Log is what the kiosk logged so far.
func (h *H) Log() string { return h.log.String() }

// Do runs f on the UI goroutine: at once with a test window (the test's goroutine is
// its UI goroutine), through fyne.DoAndWait with a real window. f must not fail the
// test: on a real window it runs on Fyne's goroutine.
func (h *H) Do(f func()) {
	if h.ui != nil || h.onUI {
		f()
		return
	}
	fyne.DoAndWait(func() {
		h.onUI = true
		defer func() { h.onUI = false }()
		f()
	})
}

// Pump runs the functions queued for the test window's UI goroutine (a real window's
// driver runs its queue itself).
func (h *H) Pump() {
	if h.ui == nil {
		return
	}
	for {
		select {
		case f := <-h.ui:
			f()
		default:
			return
		}
	}
}

// Advance moves the manual clock and lets the UI react.
func (h *H) Advance(d time.Duration) {
	h.Clock.Advance(d)
	h.Pump()
}

// WaitFor pumps the UI queue until cond holds (device and network events arrive from
// other goroutines), failing the test after 20 s.
func (h *H) WaitFor(what string, cond func() bool) {
	h.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		h.Pump()
		var ok bool
		h.Do(func() { ok = cond() })
		if ok {
			return
		}
		h.waitForNews()
	}
	h.T.Fatalf("timed out waiting for %s; screen %s:\n%s", what, h.Current(), h.Markup())
}

// WaitShows waits until the screen shows s.
func (h *H) WaitShows(s string) {
	h.T.Helper()
	h.WaitFor("“"+s+"” on screen", func() bool { return h.Shows(s) })
}

// Markup is the laid-out canvas (overlays included) as text.
func (h *H) Markup() string {
	h.Pump()
	var m string
	h.Do(func() { m = test.RenderToMarkup(h.Win.Canvas()) })
	return m
}

// Shows reports whether the screen shows s anywhere.
func (h *H) Shows(s string) bool { return strings.Contains(h.Markup(), s) }

// ShowsOnAnyPage reports whether s is on the screen's current page or a later one,
// turning pages (下一页, Next) to look, on the screen as it is once a redraw held off is done
// (see seek).
func (h *H) ShowsOnAnyPage(s string) bool {
	h.T.Helper()
	for range 12 {
		h.settle()
		if h.Shows(s) {
			return true
		}
		if !h.CanTap(h.nextPage()) {
			return false
		}
		h.Tap(h.nextPage())
	}
	return false
}

// Tap taps the first enabled tappable labelled text that a finger could reach (a
// button, a tile, a list row): one of the layer that takes taps, shown. A control
// under an open notice is not one: the test fails, saying so.
func (h *H) Tap(text string) {
	h.T.Helper()
	h.tapMatch(func(l string) bool { return l == text }, fmt.Sprintf("labelled %q", text))
}

// TapPrefix taps the first enabled tappable a finger could reach whose label starts
// with prefix (labels that carry figures, such as "缴费（2 笔，￥86.40）").
func (h *H) TapPrefix(prefix string) {
	h.T.Helper()
	h.tapMatch(func(l string) bool { return strings.HasPrefix(l, prefix) }, fmt.Sprintf("starting %q", prefix))
}

func (h *H) tapMatch(match func(string) bool, what string) {
	h.T.Helper()
	h.Pump()
	o := h.tappable(match, 0, true)
	if o == nil {
		h.T.Fatalf("nothing to tap %s on screen %s%s:\n%s", what, h.Current(), h.whyNot(match), h.Markup())
	}
	h.TapObject(o)
}

// TapObject taps o, as a finger would, and counts the tap. The test fails if a finger
// could not reach o: under an open notice, or hidden.
func (h *H) TapObject(o fyne.Tappable) {
	h.T.Helper()
	if err := h.Reach(o.(fyne.CanvasObject)); err != nil {
		h.T.Fatalf("cannot tap on screen %s: %v:\n%s", h.Current(), err, h.Markup())
	}
	h.Taps++
	h.Do(func() { test.Tap(o) })
	h.Pump()
}

// TapFirstRow taps the first list row a finger could reach (the first option of a
// list).
func (h *H) TapFirstRow() {
	h.T.Helper()
	h.Pump()
	var row *touch.Row
	h.Do(func() {
		h.reachable(func(o fyne.CanvasObject) {
			if r, ok := o.(*touch.Row); ok && row == nil && r.OnTapped != nil {
				row = r
			}
		})
	})
	if row == nil {
		h.T.Fatalf("no list row a finger could reach on screen %s:\n%s", h.Current(), h.Markup())
	}
	h.TapObject(row)
}

// Keypad returns the on-screen keypad a finger could reach, if the screen has one.
func (h *H) Keypad() (kp *touch.Keypad, ok bool) {
	h.Pump()
	h.Do(func() {
		h.reachable(func(o fyne.CanvasObject) {
			if k, is := o.(*touch.Keypad); is && !ok {
				kp, ok = k, true
			}
		})
	})
	return kp, ok
}

// CanTap reports whether something labelled text can be tapped: enabled, and where a
// finger could reach it (not under an open notice, not hidden).
func (h *H) CanTap(text string) bool {
	h.Pump()
	return h.tappable(func(l string) bool { return l == text }, 0, true) != nil
}

// TapSeeking taps the first tappable labelled text, turning pages (下一页) until it
// is on screen: in 大字模式 a list runs over several pages.
func (h *H) TapSeeking(text string) {
	h.T.Helper()
	h.seek(func(l string) bool { return l == text }, text)
}

// TapPrefixSeeking is TapPrefix, turning pages until the label is on screen.
func (h *H) TapPrefixSeeking(prefix string) {
	h.T.Helper()
	h.seek(func(l string) bool { return strings.HasPrefix(l, prefix) }, prefix)
}

// seek taps the first tappable that matches, on the screen as it is once it has taken
// in its news: a redraw held off (Shell.RedrawHeld: under a finger, or on its way for a
// utility's answer) is waited out before each look, and a label on no page yet is looked
// for again as redraws come (answers still on their way), for 20 s. Pages are turned
// again from where a redraw puts the screen (a rebuilt list opens on its first page).
func (h *H) seek(match func(string) bool, what string) {
	h.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	pager, turns := h.firstPager(), 0
	for {
		h.settle()
		if p := h.firstPager(); p != pager {
			pager, turns = p, 0 // built again
		}
		if o := h.tappable(match, 0, true); o != nil {
			h.TapObject(o)
			return
		}
		if turns < 12 && h.CanTap(h.nextPage()) {
			turns++
			h.Tap(h.nextPage())
			continue
		}
		if time.Now().After(deadline) {
			h.T.Fatalf("nothing labelled %q on any page of screen %s", what, h.Current())
		}
		h.waitForNews()
	}
}

// nextPage is the label of the pagers' 下一页 in the language on show.
func (h *H) nextPage() string {
	if h.Shell == nil {
		return "下一页"
	}
	return h.Shell.T("nav.next_page")
}

// settle runs the UI queue and waits out a redraw held off (Shell.RedrawHeld), so that
// what is looked for next is looked for on the screen as it will be, not as it was
// before the news.
func (h *H) settle() {
	h.T.Helper()
	if h.Shell == nil {
		h.Pump()
		return
	}
	h.WaitFor("the screen's redraw held off", func() bool { return !h.Shell.RedrawHeld() })
}

// waitForNews runs what comes to the UI queue within a moment, or waits that moment.
func (h *H) waitForNews() {
	select {
	case f := <-h.ui:
		f()
	case <-time.After(5 * time.Millisecond):
	}
}

// firstPager is the first pager on screen, if any: a new one is a screen built again.
func (h *H) firstPager() *touch.Pager {
	var found *touch.Pager
	h.Do(func() {
		for _, o := range h.objects() {
			if p, ok := o.(*touch.Pager); ok && p.Visible() {
				found = p
				return
			}
		}
	})
	return found
}

// TapNth taps the n-th (from 0) tappable labelled text a finger could reach, enabled
// or not, in screen order: the second pager's 下一页, say.
func (h *H) TapNth(text string, n int) {
	h.T.Helper()
	h.Pump()
	match := func(l string) bool { return l == text }
	o := h.tappable(match, n, false)
	if o == nil {
		h.T.Fatalf("no such %q (%d) on screen %s%s", text, n, h.Current(), h.whyNot(match))
	}
	h.TapObject(o)
}

// Current is the shell's name of the screen on top (NewScreen's name without a shell).
func (h *H) Current() string {
	if h.Shell == nil {
		return h.screen
	}
	var c string
	h.Do(func() { c = h.Shell.Current() })
	return c
}

// tappable returns the n-th (from 0) tappable whose label matches among those a finger
// could reach (reachable), in screen order, skipping disabled ones if enabled is set;
// nil if none.
func (h *H) tappable(match func(string) bool, n int, enabled bool) fyne.Tappable {
	var found fyne.Tappable
	h.Do(func() {
		h.reachable(func(o fyne.CanvasObject) {
			l, ok := label(o)
			if found != nil || !ok || !match(l) {
				return
			}
			if d, ok := o.(fyne.Disableable); ok && enabled && d.Disabled() {
				return
			}
			if n == 0 {
				found = o.(fyne.Tappable)
				return
			}
			n--
		})
	})
	return found
}

// label is the text a tappable object is known by.
func label(o fyne.CanvasObject) (string, bool) {
	switch b := o.(type) {
	case *touch.Button:
		return b.Text, true
	case *widget.Button:
		return b.Text, true
	case *touch.Tile:
		return b.Title, true
	case *touch.Row:
		return b.Title, true
	}
	return "", false
}

// Objects are the objects on screen, overlays first (top-most first): all of them,
// those under an overlay and hidden ones too. What a finger could tap is narrower
// (Targets, Reach); the harness's taps refuse the rest.
func (h *H) Objects() (objs []fyne.CanvasObject) {
	h.Do(func() { objs = h.objects() })
	return objs
}

func (h *H) objects() []fyne.CanvasObject {
	c := h.Win.Canvas()
	var objs []fyne.CanvasObject
	ov := c.Overlays().List()
	for i := len(ov) - 1; i >= 0; i-- {
		objs = collect(objs, ov[i])
	}
	return collect(objs, c.Content())
}

// collect appends o and every object below it, through the renderers the canvas
// draws with. (test.LaidOutObjects makes each widget a new renderer: a widget that
// keeps what its renderer made, as the keypad keeps its display, would then show one
// thing and update another.)
func collect(objs []fyne.CanvasObject, o fyne.CanvasObject) []fyne.CanvasObject {
	objs = append(objs, o)
	for _, k := range kids(o) {
		objs = collect(objs, k)
	}
	return objs
}

// kids are what o holds, through the renderers the canvas draws with.
func kids(o fyne.CanvasObject) []fyne.CanvasObject {
	switch c := o.(type) {
	case *fyne.Container:
		return c.Objects
	case fyne.Widget:
		return test.WidgetRenderer(c).Objects()
	}
	return nil
}

// TextSizes returns the sizes of visible text, smallest first.
func (h *H) TextSizes() []float32 {
	var s []float32
	for _, o := range h.Objects() {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			s = append(s, t.TextSize)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		s = []float32{0}
	}
	return s
}

// Check asserts the screen on show: touch targets of at least 64 (80 in 大字模式),
// MinGap between controls that do different things, a fit without scrolling, text
// in the font's one weight and list rows' titles whole. With dir set, it also writes the screen's picture as
// dir/name.png.
func (h *H) Check(dir, name string) {
	h.T.Helper()
	min := float32(64)
	if h.elderly() {
		min = 80
	}
	h.AssertTargets(min)
	h.AssertGaps()
	h.AssertFingerReaches()
	h.AssertFits()
	h.AssertOneWeight()
	h.AssertRowTitlesWhole()
	if dir == "" {
		return
	}
	h.Pump()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.T.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		h.T.Fatal(err)
	}
	err = png.Encode(f, h.Win.Canvas().Capture())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		h.T.Fatal(err)
	}
}

// elderly reports whether the screen is in 大字模式: the kiosk's mode, or without a
// kiosk the theme's.
func (h *H) elderly() bool {
	if h.K != nil {
		return h.K.Elderly()
	}
	th, ok := fyne.CurrentApp().Settings().Theme().(*kt.Kiosk)
	return ok && th.Elderly()
}

// AssertFingerReaches checks that a finger at the centre of each target reaches that
// target as the software renderer finds it (screens/softdriver), not something drawn
// over it or beside it.
func (h *H) AssertFingerReaches() {
	h.T.Helper()
	targets := h.Targets()
	h.Do(func() {
		root := h.tapLayer()
		for _, tg := range targets {
			if _, background := tg.Object.(*touch.Surface); background {
				continue // it takes the taps that land on nothing else
			}
			o, _ := objtree.At(root, tg.Centre, func(o fyne.CanvasObject) bool {
				_, ok := o.(fyne.Tappable)
				return ok
			})
			if o != tg.Object {
				h.T.Errorf("screen %s: a finger on %q at %v reaches %T %q", h.Current(), tg.Label, tg.Centre, o, labelOf(o))
			}
		}
	})
}

// AssertRowTitlesWhole checks that no list row shows its title cut short with "…": a
// row's title is what a finger picks (Unclear informati… was a rating's reason, in
// English in 大字模式). A row's detail and value may give way.
func (h *H) AssertRowTitlesWhole() {
	h.T.Helper()
	for _, o := range h.Objects() {
		r, ok := o.(*touch.Row)
		if !ok || !r.Visible() || r.Title == "" {
			continue
		}
		if shown := rowTitleShown(r); shown != r.Title {
			h.T.Errorf("screen %s: a row's title %q is shown as %q", h.Current(), r.Title, shown)
		}
	}
}

// rowTitleShown is r's title as its renderer shows it: its first line of text.
func rowTitleShown(r *touch.Row) string {
	for _, o := range test.WidgetRenderer(r).Objects() {
		if f, ok := o.(*touch.FitText); ok {
			for _, t := range test.WidgetRenderer(f).Objects() {
				if t, ok := t.(*canvas.Text); ok {
					return t.Text
				}
			}
		}
	}
	return r.Title
}

// AssertOneWeight checks that no text on screen asks for a bold or italic style: the
// bundled font has one weight, so such text looks the same but costs Fyne a second parse
// of the font (see theme.Kiosk.Font).
func (h *H) AssertOneWeight() {
	h.T.Helper()
	for _, o := range h.Objects() {
		if t, ok := o.(*canvas.Text); ok && t.Visible() && (t.TextStyle.Bold || t.TextStyle.Italic) {
			h.T.Errorf("screen %s: %q asks for style %+v; the bundled font has one weight",
				h.Current(), t.Text, t.TextStyle)
		}
	}
}

// AssertTargets checks that everything tappable on screen is at least min on both sides.
func (h *H) AssertTargets(min float32) {
	h.T.Helper()
	for _, o := range h.Objects() {
		if _, ok := o.(fyne.Tappable); !ok || !o.Visible() {
			continue
		}
		switch o.(type) {
		case *widget.Label: // selectable text, not a target
			continue
		}
		if s := o.Size(); s.Width < min || s.Height < min {
			h.T.Errorf("screen %s: %T %q is %.0f×%.0f, smaller than the %.0f px touch target",
				h.Current(), o, labelOf(o), s.Width, s.Height, min)
		}
	}
}

func labelOf(o fyne.CanvasObject) string {
	l, _ := label(o)
	return l
}

// AssertFits checks that the screen and its overlays need no scrolling at the window
// size, that no pager had to cut a block off, and that no box is laid out smaller than
// what it holds.
func (h *H) AssertFits() {
	h.T.Helper()
	c := h.Win.Canvas()
	for _, o := range h.Objects() {
		if p, ok := o.(*touch.Pager); ok && p.Visible() && p.Overflows() {
			h.T.Errorf("screen %s: a block is taller than the pager's page", h.Current())
		}
	}
	for _, o := range c.Overlays().List() {
		if m, s := o.MinSize(), c.Size(); m.Height > s.Height || m.Width > s.Width {
			h.T.Errorf("screen %s: an overlay needs %.0f×%.0f, the window is %.0f×%.0f",
				h.Current(), m.Width, m.Height, s.Width, s.Height)
		}
	}
	// A box laid out smaller than its content lets the content spill out of it (a
	// button below a card, a label beyond its button): its size was decided on stale
	// measures, or its content is too wide for the screen. A layout that shares out the
	// room left may round a row a pixel or two short, which nobody sees.
	const slack = 3
	for _, o := range h.Objects() {
		box, ok := o.(*fyne.Container)
		if !ok || !box.Visible() || box.Layout == nil {
			continue
		}
		if m, s := box.MinSize(), box.Size(); s.Height+slack < m.Height || s.Width+slack < m.Width {
			h.T.Errorf("screen %s: a box is laid out %.0f×%.0f, its content needs %.0f×%.0f",
				h.Current(), s.Width, s.Height, m.Width, m.Height)
		}
	}
	if m, s := c.Content().MinSize(), c.Size(); m.Height > s.Height || m.Width > s.Width {
		h.T.Errorf("screen %s needs %.0f×%.0f, the window is %.0f×%.0f (no scrolling on a touchscreen)",
			h.Current(), m.Width, m.Height, s.Width, s.Height)
	}
}

// CanTapTitle reports whether a finger could reach the header's title: no notice over
// it.
func (h *H) CanTapTitle() bool {
	h.T.Helper()
	h.Pump()
	return h.title() != nil
}

// title is the header's title where a finger could reach it, or nil.
func (h *H) title() (title *touch.TapCounter) {
	h.Do(func() {
		h.reachable(func(o fyne.CanvasObject) {
			if c, ok := o.(*touch.TapCounter); ok {
				title = c
			}
		})
	})
	return title
}

// TapTitle taps the header's title n times in a row, as staff do to ask for the
// maintenance PIN: each tap goes to the title on screen then, as a finger's would.
func (h *H) TapTitle(n int) {
	h.T.Helper()
	for range n {
		h.Pump()
		title := h.title()
		if title == nil {
			h.T.Fatalf("no title a finger could reach on %s%s", h.Current(), h.whyNotType(func(o fyne.CanvasObject) bool { _, ok := o.(*touch.TapCounter); return ok }))
		}
		h.TapObject(title)
	}
}

// TypePIN types a PIN on the screen's keypad and presses 确定.
func (h *H) TypePIN(pin string) {
	h.T.Helper()
	kp, ok := h.Keypad()
	if !ok {
		h.T.Fatalf("no keypad on %s", h.Current())
	}
	for _, d := range pin {
		h.TapObject(kp.Key(string(d)))
	}
	h.TapObject(kp.OK())
}

// OpenMaintenance opens maintenance mode with pin, as staff do.
func (h *H) OpenMaintenance(pin string) {
	h.T.Helper()
	h.TapTitle(5)
	h.TypePIN(pin)
	h.WaitFor("maintenance mode", func() bool { return h.Current() == "maint" })
}
