package screens_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens"
	"github.com/liangzihu/kiosk/screens/screentest"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

func newHarness(t *testing.T) *screentest.H { return screentest.New(t, screentest.Options{}) }

func TestHomeShowsChromeAndTiles(t *testing.T) {
	h := newHarness(t)
	for _, want := range []string{"演示模式", "请将身份证放在读卡区", "大厅指南", "95598", "12398", "大字模式", "English", "梁子湖区水电气网联办服务大厅"} {
		if !h.Shows(want) {
			t.Errorf("home does not show %q", want)
		}
	}
	if h.Shows("返回") || h.Shows("首页") {
		t.Error("home must not show 返回 / 首页")
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t)
	h.Tap("大厅指南")
	if h.Shell.Current() != "guide" {
		t.Fatalf("on %s", h.Shell.Current())
	}
	for _, want := range []string{"返回", "首页", "太和镇政务服务中心", "周一至周五", "国网梁子湖区供电公司", "0711-5123456", "95598", "12398"} {
		if !h.Shows(want) {
			t.Errorf("guide does not show %q", want)
		}
	}
	h.Tap("返回")
	if h.Shell.Current() != "home" {
		t.Fatalf("返回 went to %s", h.Shell.Current())
	}
	h.Tap("大厅指南")
	h.Tap("首页")
	if h.Shell.Current() != "home" {
		t.Fatalf("首页 went to %s", h.Shell.Current())
	}
}

// Leaving home starts the idle timer; the countdown appears after the idle time and at
// zero the visit is wiped and home is shown.
func TestIdleCountdownThroughUI(t *testing.T) {
	h := newHarness(t)
	sess := h.K.Sessions.Start()
	sess.SetIdentity(session.Identity{Name: "张三丰", IDNumber: "11010519491231002X"})
	h.Tap("大厅指南")
	if !h.Shows("张**") || !h.Shows("110105********002X") {
		t.Fatal("the masked identity is not shown while the session is open")
	}
	if h.Shows("张三丰") || h.Shows("19491231") {
		t.Fatal("raw personal data on screen")
	}
	h.Advance(59 * time.Second)
	if h.Shell.CountdownVisible() {
		t.Fatal("countdown before the idle time")
	}
	h.Advance(time.Second)
	if !h.Shell.CountdownVisible() || !h.Shows("您还在吗") || !h.Shows(">10<") {
		t.Fatalf("countdown not shown at 60 s:\n%s", h.Markup())
	}
	h.Advance(3 * time.Second)
	if !h.Shows(">7<") {
		t.Fatal("countdown not ticking")
	}
	h.Tap("继续办理")
	if h.Shell.CountdownVisible() || h.Shell.Current() != "guide" || h.K.Sessions.Current() == nil {
		t.Fatal("继续办理 did not resume the visit where it was")
	}
	h.Advance(70 * time.Second)
	if h.Shell.CountdownVisible() || h.Shell.Current() != "home" || h.K.Sessions.Current() != nil {
		t.Fatalf("not wiped and home after the countdown: screen %s", h.Shell.Current())
	}
	if !sess.Wiped() {
		t.Fatal("session data not wiped")
	}
	if h.Shows("张*") || h.Shows("002X") || h.Shows("退出办理") {
		t.Fatal("personal content left on screen after the wipe")
	}
}

// The idle countdown covers the screen: nobody passing reads the citizen's data while
// it asks whether they are still there, and the screen comes back as it was. Its card
// holds all of its content in both modes, although its message is set after the card
// was made and wraps to two lines in 大字模式.
func TestIdleCountdownCoversTheScreen(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		h := newHarness(t)
		h.Do(func() { h.Shell.SetElderly(elderly) })
		sess := h.K.Sessions.Start()
		sess.SetIdentity(session.Identity{Name: "张三丰", IDNumber: "11010519491231002X"})
		h.Tap("大厅指南")
		h.Advance(60 * time.Second)
		if !h.Shell.CountdownVisible() {
			t.Fatal("no countdown at 60 s")
		}
		if h.Shows("张**") || h.Shows("002X") {
			t.Errorf("大字模式 %v: the citizen's data shows under the countdown", elderly)
		}
		h.Check("", "") // as the screenshots: laid out, painted
		var card fyne.CanvasObject
		var cardPos fyne.Position
		h.Do(func() {
			top, ok := h.Win.Canvas().Overlays().Top().(*fyne.Container)
			if !ok || len(top.Objects) == 0 {
				return
			}
			if holder, ok := top.Objects[len(top.Objects)-1].(*fyne.Container); ok && len(holder.Objects) == 1 {
				card, cardPos = holder.Objects[0], holder.Position().Add(holder.Objects[0].Position())
			}
		})
		if card == nil {
			t.Fatal("no card in the countdown's overlay")
		}
		end := cardPos.Add(card.Size())
		buttons := 0
		for _, tg := range h.Targets() {
			if tg.Label != "继续办理" && tg.Label != "立即退出" {
				continue
			}
			buttons++
			s := tg.Object.Size()
			if tg.Centre.Y+s.Height/2 > end.Y || tg.Centre.Y-s.Height/2 < cardPos.Y ||
				tg.Centre.X-s.Width/2 < cardPos.X || tg.Centre.X+s.Width/2 > end.X {
				t.Errorf("大字模式 %v: %s at %v (%v) outside its card %v–%v", elderly, tg.Label, tg.Centre, s, cardPos, end)
			}
		}
		if buttons != 2 {
			t.Fatalf("%d of the countdown's buttons found", buttons)
		}
		h.Tap("继续办理")
		if !h.Shows("张**") {
			t.Errorf("大字模式 %v: the screen did not come back after the countdown", elderly)
		}
	}
}

// A tap anywhere, even on plain text, counts as activity.
func TestTapAnywhereIsActivity(t *testing.T) {
	h := newHarness(t)
	h.K.Sessions.Start()
	h.Advance(50 * time.Second)
	test.TapCanvas(h.Win.Canvas(), fyne.NewPos(640, 600)) // blank area of the home screen
	h.Advance(50 * time.Second)                           // 100 s since the start, 50 s since the tap
	if h.K.Sessions.Current() == nil || h.K.Sessions.State() != session.Active {
		t.Fatal("a tap on the background did not count as activity")
	}
}

// The countdown takes every tap: a tap on the backdrop beside it presses nothing
// underneath and counts as activity, so the countdown goes away.
func TestCountdownTakesTapsAround(t *testing.T) {
	h := newHarness(t)
	h.K.Sessions.Start()
	h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	if !h.Shell.CountdownVisible() {
		t.Fatal("no countdown")
	}
	test.TapCanvas(h.Win.Canvas(), fyne.NewPos(100, 400)) // where the 联动报装 tile is, under the backdrop
	h.Pump()
	if h.Shell.Current() != "home" {
		t.Fatalf("a tap beside the countdown opened %s", h.Shell.Current())
	}
	if h.K.Sessions.State() != session.Active {
		t.Fatal("a tap beside the countdown did not count as activity")
	}
}

func TestExitButtonWipesAtOnce(t *testing.T) {
	h := newHarness(t)
	sess := h.K.Sessions.Start()
	sess.SetIdentity(session.Identity{Name: "李四", IDNumber: "440524188001010014"})
	h.Tap("大厅指南")
	// The user guide sends citizens to "the red 退出办理": it is drawn in the error colour.
	var exit *touch.Button
	for _, o := range h.Objects() {
		if b, ok := o.(*touch.Button); ok && b.Text == "退出办理" {
			exit = b
		}
	}
	if exit == nil {
		t.Fatal("no 退出办理 button")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(exit)
	r, g, b, _ := h.Win.Canvas().Capture().At(int(pos.X)+6, int(pos.Y+exit.Size().Height/2)).RGBA()
	if wr, wg, wb, _ := ft.Color(ft.ColorNameError).RGBA(); r != wr || g != wg || b != wb {
		t.Errorf("退出办理 is drawn in %02x%02x%02x, not the error colour", r>>8, g>>8, b>>8)
	}
	h.Tap("退出办理")
	if h.K.Sessions.Current() != nil || !sess.Wiped() || h.Shell.Current() != "home" {
		t.Fatal("退出办理 did not wipe and go home")
	}
	if h.Shows("李*") {
		t.Fatal("name still shown")
	}
}

func TestIdleExitNowFromCountdown(t *testing.T) {
	h := newHarness(t)
	h.K.Sessions.Start()
	h.Advance(62 * time.Second)
	h.Tap("立即退出")
	if h.K.Sessions.Current() != nil || h.Shell.CountdownVisible() {
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
				h.Tap("大厅指南")
			}
			normal := h.TextSizes()
			h.Tap("大字模式")
			if !h.K.Elderly() || !h.Shows("大字模式：开") {
				t.Fatal("elderly mode not on")
			}
			if h.Shell.Current() != page {
				t.Fatalf("switching moved to %s", h.Shell.Current())
			}
			big := h.TextSizes()
			if big[0] < normal[0]*1.5 {
				t.Errorf("smallest text %.0f → %.0f, want ≥ 1.5×", normal[0], big[0])
			}
			h.AssertTargets(64 * kt.ElderlyTargetScale)
			h.AssertFits()
			h.Tap("大字模式：开")
			if h.K.Elderly() {
				t.Fatal("could not switch back")
			}
		})
	}
}

func TestLanguageToggle(t *testing.T) {
	h := newHarness(t)
	now := h.K.Clock.Now().In(workdays.CST)
	if !h.Shows(now.Format("2006年1月2日 15:04  星期")) {
		t.Errorf("the clock in Chinese:\n%s", h.Markup())
	}
	h.Tap("English")
	if !h.Shows("Place your ID card on the reader") || !h.Shows("Hall guide") || !h.Shows("Power service") {
		t.Fatalf("English home incomplete:\n%s", h.Markup())
	}
	// English puts the weekday first, as English dates do everywhere on the screens.
	if !h.Shows(now.Format("Mon 2 Jan 2006 15:04")) {
		t.Errorf("the clock in English:\n%s", h.Markup())
	}
	h.Tap("Hall guide")
	if !h.Shows("Opening hours") || !h.Shows("Mon–Fri") || h.Shows("[") {
		t.Fatal("English guide incomplete")
	}
	h.Tap("中文")
	if !h.Shows("办公时间") {
		t.Fatal("back to Chinese failed")
	}
}

// The next citizen starts from the hall's defaults, not the last one's choices.
func TestChoicesResetWithSession(t *testing.T) {
	h := newHarness(t)
	h.K.Sessions.Start()
	h.Tap("English")
	h.Tap("Large text")
	h.K.Exit()
	if h.K.Elderly() || h.K.Text.Lang() != "zh" || !h.Shows("请将身份证放在读卡区") {
		t.Fatal("language or size carried over to the next visit")
	}
}

// A passer-by taps English and 大字模式 on home and walks off without a visit: the idle
// time puts the hall's screen back for the next citizen.
func TestChoicesOnHomeTimeOut(t *testing.T) {
	h := newHarness(t)
	h.Tap("English")
	h.Tap("Large text")
	h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration + h.K.Config.Kiosk.IdleCountdown.Duration + time.Second)
	if h.K.Elderly() || h.K.Text.Lang() != "zh" || !h.Shows("请将身份证放在读卡区") || h.Shows("大字模式：开") {
		t.Fatalf("the passer-by's choices stay on home:\n%s", h.Markup())
	}
	if st := h.K.Sessions.State(); st != session.Resting {
		t.Fatalf("idle state %s on the hall's home screen", st)
	}
}

// 大字模式 switches and ends of visits keep the app's one theme, resized: handing Fyne a
// new theme makes it parse the fonts again and keep every parse (kt.Kiosk), megabytes a
// visit for as long as the kiosk runs.
func TestModeSwitchesKeepTheTheme(t *testing.T) {
	h := newHarness(t)
	th := fyne.CurrentApp().Settings().Theme()
	normal := ft.TextSize()
	for range 3 {
		h.K.Sessions.Start()
		h.Tap("大字模式")
		if ft.TextSize() < normal*1.5 {
			t.Fatalf("大字模式: text %.0f, normal %.0f", ft.TextSize(), normal)
		}
		h.K.Exit()
		h.Pump()
		if ft.TextSize() != normal || !h.Shows("请将身份证放在读卡区") {
			t.Fatalf("after the visit: text %.0f, want the hall's normal %.0f", ft.TextSize(), normal)
		}
		h.K.Sessions.Start()
		h.K.Exit() // a visit that switched nothing
		h.Pump()
	}
	if fyne.CurrentApp().Settings().Theme() != th {
		t.Fatal("the kiosk handed Fyne a new theme")
	}
}

// A second shell in the same app (a kiosk after another: benchmarks in one window) keeps
// the theme, in the new kiosk's mode.
func TestNextShellKeepsTheTheme(t *testing.T) {
	h := newHarness(t)
	th := fyne.CurrentApp().Settings().Theme()
	h.K.SetElderly(true)
	screens.NewShell(h.K, test.NewTempWindow(t, nil), screens.Options{Do: func(f func()) { f() }})
	if fyne.CurrentApp().Settings().Theme() != th || !th.(*kt.Kiosk).Elderly() {
		t.Fatal("the next shell did not keep the theme in its kiosk's mode")
	}
}

// Personal data never reaches the log while a session holds it.
func TestNoPersonalDataInLog(t *testing.T) {
	h := newHarness(t)
	sess := h.K.Sessions.Start()
	id := session.Identity{Name: "王小明", IDNumber: "11010519491231002X"}
	sess.SetIdentity(id)
	h.K.Log.Info("card read", "who", id)
	h.Tap("大厅指南")
	h.Advance(2 * time.Minute)
	out := h.Log()
	if !strings.Contains(out, "session ended") {
		t.Fatalf("log lacks the session events:\n%s", out)
	}
	for _, raw := range []string{"王小明", "11010519491231002X", "19491231"} {
		if strings.Contains(out, raw) {
			t.Fatalf("log holds %q:\n%s", raw, out)
		}
	}
}

// A screen chooses its layout by the window's size; when the window changes size (a
// kiosk's display is not always 1280×800) the screen on show is built again for it.
func TestScreenRebuiltForNewWindowSize(t *testing.T) {
	h := newHarness(t)
	h.Tap("账户与账单")
	if !h.Shows("服务热线") {
		t.Fatal("the footer's hotlines heading is missing at 1280×800")
	}
	resize := func(w, ht float32) {
		h.Do(func() { h.Win.Resize(fyne.NewSize(w, ht)) })
		h.Pump()
	}
	resize(640, 700) // too narrow for the heading beside the hotlines and the buttons
	if h.Shows("服务热线") || !h.Shows("95598") || !h.Shows("12398") {
		t.Errorf("at 640×700 the footer was not rebuilt: heading shown %v", h.Shows("服务热线"))
	}
	if h.Shell.Current() != "accounts" {
		t.Errorf("rebuilding left the lookup screen for %s", h.Shell.Current())
	}
	resize(1280, 800)
	if !h.Shows("服务热线") {
		t.Error("back at 1280×800 the heading did not come back")
	}
}

// The home screen's picture stays one object at one size across renders, in every
// language and mode: a new or resized picture is drawn again from its SVG.
func TestHomePictureKeptAcrossRenders(t *testing.T) {
	h := newHarness(t)
	picture := func() *canvas.Image {
		for _, o := range h.Objects() {
			if img, ok := o.(*canvas.Image); ok && img.Resource != nil && img.Resource.Name() == "card-reader.svg" {
				return img
			}
		}
		t.Fatal("no picture of the reader on home")
		return nil
	}
	for _, english := range []bool{false, true} {
		if english {
			h.Shell.ToggleLanguage()
		}
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			first := picture()
			size := first.Size()
			h.Shell.ToggleLanguage()
			h.Shell.ToggleLanguage()
			if again := picture(); again != first || again.Size() != size {
				t.Errorf("english %v, 大字模式 %v: the picture was made or resized again", english, elderly)
			}
		}
	}
}
