package screens_test

import (
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// refusedPayment is what the utilities' simulator says of the payments in these tests:
// its self-service limit is 200 yuan, under 李四's electricity bills (￥475.26). A
// plausible limit: 60-pay-failed-before in docs/user-guide.md shows the refusal.
const refusedPayment = "自助缴费单笔不能超过200.00元，请到人工窗口办理"

// newPayHarness is a kiosk on the demo device emulators and the utilities' simulator,
// whose utilities refuse payments over 200 yuan (refusedPayment).
func newPayHarness(t *testing.T) (*screentest.H, *demo.Rig, *utilitysim.Server) {
	t.Helper()
	return newPayHarnessWith(t, utilitysim.Options{Limits: utilitysim.Limits{PerPayment: 20000}})
}

// newPayHarnessWith is a kiosk on the demo device emulators, on the system clock, and
// the utilities' simulator started with o.
func newPayHarnessWith(t *testing.T, o utilitysim.Options) (*screentest.H, *demo.Rig, *utilitysim.Server) {
	t.Helper()
	d, sims, cfg := demoWithUtilities(t, o)
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	return h, d, sims
}

// toElectricityBills puts the card of the simulator's citizen 1 (李四) on the reader and
// opens his electricity account's bills; it returns the account's number.
func toElectricityBills(t *testing.T, h *screentest.H, d *demo.Rig) string {
	t.Helper()
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	mustDo(t, d.PlaceCard(1))
	h.WaitShows("户号 " + elec)
	h.Tap("户号 " + elec)
	h.WaitShows("缴费截止")
	return elec
}

// startRefusedPayment opens the electricity bills of the simulator's citizen 1 (李四),
// by his card or, byCard false, by a paper bill's QR, and taps 缴费 with the utility
// slow to answer: the citizen waits under 请稍候, and the refusal comes seconds later.
func startRefusedPayment(t *testing.T, h *screentest.H, d *demo.Rig, sims *utilitysim.Server, byCard bool) *session.Session {
	t.Helper()
	if byCard {
		toElectricityBills(t, h, d)
	} else {
		h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
		mustDo(t, d.Scan(utility.FormatBillQR(utility.Electricity, utilitysim.AccountNumber(utility.Electricity, 1), "")))
		h.WaitShows("缴费截止")
	}
	mustDo(t, sims.SetFaults(utility.Electricity, utilitysim.Faults{LatencyMS: 3000}))
	visit := h.K.Sessions.Current()
	h.TapPrefix("缴费（")
	h.WaitShows("正在生成支付二维码")
	return visit
}

// refusalShown waits for the start's 请稍候 to give way, and for the notice over the
// screen to say title and the utility's refusal.
func refusalShown(t *testing.T, h *screentest.H, title string) {
	t.Helper()
	h.WaitFor("the start's outcome", func() bool { return !h.Shows("正在生成支付二维码") })
	h.WaitFor("the refusal", func() bool { return h.Shows(title) && h.Shows(refusedPayment) })
}

// A visit opened by a paper bill's QR: the citizen taps 缴费 and, while the order is
// being made, puts their ID card on the reader; the utility refuses the payment. The
// refusal is told, and the visit, now the card holder's, shows their accounts at every
// utility under it (not the look-up by number, its header without them), as a card
// placed after the payment would.
func TestHeldCardAdoptedWhenPaymentStartFails(t *testing.T) {
	h, d, sims := newPayHarness(t)
	visit := startRefusedPayment(t, h, d, sims, false)
	mustDo(t, d.PlaceCard(1))
	h.WaitFor("the card held", h.K.CardHeld)
	refusalShown(t, h, "未能缴费")
	if h.K.Sessions.Current() != visit || visit.Wiped() || h.K.CardHeld() {
		t.Fatalf("the visit was not kept for the card's holder (held %v)", h.K.CardHeld())
	}
	if id, ok := visit.Identity(); !ok || id.IDNumber != sim.DemoCards()[1].IDNumber {
		t.Fatal("the visit is not the card holder's")
	}
	if h.Current() != "accounts" {
		t.Fatalf("under the refusal: %s, want the citizen's accounts", h.Current())
	}
	h.Tap("知道了")
	h.WaitShows("户号 " + utilitysim.AccountNumber(utility.Water, 1))
	if !h.Shows("李*") || h.Shows("未能缴费") {
		t.Fatalf("after the refusal, the citizen's accounts:\n%s", h.Markup())
	}
}

// Another citizen's card put down while the payer's order is being made is held; the
// utility refuses the payment, and the card opens its holder's visit. The refusal, meant
// for the visit that ended, is not dropped: it is told over the new citizen's accounts,
// worded as the last payment's, in both languages.
func TestHeldCardReplacesWhenPaymentStartFails(t *testing.T) {
	h, d, sims := newPayHarness(t)
	payer := startRefusedPayment(t, h, d, sims, true)
	mustDo(t, d.PlaceCard(2))
	h.WaitFor("the card held", h.K.CardHeld)
	refusalShown(t, h, "上一笔缴费未能完成")
	next := h.K.Sessions.Current()
	if !payer.Wiped() || next == nil || next == payer || h.K.CardHeld() {
		t.Fatalf("the payer's visit wiped %v, another open %v, held %v", payer.Wiped(), next != nil && next != payer, h.K.CardHeld())
	}
	if id, _ := next.Identity(); id.IDNumber != sim.DemoCards()[2].IDNumber {
		t.Fatal("the new visit is not the card holder's")
	}
	if h.Current() != "accounts" || !h.Shows("刚放入的身份证已读取") || h.Shows("李*") {
		t.Fatalf("under the refusal, on %s:\n%s", h.Current(), h.Markup())
	}
	shot(h, "60-pay-failed-before")
	h.Do(h.Shell.ToggleLanguage)
	if !h.Shows("The previous payment was not made") || !h.Shows("its holder's visit is now open") {
		t.Fatalf("the notice in English:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	h.Tap("知道了")
	h.WaitShows("户号 " + utilitysim.AccountNumber(utility.Water, 2))
	if h.Shows("上一笔缴费未能完成") || !strings.Contains(h.Markup(), "王*") {
		t.Fatalf("the new citizen's accounts:\n%s", h.Markup())
	}
}

// The payer's own card lifted and put back while the order is being made is no change
// (nothing is held): the refusal is told over the bills it was tapped on, as without it.
func TestOwnCardWhenPaymentStartFails(t *testing.T) {
	h, d, sims := newPayHarness(t)
	visit := startRefusedPayment(t, h, d, sims, true)
	mustDo(t, d.PlaceCard(1)) // lifted and put down again
	h.WaitFor("the card read again", func() bool { return strings.Contains(h.Log(), "card of the citizen being served read again") })
	refusalShown(t, h, "未能缴费")
	if h.K.Sessions.Current() != visit || visit.Wiped() || h.K.CardHeld() || h.Current() != "bills" {
		t.Fatalf("the payer's own card: visit kept %v, held %v, on %s", h.K.Sessions.Current() == visit, h.K.CardHeld(), h.Current())
	}
	h.Tap("知道了")
	if !h.Shows("缴费（") || !h.Shows("李*") {
		t.Fatalf("the bills after the refusal:\n%s", h.Markup())
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Another citizen's card put down at the pay QR, and the payer pays: 缴费成功 and the
// receipt's note stay on screen, with a line that the card was read and opens its
// holder's visit in 20 seconds, and 立即办理 for that holder beside the payer's 返回账单;
// the time up (or the tap), the new citizen's accounts come. It fits in both languages
// and both sizes. The payer who goes back to their bills keeps their visit past that
// time, and the footer tells the next citizen that their card waits for it to end;
// 退出办理 opens their visit then.
func TestPaidOutcomeStaysWhileNextCardWaits(t *testing.T) {
	for _, then := range []string{"the time is up", "立即办理", "返回账单"} {
		t.Run(then, func(t *testing.T) {
			d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
			cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
			// The manual clock: the outcome's time passes when the test says so.
			h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
			h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
			toElectricityBills(t, h, d)
			h.TapPrefix("缴费（")
			h.WaitShows("请用微信或支付宝扫码支付")
			payer := h.K.Sessions.Current()
			mustDo(t, d.PlaceCard(2))
			h.WaitShows("请先完成当前缴费")
			// The notice over the pay QR, whose countdown the manual clock holds still.
			shot(h, "58-pay-card-held")
			payTheOrder(t, h, sims, utility.Electricity)
			h.WaitShows("缴费成功")
			h.WaitShows("请取走凭条")
			if !h.Shows("新放入的身份证已读取") || !h.Shows("20秒后为其办理") || !h.CanTap("立即办理") || !h.CanTap("返回账单") ||
				h.K.Sessions.Current() != payer || h.Shows("请先完成当前缴费") || h.Shows("下一位的身份证已读取") {
				t.Fatalf("the payer's outcome, the next card waiting:\n%s", h.Markup())
			}
			shot(h, "59-pay-next-card")
			h.Do(h.Shell.ToggleLanguage)
			if !h.Shows("Next ID card read") || !h.Shows("20 s") {
				t.Fatalf("in English:\n%s", h.Markup())
			}
			h.Do(h.Shell.ToggleLanguage)
			h.Advance(5 * time.Second)
			h.Do(h.Shell.Tick) // the shell's once a second
			if !h.Shows("15秒后为其办理") || h.K.Sessions.Current() != payer {
				t.Fatalf("5 s later:\n%s", h.Markup())
			}
			switch then {
			case "the time is up":
				h.Advance(app.ResultFor - 5*time.Second)
			case "立即办理":
				h.Tap("立即办理")
			case "返回账单":
				h.Tap("返回账单")
				payerStays(t, h, payer, "bills")
				h.Tap("退出办理")
			}
			h.WaitShows("户号 " + utilitysim.AccountNumber(utility.Water, 2))
			if !payer.Wiped() || h.Current() != "accounts" || h.Shows("缴费成功") || h.Shows("李*") {
				t.Fatalf("after %s, on %s:\n%s", then, h.Current(), h.Markup())
			}
		})
	}
}

// payTheOrder pays the one order made so far at the utility, as the citizen's phone
// would.
func payTheOrder(t *testing.T, h *screentest.H, sims *utilitysim.Server, utilityID string) {
	t.Helper()
	orders, err := h.K.Orders.List()
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders %+v, %v", orders, err)
	}
	if _, err := sims.Pay(utilityID, orders[0].Reference); err != nil {
		t.Fatal(err)
	}
}

// payerStays checks that the payer, gone on from their outcome to screen, keeps their
// visit past the outcome's time, the footer telling the next citizen that their card
// waits for it to end, in both languages.
func payerStays(t *testing.T, h *screentest.H, payer *session.Session, screen string) {
	t.Helper()
	const waits = "下一位的身份证已读取，您办完后为其办理"
	if h.Current() != screen || !h.Shows(waits) || h.Shows("秒后为其办理") {
		t.Fatalf("gone on to %s, on %s:\n%s", screen, h.Current(), h.Markup())
	}
	h.Advance(app.ResultFor)
	h.Do(h.Shell.Tick)
	if h.K.Sessions.Current() != payer || payer.Wiped() || h.Current() != screen || !h.Shows(waits) || !h.K.CardHeld() {
		t.Fatalf("past the outcome's time: the payer's visit kept %v, on %s, held %v:\n%s",
			h.K.Sessions.Current() == payer && !payer.Wiped(), h.Current(), h.K.CardHeld(), h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	if !h.Shows("its visit opens when you finish") {
		t.Fatalf("in English:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
}

// A 过户 of 李四's water account by 陈建国, its unpaid bill paid first at the settle
// page while the next citizen's card is put down over the pay QR. Paid, the outcome
// keeps 继续过户 beside 立即办理, the gap apart, in both languages and sizes; 继续过户
// takes the transfer to its review, which stays past the outcome's time with the form
// as filled in, the footer telling the waiting citizen why; 退出办理 opens their visit.
func TestTransferGoesOnWhileNextCardWaits(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	// The manual clock: the outcome's time passes when the test says so.
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	mustDo(t, d.PlaceCard(5))
	h.WaitFor("陈建国's accounts", func() bool { return h.Current() == "accounts" })
	payer := h.K.Sessions.Current()
	a := waterTransfer(t, h)
	water := utilitysim.AccountNumber(utility.Water, 1)
	a.Answers["phone"], a.Answers["property_cert"], a.Answers["water.account"] = "13800000006", utilitysim.PropertyCert(1), water // 李四's home's
	fromFilledForm(t, h, a)
	h.WaitShows("过户前须结清原户号的全部欠费")
	h.TapPrefixSeeking(h.K.UtilityName(utility.Water))
	h.WaitShows("请用微信或支付宝扫码支付")
	mustDo(t, d.PlaceCard(2))
	h.WaitShows("请先完成当前缴费")
	payTheOrder(t, h, sims, utility.Water)
	h.WaitShows("缴费成功")
	h.WaitShows("20秒后为其办理")
	if !h.CanTap("继续过户") || !h.CanTap("立即办理") || h.K.Sessions.Current() != payer {
		t.Fatalf("the payer's outcome in a 过户, the next card waiting:\n%s", h.Markup())
	}
	for _, elderly := range []bool{true, false} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		for range 2 {
			h.Check("", "pay-next-card-transfer")
			h.Do(h.Shell.ToggleLanguage)
		}
	}
	h.Tap("继续过户")
	h.WaitShows("确认提交")
	if !h.Shows("户号 " + water) {
		t.Fatalf("the review:\n%s", h.Markup())
	}
	payerStays(t, h, payer, "review")
	shot(h, "61-transfer-next-card-waits")
	h.Tap("退出办理")
	h.WaitShows("户号 " + utilitysim.AccountNumber(utility.Water, 2))
	if !payer.Wiped() || h.Current() != "accounts" || h.K.CardHeld() || h.Shows("下一位的身份证已读取") {
		t.Fatalf("after 退出办理, on %s, held %v:\n%s", h.Current(), h.K.CardHeld(), h.Markup())
	}
}
