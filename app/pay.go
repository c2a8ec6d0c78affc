package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
)

// Payment timings.
const (
	// paymentWait is how long the citizen waits for the utility to create the order.
	paymentWait = 8 * time.Second
	// paymentNotAfter: an order request not delivered by then expires instead of
	// creating an order that nobody will pay.
	paymentNotAfter = 90 * time.Second
	// PaymentPoll is how often the order's status is asked while the QR is shown.
	PaymentPoll = 2 * time.Second
)

// ErrPaymentBusy means the utility did not create the payment order in time.
var ErrPaymentBusy = errors.New("app: the payment order was not created in time")

// ErrPaymentUnconfirmed means the order request ended without an answer that says
// whether the utility made the order: its attempts ran out on failures that say nothing
// of the outcome (a 409, a 500, answers that could not be read); or it was answered with
// what the kiosk cannot take as the order asked (orderNotTaken). No pay QR was shown;
// the order is kept for the settling pass, which asks the utility's record of the
// request (or its order, by the reference answered) and cancels an order it finds (or
// keeps its receipt, paid).
var ErrPaymentUnconfirmed = errors.New("app: the utility did not confirm whether it made the payment order")

// ErrNothingToPay means the chosen bills come to nothing (￥0.00, or less: a credit):
// there is nothing to pay, and no order is asked for.
var ErrNothingToPay = errors.New("app: the chosen bills come to nothing to pay")

// PaymentFlow is one payment: chosen bills → order → pay QR → paid (or cancelled,
// expired) → receipt. Starting the same payment again returns the same flow, so a
// payment is never started twice.
type PaymentFlow struct {
	k        *Kiosk
	Utility  string
	Account  string
	Bills    []utility.Bill
	Amount   utility.Fen
	KioskRef string

	session *session.Session

	mu      sync.Mutex
	payment utility.Payment
	printed *PrintResult
	cancel  context.CancelFunc
	// holder is the account holder's name for the receipt, taken from the session's
	// accounts when the order was made; left is set when the session ended, and the
	// name is forgotten then.
	holder string
	left   bool
	// guessed: the status is the kiosk's own (a cancellation the utility has not
	// answered yet), so the order is left to the settling pass (see SettleOrders).
	guessed bool
	// cancelRef is the kiosk reference of that cancellation, on its way through the
	// outbox: its answer, when it comes, confirms the status (cancelAnswered).
	cancelRef string
	// onConfirmed is called once that answer confirmed the cancellation (see
	// OnCancelConfirmed).
	onConfirmed func(*PaymentFlow)
	// asked: the kiosk asked the utility to cancel the order (取消缴费, its time up, the
	// citizen gone); an order cancelled unasked was withdrawn by its utility.
	asked bool
	// paidOnce journals the payment and prints the receipt once, whoever sees the
	// order paid first (the Watch or a Cancel that came too late); a second caller
	// waits for the print.
	paidOnce sync.Once
	// endedOnce journals an unpaid outcome once (journal.PaymentEnded).
	endedOnce sync.Once
	// cancelling makes a second Cancel (the citizen leaving the QR as their visit
	// ends) wait for the first and find the order final, rather than send another.
	cancelling sync.Mutex
}

// changedKey holds how often a visit's bills changed (see BillsChangedInVisit).
const changedKey = "bills-changed"

// BillsChangedInVisit is how often so far in the current visit the kiosk learnt that
// bills changed: a payment paid, or an order its utility withdrew (a bill paid
// elsewhere meanwhile). Bills and balances fetched before it last changed are out of
// date: a screen showing them fetches them again.
func (k *Kiosk) BillsChangedInVisit() int {
	s := k.Sessions.Current()
	if s == nil {
		return 0
	}
	n, _ := s.Get(changedKey)
	i, _ := n.(int)
	return i
}

// billsChanged counts a change of bills in visit s (BillsChangedInVisit) and has the
// utility asked again for the visit's accounts.
func (k *Kiosk) billsChanged(s *session.Session, utilityID string) {
	if s == nil {
		return
	}
	k.mu.Lock()
	n, _ := s.Get(changedKey)
	i, _ := n.(int)
	s.Set(changedKey, i+1)
	k.mu.Unlock()
	k.accountsChanged(s, utilityID)
}

// Payment returns the order's latest known state.
func (f *PaymentFlow) Payment() utility.Payment {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payment
}

// CancelUnconfirmed reports that the order shows as cancelled (or expired, its time up
// on the kiosk's clock) although the utility has not confirmed it: it could not be
// reached, and the cancellation waits in the outbox.
// A citizen who paid on the phone at that moment has paid; the kiosk cannot tell yet.
func (f *PaymentFlow) CancelUnconfirmed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.guessed
}

// Withdrawn reports whether the utility cancelled the order unasked: a bill of it was
// paid elsewhere meanwhile (at a counter, on a phone), or the utility withdrew it for a
// reason of its own. Nothing was charged, and the bills may have changed.
func (f *PaymentFlow) Withdrawn() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payment.Status == utility.PaymentCancelled && !f.asked
}

// cancelAsked reports whether the kiosk asked the utility to cancel the order.
func (f *PaymentFlow) cancelAsked() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

// Final reports whether the order is finished (paid, expired, cancelled or failed).
func (f *PaymentFlow) Final() bool { return paymentFinal(f.Payment().Status) }

func paymentFinal(status string) bool {
	switch status {
	case utility.PaymentPaid, utility.PaymentExpired, utility.PaymentCancelled, utility.PaymentFailed:
		return true
	}
	return false
}

func paymentKey(utilityID, account string, bills []utility.Bill) string {
	ids := make([]string, len(bills))
	for i, b := range bills {
		ids[i] = b.ID
	}
	sort.Strings(ids)
	return "payment/" + utilityID + "/" + account + "/" + strings.Join(ids, ",")
}

// StartPayment asks the utility for a payment order for the chosen unpaid bills and
// returns the flow with its pay QR. The order request goes through the outbox (stored
// first, one Idempotency-Key for every attempt). The same bills started again in the
// same session give back the same flow while it is not finished and its cancellation
// was not asked, also when the second start comes while the first is still waiting for
// the utility (a double tap).
func (k *Kiosk) StartPayment(ctx context.Context, utilityID, account string, bills []utility.Bill) (_ *PaymentFlow, err error) {
	s := k.Sessions.Current()
	if s == nil {
		return nil, ErrNoSession
	}
	if len(bills) == 0 {
		return nil, errors.New("app: no bill chosen")
	}
	// Bills that come to nothing are nothing to pay, and no order is asked for them: an
	// order of ￥0.00 leaves nothing to check the utility's answer against (ownPayment
	// takes a zero amount for one left out), so whatever amount it answered would be
	// shown, taken and printed.
	var total utility.Fen
	for _, b := range bills {
		total += b.Amount
	}
	if total <= 0 {
		return nil, fmt.Errorf("%w (%s)", ErrNothingToPay, total.Yuan())
	}
	// From the tap on, the payment counts as open (cardpay.go): a card read while the
	// order is being made waits, and is let go here if no order came of the start.
	k.startingPayment(s)
	defer func() {
		var failed bitext.Text
		if err != nil {
			failed = k.PaymentStartFailure(err, utilityID)
		}
		k.startedPayment(s, failed)
	}()
	// One start at a time: a second one (a double tap) waits for the first and then
	// finds its flow, rather than asking the utility for a second order.
	select {
	case k.payments.start <- struct{}{}:
	case <-ctx.Done():
		return nil, ErrPaymentBusy
	}
	defer func() { <-k.payments.start }()
	key := paymentKey(utilityID, account, bills)
	if v, ok := s.Get(key); ok {
		// Not one whose cancellation was asked (the citizen left its QR, 返回, and taps
		// 缴费 again while the utility has not answered it): its QR would show and turn
		// to 已取消 under them as the cancellation lands. A new order is made instead.
		if f := v.(*PaymentFlow); !f.Final() && !f.cancelAsked() {
			return f, nil
		}
	}
	f, err := k.startPayment(ctx, s, key, utilityID, account, bills, total)
	if err != nil {
		return nil, err
	}
	k.payments.mu.Lock()
	k.payments.open[s.ID] = append(k.payments.open[s.ID], f)
	k.payments.mu.Unlock()
	if s.Wiped() { // the citizen left while the order was being made
		k.abandonPayments(s.ID)
	}
	return f, nil
}

// PaymentStartFailure words for the citizen, in both languages, why StartPayment failed
// with err: the utility did not make the order in time (no pay QR, nothing charged), or
// the utility's own refusal.
func (k *Kiosk) PaymentStartFailure(err error, utilityID string) bitext.Text {
	switch {
	case errors.Is(err, ErrPaymentBusy):
		return bitext.New(k.Text.In(i18n.ZH, "pay.busy"), k.Text.In(i18n.EN, "pay.busy"))
	case errors.Is(err, ErrNothingToPay):
		return bitext.New(k.Text.In(i18n.ZH, "pay.nothing_to_pay"), k.Text.In(i18n.EN, "pay.nothing_to_pay"))
	case errors.Is(err, ErrPaymentUnconfirmed):
		return bitext.New(k.Text.In(i18n.ZH, "pay.unconfirmed", k.utilityNameIn(i18n.ZH, utilityID)),
			k.Text.In(i18n.EN, "pay.unconfirmed", k.utilityNameIn(i18n.EN, utilityID)))
	case MaybeStored(err):
		// Not sent; found at the next start, it is sent and its order cancelled at once
		// (lateOrdersOfLastRun): nothing is charged either way.
		return bitext.New(k.Text.In(i18n.ZH, "pay.data_fault"), k.Text.In(i18n.EN, "pay.data_fault"))
	case NotStored(err):
		// The order was to be stored before the utility was asked: none was made.
		return bitext.New(k.Text.In(i18n.ZH, "pay.not_stored"), k.Text.In(i18n.EN, "pay.not_stored"))
	}
	return k.Refusal(err, utilityID)
}

// payments are the payment flows of open sessions; start serialises their starts.
type payments struct {
	start chan struct{}
	mu    sync.Mutex
	open  map[string][]*PaymentFlow // by session ID
	// starting counts the starts under way (StartPayment not returned), by session ID;
	// ended is how the visit's last payment ended, while a card held for it may be
	// acted on (see paymentDone).
	starting map[string]int
	ended    map[string]paymentEnd
	live     map[string]bool // kiosk references of the orders flows follow
	// late are the order requests the utility had not answered when the citizen was
	// told it was busy, by kiosk reference: the citizen may tap again and get the
	// order, or leave, and an order made for nobody is cancelled (see orderAnswered).
	late map[string]lateOrder
	// receipts is what became of a paid order's receipt, by the order's kiosk
	// reference, while the order's end could not be written (the data disk full): this
	// run's flow printed it, or why it did not print; or, for an order the last run
	// left, that it is not known (ordersOfLastRun). The settling pass, which finds the
	// order paid once it can write, journals the receipt printed or keeps it for that
	// reason (paidUnprinted). Held in memory only, as nothing could be written then; a
	// restart forgets it, and the next start cannot tell.
	receipts map[string]receiptFate
	// settling: one settling pass at a time (SettleOrders).
	settling sync.Mutex
}

// lateOrder is an order request still on its way: whose visit, which account.
type lateOrder struct{ session, utility, account string }

func newPayments() payments {
	return payments{start: make(chan struct{}, 1), open: map[string][]*PaymentFlow{}, starting: map[string]int{},
		ended: map[string]paymentEnd{}, live: map[string]bool{}, late: map[string]lateOrder{},
		receipts: map[string]receiptFate{}}
}

// receiptFate is what became of a paid order's receipt, as far as this run knows.
type receiptFate struct {
	// printed: this run's flow printed it whole.
	printed bool
	// why it is kept for staff (why it did not print, or that it is not known whether
	// it did), in the staff's Chinese, when !printed.
	why string
}

// abandonPayments ends the payment flows of a session that ended (the citizen left, or
// the idle timer wiped the visit): see PaymentFlow.abandon. An order the utility made
// for the visit after the citizen was told it was busy is cancelled; one still on its
// way is when it comes (orderAnswered).
func (k *Kiosk) abandonPayments(sessionID string) {
	k.payments.mu.Lock()
	flows := k.payments.open[sessionID]
	delete(k.payments.open, sessionID)
	delete(k.payments.ended, sessionID)
	var late []string
	for ref, o := range k.payments.late {
		if o.session == sessionID {
			late = append(late, ref)
		}
	}
	k.payments.mu.Unlock()
	for _, f := range flows {
		k.spawn(f.abandon)
	}
	for _, ref := range late {
		if st, err := k.Outbox.Status(ref); err == nil && st.State != outbox.Pending {
			k.orderAnswered(outbox.Update{KioskRef: ref, Kind: utility.KindPayment, State: st.State, UtilityRef: st.UtilityRef,
				NotApplied: st.NotApplied})
		}
	}
}

// orderAnswered settles an order request the citizen was told was slow, once it has an
// outcome: the order it made is cancelled when the visit it was for is over (its QR was
// never shown: nobody will pay it, and it would hold the bills until it expired); while
// the visit goes on, the citizen tapping 缴费 again gets it.
func (k *Kiosk) orderAnswered(u outbox.Update) {
	k.payments.mu.Lock()
	o, ok := k.payments.late[u.KioskRef]
	over := ok && k.visitOver(o.session)
	if ok && (u.State != outbox.Done || over) {
		delete(k.payments.late, u.KioskRef)
	}
	k.payments.mu.Unlock()
	switch {
	case !ok:
		return // a flow's, or taken by the citizen tapping again
	case u.State != outbox.Done:
		// Refused or expired: no order came of it. Dead after its attempts ran out, the
		// utility may have made it: the settling pass asks (answeredOrder).
		k.releaseOrder(u.KioskRef, u.NotApplied)
		return
	case !over:
		return // the citizen tapping 缴费 again gets it
	}
	// Let go whatever becomes of the cancellation: kept with it noted as sent, the order
	// is settled by the settling pass, which cancels it itself if it could not be sent.
	defer k.releaseOrder(u.KioskRef, false)
	if u.UtilityRef == "" {
		return
	}
	k.Log.Info("an order made after the citizen left is cancelled", "utility", o.utility, "ref", u.KioskRef)
	_, err := k.Outbox.Submit(k.life, k.cancellation(orders.Order{KioskRef: u.KioskRef, Utility: o.utility, Account: o.account,
		Session: o.session, Reference: u.UtilityRef}), 0)
	if err != nil {
		k.Log.Warn("an order made after the citizen left could not be cancelled", "utility", o.utility, "ref", u.KioskRef, "err", err)
	}
}

// lateOrdersOfLastRun takes the order requests the last run left on their way (the
// kiosk stopped while a citizen was told the utility was busy, or while they waited) as
// late ones of a visit that is over: the order each makes, its QR never shown, is
// cancelled when it comes (orderAnswered), rather than left to hold the bills until it
// expires. It runs before the outbox starts delivering them, and before the settling
// pass, which leaves them to orderAnswered. (One the utility had answered when the
// kiosk stopped is the settling pass's: its order was kept as asked.)
func (k *Kiosk) lateOrdersOfLastRun() {
	pending, err := k.Outbox.List(outbox.Pending, 0)
	if err != nil {
		k.Log.Error("payment orders still on their way not listed", "err", err)
		return
	}
	k.payments.mu.Lock()
	defer k.payments.mu.Unlock()
	for _, st := range pending {
		if st.Kind != utility.KindPayment {
			continue
		}
		var req utility.PaymentRequest
		body, err := k.Outbox.Body(st.KioskRef)
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			k.Log.Error("payment order still on its way not read", "utility", st.Utility, "ref", st.KioskRef, "err", err)
			continue
		}
		// No visit: the last run's are all over.
		k.payments.late[st.KioskRef] = lateOrder{utility: st.Utility, account: req.Account}
		k.payments.live[st.KioskRef] = true
	}
}

// visitOver reports whether the visit sessionID has ended.
func (k *Kiosk) visitOver(sessionID string) bool {
	s := k.Sessions.Current()
	return s == nil || s.ID != sessionID || s.Wiped()
}

// stopWatches stops following the open orders at shutdown; the next start settles them
// (SettleOrders).
func (k *Kiosk) stopWatches() {
	k.payments.mu.Lock()
	defer k.payments.mu.Unlock()
	for _, flows := range k.payments.open {
		for _, f := range flows {
			f.StopWatching()
		}
	}
}

// startPayment asks for the order of bills, which come to total (StartPayment summed
// them).
func (k *Kiosk) startPayment(ctx context.Context, s *session.Session, key, utilityID, account string, bills []utility.Bill, total utility.Fen) (*PaymentFlow, error) {
	ids := make([]string, len(bills))
	for i, b := range bills {
		if b.Paid {
			return nil, errors.New("app: a chosen bill is already paid")
		}
		ids[i] = b.ID
	}
	// The order is kept, and claimed by this start, in the request's own transaction,
	// before the utility is called: a kill or a power cut after it leaves the next start
	// an order to settle, never one made at the utility that the kiosk does not know.
	asked, holder := "", k.holderName(utilityID, account)
	res, err := k.orderPayment(ctx, s, key, outbox.Request{
		Utility: utilityID, Kind: utility.KindPayment, Order: account, Session: s.ID,
		Body:     utility.PaymentRequest{Account: account, Bills: ids, Amount: total},
		NotAfter: k.Clock.Now().Add(paymentNotAfter),
		With: k.Orders.Asking(k.askedOrder(s.ID, utilityID, account, holder, bills, total), func(ref string) {
			asked = ref
			k.claimOrder(ref)
		}),
	})
	if err != nil {
		if asked != "" {
			k.releaseOrder(asked, false) // not stored
		}
		return nil, err
	}
	if res.State != outbox.Pending && !res.Answered() {
		return nil, k.orderNotMade(utilityID, res)
	}
	if !res.Answered() {
		return nil, ErrPaymentBusy // a late order request: orderAnswered
	}
	p, err := res.Answer.Payment()
	if err == nil {
		p, err = ownPayment(p, utility.PaymentRequest{KioskRef: res.KioskRef, Account: account, Bills: ids, Amount: total})
	}
	if err == nil && p.Reference == "" {
		// An order answered without its number (an adapter's utility may): a flow would
		// ask its status, and cancel it, by none. The settling pass finds it by its
		// request's record (numberlessOrder).
		err = fmt.Errorf("%w: the order answered without its number", utility.ErrBadResponse)
	}
	if err != nil {
		return nil, k.orderNotTaken(utilityID, res.KioskRef, err)
	}
	f := &PaymentFlow{k: k, Utility: utilityID, Account: account, Bills: bills, Amount: total, KioskRef: res.KioskRef,
		session: s, payment: p, holder: holder}
	k.trackOrder(f)
	s.Set(key, f)
	return f, nil
}

// orderPayment asks the utility for the order, or, when an earlier start of the same
// bills in this session is still on its way to the utility (the citizen was told the
// utility is busy and tapped again), waits for that request instead: it is stored and
// will be delivered, and a second request would make a second order.
func (k *Kiosk) orderPayment(ctx context.Context, s *session.Session, key string, req outbox.Request) (outbox.Result, error) {
	pending := key + "/order"
	if v, ok := s.Get(pending); ok {
		res, err := k.Outbox.Await(ctx, v.(string), paymentWait)
		if err != nil || res.State == outbox.Pending {
			return res, err
		}
		s.Delete(pending)
		k.payments.mu.Lock()
		delete(k.payments.late, v.(string)) // the citizen has it
		k.payments.mu.Unlock()
		if res.State == outbox.Done || res.Err != nil || !res.NotApplied {
			return res, nil // answered, refused, or the utility may have made it
		}
		// Expired (not delivered in time), or closed by staff unsent: no order came of
		// it.
		k.releaseOrder(v.(string), true)
	}
	res, err := k.Outbox.Submit(ctx, req, paymentWait)
	if err == nil && res.State == outbox.Pending {
		s.Set(pending, res.KioskRef)
		k.payments.mu.Lock()
		k.payments.late[res.KioskRef] = lateOrder{session: s.ID, utility: req.Utility, account: req.Order}
		k.payments.mu.Unlock()
	}
	return res, err
}

// orderNotMade lets go of the order asked by res, a request that came to nothing, and
// says why for the citizen: the utility's refusal (or, expired, that it was busy): no
// order, forgotten. A request whose attempts ran out on failures that say nothing of
// the outcome may have made the order at the utility, payable and holding the bills,
// though no QR was shown: it is kept for the settling pass, which asks the utility's
// record of the request (answeredOrder) and cancels the order it finds
// (ErrPaymentUnconfirmed).
func (k *Kiosk) orderNotMade(utilityID string, res outbox.Result) error {
	if res.NotApplied {
		k.releaseOrder(res.KioskRef, true)
		if res.Err != nil {
			return res.Err
		}
		return ErrPaymentBusy
	}
	k.releaseOrder(res.KioskRef, false)
	k.Log.Warn("payment order: the utility may have made it, unanswered; left to the settling pass",
		"utility", utilityID, "ref", res.KioskRef, "err", res.Err)
	if res.Err != nil {
		return fmt.Errorf("%w (%s): %w", ErrPaymentUnconfirmed, res.KioskRef, res.Err)
	}
	return fmt.Errorf("%w (%s)", ErrPaymentUnconfirmed, res.KioskRef)
}

// orderNotTaken lets go of the order asked under ref, which its utility answered with
// what the kiosk cannot take as that order (err): an answer it cannot read (an expiry
// time in a form of the utility's own), or one about another order (the outbox asks
// again when it sees one; an answer kept before it did). No pay QR was shown. But the
// utility answered the request, under its key: an order of it may well exist there,
// holding the bills and payable on the utility's own channels. So it is not forgotten:
// the settling pass follows it, by the reference the outbox kept (answeredOrder), and
// cancels it (or keeps its receipt, paid meanwhile). The payer is told what is true: no
// QR, nothing charged, an order made is cancelled (ErrPaymentUnconfirmed).
func (k *Kiosk) orderNotTaken(utilityID, ref string, err error) error {
	k.releaseOrder(ref, false)
	k.Log.Warn("payment order: its answer not taken; left to the settling pass", "utility", utilityID, "ref", ref, "err", err)
	return fmt.Errorf("%w (%s): its answer not taken: %w", ErrPaymentUnconfirmed, ref, err)
}

// Watch polls the order until it is finished or ctx ends, calling update (from its own
// goroutine) whenever the status changes. When the order is paid it prints the receipt
// first, so that update sees the print's outcome (see Printed).
func (f *PaymentFlow) Watch(ctx context.Context, update func(*PaymentFlow)) {
	ctx, cancel := context.WithCancel(ctx)
	f.mu.Lock()
	if f.cancel != nil {
		f.cancel()
	}
	f.cancel = cancel
	f.mu.Unlock()
	started := f.k.spawn(func() {
		defer cancel()
		last := ""
		for {
			p := f.Payment()
			if p.Status != last {
				last = p.Status
				f.settle()
				update(f)
			}
			if paymentFinal(p.Status) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(PaymentPoll):
			}
			f.refresh(ctx)
			if f.timeUp() {
				f.expire()
			}
		}
	})
	if !started { // the kiosk is closing: the next start settles the order
		cancel()
	}
}

// StopWatching stops a Watch (the citizen left the pay screen).
func (f *PaymentFlow) StopWatching() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
}

func (f *PaymentFlow) refresh(ctx context.Context) {
	c, err := f.k.Client(f.Utility)
	if err != nil {
		return
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := c.Payment(qctx, f.Payment().Reference)
	if err == nil {
		p, err = ownPayment(p, f.request())
	}
	if err != nil {
		// A missed poll is not an answer: the order keeps its state and is asked again.
		// So is an answer about another order than the flow's: shown, and printed on the
		// receipt, it would be someone else's payment.
		f.k.paymentNotTaken(f.Utility, f.KioskRef, "status", err)
		return
	}
	f.mu.Lock()
	f.payment = p
	f.mu.Unlock()
}

// timeUp reports whether the order is pending past its expiry time by the kiosk's
// clock: its countdown has ended, though the utility, whose clock may run behind,
// still takes payment.
func (f *PaymentFlow) timeUp() bool {
	p := f.Payment()
	return p.Status == utility.PaymentPending && !p.ExpiresAt.IsZero() && f.k.Clock.Now().After(p.ExpiresAt)
}

// expire ends an order whose time is up on the kiosk's screen (timeUp). Taking it for
// expired on the kiosk's clock alone would tell the citizen nothing was charged while
// the utility, its clock a little behind, still takes the payment from the phone in
// their hand, and the kiosk, having forgotten the order, would never learn of it. So it
// is cancelled at the utility as 取消缴费 does, and shown as expired: the utility's
// answer decides (paid a moment ago: paid, its receipt printed); unanswered, the
// outcome says the kiosk cannot tell, and the settling pass asks later.
func (f *PaymentFlow) expire() {
	ctx, cancel := context.WithTimeout(f.k.life, 10*time.Second)
	defer cancel()
	if err := f.cancelAs(ctx, utility.PaymentExpired); err != nil {
		f.k.Log.Info("payment expired, its cancellation not answered yet", "utility", f.Utility, "ref", f.KioskRef, "err", err)
	}
}

// request is what the flow asked the utility for: the order every answer about it
// must be (ownPayment).
func (f *PaymentFlow) request() utility.PaymentRequest {
	ids := make([]string, len(f.Bills))
	for i, b := range f.Bills {
		ids[i] = b.ID
	}
	return utility.PaymentRequest{KioskRef: f.KioskRef, Account: f.Account, Bills: ids, Amount: f.Amount}
}

// ownPayment is p, an answer about the order asked for as r (the new order, its status,
// its cancellation), unless it is about another order: the order number may be right
// and the account, the bills, the amount or the request that made it another's
// (utility.Payment.About, the client's own check of a new order), and that answer is
// not taken (ErrBadResponse). What the answer leaves out, which the API allows, is r's:
// the receipt prints the order's account and amount, never a missing one as zero.
func ownPayment(p utility.Payment, r utility.PaymentRequest) (utility.Payment, error) {
	if err := p.About(r); err != nil {
		return utility.Payment{}, err
	}
	// A status the protocol does not have (processing, refunding) is no outcome, nor
	// pending: taken, the order would be counted down by nobody (timeUp counts a pending
	// one), and 取消缴费 would end with the order neither pending nor finished, which the
	// pay screen shows as failed, nothing charged. Not taken, it is a missed answer: the
	// order keeps the state it had and is asked again.
	if !paymentFinal(p.Status) && p.Status != utility.PaymentPending {
		return utility.Payment{}, fmt.Errorf("%w: %w (%.32q): not taken", utility.ErrBadResponse, errUnknownStatus, p.Status)
	}
	if p.KioskRef == "" {
		p.KioskRef = r.KioskRef
	}
	if p.Account == "" {
		p.Account = r.Account
	}
	if len(p.Bills) == 0 {
		p.Bills = r.Bills
	}
	if p.Amount == 0 {
		p.Amount = r.Amount
	}
	return p, nil
}

// errUnknownStatus: an answer about an order gives a status the protocol does not have.
var errUnknownStatus = errors.New("the order's status is none the kiosk knows")

// paymentNotTaken logs an answer about an order (what: its status, …) that was not
// taken: a warning when it was a bad answer (about another order, or unreadable), which
// says what differed, never a value; an ordinary missed question otherwise.
func (k *Kiosk) paymentNotTaken(utilityID, ref, what string, err error) {
	if errors.Is(err, errUnknownStatus) {
		// The status is the utility's word, no personal data: staff need it to ask.
		k.Log.Warn("payment: an answer with a status the kiosk does not know, not taken", "utility", utilityID, "ref", ref, "answer", what, "err", err)
		return
	}
	if errors.Is(err, utility.ErrBadResponse) {
		k.Log.Warn("payment: an answer about another order, not taken", "utility", utilityID, "ref", ref, "answer", what, "err", err)
		return
	}
	k.Log.Info("payment "+what, "utility", utilityID, "ref", ref, "err", err)
}

// settle acts on the order's status: a paid order's receipt is printed, and an order
// that ended is no longer this flow's to follow (see releaseOrder).
func (f *PaymentFlow) settle() {
	f.mu.Lock()
	p, guessed := f.payment, f.guessed
	f.mu.Unlock()
	if p.Status == utility.PaymentPaid {
		f.paid()
	} else if paymentFinal(p.Status) {
		f.endedOnce.Do(func() {
			withdrawn := f.Withdrawn()
			f.k.recordEnded(f.order(), p, guessed, withdrawn)
			if withdrawn {
				f.k.billsChanged(f.session, f.Utility)
			}
		})
	}
	if paymentFinal(p.Status) {
		// A paid order is forgotten in the transaction that journals it paid (printPayment)
		// and nowhere else: when that one failed (the journal or the disk refused it), a
		// removal of its own could still go through and leave a payment journaled never.
		// Kept, the settling pass journals it once it can.
		f.k.releaseOrder(f.KioskRef, !guessed && p.Status != utility.PaymentPaid)
		// A card held meanwhile is read now, or once the payer has read 缴费成功.
		f.k.paymentDone(f.session, paymentEnd{paid: p.Status == utility.PaymentPaid})
	}
}

// Cancel asks the utility to cancel the pending order (取消缴费). A cancellation that
// cannot be delivered now is delivered later by the outbox; the order also expires.
func (f *PaymentFlow) Cancel(ctx context.Context) error {
	return f.cancelAs(ctx, utility.PaymentCancelled)
}

// cancelAs is Cancel, the order shown as status (cancelled, or expired when the kiosk
// cancels it as its time is up) once the utility has cancelled it, or while it has not
// answered.
func (f *PaymentFlow) cancelAs(ctx context.Context, status string) error {
	f.cancelling.Lock()
	defer f.cancelling.Unlock()
	f.mu.Lock()
	f.asked = true
	sent := f.guessed && f.cancelRef != ""
	f.mu.Unlock()
	f.StopWatching()
	if sent {
		// A cancellation is on its way, unanswered (a second tap on 取消缴费, the citizen
		// leaving the outcome). Asking the utility now would show the order pending again
		// while that cancellation waits to be delivered, and this one would send a second:
		// the first one's answer decides (cancelAnswered), or the settling pass. (One not
		// even stored, the kiosk closing, is sent now.)
		return nil
	}
	// Asked first, briefly: an order paid a moment ago is not cancelled (the utility would
	// refuse it as already done); it is settled, its receipt printed. Should the question
	// go unanswered (the kiosk stopping), a cancellation of a paid order is refused as
	// already done and closed by the outbox: nothing for staff to clear.
	qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	f.refresh(qctx)
	cancel()
	p := f.Payment()
	if paymentFinal(p.Status) {
		f.settle()
		return nil
	}
	res, err := f.k.Outbox.Submit(ctx, f.k.cancellation(f.asOrder()), 5*time.Second)
	if err == nil && res.Answered() {
		q, err := res.Answer.Payment()
		if err == nil {
			q, err = ownPayment(q, f.request())
		}
		if err == nil {
			if q.Status == utility.PaymentCancelled {
				q.Status = status
			}
			f.mu.Lock()
			f.payment = q
			f.mu.Unlock()
			f.settle()
			return nil
		}
		f.k.paymentNotTaken(f.Utility, f.KioskRef, "cancellation", err)
	}
	// Not answered yet (the outbox delivers the cancellation later), not even stored (the
	// kiosk closing), or answered about another order: ask once more in case the citizen
	// paid in the meantime; a paid order is never shown as cancelled, and its receipt is
	// printed as the Watch would have. The order is left to the settling pass, which
	// asks the utility, and cancels it unless a cancellation was sent already. Never is
	// an order still open shown as an outcome (the screens would read it as failed,
	// nothing charged).
	f.refresh(ctx)
	f.mu.Lock()
	if f.payment.Status == utility.PaymentPending {
		f.payment.Status, f.guessed = status, true
		if err == nil {
			f.cancelRef = res.KioskRef
		}
	}
	f.mu.Unlock()
	f.settle()
	if err != nil {
		return err
	}
	return res.Err
}

// cancellationAnswered takes the answer to a cancellation that a flow of an open visit
// sent and that was not answered then (the outcome says 已申请取消缴费, the kiosk unable
// to say nothing was charged): the utility has now confirmed it, and the flow says so.
func (k *Kiosk) cancellationAnswered(u outbox.Update) {
	if u.State != outbox.Done {
		return // refused (paid meanwhile) or not delivered: the settling pass finds out
	}
	k.payments.mu.Lock()
	var flows []*PaymentFlow
	for _, open := range k.payments.open {
		flows = append(flows, open...)
	}
	k.payments.mu.Unlock()
	for _, f := range flows {
		f.cancelAnswered(u.KioskRef)
	}
}

// cancelAnswered confirms the flow's unconfirmed cancellation when ref is it and its
// answer says the order ended unpaid: shown as unconfirmed for good, the screen would
// keep saying the kiosk cannot tell for a cancellation the utility confirmed. Only what
// the flow shows changes: the order, journaled ended unconfirmed when it was shown so,
// is the settling pass's, which journals what the utility says (SettleOrders).
func (f *PaymentFlow) cancelAnswered(ref string) {
	f.mu.Lock()
	mine := f.guessed && f.cancelRef == ref
	f.mu.Unlock()
	if !mine {
		return
	}
	st, err := f.k.Outbox.Status(ref)
	if err != nil || st.State != outbox.Done || st.Answer == nil {
		return
	}
	q, err := st.Answer.Payment()
	if err == nil {
		q, err = ownPayment(q, f.request())
	}
	if err != nil {
		f.k.paymentNotTaken(f.Utility, f.KioskRef, "cancellation", err)
		return
	}
	if !paymentFinal(q.Status) || q.Status == utility.PaymentPaid {
		return // not an unpaid end: the settling pass asks the utility
	}
	f.mu.Lock()
	if q.Status == utility.PaymentCancelled {
		q.Status = f.payment.Status // as shown: cancelled, or expired (its time up)
	}
	f.payment, f.guessed = q, false
	confirmed := f.onConfirmed
	f.mu.Unlock()
	if confirmed != nil {
		confirmed(f)
	}
}

// OnCancelConfirmed has fn called (from a goroutine of its own) when a cancellation the
// flow shows as unconfirmed (CancelUnconfirmed) is confirmed by its utility's answer,
// coming later through the outbox: the screen showing the outcome shows it again.
func (f *PaymentFlow) OnCancelConfirmed(fn func(*PaymentFlow)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onConfirmed = fn
}

// abandon ends the flow of a citizen who left: the watch stops, the name is forgotten,
// and a pending order is cancelled at the utility (through the outbox, so that a
// cancellation that cannot be delivered now is delivered later). An order that turns
// out paid is not printed for the next citizen to find: the payer has the utility's
// e-receipt, and the receipt is kept for staff to print on request (补打).
func (f *PaymentFlow) abandon() {
	f.StopWatching()
	f.mu.Lock()
	f.left, f.holder = true, ""
	f.mu.Unlock()
	if f.Final() {
		return
	}
	ctx, cancel := context.WithTimeout(f.k.life, 10*time.Second)
	defer cancel()
	if err := f.Cancel(ctx); err != nil {
		f.k.Log.Info("payment left open by a citizen who left", "utility", f.Utility, "ref", f.KioskRef, "err", err)
	}
	f.k.releaseOrder(f.KioskRef, false) // whatever became of the cancellation
}
