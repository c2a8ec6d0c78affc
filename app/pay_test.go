package app_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

// payAutoPay is how long after its creation the simulator pays an order in the tests that
// need it paid: long enough for the kiosk to see it pending first.
const payAutoPay = 300 * time.Millisecond

// unpaid returns the unpaid bills of the i-th demo citizen's account at a utility.
func payUnpaidBills(t *testing.T, k *app.Kiosk, utilityID string, i int) (string, []utility.Bill) {
	t.Helper()
	number := utilitysim.AccountNumber(utilityID, i)
	bills, err := k.Bills(context.Background(), utilityID, number)
	if err != nil {
		t.Fatal(err)
	}
	var out []utility.Bill
	for _, b := range bills {
		if !b.Paid {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s %s has no unpaid bill", utilityID, number)
	}
	return number, out
}

// payingCitizen opens the i-th demo citizen's session, waits for their accounts and
// starts paying their unpaid electricity bills.
func (f *flows) payingCitizen(i int) (*session.Session, *app.Accounts, string, []utility.Bill, *app.PaymentFlow) {
	f.t.Helper()
	s := f.citizen(i)
	acc, err := f.k.StartAccountLookup()
	if err != nil {
		f.t.Fatal(err)
	}
	awaitLookup(f.t, acc)
	number, bills := payUnpaidBills(f.t, f.k, utility.Electricity, i)
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		f.t.Fatal(err)
	}
	return s, acc, number, bills, flow
}

func payBillIDs(bills []utility.Bill) []string {
	ids := make([]string, len(bills))
	for i, b := range bills {
		ids[i] = b.ID
	}
	return ids
}

func payTotal(bills []utility.Bill) utility.Fen {
	var n utility.Fen
	for _, b := range bills {
		n += b.Amount
	}
	return n
}

// payWatch is what a Watch reported, in order.
type payWatch struct {
	mu       sync.Mutex
	statuses []string
	// printedWhenPaid: when update saw the order paid, the receipt's outcome was known.
	printedWhenPaid bool
}

func startPayWatch(f *app.PaymentFlow) *payWatch {
	w := &payWatch{}
	f.Watch(context.Background(), func(f *app.PaymentFlow) {
		st := f.Payment().Status
		_, printed := f.Printed()
		w.mu.Lock()
		defer w.mu.Unlock()
		w.statuses = append(w.statuses, st)
		if st == utility.PaymentPaid {
			w.printedWhenPaid = printed
		}
	})
	return w
}

func (w *payWatch) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.statuses...)
}

// awaitPayFinal waits until a payWatch order is finished and the watch has reported it.
func awaitPayFinal(t *testing.T, f *app.PaymentFlow, w *payWatch) {
	t.Helper()
	awaitCond(t, "the order to finish", func() bool {
		s := w.seen()
		return f.Final() && len(s) > 0 && s[len(s)-1] == f.Payment().Status
	})
}

// payAtUtility is the order as the utility has it now.
func payAtUtility(t *testing.T, k *app.Kiosk, utilityID, ref string) utility.Payment {
	t.Helper()
	c, err := k.Client(utilityID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Payment(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// payReceiptCut waits until the paid flow's receipt, printed, is cut, and returns the
// printouts: that one receipt, whole.
func (f *flows) payReceiptCut(flow *app.PaymentFlow) []sim.Printout {
	f.t.Helper()
	if r, ok := flow.Printed(); !ok || !r.OK {
		f.t.Fatalf("printed %+v %v", r, ok)
	}
	ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
	defer cancel()
	if err := f.rig.Printer().WaitCuts(ctx, 1); err != nil {
		f.t.Fatal(err)
	}
	outs := f.rig.Printer().Printouts()
	if len(outs) != 1 || outs[0].Torn {
		f.t.Fatalf("%d printouts, want one cut receipt", len(outs))
	}
	return outs
}

func payJournalKinds(t *testing.T, k *app.Kiosk, ref string) []journal.Kind {
	t.Helper()
	evs, err := k.Journal.ByRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Kind
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

// Paying 李四's two unpaid electricity bills: StartPayment gives the utility's order
// with its pay QR and the bills' total; the Watch reports pending, then paid once the
// citizen paid, with the receipt already printed by then; the emulated printer cut one
// receipt whose QR (read back by an independent decoder) is the receipt URL shown on
// screen, naming the utility's receipt number; the print and the order are journalled
// under the kiosk reference; the utility received exactly one order and the bills are
// paid there.
func TestPayPaidPrintsReceipt(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
	f.citizen(1)
	acc, err := f.k.StartAccountLookup()
	if err != nil {
		t.Fatal(err)
	}
	awaitLookup(t, acc)
	if r := f.k.PrinterReady(context.Background()); !r.OK {
		t.Fatalf("printer not ready: %+v", r)
	}
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if len(bills) != 2 {
		t.Fatalf("%d unpaid bills, want 2", len(bills))
	}
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	p := flow.Payment()
	if p.Status != utility.PaymentPending || p.Reference == "" || flow.KioskRef == "" {
		t.Fatalf("new order %+v (kiosk ref %q)", p, flow.KioskRef)
	}
	if p.PayURL != f.sims.PayURL(utility.Electricity, p.Reference) {
		t.Fatalf("pay QR %q, the utility's is %q", p.PayURL, f.sims.PayURL(utility.Electricity, p.Reference))
	}
	if flow.Amount != payTotal(bills) || p.Amount != flow.Amount || p.Account != number || !slices.Equal(p.Bills, payBillIDs(bills)) {
		t.Fatalf("order %+v for %v of %v, want %v", p, flow.Amount, payBillIDs(bills), payTotal(bills))
	}
	if flow.Final() {
		t.Fatal("a pending order is final")
	}
	if _, ok := flow.Printed(); ok {
		t.Fatal("a receipt before the payment")
	}

	w := startPayWatch(flow)
	awaitPayFinal(t, flow, w)
	if got := w.seen(); !slices.Equal(got, []string{utility.PaymentPending, utility.PaymentPaid}) {
		t.Fatalf("watch reported %v", got)
	}
	if !w.printedWhenPaid {
		t.Fatal("the watch reported paid before the receipt was printed")
	}
	p = flow.Payment()
	if p.ReceiptNo == "" || p.PaidAt.IsZero() {
		t.Fatalf("paid order %+v", p)
	}
	outs := f.payReceiptCut(flow)
	url := flow.ReceiptURL()
	if !strings.HasPrefix(url, "https://pay.example.cn/r/") || !strings.Contains(url, p.ReceiptNo) {
		t.Fatalf("receipt URL %q (receipt number %s)", url, p.ReceiptNo)
	}
	if codes := simtest.DecodeQRs(outs[0].Image); !slices.Equal(codes, []string{url}) {
		t.Fatalf("the receipt's QR codes read %q, want %q", codes, url)
	}
	if st, ok := f.k.DeviceState("printer"); !ok || !st.OK {
		t.Fatalf("printer state %+v", st)
	}
	kinds := payJournalKinds(t, f.k, flow.KioskRef)
	for _, want := range []journal.Kind{journal.RequestSubmitted, journal.RequestAnswered, journal.Print} {
		if !slices.Contains(kinds, want) {
			t.Errorf("journal of %s: %v, no %s", flow.KioskRef, kinds, want)
		}
	}
	if slices.Contains(kinds, journal.PrintFailed) {
		t.Errorf("journal of %s: %v", flow.KioskRef, kinds)
	}
	// Kept while it printed, the receipt is forgotten as it is journaled printed, and
	// the order once the payment is: nothing for staff, nothing to settle.
	if payKept(t, f.k, flow.KioskRef) || payOrders(t, f.k) != 0 {
		t.Errorf("after the receipt printed: kept for reprinting %v, %d orders kept", payKept(t, f.k, flow.KioskRef), payOrders(t, f.k))
	}
	// The payment itself, for the day's report: once, with its amount and the
	// utility's record, the account only as its keyed hash.
	if paid := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid); len(paid) != 1 || paid[0].Amount != int64(p.Amount) || p.Amount == 0 ||
		paid[0].UtilityRef != p.ReceiptNo || paid[0].Utility != utility.Electricity || paid[0].Subject == "" || strings.Contains(paid[0].Subject, flow.Account) {
		t.Errorf("payment.paid events %+v, want one of %s", paid, p.Amount.Yuan())
	}
	if got := received(t, f.sims, utility.Electricity, utility.KindPayment); len(got) != 1 || got[0].KioskRef != flow.KioskRef {
		t.Fatalf("the utility received %+v, want one order %s", got, flow.KioskRef)
	}
	if up := payAtUtility(t, f.k, utility.Electricity, p.Reference); up.Status != utility.PaymentPaid {
		t.Fatalf("at the utility the order is %s", up.Status)
	}
	after, err := f.k.Bills(context.Background(), utility.Electricity, number)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range after {
		if !b.Paid {
			t.Fatalf("bill %s still unpaid at the utility", b.ID)
		}
	}
	// The visit knows its bills and balances are out of date: screens fetch the bills
	// again, and the utility is asked again for the accounts.
	if n := f.k.BillsChangedInVisit(); n != 1 {
		t.Fatalf("BillsChangedInVisit %d after one payment", n)
	}
	awaitCond(t, "the account's arrears gone", func() bool {
		for _, tile := range acc.Tiles() {
			for _, a := range tile.Accounts {
				if a.Number == number {
					return a.Arrears == 0 && a.Unpaid == 0
				}
			}
		}
		return false
	})
}

// A payment paid while the journal cannot record it (its bucket damaged; a full disk
// that takes an order's small removal but not the journal's entry) is not forgotten
// unjournaled: its order stays kept, and once the journal records again the settling
// pass journals it paid, once, with its receipt printed (not kept for 补打: it printed).
func TestPayPaidJournaledOnceTheJournalMends(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	storetest.JournalWritable(t, f.k.Store, false)
	awaitPayFinal(t, flow, startPayWatch(flow))
	if p := flow.Payment(); p.Status != utility.PaymentPaid {
		t.Fatalf("the order ended %s", p.Status)
	}
	if n := payOrders(t, f.k); n != 1 {
		t.Fatalf("paid while the journal could not record it: %d orders kept, want its order kept until it is journaled", n)
	}
	storetest.JournalWritable(t, f.k.Store, true)
	if err := f.k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if paid := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid); len(paid) != 1 || paid[0].Amount != int64(flow.Amount) {
		t.Errorf("payment.paid events once the journal mends: %+v", paid)
	}
	if payOrders(t, f.k) != 0 || payKept(t, f.k, flow.KioskRef) {
		t.Errorf("after settling: %d orders kept, receipt kept for reprinting %v", payOrders(t, f.k), payKept(t, f.k, flow.KioskRef))
	}
	if kinds := payJournalKinds(t, f.k, flow.KioskRef); !slices.Contains(kinds, journal.Print) {
		t.Errorf("journal of %s: %v, no print", flow.KioskRef, kinds)
	}
}

// payNotTaken counts the answers about an order the kiosk warned it did not take.
func payNotTaken(f *flows) int {
	return strings.Count(f.warned.String(), "payment: an answer about another order, not taken")
}

// A payment's status that names the order's number but another amount, account or set
// of bills (a utility's bug, a cache that mixed up its answers: the simulator's
// misstate fault) is not the citizen's order. The kiosk does not take it: the order
// stays pending on screen though the utility has it paid, no receipt prints, nothing
// is journalled as paid; a warning names the utility and what differed, never the
// account. Once the utility answers right again, the poll goes on: the order is paid,
// and the receipt and the journal have the bills' total.
func TestPayStatusOfAnotherOrderNotTaken(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
	_, _, number, bills, flow := f.payingCitizen(1)
	total := payTotal(bills)
	ref := flow.Payment().Reference
	w := startPayWatch(flow)
	for i, tc := range []struct{ field, differ string }{
		{"amount_fen", "another amount"}, {"account", "another account"}, {"bills", "another set of bills"},
	} {
		if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{Misstate: []string{tc.field}}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			awaitCond(t, "the order paid at the utility", func() bool {
				return payAtUtility(t, f.k, utility.Electricity, ref).Status == utility.PaymentPaid
			})
		}
		// Two answers refused after the fault was set and the order paid: at least one
		// was asked after, and said paid (or the order taken as paid from one).
		n := payNotTaken(f)
		awaitCond(t, "two status answers about "+tc.differ, func() bool { return payNotTaken(f) >= n+2 || flow.Final() })
		p := flow.Payment()
		if p.Status != utility.PaymentPending || p.Amount != total || p.Account != number || flow.Final() {
			t.Fatalf("%s: the order is %s, %s, final %v; want it pending, of %s", tc.differ, p.Status, p.Amount.Yuan(), flow.Final(), total.Yuan())
		}
		if got := w.seen(); !slices.Equal(got, []string{utility.PaymentPending}) {
			t.Fatalf("%s: the watch reported %v", tc.differ, got)
		}
		if _, printed := flow.Printed(); printed || len(f.rig.Printer().Printouts()) != 0 {
			t.Fatalf("%s: a receipt printed", tc.differ)
		}
		if paid := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid); len(paid) != 0 {
			t.Fatalf("%s: journalled as paid: %+v", tc.differ, paid)
		}
		logged := f.warned.String()
		if !strings.Contains(logged, tc.differ+" than the one asked") || !strings.Contains(logged, "utility="+utility.Electricity) {
			t.Fatalf("%s: the warnings do not say so: %s", tc.differ, logged)
		}
		if strings.Contains(logged, number) {
			t.Fatalf("the warnings name the account: %s", logged)
		}
	}
	if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	awaitPayFinal(t, flow, w)
	if got := w.seen(); !slices.Equal(got, []string{utility.PaymentPending, utility.PaymentPaid}) {
		t.Fatalf("the watch reported %v", got)
	}
	if p := flow.Payment(); p.Amount != total || p.Account != number || p.ReceiptNo == "" {
		t.Fatalf("paid order %+v, want %s", p, total.Yuan())
	}
	f.payReceiptCut(flow)
	if paid := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentPaid); len(paid) != 1 || paid[0].Amount != int64(total) {
		t.Fatalf("payment.paid events %+v, want one of %s", paid, total.Yuan())
	}
}

// The settling pass after a restart holds the utility's answers to the order it kept: a
// status of the order's number for another amount is not taken (the order is kept, no
// receipt kept for reprinting, nothing journalled as paid), and the pass reports it;
// once the utility answers right, the paid order's receipt is kept with the bills'
// total.
func TestPaySettledOrderOfAnotherAmountNotTaken(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, _, number, bills, flow := f.payingCitizen(1)
	startPayWatch(flow)
	ref := flow.Payment().Reference
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sims.Pay(utility.Electricity, ref); err != nil {
		t.Fatal(err)
	}
	if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{Misstate: []string{"amount_fen"}}); err != nil {
		t.Fatal(err)
	}
	k := f.start()
	awaitCond(t, "the start's settling pass", func() bool { return payNotTaken(f) >= 1 || payOrders(t, k) == 0 })
	if err := k.SettleOrders(context.Background()); !errors.Is(err, utility.ErrBadResponse) {
		t.Fatalf("settling with the order's status for another amount: %v", err)
	}
	if n := payOrders(t, k); n != 1 || payKept(t, k, flow.KioskRef) || len(payJournalEvents(t, k, flow.KioskRef, journal.PaymentPaid)) != 0 {
		t.Fatalf("settled from another amount: %d orders kept, receipt kept %v", n, payKept(t, k, flow.KioskRef))
	}
	if logged := f.warned.String(); !strings.Contains(logged, "another amount") || strings.Contains(logged, number) {
		t.Fatalf("warnings: %s", logged)
	}
	if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if err := k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := payOrders(t, k); n != 0 {
		t.Fatalf("after the right answer: %d orders kept", n)
	}
	if r, err := k.Reprints.Get(flow.KioskRef); err != nil || r.Payment == nil || r.Payment.Amount != int64(payTotal(bills)) {
		t.Fatalf("the receipt kept for reprinting: %+v, %v; want one of %s", r.Payment, err, payTotal(bills).Yuan())
	}
	if paid := payJournalEvents(t, k, flow.KioskRef, journal.PaymentPaid); len(paid) != 1 || paid[0].Amount != int64(payTotal(bills)) {
		t.Fatalf("payment.paid events %+v, want one of %s", paid, payTotal(bills).Yuan())
	}
}

// 取消缴费: Cancel reaches the utility (the order is cancelled there, the bills stay
// unpaid), the flow is final as cancelled, and nothing prints. Cancelling an order the
// citizen has paid in the meantime never shows it as cancelled: it stays paid, and its
// receipt is printed (the citizen paid and must get one).
func TestPayCancel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		autoPay time.Duration
		want    string
	}{
		{name: "pending", want: utility.PaymentCancelled},
		{name: "paid meanwhile", autoPay: payAutoPay, want: utility.PaymentPaid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{AutoPay: tc.autoPay})
			f.citizen(1)
			number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
			flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
			if err != nil {
				t.Fatal(err)
			}
			ref := flow.Payment().Reference
			w := startPayWatch(flow)
			if tc.autoPay > 0 {
				awaitCond(t, "the citizen to pay", func() bool {
					return payAtUtility(t, f.k, utility.Electricity, ref).Status == utility.PaymentPaid
				})
			}
			err = flow.Cancel(context.Background())
			if got := flow.Payment().Status; got != tc.want || !flow.Final() || flow.CancelUnconfirmed() || flow.Withdrawn() {
				t.Fatalf("after Cancel the order is %q (err %v, unconfirmed %v), want %q confirmed", got, err, flow.CancelUnconfirmed(), tc.want)
			}
			if up := payAtUtility(t, f.k, utility.Electricity, ref); up.Status != tc.want {
				t.Fatalf("at the utility the order is %s, want %s", up.Status, tc.want)
			}
			switch tc.want {
			case utility.PaymentCancelled:
				if err != nil {
					t.Fatalf("Cancel: %v", err)
				}
				if got := received(t, f.sims, utility.Electricity, utility.KindCancelPayment); len(got) != 1 {
					t.Fatalf("the utility received %d cancellations", len(got))
				}
				_, still := payUnpaidBills(t, f.k, utility.Electricity, 1)
				if len(still) != len(bills) {
					t.Fatalf("%d bills unpaid after cancelling, want %d", len(still), len(bills))
				}
				if _, ok := flow.Printed(); ok || len(f.rig.Printer().Printouts()) != 0 {
					t.Fatal("a cancelled order printed a receipt")
				}
				// A cancelled watch reports nothing more.
				if s := w.seen(); slices.Contains(s, utility.PaymentCancelled) || slices.Contains(s, utility.PaymentPaid) {
					t.Fatalf("the stopped watch reported %v", s)
				}
			case utility.PaymentPaid:
				if r, ok := flow.Printed(); !ok || !r.OK {
					t.Fatalf("the paid order's receipt: %+v printed %v", r, ok)
				}
				ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
				defer cancel()
				if err := f.rig.Printer().WaitCuts(ctx, 1); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// A pay QR not paid in time expires: the Watch reports it expired, nothing is printed and
// the bills stay unpaid at the utility.
func TestPayExpires(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{PaymentTTL: 300 * time.Millisecond})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Water, 1)
	flow, err := f.k.StartPayment(context.Background(), utility.Water, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	awaitPayFinal(t, flow, w)
	if got := w.seen(); !slices.Equal(got, []string{utility.PaymentPending, utility.PaymentExpired}) {
		t.Fatalf("watch reported %v", got)
	}
	if up := payAtUtility(t, f.k, utility.Water, flow.Payment().Reference); up.Status != utility.PaymentExpired {
		t.Fatalf("at the utility the order is %s", up.Status)
	}
	if _, ok := flow.Printed(); ok || len(f.rig.Printer().Printouts()) != 0 {
		t.Fatal("an expired order printed a receipt")
	}
	if _, still := payUnpaidBills(t, f.k, utility.Water, 1); len(still) != len(bills) {
		t.Fatalf("%d bills unpaid after expiry, want %d", len(still), len(bills))
	}
}

// A payment the utility refuses (a limit, a stale bill list, an amount that is not the
// bills') or cannot take (down, failing) ends with a typed error: the utility's sentinel
// (or app.ErrPaymentBusy when no order came in time), shown to the citizen as a Chinese
// sentence (the utility's own words for a refusal), never the raw error; no flow is kept
// in the session. Choosing no bill or a paid one is refused before anything is sent.
func TestPayRefused(t *testing.T) {
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	for _, tc := range []struct {
		name   string
		opts   utilitysim.Options
		faults utilitysim.Faults
		// prepare runs before the payment and returns the bills to pay.
		prepare func(t *testing.T, f *flows, bills []utility.Bill) []utility.Bill
		err     error  // the sentinel; nil: any error
		msg     string // in the citizen message
		sent    int    // orders the utility created
	}{
		{name: "over the per-payment limit", opts: utilitysim.Options{Limits: utilitysim.Limits{PerPayment: 1}},
			err: utility.ErrLimitExceeded, msg: "自助缴费单笔不能超过0.01元"},
		{name: "daily limit reached", opts: utilitysim.Options{Limits: utilitysim.Limits{PerDay: 1}},
			prepare: func(t *testing.T, f *flows, bills []utility.Bill) []utility.Bill {
				if _, err := f.k.StartPayment(context.Background(), utility.Electricity, elec, bills[:1]); err != nil {
					t.Fatal(err)
				}
				return bills[1:]
			},
			err: utility.ErrLimitExceeded, msg: "今日自助缴费已达1笔", sent: 1},
		{name: "bills paid elsewhere meanwhile",
			prepare: func(t *testing.T, f *flows, bills []utility.Bill) []utility.Bill {
				other, err := f.k.StartPayment(context.Background(), utility.Electricity, elec, bills)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.sims.Pay(utility.Electricity, other.Payment().Reference); err != nil {
					t.Fatal(err)
				}
				f.k.Exit()
				f.citizen(1)
				return bills // the list shown before they were paid
			},
			err: utility.ErrRejected, msg: "账单已缴清", sent: 1},
		{name: "amount not the bills'",
			prepare: func(t *testing.T, f *flows, bills []utility.Bill) []utility.Bill {
				b := slices.Clone(bills)
				b[0].Amount--
				return b
			},
			err: utility.ErrRejected, msg: "缴费金额与账单不符"},
		{name: "utility down", faults: utilitysim.Faults{Down: true}, err: app.ErrPaymentBusy},
		{name: "utility failing", faults: utilitysim.Faults{ErrorRate: 1}, err: app.ErrPaymentBusy},
		{name: "no bill", prepare: func(*testing.T, *flows, []utility.Bill) []utility.Bill { return nil }},
		{name: "a paid bill",
			prepare: func(t *testing.T, f *flows, bills []utility.Bill) []utility.Bill {
				b := slices.Clone(bills)
				b[0].Paid = true
				return b
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, tc.opts)
			f.citizen(1)
			_, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
			if tc.prepare != nil {
				bills = tc.prepare(t, f, bills)
			}
			if err := f.sims.SetFaults(utility.Electricity, tc.faults); err != nil {
				t.Fatal(err)
			}
			// The kiosk waits several seconds for an order; a citizen's flowPatience is
			// shorter here, so that a utility that cannot answer does not slow the test.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			flow, err := f.k.StartPayment(ctx, utility.Electricity, elec, bills)
			if err == nil {
				t.Fatalf("payment started: %+v", flow.Payment())
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			msg := f.k.CitizenMessage(err, utility.Electricity)
			if !strings.Contains(msg, tc.msg) {
				t.Fatalf("citizen message %q, want %q in it", msg, tc.msg)
			}
			checkCitizenText(t, msg, err)
			if got := received(t, f.sims, utility.Electricity, utility.KindPayment); len(got) != tc.sent {
				t.Fatalf("the utility created %d orders, want %d", len(got), tc.sent)
			}
		})
	}
}

// The same payment is never started twice: starting the same bills again in the same
// session (again, in another order, or from several goroutines at once: a double tap)
// gives the same flow and one order at the utility. Once that order is finished, or in
// another session, starting them makes a new order.
func TestPayStartedOnce(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	ctx := context.Background()
	orders := func() int { return len(received(t, f.sims, utility.Electricity, utility.KindPayment)) }

	const taps = 6
	flows := make([]*app.PaymentFlow, taps)
	errs := make([]error, taps)
	var wg sync.WaitGroup
	for i := range taps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			flows[i], errs[i] = f.k.StartPayment(ctx, utility.Electricity, number, bills)
		}()
	}
	wg.Wait()
	first := flows[0]
	for i := range taps {
		if errs[i] != nil {
			t.Fatalf("tap %d: %v", i, errs[i])
		}
		if flows[i] != first {
			t.Fatalf("tap %d got another flow (order %s, the first %s)", i, flows[i].Payment().Reference, first.Payment().Reference)
		}
	}
	again, err := f.k.StartPayment(ctx, utility.Electricity, number, []utility.Bill{bills[1], bills[0]})
	if err != nil || again != first {
		t.Fatalf("the same bills in another order: %v, same flow %v", err, again == first)
	}
	if n := orders(); n != 1 {
		t.Fatalf("the utility created %d orders, want 1", n)
	}
	if up := payAtUtility(t, f.k, utility.Electricity, first.Payment().Reference); up.Status != utility.PaymentPending {
		t.Fatalf("the order is %s at the utility", up.Status)
	}

	// One bill of the two is another payment.
	one, err := f.k.StartPayment(ctx, utility.Electricity, number, bills[:1])
	if err != nil || one == first {
		t.Fatalf("one bill of two: %v, same flow %v", err, one == first)
	}
	if err := one.Cancel(ctx); err != nil {
		t.Fatal(err)
	}

	// A finished payment is not given back: the citizen starts a new one.
	if err := first.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	next, err := f.k.StartPayment(ctx, utility.Electricity, number, bills)
	if err != nil || next == first || next.Payment().Reference == first.Payment().Reference {
		t.Fatalf("after cancelling: %v, same flow %v", err, next == first)
	}
	// Another citizen session does not reuse this one's flow.
	f.k.Exit()
	f.citizen(1)
	other, err := f.k.StartPayment(ctx, utility.Electricity, number, bills)
	if err != nil || other == next {
		t.Fatalf("another session: %v, same flow %v", err, other == next)
	}
	if n := orders(); n != 4 {
		t.Fatalf("the utility created %d orders, want 4", n)
	}
}

// A citizen told the utility is busy who taps 缴费 again gets the order of the first
// request, which the outbox kept and delivered once the utility was back, not a second
// order made by a second request.
func TestPayAgainAfterBusy(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := f.k.StartPayment(ctx, utility.Electricity, number, bills); !errors.Is(err, app.ErrPaymentBusy) {
		t.Fatalf("with the utility down: %v, want ErrPaymentBusy", err)
	}
	if err := f.sims.SetFaults(utility.Electricity, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	var flow *app.PaymentFlow
	for try := 0; flow == nil; try++ { // the outbox's backoff may outlast one wait
		fl, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
		switch {
		case err == nil:
			flow = fl
		case !errors.Is(err, app.ErrPaymentBusy) || try == 5:
			t.Fatalf("tap %d after the utility came back: %v", try+2, err)
		}
	}
	pollUntil(t, 30*time.Second, "the outbox to drain", func() bool { return f.k.Outbox.Pending()[utility.Electricity] == 0 })
	got := received(t, f.sims, utility.Electricity, utility.KindPayment)
	if len(got) != 1 {
		t.Fatalf("the utility created %d orders, want 1", len(got))
	}
	if up := payAtUtility(t, f.k, utility.Electricity, flow.Payment().Reference); up.Status != utility.PaymentPending {
		t.Fatalf("the flow's order is %s at the utility", up.Status)
	}
}

// A citizen told the utility is busy who leaves: the order the utility makes once it is
// back, its QR never shown, is cancelled rather than left to hold the bills until it
// expires; whether it came before the citizen left or after, or after the kiosk
// restarted (its request still in the outbox, delivered by the next run).
func TestPayLateOrderCancelled(t *testing.T) {
	for _, when := range []string{"made after the citizen left", "made before", "made after a restart"} {
		afterLeaving := when != "made before"
		t.Run(when, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			f.citizen(1)
			number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if _, err := f.k.StartPayment(ctx, utility.Electricity, number, bills); !errors.Is(err, app.ErrPaymentBusy) {
				t.Fatalf("with the utility down: %v, want ErrPaymentBusy", err)
			}
			made := func() bool { return len(received(t, f.sims, utility.Electricity, utility.KindPayment)) == 1 }
			if when == "made after a restart" {
				mustDo(t, f.k.Close())
				f.k = f.start()
			}
			if afterLeaving {
				f.k.Exit()
				setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			} else {
				setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
				awaitCond(t, "the order made", made)
				f.k.Exit()
			}
			awaitCond(t, "the late order cancelled", func() bool {
				return len(received(t, f.sims, utility.Electricity, utility.KindCancelPayment)) == 1
			})
			if !made() {
				t.Fatal("no order was made")
			}
			list, err := f.k.Outbox.List(outbox.Done, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list {
				if r.Kind == utility.KindPayment {
					if up := payAtUtility(t, f.k, utility.Electricity, r.UtilityRef); up.Status != utility.PaymentCancelled {
						t.Fatalf("the late order is %s at the utility", up.Status)
					}
				}
			}
		})
	}
}

// Out of paper: the payment still completes, the citizen is told the receipt did not
// print (print.paper_out) and still has the receipt URL for the on-screen QR, staff see
// the printer's state as not OK and a print.failed entry in the journal under the
// payment's kiosk reference.
func TestPayWithoutPaper(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{AutoPay: payAutoPay})
	f.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	flow, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	if err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	awaitPayFinal(t, flow, w)
	if st := flow.Payment().Status; st != utility.PaymentPaid {
		t.Fatalf("the order is %s, want paid", st)
	}
	r, ok := flow.Printed()
	if !ok || r.OK || r.Message != "print.paper_out" || r.Detail == "" {
		t.Fatalf("print result %+v (known %v)", r, ok)
	}
	if !w.printedWhenPaid {
		t.Fatal("the watch reported paid before the print's outcome was known")
	}
	if flow.ReceiptURL() == "" {
		t.Fatal("no receipt URL for the on-screen QR")
	}
	if st, ok := f.k.DeviceState("printer"); !ok || st.OK || st.Message != "print.paper_out" {
		t.Fatalf("printer state %+v", st)
	}
	if !f.rig.Printer().State().PaperEnd {
		t.Fatal("the emulator did not run out of paper")
	}
	kinds := payJournalKinds(t, f.k, flow.KioskRef)
	if !slices.Contains(kinds, journal.PrintFailed) || slices.Contains(kinds, journal.Print) {
		t.Fatalf("journal of %s: %v, want print.failed", flow.KioskRef, kinds)
	}
	if got := received(t, f.sims, utility.Electricity, utility.KindPayment); len(got) != 1 {
		t.Fatalf("the utility received %d orders", len(got))
	}

	// The receipt is kept for 补打: staff print it once the paper is in, and it goes. The
	// next citizen at the screen has nothing to do with it: no receipt comes out into
	// their hands while they are served.
	f.k.Exit()
	f.citizen(0)
	ctx := context.Background()
	if list, err := f.k.Reprints.List(); err != nil || len(list) != 1 || list[0].Ref != flow.KioskRef || list[0].Kind != reprint.Payment {
		t.Fatalf("kept for reprinting: %+v, %v", list, err)
	}
	if _, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); !errors.Is(err, staff.ErrCitizenPresent) {
		t.Fatalf("reprinted during another citizen's visit: %v", err)
	}
	f.k.Exit()
	if r, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); err != nil || r.OK {
		t.Fatalf("reprinted with no paper: %+v, %v", r, err)
	}
	f.rig.Printer().SetFaults(sim.PrinterFaults{})
	f.rig.Printer().LoadPaper()
	if r, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); err != nil || !r.OK {
		t.Fatalf("reprint: %+v, %v", r, err)
	}
	if err := f.rig.Printer().WaitCuts(ctx, 1); err != nil {
		t.Fatal(err)
	}
	outs := f.rig.Printer().Printouts()
	if codes := simtest.DecodeQRs(outs[len(outs)-1].Image); !slices.Equal(codes, []string{flow.ReceiptURL()}) {
		t.Fatalf("the reprint's QR codes %q, want %q", codes, flow.ReceiptURL())
	}
	if _, err := f.k.Reprint(ctx, flow.KioskRef, "staff-7"); !errors.Is(err, reprint.ErrNotFound) {
		t.Fatalf("a receipt printed again is still kept: %v", err)
	}
	evs, err := f.k.Journal.ByRef(flow.KioskRef)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(e journal.Event) bool { return e.Kind == journal.StaffReprint && e.Actor == "staff-7" }) ||
		evs[len(evs)-1].Kind != journal.Print || evs[len(evs)-1].Session != "" {
		t.Fatalf("journal of %s: %+v", flow.KioskRef, evs)
	}
}

// The session's end (退出办理, or the idle timer) wipes what the accounts and payment
// flows kept in it: the accounts' tiles are dropped, the session holds nothing, nothing
// can be looked up or paid without a new session, and a new session does not get the
// last citizen's accounts or payment back.
func TestPaySessionWipe(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(k *app.Kiosk)
	}{
		{name: "exit", end: func(k *app.Kiosk) { k.Exit() }},
		{name: "idle", end: func(k *app.Kiosk) { k.Sessions.End(session.ReasonIdle) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			s, acc, number, bills, flow := f.payingCitizen(1)
			if len(acc.Tiles()) == 0 || s.Len() < 3 { // identity, accounts, payment
				t.Fatalf("before the end: %d tiles, %d session values", len(acc.Tiles()), s.Len())
			}
			tc.end(f.k)
			if !s.Wiped() || s.Len() != 0 {
				t.Fatalf("the session holds %d values after its end", s.Len())
			}
			if _, ok := s.Identity(); ok {
				t.Fatal("the identity survived")
			}
			if tiles := acc.Tiles(); len(tiles) != 0 {
				t.Fatalf("the accounts survived: %+v", tiles)
			}
			if _, ok := f.k.SessionAccounts(); ok {
				t.Fatal("accounts without a session")
			}
			if _, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills); !errors.Is(err, app.ErrNoSession) {
				t.Fatalf("paying without a session: %v", err)
			}
			if _, err := f.k.StartAccountLookup(); !errors.Is(err, app.ErrNoSession) {
				t.Fatalf("looking up without a session: %v", err)
			}
			f.citizen(1)
			if _, ok := f.k.SessionAccounts(); ok {
				t.Fatal("the new session has the last one's accounts")
			}
			next, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
			if err != nil || next == flow {
				t.Fatalf("the new session got the last one's payment back (%v)", err)
			}
		})
	}
}

// A citizen who leaves with a pay QR on screen leaves no open order behind: the kiosk
// cancels it at the utility. An order the citizen paid just before leaving is not
// printed for the next citizen to pick up (the payer has the utility's e-receipt) and
// its holder's name is forgotten.
func TestPayAbandonedWhenCitizenLeaves(t *testing.T) {
	for _, tc := range []struct {
		name     string
		paid     bool // the citizen paid just before leaving
		wantLast string
	}{
		{name: "pending", wantLast: utility.PaymentCancelled},
		{name: "paid just before", paid: true, wantLast: utility.PaymentPaid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			_, _, _, _, flow := f.payingCitizen(1)
			ref := flow.Payment().Reference
			if tc.paid {
				if _, err := f.sims.Pay(utility.Electricity, ref); err != nil {
					t.Fatal(err)
				}
			}
			f.k.Exit()
			awaitCond(t, "the order settled at the utility", func() bool {
				return payAtUtility(t, f.k, utility.Electricity, ref).Status == tc.wantLast
			})
			awaitCond(t, "the flow to end", flow.Final)
			if tc.paid {
				awaitCond(t, "the print decision", func() bool { _, ok := flow.Printed(); return ok })
				if r, _ := flow.Printed(); r.OK || r.Message != "print.citizen_left" {
					t.Fatalf("print after the citizen left: %+v", r)
				}
			}
			if n := len(f.rig.Printer().Printouts()); n != 0 {
				t.Fatalf("%d receipts printed after the citizen left", n)
			}
			kinds := payJournalKinds(t, f.k, flow.KioskRef)
			if slices.Contains(kinds, journal.Print) {
				t.Fatal("a print journalled after the citizen left")
			}
			// The payer can still ask staff for the receipt, the one they would have had.
			if kept := payKept(t, f.k, flow.KioskRef); kept != tc.paid {
				t.Fatalf("receipt kept for reprinting: %v, want %v", kept, tc.paid)
			}
			if r, err := f.k.Reprints.Get(flow.KioskRef); tc.paid && (err != nil || !periodsRE.MatchString(r.Payment.Periods) || r.Payment.Payee == "") {
				t.Fatalf("the kept receipt lacks the periods (as citizens read them) or the payee: %+v, %v", r.Payment, err)
			}
			if slices.Contains(kinds, journal.PaymentSettled) != tc.paid || slices.Contains(kinds, journal.PaymentPaid) != tc.paid {
				t.Fatalf("journal %v", kinds)
			}
			awaitCond(t, "the order forgotten", func() bool { return payOrders(t, f.k) == 0 })
			// A paid order is not cancelled: no refusal for staff to clear.
			counts, err := f.k.Outbox.Count()
			if err != nil || counts[outbox.Dead][utility.Electricity] != 0 {
				t.Fatalf("dead letters %v (%v)", counts[outbox.Dead], err)
			}
		})
	}
}

// A citizen's payment is seen paid while the printer is busy with another receipt, and
// the next citizen's card is read before the printer is free: the paid receipt, with the
// payer's name and account, does not print for the next citizen to pick up. It is kept
// for staff to print (补打), journaled under the payer's visit, and the payment counted
// once. Before, the receipt waited for the printer and printed whatever visit was open.
func TestPayReceiptNotPrintedForTheNextCitizen(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	payer, _, _, _, flow := f.payingCitizen(1)
	// Another receipt holds the printer: the printer stops taking it half-way.
	p := f.rig.Printer()
	job, err := f.k.Receipts().TestPage(receipt.TestPage{Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	before := p.Stats().Accepted
	other := make(chan app.PrintResult, 1)
	go func() { other <- f.k.Print(context.Background(), "test page", "R-BUSY", job) }()
	awaitCond(t, "the other receipt under way", func() bool { return p.Stats().Accepted > before+12 })
	p.SetFaults(sim.PrinterFaults{HoldXOFF: true})
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	settled := make(chan error, 1)
	go func() { settled <- flow.Cancel(context.Background()) }() // asks first: finds it paid
	awaitCond(t, "the payment journaled", func() bool {
		return slices.Contains(payJournalKinds(t, f.k, flow.KioskRef), journal.PaymentPaid)
	})
	select {
	case <-other:
		t.Fatal("the other receipt ended before the next citizen came: the test shows nothing")
	default:
	}
	next := f.citizen(2)
	p.SetFaults(sim.PrinterFaults{})
	<-other
	if err := <-settled; err != nil {
		t.Fatal(err)
	}
	r, ok := flow.Printed()
	if !ok || r.OK || (r.Message != "print.visit_ended" && r.Message != "print.citizen_left") {
		t.Fatalf("the payer's receipt once the next citizen was there: %+v (%v)", r, ok)
	}
	if !payKept(t, f.k, flow.KioskRef) {
		t.Fatal("the receipt is not kept for staff to print")
	}
	evs, err := f.k.Journal.ByRef(flow.KioskRef)
	if err != nil {
		t.Fatal(err)
	}
	paid := 0
	for _, e := range evs {
		switch {
		case e.Kind == journal.Print:
			t.Fatalf("a receipt printed: %+v", e)
		case e.Session == next.ID:
			t.Fatalf("the payer's receipt journaled under the next citizen's visit: %+v", e)
		case e.Kind == journal.PaymentPaid:
			paid++
		}
	}
	if paid != 1 || payer.ID == next.ID {
		t.Fatalf("the payment journaled %d times", paid)
	}
}

// A citizen paying with their phone touches nothing: the countdown may come up over the
// pay QR while they pay. Their payment, once the kiosk sees it paid, counts as their
// doing: the countdown ends and the visit goes on with its outcome and receipt, rather
// than being wiped a few seconds later with the receipt left unprinted.
func TestPayPaidDuringCountdownKeepsTheVisit(t *testing.T) {
	t.Parallel()
	c := clock.NewManual(time.Now())
	f := newFlowsAt(t, utilitysim.Options{}, nil, c)
	_, _, _, _, flow := f.payingCitizen(1)
	c.Advance(f.k.Sessions.IdleTime())
	if f.k.Sessions.State() != session.Warning {
		t.Fatalf("state %v after the idle time", f.k.Sessions.State())
	}
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	w := startPayWatch(flow)
	awaitPayFinal(t, flow, w)
	if st := f.k.Sessions.State(); st != session.Active {
		t.Fatalf("state %v once paid: the countdown goes on", st)
	}
	c.Advance(f.k.Config.Kiosk.IdleCountdown.Duration)
	if f.k.Sessions.Current() == nil {
		t.Fatal("the visit was wiped after the citizen paid")
	}
	if r, _ := flow.Printed(); !r.OK {
		t.Fatalf("the receipt: %+v", r)
	}

}

// A visit that ends while its pay QR is being followed leaves nothing running: however
// it ends (退出办理, the idle wipe, the next citizen's card), the watch of its order
// stops, and the order is no longer asked after. Not parallel: it counts the process's
// goroutines.
func TestPayWatchEndsWithTheVisit(t *testing.T) {
	watching := func() int {
		buf := make([]byte, 1<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "(*PaymentFlow).Watch.func")
	}
	for _, tc := range []struct {
		name string
		end  func(f *flows)
	}{
		{"exit", func(f *flows) { f.k.Exit() }},
		{"idle", func(f *flows) { f.k.Sessions.End(session.ReasonIdle) }},
		{"next card", func(f *flows) { f.citizen(2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlows(t, utilitysim.Options{})
			before := watching()
			_, _, _, _, flow := f.payingCitizen(1)
			startPayWatch(flow)
			awaitCond(t, "the watch to start", func() bool { return watching() == before+1 })
			tc.end(f)
			awaitCond(t, "the watch to end", func() bool { return watching() == before })
			awaitCond(t, "the order to end", flow.Final)
		})
	}
}

// A citizen leaves with a pay QR on screen and the kiosk is stopped a moment later,
// while the utility is slow to answer: Close waits for the departed citizen's order to
// be cancelled through the outbox (it does not wait for the slow utility), so the
// cancellation is on disk before the store closes, and goes out at the next start.
func TestPayAbandonedJustBeforeClose(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, _, _, _, flow := f.payingCitizen(1)
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{LatencyMS: 20_000})
	f.k.Exit()
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	st, err := store.Open(store.Options{Dir: f.dir, KeyFile: cfg.Data.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o, ok, err := orders.New(st).Get(flow.KioskRef)
	if err != nil || !ok || !o.CancelSent {
		t.Fatalf("after Close, the order kept %v (%v), its cancellation sent %v", ok, err, o.CancelSent)
	}
}

// payKept reports whether a receipt is kept for reprinting under ref.
func payKept(t *testing.T, k *app.Kiosk, ref string) bool {
	t.Helper()
	_, err := k.Reprints.Get(ref)
	if err != nil && !errors.Is(err, reprint.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// payOrders counts the payment orders the kiosk keeps until it knows their end.
func payOrders(t *testing.T, k *app.Kiosk) int {
	t.Helper()
	list, err := k.Orders.List()
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// payJournalDetail is the detail of the journal's first event of a kind under ref.
func payJournalDetail(t *testing.T, k *app.Kiosk, ref string, kind journal.Kind) string {
	t.Helper()
	if evs := payJournalEvents(t, k, ref, kind); len(evs) > 0 {
		return evs[0].Detail
	}
	return ""
}

// payJournalEvents are the journal's events of a kind naming ref.
func payJournalEvents(t *testing.T, k *app.Kiosk, ref string, kind journal.Kind) []journal.Event {
	t.Helper()
	evs, err := k.Journal.ByRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// The kiosk stops (a crash, a power cut, staff) while a pay QR is on screen. At the
// next start it asks the utility about the order nobody watches any more: one the
// citizen paid meanwhile has its receipt kept for staff to print (补打), named in the
// journal; one still pending is cancelled, so nobody pays it later. Either way the
// order is then forgotten, and nothing prints by itself for the next citizen to find.
func TestPayOrderSettledAfterRestart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		paid       bool
		wantStatus string
		wantDetail string
	}{
		{name: "paid while the kiosk was down", paid: true, wantStatus: utility.PaymentPaid,
			wantDetail: "paid; receipt kept for reprinting"},
		{name: "still pending", wantStatus: utility.PaymentCancelled, wantDetail: utility.PaymentCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			_, _, _, _, flow := f.payingCitizen(1)
			startPayWatch(flow)
			ref := flow.Payment().Reference
			if n := payOrders(t, f.k); n != 1 {
				t.Fatalf("%d orders kept while the QR is shown, want 1", n)
			}
			if err := f.k.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.paid {
				if _, err := f.sims.Pay(utility.Electricity, ref); err != nil {
					t.Fatal(err)
				}
			}
			k := f.start()
			awaitCond(t, "the order settled", func() bool {
				return payAtUtility(t, k, utility.Electricity, ref).Status == tc.wantStatus && payOrders(t, k) == 0
			})
			if d := payJournalDetail(t, k, flow.KioskRef, journal.PaymentSettled); d != tc.wantDetail {
				t.Fatalf("journal: %q, want %q", d, tc.wantDetail)
			}
			if paid := payJournalEvents(t, k, flow.KioskRef, journal.PaymentPaid); len(paid) != map[bool]int{true: 1}[tc.paid] || tc.paid && paid[0].Amount != int64(flow.Amount) {
				t.Fatalf("payment.paid events %+v (paid: %v, %s)", paid, tc.paid, flow.Amount.Yuan())
			}
			if n := len(f.rig.Printer().Printouts()); n != 0 {
				t.Fatalf("%d receipts printed by themselves", n)
			}
			if !tc.paid {
				if payKept(t, k, flow.KioskRef) {
					t.Fatal("a receipt kept for an order nobody paid")
				}
				return
			}
			list, err := k.Reprints.List()
			// The next start cannot tell this from a receipt the last run printed while
			// its data file took no writes (TestReceiptPrintedOnFullDiskThenRestart).
			if err != nil || len(list) != 1 || list[0].Ref != flow.KioskRef || list[0].Reason != app.SaidPrintUnknown {
				t.Fatalf("kept for reprinting: %+v (%v)", list, err)
			}
			r, err := k.Reprint(context.Background(), flow.KioskRef, "staff-7")
			if err != nil || !r.OK {
				t.Fatalf("reprint: %+v, %v", r, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
			defer cancel()
			if err := f.rig.Printer().WaitCuts(ctx, 1); err != nil {
				t.Fatal(err)
			}
			outs := f.rig.Printer().Printouts()
			no := payAtUtility(t, k, utility.Electricity, ref).ReceiptNo
			if codes := simtest.DecodeQRs(outs[0].Image); len(outs) != 1 || len(codes) != 1 || no == "" || !strings.HasSuffix(codes[0], no) {
				t.Fatalf("%d receipts after the reprint, QR codes %q, want one naming %q", len(outs), codes, no)
			}
		})
	}
}

// A citizen cancels while the utility is down: the screen says cancelled, and the
// cancellation waits in the outbox. If the citizen paid after all, the settling pass
// finds the order paid once the utility is back and keeps its receipt; it sends no
// second cancellation of its own.
func TestPayCancelUnansweredSettledLater(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, _, _, _, flow := f.payingCitizen(1)
	ref := flow.Payment().Reference
	if _, err := f.sims.Pay(utility.Electricity, ref); err != nil {
		t.Fatal(err)
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = flow.Cancel(ctx) // not answered: the outbox keeps it
	if st := flow.Payment().Status; st != utility.PaymentCancelled || !flow.CancelUnconfirmed() {
		t.Fatalf("after the cancellation: %s, unconfirmed %v", st, flow.CancelUnconfirmed())
	}
	if err := f.k.SettleOrders(ctx); err == nil {
		t.Fatal("settled while the utility is down")
	}
	if n := payOrders(t, f.k); n != 1 {
		t.Fatalf("%d orders kept while the utility is down, want 1", n)
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	if err := f.k.SettleOrders(ctx); err != nil {
		t.Fatal(err)
	}
	if n := payOrders(t, f.k); n != 0 || !payKept(t, f.k, flow.KioskRef) {
		t.Fatalf("after settling: %d orders, receipt kept %v", n, payKept(t, f.k, flow.KioskRef))
	}
	if n := receivedCount(t, f.sims, utility.Electricity, utility.KindCancelPayment, ""); n > 1 {
		t.Fatalf("%d cancellations reached the utility", n)
	}
}

// An order its utility does not know (its data was reset, as the demo's simulator is
// at every start) is forgotten with a journal entry, not asked about every minute.
func TestPayOrderUnknownAtUtilityForgotten(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	o := orders.Order{KioskRef: "P0001", Utility: utility.Electricity, Account: utilitysim.AccountNumber(utility.Electricity, 1),
		Reference: "ZF-NEVER", Created: time.Now()}
	if err := f.k.Orders.Put(o); err != nil {
		t.Fatal(err)
	}
	if err := f.k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := payOrders(t, f.k); n != 0 {
		t.Fatalf("%d orders kept", n)
	}
	if d := payJournalDetail(t, f.k, o.KioskRef, journal.PaymentSettled); d != "unknown at the utility" {
		t.Fatalf("journal: %q", d)
	}
}

// aheadClock is the system clock d ahead: a kiosk whose clock runs ahead of its
// utility's, as two clocks do by a little.
type aheadClock struct {
	clock.Clock
	d time.Duration
}

func (c aheadClock) Now() time.Time { return c.Clock.Now().Add(c.d) }

// A pay QR whose time is up by the kiosk's clock, and not yet by its utility's (clocks
// differ, by a little or, here, by two minutes): the kiosk tells the citizen the QR
// expired and nothing was charged, so it must make that so: it cancels the order at the
// utility, and a citizen paying on the phone a moment later is refused there, not
// charged for a payment the kiosk has forgotten. Tapping 取消缴费 then, too, reaches
// the utility. Where the utility cannot be asked, the outcome says the kiosk cannot
// tell, and the order is left to the settling pass. Each outcome is journaled once
// under the order's kiosk reference, with its amount and the utility's order number,
// as a dispute needs it, and no account number.
func TestPayExpiredByTheKioskClockReachesTheUtility(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel bool // the citizen taps 取消缴费 once the countdown ended
		down   bool // the utility cannot be reached at the expiry
		ended  string
	}{
		{name: "watched", ended: "expired"},
		{name: "cancelled by the citizen", cancel: true, ended: "cancelled"},
		{name: "utility down", down: true, ended: "expired; not confirmed by the utility"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlowsAt(t, utilitysim.Options{PaymentTTL: time.Minute}, nil, aheadClock{clock.System(), 2 * time.Minute})
			f.citizen(1)
			number, bills := payUnpaidBills(t, f.k, utility.Water, 1)
			flow, err := f.k.StartPayment(context.Background(), utility.Water, number, bills)
			if err != nil {
				t.Fatal(err)
			}
			ref := flow.Payment().Reference
			if tc.down {
				setFaults(t, f.sims, utility.Water, utilitysim.Faults{Down: true})
			}
			if tc.cancel {
				ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
				defer cancel()
				if err := flow.Cancel(ctx); err != nil {
					t.Fatal(err)
				}
			} else {
				w := startPayWatch(flow)
				awaitPayFinal(t, flow, w)
			}
			ended := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentEnded)
			if len(ended) != 1 || ended[0].Detail != tc.ended || ended[0].Amount != int64(flow.Amount) ||
				ended[0].UtilityRef != ref || ended[0].Subject == "" || ended[0].Subject == number || ended[0].Session == "" {
				t.Fatalf("payment.ended events %+v, want one %q of %s", ended, tc.ended, flow.Amount.Yuan())
			}
			if tc.down {
				if st := flow.Payment().Status; st != utility.PaymentExpired || !flow.CancelUnconfirmed() {
					t.Fatalf("with the utility down the outcome is %s, unconfirmed %v: want expired, unconfirmed", st, flow.CancelUnconfirmed())
				}
				if n := payOrders(t, f.k); n != 1 {
					t.Fatalf("%d orders kept for the settling pass, want 1", n)
				}
				return
			}
			if st := flow.Payment().Status; !flow.Final() || st == utility.PaymentPaid || flow.CancelUnconfirmed() {
				t.Fatalf("the kiosk's outcome: %s, unconfirmed %v", st, flow.CancelUnconfirmed())
			}
			// The citizen, told nothing was charged, pays on the phone all the same.
			if _, err := f.sims.Pay(utility.Water, ref); err == nil {
				t.Fatalf("the utility took a payment of an order the kiosk showed as %s, not charged", flow.Payment().Status)
			}
			if up := payAtUtility(t, f.k, utility.Water, ref); up.Status == utility.PaymentPending || up.Status == utility.PaymentPaid {
				t.Fatalf("at the utility the order is %s", up.Status)
			}
		})
	}
}

// A bill of the order paid elsewhere while the pay QR is shown: the utility withdraws
// the order. The flow ends Withdrawn (not the citizen's cancellation, which is not), the
// visit's bills count as changed (the screens fetch them again), and the journal says
// withdrawn, with the order's amount.
func TestPayOrderWithdrawnByTheUtility(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, _, number, bills, flow := f.payingCitizen(1)
	w := startPayWatch(flow)
	before := f.k.BillsChangedInVisit()
	mustDo(t, f.sims.PayElsewhere(utility.Electricity, number, bills[0].ID))
	awaitPayFinal(t, flow, w)
	if st := flow.Payment().Status; st != utility.PaymentCancelled || !flow.Withdrawn() || flow.CancelUnconfirmed() {
		t.Fatalf("the order %s, withdrawn %v, unconfirmed %v", st, flow.Withdrawn(), flow.CancelUnconfirmed())
	}
	if n := f.k.BillsChangedInVisit(); n != before+1 {
		t.Fatalf("bills changed %d times in the visit, want %d", n, before+1)
	}
	ended := payJournalEvents(t, f.k, flow.KioskRef, journal.PaymentEnded)
	if len(ended) != 1 || ended[0].Detail != "withdrawn" || ended[0].Amount != int64(flow.Amount) {
		t.Fatalf("payment.ended events %+v", ended)
	}
	if _, ok := flow.Printed(); ok || len(f.rig.Printer().Printouts()) != 0 {
		t.Fatal("a withdrawn order printed a receipt")
	}
}
