package app_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

// outboxCounts is how many requests the kiosk's outbox holds, by state and utility.
func outboxCounts(t *testing.T, k *app.Kiosk) map[outbox.State]map[string]int {
	t.Helper()
	c, err := k.Outbox.Count()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameCounts fails t unless the outbox holds what it held before.
func sameCounts(t *testing.T, what string, before, now map[outbox.State]map[string]int) {
	t.Helper()
	for _, st := range []outbox.State{outbox.Pending, outbox.Done, outbox.Dead, outbox.Closed, outbox.Expired} {
		for _, u := range allUtilities {
			if before[st][u] != now[st][u] {
				t.Errorf("%s: %d %s requests for %s, were %d", what, now[st][u], st, u, before[st][u])
			}
		}
	}
}

// The data file stops taking writes while the kiosk runs (the kiosk runs in a process
// of its own, its file size limited, as a full disk refuses writes). An application, a
// payment and a rating are each refused: nothing stored, nothing sent to the utility,
// the citizen told in Chinese and English that it was not taken, never a number. The
// kiosk goes out of service for new visits (a card placed opens none) and staff see
// the data file's fault among the devices. Once space is freed, the kiosk's own check
// finds the file writable, serves again without a restart, journals how long it could
// not; the outbox holds what it held, and the same citizen's application is taken.
func TestDiskFullRefusesAndRecovers(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	f := newFlows(t, utilitysim.Options{})
	if free, err := f.k.Store.Free(); err != nil || free < 64<<20 {
		t.Skipf("the test's temporary folder has %d bytes free (%v): the kiosk would stay out of service", free, err)
	}
	identified := make(chan app.IdentifyEvent, 16)
	f.k.OnIdentify(func(e app.IdentifyEvent) {
		if e.Kind == app.Identified || e.Kind == app.Refused {
			identified <- e
		}
	})
	f.citizen(0)
	rated := myApplication(t, f.k, utility.Electricity)
	f.citizen(1)
	number, bills := payUnpaidBills(t, f.k, utility.Electricity, 1)
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	f.citizen(5)
	form := applyFor(t, f.k, nil, water)
	before := outboxCounts(t, f.k)

	free := storetest.FullDisk(t, 2*uint64(os.Getpagesize()))
	r, err := form.Submit(context.Background())
	if !app.NotStored(err) || r != nil {
		t.Fatalf("application on a full disk: %v, %v; want it not stored", r, err)
	}
	fault, down := f.k.DataFault()
	if !down || fault.Detail == "" {
		t.Fatal("a write refused, and the kiosk still takes new visits")
	}
	f.citizen(1)
	if _, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills); !app.NotStored(err) {
		t.Fatalf("payment on a full disk: %v, want it not stored", err)
	} else {
		said := f.k.PaymentStartFailure(err, utility.Electricity)
		for l, text := range map[i18n.Lang]string{i18n.ZH: said.ZH, i18n.EN: said.EN} {
			if text != f.k.Text.In(l, "pay.not_stored") {
				t.Errorf("the payer is told (%s) %q", l, text)
			}
		}
	}
	f.citizen(0)
	if res, err := f.k.Rate(context.Background(), rated, utility.VerySatisfied, nil); !app.NotStored(err) || res.KioskRef != "" {
		t.Fatalf("rating on a full disk: %+v, %v; want it not stored", res, err)
	}
	if f.k.Rated(rated) {
		t.Error("a rating not stored counts as given: the citizen cannot rate again")
	}
	for _, kind := range []utility.Kind{utility.KindApplication, utility.KindPayment, utility.KindEvaluation} {
		for _, u := range []string{utility.Water, utility.Electricity} {
			if n := len(received(t, f.sims, u, kind)); n != 0 {
				t.Errorf("%d %s requests reached %s from a kiosk that could not store them", n, kind, u)
			}
		}
	}
	pollUntil(t, flowPatience, "the data file's fault among the devices", func() bool {
		d, ok := f.k.DeviceState(app.DataDevice)
		return ok && !d.OK && d.Detail == fault.Detail
	})

	f.k.Exit()
	if err := f.rig.PlaceCard(2); err != nil {
		t.Fatal(err)
	}
	if e := nextIdentify(t, identified); e.Kind != app.Refused || e.Message != "outage.data_citizen" || f.k.Sessions.Current() != nil {
		t.Fatalf("a card placed out of service: %+v, a visit open: %t", e, f.k.Sessions.Current() != nil)
	}
	f.rig.RemoveCard()
	f.k.CheckData()
	if _, down := f.k.DataFault(); !down {
		t.Fatal("back in service while the data file still takes no writes")
	}

	free()
	f.k.CheckData()
	if _, down := f.k.DataFault(); down {
		t.Fatal("still out of service once the data file takes writes again")
	}
	pollUntil(t, flowPatience, "the data file's state back to working", func() bool {
		d, ok := f.k.DeviceState(app.DataDevice)
		return ok && d.OK
	})
	sameCounts(t, "after the full disk", before, outboxCounts(t, f.k))
	evs, err := f.k.Journal.Range(fault.Since, f.k.Clock.Now().Add(1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != journal.DataBack || !strings.HasPrefix(evs[0].Detail, "failed since ") {
		t.Errorf("journal since the disk filled: %+v, want only the data file's recovery", evs)
	}
	if err := f.rig.PlaceCard(5); err != nil {
		t.Fatal(err)
	}
	if e := nextIdentify(t, identified); e.Kind != app.Identified {
		t.Fatalf("a card placed once space is freed: %+v", e)
	}
	again := submitForm(t, applyFor(t, f.k, nil, water))
	if p := again.Answers[0]; p.Reference == "" || p.Refused != "" {
		t.Fatalf("the application once space is freed: %+v", p)
	}
}

// nextIdentify is the next card event of events, within flowPatience: a card the reader
// never reports (left alone as one nobody was seen placing, after the reader lost it)
// fails the test, not hangs it.
func nextIdentify(t *testing.T, events <-chan app.IdentifyEvent) app.IdentifyEvent {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(flowPatience):
		t.Fatalf("no card read or refused within %s of its placing", flowPatience)
		return app.IdentifyEvent{}
	}
}

// A request whose journal entry, written in its transaction, cannot be written is not
// acknowledged: nothing of it is stored or sent. That is the journal's fault, not the
// disk's: the kiosk stays in service, and takes the request once the journal mends.
func TestSubmitNotTakenWithoutItsJournalEntry(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	f.citizen(5)
	services := jointOf(t, f.k, catalog.JointConnection, utility.Electricity, utility.Water)
	form := applyFor(t, f.k, nil, services...)
	before := outboxCounts(t, f.k)
	storetest.JournalWritable(t, f.k.Store, false)
	r, err := form.Submit(context.Background())
	if !errors.Is(err, store.ErrNoBucket) || app.NotStored(err) || r != nil {
		t.Fatalf("submitted without its journal entry: %v, %v", r, err)
	}
	sameCounts(t, "a submission without its journal entry", before, outboxCounts(t, f.k))
	for _, u := range []string{utility.Electricity, utility.Water} {
		if n := len(received(t, f.sims, u, utility.KindApplication)); n != 0 {
			t.Errorf("%d applications reached %s without their journal entry", n, u)
		}
	}
	if _, down := f.k.DataFault(); down {
		t.Error("out of service for a journal bucket: the data file takes writes")
	}
	storetest.JournalWritable(t, f.k.Store, true)
	if r := submitForm(t, form); len(r.Answers) != 2 {
		t.Fatalf("the application once the journal mends: %+v", r)
	}
}

// A receipt that does not print (the printer out of paper) while the data file takes no
// writes cannot be kept for staff to print again (补打): the payer, still in front of
// the screen, is told so and to keep the screen's QR code now, in Chinese and English,
// not that staff will reprint it; and no receipt is listed for staff as space is freed.
// The order's write that it was paid failed too, so the order stays kept: the next
// settling pass journals it paid, once, and keeps its receipt for 补打 for what is true,
// why it did not print (out of paper, in the staff's language), not that the payer paid
// after leaving or while the kiosk restarted, as it used to say.
func TestReceiptNotKeptOnFullDisk(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	f := newFlows(t, utilitysim.Options{})
	_, _, _, _, flow := f.payingCitizen(1)
	f.rig.Printer().SetState(sim.PrinterState{PaperEnd: true})
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	free := storetest.FullDisk(t, 2*uint64(os.Getpagesize()))
	awaitPayFinal(t, flow, startPayWatch(flow))
	r, ok := flow.Printed()
	if !ok || r.OK || r.Message != "print.not_kept" {
		t.Fatalf("the receipt on a full disk: %+v (printed %t), want print.not_kept", r, ok)
	}
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		if text := f.k.Text.In(l, r.Message); text == r.Message || text == "" {
			t.Errorf("the payer is told (%s) %q", l, text)
		}
	}
	free()
	f.k.CheckData()
	kept, err := f.k.Reprints.List()
	if err != nil || len(kept) != 0 {
		t.Fatalf("receipts kept for staff: %+v, %v; none could be", kept, err)
	}

	settledPaidOnce(t, f.k, flow.KioskRef, 1)
	kept, err = f.k.Reprints.List()
	if err != nil || len(kept) != 1 || kept[0].Ref != flow.KioskRef {
		t.Fatalf("receipts kept for staff once space is freed: %+v, %v", kept, err)
	}
	if kept[0].Reason != r.Detail || r.Detail == "" {
		t.Errorf("the receipt is kept for %q, want why it did not print, %q", kept[0].Reason, r.Detail)
	}
	if err := f.k.Text.SetLang(i18n.EN); err != nil {
		t.Fatal(err)
	}
	if en := f.k.StaffWords(kept[0].Reason); en == kept[0].Reason {
		t.Errorf("staff read why the receipt is kept as %q in English", en)
	}
}

// A submission whose commit failed after the data file showed it (its meta page's sync
// failed on a failing disk) is one the citizen is told was not taken: the store took
// the commit back, so that neither this run nor the next start finds it and sends it.
// The kiosk goes out of service for the rest of the run, staff told why, and its own
// check does not bring it back (nothing is written to that file again); the next start
// finds the outbox as it was, serves, and takes the application.
func TestSubmitWhoseCommitFailedVisibleIsNotFoundLater(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
	f.citizen(5)
	form := applyFor(t, f.k, nil, water)
	before := outboxCounts(t, f.k)
	storetest.FailMetaWrite(t, f.k.Store)
	r, err := form.Submit(context.Background())
	if !app.NotStored(err) || app.MaybeStored(err) || r != nil {
		t.Fatalf("application whose commit failed once visible: %v, %v; want it not stored", r, err)
	}
	sameCounts(t, "after the failed commit", before, outboxCounts(t, f.k))
	if fault, down := f.k.DataFault(); !down || fault.Detail != app.SaidUntrusted {
		t.Fatalf("data fault %+v (%t), want the file not trusted", fault, down)
	}
	f.k.CheckData()
	if _, down := f.k.DataFault(); !down {
		t.Fatal("back in service on a data file not trusted")
	}
	if n := len(received(t, f.sims, utility.Water, utility.KindApplication)); n != 0 {
		t.Fatalf("%d applications reached the utility", n)
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	f.k = f.start()
	sameCounts(t, "at the next start", before, outboxCounts(t, f.k))
	if _, down := f.k.DataFault(); down {
		t.Fatal("out of service at the next start")
	}
	f.citizen(5)
	water, _ = f.k.Catalog().Service(utility.Water, "new_connection")
	if again := submitForm(t, applyFor(t, f.k, nil, water)); len(again.Answers) != 1 || again.Answers[0].Reference == "" {
		t.Fatalf("the application at the next start: %+v", again)
	}
	if n := len(received(t, f.sims, utility.Water, utility.KindApplication)); n != 1 {
		t.Fatalf("%d applications reached the utility, want the one taken", n)
	}
}

// paidOnFullDisk walks a payment whose receipt prints whole while the data file takes
// no writes: the utility says paid, the disk fills, the flow prints the receipt (the
// printer takes it all), and neither the receipt's keeping nor the order's end could be
// written. It returns the flow and the function that frees the space.
func paidOnFullDisk(t *testing.T, f *flows) (*app.PaymentFlow, func()) {
	t.Helper()
	_, _, _, _, flow := f.payingCitizen(1)
	if _, err := f.sims.Pay(utility.Electricity, flow.Payment().Reference); err != nil {
		t.Fatal(err)
	}
	free := storetest.FullDisk(t, 2*uint64(os.Getpagesize()))
	awaitPayFinal(t, flow, startPayWatch(flow))
	if r, ok := flow.Printed(); !ok || !r.OK {
		t.Fatalf("the receipt on a full disk: %+v (printed %t), want it printed", r, ok)
	}
	if n := len(f.rig.Printer().Printouts()); n != 1 {
		t.Fatalf("%d printouts, want the receipt", n)
	}
	if n := payOrders(t, f.k); n != 1 {
		t.Fatalf("%d orders kept on the full disk, want the paid one, its end not written", n)
	}
	return flow, free
}

// settledPaidOnce runs the settling pass passes times, then fails t unless the kiosk
// keeps no order and has journaled the payment of order ref once.
func settledPaidOnce(t *testing.T, k *app.Kiosk, ref string, passes int) {
	t.Helper()
	for range passes {
		if err := k.SettleOrders(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := payOrders(t, k); n != 0 {
		t.Fatalf("%d orders kept after the settling pass", n)
	}
	if paid := payJournalEvents(t, k, ref, journal.PaymentPaid); len(paid) != 1 {
		t.Fatalf("payment.paid journaled %d times, want once", len(paid))
	}
}

// A receipt that printed whole while the data file took no writes: neither its keeping
// nor the order's end was written, so the order stays kept. The settling pass, once
// space is freed, finds it paid; it journals the payment once and the receipt printed
// (the day's report counts it printed), and keeps nothing for staff to print again
// (补打): the payer took it home, and staff offered to reprint it would print a second
// one, with a journal saying it never printed. A second pass finds nothing to do.
func TestReceiptPrintedOnFullDisk(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	f := newFlows(t, utilitysim.Options{})
	flow, free := paidOnFullDisk(t, f)
	free()
	f.k.CheckData()
	settledPaidOnce(t, f.k, flow.KioskRef, 2)
	if kept, err := f.k.Reprints.List(); err != nil || len(kept) != 0 {
		t.Fatalf("receipts kept for staff to reprint: %+v, %v; the payer has theirs", kept, err)
	}
	printed := payJournalEvents(t, f.k, flow.KioskRef, journal.Print)
	if len(printed) != 1 || printed[0].Detail != reprint.Payment || printed[0].Session == "" {
		t.Fatalf("receipt printed journaled as %+v, want once, the payer's", printed)
	}
	if failed := payJournalEvents(t, f.k, flow.KioskRef, journal.PrintFailed); len(failed) != 0 {
		t.Fatalf("journaled not printed: %+v", failed)
	}
	if d := payJournalDetail(t, f.k, flow.KioskRef, journal.PaymentSettled); d != "paid; receipt printed" {
		t.Fatalf("the order settled as %q", d)
	}
}

// As TestReceiptPrintedOnFullDisk, but the kiosk restarts before space is freed: what
// this run knew (the receipt printed) went with it, and the file cannot say whether
// the receipt printed. The next start's settling pass journals the payment once and
// keeps the receipt for staff, for that: not known whether it printed (ask the payer
// before printing it again), in Chinese and in the staff's English, not that it did not
// print.
func TestReceiptPrintedOnFullDiskThenRestart(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	f := newFlows(t, utilitysim.Options{})
	flow, free := paidOnFullDisk(t, f)
	if err := f.k.Close(); err != nil {
		t.Logf("closed on a full disk: %v", err)
	}
	f.k = f.start()
	free()
	f.k.CheckData()
	settledPaidOnce(t, f.k, flow.KioskRef, 1)
	kept, err := f.k.Reprints.List()
	if err != nil || len(kept) != 1 || kept[0].Ref != flow.KioskRef {
		t.Fatalf("receipts kept for staff: %+v, %v", kept, err)
	}
	if kept[0].Reason != app.SaidPrintUnknown {
		t.Errorf("the receipt is kept for %q, want %q: whether it printed is not known", kept[0].Reason, app.SaidPrintUnknown)
	}
	if err := f.k.Text.SetLang(i18n.EN); err != nil {
		t.Fatal(err)
	}
	if en := f.k.StaffWords(kept[0].Reason); en == kept[0].Reason || !strings.Contains(en, "not known") {
		t.Errorf("staff read why the receipt is kept as %q in English", en)
	}
}

// A citizen's submission whose commit failed once the data file showed it, and could
// not be taken back (a failing disk fails the take-back too): the kiosk cannot tell
// whether the file keeps it. The citizen is not told it was not taken (MaybeStored,
// never NotStored); a payer hears that no pay QR was shown and nothing was charged, in
// Chinese and English (the screens' words for an application and a rating are tested
// in screens). Nothing is sent in this run, and the kiosk is out of service, the file
// not trusted. This disk kept it: the next start sends it once, and cancels the order a
// payment request made at once (nobody has its QR), so that nothing is charged.
func TestSubmitWhoseCommitIsUncertain(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind utility.Kind
		who  int
		// submit submits as the citizen, the data file failing under it.
		submit func(t *testing.T, f *flows) error
		// after checks the next start (the request was sent).
		after func(t *testing.T, f *flows)
	}{
		{name: "application", kind: utility.KindApplication, who: 5, submit: func(t *testing.T, f *flows) error {
			water, _ := f.k.Catalog().Service(utility.Water, "new_connection")
			form := applyFor(t, f.k, nil, water)
			r, err := form.Submit(context.Background())
			if r != nil {
				t.Errorf("a result for an application not known to be stored: %+v", r)
			}
			return err
		}},
		{name: "payment", kind: utility.KindPayment, who: 1, submit: func(t *testing.T, f *flows) error {
			number, bills := payUnpaidBills(t, f.k, utility.Water, 1)
			flow, err := f.k.StartPayment(context.Background(), utility.Water, number, bills)
			if flow != nil {
				t.Errorf("a pay QR for an order not known to be stored: %+v", flow.Payment())
			}
			said := f.k.PaymentStartFailure(err, utility.Water)
			for l, text := range map[i18n.Lang]string{i18n.ZH: said.ZH, i18n.EN: said.EN} {
				if text != f.k.Text.In(l, "pay.data_fault") {
					t.Errorf("the payer is told (%s) %q", l, text)
				}
			}
			return err
		}, after: func(t *testing.T, f *flows) {
			awaitCond(t, "the order made at the next start cancelled", func() bool {
				done, err := f.k.Outbox.List(outbox.Done, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range done {
					if st.Kind == utility.KindPayment {
						return payAtUtility(t, f.k, utility.Water, st.UtilityRef).Status == utility.PaymentCancelled
					}
				}
				return false
			})
		}},
		{name: "rating", kind: utility.KindEvaluation, who: 0, submit: func(t *testing.T, f *flows) error {
			rated := myApplication(t, f.k, utility.Electricity)
			res, err := f.k.Rate(context.Background(), rated, utility.VerySatisfied, nil)
			if res.KioskRef != "" {
				t.Errorf("a rating not known to be stored given a reference: %+v", res)
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlows(t, utilitysim.Options{})
			f.citizen(tc.who)
			u := utility.Water
			if tc.kind == utility.KindEvaluation {
				u = utility.Electricity
			}
			putBack := storetest.FailMetaWriteUncertain(t, f.k.Store)
			err := tc.submit(t, f)
			if !app.MaybeStored(err) || app.NotStored(err) {
				t.Fatalf("%s whose commit could not be taken back: %v; want it maybe stored", tc.name, err)
			}
			if fault, down := f.k.DataFault(); !down || fault.Detail != app.SaidUntrusted {
				t.Fatalf("data fault %+v (%t), want the file not trusted", fault, down)
			}
			if n := len(received(t, f.sims, u, tc.kind)); n != 0 {
				t.Fatalf("%d %s requests reached %s in the run that could not store them", n, tc.kind, u)
			}
			putBack()
			if err := f.k.Close(); err != nil {
				t.Fatal(err)
			}
			f.k = f.start()
			awaitCond(t, "the request the file kept sent at the next start", func() bool {
				return len(received(t, f.sims, u, tc.kind)) == 1
			})
			if tc.after != nil {
				tc.after(t, f)
			}
		})
	}
}
