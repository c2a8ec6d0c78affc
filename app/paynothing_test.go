package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// Bills that come to nothing (a bill of ￥0.00 still unpaid, as a utility's correction
// leaves one) are nothing to pay: StartPayment refuses them with ErrNothingToPay before
// the utility is asked, so no order is made whose amount the kiosk could not check (an
// order of ￥0.00 would take whatever amount the utility answered), and the citizen is
// told in both languages. Bills that come to something are still paid as ever.
func TestPayNothingToPayRefused(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if err := f.sims.SetBillAmount(utility.Electricity, number, bills[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	number, bills = payUnpaidBills(t, f.k, utility.Electricity, 1)
	var zero []utility.Bill
	for _, b := range bills {
		if b.Amount == 0 {
			zero = append(zero, b)
		}
	}
	if len(zero) != 1 {
		t.Fatalf("%d unpaid bills of ￥0.00, want 1", len(zero))
	}
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, zero)
	if !errors.Is(err, app.ErrNothingToPay) || flow != nil {
		t.Fatalf("StartPayment of a ￥0.00 bill: flow %v, err %v; want ErrNothingToPay", flow != nil, err)
	}
	words := f.k.PaymentStartFailure(err, utility.Electricity)
	zh, en := words.In(i18n.ZH), words.In(i18n.EN)
	if !strings.Contains(zh, "无需缴费") || !strings.Contains(en, "nothing to pay") {
		t.Fatalf("the citizen is told %q / %q", zh, en)
	}
	if n := len(received(t, f.sims, utility.Electricity, utility.KindPayment)); n != 0 {
		t.Fatalf("the utility received %d orders for a ￥0.00 bill", n)
	}
	if n := payOrders(t, f.k); n != 0 {
		t.Fatalf("%d orders kept for a ￥0.00 bill", n)
	}
	// The others still come to something, and are paid as ever.
	var owed []utility.Bill
	for _, b := range bills {
		if b.Amount > 0 {
			owed = append(owed, b)
		}
	}
	flow, err = f.k.StartPayment(context.Background(), utility.Electricity, number, owed)
	if err != nil || flow.Payment().Amount != payTotal(owed) {
		t.Fatalf("StartPayment of the bills owed: %v", err)
	}
}
