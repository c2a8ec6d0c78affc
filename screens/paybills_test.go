package screens_test

import (
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/touch"
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

// A utility that takes bills oldest first: 李四 leaves his older electricity bill out
// and taps 缴费 for the later one. The utility's refusal names the month to pay first;
// no pay QR is shown; under the refusal the bills are fetched again, both chosen, so
// that 知道了 leads to 缴费 for both.
func TestPayLaterBillOfAnOldestFirstUtility(t *testing.T) {
	h, d, sims := newPayHarnessWith(t, utilitysim.Options{OldestFirst: true})
	elec := toElectricityBills(t, h, d)
	bills, err := sims.Bills(utility.Electricity, elec)
	mustDo(t, err)
	later, older := bills[0], bills[1] // the latest first, both unpaid
	olderRow := h.K.Text.T("bills.period", workdays.FormatMonth(older.Period, i18n.ZH))
	var row *touch.Row
	for _, o := range h.Objects() {
		if r, ok := o.(*touch.Row); ok && strings.HasPrefix(r.Title, olderRow) {
			row = r
		}
	}
	if row == nil {
		t.Fatalf("no row %q:\n%s", olderRow, h.Markup())
	}
	h.Do(row.OnCheck)
	h.WaitShows("缴费（1笔，" + later.Amount.Yuan() + "）")
	h.TapPrefix("缴费（")
	h.WaitShows("请先缴纳" + workdays.FormatMonth(older.Period, i18n.ZH))
	if h.Current() == "pay" {
		t.Fatalf("a pay QR for the later bill alone:\n%s", h.Markup())
	}
	h.Tap(h.K.Text.T("common.ok"))
	h.WaitShows("缴费（2笔，" + (later.Amount + older.Amount).Yuan() + "）")
	h.TapPrefix("缴费（")
	h.WaitShows("请用微信或支付宝扫码支付")
}

// One of 李四's bills is paid elsewhere (a family member's phone) while his pay QR is on
// screen: the utility withdraws the order, lest the bill be paid twice. The kiosk says
// so, not 已取消缴费 (he cancelled nothing): nothing charged, the bill maybe paid
// elsewhere; 返回账单 shows the bills as they are now, that one paid.
func TestPayOrderWithdrawnByTheUtility(t *testing.T) {
	h, d, sims := newPayHarnessWith(t, utilitysim.Options{})
	elec := toElectricityBills(t, h, d)
	bills, err := sims.Bills(utility.Electricity, elec)
	mustDo(t, err)
	h.TapPrefix("缴费（2笔")
	h.WaitShows("请用微信或支付宝扫码支付")
	mustDo(t, sims.PayElsewhere(utility.Electricity, elec, bills[1].ID))
	h.WaitShows(h.K.Text.T("pay.withdrawn"))
	if h.Shows(h.K.Text.T("pay.cancelled")) || !h.Shows("没有扣款") || !h.Shows("别处缴清") {
		t.Fatalf("the order withdrawn by the utility:\n%s", h.Markup())
	}
	shot(h, "63-pay-withdrawn")
	h.Tap(h.K.Text.T("pay.back_to_bills"))
	h.WaitShows("缴费（1笔，" + bills[0].Amount.Yuan() + "）")
}

// One of 李四's two electricity bills comes to ￥0.00 (a utility's correction), still
// unpaid: it is listed as 无需缴费, not chosen and not choosable, and 缴费 is for the
// other one alone. With it the only one unpaid, there is no 缴费 at all.
func TestBillOfNothingNotOffered(t *testing.T) {
	h, d, sims := newPayHarnessWith(t, utilitysim.Options{})
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	bills, err := sims.Bills(utility.Electricity, elec)
	mustDo(t, err)
	zero, owed := bills[0], bills[1] // the latest first, both unpaid
	mustDo(t, sims.SetBillAmount(utility.Electricity, elec, zero.ID, 0))
	toElectricityBills(t, h, d)
	h.WaitShows("缴费（1笔，" + owed.Amount.Yuan() + "）")
	zeroRow := h.K.Text.T("bills.period", workdays.FormatMonth(zero.Period, i18n.ZH))
	for _, o := range h.Objects() {
		if r, ok := o.(*touch.Row); ok && strings.HasPrefix(r.Title, zeroRow) {
			if r.Checkable || r.Checked || !strings.Contains(r.Title, h.K.Text.T("bills.nothing_due")) {
				t.Fatalf("the ￥0.00 bill's row: %q checkable %v checked %v", r.Title, r.Checkable, r.Checked)
			}
		}
	}
	mustDo(t, sims.PayElsewhere(utility.Electricity, elec, owed.ID))
	h.Tap(h.K.Text.T("nav.back"))
	h.Tap("户号 " + elec)
	h.WaitShows(h.K.Text.T("bills.all_paid"))
	if h.Shows("缴费（") {
		t.Fatalf("缴费 offered for a ￥0.00 bill alone:\n%s", h.Markup())
	}
}

// 取消缴费 tapped twice while the utility's payment system cannot be reached: the outcome
// says 已申请取消缴费 (the kiosk cannot say nothing was charged), and one cancellation
// waits. Once the utility is back and answers it, the outcome says so: 已取消缴费, 没有扣款,
// no longer that a payment on the phone would stand; the utility received one
// cancellation.
func TestPayCancelConfirmedLater(t *testing.T) {
	h, d, sims := newPayHarnessWith(t, utilitysim.Options{})
	toElectricityBills(t, h, d)
	h.TapPrefix("缴费（2笔")
	h.WaitShows("请用微信或支付宝扫码支付")
	mustDo(t, sims.SetFaults(utility.Electricity, utilitysim.Faults{Down: true}))
	h.Tap(h.K.Text.T("pay.cancel"))
	h.Tap(h.K.Text.T("pay.cancel"))
	h.WaitShows(h.K.Text.T("pay.cancel_requested"))
	if !h.Shows("仍然有效") || h.Shows("没有扣款") {
		t.Fatalf("the cancellation unanswered:\n%s", h.Markup())
	}
	mustDo(t, sims.SetFaults(utility.Electricity, utilitysim.Faults{}))
	h.K.Outbox.Resume(utility.Electricity)
	h.WaitShows(h.K.Text.T("pay.cancelled"))
	if !h.Shows("没有扣款") || h.Shows("仍然有效") || h.Shows(h.K.Text.T("pay.cancel_requested")) {
		t.Fatalf("the cancellation confirmed:\n%s", h.Markup())
	}
	got, err := sims.Received(utility.Electricity)
	mustDo(t, err)
	n := 0
	for _, r := range got {
		if r.Kind == utility.KindCancelPayment {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d cancellations reached the utility, want 1", n)
	}
}
