package screens_test

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// The 一次性告知书 on screen tells what the receipt prints, for a citizen without the
// paper: how the time limits are counted (受理当日不计入, holidays not counted), and the
// installation date they chose within the committed time, which the time limit's words
// (2个工作日，最迟…) do not name. In both languages and sizes, and it fits.
func TestNoticeOnScreenAsPrinted(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	mustDo(t, d.PlaceCard(5))
	h.WaitFor("陈建国's accounts", func() bool { return h.Current() == "accounts" })
	sv, ok := h.K.Catalog().Service(utility.Broadband, "new_connection")
	if !ok {
		t.Fatal("no broadband 新装 in the catalogue")
	}
	a, err := h.K.NewApplication(sv)
	mustDo(t, err)
	dates, err := a.Form.Options("broadband.install_date", "", a.Answers)
	mustDo(t, err)
	soonest := dates.Options[0].Value // within the 2 working days committed
	a.Answers["phone"], a.Answers["address"], a.Answers["broadband.install_date"] = "13800000006", "lzh/taihe/th-zhengjie/jy1/2/602", soonest
	fromFilledForm(t, h, a)
	h.WaitShows("确认提交")
	h.Tap("确认提交")
	h.WaitFor("the result", func() bool { return h.Current() == "apply-result" })
	h.Tap("查看一次性告知书")
	day, err := time.ParseInLocation(time.DateOnly, soonest, workdays.CST)
	mustDo(t, err)
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		if h.K.Text.Lang() != lang {
			h.Do(h.Shell.ToggleLanguage)
		}
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			// The rule's first words: in 大字模式 it takes two lines.
			rule := map[i18n.Lang]string{i18n.ZH: "承诺时限按工作日计算：受理当日不计入", i18n.EN: "Time limits are in working days, counted from the day"}[lang]
			chosen := map[i18n.Lang]string{i18n.ZH: "装机日期：", i18n.EN: "Installation date: "}[lang] + workdays.FormatDate(day, lang)
			for _, want := range []string{rule, chosen} {
				if !h.ShowsOnAnyPage(want) {
					t.Errorf("%s, 大字模式 %v: the notice does not say %q:\n%s", lang, elderly, want, h.Markup())
				}
			}
			h.Check("", "apply-notice-chosen-date")
		}
	}
}

// fromFilledForm shows an application's form as the test filled it in and taps 核对并提交:
// the review comes next, or a 过户's settle page.
func fromFilledForm(t *testing.T, h *screentest.H, a *app.ApplyForm) {
	t.Helper()
	if probs := a.Form.Validate(a.Answers); len(probs) != 0 {
		t.Fatalf("the form: %v", probs)
	}
	h.Do(func() { h.Shell.ShowForm(a) })
	h.Tap("核对并提交")
}
