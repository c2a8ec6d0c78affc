package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/serialport"
)

// PrintResult is how printing a receipt went, for the citizen and for staff.
type PrintResult struct {
	// OK: the whole receipt came out.
	OK bool
	// Partial: some of it came out (the paper ran out); staff reprint it (补打).
	Partial bool
	// Message is an i18n key telling the citizen what happened, when !OK.
	Message string
	// Detail is the staff-facing reason (Chinese), when !OK.
	Detail string
}

// receiptPrinter owns the receipt printer's port for the kiosk's lifetime: the
// driver keeps state between jobs (the tail of a job cut short by an empty roll), and
// the port is reopened when the printer was unplugged. The driver outlives a port that
// failed, so that the tail of a job cut short is still cut off on the next one.
type receiptPrinter struct {
	// held is the printer's lock, a channel so that a wait for it can end with a
	// context: a citizen about to pay is not kept waiting behind another's receipt.
	held    chan struct{}
	closed  bool // the kiosk is shutting down: no port is opened again
	reopen  *serialport.Reopener
	prof    printer.Profile
	drv     *printer.Printer // nil until the port is first opened
	port    serialport.Port  // the port drv is on; nil when it failed and is to be reopened
	builder *receipt.Builder
	log     *slog.Logger
	// gone is set while the printer is unplugged (its port's device not there), and
	// lost is poked when it is found so: the idle check then looks for it every
	// replugEvery, so that staff see it well again as soon as it is plugged back in.
	gone atomic.Bool
	lost chan struct{}
}

func (k *Kiosk) openPrinter() error {
	d := k.Config.Devices.Printer
	if !d.Enabled {
		return nil
	}
	prof, err := receipt.Profile(d)
	if err != nil {
		return err
	}
	b, err := receipt.New(receipt.FromConfig(k.Config), prof)
	if err != nil {
		return err
	}
	k.printer = &receiptPrinter{
		held:    make(chan struct{}, 1),
		reopen:  serialport.NewReopener(d.Port, serialport.Mode{Baud: d.Baud}, serialport.Backoff{}),
		prof:    prof,
		builder: b,
		log:     k.Log,
		lost:    make(chan struct{}, 1),
	}
	return nil
}

// HasPrinter reports whether the kiosk has a receipt printer configured. Without one
// the citizen keeps the on-screen QR code, and is not warned about it as about a fault.
func (k *Kiosk) HasPrinter() bool { return k.printer != nil }

// TrackURL is the content of the tracking QR code of an application reference, as its
// receipt prints it; with or without a printer.
func (k *Kiosk) TrackURL(ref string) (string, error) {
	return receipt.QRURL(k.Config.Receipt.TrackURL, ref)
}

// Receipts returns the receipt builder (nil without a printer).
func (k *Kiosk) Receipts() *receipt.Builder {
	if k.printer == nil {
		return nil
	}
	return k.printer.builder
}

// readyWait bounds how long PrinterReady waits for a receipt being printed to finish: a
// receipt takes a few seconds; one that takes longer has a printer in trouble, which
// its job reports.
const readyWait = 5 * time.Second

// printerBusy is PrinterReady's answer while another receipt is still printing: the
// citizen hears that theirs may not print; staff hear of the printer from that job.
var printerBusy = PrintResult{Message: "print.failed", Detail: saidBusy.ZH}

// PrinterReady reports whether a receipt can be printed now; the citizen is told before
// paying when it cannot (an unknown state is not taken for "out of paper"). It waits at
// most readyWait for a receipt being printed.
func (k *Kiosk) PrinterReady(ctx context.Context) PrintResult {
	if k.printer == nil {
		return noPrinter
	}
	wait, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	st, err := k.printerStatus(wait, ctx)
	return k.printOutcome(printer.Result{After: st}, err)
}

// errPrinterBusy: the printer was still printing when the wait for it ended.
var errPrinterBusy = errors.New("app: the printer is busy printing")

// printerStatus asks the printer for its state (DLE EOT), waiting for it while wait
// lasts (errPrinterBusy after); an error when it cannot print.
func (k *Kiosk) printerStatus(wait, ctx context.Context) (printer.Status, error) {
	p := k.printer
	if err := p.lock(wait); err != nil {
		return printer.Status{}, err
	}
	defer p.unlock()
	return p.status(ctx)
}

// lock takes the printer, waiting at most until ctx ends (errPrinterBusy).
func (p *receiptPrinter) lock(ctx context.Context) error {
	select {
	case p.held <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errPrinterBusy
	}
}

// tryLock takes the printer if nobody holds it.
func (p *receiptPrinter) tryLock() bool {
	select {
	case p.held <- struct{}{}:
		return true
	default:
		return false
	}
}

func (p *receiptPrinter) unlock() { <-p.held }

// status asks the printer for its state (DLE EOT); an error when it cannot print. A
// port that failed is opened again next time (the printer was unplugged). p is held.
func (p *receiptPrinter) status(ctx context.Context) (printer.Status, error) {
	drv, err := p.driver(ctx)
	if err != nil {
		p.seen(err)
		return printer.Status{}, err
	}
	st, err := drv.Ready(ctx)
	if err != nil && !isPrinterState(err) {
		p.portFailed()
	}
	p.seen(err)
	return st, err
}

// portFailed closes the port after an error that is not the printer's state (an I/O
// error, no answer): it is opened again next time. p is held.
func (p *receiptPrinter) portFailed() {
	p.port = nil
	p.reopen.Fail()
}

// seen notes whether err, the outcome of talking to the printer, says it is unplugged,
// and wakes the idle check when it has just been found so. p is held.
func (p *receiptPrinter) seen(err error) {
	gone := serialport.IsGone(err)
	if p.gone.Swap(gone) != gone && gone {
		select {
		case p.lost <- struct{}{}:
		default:
		}
	}
}

// replugEvery is how often the idle check looks for an unplugged printer: opening a
// missing port costs nothing, and staff who plug it back in want to see it well.
const replugEvery = time.Second

// watchPrinter asks the printer for its state now and every devices.printer.check_every,
// so that staff (maintenance mode, kioskctl, the fleet's alarms) hear of the paper
// running low or out, or of a cover left open, before a citizen does; and every
// replugEvery while it is unplugged, so that they see it back once plugged in. A receipt
// being printed reports the state itself: the check is skipped then.
func (k *Kiosk) watchPrinter(ctx context.Context) {
	p := k.printer
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.lost: // a receipt found the printer unplugged
		}
		if p.tryLock() {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			st, err := p.status(cctx)
			cancel()
			p.unlock()
			if ctx.Err() != nil {
				return
			}
			k.printOutcome(printer.Result{After: st}, err)
		}
		wait := k.Config.Devices.Printer.CheckEvery.Duration
		if p.gone.Load() {
			wait = min(wait, replugEvery)
		}
		t.Reset(wait)
	}
}

// noPrinter is the outcome of every print on a kiosk without a printer.
var noPrinter = PrintResult{Message: "print.no_printer", Detail: saidNoPrinter.ZH}

// errPrinterClosed: the kiosk is shutting down.
var errPrinterClosed = errors.New("app: the printer is closed: the kiosk is shutting down")

// driver returns the driver over an open port, opening it when needed. A port opened
// again goes to the same driver: it remembers a job cut short, whose tail the printer
// may still print, and cuts it off before the next job.
func (p *receiptPrinter) driver(ctx context.Context) (*printer.Printer, error) {
	if p.closed {
		return nil, errPrinterClosed
	}
	if p.port != nil {
		return p.drv, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	port, err := p.reopen.Port(ctx)
	if err != nil {
		return nil, err
	}
	if p.drv == nil {
		drv, err := printer.New(printer.OverSerialPort(port), p.prof, printer.Options{Logger: p.log})
		if err != nil {
			return nil, err
		}
		p.drv = drv
	} else {
		p.drv.Reconnect(printer.OverSerialPort(port))
	}
	p.port = port
	return p.drv, nil
}

// close closes the port for good. A job being printed finishes first (half a receipt
// helps nobody; the driver's timeouts bound the wait), and later ones fail.
func (p *receiptPrinter) close() error {
	_ = p.lock(context.Background())
	defer p.unlock()
	p.closed, p.port = true, nil
	return p.reopen.Close()
}

// Print prints a receipt job for the citizen being served and journals it under ref
// with their session. The printer's state goes to the device listeners (staff are
// alerted when it needs paper or attention).
func (k *Kiosk) Print(ctx context.Context, what, ref string, job *printer.Job) PrintResult {
	sid := ""
	if s := k.Sessions.Current(); s != nil {
		sid = s.ID
	}
	return k.print(ctx, what, ref, sid, job, nil)
}

// visitEnded is the outcome of a citizen's receipt whose visit ended before the printer
// was theirs: it is not printed (printKeeping keeps it for staff to print).
var visitEnded = PrintResult{Message: "print.visit_ended", Detail: saidVisitEnded.ZH}

// print is Print journaled with session sid ("": none, a staff action). A citizen's
// receipt is printed only while their visit goes on: once the printer is theirs (another
// receipt may have held it), a visit that has ended meanwhile (the next citizen's card,
// 退出办理, the idle wipe) gets visitEnded, lest the receipt come out into the next
// citizen's hands. printed, if set, is written in the transaction that journals the
// receipt printed (a receipt kept while it printed, forgotten).
func (k *Kiosk) print(ctx context.Context, what, ref, sid string, job *printer.Job, printed func(*bolt.Tx) error) PrintResult {
	if k.printer == nil {
		return noPrinter
	}
	p := k.printer
	var res printer.Result
	err := p.lock(ctx)
	if err == nil && sid != "" && k.visitOver(sid) {
		p.unlock()
		k.Log.Info("receipt not printed: its visit has ended", "what", what, "ref", ref, "session", sid)
		k.record(journal.Event{Kind: journal.PrintFailed, Session: sid, Ref: ref, Detail: what + ": " + visitEnded.Detail})
		return visitEnded
	}
	if err == nil {
		res, err = func() (printer.Result, error) {
			drv, err := p.driver(ctx)
			if err != nil {
				return printer.Result{}, err
			}
			return drv.Print(ctx, job)
		}()
		if err != nil && !isPrinterState(err) {
			// An I/O error or no answer: the port may be gone (unplugged). Reopen it next
			// time.
			p.portFailed()
		}
		p.seen(err)
		p.unlock()
	}
	out := k.printOutcome(res, err)
	if out.OK {
		k.recordWith(journal.Event{Kind: journal.Print, Session: sid, Ref: ref, Detail: what}, printed)
	} else {
		k.Log.Warn("print failed", "what", what, "ref", ref, "reason", out.Detail)
		k.record(journal.Event{Kind: journal.PrintFailed, Session: sid, Ref: ref, Detail: what + ": " + out.Detail})
	}
	return out
}

func isPrinterState(err error) bool {
	// ErrStalled too: the port is kept, and with it what the driver knows of the
	// printer's XOFF (a port opened again would forget it and find it ready).
	for _, e := range []error{printer.ErrPaperOut, printer.ErrCoverOpen, printer.ErrOffline, printer.ErrCutter,
		printer.ErrUnrecoverable, printer.ErrOverheat, printer.ErrStalled} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// printOutcome turns the driver's answer into what the citizen and staff are told, and
// reports the printer's state to the device listeners.
func (k *Kiosk) printOutcome(res printer.Result, err error) PrintResult {
	switch {
	case errors.Is(err, errPrinterClosed):
		// Not the printer's state: staff are not alerted for a shutdown.
		return PrintResult{Message: "print.failed", Detail: saidClosing.ZH}
	case errors.Is(err, errPrinterBusy):
		return printerBusy // the receipt being printed tells of the printer
	}
	dev := DeviceEvent{Device: "printer", OK: true}
	out := PrintResult{OK: err == nil}
	if err != nil {
		out.Partial = res.Partial()
		out.Detail = printer.Advice(err)
		out.Message = "print.failed"
		if errors.Is(err, printer.ErrPaperOut) {
			out.Message = "print.paper_out"
		}
		dev = DeviceEvent{Device: "printer", OK: false, Message: out.Message, Detail: out.Detail}
	} else if res.After.PaperNearEnd {
		dev.Detail = saidNearEnd.ZH
	}
	k.emitDevice(dev)
	return out
}

// paid journals the payment of a paid order and prints its receipt, once: a second
// caller waits for the first one's print. Paying on the phone is the citizen's doing,
// though the screen was not touched: while their visit is open it counts as input, so
// that a countdown that came up over the pay QR does not wipe the visit while its
// receipt prints and its outcome is shown.
func (f *PaymentFlow) paid() {
	f.paidOnce.Do(func() {
		f.k.Sessions.TouchSession(f.session.ID)
		f.k.billsChanged(f.session, f.Utility)
		r := f.k.printPayment(f)
		f.mu.Lock()
		f.printed = &r
		f.mu.Unlock()
	})
}

// Printed returns how printing the receipt went, once the order is paid.
func (f *PaymentFlow) Printed() (PrintResult, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.printed == nil {
		return PrintResult{}, false
	}
	return *f.printed, true
}

// ReceiptURL is the content of the receipt's QR code, shown on screen too.
func (f *PaymentFlow) ReceiptURL() string {
	u, err := receipt.QRURL(f.k.Config.PaymentURL(f.Utility), f.txn())
	if err != nil {
		return ""
	}
	return u
}

func (f *PaymentFlow) txn() string { return txn(f.Payment()) }

// txn is the number a payment receipt names: the utility's payment record, or its order.
func txn(p utility.Payment) string {
	if p.ReceiptNo != "" {
		return p.ReceiptNo
	}
	return p.Reference
}

// printPayment journals the flow's order paid and forgets it (its end is known), and
// prints its receipt; the receipt is kept first, in the same transaction, until it has
// printed (printKeeping): a kill or a power cut from then on leaves the payment
// journaled once, no order for the settling pass to find paid and journal again, and
// its receipt for staff. The receipt of a citizen who has left is kept, not printed.
func (k *Kiosk) printPayment(f *PaymentFlow) PrintResult {
	p, kept := f.Payment(), f.order()
	if !k.HasPrinter() {
		k.recordWith(k.paidEvent(kept, p), k.forgetOrder(kept.KioskRef))
		return noPrinter
	}
	f.mu.Lock()
	name, left := f.holder, f.left
	f.mu.Unlock()
	if left {
		k.paidUnprinted(kept, p)
		return PrintResult{Message: "print.citizen_left"}
	}
	o := f.asOrder()
	o.Holder = name
	out := k.printKeeping(context.Background(), f.session.ID, k.paymentReceipt(o, p),
		k.entry(k.paidEvent(kept, p)), k.forgetOrder(kept.KioskRef))
	if _, still, err := k.Orders.Get(kept.KioskRef); err == nil && still {
		// The order's end was not written (the data file took no writes), so neither
		// was the receipt's keeping nor, if it printed, its journal entry: the settling
		// pass, which finds the order paid once it can write, journals it printed, or
		// keeps it for why it did not print. Printed whole, it is not offered to staff
		// to print again: the payer has it.
		k.payments.mu.Lock()
		k.payments.receipts[kept.KioskRef] = receiptFate{printed: out.OK, why: out.Detail}
		k.payments.mu.Unlock()
	}
	return out
}

// paymentReceipt is the receipt (缴费凭条) of a paid order.
func (k *Kiosk) paymentReceipt(o orders.Order, p utility.Payment) reprint.Receipt {
	return reprint.Receipt{Entry: reprint.Entry{Ref: o.KioskRef, Kind: reprint.Payment},
		Payment: &receipt.Payment{
			Business: k.Text.In(i18n.ZH, "pay.business."+o.Utility), Payee: k.utilityNameZH(o.Utility),
			Account: o.Account, Name: o.Holder, Periods: periodsZH(o.Periods),
			Amount: int64(p.Amount), Method: k.Text.In(i18n.ZH, "pay.method"), TxnID: txn(p),
			Time: paidAt(p, k.Clock.Now()).In(workdays.CST), Hotlines: k.receiptHotlines(o.Utility),
			Terminal: k.Config.Kiosk.ID, Ref: o.KioskRef, URL: k.Config.PaymentURL(o.Utility),
		}}
}

// printKeeping prints the receipt of the citizen of visit sid. It is kept before it goes
// to the printer, marked as being printed, in one transaction with with (what the
// receipt follows from: a payment journaled), and forgotten in the one that journals it
// printed. One that does not print whole, or not at all because the visit has ended, is
// kept, so that staff can print it again (补打) as the citizen was told; so is one the
// kiosk stopped printing (a kill, a power cut), as the next start finds it
// (receiptsInterrupted).
func (k *Kiosk) printKeeping(ctx context.Context, sid string, r reprint.Receipt, with ...func(*bolt.Tx) error) PrintResult {
	b := k.Receipts()
	if b == nil {
		return noPrinter
	}
	job, err := r.Job(b, false)
	if err != nil {
		// Staff are told, as the citizen is: the journal says which receipt and why.
		k.Log.Error("receipt", "kind", r.Kind, "ref", r.Ref, "err", err)
		k.recordWith(journal.Event{Kind: journal.PrintFailed, Session: sid, Ref: r.Ref, Detail: r.Kind + ": " + err.Error()}, with...)
		return PrintResult{Message: "print.failed", Detail: err.Error()}
	}
	if job.Substituted > 0 {
		k.Log.Warn("receipt holds characters the printer lacks, printed as □", "kind", r.Kind, "ref", r.Ref, "characters", job.Substituted)
	}
	r.Time, r.Reason, r.Printing, r.Session = k.Clock.Now(), "", true, sid
	keep := func(tx *bolt.Tx) error { return k.Reprints.KeepTx(tx, r) }
	if err := k.Store.Update(func(tx *bolt.Tx) error { return inTx(tx, with, keep) }); err != nil {
		// Printed all the same (the citizen is at the printer), and what it follows
		// from written alone.
		k.Log.Error("receipt not kept while it prints", "kind", r.Kind, "ref", r.Ref, "err", err)
		if err := k.Store.Update(func(tx *bolt.Tx) error { return inTx(tx, with) }); err != nil {
			k.Log.Error("receipt", "kind", r.Kind, "ref", r.Ref, "err", err)
		}
	}
	out := k.print(ctx, r.Kind, r.Ref, sid, job, func(tx *bolt.Tx) error { return k.Reprints.RemoveTx(tx, r.Ref) })
	if !out.OK {
		r.Time, r.Reason, r.Printing = k.Clock.Now(), out.Detail, false
		if err := k.Reprints.Keep(r); err != nil {
			// Staff cannot print it again (the data file takes no writes: they see it
			// among the devices, out of service; the log names the receipt). The
			// citizen, still in front of the screen, is told to keep its QR code now
			// rather than to ask staff for a reprint that cannot be made.
			k.Log.Error("receipt not kept for reprinting: the citizen is told to keep the screen's QR code", "kind", r.Kind, "ref", r.Ref, "err", err)
			out.Message = notKept
		}
	}
	return out
}

// notKept is the message of a receipt that did not print and could not be kept for
// staff to print again (补打).
const notKept = "print.not_kept"

// receiptsInterrupted takes the receipts the last run was printing when it stopped (a
// crash, a power cut) as kept for staff (补打), and journals each: it may have come out
// whole, in part or not at all, and its citizen has gone. None is printed now, lest it
// come out into the next citizen's hands. It runs at start, before any receipt prints.
func (k *Kiosk) receiptsInterrupted() {
	n, err := k.Reprints.Interrupted(k.Clock.Now(), saidInterrupted.ZH, func(tx *bolt.Tx, e reprint.Entry) error {
		return k.Journal.Append(tx, journal.Event{Kind: journal.PrintFailed, Session: e.Session, Ref: e.Ref,
			Detail: e.Kind + ": " + journal.PrintInterrupted})
	})
	if err != nil {
		k.Log.Error("receipts the last run was printing not found", "err", err)
	} else if n > 0 {
		k.Log.Warn("receipts the last run was printing kept for reprinting", "receipts", n)
	}
}

// Reprint prints a receipt that did not print again, marked （补打）, for staff (actor
// is journaled). Once it printed whole it is no longer kept; reprint.ErrNotFound when
// none is kept under ref. staff.ErrCitizenPresent during a visit: the receipt would
// come out into the hands of whoever stands at the screen.
func (k *Kiosk) Reprint(ctx context.Context, ref, actor string) (PrintResult, error) {
	if k.Sessions.Current() != nil {
		return PrintResult{}, staff.ErrCitizenPresent
	}
	r, err := k.Reprints.Get(ref)
	if err != nil {
		return PrintResult{}, err
	}
	if r.Printing {
		return PrintResult{}, fmt.Errorf("%w: %s", reprint.ErrPrinting, ref)
	}
	b := k.Receipts()
	if b == nil {
		return PrintResult{}, errors.New("app: this kiosk has no printer configured")
	}
	job, err := r.Job(b, true)
	if err != nil {
		return PrintResult{}, err
	}
	k.record(journal.Event{Kind: journal.StaffReprint, Ref: ref, Actor: actor, Detail: r.Kind})
	// Staff's, not the visit at the screen's; forgotten as it is journaled printed.
	return k.print(ctx, r.Kind+" 补打", ref, "", job, func(tx *bolt.Tx) error { return k.Reprints.RemoveTx(tx, ref) }), nil
}

func paidAt(p utility.Payment, now time.Time) time.Time {
	if !p.PaidAt.IsZero() {
		return p.PaidAt
	}
	return now
}

// holderName is the (unmasked) account holder's name from the session's accounts, for
// the receipt, which masks it.
func (k *Kiosk) holderName(utilityID, account string) string {
	a, ok := k.SessionAccounts()
	if !ok {
		return ""
	}
	for _, t := range a.Tiles() {
		for _, acc := range t.Accounts {
			if t.Utility == utilityID && acc.Number == account {
				return acc.HolderName
			}
		}
	}
	return ""
}

// PrintProgress prints a progress summary (办理进度单) of an application: its state,
// deadline, timeline and tracking QR, in Chinese whatever the screen's language. It
// names no applicant: anyone who has the number can track it.
func (k *Kiosk) PrintProgress(ctx context.Context, a Application) PrintResult {
	b := k.Receipts()
	if b == nil {
		return noPrinter
	}
	p := a.Progress
	ref := p.Reference
	if ref == "" {
		ref = p.KioskRef
	}
	state := p.StateName
	if key := "track.state." + p.State; state == "" && k.Text.HasIn(i18n.ZH, key) {
		state = k.Text.In(i18n.ZH, key)
	}
	item := receipt.ProgressItem{Utility: k.receiptUtility(a.Utility), Number: p.Reference, Business: p.ServiceName,
		State: state, WorkingDays: p.WorkingDays, ChosenDate: k.ChosenDate(p.WorkingDays, p.AcceptedAt, p.Deadline)}
	if !p.Deadline.IsZero() {
		item.Deadline = p.Deadline.In(workdays.CST)
	}
	for _, st := range p.Steps {
		s := receipt.Step{Name: st.Name, Current: st.Status == utility.StepCurrent}
		if st.Status == utility.StepDone { // printed √ with its time (Beijing time); the rest ● or ○
			s.Time = st.At.In(workdays.CST)
		}
		item.Steps = append(item.Steps, s)
	}
	job, err := b.Progress(receipt.Progress{Ref: ref, Service: p.ServiceName, Time: k.Clock.Now().In(workdays.CST),
		Items: []receipt.ProgressItem{item}, Hotlines: k.receiptHotlines(a.Utility)})
	if err != nil {
		k.Log.Error("progress receipt", "err", err)
		return PrintResult{Message: "print.failed", Detail: err.Error()}
	}
	return k.Print(ctx, "progress", ref, job)
}

// periodsZH writes the bills' periods an order kept (2026-10、2026-09, as the bills were
// listed, the latest first) as the receipt prints them, oldest first: 2026年9月、2026年10月.
func periodsZH(joined string) string {
	ps := strings.Split(joined, "、")
	slices.Sort(ps) // YYYY-MM
	for i, p := range ps {
		ps[i] = workdays.FormatMonth(p, i18n.ZH)
	}
	return strings.Join(ps, "、")
}

// receiptUtility names a utility on paper: 供电 · 国网梁子湖区供电公司.
func (k *Kiosk) receiptUtility(id string) string {
	return k.Text.In(i18n.ZH, "apply.utility."+id) + " · " + k.utilityNameZH(id)
}

// utilityNameZH is a utility's name in Chinese, the language of every receipt.
func (k *Kiosk) utilityNameZH(id string) string {
	if u, ok := k.Config.Utilities.ByID(id); ok {
		return u.Name
	}
	return id
}

// UtilityHotline is a utility's service number, for a citizen to ask about what the
// kiosk cannot tell them: the first its catalogue names (as receipts print it), else the
// one its configuration gives; "" when neither does. A utility no longer enabled here
// has one too: its configuration stays.
func (k *Kiosk) UtilityHotline(id string) string {
	if u, ok := k.Catalog().Utility(id); ok && len(u.Hotlines) > 0 {
		return u.Hotlines[0].Number
	}
	if u, ok := k.Config.Utilities.ByID(id); ok {
		return u.Hotline
	}
	return ""
}

// receiptHotlines are the numbers printed at the foot of a receipt
// (receipt.FooterHotlines): the utility's own (as its catalogue names it: 自来水公司服务
// 热线), the hall's, then those the catalogue gives every application (政务服务便民热线
// 12345), each once, and those the screens' footer shows in its words.
func (k *Kiosk) receiptHotlines(utilityID string) []receipt.Hotline {
	var own, more []receipt.Hotline
	cat := k.Catalog()
	if u, ok := cat.Utility(utilityID); ok && len(u.Hotlines) > 0 {
		own = append(own, receipt.Hotline{Label: u.Hotlines[0].Label.ZH, Number: u.Hotlines[0].Number})
	} else if u, ok := k.Config.Utilities.ByID(utilityID); ok {
		own = append(own, receipt.Hotline{Label: k.Text.In(i18n.ZH, "apply.utility."+utilityID) + "服务热线", Number: u.Hotline})
	}
	for _, h := range cat.Hotlines {
		more = append(more, receipt.Hotline{Label: h.Label.ZH, Number: h.Number})
	}
	return receipt.FooterHotlines(k.Config.Hotlines, own, more)
}
