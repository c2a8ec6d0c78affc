package main

import (
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens"
	"github.com/liangzihu/kiosk/screens/paint"
	"github.com/liangzihu/kiosk/screens/softdriver"
	"github.com/liangzihu/kiosk/screens/touch"
	"github.com/liangzihu/kiosk/screens/xwin"
	"github.com/liangzihu/kiosk/screens/xwin/xvfbtest"
)

// frameBudget is one frame at 60 Hz: every screen must be built and painted within it.
const frameBudget = 16 * time.Millisecond

// tourStop is one screen of the tour.
type tourStop struct {
	// name names the sub-benchmark; screen is the shell's name of the screen the stop
	// must end on (checked, so that a stop cannot silently measure another screen).
	name, screen string
	// only limits the stop to normal ("normal") or 大字模式 ("elderly") where the screen
	// exists in one mode only; "" runs both.
	only string
	env  journeyOptions
	// to brings a fresh kiosk from its home screen (already in the mode measured) to the
	// screen.
	to func(k *journey)
	// frame prepares one frame, untimed, and returns the work of the frame, timed.
	// nil is rerender: the shell rebuilds the top screen, as it does on every change of
	// the screen's data (an answer, a tap on a bill, a language or size switch).
	frame func(k *journey) func()
}

// screenTour is every screen a citizen can reach, with the state that makes it
// heaviest (four utilities answered, bills with tiers and 能效, …). To measure a new
// screen (issue 7's application screens, say) add a row here: a name, the shell's name
// of the screen, and how to get there from home. BenchmarkScreens runs every row in
// normal and 大字模式.
var screenTour = []tourStop{
	{name: "home", screen: "home", to: func(k *journey) {}},
	{name: "guide", screen: "guide", to: func(k *journey) { k.Tap("大厅指南") }},
	// 账户与账单 without a card: the ways to look an account up.
	{name: "lookup", screen: "accounts", to: func(k *journey) { k.Tap("账户与账单") }},
	{name: "account-keypad", screen: "account-keypad", to: toAccountKeypad},
	{name: "account-keypad-key", screen: "account-keypad", to: toAccountKeypad, frame: keypadPress("7")},
	// 张三 has accounts at all four utilities.
	{name: "accounts", screen: "accounts", to: toFourAccounts},
	// 李四's electricity: unpaid bills; the detail of the newest (tiers) beside the list.
	{name: "bills", screen: "bills", to: toElectricityBills},
	// The detail's second page: fees and the 能效账单 (normal mode: the detail's pager
	// is the second on screen).
	{name: "bills-efficiency", screen: "bills", only: "normal", to: func(k *journey) {
		toElectricityBills(k)
		k.WaitFor("the detail's pager", func() bool { return k.count("下一页") == 2 })
		k.TapNth("下一页", 1)
		k.WaitShows("能效等级")
	}, frame: pageTurn(1)},
	// 大字模式 has no room beside the list: 账单明细 opens the detail.
	{name: "bill-detail", screen: "bill-detail", only: "elderly", to: toBillDetail},
	{name: "bill-detail-efficiency", screen: "bill-detail", only: "elderly", to: func(k *journey) {
		toBillDetail(k)
		for !k.Shows("能效等级") {
			k.Tap("下一页")
		}
	}, frame: pageTurn(0)},
	{name: "pay", screen: "pay", to: func(k *journey) {
		toElectricityBills(k)
		k.TapPrefix("缴费（")
		k.WaitShows("请用微信或支付宝扫码支付")
	}},
	{name: "pay-result", screen: "pay-result", env: journeyOptions{autoPay: 300 * time.Millisecond}, to: func(k *journey) {
		toElectricityBills(k)
		k.TapPrefix("缴费（")
		k.WaitShows("请取走凭条")
	}},
	{name: "track-anonymous", screen: "track", to: func(k *journey) { k.Tap("进度查询") }},
	{name: "track", screen: "track", to: toMyApplications},
	{name: "track-keypad", screen: "track-keypad", to: toTrackKeypad},
	{name: "track-keypad-key", screen: "track-keypad", to: toTrackKeypad, frame: keypadPress("A")},
	{name: "timeline", screen: "timeline", to: toTimeline},
	{name: "rate", screen: "rate", to: func(k *journey) {
		toTimeline(k)
		k.Tap("评价本次服务")
		k.Tap("不满意")
		k.Tap("办理太慢")
	}},
	{name: "rate-done", screen: "rate", to: func(k *journey) {
		toTimeline(k)
		k.Tap("评价本次服务")
		k.Tap("非常满意")
		k.Tap("提交评价")
		k.WaitShows("评价已提交")
	}},
	// Applications: 陈建国 (no accounts yet) applies at all four utilities.
	{name: "apply-choose", screen: "apply-choose", to: func(k *journey) {
		k.card(5)
		k.Tap("首页")
		k.Tap("联动报装")
		for _, u := range allFour {
			k.TapSeeking(k.K.UtilityName(u))
		}
	}},
	{name: "apply-form", screen: "form", to: toApplyForm},
	{name: "apply-keypad", screen: "editor", to: func(k *journey) { toApplyForm(k); k.TapPrefixSeeking("联系电话") }},
	{name: "apply-address", screen: "editor", to: func(k *journey) {
		toApplyForm(k)
		k.TapPrefixSeeking("地址")
		k.TapFirstRow()
	}},
	{name: "apply-review", screen: "review", to: toApplyReview},
	{name: "apply-result", screen: "apply-result", to: func(k *journey) {
		toApplyReview(k)
		k.Tap("确认提交")
		k.WaitFor("the result", func() bool { return k.Shell.Current() == "apply-result" })
	}},
	// The acceptance receipt as the emulator printed it, paged (demo mode).
	{name: "demo-receipt", screen: "demo-receipt", to: func(k *journey) {
		toApplyReview(k)
		k.Tap("确认提交")
		k.WaitFor("the result", func() bool { return k.Shell.Current() == "apply-result" })
		k.Tap("查看打印的凭条（演示）")
	}},
	{name: "catalog", screen: "catalog", to: func(k *journey) { k.card(5); k.Tap("首页"); k.Tap("更多服务") }},
	// 临电租赁's form: a service of the catalogue through the same form engine.
	{name: "catalog-form", screen: "form", to: func(k *journey) {
		k.card(5)
		k.Tap("首页")
		k.Tap("更多服务")
		k.TapPrefixSeeking("临电租赁")
		k.WaitFor("the form", func() bool { return k.Shell.Current() == "form" })
	}},
	// 信息公开: the list of what is published, and the power tariff with its tier table.
	{name: "info", screen: "info", to: func(k *journey) { k.Tap("信息公开") }},
	{name: "info-tariffs", screen: "info-page", to: func(k *journey) { k.Tap("信息公开"); k.TapSeeking("电价") }},
	// 过户 of 李四's water account: its unpaid bill is to be settled first.
	{name: "transfer-settle", screen: "settle", to: func(k *journey) {
		k.card(5)
		k.apply(catalog.JointTransfer, []string{utility.Water}, map[string]string{"water.account": utilitysim.AccountNumber(utility.Water, 1)})
		k.WaitShows("过户前须结清原户号的全部欠费")
	}},
	// The idle countdown over the guide, one second of it: the number and message change.
	{name: "idle-countdown", screen: "guide", env: journeyOptions{manual: true}, to: func(k *journey) {
		k.K.Sessions.Start()
		k.Tap("大厅指南")
		k.Advance(k.K.Config.Kiosk.IdleTimeout.Duration)
	}, frame: countdownTick},
	// 大字模式 switched on (and, every other frame, off) over 张三's four accounts.
	{name: "elderly-switch", screen: "accounts", only: "normal", to: toFourAccounts,
		frame: func(k *journey) func() { return func() { k.Shell.SetElderly(!k.K.Elderly()) } }},
	// A modal: the demo card chooser opening (模拟刷卡).
	{name: "modal-demo-cards", screen: "home", to: func(k *journey) {}, frame: openDemoCards},
	// A notice over the home screen (an expired card), the home screen rebuilt under it.
	{name: "notice-expired-card", screen: "home", to: func(k *journey) {
		k.WaitFor("the reader", func() bool { st, ok := k.K.DeviceState("idcard"); return ok && st.OK })
		if err := k.rig.PlaceFixture("resident_expired"); err != nil {
			k.T.Fatal(err)
		}
		k.WaitShows("您的证件已过有效期")
	}},
}

func toFourAccounts(k *journey) {
	k.card(0)
	k.WaitFor("all four answers", func() bool { acc, ok := k.K.SessionAccounts(); return ok && k.accountsShown(acc) })
}

func toAccountKeypad(k *journey) {
	k.Tap("账户与账单")
	k.Tap(k.K.UtilityName(utility.Water))
	for _, c := range "1234" {
		k.Tap(string(c))
	}
}

func toApplyForm(k *journey) {
	k.card(5)
	k.Tap("首页")
	k.Tap("联动报装")
	for _, u := range allFour {
		k.TapSeeking(k.K.UtilityName(u))
	}
	k.TapPrefix("下一步")
}

func toApplyReview(k *journey) {
	k.card(5)
	k.apply(catalog.JointConnection, allFour, map[string]string{"electricity.voltage": "low"})
	k.WaitShows("确认提交")
}

func toElectricityBills(k *journey) { toBills(k, utility.Electricity) }

// toBills places 李四's card and opens his account's bills at a utility.
func toBills(k *journey, utilityID string) {
	k.card(1)
	account := "户号 " + utilitysim.AccountNumber(utilityID, 1)
	k.WaitShows(account)
	k.Tap(account)
	k.WaitShows("缴费截止")
}

func toBillDetail(k *journey) {
	toElectricityBills(k)
	k.Tap("账单明细")
	k.WaitShows("阶梯计费明细")
}

func toMyApplications(k *journey) {
	k.card(0)
	k.Tap("首页")
	k.Tap("进度查询")
	k.WaitFor("the applications", func() bool { return !k.Shows("正在查询办件…") })
}

func toTrackKeypad(k *journey) {
	k.Tap("进度查询")
	k.Tap("输入办件编号")
	for _, c := range "DL26" {
		k.Tap(string(c))
	}
}

// toTimeline opens 张三's finished application, the one to rate.
func toTimeline(k *journey) {
	toMyApplications(k)
	k.TapObject(k.object("application row", 0, func(o fyne.CanvasObject) bool { _, ok := o.(*touch.Row); return ok }).(fyne.Tappable))
	k.WaitShows("评价本次服务")
}

// blankPage is pushed and popped to make the shell render the screen under it again.
var blankPage = screens.Page{Name: "bench-blank", TitleKey: "nav.back",
	Build: func() fyne.CanvasObject { return layout.NewSpacer() }}

// rerender has the shell rebuild the top screen: Back renders the screen under a page
// pushed for the purpose, exactly as the shell redraws a screen whose data changed.
func rerender(k *journey) func() {
	k.Do(func() { k.Shell.Show(blankPage) })
	return k.Shell.Back
}

// keypadPress is a key pressed on the screen's keypad (cleared when full).
func keypadPress(key string) func(k *journey) func() {
	return func(k *journey) func() {
		kp := k.object("keypad", 0, func(o fyne.CanvasObject) bool { _, ok := o.(*touch.Keypad); return ok }).(*touch.Keypad)
		k.Do(func() {
			if len(kp.Value()) >= 12 {
				kp.Press("清空")
			}
		})
		return func() { kp.Press(key) }
	}
}

// pageTurn is a tap on the n-th pager's 下一页 (after 上一页, untimed).
func pageTurn(n int) func(k *journey) func() {
	return func(k *journey) func() {
		k.TapNth("上一页", n)
		next := k.object("下一页", n, func(o fyne.CanvasObject) bool { b, ok := o.(*touch.Button); return ok && b.Text == "下一页" })
		return func() { tapObject(next) }
	}
}

// countdownTick is one second of the idle countdown; the countdown restarts before
// it would end the visit.
func countdownTick(k *journey) func() {
	if k.K.Sessions.Remaining() < 2*time.Second {
		k.K.Touch()
		k.Advance(k.K.Config.Kiosk.IdleTimeout.Duration)
	}
	var shown bool
	k.Do(func() { shown = k.Shell.CountdownVisible() })
	if !shown {
		k.T.Fatal("no countdown on screen")
	}
	return func() { k.Advance(time.Second) }
}

// openDemoCards opens the demo card chooser (closing the last one first).
func openDemoCards(k *journey) func() {
	if k.CanTap("取消") {
		k.Tap("取消")
	}
	b := k.object("模拟刷卡", 0, func(o fyne.CanvasObject) bool { b, ok := o.(*touch.Button); return ok && b.Text == "模拟刷卡" })
	return func() { tapObject(b) }
}

// BenchmarkScreens builds and paints every screen of screenTour, in normal and 大字模式,
// with each of two software painters: one frame is the shell's work (see
// tourStop.frame) plus painting the whole 1280×800 canvas, by Fyne's software painter
// (sub-benchmarks …/fyne) or by the kiosk's (…/paint, screens/paint, which keeps the
// pixels of what it drew). It reports the median and p90 frame, the medians of the
// build and paint parts, and how many frames missed the 16 ms budget; ns/op is not the
// figure (it includes the untimed preparation of each frame). For screens/paint it also
// reports cold-ms, the median paint of the screen by a painter that has drawn nothing
// yet, and fails unless its picture is Fyne's to within paint.Tolerance. The
// first row, blank-canvas, is each painter's floor: an empty canvas of the same size.
//
//	go test -tags ci,migrated_fynedo,no_emoji -run '^$' -bench BenchmarkScreens -benchtime 60x ./cmd/kiosk
func BenchmarkScreens(b *testing.B) {
	// The printer driver logs to slog.Default (the kiosk gives it no logger), which
	// would break the benchmark's result lines.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	// The software renderer's frames go to a real window on one private Xvfb.
	win, err := xwin.Open(xwin.Options{Display: xvfbtest.Start(b, "1280x800x24"), Width: 1280, Height: 800})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { win.Close() })
	go func() {
		for range win.Events() {
		}
	}()
	for _, painter := range painters {
		b.Run("blank-canvas/normal/"+painter, func(b *testing.B) {
			test.NewTempApp(b)
			w := test.NewTempWindow(b, layout.NewSpacer())
			w.SetPadded(false)
			w.Resize(fyne.NewSize(1280, 800))
			benchPaint(b, w.Canvas(), painter, win, func() func() { return func() {} })
		})
	}
	for _, st := range screenTour {
		for _, mode := range []string{"normal", "elderly"} {
			if st.only != "" && st.only != mode {
				continue
			}
			b.Run(st.name+"/"+mode, func(b *testing.B) {
				k := reach(b, st, mode == "elderly")
				for _, painter := range painters {
					b.Run(painter, func(b *testing.B) {
						benchPaint(b, k.Win.Canvas(), painter, win, func() func() { return st.prepare(k) })
						if got := k.Current(); got != st.screen {
							b.Fatalf("the frames left %s for %s", st.screen, got)
						}
					})
				}
			})
		}
	}
}

// painters names the software painters BenchmarkScreens measures: Fyne's, the
// kiosk's, and the kiosk's software renderer's whole frame (the kiosk's painter, and
// the window's pixels put on an X server, all of them each frame, as for a new screen).
var painters = []string{"fyne", "paint", "window"}

// benchPaint times the frames of c with the named painter. screens/paint's last frame
// must be Fyne's picture, and its cold paints are timed too.
func benchPaint(b *testing.B, c fyne.Canvas, painter string, win *xwin.Window, prepare func() func()) {
	switch painter {
	case "fyne":
		benchFrames(b, prepare, func() { _ = c.Capture() })
		return
	case "window":
		frames := softdriver.NewPresenter(paint.NewWithLimit(softdriver.CacheBytes), win)
		benchFrames(b, prepare, func() {
			frames.Expose()
			if err := frames.Present(c); err != nil {
				b.Fatal(err)
			}
		})
		return
	}
	p := paint.New()
	benchFrames(b, prepare, func() { _ = p.Paint(c) })
	if n, worst := paint.Difference(p.Paint(c), c.Capture(), paint.Tolerance); n != 0 {
		b.Fatalf("screens/paint: %d pixels differ from Fyne's painter's (worst by %d)", n, worst)
	}
	if s := p.Stats(); s.Skipped != 0 {
		b.Fatalf("screens/paint skipped %d objects of kinds it does not know", s.Skipped)
	}
	var cold samples
	for range min(b.N, 5) {
		t0 := time.Now()
		_ = paint.New().Paint(c)
		cold = append(cold, time.Since(t0))
	}
	b.ReportMetric(ms(cold.quantile(0.5)), "cold-ms")
}

// reach brings a fresh kiosk to the stop's screen, in normal or 大字模式.
func reach(b *testing.B, st tourStop, elderly bool) *journey {
	env := st.env
	env.poll = 20 * time.Millisecond // reach the screens quickly; the card path has its own benchmark
	k := startJourney(b, env)
	if elderly {
		k.Do(func() { k.Shell.SetElderly(true) })
	}
	st.to(k)
	k.Pump()
	if got := k.Current(); got != st.screen {
		b.Fatalf("the tour reached %s, not %s:\n%s", got, st.screen, k.Markup())
	}
	return k
}

// prepare prepares one frame of the stop (tourStop.frame, or else rerender) and
// returns its work.
func (st tourStop) prepare(k *journey) func() {
	if st.frame == nil {
		return rerender(k)
	}
	return st.frame(k)
}

// benchFrames times b.N frames: prepare (untimed) returns the frame's work, then the
// work and the paint are timed. A first frame, unmeasured, parses the fonts.
func benchFrames(b *testing.B, prepare func() func(), paint func()) {
	prepare()()
	paint()
	var f frameSamples
	b.ResetTimer()
	for range b.N {
		work := prepare()
		t0 := time.Now()
		work()
		t1 := time.Now()
		paint()
		f.add(t1.Sub(t0), time.Since(t1))
	}
	b.StopTimer()
	f.report(b)
}

// frameSamples are the build and paint times of a benchmark's frames.
type frameSamples struct{ build, paint, total samples }

func (f *frameSamples) add(build, paint time.Duration) {
	f.build, f.paint, f.total = append(f.build, build), append(f.paint, paint), append(f.total, build+paint)
}

// report reports the median and p90 frame, the medians of its build and paint, and
// the number of frames over the 16 ms budget; ns/op is not the figure (it includes
// the untimed preparation of each frame).
func (f *frameSamples) report(b *testing.B) {
	reportQuantiles(b, "", f.total)
	b.ReportMetric(ms(f.build.quantile(0.5)), "build-ms")
	b.ReportMetric(ms(f.paint.quantile(0.5)), "paint-ms")
	b.ReportMetric(float64(f.total.over(frameBudget)), "over-16ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPaintParts breaks the software painter's floor down: a full 1280×800 frame
// filled and composited by image/draw into the *image.NRGBA Fyne's software painter
// uses and into an *image.RGBA (for which image/draw has fast paths), and a canvas
// holding one full-window rectangle (compare with BenchmarkScreens/blank-canvas).
//
//	go test -tags ci,migrated_fynedo,no_emoji -run '^$' -bench BenchmarkPaintParts -benchtime 40x ./cmd/kiosk
func BenchmarkPaintParts(b *testing.B) {
	frame := image.Rect(0, 0, 1280, 800)
	fill := image.NewUniform(color.NRGBA{R: 0xF5, G: 0xF7, B: 0xFA, A: 0xFF})
	for _, c := range []struct {
		name     string
		dst, src draw.Image
	}{
		{"nrgba", image.NewNRGBA(frame), image.NewNRGBA(frame)},
		{"rgba", image.NewRGBA(frame), image.NewRGBA(frame)},
	} {
		b.Run("fill-"+c.name, func(b *testing.B) {
			for range b.N {
				draw.Draw(c.dst, frame, fill, image.Point{}, draw.Src)
			}
		})
		b.Run("composite-"+c.name, func(b *testing.B) {
			for range b.N {
				draw.Draw(c.dst, frame, c.src, image.Point{}, draw.Over)
			}
		})
	}
	b.Run("canvas-full-rectangle", func(b *testing.B) {
		test.NewTempApp(b)
		w := test.NewTempWindow(b, canvas.NewRectangle(fill.C))
		w.SetPadded(false)
		w.Resize(fyne.NewSize(1280, 800))
		benchFrames(b, func() func() { return func() {} }, func() { _ = w.Canvas().Capture() })
	})
}
