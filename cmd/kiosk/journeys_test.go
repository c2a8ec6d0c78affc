package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// journey is the whole kiosk in demo mode, driven through its screens: the device
// emulators on pseudo-terminals, the four utilities' simulator on loopback HTTP, a real
// data store, the shell in a 1280×800 test window painted by Fyne's software painter.
// Journeys run on the system clock.
type journey struct {
	*screentest.H
	rig  *demo.Rig
	sims *utilitysim.Server
}

// journeyOptions set a journey up.
type journeyOptions struct {
	// poll is the ID card reader's poll interval; 0 keeps the configured default.
	poll time.Duration
	// autoPay pays a payment this long after it was created; 0: never.
	autoPay time.Duration
	// manual is a kiosk on a manual clock with no devices and no utilities: screens
	// that need time to move (the idle countdown) and nothing else.
	manual bool
	// log receives the kiosk's log; nil: the harness keeps it (screentest.Options.Log).
	log io.Writer
	// idle is the idle time before the countdown (then 3 s); 0 keeps the default.
	idle time.Duration
	// hall changes the configuration after the harness's own settings; nil: none.
	hall func(*config.Config)
	// sim are the utilities' simulator's options (its folder and autoPay are the
	// harness's).
	sim utilitysim.Options
}

// realWindow is a shown window of a running Fyne app (the OpenGL driver) for the
// harness to drive instead of a test window: set by the frame benchmark's TestMain
// (build tag glframes), nil otherwise.
var realWindow fyne.Window

// pollFast is the reader's poll interval in the journey tests, so that a card is read
// at once.
const pollFast = 20 * time.Millisecond

// newJourney is the kiosk the journey tests drive: a fast-polling reader and payments
// paid 300 ms after they are made.
func newJourney(tb testing.TB) *journey {
	return startJourney(tb, journeyOptions{poll: pollFast, autoPay: 300 * time.Millisecond})
}

func startJourney(tb testing.TB, o journeyOptions) *journey {
	tb.Helper()
	if o.manual {
		return &journey{H: screentest.New(tb, screentest.Options{Window: realWindow})}
	}
	rig, err := demo.Start(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rig.Close() })
	o.sim.Dir, o.sim.AutoPay = tb.TempDir(), o.autoPay
	sims, err := utilitysim.Start(o.sim)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sims.Close() })
	rig.UseUtilities(sims)
	return restart(tb, rig, sims, tb.TempDir(), o)
}

// restart starts a kiosk on the given devices, utilities and data folder (a second
// kiosk on the same folder is the first one after a crash or power cut).
func restart(tb testing.TB, rig *demo.Rig, sims *utilitysim.Server, dataDir string, o journeyOptions) *journey {
	tb.Helper()
	cfg := config.Defaults()
	if o.poll > 0 {
		cfg.Devices.IDCard.PollInterval.Duration = o.poll
	}
	if o.idle > 0 {
		cfg.Kiosk.IdleTimeout.Duration = o.idle
		cfg.Kiosk.IdleCountdown.Duration = 3 * time.Second
	}
	rig.Apply(cfg)
	if o.hall != nil {
		o.hall(cfg)
	}
	h := screentest.New(tb, screentest.Options{Config: cfg, Demo: rig, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true, DataDir: dataDir, Window: realWindow, Log: o.log})
	return &journey{H: h, rig: rig, sims: sims}
}

// card places the demo card of the simulator's i-th citizen and waits for the accounts.
func (j *journey) card(i int) {
	j.T.Helper()
	j.WaitFor("the reader", func() bool { st, ok := j.K.DeviceState("idcard"); return ok && st.OK })
	if err := j.rig.PlaceCard(i); err != nil {
		j.T.Fatal(err)
	}
	// This citizen's accounts: a card read just before (TestExplore's) may have opened
	// the screen for someone else.
	want := sim.DemoCards()[i].IDNumber
	j.WaitFor("the accounts screen", func() bool {
		if st, ok := j.K.DeviceState("idcard"); ok && st.OK && j.K.CardLeft() && j.K.Sessions.Current() == nil {
			// Placed while the reader was away (TestExplore's faults): nobody was seen
			// placing it, so home asks for it to be taken. Once the reader is back, a
			// citizen lifts it and puts it down again.
			j.rig.RemoveCard()
			time.Sleep(10 * pollFast)
			if err := j.rig.PlaceCard(i); err != nil {
				j.T.Fatal(err)
			}
		}
		s := j.K.Sessions.Current()
		if j.Shell.Current() != "accounts" || s == nil {
			return false
		}
		id, ok := s.Identity()
		return ok && id.IDNumber == want
	})
	// A reader that loses the card a moment under load reads it again (the citizen's
	// own card: the visit goes on), its 正在读卡 notice over the accounts meanwhile; a
	// citizen waits for it to go before tapping, and so does the journey.
	reading := j.K.Text.T("identify.reading_title")
	j.WaitFor("the reading notice to go", func() bool { return !j.Shows(reading) })
}

// Card placed → accounts at the four utilities → bills → pay → the receipt prints and
// its QR reads back; the same QR is on screen.
func TestJourneyPay(t *testing.T) {
	j := newJourney(t)
	j.card(1) // 李四: unpaid electricity and water bills
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	j.WaitShows("户号 " + elec)
	j.WaitFor("every utility's tile", func() bool { return !j.Shows("正在查询…") })
	if !j.Shows("欠费") || !j.Shows("您在该单位名下暂无账户") || !j.Shows("余额 ￥66.30") { // his prepaid gas meter
		t.Fatalf("accounts screen:\n%s", j.Markup())
	}
	// In 大字模式 one utility a page: what is owed at all of them is said on the first.
	j.Tap("大字模式")
	if !j.Shows("您的欠费：供电 ￥") || !j.Shows("，供水 ￥") {
		t.Fatalf("the accounts in 大字模式 do not sum up the arrears:\n%s", j.Markup())
	}
	j.Tap("大字模式：开")
	j.Tap("户号 " + elec)
	j.WaitShows("阶梯计费明细")
	if !j.Shows("第一档") {
		t.Fatalf("the bill detail lacks its tiers:\n%s", j.Markup())
	}
	j.TapNth("下一页", 1) // the detail's pager, beside the list's
	if !j.Shows("能效账单") || !j.Shows("能效等级") {
		t.Fatalf("the bill detail lacks 能效:\n%s", j.Markup())
	}
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	j.WaitShows("缴费成功")
	j.WaitShows("请取走凭条")
	// What is still owed elsewhere is said, with the way to it: one visit for all.
	if !j.Shows("您还有欠费：供水 ￥") || !j.CanTap("去缴费") {
		t.Fatalf("the result does not tell of the water bill still owed:\n%s", j.Markup())
	}
	if err := j.rig.Printer().WaitCuts(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	outs := j.rig.Printer().Printouts()
	codes := simtest.DecodeQRs(outs[len(outs)-1].Image)
	if len(codes) != 1 || !strings.HasPrefix(codes[0], "https://pay.example.cn/r/SJDL") { // the utility's own receipt number
		t.Fatalf("receipt QR codes %q", codes)
	}
	if !j.Shows("扫码查看电子发票和缴费记录") {
		t.Fatal("the receipt QR is not shown on screen")
	}
	// The printout as a picture (demo mode), scaled once: a render in another language
	// shows the same pictures.
	j.Tap("查看打印的凭条（演示）")
	strip := j.object("the receipt's first strip", 0, func(o fyne.CanvasObject) bool { _, ok := o.(*canvas.Raster); return ok })
	j.Do(j.Shell.ToggleLanguage)
	j.Do(j.Shell.ToggleLanguage)
	if again := j.object("the receipt's first strip", 0, func(o fyne.CanvasObject) bool { _, ok := o.(*canvas.Raster); return ok }); again != strip {
		t.Error("the receipt was scaled again for a render")
	}
	j.Tap("返回")
	// Back to the bills: fetched again, they are paid, with nothing left to pay; and the
	// account no longer owes.
	j.Tap("返回账单")
	j.WaitShows("本户没有欠费")
	if !j.Shows("已缴清") || j.Shows("未缴") || j.Shows("缴费（") {
		t.Fatalf("the bills after paying:\n%s", j.Markup())
	}
	j.Tap("返回")
	j.WaitFor("the account without arrears", func() bool {
		for _, o := range j.Objects() {
			if r, ok := o.(*touch.Row); ok && r.Title == "户号 "+elec {
				return r.Trailing == "无欠费"
			}
		}
		return false
	})
}

// An impatient finger taps twice before the first tap's step has answered (the printer
// asked, the utility asked): one screen opens, not two, and 返回 leads where it should.
func TestJourneyDoubleTaps(t *testing.T) {
	j := newJourney(t)
	// An account number confirmed twice opens its bills once.
	water := utilitysim.AccountNumber(utility.Water, 1)
	j.Tap("账户与账单")
	j.Tap("梁子湖区自来水公司")
	for _, c := range water {
		j.Tap(string(c))
	}
	j.doubleTap("确定")
	j.WaitShows("缴费截止")
	j.Tap("返回")
	if cur := j.Current(); cur == "bills" {
		t.Fatal("确定 tapped twice opened the bills twice")
	}
	j.Tap("退出办理")
	// 缴费 tapped twice opens one pay screen.
	toElectricityBills(j)
	j.doubleTap("缴费（")
	j.WaitShows("缴费成功")
	j.Tap("返回账单")
	j.WaitShows("本户没有欠费")
	if cur := j.Current(); cur != "bills" {
		t.Fatalf("返回账单 led to %s: the double tap opened a second pay screen", cur)
	}
	// A scan while the pay QR is up does not cover the payment's outcome.
	j.Tap("返回")
	j.Tap("户号 " + water)
	j.WaitShows("缴费截止")
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	j.must(j.rig.Scan(utility.FormatBillQR(utility.Water, water, "")))
	j.WaitShows("缴费成功")
}

// The citizen lifts their card and puts it back while the kiosk makes the pay QR: the
// step's 请稍候 stays up over the bills, so that a second tap on 缴费 under it starts
// nothing: one pay screen, and 返回账单 from the outcome leads to the bills. Before, the
// card's reading took the notice down and bared the button: the second tap opened a
// second pay screen, left under the outcome with the QR of a paid order.
func TestJourneyCardPutBackWhileWaiting(t *testing.T) {
	j := newJourney(t)
	toElectricityBills(j)
	j.Pump()
	var pay fyne.Position
	for _, tg := range j.Targets() {
		if strings.HasPrefix(tg.Label, "缴费（") {
			pay = tg.Centre
		}
	}
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{LatencyMS: 5000})) // the order takes a while
	j.TapCanvas(pay)
	j.WaitShows("正在生成支付二维码")
	j.rig.RemoveCard()
	time.Sleep(10 * pollFast) // the reader sees it lifted
	j.must(j.rig.PlaceCard(1))
	j.WaitFor("the card read again", func() bool { return strings.Contains(j.Log(), "card of the citizen being served read again") })
	j.Pump()
	if !j.Shows("正在生成支付二维码") {
		t.Fatalf("the card put back took the step's notice down, on %s:\n%s", j.Current(), j.Markup())
	}
	j.TapCanvas(pay)
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{}))
	j.WaitShows("缴费成功")
	j.Tap("返回账单")
	if cur := j.Current(); cur != "bills" {
		t.Fatalf("返回账单 led to %s: a second pay screen was opened under the outcome", cur)
	}
}

// A utility that fails for a moment (down, answering 503, or answering what is not
// JSON) and then recovers: its tile says so in plain words while the others show, and
// 重新查询 asks it again, without the card lifted and the visit started over; the same
// on its bills. Tapped twice while it asks, it asks once.
func TestJourneyUtilityRecovers(t *testing.T) {
	water := "户号 " + utilitysim.AccountNumber(utility.Water, 1)
	for _, tc := range []struct {
		name string
		f    utilitysim.Faults
	}{
		{"down", utilitysim.Faults{Down: true}},
		{"503", utilitysim.Faults{ErrorRate: 1}},
		{"not JSON", utilitysim.Faults{Malformed: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := newJourney(t)
			j.must(j.sims.SetFaults(utility.Water, tc.f))
			j.card(1)
			j.WaitFor("every utility's tile", func() bool { return !j.Shows("正在查询…") })
			if !j.Shows("暂时无法查询") || !j.Shows("户号 "+utilitysim.AccountNumber(utility.Electricity, 1)) || j.Shows("malformed") {
				t.Fatalf("accounts with water %s:\n%s", tc.name, j.Markup())
			}
			// 重新查询 under the message fits, in every mode and language.
			for _, toggle := range []func(){func() { j.Shell.SetElderly(true) }, j.Shell.ToggleLanguage, func() { j.Shell.SetElderly(false) }, j.Shell.ToggleLanguage} {
				j.Do(toggle)
				j.AssertFits()
				j.AssertFingerReaches()
			}
			j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{}))
			j.doubleTap("重新查询")
			j.WaitShows(water)
			if j.Shows("暂时无法查询") || j.CanTap("重新查询") {
				t.Fatalf("accounts after water recovered:\n%s", j.Markup())
			}
			// Its bills, the utility failing again as they are asked for.
			j.must(j.sims.SetFaults(utility.Water, tc.f))
			j.Tap(water)
			j.WaitShows("系统暂时无法连接，请稍后再试")
			j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{}))
			j.Tap("重新查询")
			j.WaitShows("缴费截止")
		})
	}
}

// 进度查询 with a utility failing: the others' applications show, the one failing is
// said to be unavailable, and 重新查询 asks again once it is back.
func TestJourneyTrackRecovers(t *testing.T) {
	j := newJourney(t)
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{ErrorRate: 1}))
	toMyApplications(j)
	if !j.Shows("国网梁子湖区供电公司暂时无法查询") || j.Shows("供电 · ") {
		t.Fatalf("my applications with electricity failing:\n%s", j.Markup())
	}
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{}))
	j.doubleTap("重新查询")
	j.WaitShows("供电 · ")
	if j.Shows("暂时无法查询") || j.CanTap("重新查询") {
		t.Fatalf("my applications after electricity recovered:\n%s", j.Markup())
	}
}

// 进度查询 with one utility slow: the others' applications are on screen while it is
// still asked (a line of its own says so), and its own come when it answers; nothing
// waits for the slowest utility.
func TestJourneyTrackSlowUtility(t *testing.T) {
	j := newJourney(t)
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{LatencyMS: 3000}))
	j.card(0)
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitShows("供电 · ")
	if !j.Shows("梁子湖区自来水公司：正在查询办件…") {
		t.Fatalf("my applications with water slow, electricity answered:\n%s", j.Markup())
	}
	j.WaitFor("water's answer", func() bool { return !j.Shows("正在查询办件") })
	if j.Shows("暂时无法查询") || j.Shows("没有查到您的办件") {
		t.Fatalf("my applications once water answered:\n%s", j.Markup())
	}
}

// doubleTap taps the target whose label starts with prefix twice, as a finger does: the
// second tap lands on whatever the first put over it.
func (j *journey) doubleTap(prefix string) {
	j.T.Helper()
	j.Pump()
	for _, tg := range j.Targets() {
		if strings.HasPrefix(tg.Label, prefix) {
			j.TapCanvas(tg.Centre)
			j.TapCanvas(tg.Centre)
			return
		}
	}
	j.T.Fatalf("nothing to tap starting %q on screen %s:\n%s", prefix, j.Current(), j.Markup())
}

// The citizen cancels at the pay QR: told in plain words that nothing was charged,
// nothing printed; the outcome fits in both modes and both languages (in English in
// 大字模式 the outcome line once did not fit its column). When the utility cannot be
// reached the kiosk does not claim that nothing was charged (the citizen may have paid
// on the phone that moment): it says the cancellation was asked for (the outbox
// delivers it) and that a payment made stands.
func TestJourneyPayCancelled(t *testing.T) {
	for _, tc := range []struct {
		name, title, says, never string
		down                     bool
	}{
		{name: "50-pay-cancelled", title: "已取消缴费", says: "没有扣款"},
		// The note wraps differently in each mode: a few words of it are looked for.
		{name: "51-pay-cancel-unconfirmed", title: "已申请取消缴费", says: "仍然有效", never: "没有扣款", down: true},
	} {
		for _, elderly := range []bool{false, true} {
			j := startJourney(t, journeyOptions{poll: pollFast}) // payments are never paid
			toElectricityBills(j)
			if elderly {
				j.Tap("大字模式")
			}
			j.TapPrefix("缴费（")
			j.WaitShows("请用微信或支付宝扫码支付")
			if tc.down {
				j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{Down: true}))
			}
			j.Tap("取消缴费")
			j.WaitShows(tc.title)
			if !j.Shows(tc.says) || tc.never != "" && j.Shows(tc.never) || j.rig.Printer().Stats().Cuts != 0 {
				t.Fatalf("%s, 大字模式 %v, after the cancel (%d receipts cut):\n%s", tc.name, elderly, j.rig.Printer().Stats().Cuts, j.Markup())
			}
			j.checkBothLanguages(*screenshotDir, tc.name+"-"+modeName(elderly))
		}
	}
}

// The citizen pays with their phone, touching nothing: while the pay QR is on screen the
// visit waits kiosk.pay_idle_timeout for input, and the QR's countdown says when it
// would end; on any other screen (back at the bills, the payment's result) the usual
// idle time counts.
func TestJourneyPayPatience(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast}) // payments are never paid by themselves
	usual, patience := j.K.Config.Kiosk.IdleTimeout.Duration, j.K.Config.Kiosk.PayIdleTimeout.Duration
	toElectricityBills(j)
	if got := j.K.Sessions.IdleTime(); got != usual {
		t.Fatalf("idle time on the bills: %v, want %v", got, usual)
	}
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	if got := j.K.Sessions.IdleTime(); got != patience {
		t.Fatalf("idle time at the pay QR: %v, want %v", got, patience)
	}
	// 3 min 10 s at the most (the patience and the countdown), not the order's 15 min.
	minutes := int((patience + j.K.Config.Kiosk.IdleCountdown.Duration).Minutes())
	if !j.Shows(fmt.Sprintf("请在%d分", minutes)) {
		t.Fatalf("the countdown does not say the visit's end:\n%s", j.Markup())
	}
	j.Tap("返回")
	if got := j.K.Sessions.IdleTime(); got != usual {
		t.Fatalf("idle time back at the bills: %v, want %v", got, usual)
	}
	j.WaitFor("the order left given up", func() bool { o, err := j.K.Orders.List(); return err == nil && len(o) == 0 })
	j.TapPrefix("缴费（") // a new order
	j.WaitShows("请用微信或支付宝扫码支付")
	orders, err := j.K.Orders.List() // the order the QR is of, kept until its end is known
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders %+v, %v", orders, err)
	}
	if _, err := j.sims.Pay(utility.Electricity, orders[0].Reference); err != nil {
		t.Fatal(err)
	}
	j.WaitShows("缴费成功")
	if got := j.K.Sessions.IdleTime(); got != usual {
		t.Fatalf("idle time at the payment's result: %v, want %v", got, usual)
	}
}

// Leaving the pay QR (返回) gives the payment up: the order is cancelled at the utility,
// lest it be paid with nobody told, and the bills stay to pay. An order paid just
// before the citizen left shows its outcome, and its receipt prints, wherever they went.
func TestJourneyPayLeft(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast}) // payments are never paid by themselves
	cancels := func() (n int) {
		got, err := j.sims.Received(utility.Electricity)
		j.must(err)
		for _, r := range got {
			if r.Kind == utility.KindCancelPayment {
				n++
			}
		}
		return n
	}
	toElectricityBills(j)
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	j.Tap("返回")
	j.WaitFor("the order cancelled at the utility", func() bool { return cancels() == 1 })
	j.WaitFor("the order given up", func() bool { o, err := j.K.Orders.List(); return err == nil && len(o) == 0 })
	if j.Current() != "bills" || !j.Shows("缴费（") {
		t.Fatalf("after leaving the QR, screen %s:\n%s", j.Current(), j.Markup())
	}

	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	orders, err := j.K.Orders.List()
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders %+v, %v", orders, err)
	}
	if _, err := j.sims.Pay(utility.Electricity, orders[0].Reference); err != nil {
		t.Fatal(err)
	}
	if j.Current() == "pay" { // else the kiosk saw the payment first
		j.Tap("返回")
	}
	j.WaitShows("缴费成功")
	j.WaitShows("请取走凭条")
	if n := cancels(); n != 1 {
		t.Fatalf("%d cancellations sent, the paid order's among them", n)
	}
}

// A pay QR nobody pays expires: the citizen is told so in plain words, nothing prints.
// A payment over the utility's self-service limit is refused in the utility's own words
// before any QR is shown.
func TestJourneyPayExpiredOrOverLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		sim  utilitysim.Options
		says string
	}{
		{"expired", utilitysim.Options{PaymentTTL: time.Second}, "支付二维码已过期"},
		{"over the limit", utilitysim.Options{Limits: utilitysim.Limits{PerPayment: 1}}, "自助缴费单笔不能超过0.01元"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := startJourney(t, journeyOptions{poll: pollFast, sim: tc.sim}) // payments are never paid
			toElectricityBills(j)
			j.TapPrefix("缴费（")
			j.WaitShows(tc.says)
			if j.Shows("缴费成功") || j.rig.Printer().Stats().Cuts != 0 {
				t.Fatalf("%s: a payment shown as made, or a receipt cut:\n%s", tc.name, j.Markup())
			}
		})
	}
}

// A pay QR whose time runs out while its utility cannot be reached: the kiosk cannot
// cancel it there, nor learn whether the citizen paid at the last moment. The QR gives
// way at its time, as ever, and the outcome says it expired without the promise that
// nothing was charged: a payment made on the phone stands (the settling pass keeps its
// receipt for staff). In both modes and both languages it fits.
func TestJourneyPayExpiredUnconfirmed(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		j := startJourney(t, journeyOptions{poll: pollFast, sim: utilitysim.Options{PaymentTTL: 3 * time.Second}})
		toElectricityBills(j)
		if elderly {
			j.Tap("大字模式")
		}
		j.TapPrefix("缴费（")
		j.WaitShows("请用微信或支付宝扫码支付")
		j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{Down: true}))
		j.WaitShows("支付二维码已过期")
		if !j.Shows("仍然有效") || j.Shows("没有扣款") || j.rig.Printer().Stats().Cuts != 0 {
			t.Fatalf("大字模式 %v, the QR's time up with the utility down (%d receipts cut):\n%s", elderly, j.rig.Printer().Stats().Cuts, j.Markup())
		}
		j.checkBothLanguages(*screenshotDir, "65-pay-expired-unconfirmed-"+modeName(elderly))
	}
}

// A card the reader cannot read (pulled away mid-read) is refused with what to do, and
// opens no session; laid on the reader again, it is read.
func TestJourneyUnreadableCard(t *testing.T) {
	j := newJourney(t)
	j.WaitFor("the reader", func() bool { st, ok := j.K.DeviceState("idcard"); return ok && st.OK })
	j.rig.Reader().Inject(sim.IDCardFault{Kind: sim.FaultStatus, Command: sim.IDCmdRead, Status: 0x41})
	j.must(j.rig.PlaceCard(0))
	j.WaitShows("没有读到证件信息")
	if j.K.Sessions.Current() != nil {
		t.Fatal("an unread card opened a session")
	}
	j.rig.Reader().ClearFaults()
	j.rig.RemoveCard()
	// Lifted for a moment, as a hand does: the reader sees it gone before it is back.
	time.Sleep(10 * pollFast)
	j.card(0)
}

// A citizen who ends the visit and leaves the ID card on the reader is asked on home to
// take it, in both modes; once it is lifted, home invites the next card.
func TestJourneyCardLeftOnReader(t *testing.T) {
	j := newJourney(t)
	j.card(0)
	j.Tap("退出办理")
	j.WaitShows("请取回您的身份证")
	j.Check("", "take-card")
	j.Tap("大字模式")
	j.WaitShows("请取回您的身份证")
	j.Check("", "take-card-elderly")
	j.Tap("模拟取卡")
	j.WaitShows("请将身份证放在读卡区")
	if j.K.CardLeft() {
		t.Fatal("the card was lifted and home still asks for it")
	}
}

// A citizen leaves 进度查询 open, lifts their card and walks off; the next one puts
// theirs down. The screen was kept for a card placed during a visit without one: here it
// must not show the last citizen's applications under the next one's name.
func TestJourneyNextCitizenOnTrack(t *testing.T) {
	j := newJourney(t)
	j.card(0) // 张, with applications
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitShows("增容")
	j.rig.RemoveCard()
	time.Sleep(10 * pollFast)
	j.card(5) // 陈, a new resident with none
	if j.Shows("增容") {
		t.Fatalf("the next citizen sees the last one's applications:\n%s", j.Markup())
	}
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitFor("the next citizen's applications", func() bool { return !j.Shows("正在查询办件") })
	if j.Shows("增容") {
		t.Fatalf("进度查询 lists the last citizen's applications:\n%s", j.Markup())
	}
}

// A citizen in 进度查询 without a card, at its keypad, puts their card down after all:
// their applications are listed, where they came for them, not their accounts.
func TestJourneyCardOnTrackKeypad(t *testing.T) {
	j := newJourney(t)
	j.Tap("进度查询")
	j.Tap("输入办件编号")
	j.WaitFor("the reader", func() bool { st, ok := j.K.DeviceState("idcard"); return ok && st.OK })
	j.must(j.rig.PlaceCard(0)) // 张, with applications
	j.WaitShows("增容")
	if j.Current() != "track" {
		t.Fatalf("the card led to %s:\n%s", j.Current(), j.Markup())
	}
}

// The pay QR of two bills fits beside its words in every mode and language, with a
// printer and without (its note is longer: the e-invoice's QR is shown, not printed): in
// English 大字模式 the power company's long name and the note wrap, and 取消缴费 ran
// below the window.
func TestJourneyPayQRFits(t *testing.T) {
	for _, printer := range []bool{true, false} {
		t.Run(fmt.Sprint("printer ", printer), func(t *testing.T) { payQRFits(t, printer) })
	}
}

func payQRFits(t *testing.T, printer bool) {
	j := startJourney(t, journeyOptions{poll: pollFast, hall: func(c *config.Config) { c.Devices.Printer.Enabled = printer }}) // nobody pays
	toElectricityBills(j)
	if !j.Shows("缴费（2笔") {
		t.Fatalf("the test wants two bills to pay:\n%s", j.Markup())
	}
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	for _, toggle := range []func(){func() { j.Shell.SetElderly(true) }, j.Shell.ToggleLanguage, func() { j.Shell.SetElderly(false) }, j.Shell.ToggleLanguage} {
		j.Do(toggle)
		j.AssertFits()
		j.AssertFingerReaches()
	}
}

// A citizen walks off from a notice: the next one does not find it over home. A visit's
// notice goes with the visit; a refused card's, shown with no visit open, after the idle
// time and the countdown.
func TestJourneyNoticeLeftBehind(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast, idle: time.Second})
	j.Tap("账户与账单")
	j.Tap("梁子湖区自来水公司")
	j.typeIn("12345678")
	j.WaitShows("未能查到")
	j.WaitFor("the visit's end", func() bool { return j.K.Sessions.Current() == nil && j.Current() == "home" })
	// The end reaches the screen through the UI queue: home is drawn with the notice gone.
	if j.Shows("未能查到") {
		t.Fatalf("the visit's notice stays over home:\n%s", j.Markup())
	}
	j.WaitFor("the reader", func() bool { st, ok := j.K.DeviceState("idcard"); return ok && st.OK })
	j.must(j.rig.PlaceFixture("resident_expired"))
	j.WaitShows("您的证件已过有效期")
	j.rig.RemoveCard()
	j.WaitFor("the refusal to close", func() bool { return !j.Shows("您的证件已过有效期") })
}

// Demo mode's card chooser speaks the screen's language.
func TestJourneyDemoCardsInEnglish(t *testing.T) {
	j := newJourney(t)
	j.Tap("English")
	j.Tap("Simulate a card")
	j.WaitShows("Unpaid power and water bills · 李*")
	if j.Shows("有欠费") {
		t.Error("the chooser in English still shows the Chinese labels")
	}
}

// Out of paper: the citizen is warned before paying, pays, keeps the QR on screen; staff
// see it in the journal and the printer's state.
func TestJourneyPayWithoutPaper(t *testing.T) {
	j := newJourney(t)
	j.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
	toElectricityBills(j)
	j.TapPrefix("缴费（")
	j.WaitShows("缴费成功")
	j.WaitShows("打印机缺纸")
	if !j.Shows("扫码查看电子发票和缴费记录") {
		t.Fatal("no QR on screen when the receipt did not print")
	}
	if st, ok := j.K.DeviceState("printer"); !ok || st.OK {
		t.Fatalf("printer state %+v", st)
	}
	evs, err := j.K.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, e := range evs {
		failed = failed || e.Kind == journal.PrintFailed
	}
	if !failed {
		t.Fatal("the failed print is not in the journal")
	}
	// The water bill next, the printer still out of paper: the citizen is warned before
	// paying, and the pay screen then promises the result on screen, not a receipt.
	j.Tap("退出办理")
	toBills(j, utility.Water)
	j.TapPrefix("缴费（")
	j.WaitShows("凭条暂时无法打印")
	j.Tap("继续缴费")
	j.WaitShows("请用微信或支付宝扫码支付")
	if j.Shows("自动打印凭条") || !j.Shows("电子发票二维码") {
		t.Fatalf("the pay screen with the printer out of paper:\n%s", j.Markup())
	}
	j.WaitShows("缴费成功")
	// Staff load paper and print both receipts again (补打) through the kiosk's socket,
	// as kioskctl does.
	j.rig.Printer().SetFaults(sim.PrinterFaults{})
	j.rig.Printer().LoadPaper()
	c, err := staff.Dial(context.Background(), staff.SocketPath(j.K.Config.Data.Dir))
	j.must(err)
	kept, err := c.Reprints(context.Background())
	if err != nil || len(kept) != 2 {
		t.Fatalf("kept for reprinting: %+v, %v", kept, err)
	}
	// Not while the citizen is there: it would come out into their hands.
	if _, err := c.Reprint(context.Background(), kept[0].Ref, "staff-7"); !errors.Is(err, staff.ErrCitizenPresent) {
		t.Fatalf("reprinted during a visit: %v", err)
	}
	j.Tap("退出办理")
	for _, k := range kept {
		if p, err := c.Reprint(context.Background(), k.Ref, "staff-7"); err != nil || !p.OK {
			t.Fatalf("reprint %s: %+v, %v", k.Ref, p, err)
		}
	}
	j.must(j.rig.Printer().WaitCuts(context.Background(), 2))
	if kept, _ := c.Reprints(context.Background()); len(kept) != 0 {
		t.Fatalf("still kept after reprinting: %+v", kept)
	}
}

// A hall whose kiosk has no printer and no scanner: nothing invites a scan, the citizen
// pays with no warning about a printer, and the result tells them, calmly, to keep the
// on-screen QR; no demo receipt to view.
func TestJourneyNoPrinterNoScanner(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast, autoPay: 300 * time.Millisecond, hall: func(c *config.Config) {
		c.Devices.Printer.Enabled = false
		c.Devices.Scanner.Enabled = false
	}})
	j.Tap("账户与账单")
	if j.Shows("扫描账单二维码") {
		t.Fatalf("a lookup without a scanner invites a scan:\n%s", j.Markup())
	}
	j.Tap("首页")
	j.Tap("进度查询")
	if j.Shows("对准扫码口") {
		t.Fatalf("tracking without a scanner invites a scan:\n%s", j.Markup())
	}
	j.Tap("首页")
	toElectricityBills(j)
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	if j.Shows("自动打印凭条") || !j.Shows("电子发票二维码") {
		t.Fatalf("the pay screen without a printer:\n%s", j.Markup())
	}
	j.WaitShows("缴费成功")
	if !j.Shows("本机不打印凭条") || !j.Shows("扫码查看电子发票和缴费记录") || j.Shows("查看打印的凭条") {
		t.Fatalf("the paid result without a printer:\n%s", j.Markup())
	}
	if j.rig.Printer().Stats().Cuts != 0 {
		t.Fatal("a kiosk without a printer printed")
	}
	if codes := j.QRCodes(); len(codes) != 1 || !strings.HasPrefix(codes[0], "https://pay.example.cn/r/") {
		t.Fatalf("the receipt's QR on screen: %q", codes)
	}
	j.checkBothLanguages(*screenshotDir, "52-pay-result-no-printer-normal")
	// A joint application: each utility's tracking QR on screen, since none is printed.
	j.Tap("退出办理")
	toApplyReview(j)
	if r := j.submit(); r.Counts() != (app.PartCounts{Accepted: 4}) {
		t.Fatalf("parts %+v, want 4 accepted", r.Counts())
	}
	j.WaitShows("本机不打印受理回执")
	codes := j.QRCodes()
	for j.CanTap("下一页") { // the parts are paged
		j.Tap("下一页")
		codes = append(codes, j.QRCodes()...)
	}
	if len(codes) != 4 || !strings.HasPrefix(codes[0], "https://track.example.cn/a/") {
		t.Fatalf("tracking QRs on screen: %q", codes)
	}
	j.checkBothLanguages(*screenshotDir, "53-apply-result-no-printer-normal")
}

// The scanner unplugged: the screens stop inviting a scan, and invite one again once it
// is back.
func TestJourneyScannerUnplugged(t *testing.T) {
	j := newJourney(t)
	j.Tap("进度查询")
	j.WaitShows("对准扫码口")
	j.must(j.rig.Scanner().Unplug())
	j.WaitFor("the invitation to scan to go", func() bool { return !j.Shows("对准扫码口") })
	j.Tap("首页")
	j.Tap("账户与账单")
	if j.Shows("扫描账单二维码") {
		t.Fatalf("a lookup with the scanner unplugged invites a scan:\n%s", j.Markup())
	}
	j.must(j.rig.Scanner().Replug())
	j.WaitShows("扫描账单二维码")
}

// A kiosk without an ID card reader: no screen invites a card (nor offers the demo's
// simulated one); each says that this kiosk reads none and names the way without one,
// which works: an account looked up by its number.
func TestJourneyNoReader(t *testing.T) {
	j := startJourney(t, journeyOptions{hall: func(c *config.Config) { c.Devices.IDCard.Enabled = false }})
	const none = "本机不能读取身份证"
	invites := func(where string) {
		t.Helper()
		if !j.Shows(none) || j.Shows("请将身份证放在读卡区") || j.Shows("请刷身份证") || j.Shows("模拟刷卡") {
			t.Fatalf("%s without a reader:\n%s", where, j.Markup())
		}
	}
	invites("home")
	j.checkBothLanguages(*screenshotDir, "54-home-no-reader-normal")
	j.Tap("大厅指南")
	if !j.ShowsOnAnyPage(none) || j.ShowsOnAnyPage("凭身份证即可办理") {
		t.Fatalf("the guide without a reader:\n%s", j.Markup())
	}
	j.Tap("首页")
	j.Tap("进度查询")
	invites("track")
	j.Tap("首页")
	j.Tap("联动报装")
	invites("a joint application")
	j.Tap("首页")
	j.Tap("账户与账单")
	invites("the lookup")
	water := utilitysim.AccountNumber(utility.Water, 1)
	j.Tap("梁子湖区自来水公司")
	j.typeIn(water)
	j.WaitShows("缴费截止")
}

// must fails the test on an error.
func (j *journey) must(err error) {
	j.T.Helper()
	if err != nil {
		j.T.Fatal(err)
	}
}

// A utility that is down shows as such; the others still show.
func TestJourneyUtilityDown(t *testing.T) {
	j := newJourney(t)
	if err := j.sims.SetFaults(utility.Gas, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	j.card(0) // 张三: accounts at all four
	j.WaitFor("the answers", func() bool { return !j.Shows("正在查询…") })
	if !j.Shows("暂时无法查询") || !j.Shows("户号 "+utilitysim.AccountNumber(utility.Water, 0)) {
		t.Fatalf("accounts with gas down:\n%s", j.Markup())
	}
}

// The timeline's progress summary (办理进度单) prints with the application's tracking QR,
// which opens the same timeline when scanned; out of paper, the citizen is told so.
func TestJourneyPrintProgress(t *testing.T) {
	j := newJourney(t)
	toTimeline(j)
	ref := j.K.Sessions.Current() // the visit goes on across the print
	j.Tap("打印进度单")
	j.WaitShows("请取走进度单")
	j.must(j.rig.Printer().WaitCuts(context.Background(), 1))
	outs := j.rig.Printer().Printouts()
	codes := simtest.DecodeQRs(outs[len(outs)-1].Image)
	if len(codes) != 1 || !strings.HasPrefix(codes[0], "https://track.example.cn/a/") {
		t.Fatalf("progress summary QR codes %q", codes)
	}
	if j.K.Sessions.Current() != ref {
		t.Fatal("printing ended the visit")
	}
	j.Tap("知道了")
	j.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
	j.Tap("打印进度单")
	j.WaitShows("打印机暂时不能打印进度单")
	j.checkBothLanguages("", "timeline-print-failed")
	j.Tap("知道了")
	// The QR scanned: the same application's timeline.
	j.Tap("首页")
	j.Tap("进度查询")
	j.must(j.rig.Scan(codes[0]))
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	if !j.Shows(strings.TrimPrefix(codes[0], "https://track.example.cn/a/")) {
		t.Fatalf("the scanned summary opened:\n%s", j.Markup())
	}
}

// An application found without a card (its receipt's QR scanned) belongs to a visit like
// one found with a card: a citizen who walks away from its timeline leaves it to the idle
// countdown, which goes home; it stayed on screen for the next person to read.
func TestJourneyTrackWithoutCardGoesHomeWhenIdle(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast, idle: 3 * time.Second})
	ref := j.trackByScan(utility.Electricity, 0)
	if j.K.Sessions.Current() == nil {
		t.Fatal("the timeline is shown outside a visit")
	}
	j.WaitFor("home after the idle time", func() bool {
		return j.K.Sessions.Current() == nil && j.Shell.Current() == "home" && !j.Shell.CountdownVisible()
	})
	if j.Shows(ref) {
		t.Fatal("the application's number is still on screen")
	}
}

// Track by scanning a receipt's QR → the timeline → 好差评 → the rating reaches the
// utility through the outbox.
func TestJourneyTrackByScanAndRate(t *testing.T) {
	j := newJourney(t)
	ref := j.trackByScan(utility.Electricity, 0)
	if !j.Shows(ref) || !j.Shows("承诺时限") || !j.Shows("按时办结") {
		t.Fatalf("timeline:\n%s", j.Markup())
	}
	j.Tap("评价本次服务")
	// A level tapped is not yet a rating sent: the page says what comes after it.
	if !j.Shows("选好后，请点“提交评价”") {
		t.Fatalf("the rating page does not say to submit:\n%s", j.Markup())
	}
	j.Tap("不满意")
	if j.CanTap("提交评价") {
		t.Fatal("a low rating without a reason can be submitted")
	}
	// The level chosen, and only it, is filled and ticked: plain at a glance, not by
	// colour alone.
	var marked []string
	for _, o := range j.Objects() {
		if b, ok := o.(*touch.Button); ok && (b.Importance == widget.HighImportance || b.Icon != nil) && strings.Contains(b.Text, "满意") {
			if b.Importance != widget.HighImportance || b.Icon == nil {
				t.Errorf("level %q is marked only in part (importance %v, icon %v)", b.Text, b.Importance, b.Icon != nil)
			}
			marked = append(marked, b.Text)
		}
	}
	if len(marked) != 1 || marked[0] != "不满意" {
		t.Errorf("levels marked chosen: %q, want [不满意]", marked)
	}
	j.Tap("办理太慢")
	// Two taps in a row, as an impatient finger gives them, make one rating.
	var submit *touch.Button
	for _, o := range j.Objects() {
		if b, ok := o.(*touch.Button); ok && b.Text == "提交评价" {
			submit = b
		}
	}
	if submit == nil {
		t.Fatalf("no 提交评价:\n%s", j.Markup())
	}
	if err := j.Reach(submit); err != nil {
		t.Fatal(err)
	}
	j.Do(func() { test.Tap(submit); test.Tap(submit) })
	j.WaitShows("评价已提交")
	j.WaitFor("the rating at the utility", func() bool {
		got, _ := j.sims.Received(utility.Electricity)
		for _, r := range got {
			if r.Kind == utility.KindEvaluation {
				return true
			}
		}
		return false
	})
	// The kiosk sent one (a second would have been refused by the utility as already
	// rated, and kept as closed).
	n := 0
	for _, state := range []outbox.State{outbox.Pending, outbox.Done, outbox.Closed, outbox.Dead} {
		list, err := j.K.Outbox.List(state, 0)
		j.must(err)
		for _, r := range list {
			if r.Kind == utility.KindEvaluation {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("two taps sent %d ratings", n)
	}
	// Back at the timeline (the button says where it leads) the service is rated: it
	// is not offered again.
	j.Tap("返回办理进度")
	j.WaitShows("您已评价过本次服务")
	if j.Shows("评价本次服务") {
		t.Fatalf("the timeline offers a second rating:\n%s", j.Markup())
	}
}

// Whichever level is chosen, in either size and language, the rating page fits: the
// level chosen is ticked, and in 大字模式 the tick widened 非常不满意 past a fifth of
// the screen, the five levels took two rows, and with the reasons below them 提交评价
// fell off the screen onto the last reason.
func TestRateEveryLevelFits(t *testing.T) {
	j := newJourney(t)
	j.trackByScan(utility.Electricity, 0)
	j.Tap("评价本次服务")
	for _, elderly := range []bool{false, true} {
		j.Do(func() { j.Shell.SetElderly(elderly) })
		for l := utility.VerySatisfied; l >= utility.VeryDissatisfied; l-- {
			j.Tap(j.K.Text.In("zh", fmt.Sprintf("rate.level.%d", l)))
			j.checkBothLanguages("", fmt.Sprintf("rate-%d-%s", l, modeName(elderly)))
		}
	}
}

// A citizen who rates while the utility is away, and goes back to the timeline before
// the kiosk has said how it went, finds the service rated there: it is not offered for a
// second rating, which the utility would refuse while the citizen was told it was saved.
func TestJourneyRateBackWhileSending(t *testing.T) {
	j := newJourney(t)
	j.trackByScan(utility.Electricity, 0)
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{Down: true}))
	j.Tap("评价本次服务")
	j.Tap("非常满意")
	j.Tap("提交评价")
	j.WaitFor("the rating stored", func() bool { return j.K.Outbox.Pending()[utility.Electricity] == 1 })
	j.Tap("返回")
	if j.Current() != "timeline" || !j.Shows("您已评价过本次服务") || j.Shows("评价本次服务") {
		t.Fatalf("back at the timeline while the rating is on its way, on %s:\n%s", j.Current(), j.Markup())
	}
}

// trackByScan opens 进度查询, no card placed, and scans the receipt of the application
// seededApplication names; it returns the application's number once its timeline shows.
func (j *journey) trackByScan(u string, i int) string {
	j.T.Helper()
	ref := j.seededApplication(u, i)
	j.Tap("进度查询")
	j.WaitFor("the scanner", func() bool { st, ok := j.K.DeviceState("scanner"); return ok && st.OK })
	if err := j.rig.Scan("https://track.example.cn/a/" + ref); err != nil {
		j.T.Fatal(err)
	}
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	return ref
}

// seededApplication is the reference of the first application the simulator seeded for
// the i-th demo citizen at utility u.
func (j *journey) seededApplication(u string, i int) string {
	j.T.Helper()
	c, err := j.K.Client(u)
	if err != nil {
		j.T.Fatal(err)
	}
	id := utilitysim.DemoIdentities[i]
	apps, err := c.Applications(context.Background(), utility.Identity{IDNumber: id.IDNumber, Name: id.Name})
	if err != nil || len(apps) == 0 {
		j.T.Fatalf("seeded applications: %v %v", apps, err)
	}
	return apps[0].Reference
}

// 模拟扫码 on 进度查询 without a card offers the demo citizens' receipts; the one chosen
// is read by the emulated scanner, as a receipt held under it, and opens its timeline.
func TestJourneyDemoScanReceipt(t *testing.T) {
	j := newJourney(t)
	ref := j.seededApplication(utility.Electricity, 0) // 张三's, finished
	code, err := j.K.TrackURL(ref)
	j.must(err)
	j.Tap("进度查询")
	if label := j.demoScan(app.PaperReceipt, code); label != "供电 · 已办结 · 张*" {
		t.Errorf("张三's receipt offered as %q", label)
	}
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	if !j.Shows(ref) || !j.Shows("评价本次服务") {
		t.Fatalf("timeline by 模拟扫码:\n%s", j.Markup())
	}
}

// 模拟扫码 on the account lookup without a card offers the demo citizens' paper bills;
// 李四's, which he owes, opens his account's bills, ready to pay.
func TestJourneyDemoScanBill(t *testing.T) {
	j := newJourney(t)
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	bills, err := j.sims.Bills(utility.Electricity, elec)
	j.must(err)
	j.Tap("账户与账单")
	// Newest first: the last month's, unpaid.
	if label := j.demoScan(app.PaperBill, bills[0].QR); !strings.HasPrefix(label, "电费账单 ") || !strings.HasSuffix(label, " · 未缴 · 李*") {
		t.Errorf("李四's bill offered as %q", label)
	}
	j.WaitShows("缴费截止")
	if !j.Shows(elec) || !j.Shows("李*") || !j.Shows("未缴") {
		t.Fatalf("bills by 模拟扫码:\n%s", j.Markup())
	}
}

// demoScan taps 模拟扫码 once the scanner works and chooses the paper whose QR code is
// code; it returns the paper's label.
func (j *journey) demoScan(paper app.Paper, code string) string {
	j.T.Helper()
	j.WaitFor("模拟扫码", func() bool { return j.CanTap("模拟扫码") })
	choices, err := j.rig.ScanChoices(j.K, paper)
	j.must(err)
	label := ""
	for _, c := range choices {
		if c.Code == code {
			label = c.Label
		}
	}
	if label == "" {
		j.T.Fatalf("%q is not offered: %v", code, choices)
	}
	j.Tap("模拟扫码")
	j.WaitFor("the papers", func() bool { return j.CanTap(label) })
	j.Tap(label)
	return label
}

// Without a card: a paper bill's QR, scanned at the home screen, opens its account's
// bills; an application number typed on the alphanumeric keypad opens its timeline. A
// reference another kiosk gave is told as such, not looked up here.
func TestJourneyBillQRAndTypedNumber(t *testing.T) {
	j := newJourney(t)
	j.WaitFor("the scanner", func() bool { st, ok := j.K.DeviceState("scanner"); return ok && st.OK })
	water := utilitysim.AccountNumber(utility.Water, 1)
	j.must(j.rig.Scan(utility.FormatBillQR(utility.Water, water, "")))
	j.WaitShows("缴费截止")
	if !j.Shows(water) || !j.Shows("李*") {
		t.Fatalf("bills by a bill's QR:\n%s", j.Markup())
	}
	j.Tap("退出办理")
	ref := j.seededApplication(utility.Electricity, 0)
	j.Tap("进度查询")
	j.Tap("输入办件编号")
	other := "001"
	if j.K.Config.Kiosk.Code() == other {
		other = "002"
	}
	j.typeIn("K261126" + other + "000001")
	j.WaitShows("这个编号是另一台自助机给出的")
	j.Tap("知道了") // the number stays on the keypad, to be corrected
	j.Tap("清空")
	j.typeIn(ref)
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	if !j.Shows(ref) || !j.Shows("承诺时限") {
		t.Fatalf("timeline by a typed number:\n%s", j.Markup())
	}
}

// typeIn types text on the on-screen keypad and confirms it.
func (j *journey) typeIn(text string) {
	j.T.Helper()
	for _, c := range text {
		j.Tap(string(c))
	}
	j.Tap("确定")
}

// Typed account number without a card, then the session is wiped on 退出办理.
func TestJourneyAccountByNumberAndExit(t *testing.T) {
	j := newJourney(t)
	water := utilitysim.AccountNumber(utility.Water, 1)
	j.Tap("账户与账单")
	j.Tap("梁子湖区自来水公司")
	// The keypad says how long the utility's numbers are, and takes no more.
	if !j.Shows("户号印在账单上，共8位数字") {
		t.Fatalf("the keypad does not say the length:\n%s", j.Markup())
	}
	for _, c := range water[:7] {
		j.Tap(string(c))
	}
	if !j.Shows("户号是8位数字") || j.CanTap("确定") {
		t.Fatalf("7 digits typed:\n%s", j.Markup())
	}
	j.Tap("清空")
	j.typeIn(water + "9")
	j.WaitShows("缴费截止")
	if !j.Shows(water) || !j.Shows("李*") {
		t.Fatalf("bills by number:\n%s", j.Markup())
	}
	s := j.K.Sessions.Current()
	j.Tap("退出办理")
	if !s.Wiped() || j.Shows(water) || j.Shell.Current() != "home" {
		t.Fatal("the anonymous visit was not wiped")
	}
}

// billScanned opens a visit without a card by scanning an electricity bill of the
// demo card 1 holder's account, the reader ready; it returns the account number.
func billScanned(j *journey) (string, *session.Session) {
	j.T.Helper()
	j.WaitFor("the scanner", func() bool { st, ok := j.K.DeviceState("scanner"); return ok && st.OK })
	j.WaitFor("the reader", func() bool { st, ok := j.K.DeviceState("idcard"); return ok && st.OK })
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	j.must(j.rig.Scan(utility.FormatBillQR(utility.Electricity, elec, "")))
	j.WaitShows("缴费截止")
	return elec, j.K.Sessions.Current()
}

// The card is put down while the order is still being made (请稍候): the order is
// made, the pay QR comes with the card's notice over it, and the visit stays the one
// it was until the payment ends.
func TestJourneyCardPlacedWhilePayQRMade(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast})
	_, visit := billScanned(j)
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{LatencyMS: 4000})) // the order takes a while
	j.TapPrefix("缴费（")
	j.WaitShows("正在生成支付二维码")
	j.must(j.rig.PlaceCard(1)) // 李四, the account's holder
	j.WaitFor("the card held", j.K.CardHeld)
	j.must(j.sims.SetFaults(utility.Electricity, utilitysim.Faults{}))
	j.WaitFor("the pay QR", func() bool { return j.Current() == "pay" })
	j.WaitShows("请先完成当前缴费")
	if j.Current() != "pay" || j.K.Sessions.Current() != visit || visit.Wiped() {
		t.Fatalf("the card put down while the order was made, on %s:\n%s", j.Current(), j.Markup())
	}
	if _, identified := visit.Identity(); identified {
		t.Fatal("the visit became the card's before its payment ended")
	}
}

// A citizen without their card at first: a paper bill's QR opens the bills, 缴费 shows
// the pay QR; then they put their ID card on the reader. The pay QR stays, with a notice
// that the payment comes first; the citizen pays on the phone (the utility marks the
// order paid); the receipt prints for that visit, the outcome shows, and the visit is
// now the card holder's: 返回 leads to their accounts at every utility.
func TestJourneyCardPlacedAtAnonymousPayQR(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast}) // payments are never paid by themselves
	elec, visit := billScanned(j)
	j.TapPrefix("缴费（")
	j.WaitShows("请用微信或支付宝扫码支付")
	j.must(j.rig.PlaceCard(1)) // 李四, the account's holder
	j.WaitShows("请先完成当前缴费")
	if j.Current() != "pay" || j.K.Sessions.Current() != visit || !j.Shows("取消缴费") {
		t.Fatalf("the card over the pay QR, on %s:\n%s", j.Current(), j.Markup())
	}
	orders, err := j.K.Orders.List()
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders %+v, %v", orders, err)
	}
	if _, err := j.sims.Pay(utility.Electricity, orders[0].Reference); err != nil {
		t.Fatal(err)
	}
	j.WaitShows("缴费成功")
	j.WaitShows("请取走凭条")
	if err := j.rig.Printer().WaitCuts(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	id, ok := visit.Identity()
	if j.K.Sessions.Current() != visit || !ok || id.IDNumber != sim.DemoCards()[1].IDNumber {
		t.Fatal("once paid, the visit is not the card holder's")
	}
	if !j.Shows("李*") {
		t.Fatalf("the outcome does not name the citizen now identified:\n%s", j.Markup())
	}
	j.Tap("返回")
	j.WaitFor("the citizen's accounts", func() bool { return j.Current() == "accounts" && j.Shows("户号 "+elec) })
	j.WaitShows("户号 " + utilitysim.AccountNumber(utility.Water, 1))
}
