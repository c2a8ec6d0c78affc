package outbox

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/utility"
)

// item is a pending request in memory: enough to schedule it.
type item struct {
	seq      uint64
	ref      string
	kind     utility.Kind
	order    string
	created  time.Time
	notAfter time.Time
	tries    int
	attempts int
	lastTry  time.Time
	nextAt   time.Time
}

func itemOf(r *record) *item {
	return &item{seq: r.Seq, ref: r.Ref, kind: r.Kind, order: r.Order, created: r.Created, notAfter: r.NotAfter,
		tries: r.Tries, attempts: r.Attempts, lastTry: r.LastTry, nextAt: r.NextAt}
}

// lane is the queue of one order key: only its head is ever in flight.
type lane struct {
	key   string
	items []*item // by seq
	busy  bool
	index int // in the ready heap, -1 when not in it
}

// laneHeap orders idle lanes by when their head is due, then by submission.
type laneHeap []*lane

func (h laneHeap) Len() int { return len(h) }
func (h laneHeap) Less(i, j int) bool {
	a, b := h[i].items[0], h[j].items[0]
	if !a.nextAt.Equal(b.nextAt) {
		return a.nextAt.Before(b.nextAt)
	}
	return a.seq < b.seq
}
func (h laneHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *laneHeap) Push(x any) {
	l := x.(*lane)
	l.index = len(*h)
	*h = append(*h, l)
}
func (h *laneHeap) Pop() any {
	old := *h
	l := old[len(old)-1]
	*h = old[:len(old)-1]
	l.index = -1
	return l
}

// worker forwards one utility's requests.
type worker struct {
	ob  *Outbox
	id  string
	fwd utility.Forwarder

	mu       sync.Mutex
	lanes    map[string]*lane
	ready    laneHeap
	count    int
	inflight int
	// blockedUntil holds dispatch back while the utility itself fails (held).
	blockedUntil time.Time
	// held is the utility's own failure that holds its requests back; nil while it
	// answers as itself.
	held *Hold
	// servedAt is when the utility last answered a request as itself (accepted it,
	// refused it, did not find it): a failure of another request since then is
	// about that request, not the utility.
	servedAt time.Time
	// resumed counts the utility's moves (resume): a send under way across one failed
	// at the place the utility's calls left, which says nothing of where they go now.
	resumed uint64
	timer   clock.Timer
	timerAt time.Time
	wake    chan struct{}
	sends   sync.WaitGroup
}

func newWorker(ob *Outbox, id string, f utility.Forwarder) *worker {
	return &worker{ob: ob, id: id, fwd: f, lanes: map[string]*lane{}, wake: make(chan struct{}, 1)}
}

func (w *worker) size() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count
}

// add queues an item behind the others of its order key.
func (w *worker) add(it *item) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, ok := w.lanes[it.order]
	if !ok {
		l = &lane{key: it.order, index: -1}
		w.lanes[it.order] = l
	}
	// Insert by seq (a staff retry may bring back an older one), never before a head in flight.
	i := len(l.items)
	for i > 0 && l.items[i-1].seq > it.seq && !(i-1 == 0 && l.busy) {
		i--
	}
	l.items = append(l.items, nil)
	copy(l.items[i+1:], l.items[i:])
	l.items[i] = it
	w.count++
	w.schedule(l)
}

// withdraw takes the request out of its lane so that it is never sent: ErrInFlight while
// an attempt is under way. It returns the item (nil when the worker does not hold it).
func (w *worker) withdraw(ref string) (*item, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for key, l := range w.lanes {
		i := slices.IndexFunc(l.items, func(it *item) bool { return it.ref == ref })
		if i < 0 {
			continue
		}
		if i == 0 && l.busy {
			return nil, fmt.Errorf("%w: %s", ErrInFlight, ref)
		}
		it := l.items[i]
		l.items = slices.Delete(l.items, i, i+1)
		w.count--
		switch {
		case l.index >= 0 && len(l.items) == 0:
			heap.Remove(&w.ready, l.index)
			delete(w.lanes, key)
		case l.index >= 0:
			heap.Fix(&w.ready, l.index) // its head may have changed
		case len(l.items) == 0 && !l.busy:
			delete(w.lanes, key)
		}
		return it, nil
	}
	return nil, nil
}

// schedule puts an idle lane with items into (or back into its place in) the heap.
func (w *worker) schedule(l *lane) {
	switch {
	case l.busy || len(l.items) == 0:
	case l.index >= 0:
		heap.Fix(&w.ready, l.index)
	default:
		heap.Push(&w.ready, l)
	}
}

// resume makes every waiting request due now, but those in flight, and lifts the hold
// of an outage.
func (w *worker) resume() {
	w.mu.Lock()
	now := w.ob.o.Clock.Now()
	w.blockedUntil = time.Time{}
	w.resumed++
	for _, l := range w.lanes {
		for i, it := range l.items {
			if (i > 0 || !l.busy) && it.nextAt.After(now) {
				it.nextAt = now
			}
		}
		w.schedule(l)
	}
	w.mu.Unlock()
	w.poke()
}

// isHeld reports whether the utility's own failures hold its requests back.
func (w *worker) isHeld() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.held != nil
}

func (w *worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *worker) run(ctx context.Context) {
	defer func() {
		w.mu.Lock()
		if w.timer != nil {
			w.timer.Stop()
			w.timer = nil
		}
		w.mu.Unlock()
		w.sends.Wait()
	}()
	for {
		w.dispatch(ctx)
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
	}
}

// dispatch starts sends for due lanes, up to the concurrency, and arms a timer for the
// next one due.
func (w *worker) dispatch(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	now := w.ob.o.Clock.Now()
	if now.Before(w.blockedUntil) {
		w.arm(w.blockedUntil, now)
		return
	}
	for w.inflight < w.ob.o.Concurrency && w.ready.Len() > 0 {
		l := w.ready[0]
		it := l.items[0]
		if it.nextAt.After(now) {
			w.arm(it.nextAt, now)
			return
		}
		heap.Pop(&w.ready)
		l.busy = true
		w.inflight++
		w.sends.Add(1)
		go func() {
			defer w.sends.Done()
			w.send(ctx, l, it)
		}()
	}
}

// arm makes sure the worker wakes at t (keeping an earlier timer).
func (w *worker) arm(t, now time.Time) {
	if w.timer != nil && !w.timerAt.After(t) && w.timerAt.After(now) {
		return
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timerAt = t
	w.timer = w.ob.o.Clock.AfterFunc(t.Sub(now), w.poke)
}

// outcome is what one send came to.
type outcome struct {
	state  State
	answer *utility.Answer
	err    error
	// counts says a failure (state Pending) uses up one of the request's MaxAttempts.
	counts bool
}

// blame says whose a failure that may pass is.
type blame int

const (
	// ofRequest: about the request itself (409: the same request still in progress).
	ofRequest blame = iota
	// ofUtility: the utility's state, never the request's (it cannot be reached, 429).
	ofUtility
	// ofEither: the utility's (500, a refused signature, an answer that cannot be read),
	// unless it answers other requests meanwhile: then this request's.
	ofEither
)

func blameOf(err error) blame {
	var e *utility.Error
	switch {
	case utility.Unreachable(err):
		return ofUtility
	case errors.Is(err, utility.ErrBusy):
		if errors.As(err, &e) && (e.Code == utility.CodeRateLimited || e.Status == http.StatusTooManyRequests) {
			return ofUtility
		}
		return ofRequest
	}
	return ofEither
}

// counts reports whether a failure of it, with err, is about the request and uses up
// one of its attempts. w.mu is held.
func (w *worker) counts(it *item, err error) bool {
	switch blameOf(err) {
	case ofRequest:
		return true
	case ofUtility:
		return false
	}
	since := it.lastTry
	if since.IsZero() {
		since = it.created
	}
	return !w.servedAt.IsZero() && !w.servedAt.Before(since)
}

// served reports whether an outcome is the utility answering as itself: an answer, a
// refusal, a request it does not know.
func served(out outcome) bool {
	var e *utility.Error
	switch out.state {
	case Done, Expired, Closed:
		return true
	case Dead:
		return errors.As(out.err, &e) // not a body the kiosk could not read
	}
	return false
}

func (w *worker) send(ctx context.Context, l *lane, it *item) {
	w.mu.Lock()
	resumed := w.resumed
	w.mu.Unlock()
	start := w.ob.o.Clock.Now()
	out := w.attempt(ctx, it, start)
	if ctx.Err() != nil {
		// Shutting down: nothing is recorded; the request is resent at the next start.
		w.release(l, it, false)
		return
	}
	if out.state == Pending {
		w.mu.Lock()
		out.counts = w.counts(it, out.err)
		w.mu.Unlock()
	}
	rec, err := w.record(it, start, out)
	if err != nil {
		// The answer could not be stored: try again later (the key makes it safe).
		w.ob.log.Error("outbox: store outcome", "utility", w.id, "ref", it.ref, "err", err)
		next := w.ob.o.Clock.Now().Add(w.ob.backoff(it.tries + 1))
		// The item is the head of its lane, which add reads under the lock.
		w.mu.Lock()
		it.tries++
		it.nextAt = next
		w.mu.Unlock()
		w.release(l, it, false)
		return
	}
	updated := itemOf(rec)
	finished := rec.State != Pending
	w.mu.Lock()
	*it = *updated
	var started, ended, long *Hold
	switch {
	case served(out):
		w.servedAt, w.blockedUntil = w.ob.o.Clock.Now(), time.Time{}
		ended, w.held = w.held, nil
	case out.state == Pending && w.resumed != resumed:
		// The utility's calls moved while this one was under way (resume): it failed
		// where they no longer go, and is sent where they do now, with its key.
		it.nextAt = w.ob.o.Clock.Now()
	case out.state == Pending && !out.counts:
		// The utility's own failure: hold all its requests back, without using up
		// their attempts, and probe it with backoff.
		if rec.NextAt.After(w.blockedUntil) {
			w.blockedUntil = rec.NextAt
		}
		started, long = w.hold(start, out.err)
	}
	w.mu.Unlock()
	w.reportHold(started, ended, long)
	w.release(l, it, finished)
	if finished {
		res := Result{KioskRef: rec.Ref, Utility: rec.Utility, State: rec.State, UtilityRef: rec.UtilityRef, Answer: out.answer,
			NotApplied: rec.notApplied()}
		if rec.State == Dead || rec.State == Closed {
			res.Err = out.err
		}
		w.ob.notify(Update{KioskRef: rec.Ref, Utility: rec.Utility, Kind: rec.Kind, State: rec.State, UtilityRef: rec.UtilityRef, Err: res.Err,
			NotApplied: res.NotApplied}, res)
	}
}

// hold notes the utility's own failure err of a send begun at start. It returns the
// hold when it begins, and when it has just lasted Options.AlertAfter. w.mu is held.
func (w *worker) hold(start time.Time, err error) (started, long *Hold) {
	if w.held == nil {
		w.held = &Hold{Utility: w.id, Since: start}
		started = w.held
	}
	w.held.Err = err
	if !w.held.Long && w.ob.o.Clock.Now().Sub(w.held.Since) >= w.ob.o.AlertAfter {
		w.held.Long = true
		long = w.held
	}
	if started != nil {
		c := *started
		started = &c
	}
	if long != nil {
		c := *long
		long = &c
	}
	return started, long
}

// reportHold tells staff of a utility's failure (the log) and, once it lasts, of its
// beginning and end (the log and the journal).
func (w *worker) reportHold(started, ended, long *Hold) {
	now := w.ob.o.Clock.Now()
	if started != nil {
		w.ob.log.Warn("outbox: the utility fails: its requests wait, their attempts kept", "utility", w.id, "err", started.Err)
	}
	if long != nil {
		w.ob.log.Error("outbox: the utility has failed for long: its requests wait", "utility", w.id,
			"since", long.Since, "err", long.Err)
		w.journal(journal.Event{Time: now, Kind: journal.UtilityHeld, Utility: w.id, Detail: logging.Scrub(long.Err.Error())})
	}
	if ended != nil {
		w.ob.log.Info("outbox: the utility answers again", "utility", w.id, "failed_for", now.Sub(ended.Since).Round(time.Second).String())
		if ended.Long {
			w.journal(journal.Event{Time: now, Kind: journal.UtilityBack, Utility: w.id,
				Detail: "failed since " + ended.Since.In(cst).Format("2006-01-02 15:04:05")})
		}
	}
}

func (w *worker) journal(e journal.Event) {
	if err := w.ob.j.Record(e); err != nil {
		w.ob.log.Error("outbox: journal", "utility", w.id, "kind", e.Kind, "err", err)
	}
}

// release frees the lane; a finished item leaves it.
func (w *worker) release(l *lane, it *item, finished bool) {
	w.mu.Lock()
	l.busy = false
	w.inflight--
	if finished {
		l.items = l.items[1:]
		w.count--
	}
	if len(l.items) == 0 {
		delete(w.lanes, l.key)
	} else {
		w.schedule(l)
	}
	w.mu.Unlock()
	w.poke()
}

// attempt sends the request once (looking it up first when the utility may have
// forgotten its key) and classifies what came back. It lasts at most AttemptTimeout:
// a forwarder still busy then has not answered (utility.ErrTimeout).
func (w *worker) attempt(ctx context.Context, it *item, now time.Time) outcome {
	actx, cancel := context.WithTimeout(ctx, w.ob.o.AttemptTimeout)
	defer cancel()
	out := w.try(actx, it, now)
	if out.state != Pending && out.state != Dead || ctx.Err() != nil || actx.Err() == nil {
		return out
	}
	return outcome{state: Pending, err: fmt.Errorf("outbox: no answer within %s (%w): %w", w.ob.o.AttemptTimeout, utility.ErrTimeout, out.err)}
}

// try is one attempt, under ctx.
func (w *worker) try(ctx context.Context, it *item, now time.Time) outcome {
	body, key, err := w.body(it.ref)
	if err != nil {
		return outcome{state: Dead, err: err}
	}
	sub := utility.Submission{Kind: it.kind, KioskRef: it.ref, Key: key, Body: body}
	old := now.Sub(it.created) >= w.ob.o.KeyRetention
	expired := !it.notAfter.IsZero() && now.After(it.notAfter)
	if old || expired {
		ans, err := w.fwd.Lookup(ctx, it.ref, key)
		if err == nil {
			// Asked by reference and key only, the utility may answer with a record of
			// another kind or request (a payment's reference bound to an application's
			// number): that is no answer, and it is asked again.
			err = ans.About(sub)
			if err != nil {
				return outcome{state: Pending, err: fmt.Errorf("outbox: look-up of %s: %w", it.ref, err)}
			}
		}
		switch {
		case err == nil:
			return outcome{state: Done, answer: &ans}
		case errors.Is(err, utility.ErrNotFound) && expired:
			return outcome{state: Expired}
		case errors.Is(err, utility.ErrNotFound):
			// Never arrived: sending it now cannot apply it twice.
		case utility.Temporary(err) || errors.Is(err, context.Canceled):
			return outcome{state: Pending, err: err}
		default:
			// The utility refused it when it did arrive.
			return refused(err, body)
		}
	}
	ans, err := w.fwd.Forward(ctx, sub)
	if err == nil {
		// HTTPClient holds its answers to this; an adapter (utility.Adapter) may not.
		// An answer about another request would bind this one to another's number;
		// sent again with the same key, it cannot be applied twice.
		if err := ans.About(sub); err != nil {
			return outcome{state: Pending, err: fmt.Errorf("outbox: answer to %s: %w", it.ref, err)}
		}
	}
	switch {
	case err == nil:
		return outcome{state: Done, answer: &ans}
	case utility.Temporary(err) || errors.Is(err, context.Canceled):
		return outcome{state: Pending, err: err}
	}
	return refused(err, body)
}

// refused is the outcome of a refusal. A request the utility says is already done (a
// payment order paid before its cancellation arrived, an application rated before) is
// closed by the kiosk: nothing is left to do with it, for staff either. Any other
// refusal is a dead letter that waits for staff. What the utility's words quote of the
// citizen, from the request's body, is masked before anyone reads them (MaskOwnWords).
func refused(err error, body []byte) outcome {
	err = MaskOwnWords(err, body)
	var e *utility.Error
	if errors.As(err, &e) && e.Code == utility.CodeAlreadyDone {
		return outcome{state: Closed, err: err}
	}
	return outcome{state: Dead, err: err}
}

// body returns a request's body, unsealed, and its idempotency key.
func (w *worker) body(ref string) ([]byte, string, error) {
	var out []byte
	var key string
	err := w.ob.st.View(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, ref)
		if err != nil {
			return err
		}
		key = r.Key
		out, err = w.ob.st.Sealer().Open(r.Body, bodyContext(ref))
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("outbox: body of %s: %w", ref, err)
	}
	return out, key, nil
}

// record stores an attempt's outcome with its journal entries, sharing the commit with
// the other workers' outcomes (bbolt Batch: the function only puts what it recomputes).
func (w *worker) record(it *item, start time.Time, out outcome) (*record, error) {
	var rec *record
	err := w.ob.st.Batch(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, it.ref)
		if err != nil {
			return err
		}
		now := w.ob.o.Clock.Now()
		r.LastTry = start
		ev := journal.Event{Time: start, Kind: journal.RequestForwarded, Session: r.Session, Utility: r.Utility, Ref: r.Ref, Subject: r.Order}
		events := []journal.Event{}
		switch out.state {
		case Done:
			plain, err := json.Marshal(out.answer)
			if err != nil {
				return err
			}
			r.State, r.UtilityRef, r.DoneAt = Done, out.answer.Reference, now
			r.Answer = w.ob.st.Sealer().Seal(plain, answerContext(r.Ref))
			r.LastError = ""
			ev.Detail = "answered"
			events = append(events, ev, journal.Event{Time: now, Kind: journal.RequestAnswered, Utility: r.Utility, Ref: r.Ref, UtilityRef: r.UtilityRef, Subject: r.Order})
		case Expired:
			r.State, r.DoneAt = Expired, now
			events = append(events, journal.Event{Time: now, Kind: journal.RequestExpired, Utility: r.Utility, Ref: r.Ref, Subject: r.Order, Detail: "not delivered before its deadline"})
		case Pending:
			r.Tries++
			if out.counts {
				r.Attempts++
			}
			r.LastError = out.err.Error()
			ev.Detail = "failed: " + r.LastError
			events = append(events, ev)
			if r.Attempts >= w.ob.o.MaxAttempts {
				r.State, r.DoneAt = Dead, now
				events = append(events, journal.Event{Time: now, Kind: journal.RequestDead, Utility: r.Utility, Ref: r.Ref, Subject: r.Order,
					Detail: fmt.Sprintf("%d attempts failed", r.Attempts)})
			} else {
				r.NextAt = now.Add(w.ob.retryIn(r.Tries, out.err))
			}
		case Dead, Closed:
			r.State, r.DoneAt = out.state, now
			r.LastError = out.err.Error()
			var e *utility.Error
			if errors.As(out.err, &e) {
				r.ErrorCode, r.ErrorStatus = e.Code, e.Status
				if len(e.Field) <= maxErrorField {
					r.ErrorField = e.Field
				}
				if e.Message != "" {
					r.ErrorMessage = w.ob.st.Sealer().Seal([]byte(e.Message), []byte("outbox/error/"+r.Ref))
				}
			}
			ev.Detail = "refused: " + r.LastError
			events = append(events, ev,
				journal.Event{Time: now, Kind: journal.RequestRejected, Utility: r.Utility, Ref: r.Ref, Subject: r.Order, Detail: r.ErrorCode})
			if out.state == Closed {
				r.ClosedBy, r.CloseReason = ClosedByKiosk, alreadyDoneReason
				events = append(events, journal.Event{Time: now, Kind: journal.RequestClosed, Utility: r.Utility, Ref: r.Ref, Subject: r.Order, Detail: alreadyDoneReason})
			} else {
				events = append(events, journal.Event{Time: now, Kind: journal.RequestDead, Utility: r.Utility, Ref: r.Ref, Subject: r.Order})
			}
		}
		if err := putRecord(tx, r); err != nil {
			return err
		}
		if r.State != Pending {
			if err := pending(tx, r.Seq, false); err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := w.ob.j.Append(tx, e); err != nil {
				return err
			}
		}
		rec = r
		return nil
	})
	return rec, err
}
