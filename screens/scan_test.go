package screens_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// newLookupHarness is a kiosk on the demo device emulators (on ptys) and the utilities'
// simulator (on loopback), its reader and scanner ready, on the manual clock: the idle
// time passes when the test says so.
func newLookupHarness(t *testing.T) (*screentest.H, *demo.Rig) {
	t.Helper()
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	return h, d
}

// A paper bill scanned while the countdown asks whether anyone is still there is not
// the visit's citizen coming back: nobody touched the screen for the idle time, and the
// one who scans is most likely the next in the queue. The visit ends as the countdown
// would have ended it, and the bill opens in a visit of its own: the card holder's name
// is not over it, and 返回 does not lead into their accounts.
func TestScanDuringCountdownEndsTheVisit(t *testing.T) {
	h, d := newLookupHarness(t)
	mustDo(t, d.PlaceCard(0)) // 张三
	h.WaitFor("张三's accounts", func() bool { return h.Current() == "accounts" && h.Shows("张*") })
	visit := h.K.Sessions.Current()
	d.RemoveCard() // 张三 takes the card and walks off
	h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	if !h.Shell.CountdownVisible() {
		t.Fatal("no countdown after the idle time")
	}
	elec := utilitysim.AccountNumber(utility.Electricity, 1) // 李四's
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Electricity, elec, "")))
	h.WaitShows("缴费截止")
	if !visit.Wiped() {
		t.Fatal("the card holder's visit is still open under the scanned bill")
	}
	now := h.K.Sessions.Current()
	if now == nil || now == visit {
		t.Fatal("the scanned bill is not in a visit of its own")
	}
	if _, identified := now.Identity(); identified {
		t.Fatal("the scanned bill's visit has the card holder's identity")
	}
	if h.Shows("张*") || h.Shell.CountdownVisible() {
		t.Fatalf("the scanned bill under the card holder's name:\n%s", h.Markup())
	}
	h.Tap("返回")
	if h.Shows("张*") || h.Shows(utilitysim.AccountNumber(utility.Water, 0)) {
		t.Fatalf("返回 from the scanned bill shows the card holder's visit:\n%s", h.Markup())
	}
	// The journal says why the visit ended: its idle time had passed.
	evs, err := h.K.Journal.Range(visit.Started.Add(-time.Hour), h.K.Clock.Now().Add(time.Hour), 0)
	mustDo(t, err)
	ended := ""
	for _, e := range evs {
		if e.Kind == journal.SessionEnd && e.Session == visit.ID {
			ended = e.Detail
		}
	}
	if ended != "idle" {
		t.Fatalf("the visit's end journaled as %q, want idle", ended)
	}
}

// What a citizen has typed on a keypad stays when the screen is drawn again under it:
// 大字模式 or English tapped half way through a number (the digits looked small), the
// account keypad, 进度查询's and a form's alike. They were drawn anew empty, and an
// elderly citizen who had typed seven digits of a long number had to start again.
func TestKeypadKeepsTypingAcrossRedraws(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(h *screentest.H)
	}{
		{"account", func(h *screentest.H) {
			h.Tap("账户与账单")
			h.Tap(h.K.UtilityName(utility.Water))
		}},
		{"track", func(h *screentest.H) {
			h.Tap("进度查询")
			h.Tap("输入办件编号")
		}},
		{"form", func(h *screentest.H) {
			h.K.Sessions.Start().SetIdentity(session.Identity{Name: "陈建国", IDNumber: "11010519491231002X", CardType: "resident"})
			for _, u := range h.K.Catalog().Utilities {
				for _, sv := range u.Services {
					a, err := h.K.NewApplication(sv)
					mustDo(t, err)
					for _, in := range a.Form.Inputs() {
						if in.Field.Type == catalog.TypeAccount && a.Form.Visible(in.Key, a.Answers) {
							h.Shell.ShowForm(a)
							h.Shell.ShowEditor(a, in)
							return
						}
					}
				}
			}
			t.Fatal("no service asks for an account number")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := screentest.New(t, screentest.Options{})
			tc.open(h)
			for _, c := range "4200" {
				h.Tap(string(c))
			}
			english := func() { h.Do(h.Shell.ToggleLanguage) }
			for _, toggle := range []func(){func() { h.Tap("大字模式") }, english, english} {
				toggle()
				kp, ok := h.Keypad()
				if !ok {
					t.Fatalf("no keypad on %s:\n%s", h.Current(), h.Markup())
				}
				if kp.Value() != "4200" {
					t.Fatalf("after a redraw the keypad holds %q, want 4200", kp.Value())
				}
			}
		})
	}
}

// A number that is not found, an application's or an account's, is said in a notice
// over the keypad, which still holds it: the citizen taps 知道了, compares the number
// with the receipt or the bill and corrects the one character that is wrong, in both
// languages and sizes. 进度查询's keypad was drawn anew empty under a line that said so,
// and in 大字模式 that line ran the keypad off the window. An application number in the
// format of none of the utilities here (the demo's declare the simulator's: a prefix
// and 11 digits; this one is a digit short) is told apart from one a utility does not
// know: the citizen checks what they typed, not whether the utility has lost it.
func TestNumberNotFoundKeepsIt(t *testing.T) {
	track := func(h *screentest.H) {
		h.Tap(h.K.Text.T("tile.track"))
		h.Tap(h.K.Text.T("track.by_number"))
	}
	for _, tc := range []struct {
		name, number, says string
		// not is what the notice must not say.
		not  string
		open func(h *screentest.H)
	}{
		{"application", "DL26112500099", "track.not_found", "track.bad_format", track},
		{"application of no utility's format", "DL2611250099", "track.bad_format", "track.not_found", track},
		{"account", "42009917", "accounts.not_found", "", func(h *screentest.H) {
			h.Tap(h.K.Text.T("tile.accounts"))
			h.TapSeeking(h.K.UtilityName(utility.Water))
		}},
	} {
		for _, english := range []bool{false, true} {
			for _, elderly := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s,english=%v,elderly=%v", tc.name, english, elderly), func(t *testing.T) {
					h, _ := newLookupHarness(t)
					if english {
						h.Do(h.Shell.ToggleLanguage)
					}
					h.Do(func() { h.Shell.SetElderly(elderly) })
					tc.open(h)
					for _, c := range tc.number {
						h.Tap(string(c))
					}
					h.Tap(h.K.Text.T("keypad.ok"))
					title := h.K.Text.T("lookup.failed_title")
					h.WaitShows(title)
					if !showsWrapped(h, h.K.Text.T(tc.says)) || tc.not != "" && showsWrapped(h, h.K.Text.T(tc.not)) {
						t.Fatalf("the notice does not say %s (alone):\n%s", tc.says, h.Markup())
					}
					h.Check("", "")
					h.Tap(h.K.Text.T("common.ok"))
					h.Check("", "")
					kp, ok := h.Keypad()
					if !ok || kp.Value() != tc.number || h.Shows(title) {
						t.Fatalf("after 知道了, the number not found is not on the keypad:\n%s", h.Markup())
					}
					h.Tap(h.K.Text.T("keypad.backspace"))
					if kp, _ := h.Keypad(); kp.Value() != tc.number[:len(tc.number)-1] {
						t.Fatalf("correcting the number: %q", kp.Value())
					}
				})
			}
		}
	}
}

// The same paper bill or receipt scanned again (the citizen saw nothing happen at once,
// or held it under the scanner twice) opens its screen in place of the one on top, not
// over it: one 返回 leads back to where they scanned it, not through copies of the same
// bills. Another account's bill still opens over the first, and 返回 leads to it.
func TestSameScanTwiceOneScreen(t *testing.T) {
	h, d := newLookupHarness(t)
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	water := utilitysim.AccountNumber(utility.Water, 1)
	// Each scan is shown once its screen is logged: the last one may be on top already.
	shown := func(name string) int { return strings.Count(h.Log(), `"msg":"screen","name":"`+name+`"`) }
	scanBill := func(u, number string) {
		t.Helper()
		before := shown("bills")
		mustDo(t, d.Scan(utility.FormatBillQR(u, number, "")))
		h.WaitFor("the bills of "+number, func() bool {
			return shown("bills") > before && h.Current() == "bills" && h.Shows(number) && h.Shows("缴费截止")
		})
	}
	for range 3 {
		scanBill(utility.Electricity, elec)
	}
	h.Tap("返回")
	if h.Current() != "home" {
		t.Fatalf("返回 after the same bill scanned three times: %s:\n%s", h.Current(), h.Markup())
	}
	scanBill(utility.Electricity, elec)
	scanBill(utility.Water, water)
	h.Tap("返回")
	if h.Current() != "bills" || !h.Shows(elec) {
		t.Fatalf("返回 from another account's bills does not lead to the first's:\n%s", h.Markup())
	}
	h.Tap("返回")
	c, err := h.K.Client(utility.Electricity)
	mustDo(t, err)
	id := utilitysim.DemoIdentities[0]
	apps, err := c.Applications(context.Background(), utility.Identity{IDNumber: id.IDNumber, Name: id.Name})
	if err != nil || len(apps) == 0 {
		t.Fatalf("seeded applications: %v %v", apps, err)
	}
	code, err := h.K.TrackURL(apps[0].Reference)
	mustDo(t, err)
	h.Tap("进度查询")
	for range 2 {
		before := shown("timeline")
		mustDo(t, d.Scan(code))
		h.WaitFor("the timeline", func() bool {
			return shown("timeline") > before && h.Current() == "timeline" && h.Shows(apps[0].Reference)
		})
	}
	h.Tap("返回")
	if h.Current() != "track" {
		t.Fatalf("返回 after the same receipt scanned twice: %s", h.Current())
	}
}

// What the notice of a payment receipt's QR says fits, in both languages and sizes: it
// is the longest a scan gets.
func TestPaymentReceiptScanNoticeFits(t *testing.T) {
	eachMode(t, func(t *testing.T, h *screentest.H, d *demo.Rig, english, elderly bool) {
		h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
		mustDo(t, d.Scan("https://pay.example.cn/r/WX20261125001"))
		said := h.K.Text.T("scan.payment_receipt")
		h.WaitFor("the notice", func() bool { return showsWrapped(h, said) })
		h.Check("", "")
	})
}

// A paper bill of a utility this hall's kiosk does not serve says so, and whom to ask:
// it said the utility could not be served "for now, try again later", and the citizen
// scanned it again and again.
func TestScanBillOfAUtilityNotServed(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Utilities.Gas.Enabled = false
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Gas, utilitysim.AccountNumber(utility.Gas, 1), "")))
	gas := h.K.UtilityName(utility.Gas)
	hotline := h.K.UtilityHotline(utility.Gas)
	if hotline == "" {
		t.Fatal("the catalogue names no gas hotline: the test needs one")
	}
	want := "本机不办理" + gas + "的业务，查不到这张账单。请拨打" + gas + "服务热线 " + hotline + "，或到人工窗口咨询"
	h.WaitFor("the notice", func() bool { return h.CanTap("知道了") })
	if !showsWrapped(h, want) || h.Shows("暂时") || h.Shows("稍后") {
		t.Fatalf("the notice of a bill of a utility not served, want %q:\n%s", want, h.Markup())
	}
	shot(h, "64-scan-not-served")
	h.Do(h.Shell.ToggleLanguage)
	if !showsWrapped(h, "This kiosk does not serve "+h.K.UtilityName(utility.Gas)) {
		t.Fatalf("the notice in English:\n%s", h.Markup())
	}
	h.Tap("OK")
	if h.Current() != "home" {
		t.Fatalf("after OK: %s", h.Current())
	}
}

// A paper bill whose account its utility has no record of (closed, merged) says so and
// whom to ask: not "check the number on your bill", to a citizen who typed nothing and
// whose bill's number was read as printed.
func TestScannedBillNotFound(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Water, "42009917", "")))
	water := h.K.UtilityName(utility.Water)
	want := water + "没有查到这张账单上的户号。请拨打" + water + "服务热线 " + h.K.UtilityHotline(utility.Water) + "，或到人工窗口咨询"
	h.WaitFor("the notice", func() bool { return h.CanTap("知道了") })
	if !showsWrapped(h, want) || h.Shows("核对") {
		t.Fatalf("the notice of a bill not found, want %q:\n%s", want, h.Markup())
	}
	h.Check("", "")
}

// What a citizen without a card types or scans is personal (an account number names a
// household; people type their ID or phone number where an application number is asked
// for; a foreign code may carry anything): none of it reaches the log or the journal,
// whether it is found, not found, refused, or the utility is down, nor from a line the
// scanner driver dropped.
func TestLookupsWithoutCardLogNoNumbers(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	water := utilitysim.AccountNumber(utility.Water, 1)
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	const (
		unknownAccount = "42009917"
		typedRef       = "13907115523" // a mobile number typed where the application number goes
		idInURL        = "42011519800101001X"
	)
	typeIn := func(text string) {
		t.Helper()
		for _, c := range text {
			h.Tap(string(c))
		}
		h.Tap("确定")
	}
	h.Tap("账户与账单")
	h.Tap(h.K.UtilityName(utility.Water))
	typeIn(water)
	h.WaitShows("缴费截止")
	h.Tap("返回")
	kp, _ := h.Keypad()
	h.Do(func() { kp.SetValue("") })
	typeIn(unknownAccount)
	h.WaitShows("没有找到这个户号")
	h.Tap("知道了")
	h.Tap("首页")
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Electricity, elec, "")))
	h.WaitFor("the scanned bill", func() bool { return h.Current() == "bills" && h.Shows(elec) })
	h.Tap("首页")
	mustDo(t, sims.SetFaults(utility.Water, utilitysim.Faults{Down: true}))
	mustDo(t, d.Scan(utility.FormatBillQR(utility.Water, water, "")))
	h.WaitShows("未能查到")
	h.Tap("知道了")
	h.Tap("进度查询")
	h.Tap("输入办件编号")
	typeIn(typedRef)
	h.WaitShows("未能查到")
	h.Tap("知道了")
	h.Tap("首页")
	dropped := strings.Count(h.Log(), "scanner line dropped")
	mustDo(t, d.Scan("https://evil.example.com/?id="+idInURL))
	mustDo(t, d.Scanner().WriteRaw([]byte(water+"\xff"+idInURL+"\r\n")))
	h.WaitFor("the dropped line", func() bool { return strings.Count(h.Log(), "scanner line dropped") > dropped })
	h.WaitFor("the foreign code told", func() bool { return showsWrapped(h, h.K.Text.T("scan.unknown")) })

	evs, err := h.K.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
	mustDo(t, err)
	var journal strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&journal, "%+v\n", e)
	}
	for _, secret := range []string{water, elec, unknownAccount, typedRef, idInURL, "evil.example.com", "UBILL"} {
		if strings.Contains(h.Log(), secret) {
			t.Errorf("%q is in the log:\n%s", secret, h.Log())
		}
		if strings.Contains(journal.String(), secret) {
			t.Errorf("%q is in the journal:\n%s", secret, journal.String())
		}
	}
}
