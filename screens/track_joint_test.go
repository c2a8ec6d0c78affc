package screens_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// 联办进度 lists a joint application's parts as their utilities answer. Its 联办编号,
// typed on 进度查询's keypad without a card, opens the list at once: water's part is
// listed while gas (slow) is still being asked on the line below, and broadband (down)
// says so on its line, in the order the parts were submitted; 重新查询 lists broadband's
// part once it is back, in its place. The page fits in both languages and sizes. A part
// opens its timeline.
func TestJointPartsFillIn(t *testing.T) {
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	cfg := config.Defaults()
	// Gas is asked until its answer or the end of the test: it stays Loading.
	gas, _ := cfg.Utilities.ByID(utility.Gas)
	gas.Timeout.Duration = config.MaxUtilityTimeout
	h := screentest.New(t, screentest.Options{Config: cfg, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})

	// The three parts of 陈建国's joint connection, as the kiosk submits them.
	const ref = "J2611280930120042"
	who := utilitysim.DemoIdentities[5]
	parts := []string{utility.Water, utility.Gas, utility.Broadband}
	var reqs []outbox.Request
	for _, id := range parts {
		reqs = append(reqs, outbox.Request{Utility: id, Kind: utility.KindApplication, Order: who.IDNumber, Group: ref, Applicant: who.IDNumber,
			Body: utility.Application{Service: "new_connection", Address: who.Address, JointRef: ref,
				Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}}})
	}
	res, err := h.K.Outbox.SubmitAll(t.Context(), reqs, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.Answered() || r.Err != nil {
			t.Fatalf("%s's part not accepted: %+v", parts[i], r)
		}
	}
	if err := sims.SetFaults(utility.Gas, utilitysim.Faults{LatencyMS: 600000}); err != nil {
		t.Fatal(err)
	}
	if err := sims.SetFaults(utility.Broadband, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}

	h.Tap("进度查询")
	h.Tap("输入办件编号")
	for _, c := range ref {
		h.Tap(string(c))
	}
	h.Tap("确定")
	water := "供水 · "
	gasLoading := h.K.UtilityName(utility.Gas) + "：正在查询办件"
	bbDown := h.K.UtilityName(utility.Broadband) + "暂时无法查询"
	h.WaitFor("water's part and broadband down", func() bool { return h.Current() == "joint" && h.Shows(water) && h.Shows(bbDown) })
	markup := h.Markup()
	at := func(s string) int { return strings.Index(markup, s) }
	if !h.Shows(ref) || at(gasLoading) < 0 || !(at(water) < at(gasLoading) && at(gasLoading) < at(bbDown)) || !h.CanTap("重新查询") {
		t.Fatalf("water's part, then gas loading, then broadband down with 重新查询:\n%s", markup)
	}
	// The lines fit and keep their distance, in both languages and sizes.
	shot(h, "57-track-joint")

	if err := sims.SetFaults(utility.Broadband, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	h.Tap("重新查询")
	broadband := "宽带 · "
	h.WaitFor("broadband's part", func() bool { return h.Shows(broadband) })
	markup = h.Markup()
	if h.Shows(bbDown) || at(gasLoading) < 0 || !(at(water) < at(gasLoading) && at(gasLoading) < at(broadband)) {
		t.Fatalf("broadband's part listed in its place, gas still loading:\n%s", markup)
	}

	h.TapPrefix(water)
	h.WaitFor("water's timeline", func() bool { return h.Current() == "timeline" })
	if !h.Shows(res[0].UtilityRef) {
		t.Errorf("water's timeline does not show its number %s:\n%s", res[0].UtilityRef, h.Markup())
	}
}

// 联办进度 tells a part the kiosk cannot look up for good apart from one whose utility
// fails a moment: gas's part, its utility answering that it has no application under
// the part's number (its back end replaced by one that has none of them), says so with
// the part's numbers and gas's hotline; broadband's, broadband no longer enabled at this
// kiosk, says the kiosk no longer looks its applications up, with the part's numbers
// and broadband's hotline. Neither says 暂时 nor offers 重新查询, which could not find
// them. The page fits in both languages and sizes.
func TestJointPartsLost(t *testing.T) {
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	other, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	data := t.TempDir()

	// The three parts of 陈建国's joint connection, submitted while the kiosk served all
	// four utilities; the kiosk is closed when the subtest ends.
	const ref = "J2611280930120043"
	who := utilitysim.DemoIdentities[5]
	parts := []string{utility.Water, utility.Gas, utility.Broadband}
	var res []outbox.Result
	t.Run("submitted", func(t *testing.T) {
		h := screentest.New(t, screentest.Options{UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true, DataDir: data})
		var reqs []outbox.Request
		for _, id := range parts {
			reqs = append(reqs, outbox.Request{Utility: id, Kind: utility.KindApplication, Order: who.IDNumber, Group: ref, Applicant: who.IDNumber,
				Body: utility.Application{Service: "new_connection", Address: who.Address, JointRef: ref,
					Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}}})
		}
		if res, err = h.K.Outbox.SubmitAll(t.Context(), reqs, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if !r.Answered() || r.Err != nil || r.UtilityRef == "" {
				t.Fatalf("%s's part not accepted: %+v", parts[i], r)
			}
		}
	})
	if t.Failed() {
		return
	}

	cfg := config.Defaults()
	cfg.Utilities.Broadband.Enabled = false
	urls := sims.BaseURLs()
	urls[utility.Gas] = other.BaseURL(utility.Gas)
	h := screentest.New(t, screentest.Options{Config: cfg, UtilityURLs: urls, RealClock: true, Start: true, DataDir: data})
	h.Tap("进度查询")
	h.Tap("输入办件编号")
	for _, c := range ref {
		h.Tap(string(c))
	}
	h.Tap("确定")
	gas, bb := h.K.UtilityName(utility.Gas), h.K.UtilityName(utility.Broadband)
	gasLost := gas + "没有办件编号 " + res[1].UtilityRef + "（本机编号 " + res[1].KioskRef + "）的记录，重新查询也查不到。请拨打" +
		gas + "服务热线 0711-5987654，或到人工窗口咨询"
	bbLost := "本机已不再办理" + bb + "的进度查询。这一项的办件编号是 " + res[2].UtilityRef + "（本机编号 " + res[2].KioskRef +
		"）。请拨打" + bb + "服务热线 10000，或到人工窗口咨询"
	// Each part is asked on its own: water's may still be loading when gas's is known.
	h.WaitFor("water's part shown and gas's not found", func() bool {
		return h.Current() == "joint" && h.Shows("供水 · ") && showsWrapped(h, gasLost)
	})
	markup := h.Markup()
	if !h.Shows("供水 · ") || !showsWrapped(h, bbLost) || strings.Contains(markup, "暂时") || h.CanTap("重新查询") {
		t.Fatalf("water's part, gas's not found and broadband's no longer looked up, without 暂时 or 重新查询:\n%s", markup)
	}
	h.Do(h.Shell.ToggleLanguage)
	gas, bb = h.K.UtilityName(utility.Gas), h.K.UtilityName(utility.Broadband)
	gasLost = gas + " has no record of application " + res[1].UtilityRef + " (kiosk reference " + res[1].KioskRef +
		"); trying again will not find it. Please call " + gas + " on 0711-5987654, or ask at a staffed counter"
	bbLost = "This kiosk no longer looks up " + bb + " applications. This part is application " + res[2].UtilityRef +
		" (kiosk reference " + res[2].KioskRef + "). Please call " + bb + " on 10000, or ask at a staffed counter"
	if !showsWrapped(h, gasLost) || !showsWrapped(h, bbLost) || h.CanTap("Try again") {
		t.Errorf("in English:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	shot(h, "62-track-joint-lost")
}

// showsWrapped reports whether the screen shows s, a paragraph, whole: its wrapped
// lines run together, spaces left out (a line wrapped at a space ends without it).
func showsWrapped(h *screentest.H, s string) bool {
	var shown strings.Builder
	for _, o := range h.Objects() {
		if txt, ok := o.(*canvas.Text); ok && txt.Visible() {
			shown.WriteString(txt.Text)
		}
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.Contains(squeeze(shown.String()), squeeze(s))
}
