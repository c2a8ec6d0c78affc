package screens_test

import (
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// Two utilities may give one number (each numbers its applications its own way; here
// gas numbers as water does, and the hall declares gas's format as water's). Typed on 进度查询's keypad, the number opens a choice, not
// whichever utility answered first: one row per utility, water's above gas's, each
// with its utility and its service, the number said above them; the page fits in both
// languages and sizes. Gas's row opens gas's timeline. The tracking QR of a receipt
// carries the number alone: scanned, it opens the same choice. With gas down, the
// number opens water's timeline at once, which says that gas could not be asked, in
// Chinese and in English.
func TestTrackSharedNumberChoose(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{RefPrefixes: map[string]string{utility.Gas: "SS"}})
	cfg.Utilities.Gas.ApplicationNumber = cfg.Utilities.Water.ApplicationNumber
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })

	// 陈建国 applies for water and 王淑芬 for gas: each utility's first application today.
	numbers := map[string]string{}
	for id, who := range map[string]utilitysim.Identity{utility.Water: utilitysim.DemoIdentities[5], utility.Gas: utilitysim.DemoIdentities[2]} {
		r, err := h.K.Outbox.Submit(t.Context(), outbox.Request{Utility: id, Kind: utility.KindApplication, Order: who.IDNumber, Applicant: who.IDNumber,
			Body: utility.Application{Service: "new_connection", Address: who.Address,
				Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}}}, 10*time.Second)
		if err != nil || !r.Answered() || r.UtilityRef == "" {
			t.Fatalf("%s's application not accepted: %+v, %v", id, r, err)
		}
		numbers[id] = r.UtilityRef
	}
	number := numbers[utility.Water]
	if numbers[utility.Gas] != number {
		// Only a submission across midnight numbers them on two days.
		t.Fatalf("numbers %v: want one", numbers)
	}

	h.Tap("进度查询")
	h.Tap("输入办件编号")
	for _, c := range number {
		h.Tap(string(c))
	}
	h.Tap("确定")
	h.WaitFor("the choice", func() bool { return h.Current() == "track-choose" })
	markup := h.Markup()
	at := func(s string) int { return strings.Index(markup, s) }
	water, gas := "供水 · ", "供气 · "
	if !showsWrapped(h, "编号 "+number+" 在不止一家单位有办件，请点您办理的那一家") || at(water) < 0 || !(at(water) < at(gas)) ||
		!h.Shows(h.K.UtilityName(utility.Water)) || !h.Shows(h.K.UtilityName(utility.Gas)) || h.Shows("暂时无法查询") {
		t.Fatalf("the choice: the number, then water's application above gas's, each with its utility:\n%s", markup)
	}
	shot(h, "66-track-choose")

	h.TapPrefix(gas)
	h.WaitFor("gas's timeline", func() bool { return h.Current() == "timeline" })
	if !h.Shows(number) || !h.Shows(h.K.UtilityName(utility.Gas)) || h.Shows(h.K.UtilityName(utility.Water)) {
		t.Fatalf("gas's timeline:\n%s", h.Markup())
	}
	// In 大字模式 the page with the application shows its first step too: the facts two
	// to a line, a step's time on its name's line (a line each left it without one).
	h.Do(func() { h.Shell.SetElderly(true) })
	h.Pump()
	if !h.Shows("第1步") {
		t.Errorf("大字模式's first page of the timeline shows no step:\n%s", h.Markup())
	}
	h.Do(func() { h.Shell.SetElderly(false) })
	h.Tap("返回")
	if h.Current() != "track-choose" {
		t.Fatalf("返回 from the timeline leads to %s", h.Current())
	}

	h.Tap("首页")
	code, err := h.K.TrackURL(number)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, d.Scan(code))
	h.WaitFor("the choice from the scanned QR", func() bool { return h.Current() == "track-choose" })
	if !h.Shows(water) || !h.Shows(gas) {
		t.Fatalf("the scanned QR's choice:\n%s", h.Markup())
	}

	h.Tap("首页")
	if err := sims.SetFaults(utility.Gas, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	mustDo(t, d.Scan(code))
	h.WaitFor("water's timeline", func() bool { return h.Current() == "timeline" })
	unasked := "这个编号也可能是梁子湖区燃气公司的办件，该单位暂时无法查询。如果上面这件不是您办的，请稍后再查"
	if !h.Shows(h.K.UtilityName(utility.Water)) || !showsWrapped(h, unasked) {
		t.Fatalf("water's timeline, gas named as not asked:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	if !showsWrapped(h, "This number may also be an application at Liangzihu Gas Company, which cannot be reached right now. If the one above is not yours, please try again later") {
		t.Errorf("in English:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	// Each step's time on its name's line: the four steps on the page with the
	// application and the warning.
	if h.CanTap("下一页") || !h.Shows("第4步") {
		t.Errorf("the timeline with the warning, its four steps on one page:\n%s", h.Markup())
	}
	shot(h, "67-track-unasked")
}
