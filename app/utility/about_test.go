package utility

import (
	"errors"
	"strings"
	"testing"
)

// Payment.About, the comparison the kiosk holds every later answer about an order to:
// an order of the right number but another account, other bills, another amount or
// another request that created it is not the one asked for; one that names them as
// asked (bills in any order, references in any case) or leaves them out is. The error
// says what differed, never the value.
func TestPaymentAbout(t *testing.T) {
	asked := PaymentRequest{KioskRef: "K260612000001", Account: "3100001001", Bills: []string{"G-202604", "G-202605"}, Amount: 12345}
	own := Payment{Reference: "P1", KioskRef: "K260612000001", Account: "3100001001", Bills: []string{"G-202605", "G-202604"},
		Amount: 12345, Status: PaymentPaid}
	for _, tc := range []struct {
		name   string
		change func(*Payment)
		differ string // "" when the order is the one asked for
	}{
		{"its own, bills in another order", func(*Payment) {}, ""},
		{"its own request in another case", func(p *Payment) { p.KioskRef = "k260612000001" }, ""},
		{"nothing named", func(p *Payment) { *p = Payment{Reference: "P1", Status: PaymentPaid} }, ""},
		{"another amount", func(p *Payment) { p.Amount = 12445 }, "amount"},
		{"another account", func(p *Payment) { p.Account = "3100001002" }, "account"},
		{"another bill", func(p *Payment) { p.Bills = []string{"G-202604", "G-202603"} }, "set of bills"},
		{"a bill more", func(p *Payment) { p.Bills = append(p.Bills, "G-202603") }, "set of bills"},
		{"another request's order", func(p *Payment) { p.KioskRef = "K260612000002" }, "request"},
	} {
		p := own
		p.Bills = append([]string(nil), own.Bills...)
		tc.change(&p)
		err := p.About(asked)
		if tc.differ == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadResponse) || !Temporary(err) || !strings.Contains(err.Error(), "another "+tc.differ+" ") {
			t.Errorf("%s: %v, want a bad answer naming the %s", tc.name, err, tc.differ)
			continue
		}
		for _, value := range []string{p.Account, p.Amount.String(), "G-202603", "K260612000002"} {
			if strings.Contains(err.Error(), value) {
				t.Errorf("%s: %q names the answer's %s", tc.name, err, value)
			}
		}
	}
	// A request that leaves a field out is compared on the rest.
	if err := (Payment{Account: "3100001001", Amount: 1}).About(PaymentRequest{Account: "3100001001"}); err != nil {
		t.Errorf("a request without an amount: %v", err)
	}
	if err := (Payment{Account: "3100001002"}).About(PaymentRequest{Account: "3100001001"}); !errors.Is(err, ErrBadResponse) {
		t.Errorf("another account, nothing else given: %v", err)
	}
}

// Answer.About, what the outbox holds a looked-up answer to: an answer of another kind
// than the request stored (an application's record for a payment) is not its answer,
// nor one whose body names another order, account or amount than the stored body asked,
// another order than the one a cancellation cancelled, or another kiosk reference.
func TestAnswerAbout(t *testing.T) {
	const ref = "K260612000001"
	pay := Submission{Kind: KindPayment, KioskRef: ref, Key: "key-1",
		Body: []byte(`{"kiosk_ref":"K260612000001","account":"3100001001","bills":["G-202604","G-202605"],"amount_fen":12345}`)}
	cancel := Submission{Kind: KindCancelPayment, KioskRef: "K260612000002", Key: "key-2",
		Body: []byte(`{"kiosk_ref":"K260612000002","payment":"ZF1"}`)}
	apply := Submission{Kind: KindApplication, KioskRef: ref, Key: "key-3",
		Body: []byte(`{"kiosk_ref":"K260612000001","service":"new_connection"}`)}
	order := `{"reference":"ZF1","kiosk_ref":"K260612000001","account":"3100001001","bills":["G-202605","G-202604"],"amount_fen":12345,"status":"pending"}`
	for _, tc := range []struct {
		name   string
		s      Submission
		a      Answer
		differ string
	}{
		{"a payment's own order", pay, Answer{Kind: KindPayment, Reference: "ZF1", Body: []byte(order)}, ""},
		{"a payment's order, kind not given", pay, Answer{Reference: "ZF1", Body: []byte(order)}, ""},
		{"a payment's, no body", pay, Answer{Kind: KindPayment, Reference: "ZF1"}, ""},
		{"a payment answered with an application's record", pay,
			Answer{Kind: KindApplication, Reference: "SQ1", Body: []byte(`{"reference":"SQ1","kiosk_ref":"K260612000001","service":"new_connection"}`)}, "kind of request"},
		{"a payment answered with another amount", pay,
			Answer{Kind: KindPayment, Reference: "ZF1", Body: []byte(strings.Replace(order, "12345", "54321", 1))}, "amount"},
		{"a payment answered with another account's order", pay,
			Answer{Kind: KindPayment, Reference: "ZF1", Body: []byte(strings.Replace(order, "3100001001", "3100001002", 1))}, "account"},
		{"a payment answered with another request's order", pay,
			Answer{Kind: KindPayment, Reference: "ZF9", Body: []byte(strings.Replace(order, ref, "K260612000009", 1))}, "request"},
		{"a cancellation's order", cancel, Answer{Kind: KindCancelPayment, Reference: "ZF1", Body: []byte(`{"reference":"zf1","status":"cancelled"}`)}, ""},
		{"a cancellation answered with another order", cancel,
			Answer{Kind: KindCancelPayment, Reference: "ZF2", Body: []byte(`{"reference":"ZF2","status":"cancelled"}`)}, "order"},
		{"a cancellation answered with a payment's record", cancel,
			Answer{Kind: KindPayment, Reference: "ZF1", Body: []byte(`{"reference":"ZF1","status":"pending"}`)}, "kind of request"},
		{"an application's acceptance", apply, Answer{Kind: KindApplication, Reference: "SQ1", Body: []byte(`{"reference":"SQ1","service":"new_connection"}`)}, ""},
		{"an application answered with a payment's record", apply,
			Answer{Kind: KindPayment, Reference: "ZF1", Body: []byte(order)}, "kind of request"},
		{"an application answered with another service", apply,
			Answer{Kind: KindApplication, Reference: "SQ1", Body: []byte(`{"reference":"SQ1","service":"capacity_change"}`)}, "service"},
		{"an unreadable answer", apply, Answer{Kind: KindApplication, Reference: "SQ1", Body: []byte(`{"reference":`)}, "read"},
	} {
		err := tc.a.About(tc.s)
		if tc.differ == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadResponse) || !Temporary(err) || !strings.Contains(err.Error(), tc.differ) {
			t.Errorf("%s: %v, want a bad answer naming the %s", tc.name, err, tc.differ)
			continue
		}
		for _, value := range []string{"3100001002", "54321", "543.21", "K260612000009", "ZF2", "capacity_change"} {
			if strings.Contains(err.Error(), value) {
				t.Errorf("%s: %q names the answer's %s", tc.name, err, value)
			}
		}
	}
}
