package screens_test

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// A 过户 whose 不动产权证号 is another home's is refused by the utility before any bill
// is paid: on 核对并提交 the refusal shows in the water company's own words (in English
// after the kiosk's own sentence), no settle page; 修改不动产权证号 opens the certificate's
// editor, which says it again; the right number typed there goes on to the settle page of
// the seller's unpaid bills.
func TestTransferCertificateRefusedBeforePayment(t *testing.T) {
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	h := screentest.New(t, screentest.Options{Config: cfg, Demo: d, UtilityURLs: sims.BaseURLs(), Start: true})
	h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	mustDo(t, d.PlaceCard(5)) // 陈建国 buys 李四's home
	h.WaitFor("陈建国's accounts", func() bool { return h.Current() == "accounts" })
	a := waterTransfer(t, h)
	water := utilitysim.AccountNumber(utility.Water, 1) // 李四's, with unpaid bills
	a.Answers["phone"], a.Answers["property_cert"], a.Answers["water.account"] = "13800000006", utilitysim.PropertyCert(0), water
	fromFilledForm(t, h, a)
	own := "登记的房屋不符" // of the water company's words (a line may wrap before it)
	h.WaitShows("暂不能办理过户")
	if !h.Shows(own) || h.Current() == "settle" || h.Shows("过户前须结清") || !h.Shows("修改不动产权证号") {
		t.Fatalf("another home's certificate, on %s:\n%s", h.Current(), h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	if !h.Shows("did not accept") || !h.Shows(own) || !h.Shows("Correct: Property") {
		t.Errorf("the refusal in English:\n%s", h.Markup())
	}
	h.Do(h.Shell.ToggleLanguage)
	shot(h, "68-transfer-refused")

	h.TapPrefix("修改不动产权证号")
	if h.Current() != "editor" || !h.Shows(own) {
		t.Fatalf("the certificate's editor does not say why:\n%s", h.Markup())
	}
	k, ok := h.Keypad()
	if !ok {
		t.Fatalf("no keypad for the certificate:\n%s", h.Markup())
	}
	h.TapObject(k.Key("清空"))
	for _, c := range utilitysim.PropertyCert(1) {
		h.TapObject(k.Key(string(c)))
	}
	h.TapObject(k.Key("确定"))
	h.Pump()
	h.Tap("核对并提交")
	h.WaitShows("过户前须结清原户号的全部欠费")
	if h.Current() != "settle" || h.Shows(own) {
		t.Fatalf("the right certificate, on %s:\n%s", h.Current(), h.Markup())
	}
}

// waterTransfer starts a water 过户 for the identified citizen.
func waterTransfer(t *testing.T, h *screentest.H) *app.ApplyForm {
	t.Helper()
	sv, ok := h.K.Catalog().Service(utility.Water, "transfer")
	if !ok {
		t.Fatal("no water 过户 in the catalogue")
	}
	a, err := h.K.NewApplication(sv)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
