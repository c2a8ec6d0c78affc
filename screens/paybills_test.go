package screens_test

import (
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// One of 李四's two electricity bills is paid at the counter (or on a phone) while his
// bills are on screen. He taps 缴费 for both: the utility refuses the order in its words
// (账单已缴清，请重新查询), no pay QR is shown, and under the refusal the bills are
// fetched again: 知道了 shows that bill paid and 缴费 for the one still owed, not the
// same two bills to be refused again.
func TestBillPaidElsewhereBeforeTheOrder(t *testing.T) {
	h, d, sims := newPayHarnessWith(t, utilitysim.Options{})
	elec := toElectricityBills(t, h, d)
	if !h.Shows("缴费（2笔") {
		t.Fatalf("李四's bills:\n%s", h.Markup())
	}
	bills, err := sims.Bills(utility.Electricity, elec)
	mustDo(t, err)
	var owed []utility.Bill
	for _, b := range bills {
		if !b.Paid {
			owed = append(owed, b)
		}
	}
	mustDo(t, sims.PayElsewhere(utility.Electricity, elec, owed[0].ID))

	h.TapPrefix("缴费（")
	h.WaitShows("账单已缴清")
	if h.Current() == "pay" || h.Shows("请用微信或支付宝扫码支付") {
		t.Fatalf("a pay QR for a bill paid elsewhere:\n%s", h.Markup())
	}
	h.Tap(h.K.Text.T("common.ok"))
	h.WaitFor("the bills fetched again", func() bool { return h.Shows("缴费（1笔，" + owed[1].Amount.Yuan() + "）") })
	if h.Current() != "bills" || !strings.Contains(h.Markup(), "已于") {
		t.Fatalf("after the refusal, screen %s:\n%s", h.Current(), h.Markup())
	}
}
