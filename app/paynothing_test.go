package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
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

// A bill of ￥0.00 still unpaid owes nothing: it holds up neither a later bill (the
// utility's rule that an account's bills are paid oldest first) nor a 过户 (its unpaid
// bills are settled first, and this one cannot be paid), and the account counts it
// neither unpaid nor in arrears. Before, the kiosk refused to pay it and the utility
// refused to take anything after it: a dead end.
func TestBillOfNothingOwesNothing(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if len(bills) != 2 {
		t.Fatalf("%d unpaid bills, want 2", len(bills))
	}
	older := slices.MinFunc(bills, func(a, b utility.Bill) int { return strings.Compare(a.Period, b.Period) })
	if err := f.sims.SetBillAmount(utility.Electricity, number, older.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, bills = payUnpaidBills(t, f.k, utility.Electricity, 1)
	later := slices.DeleteFunc(bills, func(b utility.Bill) bool { return b.ID == older.ID })
	c, err := f.k.Client(utility.Electricity)
	if err != nil {
		t.Fatal(err)
	}
	if acc, err := c.Account(context.Background(), number); err != nil || acc.Unpaid != 1 || acc.Arrears != later[0].Amount {
		t.Fatalf("the account with a ￥0.00 bill: %d unpaid, %s owed (%v); want 1, %s", acc.Unpaid, acc.Arrears.Yuan(), err, later[0].Amount.Yuan())
	}
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, later)
	if err != nil || flow.Payment().Status != utility.PaymentPending {
		t.Fatalf("paying the bill after a ￥0.00 one: %v", err)
	}
	if err := flow.Cancel(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Both at ￥0.00: nothing to settle before a 过户.
	if err := f.sims.SetBillAmount(utility.Electricity, number, later[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	f.citizen(5)
	a := applyFor(t, f.k, map[string]string{"electricity.account": number}, jointOf(t, f.k, catalog.JointTransfer, utility.Electricity)...)
	if check := a.CheckTransfer(context.Background()); len(check.Unsettled) != 0 || len(check.Unchecked) != 0 {
		t.Fatalf("a 过户 of an account whose bills ask nothing: %+v", check)
	}
	r := submitForm(t, a)
	if p := r.Answers[0]; p.Reference == "" || p.Refused != "" {
		t.Fatalf("the 过户 submitted: %+v", p)
	}
}
