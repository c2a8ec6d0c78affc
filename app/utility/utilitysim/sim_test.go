package utilitysim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// t0 is a Friday morning in CST.
var t0 = time.Date(2026, 6, 12, 9, 30, 0, 0, cst)

// testKiosk is the kiosk the tests' clients sign as.
const testKiosk = "LZH-TEST-01"

type rig struct {
	s       *Server
	clock   *clock.Manual
	clients map[string]*utility.HTTPClient
}

func newRig(t *testing.T, o Options) *rig {
	t.Helper()
	c := clock.NewManual(t0)
	o.Dir, o.Clock = t.TempDir(), c
	if o.Kiosks == nil {
		o.Kiosks = map[string]Secrets{testKiosk: nil}
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{s: s, clock: c, clients: map[string]*utility.HTTPClient{}}
	for _, id := range Utilities {
		cl, err := utility.NewHTTP(utility.Options{Utility: id, BaseURL: s.BaseURL(id), KioskID: testKiosk,
			Secret: utility.DemoSecret(id), Timeout: 2 * time.Second, Clock: c})
		if err != nil {
			t.Fatal(err)
		}
		r.clients[id] = cl
	}
	t.Cleanup(func() {
		for _, cl := range r.clients {
			cl.CloseIdleConnections()
		}
		s.Close()
	})
	return r
}

var ctx = context.Background()

func TestIdentities(t *testing.T) {
	if DemoIdentities[0].Name != "张三" || DemoIdentities[0].IDNumber != "11010519491231002X" {
		t.Fatal("the anchor identity moved")
	}
	seen := map[string]bool{}
	for _, p := range DemoIdentities {
		if !ValidIDNumber(p.IDNumber) || seen[p.IDNumber] {
			t.Errorf("%s: bad or repeated ID number", p.Name)
		}
		seen[p.IDNumber] = true
		if p.Birth != p.IDNumber[6:14] {
			t.Errorf("%s: birth %s does not match the ID number", p.Name, p.Birth)
		}
		if odd := (p.IDNumber[16]-'0')%2 == 1; odd != (p.Sex == "男") {
			t.Errorf("%s: sex does not match the 17th digit", p.Name)
		}
	}
	if ValidIDNumber("110105194912310021") || ValidIDNumber("11010519491231002") {
		t.Error("a wrong check digit or length passed")
	}
}

func TestAccountsAndBills(t *testing.T) {
	r := newRig(t, Options{})
	for i, p := range DemoIdentities {
		for _, id := range Utilities {
			accs, err := r.clients[id].AccountsByIdentity(ctx, utility.Identity{IDNumber: p.IDNumber, Name: p.Name})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, a := range p.Accounts {
				if a == id {
					want = 1
				}
			}
			if len(accs) != want {
				t.Fatalf("%s at %s: %d accounts, want %d", p.Name, id, len(accs), want)
			}
			if want == 0 {
				continue
			}
			a := accs[0]
			if a.Number != AccountNumber(id, i) || a.HolderName != p.Name {
				t.Errorf("%s at %s: account %+v", p.Name, id, a)
			}
			bills, err := r.clients[id].Bills(ctx, a.Number)
			if err != nil || len(bills) != 6 {
				t.Fatalf("bills: %d, %v", len(bills), err)
			}
			unpaid := 0
			for _, b := range bills {
				var sum utility.Fen
				for _, l := range b.Tiers {
					sum += l.Cost
				}
				for _, f := range b.Fees {
					sum += f.Cost
				}
				if sum != b.Amount {
					t.Errorf("%s %s: lines add up to %s, amount %s", a.Number, b.Period, sum, b.Amount)
				}
				if (id == utility.Electricity) != (b.Efficiency != nil) {
					t.Errorf("%s %s: 能效 detail %v", id, b.Period, b.Efficiency != nil)
				}
				if q, err := utility.ParseBillQR(b.QR); err != nil || q.Account != a.Number || q.Bill != b.ID {
					t.Errorf("bill QR %q: %v", b.QR, err)
				}
				if !b.Paid {
					unpaid++
				}
			}
			if (unpaid > 0) != (a.Unpaid > 0) || a.Unpaid != unpaid {
				t.Errorf("%s at %s: %d unpaid bills, account says %d", p.Name, id, unpaid, a.Unpaid)
			}
			one, err := r.clients[id].Bill(ctx, a.Number, bills[0].ID)
			if err != nil || one.ID != bills[0].ID {
				t.Errorf("bill detail: %v", err)
			}
		}
	}
	if bills, _ := r.clients[utility.Electricity].Bills(ctx, AccountNumber(utility.Electricity, 0)); len(bills[0].Tiers) == 0 || bills[0].Tiers[0].Name != "第一档" {
		t.Errorf("electricity tiers: %+v", bills[0].Tiers)
	}
	_, err := r.clients[utility.Water].Account(ctx, "99999999")
	var e *utility.Error
	if !errors.As(err, &e) || !errors.Is(err, utility.ErrNotFound) || e.Message != "未找到该户号，请核对后重新输入" {
		t.Errorf("unknown account: %v", err)
	}
}

func TestTieredCharge(t *testing.T) {
	lines, fees, total := tariffs[utility.Electricity].charge(450000)
	if len(lines) != 3 || lines[0].Usage != 180000 || lines[1].Usage != 220000 || lines[2].Usage != 50000 || len(fees) != 0 {
		t.Fatalf("tiers %+v", lines)
	}
	if want := utility.Cost(180000, 5580) + utility.Cost(220000, 6080) + utility.Cost(50000, 8580); total != want {
		t.Errorf("total %s, want %s", total, want)
	}
	lines, fees, total = tariffs[utility.Water].charge(10000)
	if len(lines) != 1 || len(fees) != 1 || total != utility.Cost(10000, 24000)+utility.Cost(10000, 9500) {
		t.Errorf("water: %+v %+v %s", lines, fees, total)
	}
}

func TestPaymentAndTransfer(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Water]
	account := AccountNumber(utility.Water, 1) // 李四: unpaid water
	newHolder := utility.Contact{Name: "陈建国", IDNumber: DemoIdentities[5].IDNumber, Phone: "13800000006"}
	cert := PropertyCert(1)
	_, err := c.SubmitTransfer(ctx, "tr-1", utility.Transfer{KioskRef: "K1", Account: account, NewHolder: newHolder, PropertyCert: cert})
	var e *utility.Error
	if !errors.Is(err, utility.ErrUnpaidBills) || !errors.As(err, &e) || e.Amount <= 0 || !strings.Contains(e.Message, "请先缴清") {
		t.Fatalf("transfer with unpaid bills: %v", err)
	}
	bills, _ := c.Bills(ctx, account)
	ids, total := unpaid(bills)
	if total != e.Amount {
		t.Errorf("refusal names %s, bills add up to %s", e.Amount, total)
	}
	if _, err := c.CreatePayment(ctx, "pay-0", utility.PaymentRequest{KioskRef: "K2", Account: account, Bills: ids, Amount: total + 1}); !errors.Is(err, utility.ErrRejected) {
		t.Errorf("wrong amount: %v", err)
	}
	p, err := c.CreatePayment(ctx, "pay-1", utility.PaymentRequest{KioskRef: "K3", Account: account, Bills: ids, Amount: total})
	if err != nil || p.Status != utility.PaymentPending || p.PayURL == "" || p.Amount != total {
		t.Fatalf("payment: %+v, %v", p, err)
	}
	if got, _ := c.Payment(ctx, p.Reference); got.Status != utility.PaymentPending {
		t.Errorf("status %s before paying", got.Status)
	}
	if _, err := r.s.Pay(utility.Water, p.Reference); err != nil {
		t.Fatal(err)
	}
	got, err := c.Payment(ctx, p.Reference)
	if err != nil || got.Status != utility.PaymentPaid || got.Invoice == "" || got.ReceiptNo == "" {
		t.Fatalf("after paying: %+v, %v", got, err)
	}
	if _, err := c.CancelPayment(ctx, "cancel-1", utility.Cancellation{KioskRef: "K4", Payment: p.Reference}); !errors.Is(err, utility.ErrRejected) {
		t.Errorf("cancelling a paid order: %v", err)
	}
	acc, err := c.SubmitTransfer(ctx, "tr-2", utility.Transfer{KioskRef: "K5", Account: account, NewHolder: newHolder, PropertyCert: cert})
	if err != nil || !strings.HasPrefix(acc.Reference, "SSGH") || acc.Steps[0].Status != utility.StepDone {
		t.Fatalf("transfer after paying: %+v, %v", acc, err)
	}
	// The same request again (the outbox's retry) is the same answer; another transfer
	// of the account while this one is under way, by anyone, is refused: nothing is
	// left to do (already_done, not a dead letter), and the message names neither
	// the first applicant nor their number.
	again, err := c.SubmitTransfer(ctx, "tr-2", utility.Transfer{KioskRef: "K5", Account: account, NewHolder: newHolder, PropertyCert: cert})
	if err != nil || again.Reference != acc.Reference {
		t.Fatalf("the transfer replayed: %+v, %v", again, err)
	}
	other := utility.Contact{Name: "王淑芬", IDNumber: DemoIdentities[2].IDNumber, Phone: "13800000003"}
	for i, h := range []utility.Contact{newHolder, other} {
		_, err := c.SubmitTransfer(ctx, "tr-dup-"+strconv.Itoa(i), utility.Transfer{KioskRef: "K6" + strconv.Itoa(i), Account: account, NewHolder: h, PropertyCert: cert})
		if !errors.Is(err, utility.ErrRejected) || !errors.As(err, &e) || e.Code != utility.CodeAlreadyDone ||
			!strings.Contains(e.Message, "已有过户申请正在办理") || strings.Contains(e.Message, acc.Reference) || strings.Contains(e.Message, newHolder.Name) {
			t.Fatalf("a second transfer of the account (%d): %v", i, err)
		}
	}
}

// holders are the numbers of the accounts a person's ID card finds at a utility.
func (r *rig) holders(t *testing.T, utilityID string, p Identity) []string {
	t.Helper()
	list, err := r.clients[utilityID].AccountsByIdentity(ctx, utility.Identity{IDNumber: p.IDNumber, Name: p.Name})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range list {
		out = append(out, a.Number)
	}
	return out
}

// A 过户 names the premises' 不动产权证: none, or another's, is refused in the utility's
// own words (validation, on property_cert, naming neither holder nor certificate), the
// number in full or as its digits is taken. Until the transfer is done the account is
// the seller's; once its last step is done, the buyer's ID card finds it and the
// seller's does not, its bills before the handover are not the buyer's (neither listed
// nor owed), and the buyer asking again is told there is nothing to transfer.
func TestTransferHandsAccountOver(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Water]
	zhang, chen := DemoIdentities[0], DemoIdentities[5]
	account := AccountNumber(utility.Water, 0)
	buyer := utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}
	if cert, ok := PropertyCertOf(utility.Water, account); !ok || cert != PropertyCert(0) {
		t.Fatalf("the certificate of %s: %q, %v", account, cert, ok)
	}
	if _, ok := PropertyCertOf(utility.Water, AccountNumber(utility.Water, 5)); ok {
		t.Error("a certificate for an account nobody has")
	}
	for i, tc := range []struct{ cert, msg string }{
		{"", "请填写不动产权证号（证书“第×××号”中的数字）"},
		{PropertyCert(1), "不动产权证号与户号" + account + "登记的房屋不符，请核对不动产权证书后重新办理"},
		{"鄂(2019)梁子湖区不动产权第" + PropertyCert(2) + "号", "不动产权证号与户号" + account + "登记的房屋不符，请核对不动产权证书后重新办理"},
	} {
		_, err := c.SubmitTransfer(ctx, "tr-bad-"+strconv.Itoa(i), utility.Transfer{KioskRef: "KB" + strconv.Itoa(i), Account: account, NewHolder: buyer, PropertyCert: tc.cert})
		var e *utility.Error
		if !errors.Is(err, utility.ErrRejected) || !errors.As(err, &e) || e.Code != utility.CodeValidation || e.Field != "property_cert" || e.Message != tc.msg {
			t.Fatalf("certificate %q: %v (%+v)", tc.cert, err, e)
		}
	}
	if got := r.holders(t, utility.Water, chen); len(got) != 0 {
		t.Fatalf("refused transfers gave the buyer %v", got)
	}
	acc, err := c.SubmitTransfer(ctx, "tr-1", utility.Transfer{KioskRef: "K1", Account: account, NewHolder: buyer,
		PropertyCert: "鄂(2019)梁子湖区不动产权第" + PropertyCert(0) + "号"})
	if err != nil {
		t.Fatalf("the transfer with the certificate in full: %v", err)
	}
	if got := r.holders(t, utility.Water, chen); len(got) != 0 || !slices.Contains(r.holders(t, utility.Water, zhang), account) {
		t.Fatalf("accepted, not done: the buyer finds %v, the seller %v", got, r.holders(t, utility.Water, zhang))
	}
	before, err := c.Bills(ctx, account)
	if err != nil || len(before) != 6 {
		t.Fatalf("the seller's bills: %d, %v", len(before), err)
	}

	// The water company's transfer has three steps: 申请受理, 抄表结算, 过户办结; the
	// account is handed over at the last.
	r.clock.Advance(24 * time.Hour)
	if p, err := r.s.Advance(utility.Water, acc.Reference); err != nil || p.State != utility.StateInProgress {
		t.Fatalf("the meter read: %+v, %v", p, err)
	}
	if got := r.holders(t, utility.Water, chen); len(got) != 0 {
		t.Fatalf("before the last step the buyer finds %v", got)
	}
	r.clock.Advance(time.Hour)
	if p, err := r.s.Advance(utility.Water, acc.Reference); err != nil || p.State != utility.StateDone {
		t.Fatalf("the transfer's last step: %+v, %v", p, err)
	}
	if got := r.holders(t, utility.Water, chen); !slices.Equal(got, []string{account}) {
		t.Errorf("done: the buyer finds %v", got)
	}
	if got := r.holders(t, utility.Water, zhang); slices.Contains(got, account) {
		t.Errorf("done: the seller still finds %v", got)
	}
	if got := r.holders(t, utility.Electricity, zhang); !slices.Contains(got, AccountNumber(utility.Electricity, 0)) {
		t.Errorf("the seller's power account went with the water one: %v", got)
	}
	a, err := c.Account(ctx, account)
	if err != nil || a.HolderName != chen.Name || a.Unpaid != 0 || a.Arrears != 0 {
		t.Errorf("the account after the transfer: %+v, %v", a, err)
	}
	if bills, err := c.Bills(ctx, account); err != nil || len(bills) != 0 {
		t.Errorf("the buyer is shown the seller's bills: %+v, %v", bills, err)
	}
	// A paper bill of the seller's, scanned after the transfer, names a bill that is no
	// longer the account's to show.
	if b, err := c.Bill(ctx, account, before[0].ID); !errors.Is(err, utility.ErrNotFound) {
		t.Errorf("the seller's bill %s by its ID after the transfer: %+v, %v", before[0].ID, b, err)
	}
	_, err = c.SubmitTransfer(ctx, "tr-2", utility.Transfer{KioskRef: "K2", Account: account, NewHolder: buyer, PropertyCert: PropertyCert(0)})
	if !errors.Is(err, utility.ErrRejected) || utility.Own(err) != "新户主与原户主相同，无需过户" {
		t.Errorf("the buyer transferring again: %v", err)
	}
}

// POST /transfers/check judges a transfer as POST /transfers would, but for its bills,
// and creates nothing: every refusal is the submission's own (status, code, field and
// words), an account with unpaid bills passes, and after any number of checks the
// utility has received nothing, and the transfer goes through once the bills are paid.
// A utility that does not offer the check (the fault) is ErrNotOffered to the kiosk.
func TestTransferCheck(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Water]
	zhang, li, chen := DemoIdentities[0], DemoIdentities[1], DemoIdentities[5]
	to := func(p Identity) utility.Contact {
		return utility.Contact{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone}
	}
	for i, tc := range []struct {
		name string
		t    utility.Transfer
	}{
		{"another home's certificate", utility.Transfer{Account: AccountNumber(utility.Water, 0), NewHolder: to(chen), PropertyCert: PropertyCert(1)}},
		{"no certificate", utility.Transfer{Account: AccountNumber(utility.Water, 0), NewHolder: to(chen)}},
		{"the holder already", utility.Transfer{Account: AccountNumber(utility.Water, 0), NewHolder: to(zhang), PropertyCert: PropertyCert(0)}},
		{"a bad phone number", utility.Transfer{Account: AccountNumber(utility.Water, 0), NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: "12345"}, PropertyCert: PropertyCert(0)}},
		{"an unknown account", utility.Transfer{Account: "42009999", NewHolder: to(chen), PropertyCert: PropertyCert(0)}},
	} {
		checked := c.CheckTransfer(ctx, tc.t)
		tc.t.KioskRef = "KC" + strconv.Itoa(i)
		_, submitted := c.SubmitTransfer(ctx, "tr-"+strconv.Itoa(i), tc.t)
		var ce, se *utility.Error
		if !errors.As(checked, &ce) || !errors.As(submitted, &se) {
			t.Fatalf("%s: checked %v, submitted %v", tc.name, checked, submitted)
		}
		if ce.Status != se.Status || ce.Code != se.Code || ce.Field != se.Field || ce.Message != se.Message || ce.Message == "" {
			t.Errorf("%s: the check answers %d %s %s %q, the submission %d %s %s %q", tc.name,
				ce.Status, ce.Code, ce.Field, ce.Message, se.Status, se.Code, se.Field, se.Message)
		}
	}

	// 李四's water account owes: the check passes, the submission is refused for it.
	account := AccountNumber(utility.Water, 1)
	buyer := utility.Transfer{Account: account, NewHolder: to(chen), PropertyCert: PropertyCert(1)}
	before, err := r.s.Received(utility.Water)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.CheckTransfer(ctx, buyer); err != nil {
			t.Fatalf("a transfer owing bills, checked: %v", err)
		}
	}
	if after, err := r.s.Received(utility.Water); err != nil || len(after) != len(before) {
		t.Fatalf("the checks were received as requests: %d before, %d after (%v)", len(before), len(after), err)
	}
	if got := r.holders(t, utility.Water, li); !slices.Contains(got, account) {
		t.Fatalf("checked, the seller no longer holds %s: %v", account, got)
	}
	buyer.KioskRef = "K1"
	if _, err := c.SubmitTransfer(ctx, "tr-owing", buyer); !errors.Is(err, utility.ErrUnpaidBills) {
		t.Fatalf("submitted owing bills: %v", err)
	}
	bills, _ := c.Bills(ctx, account)
	for _, b := range bills {
		if !b.Paid {
			if err := r.s.PayElsewhere(utility.Water, account, b.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	buyer.KioskRef = "K2"
	if _, err := c.SubmitTransfer(ctx, "tr-paid", buyer); err != nil {
		t.Fatalf("the checked transfer, bills paid: %v", err)
	}
	// Now under way: the check says so, as a second submission would be told.
	buyer.NewHolder = to(DemoIdentities[2])
	buyer.KioskRef = ""
	if err := c.CheckTransfer(ctx, buyer); !errors.Is(err, utility.ErrRejected) || !strings.Contains(utility.Own(err), "已有过户申请正在办理") {
		t.Errorf("a second transfer checked: %v", err)
	}

	if err := r.s.SetFaults(utility.Water, Faults{NoTransferCheck: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckTransfer(ctx, buyer); !errors.Is(err, utility.ErrNotOffered) {
		t.Errorf("a utility without the check: %v", err)
	}
}

// With the demo's auto-advance, a transfer is done by time alone: the buyer's ID card
// finds the account though nobody asked after the transfer, and the seller selling it
// on… is no longer its holder: the buyer is, and may sell it on.
func TestTransferDoneByTime(t *testing.T) {
	r := newRig(t, Options{AutoAdvance: time.Minute})
	c := r.clients[utility.Gas]
	li, chen, wang := DemoIdentities[1], DemoIdentities[5], DemoIdentities[2]
	account := AccountNumber(utility.Gas, 1) // 李四's gas bills are paid
	to := func(p Identity) utility.Contact {
		return utility.Contact{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone}
	}
	if _, err := c.SubmitTransfer(ctx, "tr-1", utility.Transfer{KioskRef: "K1", Account: account, NewHolder: to(chen), PropertyCert: PropertyCert(1)}); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	if got := r.holders(t, utility.Gas, chen); !slices.Equal(got, []string{account}) {
		t.Fatalf("a minute later the buyer finds %v", got)
	}
	if got := r.holders(t, utility.Gas, li); slices.Contains(got, account) {
		t.Errorf("a minute later the seller still finds %v", got)
	}
	// Sold on: the certificate is the premises', whoever holds them.
	if _, err := c.SubmitTransfer(ctx, "tr-2", utility.Transfer{KioskRef: "K2", Account: account, NewHolder: to(wang), PropertyCert: PropertyCert(1)}); err != nil {
		t.Fatalf("sold on: %v", err)
	}
	r.clock.Advance(time.Minute)
	if got := r.holders(t, utility.Gas, wang); !slices.Contains(got, account) || slices.Contains(r.holders(t, utility.Gas, chen), account) {
		t.Errorf("sold on: the third holder finds %v, the second %v", got, r.holders(t, utility.Gas, chen))
	}
}

// unpaid returns the unpaid bills' IDs and their total.
func unpaid(bills []utility.Bill) (ids []string, total utility.Fen) {
	for _, b := range bills {
		if !b.Paid {
			ids = append(ids, b.ID)
			total += b.Amount
		}
	}
	return ids, total
}

// A simulator keeps its state across starts; with Reseed (demo mode) it starts from the
// seed again, so a bill paid in an earlier run is unpaid again.
func TestReseed(t *testing.T) {
	dir := t.TempDir()
	account := AccountNumber(utility.Water, 1) // 李四: unpaid water
	// start runs the simulator on dir once and returns how many of the bills were
	// unpaid, paying them for the next start.
	start := func(o Options) int {
		t.Helper()
		o.Dir = dir
		if o.Kiosks == nil {
			o.Kiosks = map[string]Secrets{testKiosk: nil}
		}
		s, err := Start(o)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := utility.NewHTTP(utility.Options{Utility: utility.Water, BaseURL: s.BaseURL(utility.Water), KioskID: testKiosk,
			Secret: utility.DemoSecret(utility.Water), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		bills, err := c.Bills(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		ids, total := unpaid(bills)
		if len(ids) > 0 { // pay them, for the next start
			p, err := c.CreatePayment(ctx, fmt.Sprint("pay-", o.Reseed), utility.PaymentRequest{KioskRef: "K1", Account: account, Bills: ids, Amount: total})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Pay(utility.Water, p.Reference); err != nil {
				t.Fatal(err)
			}
		}
		return len(ids)
	}
	if n := start(Options{}); n == 0 {
		t.Fatal("李四 has no unpaid water bill in the seed")
	}
	if n := start(Options{}); n != 0 {
		t.Errorf("a plain restart forgot the payment: %d bills unpaid", n)
	}
	if n := start(Demo(dir, testKiosk)); n == 0 {
		t.Error("the demo's restart kept the bills paid")
	}
}

// A bill paid at the counter (PayElsewhere) between the kiosk's listing and its order:
// an order for it is refused in words that say why; a pending order that held it is
// cancelled, and cannot be paid any more (the bill would be paid twice).
func TestBillPaidElsewhere(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Electricity]
	account := AccountNumber(utility.Electricity, 1) // 李四: two unpaid bills
	bills, _ := c.Bills(ctx, account)
	ids, total := unpaid(bills)
	if len(ids) < 2 {
		t.Fatalf("%d unpaid bills, want 2", len(ids))
	}
	held, err := c.CreatePayment(ctx, "pay-1", utility.PaymentRequest{KioskRef: "K1", Account: account, Bills: ids, Amount: total})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.s.PayElsewhere(utility.Electricity, account, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := r.s.PayElsewhere(utility.Electricity, account, ids[0]); err == nil {
		t.Error("a bill paid elsewhere twice")
	}
	if p, _ := c.Payment(ctx, held.Reference); p.Status != utility.PaymentCancelled {
		t.Errorf("the order holding the bill is %s, want cancelled", p.Status)
	}
	if _, err := r.s.Pay(utility.Electricity, held.Reference); err == nil {
		t.Error("the order holding a bill paid elsewhere was paid")
	}
	_, err = c.CreatePayment(ctx, "pay-2", utility.PaymentRequest{KioskRef: "K2", Account: account, Bills: ids, Amount: total})
	if !errors.Is(err, utility.ErrRejected) || !strings.Contains(utility.Own(err), "已缴清") {
		t.Errorf("an order for a bill paid elsewhere: %v", err)
	}
	if now, _ := c.Bills(ctx, account); len(now) != len(bills) || func() int { n, _ := unpaid(now); return len(n) }() != len(ids)-1 {
		t.Errorf("bills after paying one elsewhere: %+v", now)
	}
}

// With OldestFirst, an order that pays a later bill and leaves an older one unpaid is
// refused with the older one's month; the older alone, or both, are taken. Without it,
// any bill may be paid on its own.
func TestPaymentOldestFirst(t *testing.T) {
	for _, oldest := range []bool{false, true} {
		r := newRig(t, Options{OldestFirst: oldest})
		c := r.clients[utility.Electricity]
		account := AccountNumber(utility.Electricity, 1) // 李四: two unpaid bills, the latest first
		bills, _ := c.Bills(ctx, account)
		if len(bills) < 2 || bills[0].Paid || bills[1].Paid || bills[0].Period <= bills[1].Period {
			t.Fatalf("李四's bills: %+v", bills)
		}
		later, older := bills[0], bills[1]
		_, err := c.CreatePayment(ctx, "later", utility.PaymentRequest{KioskRef: "K1", Account: account, Bills: []string{later.ID}, Amount: later.Amount})
		switch {
		case oldest && (!errors.Is(err, utility.ErrRejected) || !strings.Contains(utility.Own(err), "请先缴纳"+workdays.FormatMonth(older.Period, i18n.ZH))):
			t.Errorf("oldest first: the later bill alone: %v", err)
		case !oldest && err != nil:
			t.Errorf("any bill: the later bill alone: %v", err)
		}
		if _, err := c.CreatePayment(ctx, "older", utility.PaymentRequest{KioskRef: "K2", Account: account, Bills: []string{older.ID}, Amount: older.Amount}); err != nil {
			t.Errorf("oldest first %v: the older bill alone: %v", oldest, err)
		}
	}
}

func TestPaymentLimitsExpiryAutoPay(t *testing.T) {
	r := newRig(t, Options{AutoPay: 5 * time.Second, Limits: Limits{PerDay: 1}})
	c := r.clients[utility.Electricity]
	account := AccountNumber(utility.Electricity, 1) // 李四: two unpaid bills
	bills, _ := c.Bills(ctx, account)
	pay := func(key string, b utility.Bill) (utility.Payment, error) {
		return c.CreatePayment(ctx, key, utility.PaymentRequest{KioskRef: "K" + key, Account: account, Bills: []string{b.ID}, Amount: b.Amount})
	}
	first, err := pay("1", bills[0])
	if err != nil {
		t.Fatal(err)
	}
	// A new order for the same bill replaces the one still waiting.
	second, err := pay("2", bills[0])
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Payment(ctx, first.Reference); p.Status != utility.PaymentCancelled {
		t.Errorf("superseded order is %s", p.Status)
	}
	_, err = pay("3", bills[1])
	if !errors.Is(err, utility.ErrLimitExceeded) || !strings.Contains(utility.Own(err), "今日自助缴费已达") {
		t.Errorf("second payment of the day with a limit of one: %v", err)
	}
	r.clock.Advance(5 * time.Second)
	p, err := c.Payment(ctx, second.Reference)
	if err != nil || p.Status != utility.PaymentPaid {
		t.Fatalf("auto-pay: %+v, %v", p, err)
	}
	if b, _ := c.Bill(ctx, account, bills[0].ID); !b.Paid {
		t.Error("the bill is not paid after its payment")
	}
	big := bills[1]
	big.Amount = 5000001
	r.s.o.Limits.PerDay = 5
	if _, err := pay("4", big); !errors.Is(err, utility.ErrRejected) {
		t.Errorf("amount that differs from the bill: %v", err)
	}
	// Without auto-pay an order expires after its TTL.
	r.s.o.AutoPay = 0
	late, err := pay("5", bills[1])
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(16 * time.Minute)
	if p, _ := c.Payment(ctx, late.Reference); p.Status != utility.PaymentExpired {
		t.Errorf("after the TTL: %s", p.Status)
	}
}

func TestApplicationsProgressEvaluations(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Electricity]
	who := DemoIdentities[5]
	applicant := utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}
	tests := []struct {
		name   string
		fields map[string]string
		phone  string
		id     string
		msg    string
		days   int
		zero   bool
	}{
		{"low voltage, no cost", map[string]string{"voltage": "low", "capacity_kw": "100"}, "", "", "", 2, true},
		{"low voltage above 220 kW", map[string]string{"voltage": "low", "capacity_kw": "300"}, "", "", "", 2, false},
		// The kiosk's forms take a landline with its area code (an elderly applicant may
		// have no mobile) and every card its reader reads, the 2017 foreign permanent
		// residence card's 15-character number too.
		{"a landline", map[string]string{"voltage": "low", "capacity_kw": "10"}, "0711-5123456", "", "", 2, true},
		{"a landline without its dash", map[string]string{"voltage": "low", "capacity_kw": "10"}, "01062345678", "", "", 2, true},
		{"a 2017 foreign permanent residence card", map[string]string{"voltage": "low", "capacity_kw": "10"}, "", "USA420788080101", "", 2, true},
		{"high voltage", map[string]string{"voltage": "high", "capacity_kva": "800"}, "", "", "", 5, false},
		{"high voltage above 40000 kVA", map[string]string{"voltage": "high", "capacity_kva": "50000"}, "", "", "40000千伏安以上的高压用电申请请到供电营业厅办理", 0, false},
		{"bad phone", map[string]string{"voltage": "low", "capacity_kw": "10"}, "12345", "", "联系电话格式不正确，请输入11位手机号码或带区号的固定电话", 0, false},
		{"a landline's local number from 0", map[string]string{"voltage": "low", "capacity_kw": "10"}, "0711-0123456", "", "联系电话格式不正确，请输入11位手机号码或带区号的固定电话", 0, false},
		{"an ID number one character short", map[string]string{"voltage": "low", "capacity_kw": "10"}, "", "USA42078808010", "证件号码有误，请重新读取身份证", 0, false},
	}
	var ref string
	for i, tt := range tests {
		a := applicant
		if tt.phone != "" {
			a.Phone = tt.phone
		}
		if tt.id != "" {
			a.IDNumber = tt.id
		}
		acc, err := c.SubmitApplication(ctx, fmt.Sprint("app-", i), utility.Application{KioskRef: fmt.Sprint("KA", i), Service: "new_connection", Applicant: a, Address: who.Address, Fields: tt.fields})
		if tt.msg != "" {
			if !errors.Is(err, utility.ErrRejected) || utility.Own(err) != tt.msg {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if acc.WorkingDays != tt.days || acc.ZeroCost != tt.zero || len(acc.Steps) != 2 || acc.Notice == "" {
			t.Errorf("%s: %+v", tt.name, acc)
		}
		// Accepted on Friday 12 June 2026: 2 working days end on Tuesday 16; 5 on Monday
		// 22, since Friday 19 is 端午节.
		if want := map[int]int{2: 16, 5: 22}[tt.days]; acc.Deadline.In(cst).Day() != want {
			t.Errorf("%s: deadline %v", tt.name, acc.Deadline)
		}
		ref = acc.Reference
	}
	p, err := c.Progress(ctx, ref)
	if err != nil || p.State != utility.StateAccepted || p.Steps[1].Status != utility.StepCurrent || p.OnTime == nil || !*p.OnTime {
		t.Fatalf("progress: %+v, %v", p, err)
	}
	if _, err := c.SubmitEvaluation(ctx, "ev-0", utility.Evaluation{KioskRef: "KE0", Application: ref, Level: utility.VeryDissatisfied}); !errors.Is(err, utility.ErrRejected) {
		t.Errorf("bad rating without reasons: %v", err)
	}
	r.clock.Advance(24 * time.Hour)
	if _, err := r.s.Advance(utility.Electricity, ref); err != nil {
		t.Fatal(err)
	}
	p, _ = c.Progress(ctx, ref)
	if p.State != utility.StateDone || p.StateName != "已办结" || p.DoneAt.IsZero() || p.OnTime == nil || !*p.OnTime || p.Steps[1].At.IsZero() {
		t.Errorf("after the last step: %+v", p)
	}
	if _, err := c.SubmitEvaluation(ctx, "ev-1", utility.Evaluation{KioskRef: "KE1", Application: ref, Level: utility.VerySatisfied}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubmitEvaluation(ctx, "ev-2", utility.Evaluation{KioskRef: "KE2", Application: ref, Level: utility.Satisfied}); !errors.Is(err, utility.ErrRejected) {
		t.Errorf("second rating: %v", err)
	}
	list, err := c.Applications(ctx, utility.Identity{IDNumber: who.IDNumber})
	evaluated := func(p utility.Progress) bool { return p.Evaluated }
	if err != nil || len(list) != 5 || !slices.ContainsFunc(list, evaluated) {
		t.Errorf("applications by identity: %d, %v", len(list), err)
	}
	if list, err := c.Applications(ctx, utility.Identity{IDNumber: "USA420788080101"}); err != nil || len(list) != 1 {
		t.Errorf("applications by a 2017 foreign permanent residence card: %d, %v", len(list), err)
	}
	// The seeded high-voltage connection of 刘卫东 is past its deadline.
	seeded, _ := c.Applications(ctx, utility.Identity{IDNumber: DemoIdentities[6].IDNumber})
	if len(seeded) != 1 || seeded[0].OnTime == nil || *seeded[0].OnTime {
		t.Errorf("seeded late application: %+v", seeded)
	}
}

// Above 2000 kVA the catalogue's four steps hold, and its 32 working days with a dual
// supply: the simulated utility accepts what the kiosk's form offers.
func TestHighVoltageAbove2000kVA(t *testing.T) {
	r := newRig(t, Options{})
	who := DemoIdentities[5]
	for i, tt := range []struct {
		supply string
		days   int
	}{{"dual", 32}, {"single", 0}} {
		acc, err := r.clients[utility.Electricity].SubmitApplication(ctx, fmt.Sprint("hv-", i), utility.Application{KioskRef: fmt.Sprint("KH", i),
			Service: "new_connection", Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}, Address: who.Address,
			Fields: map[string]string{"residential": "no", "voltage": "high", "capacity_kva": "2500", "supply": tt.supply}})
		if err != nil {
			t.Fatalf("%s supply: %v", tt.supply, err)
		}
		if len(acc.Steps) != 4 || tt.days != 0 && acc.WorkingDays != tt.days {
			t.Errorf("%s supply: %d steps, %d working days", tt.supply, len(acc.Steps), acc.WorkingDays)
		}
	}
}

func TestAutoAdvance(t *testing.T) {
	r := newRig(t, Options{AutoAdvance: time.Minute})
	list, err := r.clients[utility.Gas].Applications(ctx, utility.Identity{IDNumber: DemoIdentities[2].IDNumber})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d, %v", len(list), err)
	}
	r.clock.Advance(10 * time.Minute)
	p, err := r.clients[utility.Gas].Progress(ctx, list[0].Reference)
	if err != nil || p.State != utility.StateDone {
		t.Fatalf("after auto-advance: %+v, %v", p, err)
	}
	for _, s := range p.Steps {
		if s.Status != utility.StepDone || s.At.IsZero() {
			t.Errorf("step %+v", s)
		}
	}
}

func TestIdempotencyAndSignature(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Broadband]
	who := DemoIdentities[5]
	app := utility.Application{KioskRef: "KI1", Service: "new_connection", Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone},
		Address: who.Address, Fields: map[string]string{"bandwidth": "1000m"}}
	a1, err := c.SubmitApplication(ctx, "same-key", app)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := c.SubmitApplication(ctx, "same-key", app)
	if err != nil || a2.Reference != a1.Reference {
		t.Fatalf("replay: %s vs %s, %v", a2.Reference, a1.Reference, err)
	}
	other := app
	other.Fields = map[string]string{"bandwidth": "300m"}
	_, err = c.SubmitApplication(ctx, "same-key", other)
	var e *utility.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || e.Code != utility.CodeKeyReused {
		t.Errorf("same key, other body: %v", err)
	}
	if got, _ := r.s.Received(utility.Broadband); len(got) != 1 {
		t.Errorf("the utility processed %d submissions, want 1", len(got))
	}
	ans, err := c.Lookup(ctx, "KI1", "same-key")
	if err != nil || ans.Reference != a1.Reference || ans.Kind != utility.KindApplication {
		t.Errorf("lookup: %+v, %v", ans, err)
	}
	if _, err := c.Lookup(ctx, "K-never", "other-key"); !errors.Is(err, utility.ErrNotFound) {
		t.Errorf("lookup of an unknown reference: %v", err)
	}
	// The same reference with another key is another request (a kiosk whose database was
	// replaced before its references carried the time numbered afresh): not the one
	// looked for.
	if _, err := c.Lookup(ctx, "KI1", "a-new-database's-key"); !errors.Is(err, utility.ErrNotFound) {
		t.Errorf("lookup of the reference under another key: %v", err)
	}

	// A duplicate while the first is still being processed gets 409.
	r.s.SetFaults(utility.Broadband, Faults{LatencyMS: 300})
	app.KioskRef = "KI2"
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 1 {
				time.Sleep(100 * time.Millisecond)
			}
			_, errs[i] = c.SubmitApplication(ctx, "key-2", app)
		}()
	}
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], utility.ErrBusy) || !errors.As(errs[1], &e) || e.Status != http.StatusConflict {
		t.Errorf("in-flight duplicate: %v / %v", errs[0], errs[1])
	}

	bad, _ := utility.NewHTTP(utility.Options{Utility: utility.Broadband, BaseURL: r.s.BaseURL(utility.Broadband), KioskID: testKiosk, Secret: []byte("wrong-secret-wrong-secret-wrong!"), Clock: r.clock})
	defer bad.CloseIdleConnections()
	if _, err := bad.Account(ctx, AccountNumber(utility.Broadband, 0)); !errors.Is(err, utility.ErrAuth) {
		t.Errorf("wrong secret: %v", err)
	}
	stale, _ := utility.NewHTTP(utility.Options{Utility: utility.Broadband, BaseURL: r.s.BaseURL(utility.Broadband), KioskID: testKiosk, Secret: utility.DemoSecret(utility.Broadband), Clock: clock.NewManual(t0.Add(-time.Hour))})
	defer stale.CloseIdleConnections()
	if _, err := stale.Account(ctx, AccountNumber(utility.Broadband, 0)); !errors.Is(err, utility.ErrAuth) {
		t.Errorf("replayed an hour late: %v", err)
	}
	// The key expires after the retention time; the submission record does not.
	r.clock.Advance(25 * time.Hour)
	if _, err := c.Lookup(ctx, "KI1", "same-key"); err != nil {
		t.Errorf("lookup after the key expired: %v", err)
	}
}

// The utilities keep one secret per kiosk: a request passes signed by a kiosk they know
// with its own secret (or, for a utility its secrets leave out, the demo secret), and
// is refused from a kiosk ID they do not know or signed with another kiosk's secret.
func TestKioskSecrets(t *testing.T) {
	secretA, secretB := []byte("kiosk A's water secret, 32 bytes+"), []byte("kiosk B's water secret, 32 bytes+")
	r := newRig(t, Options{Kiosks: map[string]Secrets{
		"LZH-A-01": {utility.Water: secretA},
		"LZH-B-01": {utility.Water: secretB},
	}})
	for _, tc := range []struct {
		name, utility, kiosk string
		secret               []byte
		// message is the refusal's; "" when the request passes.
		message string
	}{
		{"kiosk A, its own secret", utility.Water, "LZH-A-01", secretA, ""},
		{"kiosk B, its own secret", utility.Water, "LZH-B-01", secretB, ""},
		{"kiosk A, the demo secret where it has no other", utility.Gas, "LZH-A-01", utility.DemoSecret(utility.Gas), ""},
		{"kiosk A's ID, kiosk B's secret", utility.Water, "LZH-A-01", secretB, "请求签名校验失败，请核对终端密钥"},
		{"kiosk A's ID, the demo secret", utility.Water, "LZH-A-01", utility.DemoSecret(utility.Water), "请求签名校验失败，请核对终端密钥"},
		{"an unknown kiosk ID", utility.Water, "LZH-X-01", utility.DemoSecret(utility.Water), "未登记的自助终端编号，请核对终端编号"},
		{"the kiosk the rig's clients are", utility.Water, testKiosk, utility.DemoSecret(utility.Water), "未登记的自助终端编号，请核对终端编号"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := utility.NewHTTP(utility.Options{Utility: tc.utility, BaseURL: r.s.BaseURL(tc.utility), KioskID: tc.kiosk,
				Secret: tc.secret, Timeout: 2 * time.Second, Clock: r.clock})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			_, err = c.Account(ctx, AccountNumber(tc.utility, 0))
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *utility.Error
			if !errors.Is(err, utility.ErrAuth) || !errors.As(err, &e) || e.Status != http.StatusUnauthorized ||
				e.Code != utility.CodeBadSignature || e.Message != tc.message {
				t.Fatalf("%v, want 401 bad_signature %q", err, tc.message)
			}
		})
	}
	for _, bad := range []map[string]Secrets{{"": nil}, {"LZH-A-01": {"heating": []byte("x")}}} {
		if s, err := Start(Options{Dir: t.TempDir(), Kiosks: bad}); err == nil {
			s.Close()
			t.Errorf("started with the kiosks %v", bad)
		}
	}
}

// Without kiosks named the simulator serves the kiosk of the default configuration, as
// demo mode's is unless the configuration names another, which Demo is given.
func TestDefaultKiosk(t *testing.T) {
	s, err := Start(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for kiosk, ok := range map[string]bool{config.Defaults().Kiosk.ID: true, testKiosk: false} {
		c, err := utility.NewHTTP(utility.Options{Utility: utility.Gas, BaseURL: s.BaseURL(utility.Gas), KioskID: kiosk,
			Secret: utility.DemoSecret(utility.Gas), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Account(ctx, AccountNumber(utility.Gas, 0)); (err == nil) != ok {
			t.Errorf("kiosk %s: %v", kiosk, err)
		}
		c.CloseIdleConnections()
	}
	if o := Demo(t.TempDir(), "LZH-HALL-09"); len(o.Kiosks) != 1 || o.Kiosks["LZH-HALL-09"] == nil {
		t.Errorf("demo mode's kiosks %v", o.Kiosks)
	}
}

func TestFaults(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Gas]
	number := AccountNumber(utility.Gas, 0)
	tests := []struct {
		f    Faults
		want error
	}{
		{Faults{Down: true}, utility.ErrUnavailable},
		{Faults{}, nil},
		{Faults{ErrorRate: 1}, utility.ErrUnavailable},
		{Faults{LatencyMS: 3000}, utility.ErrTimeout},
		{Faults{Malformed: true}, utility.ErrBadResponse},
		{Faults{}, nil},
	}
	for _, tt := range tests {
		if err := r.s.SetFaults(utility.Gas, tt.f); err != nil {
			t.Fatal(err)
		}
		_, err := c.Account(ctx, number)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%+v: got %v, want %v", tt.f, err, tt.want)
		}
		if _, err := r.clients[utility.Water].Account(ctx, AccountNumber(utility.Water, 0)); err != nil {
			t.Errorf("%+v at gas hit water: %v", tt.f, err)
		}
	}
	// Cut mid-answer: the change is made, the kiosk does not learn so; the same key
	// later returns the same answer, and Lookup finds it.
	r.s.SetFaults(utility.Gas, Faults{CutRate: 1})
	who := DemoIdentities[5]
	app := utility.Application{KioskRef: "KC1", Service: "new_connection", Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone},
		Address: who.Address, Fields: map[string]string{"appliances": "stove"}}
	if _, err := c.SubmitApplication(ctx, "cut-1", app); !errors.Is(err, utility.ErrUnavailable) {
		t.Fatalf("cut: %v", err)
	}
	r.s.SetFaults(utility.Gas, Faults{})
	a, err := c.SubmitApplication(ctx, "cut-1", app)
	if err != nil {
		t.Fatal(err)
	}
	if ans, err := c.Lookup(ctx, "KC1", "cut-1"); err != nil || ans.Reference != a.Reference {
		t.Errorf("lookup after cut: %v", err)
	}
	if got, _ := r.s.Received(utility.Gas); len(got) != 1 {
		t.Errorf("processed %d times, want once", len(got))
	}
}

// Faults.Omit leaves fields out of acceptances and progress, never the reference: a
// missing on_time decodes as unknown (nil), not as late.
func TestFaultsOmit(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Gas]
	omit := []string{"reference", "on_time", "working_days", "deadline"}
	if err := r.s.SetFaults(utility.Gas, Faults{Omit: omit}); err != nil {
		t.Fatal(err)
	}
	who := DemoIdentities[5]
	acc, err := c.SubmitApplication(ctx, "omit-1", utility.Application{KioskRef: "KO1", Service: "new_connection",
		Applicant: utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}, Address: who.Address,
		Fields: map[string]string{"appliances": "stove"}})
	if err != nil || acc.Reference == "" || acc.WorkingDays != 0 || !acc.Deadline.IsZero() || acc.AcceptedAt.IsZero() {
		t.Fatalf("acceptance %+v, %v", acc, err)
	}
	p, err := c.Progress(ctx, acc.Reference)
	if err != nil || p.Reference != acc.Reference || p.OnTime != nil || p.WorkingDays != 0 || !p.Deadline.IsZero() || p.AcceptedAt.IsZero() {
		t.Fatalf("progress %+v, %v", p, err)
	}
	list, err := c.Applications(ctx, utility.Identity{IDNumber: who.IDNumber})
	if err != nil || len(list) != 1 || list[0].Reference != acc.Reference || list[0].OnTime != nil || !list[0].Deadline.IsZero() {
		t.Fatalf("applications %+v, %v", list, err)
	}
	if err := r.s.SetFaults(utility.Gas, Faults{}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Progress(ctx, acc.Reference); err != nil || p.OnTime == nil || !*p.OnTime || p.WorkingDays == 0 || p.Deadline.IsZero() {
		t.Fatalf("progress without the fault %+v, %v", p, err)
	}
}

// waterOrder is an order for 李四's unpaid water bills, asked under kioskRef: what was
// asked, and the order made.
func waterOrder(t *testing.T, c *utility.HTTPClient, kioskRef string) (utility.PaymentRequest, utility.Payment) {
	t.Helper()
	account := AccountNumber(utility.Water, 1) // 李四: unpaid water
	bills, err := c.Bills(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	ids, total := unpaid(bills)
	asked := utility.PaymentRequest{KioskRef: kioskRef, Account: account, Bills: ids, Amount: total}
	p, err := c.CreatePayment(ctx, "pay-"+kioskRef, asked)
	if err != nil {
		t.Fatal(err)
	}
	return asked, p
}

// Faults.Misstate, set through the admin API, has a payment's status name another
// account, other bills and another amount, its order number kept: the client takes it
// (it compares the order asked), Payment.About refuses it. What is stored is unchanged:
// cleared, the fault leaves the order as it was.
func TestFaultsMisstate(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Water]
	asked, p := waterOrder(t, c, "KM1")
	setFaults := func(body string) int {
		t.Helper()
		req, _ := http.NewRequest("PUT", r.s.AdminURL()+"/faults/water", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for field, differ := range map[string]string{"account": "account", "bills": "set of bills", "amount_fen": "amount"} {
		if code := setFaults(`{"misstate":["` + field + `"]}`); code != http.StatusOK {
			t.Fatalf("misstate %s: %d", field, code)
		}
		got, err := c.Payment(ctx, p.Reference)
		if err != nil || got.Reference != p.Reference {
			t.Fatalf("misstate %s: %+v, %v", field, got, err)
		}
		if err := got.About(asked); !errors.Is(err, utility.ErrBadResponse) || !strings.Contains(err.Error(), "another "+differ+" ") {
			t.Errorf("misstate %s: the status %+v is taken for the order asked: %v", field, got, err)
		}
	}
	if code := setFaults(`{"misstate":["status"]}`); code != http.StatusUnprocessableEntity {
		t.Errorf("misstate of a field it cannot: %d", code)
	}
	if code := setFaults(`{}`); code != http.StatusOK {
		t.Fatalf("clear: %d", code)
	}
	got, err := c.Payment(ctx, p.Reference)
	if err != nil || got.About(asked) != nil || got.Amount != asked.Amount {
		t.Fatalf("without the fault: %+v, %v", got, err)
	}
}

// Faults.Status, set through the admin API, has every answer about a payment order once
// made give that status in place of its own: its status and its cancellation's answer.
// What is stored is unchanged: the order is cancelled all the same, and cleared, the
// fault leaves the order as it is.
func TestFaultsStatus(t *testing.T) {
	r := newRig(t, Options{})
	c := r.clients[utility.Water]
	_, p := waterOrder(t, c, "KS1")
	req, _ := http.NewRequest("PUT", r.s.AdminURL()+"/faults/water", strings.NewReader(`{"status":"processing"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set faults: %v", err)
	}
	resp.Body.Close()
	if got, err := c.Payment(ctx, p.Reference); err != nil || got.Status != "processing" {
		t.Fatalf("status with the fault: %+v, %v", got, err)
	}
	if got, err := c.CancelPayment(ctx, "cancel-s1", utility.Cancellation{KioskRef: "KS1", Payment: p.Reference}); err != nil || got.Status != "processing" {
		t.Fatalf("cancellation with the fault: %+v, %v", got, err)
	}
	if err := r.s.SetFaults(utility.Water, Faults{}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Payment(ctx, p.Reference); err != nil || got.Status != utility.PaymentCancelled {
		t.Fatalf("without the fault: %+v, %v", got, err)
	}
}

func TestAdminAPI(t *testing.T) {
	r := newRig(t, Options{})
	req, _ := http.NewRequest("PUT", r.s.AdminURL()+"/faults/water", strings.NewReader(`{"down":true}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("set faults: %v", err)
	}
	resp.Body.Close()
	if !r.s.Faults(utility.Water).Down {
		t.Error("the fault was not set")
	}
	resp, err = http.Get(r.s.AdminURL() + "/identities")
	if err != nil {
		t.Fatal(err)
	}
	var ids []Identity
	json.NewDecoder(resp.Body).Decode(&ids)
	resp.Body.Close()
	if len(ids) != len(DemoIdentities) || ids[0].IDNumber != "11010519491231002X" {
		t.Errorf("identities: %d", len(ids))
	}
	req, _ = http.NewRequest("PUT", r.s.AdminURL()+"/faults/heat", strings.NewReader(`{}`))
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown utility: %d", resp.StatusCode)
	}
	resp.Body.Close()
	account := AccountNumber(utility.Electricity, 1)
	bills, _ := r.s.Bills(utility.Electricity, account)
	owed, _ := unpaid(bills)
	for i, want := range []int{http.StatusNoContent, http.StatusUnprocessableEntity} { // the second: paid already
		resp, err = http.Post(r.s.AdminURL()+"/bills/electricity/"+account+"/"+owed[0]+"/pay-elsewhere", "", nil)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("pay elsewhere #%d: %v %v, want %d", i+1, resp, err, want)
		}
		resp.Body.Close()
	}
	// A bill's amount set to nothing (the admin hook behind a ￥0.00 bill still unpaid):
	// the bill lists with it; a body without the amount, and a paid bill, are refused.
	for i, tc := range []struct {
		bill, body string
		want       int
	}{
		{owed[1], `{"amount_fen":0}`, http.StatusNoContent},
		{owed[1], `{}`, http.StatusUnprocessableEntity},
		{owed[0], `{"amount_fen":0}`, http.StatusUnprocessableEntity}, // paid elsewhere above
	} {
		req, _ := http.NewRequest("PUT", r.s.AdminURL()+"/bills/electricity/"+account+"/"+tc.bill+"/amount", strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != tc.want {
			t.Fatalf("bill amount #%d: %v %v, want %d", i+1, resp, err, tc.want)
		}
		resp.Body.Close()
	}
	bills, _ = r.s.Bills(utility.Electricity, account)
	for _, b := range bills {
		if b.ID == owed[1] && (b.Amount != 0 || b.Paid) {
			t.Errorf("the bill after its amount was set to 0: %s, paid %v", b.Amount.Yuan(), b.Paid)
		}
	}
}

func TestStatePersists(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Pay(utility.Electricity, "nope")
	if err == nil {
		t.Fatalf("paid a payment that does not exist: %+v", p)
	}
	s.Close()
	s, err = Start(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if l, _ := s.Received(utility.Electricity); len(l) != 0 {
		t.Errorf("received %d", len(l))
	}
}

// before goes back over weekends and holidays (国庆 2026: 1–7 October).
func TestBefore(t *testing.T) {
	from := time.Date(2026, 10, 8, 10, 0, 0, 0, cst) // the Thursday after 国庆
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "2026-09-30"}, {2, "2026-09-29"}} {
		if got := before(defaultCalendar, from, tc.n).Format("2006-01-02"); got != tc.want {
			t.Errorf("%d working days before %s: %s, want %s", tc.n, from.Format("01-02"), got, tc.want)
		}
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		r := newRig(t, Options{})
		r.s.SetFaults(utility.Gas, Faults{Down: true})
		for _, id := range Utilities {
			r.clients[id].Account(ctx, AccountNumber(id, 0))
		}
		r.s.SetFaults(utility.Gas, Faults{})
		for _, c := range r.clients {
			c.CloseIdleConnections()
		}
		r.s.Close()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Utilities given one prefix (RefPrefixes) number their applications alike, each
// keeping its own: electricity's first application of the day and gas's have the same
// number, and each utility answers that number with its own application.
func TestRefPrefixesShared(t *testing.T) {
	r := newRig(t, Options{RefPrefixes: map[string]string{utility.Gas: "DL"}})
	who := DemoIdentities[5]
	applicant := utility.Contact{Name: who.Name, IDNumber: who.IDNumber, Phone: who.Phone}
	fields := map[string]map[string]string{utility.Electricity: {"voltage": "low", "capacity_kw": "10"}, utility.Gas: {"appliances": "stove"}}
	refs := map[string]string{}
	for _, id := range []string{utility.Electricity, utility.Gas} {
		acc, err := r.clients[id].SubmitApplication(ctx, "shared-"+id, utility.Application{KioskRef: "KS-" + id, Service: "new_connection",
			Applicant: applicant, Address: who.Address, Fields: fields[id]})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		refs[id] = acc.Reference
	}
	if refs[utility.Electricity] != "DL26061200001" || refs[utility.Gas] != refs[utility.Electricity] {
		t.Fatalf("numbers %v, want DL26061200001 at both", refs)
	}
	for _, id := range []string{utility.Electricity, utility.Gas} {
		p, err := r.clients[id].Progress(ctx, refs[id])
		if err != nil || p.Utility != id || p.KioskRef != "KS-"+id {
			t.Errorf("%s's application %s: %+v, %v", id, refs[id], p, err)
		}
	}
	// A utility left out keeps its own prefix.
	acc, err := r.clients[utility.Water].SubmitTransfer(ctx, "tr-shared", utility.Transfer{KioskRef: "KS-T", Account: AccountNumber(utility.Water, 0),
		NewHolder: utility.Contact{Name: "王淑芬", IDNumber: DemoIdentities[2].IDNumber, Phone: "13800000003"}, PropertyCert: PropertyCert(0)})
	if err != nil || !strings.HasPrefix(acc.Reference, "SSGH") {
		t.Errorf("water's transfer: %+v, %v", acc, err)
	}
}
