// Package outbox delivers citizen requests to the utilities exactly once, through
// crashes, power cuts and outages of any length (a transactional outbox).
//
// Submit writes the request and its journal entry in one bbolt transaction and returns
// only after the commit is on disk: from then on the request is acknowledged and cannot
// be lost. One worker per utility forwards the stored requests with their Idempotency-Key
// (the same for every attempt, across restarts), in submission order per order key (an
// account, an applicant) and concurrently across keys and utilities. Failures are retried
// with exponential backoff and full jitter. While a utility itself fails (it cannot be
// reached, refuses the kiosk's signature, answers every request with a server error or
// asks it to slow down), its worker holds back and probes, those attempts do not count
// towards MaxAttempts, and Held tells staff: an outage of any length delays requests but
// never discards them. A request is judged on its own only by failures about it (a 409,
// or a 500 while the utility answers other requests). A request the utility refuses for
// good, or one that exhausts MaxAttempts of failures about it, becomes a dead letter
// that staff can list, retry or close with a reason (journaled).
//
// Submit(ctx, req, wait) waits up to wait for the utility's answer (即报即定): its own
// reference when it answers in time, otherwise the kiosk reference, to which the
// utility's reference is bound when it arrives (OnUpdate, Status). SubmitAll stores
// several requests (a joint application's parts) in one transaction, all or none, and
// waits for their answers together.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

// State is where a request is in its life.
type State string

// States of a request.
const (
	// Pending: stored, not yet answered; being forwarded or waiting for a retry.
	Pending State = "pending"
	// Done: the utility answered; UtilityRef is bound.
	Done State = "done"
	// Dead: refused for good or attempts exhausted; waits for staff.
	Dead State = "dead"
	// Closed: a dead letter that staff closed, with a reason; or a request the utility
	// refused as already done, closed by the kiosk (ClosedBy ClosedByKiosk).
	Closed State = "closed"
	// Expired: not delivered before its NotAfter; it was never applied at the utility.
	Expired State = "expired"
)

// ClosedByKiosk is who closed a request the utility refused as already done
// (utility.CodeAlreadyDone): there is nothing left for staff to do with it.
const ClosedByKiosk = "kiosk"

// alreadyDoneReason is the close reason of such a request.
const alreadyDoneReason = "the utility had already done it (already_done)"

// Request is what a flow submits.
type Request struct {
	Utility string
	Kind    utility.Kind
	// Order is the ordering key: requests with the same Order at a utility reach it in
	// submission order. Use the account number, or the applicant's ID number when there
	// is no account yet. It is stored only as a keyed hash.
	Order string
	// Body is the typed request (utility.Application, Transfer, Evaluation,
	// PaymentRequest or Cancellation). Submit sets its kiosk_ref.
	Body any
	// Session is the citizen session's ID, for the journal.
	Session string
	// Group ties the parts of one joint application together (its 联办编号), so that
	// they can be found by it (ByGroup); empty: none. Not personal data.
	Group string
	// Applicant is the ID number of the citizen an application or a transfer is for, so
	// that their ID card finds this kiosk's requests for them (ByApplicant); empty:
	// none. It is stored only as a keyed hash, erased with the request's personal data.
	Applicant string
	// NotAfter, if set, is when the request stops being worth sending (a payment order
	// the citizen has walked away from): it then expires instead of being sent late.
	NotAfter time.Time
	// With, if set, writes what the flow must know of the request at its next start in
	// the request's own transaction, given its kiosk reference: a payment order's record
	// (package orders), a cancellation noted on its order. It is on disk when the request
	// is, before the utility is called, whatever stops the kiosk after the commit; an
	// error from it stores nothing.
	With func(tx *bolt.Tx, kioskRef string) error
}

// Result is what Submit tells the flow.
type Result struct {
	KioskRef string
	Utility  string
	State    State
	// UtilityRef is the utility's own reference when it answered within the wait.
	UtilityRef string
	// Answer is the utility's answer (decode with Answer.Acceptance and friends).
	Answer *utility.Answer
	// Err is the utility's refusal when it refused within the wait (the kiosk's
	// CitizenMessage words it), the request then Dead or Closed; nil otherwise.
	Err error
	// NotApplied: the request came to nothing at the utility for sure (Status.NotApplied).
	NotApplied bool
}

// Answered reports whether the utility answered within the wait (即报即定).
func (r Result) Answered() bool { return r.State == Done }

// Update tells listeners that a request changed state.
type Update struct {
	KioskRef   string
	Utility    string
	Kind       utility.Kind
	State      State
	UtilityRef string
	Err        error
	// NotApplied: the request came to nothing at the utility for sure (Status.NotApplied).
	NotApplied bool
}

// Options tune the outbox; zero values take the defaults.
type Options struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// Rand returns a number in [0, 1) for the backoff's jitter; default math/rand/v2.
	Rand func() float64
	// Base and Cap bound the backoff: attempt n waits random(0, min(Cap, Base·2^n)).
	// Defaults 1 s and 5 min.
	Base, Cap time.Duration
	// MaxAttempts is how many failures about the request itself a request gets before
	// it becomes a dead letter; default 20. Those are a 409 (the same request still in
	// progress), and a 500, a refused signature or an answer that cannot be read while
	// the utility answers other requests as itself. The utility's own failures do not
	// count: it cannot be reached, asks the kiosk to slow down (429), or answers every
	// request with one of those (see Held).
	MaxAttempts int
	// AlertAfter is how long a utility may fail on its own (Held) before the kiosk
	// logs it as an error and journals it (journal.UtilityHeld, then UtilityBack);
	// default 10 min.
	AlertAfter time.Duration
	// Concurrency is how many order keys a utility's worker forwards at once; default 16.
	Concurrency int
	// KeyRetention is how long utilities are assumed to remember an Idempotency-Key; a
	// request older than that is looked up at the utility before it is resent. Default 12 h.
	KeyRetention time.Duration
	// KioskCode is three digits naming this kiosk in its references (kioskRef), so that
	// the kiosks of a district do not hand out the same ones; default "000".
	KioskCode string
	// AttemptTimeout bounds one attempt at a request (a status look-up and a send): the
	// attempt's context ends then, and the request waits as for a utility that did not
	// answer. The reference client bounds each call itself (utilities.*.timeout, at
	// most a minute); this holds an adapter that does not, which would otherwise keep
	// its order's queue, and the outbox's Close, waiting for ever. Default 3 min.
	AttemptTimeout time.Duration
}

// Outbox is the store-and-forward queue. It is safe for concurrent use.
type Outbox struct {
	st  *store.Store
	j   *journal.Journal
	o   Options
	log *slog.Logger

	mu        sync.Mutex
	workers   map[string]*worker
	waiters   map[string][]chan Result
	listeners []func(Update)
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	rndMu     sync.Mutex
}

// ErrUnknownUtility means a request names a utility the outbox has no forwarder for.
var ErrUnknownUtility = errors.New("outbox: no such utility")

// ErrNotFound means no request has that kiosk reference.
var ErrNotFound = errors.New("outbox: no such request")

// ErrTooLate means a request can no longer be withdrawn or closed: it is being sent at
// that moment (ErrInFlight), or it has come to its end since it was listed (its utility
// answered or refused it, it expired, or it was closed): its Status says which.
var ErrTooLate = errors.New("outbox: too late")

// ErrNotRetried means a dead letter is not sent again: it is a payment order, which
// the citizen was told was refused and which nobody would follow; staff close it.
var ErrNotRetried = errors.New("outbox: not sent again")

// ErrInFlight means a request is being sent at that moment: it cannot be withdrawn
// (the utility may be taking it); ask again once the attempt is over. It is an
// ErrTooLate.
var ErrInFlight = fmt.Errorf("%w: the request is being sent right now", ErrTooLate)

// New opens the outbox kept in st, forwarding to the given utilities, and loads the
// requests still pending (after a crash: those in flight too; they are resent with
// their keys once Start is called).
func New(st *store.Store, j *journal.Journal, fwd map[string]utility.Forwarder, o Options) (*Outbox, error) {
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = mrand.Float64
	}
	if o.Base <= 0 {
		o.Base = time.Second
	}
	if o.Cap <= 0 {
		o.Cap = 5 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 20
	}
	if o.AlertAfter <= 0 {
		o.AlertAfter = 10 * time.Minute
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.KeyRetention <= 0 {
		o.KeyRetention = 12 * time.Hour
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 3 * time.Minute
	}
	if o.KioskCode == "" {
		o.KioskCode = "000"
	}
	if !validKioskCode(o.KioskCode) {
		return nil, fmt.Errorf("outbox: kiosk code %q is not three digits", o.KioskCode)
	}
	ob := &Outbox{st: st, j: j, o: o, log: o.Logger, workers: map[string]*worker{}, waiters: map[string][]chan Result{}}
	for id, f := range fwd {
		ob.workers[id] = newWorker(ob, id, f)
	}
	if err := ob.load(); err != nil {
		return nil, err
	}
	return ob, nil
}

// load puts every pending request into its worker's queues, in submission order.
func (ob *Outbox) load() error {
	return ob.st.View(func(tx *bolt.Tx) error {
		recs, err := bucket(tx, store.BucketOutbox)
		if err != nil {
			return err
		}
		waiting, err := bucket(tx, store.BucketOutboxPending)
		if err != nil {
			return err
		}
		return waiting.ForEach(func(k, _ []byte) error {
			r, err := decodeRecord(k, recs.Get(k))
			if err != nil || r == nil {
				return err
			}
			w, ok := ob.workers[r.Utility]
			if !ok {
				// A utility switched off since: its requests wait until it is back.
				ob.log.Warn("outbox: pending request for a utility without forwarder", "utility", r.Utility, "ref", r.Ref)
				return nil
			}
			w.add(itemOf(r))
			return nil
		})
	})
}

// Start runs the workers until ctx ends or Close is called. Starting twice is a no-op.
func (ob *Outbox) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	ob.mu.Lock()
	if ob.cancel != nil {
		ob.mu.Unlock()
		cancel()
		return
	}
	ob.cancel = cancel
	ob.mu.Unlock()
	for _, w := range ob.workers {
		ob.wg.Add(1)
		go func() {
			defer ob.wg.Done()
			w.run(ctx)
		}()
	}
}

// Close stops the workers and waits for them. Requests in flight are abandoned where
// they are: they stay pending and are resent with the same key at the next start.
func (ob *Outbox) Close() error {
	ob.mu.Lock()
	cancel := ob.cancel
	ob.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	ob.wg.Wait()
	ob.mu.Lock()
	ob.cancel = nil
	ob.mu.Unlock()
	return nil
}

// Resume sends the requests waiting for a utility now, rather than when their back-off
// ends: its API has moved (a content bundle's endpoint), and the failures where it was
// say nothing of where it is. An unknown utility is ignored.
func (ob *Outbox) Resume(utility string) {
	if w := ob.workers[utility]; w != nil {
		w.resume()
	}
}

// Reached tells the outbox that a utility has just answered the kiosk as itself, to
// another of its calls (a citizen's look-up). If its requests are held back for its own
// failures (Held), they are sent now rather than when their back-off ends, which may be
// Options.Cap away: citizens asking the utility find it back before the outbox would,
// and the requests of an outage need not wait for its next try. Nothing when it is not
// held (a request waiting for reasons of its own keeps its back-off), nor for an
// unknown utility.
func (ob *Outbox) Reached(utility string) {
	if w := ob.workers[utility]; w != nil && w.isHeld() {
		w.resume()
	}
}

// Hold is a utility whose requests are held back because the utility itself fails: it
// cannot be reached, refuses the kiosk's signature, answers every request with a server
// error or asks the kiosk to slow down. Its requests wait, their attempts kept, and the
// kiosk tries it again with backoff until it answers as itself.
type Hold struct {
	Utility string
	// Since is when the failures began; Err is the last one.
	Since time.Time
	Err   error
	// Long is set once it has lasted Options.AlertAfter (logged and journaled).
	Long bool
}

// Held lists the utilities held back now, by utility.
func (ob *Outbox) Held() []Hold {
	var out []Hold
	for _, w := range ob.workers {
		w.mu.Lock()
		if w.held != nil {
			out = append(out, *w.held)
		}
		w.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Utility < out[j].Utility })
	return out
}

// OnUpdate registers a listener for state changes (answered, dead, expired, retried,
// closed). It is called from the outbox's goroutines and must not block.
func (ob *Outbox) OnUpdate(f func(Update)) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.listeners = append(ob.listeners, f)
}

func (ob *Outbox) notify(u Update, res Result) {
	ob.mu.Lock()
	ls := append([]func(Update){}, ob.listeners...)
	ws := ob.waiters[u.KioskRef]
	delete(ob.waiters, u.KioskRef)
	ob.mu.Unlock()
	for _, c := range ws {
		c <- res
	}
	for _, f := range ls {
		f(u)
	}
}

func (ob *Outbox) jitter() float64 {
	ob.rndMu.Lock()
	defer ob.rndMu.Unlock()
	return ob.o.Rand()
}

// backoff is full jitter: random(0, min(Cap, Base·2^n)).
func (ob *Outbox) backoff(n int) time.Duration {
	d := ob.o.Cap
	if n < 40 {
		if e := ob.o.Base << n; e > 0 && e < d {
			d = e
		}
	}
	return time.Duration(ob.jitter() * float64(d))
}

// retryIn is how long a request waits after its n-th failed send, which failed with
// err: the backoff, or longer when the utility asked for that (its Retry-After), but
// never longer than Cap, so that no Retry-After holds the requests beyond the backoff's
// own bound.
func (ob *Outbox) retryIn(n int, err error) time.Duration {
	return max(ob.backoff(n), min(utility.RetryAfter(err), ob.o.Cap))
}

// cst is China Standard Time, for the date and time in kiosk references.
var cst = time.FixedZone("CST", 8*3600)

// refTick is what one step of a kiosk reference's number stands for: a tenth of a second,
// so that a day's numbers have six digits and a kiosk gives up to ten a second on time.
const refTick = 100 * time.Millisecond

// refPrefix is the start of the kiosk references made at t: K + date + kiosk code.
func refPrefix(t time.Time, code string) string {
	return "K" + t.In(cst).Format("060102") + code
}

// kioskRef is K + date + kiosk code + number: K260612042612345. Digits only after the
// K, so it can be typed on the kiosk's keypad; the code tells a reference made at another
// kiosk (KioskCodeOf). The number is the time of day (newRef). References made before
// the code (K + date + sequence) or before the time (K + date + code + sequence) stay
// valid.
func kioskRef(t time.Time, code string, n uint64) string {
	return fmt.Sprintf("%s%06d", refPrefix(t, code), n)
}

// newRef returns the kiosk reference of a request stored at now in tx. Its number is the
// tenth of a second of the day (CST), not a count kept in the data file: a new data file
// (the key lost, a disk replaced) or a restored backup would count again from where it
// starts and give references given before, and a utility (which keeps requests by kiosk
// reference) could take two requests for one. A number already given today stays
// behind it: it follows the last request's when that is as late (more than ten requests
// a second, the clock set back) and skips any reference still held (the clock set back
// past midnight).
func (ob *Outbox) newRef(tx *bolt.Tx, now time.Time) (string, error) {
	now = now.In(cst)
	n := uint64(now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)) / refTick)
	recs, err := bucket(tx, store.BucketOutbox)
	if err != nil {
		return "", err
	}
	refs, err := bucket(tx, store.BucketOutboxRef)
	if err != nil {
		return "", err
	}
	if _, v := recs.Cursor().Last(); v != nil {
		var last struct {
			Ref string `json:"ref"`
		}
		if err := json.Unmarshal(v, &last); err != nil {
			return "", fmt.Errorf("the last request: %w", err)
		}
		if m, ok := refNumber(last.Ref, refPrefix(now, ob.o.KioskCode)); ok && m >= n {
			n = m + 1
		}
	}
	for {
		ref := kioskRef(now, ob.o.KioskCode, n)
		if refs.Get([]byte(ref)) == nil {
			return ref, nil
		}
		n++
	}
}

// refNumber returns the number of a kiosk reference that starts with prefix, or false
// for one that does not or has no such number (one made before references carried the
// code or the time).
func refNumber(ref, prefix string) (uint64, bool) {
	digits, ok := strings.CutPrefix(ref, prefix)
	if !ok || len(digits) < 6 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// validKioskCode reports whether code can name a kiosk in its references: three digits.
func validKioskCode(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// KioskCodeOf returns the code of the kiosk that made a kiosk reference, or false for a
// reference made before references carried it (12 to 14 digits) and for anything else.
func KioskCodeOf(ref string) (string, bool) {
	digits, ok := strings.CutPrefix(ref, "K")
	if !ok || len(digits) < 15 || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return digits[6:9], true
}

// withKioskRef returns the body's JSON with kiosk_ref set.
func withKioskRef(body any, ref string) ([]byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("the body is not a JSON object")
	}
	m["kiosk_ref"], _ = json.Marshal(ref)
	return json.Marshal(m)
}

// Submit stores req durably with its journal entry, then waits up to wait for the
// utility's answer. It fails only when the request could not be stored; after that it
// always returns the kiosk reference, and the answer when it came in time.
func (ob *Outbox) Submit(ctx context.Context, req Request, wait time.Duration) (Result, error) {
	res, err := ob.SubmitAll(ctx, []Request{req}, wait)
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// SubmitAll stores reqs durably, all of them with their journal entries in one bbolt
// transaction or none of them, then waits up to wait for every utility's answer, the
// utilities asked at once. It is for requests the citizen is told about together (the
// parts of a joint application): a crash or a failed write never leaves some stored and
// the others not, for a submission the citizen was never told was accepted. It fails
// only when the requests could not be stored, and then stores none; after that it
// returns a result per request, in the order of reqs, as Submit does.
func (ob *Outbox) SubmitAll(ctx context.Context, reqs []Request, wait time.Duration) ([]Result, error) {
	for _, req := range reqs {
		if err := ob.check(req); err != nil {
			return nil, err
		}
	}
	now := ob.o.Clock.Now()
	recs := make([]*record, len(reqs))
	err := ob.st.Update(func(tx *bolt.Tx) error {
		for i, req := range reqs {
			r, err := ob.put(tx, req, now)
			if err != nil {
				return fmt.Errorf("%s %s: %w", req.Utility, req.Kind, err)
			}
			recs[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: submit: %w", err)
	}
	res := make([]Result, len(recs))
	done := make([]chan Result, len(recs))
	for i, r := range recs {
		res[i] = Result{KioskRef: r.Ref, Utility: r.Utility, State: Pending}
		if wait > 0 {
			// Before the workers have it: an answer cannot come unheard.
			done[i] = ob.addWaiter(r.Ref)
		}
	}
	for _, r := range recs {
		w := ob.workers[r.Utility]
		w.add(itemOf(r))
		w.poke()
	}
	if wait <= 0 {
		return res, nil
	}
	// One wait for all: each utility was asked as soon as the commit was on disk.
	deadline := time.Now().Add(wait)
	for i, r := range recs {
		res[i] = ob.await(ctx, r.Ref, done[i], time.Until(deadline), res[i])
	}
	return res, nil
}

// check returns why req cannot be submitted, or nil.
func (ob *Outbox) check(req Request) error {
	if _, ok := ob.workers[req.Utility]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownUtility, req.Utility)
	}
	if !req.Kind.Valid() {
		return fmt.Errorf("outbox: unknown kind %q", req.Kind)
	}
	if req.Order == "" {
		return errors.New("outbox: a request needs an order key")
	}
	return nil
}

// put stores req, made at now, under a new kiosk reference in tx, with its journal entry.
func (ob *Outbox) put(tx *bolt.Tx, req Request, now time.Time) (*record, error) {
	recs, err := bucket(tx, store.BucketOutbox)
	if err != nil {
		return nil, err
	}
	seq, err := recs.NextSequence()
	if err != nil {
		return nil, err
	}
	ref, err := ob.newRef(tx, now)
	if err != nil {
		return nil, err
	}
	body, err := withKioskRef(req.Body, ref)
	if err != nil {
		return nil, err
	}
	r := &record{Seq: seq, Ref: ref, Utility: req.Utility, Kind: req.Kind, Key: utility.NewIdempotencyKey(),
		Order:   ob.st.Sealer().Subject("order:"+req.Utility, req.Order),
		Session: req.Session, Group: req.Group, State: Pending, Created: now, NotAfter: req.NotAfter}
	if req.Applicant != "" {
		r.Applicant = ob.applicantHash(req.Applicant)
	}
	r.Body = ob.st.Sealer().Seal(body, bodyContext(ref))
	if err := putRecord(tx, r); err != nil {
		return nil, err
	}
	refs, err := bucket(tx, store.BucketOutboxRef)
	if err != nil {
		return nil, err
	}
	if err := refs.Put([]byte(ref), store.U64(seq)); err != nil {
		return nil, err
	}
	if err := pending(tx, seq, true); err != nil {
		return nil, err
	}
	if req.With != nil {
		if err := req.With(tx, ref); err != nil {
			return nil, err
		}
	}
	return r, ob.j.Append(tx, journal.Event{Time: now, Kind: journal.RequestSubmitted, Session: req.Session,
		Utility: req.Utility, Ref: ref, Subject: r.Order, Detail: string(req.Kind)})
}

// Await waits up to wait (or until ctx ends) for the outcome of a request submitted
// earlier, one whose Submit returned before the utility answered, and returns it as
// Submit would have: with the answer or the refusal once there is one, in state Pending
// while there is none.
func (ob *Outbox) Await(ctx context.Context, ref string, wait time.Duration) (Result, error) {
	done := ob.addWaiter(ref)
	// Registered first, then read: an outcome stored in between still reaches done.
	s, err := ob.Status(ref)
	if err != nil || s.State != Pending {
		ob.dropWaiter(ref, done)
		res := Result{KioskRef: s.KioskRef, Utility: s.Utility, State: s.State, UtilityRef: s.UtilityRef, Answer: s.Answer, NotApplied: s.NotApplied}
		if s.State == Dead || s.State == Closed {
			res.Err = s.Err
		}
		return res, err
	}
	return ob.await(ctx, ref, done, wait, Result{KioskRef: ref, Utility: s.Utility, State: Pending}), nil
}

// LookUp asks the utility of the request ref what became of it: its record of the
// request (utility.Forwarder.Lookup, with the request's key), as the outbox asks before
// it resends one whose key the utility may have forgotten. It is for a request whose
// outcome the kiosk does not know: a dead letter or a closed request the utility may
// have applied (Status.NotApplied false). The answer the utility gave it; its refusal;
// an error wrapping utility.ErrNotFound when it has none (the request never arrived, or
// was not applied: a 5xx is not kept); a temporary error when it cannot tell now. A
// record about another request (ans.About) is ErrBadResponse, as the outbox takes it.
func (ob *Outbox) LookUp(ctx context.Context, ref string) (utility.Answer, error) {
	st, err := ob.Status(ref)
	if err != nil {
		return utility.Answer{}, err
	}
	w, ok := ob.workers[st.Utility]
	if !ok {
		return utility.Answer{}, fmt.Errorf("%w: %q", ErrUnknownUtility, st.Utility)
	}
	body, key, err := w.body(ref)
	if err != nil {
		return utility.Answer{}, err
	}
	ans, err := w.fwd.Lookup(ctx, ref, key)
	if err == nil {
		err = ans.About(utility.Submission{Kind: st.Kind, KioskRef: ref, Key: key, Body: body})
	}
	if err != nil {
		return utility.Answer{}, fmt.Errorf("outbox: look-up of %s: %w", ref, err)
	}
	return ans, nil
}

// await returns what arrives on done within wait, pending if nothing does.
func (ob *Outbox) await(ctx context.Context, ref string, done chan Result, wait time.Duration, pending Result) Result {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case r := <-done:
		return r
	case <-t.C:
	case <-ctx.Done():
	}
	ob.dropWaiter(ref, done)
	// The answer may have arrived while the wait ended.
	select {
	case r := <-done:
		return r
	default:
	}
	return pending
}

// addWaiter returns a channel that gets the outcome of the request ref once it has one.
func (ob *Outbox) addWaiter(ref string) chan Result {
	c := make(chan Result, 1)
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.waiters[ref] = append(ob.waiters[ref], c)
	return c
}

func (ob *Outbox) dropWaiter(ref string, c chan Result) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ws := ob.waiters[ref]
	for i, x := range ws {
		if x == c {
			ob.waiters[ref] = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ob.waiters[ref]) == 0 {
		delete(ob.waiters, ref)
	}
}

// applicantHash is how a request's applicant is stored: a keyed hash of the ID number.
func (ob *Outbox) applicantHash(idNumber string) string {
	return ob.st.Sealer().Subject("applicant", idNumber)
}

func bodyContext(ref string) []byte   { return []byte("outbox/body/" + ref) }
func answerContext(ref string) []byte { return []byte("outbox/answer/" + ref) }
