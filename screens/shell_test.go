package screens

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/session"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

type harness struct {
	t     *testing.T
	k     *app.Kiosk
	s     *Shell
	w     fyne.Window
	clock *clock.Manual
	log   *bytes.Buffer
	// ui holds functions the shell asked to run on the UI goroutine; the test runs
	// them on its own goroutine (pump), as Fyne's event loop would.
	ui chan func()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, config.Defaults(), nil)
}

// newHarnessWith builds a shell on a manual clock for the given configuration, with the
// demo rig when d is not nil.
func newHarnessWith(t *testing.T, cfg *config.Config, d app.DemoRig) *harness {
	t.Helper()
	test.NewTempApp(t)
	cfg.Demo = true
	cfg.Data.Dir = t.TempDir()
	c := clock.NewManual(time.Date(2026, 11, 25, 9, 30, 0, 0, time.Local))
	var buf bytes.Buffer
	down := map[string]string{}
	for _, id := range config.UtilityIDs {
		down[id] = "http://127.0.0.1:1" // closed: these tests do not reach the utilities
	}
	k, err := app.New(cfg, app.Options{Clock: c, Logger: slog.New(slog.NewJSONHandler(&syncWriter{w: &buf}, nil)), Demo: d, UtilityURLs: down})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1280, 800))
	h := &harness{t: t, k: k, w: w, clock: c, log: &buf, ui: make(chan func(), 1024)}
	h.s = NewShell(k, w, Options{Do: func(f func()) { h.ui <- f }})
	return h
}

// pump runs the functions queued for the UI goroutine.
func (h *harness) pump() {
	for {
		select {
		case f := <-h.ui:
			f()
		default:
			return
		}
	}
}

// advance moves the clock and lets the UI react.
func (h *harness) advance(d time.Duration) {
	h.clock.Advance(d)
	h.pump()
}

// waitFor pumps the UI queue until cond holds (device and network events arrive from
// other goroutines), failing after 15 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		h.pump()
		if cond() {
			return
		}
		select {
		case f := <-h.ui:
			f()
		case <-time.After(5 * time.Millisecond):
		}
	}
	h.t.Fatalf("timed out waiting for %s; screen %s:\n%s", what, h.s.Current(), h.markup())
}

// markup is the laid-out canvas (overlays included) as text, for assertions on what is shown.
func (h *harness) markup() string {
	h.pump()
	return test.RenderToMarkup(h.w.Canvas())
}

func (h *harness) shows(s string) bool { return strings.Contains(h.markup(), s) }

// tapText taps the first tappable whose label is text.
func (h *harness) tapText(text string) {
	h.t.Helper()
	h.pump()
	if !tapLabel(h.w.Canvas(), text) {
		h.t.Fatalf("nothing to tap labelled %q on screen %s", text, h.s.Current())
	}
	h.pump()
}

// syncWriter serialises writes from the log's several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func tapLabel(c fyne.Canvas, text string) bool {
	var objs []fyne.CanvasObject
	for _, o := range c.Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	objs = append(objs, test.LaidOutObjects(c.Content())...)
	for _, o := range objs {
		switch b := o.(type) {
		case *touch.Button:
			if b.Text == text && b.Visible() {
				test.Tap(b)
				return true
			}
		case *widget.Button:
			if b.Text == text && b.Visible() {
				test.Tap(b)
				return true
			}
		case *touch.Tile:
			if b.Title == text {
				test.Tap(b)
				return true
			}
		}
	}
	return false
}

func TestHomeShowsChromeAndTiles(t *testing.T) {
	h := newHarness(t)
	for _, want := range []string{"演示模式", "请将身份证放在读卡区", "办事指南", "95598", "12398", "大字模式", "English", "梁子湖区水电气网联办服务大厅"} {
		if !h.shows(want) {
			t.Errorf("home does not show %q", want)
		}
	}
	if h.shows("返回") || h.shows("首页") {
		t.Error("home must not show 返回 / 首页")
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t)
	h.tapText("办事指南")
	if h.s.Current() != "guide" {
		t.Fatalf("on %s", h.s.Current())
	}
	for _, want := range []string{"返回", "首页", "太和镇政务服务中心", "周一至周五", "国网梁子湖区供电公司", "0711-5123456", "95598", "12398"} {
		if !h.shows(want) {
			t.Errorf("guide does not show %q", want)
		}
	}
	h.tapText("返回")
	if h.s.Current() != "home" {
		t.Fatalf("返回 went to %s", h.s.Current())
	}
	h.tapText("办事指南")
	h.tapText("首页")
	if h.s.Current() != "home" {
		t.Fatalf("首页 went to %s", h.s.Current())
	}
}

// Leaving home starts the idle timer; the countdown appears after the idle time and at
// zero the visit is wiped and home is shown.
func TestIdleCountdownThroughUI(t *testing.T) {
	h := newHarness(t)
	sess := h.k.Sessions.Start()
	sess.SetIdentity(session.Identity{Name: "张三丰", IDNumber: "11010519491231002X"})
	h.tapText("办事指南")
	if !h.shows("张**") || !h.shows("110105********002X") {
		t.Fatal("the masked identity is not shown while the session is open")
	}
	if h.shows("张三丰") || h.shows("19491231") {
		t.Fatal("raw personal data on screen")
	}
	h.advance(59 * time.Second)
	if h.s.idle.Visible() {
		t.Fatal("countdown before the idle time")
	}
	h.advance(time.Second)
	if !h.s.idle.Visible() || !h.shows("您还在吗") || !h.shows(">10<") {
		t.Fatalf("countdown not shown at 60 s:\n%s", h.markup())
	}
	h.advance(3 * time.Second)
	if !h.shows(">7<") {
		t.Fatal("countdown not ticking")
	}
	h.tapText("继续办理")
	if h.s.idle.Visible() || h.s.Current() != "guide" || h.k.Sessions.Current() == nil {
		t.Fatal("继续办理 did not resume the visit where it was")
	}
	h.advance(70 * time.Second)
	if h.s.idle.Visible() || h.s.Current() != "home" || h.k.Sessions.Current() != nil {
		t.Fatalf("not wiped and home after the countdown: screen %s", h.s.Current())
	}
	if !sess.Wiped() {
		t.Fatal("session data not wiped")
	}
	if h.shows("张*") || h.shows("002X") || h.shows("退出办理") {
		t.Fatal("personal content left on screen after the wipe")
	}
}

// A tap anywhere, even on plain text, counts as activity.
func TestTapAnywhereIsActivity(t *testing.T) {
	h := newHarness(t)
	h.k.Sessions.Start()
	h.advance(50 * time.Second)
	test.TapCanvas(h.w.Canvas(), fyne.NewPos(640, 600)) // blank area of the home screen
	h.advance(50 * time.Second)                         // 100 s since the start, 50 s since the tap
	if h.k.Sessions.Current() == nil || h.k.Sessions.State() != session.Active {
		t.Fatal("a tap on the background did not count as activity")
	}
}

func TestExitButtonWipesAtOnce(t *testing.T) {
	h := newHarness(t)
	sess := h.k.Sessions.Start()
	sess.SetIdentity(session.Identity{Name: "李四", IDNumber: "440524188001010014"})
	h.tapText("办事指南")
	h.tapText("退出办理")
	if h.k.Sessions.Current() != nil || !sess.Wiped() || h.s.Current() != "home" {
		t.Fatal("退出办理 did not wipe and go home")
	}
	if h.shows("李*") {
		t.Fatal("name still shown")
	}
}

func TestIdleExitNowFromCountdown(t *testing.T) {
	h := newHarness(t)
	h.k.Sessions.Start()
	h.advance(62 * time.Second)
	h.tapText("立即退出")
	if h.k.Sessions.Current() != nil || h.s.idle.Visible() {
		t.Fatal("立即退出 did not end the visit")
	}
}

// 大字模式 is reachable from every screen, grows text ≥ 1.5× and targets ≥ 1.25×, and
// the screens still fit 1280×800 without scrolling.
func TestElderlyModeFromEveryScreen(t *testing.T) {
	for _, page := range []string{"home", "guide"} {
		t.Run(page, func(t *testing.T) {
			h := newHarness(t)
			if page != "home" {
				h.tapText("办事指南")
			}
			normal := textSizes(h.w.Canvas())
			h.tapText("大字模式")
			if !h.k.Elderly() || !h.shows("大字模式：开") {
				t.Fatal("elderly mode not on")
			}
			if h.s.Current() != page {
				t.Fatalf("switching moved to %s", h.s.Current())
			}
			big := textSizes(h.w.Canvas())
			if big[0] < normal[0]*1.5 {
				t.Errorf("smallest text %.0f → %.0f, want ≥ 1.5×", normal[0], big[0])
			}
			assertTargets(t, h.w.Canvas(), 64*kt.ElderlyTargetScale)
			assertFits(t, h.w.Canvas())
			h.tapText("大字模式：开")
			if h.k.Elderly() {
				t.Fatal("could not switch back")
			}
		})
	}
}

func TestTapTargetsAndFit(t *testing.T) {
	h := newHarness(t)
	for _, page := range []string{"home", "guide"} {
		if page == "guide" {
			h.tapText("办事指南")
		}
		assertTargets(t, h.w.Canvas(), 64)
		assertFits(t, h.w.Canvas())
	}
}

func TestLanguageToggle(t *testing.T) {
	h := newHarness(t)
	h.tapText("English")
	if !h.shows("Please place your ID card on the reader") || !h.shows("Service guide") || !h.shows("Power service") {
		t.Fatalf("English home incomplete:\n%s", h.markup())
	}
	h.tapText("Service guide")
	if !h.shows("Opening hours") || !h.shows("Mon–Fri") || h.shows("[") {
		t.Fatal("English guide incomplete")
	}
	h.tapText("中文")
	if !h.shows("办事时间") && !h.shows("办公时间") {
		t.Fatal("back to Chinese failed")
	}
}

// The next citizen starts from the hall's defaults, not the last one's choices.
func TestChoicesResetWithSession(t *testing.T) {
	h := newHarness(t)
	h.k.Sessions.Start()
	h.tapText("English")
	h.tapText("Large text")
	h.k.Exit()
	if h.k.Elderly() || h.k.Text.Lang() != "zh" || !h.shows("请将身份证放在读卡区") {
		t.Fatal("language or size carried over to the next visit")
	}
}

// Personal data never reaches the log while a session holds it.
func TestNoPersonalDataInLog(t *testing.T) {
	h := newHarness(t)
	sess := h.k.Sessions.Start()
	id := session.Identity{Name: "王小明", IDNumber: "11010519491231002X"}
	sess.SetIdentity(id)
	h.k.Log.Info("card read", "who", id)
	h.tapText("办事指南")
	h.advance(2 * time.Minute)
	out := h.log.String()
	if !strings.Contains(out, "session ended") {
		t.Fatalf("log lacks the session events:\n%s", out)
	}
	for _, raw := range []string{"王小明", "11010519491231002X", "19491231"} {
		if strings.Contains(out, raw) {
			t.Fatalf("log holds %q:\n%s", raw, out)
		}
	}
}
