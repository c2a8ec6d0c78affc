package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

// scripted is a utility whose answers a test decides. The HTTP path is covered by the
// tests under cmd/utilitysim, against the simulator; these tests pin the scheduling.
type scripted struct {
	mu      sync.Mutex
	sent    []utility.Submission
	lookups []string
	forward func(s utility.Submission, n int) (utility.Answer, error)
	lookup  func(ref string) (utility.Answer, error)
}

func (f *scripted) Forward(ctx context.Context, s utility.Submission) (utility.Answer, error) {
	f.mu.Lock()
	f.sent = append(f.sent, s)
	n := len(f.sent)
	fn := f.forward
	f.mu.Unlock()
	if fn == nil {
		return utility.Answer{Kind: s.Kind, Reference: "U-" + s.KioskRef, Body: []byte(`{"reference":"U-` + s.KioskRef + `"}`)}, nil
	}
	return fn(s, n)
}

func (f *scripted) Lookup(ctx context.Context, ref, _ string) (utility.Answer, error) {
	f.mu.Lock()
	f.lookups = append(f.lookups, ref)
	fn := f.lookup
	f.mu.Unlock()
	if fn == nil {
		return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404}
	}
	return fn(ref)
}

func (f *scripted) sentRefs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		out = append(out, s.KioskRef)
	}
	return out
}

var t0 = time.Date(2026, 6, 12, 9, 0, 0, 0, time.UTC)

type env struct {
	dir   string
	st    *store.Store
	j     *journal.Journal
	ob    *Outbox
	clock *clock.Manual
	f     *scripted
	fwd   utility.Forwarder // what the outbox forwards to, when not f
}

func newEnv(t *testing.T, o Options, f *scripted) *env {
	t.Helper()
	e := &env{dir: t.TempDir(), clock: clock.NewManual(t0), f: f}
	e.open(t, o)
	t.Cleanup(func() { e.close() })
	return e
}

func (e *env) open(t *testing.T, o Options) {
	t.Helper()
	var err error
	if e.st, err = store.Open(store.Options{Dir: e.dir}); err != nil {
		t.Fatal(err)
	}
	e.j = journal.New(e.st, e.clock)
	o.Clock = e.clock
	if o.Rand == nil {
		o.Rand = func() float64 { return 0.5 }
	}
	var fwd utility.Forwarder = e.f
	if e.fwd != nil {
		fwd = e.fwd
	}
	if e.ob, err = New(e.st, e.j, map[string]utility.Forwarder{utility.Water: fwd}, o); err != nil {
		t.Fatal(err)
	}
}

func (e *env) close() {
	if e.ob != nil {
		e.ob.Close()
		e.ob = nil
	}
	if e.st != nil {
		e.st.Close()
		e.st = nil
	}
}

func req(order string) Request {
	return Request{Utility: utility.Water, Kind: utility.KindEvaluation, Order: order,
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}, Session: "s1"}
}

// eventually polls cond (the workers run on their own goroutines).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func state(t *testing.T, ob *Outbox, ref string) Status {
	t.Helper()
	s, err := ob.Status(ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAnsweredOnTheSpot(t *testing.T) {
	e := newEnv(t, Options{}, &scripted{})
	e.ob.Start(context.Background())
	res, err := e.ob.Submit(context.Background(), req("acct-1"), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Answered() || res.UtilityRef != "U-"+res.KioskRef || res.Answer == nil {
		t.Fatalf("result %+v", res)
	}
	if s := state(t, e.ob, res.KioskRef); s.State != Done || s.UtilityRef != res.UtilityRef || s.Answer == nil {
		t.Errorf("status %+v", s)
	}
	evs, _ := e.j.ByRef(res.KioskRef)
	var kinds []journal.Kind
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	if fmt.Sprint(kinds) != "[request.submitted request.forwarded request.answered]" {
		t.Errorf("journal %v", kinds)
	}
	if evs, _ := e.j.ByRef(res.UtilityRef); len(evs) != 1 {
		t.Errorf("journal by utility reference: %d events", len(evs))
	}
	if e.ob.Pending()[utility.Water] != 0 {
		t.Error("still pending")
	}
}

// The parts of a joint application are found by their 联办编号, oldest first, and only
// they.
func TestByGroup(t *testing.T) {
	e := newEnv(t, Options{}, &scripted{})
	var want []string
	for i, group := range []string{"J1", "", "J1", "J2"} {
		r := req(fmt.Sprintf("acct-%d", i))
		r.Group = group
		res, err := e.ob.Submit(context.Background(), r, 0)
		if err != nil {
			t.Fatal(err)
		}
		if group == "J1" {
			want = append(want, res.KioskRef)
		}
	}
	got, err := e.ob.ByGroup("J1")
	var refs []string
	for _, s := range got {
		refs = append(refs, s.KioskRef)
	}
	if err != nil || fmt.Sprint(refs) != fmt.Sprint(want) {
		t.Fatalf("ByGroup(J1) = %v, %v; want %v", refs, err, want)
	}
	if none, err := e.ob.ByGroup(""); err != nil || len(none) != 0 {
		t.Fatalf("ByGroup(\"\") = %v, %v", none, err)
	}
}

// A citizen's requests are found by their ID number, oldest first, and only theirs; the
// number is not stored, only its keyed hash, which is erased with the request's personal
// data once it is finished.
func TestByApplicant(t *testing.T) {
	e := newEnv(t, Options{}, &scripted{})
	const a, b = "11010519491231002X", "420702199001010054"
	var want []string
	for i, applicant := range []string{a, "", b, a} {
		r := req(fmt.Sprintf("acct-%d", i))
		r.Applicant = applicant
		res, err := e.ob.Submit(context.Background(), r, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rec := raw(t, e, res.KioskRef); strings.Contains(fmt.Sprintf("%+v", *rec), applicant) != (applicant == "") {
			t.Errorf("%s: the applicant %q is stored as it is: %q", res.KioskRef, applicant, rec.Applicant)
		}
		if applicant == a {
			want = append(want, res.KioskRef)
		}
	}
	refs := func(id string) []string {
		t.Helper()
		got, err := e.ob.ByApplicant(id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range got {
			out = append(out, s.KioskRef)
		}
		return out
	}
	if got := refs(a); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ByApplicant(a) = %v; want %v", got, want)
	}
	if got := refs(""); len(got) != 0 {
		t.Fatalf("ByApplicant(\"\") = %v", got)
	}
	// What was submitted, opened for the kiosk (the service of a request the utility has
	// not answered).
	if body, err := e.ob.Body(want[0]); err != nil || !strings.Contains(string(body), `"application":"SS1"`) {
		t.Fatalf("Body: %s, %v", body, err)
	}
	if _, err := e.ob.Body("K000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Body of no request: %v", err)
	}
	// Answered, then erased: no longer found by the applicant.
	e.ob.Start(context.Background())
	eventually(t, "the answers", func() bool { return e.ob.Pending()[utility.Water] == 0 })
	e.clock.Advance(24 * time.Hour)
	now := e.clock.Now()
	if p, err := e.ob.Prune(now.Add(-time.Hour), now.Add(-30*24*time.Hour)); err != nil || p.Erased != 4 {
		t.Fatalf("prune: %+v, %v", p, err)
	}
	if got := refs(a); len(got) != 0 {
		t.Fatalf("ByApplicant(a) after erasure = %v", got)
	}
	if body, err := e.ob.Body(want[0]); err != nil || body != nil {
		t.Fatalf("Body after erasure: %q, %v", body, err)
	}
}

// SubmitAll stores a joint application's parts together and waits for their answers
// together: in the order submitted, each answered part with its utility's reference, a
// slow part pending under its kiosk reference, every part journaled and in its group.
func TestSubmitAll(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		if strings.Contains(string(s.Body), "slow") {
			<-release
		}
		return utility.Answer{Kind: s.Kind, Reference: "U-" + s.KioskRef, Body: []byte(`{"reference":"U-` + s.KioskRef + `"}`)}, nil
	}}
	e := newEnv(t, Options{}, f)
	e.ob.Start(context.Background())
	var reqs []Request
	for _, order := range []string{"acct-1", "slow", "acct-2"} {
		r := req(order)
		r.Group = "J1"
		r.Body = utility.Evaluation{Application: order, Level: utility.VerySatisfied}
		reqs = append(reqs, r)
	}
	res, err := e.ob.SubmitAll(context.Background(), reqs, 50*time.Millisecond)
	if err != nil || len(res) != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	for i, want := range []State{Done, Pending, Done} {
		if r := res[i]; r.State != want || r.Utility != utility.Water || (want == Done) != (r.UtilityRef == "U-"+r.KioskRef) {
			t.Errorf("part %d: %+v, want %s", i, r, want)
		}
		if evs, _ := e.j.ByRef(res[i].KioskRef); len(evs) == 0 || evs[0].Kind != journal.RequestSubmitted {
			t.Errorf("part %d: journal %+v", i, evs)
		}
	}
	if got, err := e.ob.ByGroup("J1"); err != nil || len(got) != 3 || got[1].KioskRef != res[1].KioskRef {
		t.Errorf("ByGroup: %+v, %v", got, err)
	}
}

// A batch is stored whole or not at all: a request refused before the transaction, or
// one that fails inside it after the others were written there, leaves nothing stored,
// journaled or queued, and the outbox takes the next submission as before.
func TestSubmitAllIsAllOrNothing(t *testing.T) {
	for _, c := range []struct {
		name string
		bad  Request
	}{
		{"refused before the transaction", Request{Utility: "heat", Kind: utility.KindApplication, Order: "x", Body: utility.Application{}}},
		{"failed inside the transaction", Request{Utility: utility.Water, Kind: utility.KindApplication, Order: "x", Body: []int{1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, Options{}, &scripted{})
			if _, err := e.ob.SubmitAll(context.Background(), []Request{req("acct-1"), req("acct-2"), c.bad}, 0); err == nil {
				t.Fatal("a batch with a bad request was stored")
			}
			if n, err := e.ob.Count(); err != nil || len(n) != 0 {
				t.Errorf("stored: %v, %v", n, err)
			}
			if evs, err := e.j.Range(t0.Add(-time.Hour), t0.Add(time.Hour), 0); err != nil || len(evs) != 0 {
				t.Errorf("journaled: %+v, %v", evs, err)
			}
			if n := e.ob.Pending()[utility.Water]; n != 0 {
				t.Errorf("%d queued", n)
			}
			e.ob.Start(context.Background())
			if r, err := e.ob.Submit(context.Background(), req("acct-1"), 2*time.Second); err != nil || !r.Answered() {
				t.Fatalf("the next submission: %+v, %v", r, err)
			}
		})
	}
}

// What a request's With writes is on disk with the request, under its kiosk reference,
// before the utility is called: the forwarder finds it there. A With that fails stores
// neither it nor the request.
func TestSubmitWithWritesInTheRequestsTransaction(t *testing.T) {
	var e *env
	seen := make(chan string, 1)
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		var v []byte
		_ = e.st.View(func(tx *bolt.Tx) error {
			v = slices.Clone(tx.Bucket(store.BucketOrders).Get([]byte(s.KioskRef)))
			return nil
		})
		seen <- string(v)
		return utility.Answer{Kind: s.Kind, Reference: "U-" + s.KioskRef, Body: []byte(`{"reference":"U-` + s.KioskRef + `"}`)}, nil
	}}
	e = newEnv(t, Options{}, f)
	failed := errors.New("with failed")
	bad := req("acct-1")
	bad.With = func(tx *bolt.Tx, ref string) error {
		if err := tx.Bucket(store.BucketOrders).Put([]byte(ref), []byte("asked")); err != nil {
			return err
		}
		return failed
	}
	if _, err := e.ob.Submit(context.Background(), bad, 0); !errors.Is(err, failed) {
		t.Fatalf("a request whose With failed: %v", err)
	}
	if n, err := e.ob.Count(); err != nil || len(n) != 0 {
		t.Fatalf("stored: %v, %v", n, err)
	}
	good := req("acct-1")
	good.With = func(tx *bolt.Tx, ref string) error {
		return tx.Bucket(store.BucketOrders).Put([]byte(ref), []byte("asked "+ref))
	}
	e.ob.Start(context.Background())
	res, err := e.ob.Submit(context.Background(), good, 2*time.Second)
	if err != nil || !res.Answered() {
		t.Fatalf("%+v, %v", res, err)
	}
	if got := <-seen; got != "asked "+res.KioskRef {
		t.Fatalf("the utility was called with %q on disk, want the request's record", got)
	}
}

func TestSlowAnswerBoundLater(t *testing.T) {
	release := make(chan struct{})
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		<-release
		return utility.Answer{Kind: s.Kind, Reference: "LATE-1", Body: []byte(`{"reference":"LATE-1"}`)}, nil
	}}
	e := newEnv(t, Options{}, f)
	updates := make(chan Update, 4)
	e.ob.OnUpdate(func(u Update) { updates <- u })
	e.ob.Start(context.Background())
	res, err := e.ob.Submit(context.Background(), req("acct-1"), 30*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Answered() || res.KioskRef == "" || res.State != Pending {
		t.Fatalf("result %+v", res)
	}
	close(release)
	u := <-updates
	if u.KioskRef != res.KioskRef || u.UtilityRef != "LATE-1" || u.State != Done {
		t.Errorf("update %+v", u)
	}
	if s := state(t, e.ob, res.KioskRef); s.UtilityRef != "LATE-1" {
		t.Errorf("bound reference %q", s.UtilityRef)
	}
}

// Await picks up a request that Submit left pending: still pending when nothing comes
// within the wait, the answer when it comes during the wait, the stored outcome at once
// when the request finished before, the refusal of a dead letter, an error for an unknown
// reference.
func TestAwait(t *testing.T) {
	release := make(chan struct{})
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		if n == 1 {
			<-release
		}
		if n == 2 {
			return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: "账单已缴清"}
		}
		return utility.Answer{Kind: s.Kind, Reference: "U-" + s.KioskRef, Body: []byte(`{"reference":"U-` + s.KioskRef + `"}`)}, nil
	}}
	e := newEnv(t, Options{}, f)
	e.ob.Start(context.Background())
	ctx := context.Background()
	res, err := e.ob.Submit(ctx, req("acct-1"), 10*time.Millisecond)
	if err != nil || res.State != Pending {
		t.Fatalf("submit: %+v, %v", res, err)
	}
	if again, err := e.ob.Await(ctx, res.KioskRef, 10*time.Millisecond); err != nil || again.State != Pending || again.KioskRef != res.KioskRef || again.Utility != utility.Water {
		t.Fatalf("await while the utility is silent: %+v, %v", again, err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(release)
	}()
	answered, err := e.ob.Await(ctx, res.KioskRef, 5*time.Second)
	if err != nil || !answered.Answered() || answered.UtilityRef != "U-"+res.KioskRef || answered.Answer == nil {
		t.Fatalf("await the late answer: %+v, %v", answered, err)
	}
	if done, err := e.ob.Await(ctx, res.KioskRef, time.Hour); err != nil || !done.Answered() || done.Answer == nil || done.Answer.Reference != answered.UtilityRef {
		t.Fatalf("await a finished request: %+v, %v", done, err)
	}

	refused, err := e.ob.Submit(ctx, req("acct-2"), 2*time.Second)
	if err != nil || refused.State != Dead {
		t.Fatalf("submit: %+v, %v", refused, err)
	}
	if dead, err := e.ob.Await(ctx, refused.KioskRef, time.Hour); err != nil || dead.State != Dead || utility.Own(dead.Err) != "账单已缴清" {
		t.Fatalf("await a dead letter: %+v, %v", dead, err)
	}
	if _, err := e.ob.Await(ctx, "K260612999999", time.Hour); err == nil {
		t.Fatal("awaited an unknown reference")
	}
	if n, err := e.ob.Count(); err != nil || n[Done][utility.Water] != 1 || n[Dead][utility.Water] != 1 || len(n) != 2 {
		t.Fatalf("count: %v, %v", n, err)
	}
	e.ob.mu.Lock()
	left := len(e.ob.waiters)
	e.ob.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d waiters left behind", left)
	}
}

// A refused payment order is a dead letter staff cannot send again (ErrNotRetried): it
// stays as it is, nothing is sent or journaled, and staff close it. A refused
// cancellation of an order is sent again.
func TestPaymentOrderNotRetried(t *testing.T) {
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		if n > 2 {
			return utility.Answer{Kind: s.Kind, Reference: "ZF1", Body: []byte(`{"reference":"ZF1","status":"cancelled"}`)}, nil
		}
		return utility.Answer{}, &utility.Error{Kind: utility.ErrLimitExceeded, Status: 422, Code: utility.CodeLimitExceeded, Message: "今日自助缴费已达5笔"}
	}}
	e := newEnv(t, Options{}, f)
	e.ob.Start(context.Background())
	ctx := context.Background()
	order, err := e.ob.Submit(ctx, Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "acct-1",
		Body: utility.PaymentRequest{Account: "acct-1", Bills: []string{"B1"}, Amount: 100}, NotAfter: t0.Add(90 * time.Second)}, 2*time.Second)
	if err != nil || order.State != Dead {
		t.Fatalf("order %+v, %v", order, err)
	}
	cancel, err := e.ob.Submit(ctx, Request{Utility: utility.Water, Kind: utility.KindCancelPayment, Order: "acct-1",
		Body: utility.Cancellation{Payment: "ZF1"}}, 2*time.Second)
	if err != nil || cancel.State != Dead {
		t.Fatalf("cancellation %+v, %v", cancel, err)
	}
	before, _ := e.j.ByRef(order.KioskRef)
	if err := e.ob.Retry(order.KioskRef, "staff-7"); !errors.Is(err, ErrNotRetried) || !strings.Contains(err.Error(), order.KioskRef) {
		t.Fatalf("retry of a payment order: %v", err)
	}
	if st := state(t, e.ob, order.KioskRef); st.State != Dead || st.Err == nil {
		t.Fatalf("after the retry refused: %+v", st)
	}
	if after, _ := e.j.ByRef(order.KioskRef); len(after) != len(before) {
		t.Fatalf("journal after the retry refused: %+v", after[len(before):])
	}
	if err := e.ob.Retry(cancel.KioskRef, "staff-7"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cancellation sent again", func() bool { return state(t, e.ob, cancel.KioskRef).State == Done })
	if sent := f.sentRefs(); len(sent) != 3 || slices.Index(sent, order.KioskRef) != 0 || sent[1] != cancel.KioskRef || sent[2] != cancel.KioskRef {
		t.Fatalf("sent %v", sent)
	}
	if err := e.ob.CloseDead(order.KioskRef, "staff-7", "已在窗口线下办理"); err != nil {
		t.Fatal(err)
	}
}

// A refusal is a dead letter, kept with the utility's words and the field they are
// about (what the citizen's message is worded by), until staff close it.
func TestRefusalIsDeadLetter(t *testing.T) {
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: "联系电话格式不正确",
			Field: "applicant.phone"}
	}}
	e := newEnv(t, Options{}, f)
	e.ob.Start(context.Background())
	res, err := e.ob.Submit(context.Background(), req("acct-1"), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != Dead || utility.Own(res.Err) != "联系电话格式不正确" {
		t.Fatalf("result %+v", res)
	}
	dead, _ := e.ob.DeadLetters()
	if len(dead) != 1 || dead[0].KioskRef != res.KioskRef || utility.Own(dead[0].Err) != "联系电话格式不正确" {
		t.Fatalf("dead letters %+v", dead)
	}
	for _, err := range []error{res.Err, dead[0].Err} {
		if e := (*utility.Error)(nil); !errors.As(err, &e) || e.Field != "applicant.phone" {
			t.Errorf("the refusal kept without its field: %v", err)
		}
	}
	if err := e.ob.CloseDead(res.KioskRef, "staff-7", " "); err == nil {
		t.Error("closed without a reason")
	}
	if err := e.ob.CloseDead(res.KioskRef, "staff-7", "市民已到窗口办理"); err != nil {
		t.Fatal(err)
	}
	if err := e.ob.Retry(res.KioskRef, "staff-7"); err == nil {
		t.Error("retried a closed request")
	}
	evs, _ := e.j.ByRef(res.KioskRef)
	last := evs[len(evs)-1]
	if last.Kind != journal.StaffClose || last.Actor != "staff-7" || last.Detail != "市民已到窗口办理" {
		t.Errorf("journal %+v", last)
	}
}

// A refusal because the utility had already done it (a payment order paid before its
// cancellation arrived, an application rated before) is closed by the kiosk: the flow
// still reads the utility's message, staff find no dead letter, the journal says why.
// Refused when the kiosk looks it up after a long outage, the same.
func TestAlreadyDoneIsClosed(t *testing.T) {
	alreadyDone := &utility.Error{Kind: utility.ErrRejected, Status: 409, Code: utility.CodeAlreadyDone, Message: "订单已支付，无法取消"}
	for _, lookedUp := range []bool{false, true} {
		t.Run(map[bool]string{false: "sent", true: "looked up"}[lookedUp], func(t *testing.T) {
			f := &scripted{
				forward: func(utility.Submission, int) (utility.Answer, error) { return utility.Answer{}, alreadyDone },
				lookup:  func(string) (utility.Answer, error) { return utility.Answer{}, alreadyDone },
			}
			e := newEnv(t, Options{}, f)
			var res Result
			var err error
			if lookedUp {
				sub, _ := e.ob.Submit(context.Background(), req("acct-1"), 0)
				e.clock.Advance(13 * time.Hour) // a long outage of the kiosk itself
				e.ob.Start(context.Background())
				res, err = e.ob.Await(context.Background(), sub.KioskRef, 2*time.Second)
			} else {
				e.ob.Start(context.Background())
				res, err = e.ob.Submit(context.Background(), req("acct-1"), 2*time.Second)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := len(f.lookups); (n == 1) != lookedUp || len(f.sentRefs()) == n {
				t.Fatalf("%d lookups, %d sent", n, len(f.sentRefs()))
			}
			if res.State != Closed || !errors.Is(res.Err, utility.ErrRejected) || utility.Own(res.Err) != "订单已支付，无法取消" {
				t.Fatalf("result %+v", res)
			}
			st := state(t, e.ob, res.KioskRef)
			if st.ClosedBy != ClosedByKiosk || st.CloseReason == "" || utility.Own(st.Err) != "订单已支付，无法取消" {
				t.Errorf("status %+v", st)
			}
			if again, err := e.ob.Await(context.Background(), res.KioskRef, time.Millisecond); err != nil || again.State != Closed || again.Err == nil {
				t.Errorf("awaited again: %+v, %v", again, err)
			}
			if dead, _ := e.ob.DeadLetters(); len(dead) != 0 {
				t.Errorf("dead letters %+v", dead)
			}
			evs, _ := e.j.ByRef(res.KioskRef)
			if last := evs[len(evs)-1]; last.Kind != journal.RequestClosed {
				t.Errorf("journal ends with %+v", last)
			}
		})
	}
}

// A request that gets a server error every time while the utility answers the others
// is judged on its own: its attempts run out, it becomes a dead letter, and staff's
// retry sends it again with its key.
func TestBackoffExhaustionAndStaffRetry(t *testing.T) {
	var mu sync.Mutex
	poison := ""
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		mu.Lock()
		defer mu.Unlock()
		if s.KioskRef == poison {
			return utility.Answer{}, utility.DecodeResponse(500, []byte(`{"error":{"code":"internal"}}`), 1<<10, nil)
		}
		return utility.Answer{Kind: s.Kind, Reference: "OK", Body: []byte(`{"reference":"OK"}`)}, nil
	}}
	// One send at a time: each healthy request is answered before the poisoned one's
	// next try.
	e := newEnv(t, Options{MaxAttempts: 3, Base: time.Second, Cap: time.Minute, Concurrency: 1}, f)
	if _, err := e.ob.Submit(context.Background(), req("acct-0"), 0); err != nil {
		t.Fatal(err)
	}
	res, _ := e.ob.Submit(context.Background(), req("acct-1"), 0)
	mu.Lock()
	poison = res.KioskRef
	mu.Unlock()
	e.ob.Start(context.Background())
	for n := 1; n <= 3; n++ {
		eventually(t, fmt.Sprint("attempt ", n), func() bool { return state(t, e.ob, res.KioskRef).Attempts == n })
		if held := e.ob.Held(); len(held) != 0 {
			t.Fatalf("attempt %d: the utility is held back although it answers the others: %+v", n, held)
		}
		s := state(t, e.ob, res.KioskRef)
		if n < 3 {
			// Full jitter with Rand = 0.5: half of min(Cap, Base·2^n).
			if want := e.clock.Now().Add(time.Duration(float64(time.Second<<n) * 0.5)); !s.NextAt.Equal(want) {
				t.Errorf("attempt %d: next at %v, want %v", n, s.NextAt, want)
			}
			// Another citizen's request is answered before the next try.
			other, _ := e.ob.Submit(context.Background(), req(fmt.Sprint("acct-other-", n)), 0)
			eventually(t, "the other request answered", func() bool { return state(t, e.ob, other.KioskRef).State == Done })
			e.clock.Advance(s.NextAt.Sub(e.clock.Now()))
		}
	}
	eventually(t, "dead letter", func() bool { return state(t, e.ob, res.KioskRef).State == Dead })
	mu.Lock()
	poison = ""
	mu.Unlock()
	if err := e.ob.Retry(res.KioskRef, "staff-1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "delivery after retry", func() bool { return state(t, e.ob, res.KioskRef).State == Done })
	var sent []utility.Submission
	for _, s := range f.sent {
		if s.KioskRef == res.KioskRef {
			sent = append(sent, s)
		}
	}
	for _, s := range sent[1:] {
		if s.Key != sent[0].Key {
			t.Fatal("a retry used another idempotency key")
		}
	}
}

// outage is a utility that fails with err until up is called.
func outage(err error) (f *scripted, up func()) {
	var mu sync.Mutex
	down := true
	f = &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return utility.Answer{}, err
		}
		return utility.Answer{Kind: s.Kind, Reference: "U" + s.KioskRef, Body: []byte(`{"reference":"U"}`)}, nil
	}}
	return f, func() {
		mu.Lock()
		defer mu.Unlock()
		down = false
	}
}

func unreachable() error { return &utility.Error{Kind: utility.ErrUnavailable} }

// The utility itself failing, for as long as it lasts (a database down behind its API,
// the kiosk's clock or secret out of step, rate limiting), uses up no request's
// attempts: every request waits and is delivered once it is back. Meanwhile the
// utility is held back (Held), and an outage that lasts is journaled, as is its end.
func TestOutageNeverDiscards(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"unreachable", unreachable()},
		{"500 internal", utility.DecodeResponse(500, []byte(`{"error":{"code":"internal","message":"系统繁忙"}}`), 1<<10, nil)},
		{"401 bad_signature", utility.DecodeResponse(401, []byte(`{"error":{"code":"bad_signature"}}`), 1<<10, nil)},
		{"429 rate_limited", utility.DecodeResponse(429, []byte(`{"error":{"code":"rate_limited"}}`), 1<<10, nil)},
		{"malformed answer", &utility.Error{Kind: utility.ErrBadResponse, Status: 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, up := outage(tc.err)
			e := newEnv(t, Options{MaxAttempts: 2, Base: time.Second, Cap: 10 * time.Second, AlertAfter: time.Minute}, f)
			e.ob.Start(context.Background())
			var refs []string
			for i := 0; i < 5; i++ {
				r, _ := e.ob.Submit(context.Background(), req(fmt.Sprint("acct-", i)), 0)
				refs = append(refs, r.KioskRef)
			}
			eventually(t, "the utility held back", func() bool { return len(e.ob.Held()) == 1 })
			// 30 rounds of 10 s: the outage lasts past AlertAfter.
			for round := 0; round < 30; round++ {
				time.Sleep(2 * time.Millisecond)
				e.clock.Advance(10 * time.Second)
			}
			for _, ref := range refs {
				if s := state(t, e.ob, ref); s.State != Pending || s.Attempts != 0 {
					t.Fatalf("%s during the outage: %+v", ref, s)
				}
			}
			if n := len(f.sentRefs()); n > 30*e.ob.o.Concurrency || n < 10 {
				t.Errorf("%d sends in 30 rounds", n)
			}
			held := e.ob.Held()
			if len(held) != 1 || held[0].Utility != utility.Water || !held[0].Since.Equal(t0) || held[0].Err == nil || !held[0].Long {
				t.Fatalf("held during the outage: %+v", held)
			}
			eventually(t, "the outage journaled", func() bool { return len(kinds(t, e.j, journal.UtilityHeld)) == 1 })
			up()
			for _, ref := range refs {
				eventually(t, ref+" delivered", func() bool {
					e.clock.Advance(time.Second)
					return state(t, e.ob, ref).State == Done
				})
			}
			// The answers are stored before the worker takes in what they say.
			eventually(t, "the hold lifted", func() bool { return len(e.ob.Held()) == 0 })
			eventually(t, "the outage's end journaled", func() bool { return len(kinds(t, e.j, journal.UtilityBack)) == 1 })
			if back := kinds(t, e.j, journal.UtilityBack); back[0].Utility != utility.Water {
				t.Fatalf("the outage's end journaled as %+v", back)
			}
			if dead, _ := e.ob.DeadLetters(); len(dead) != 0 {
				t.Fatalf("%d dead letters after the outage", len(dead))
			}
		})
	}
}

// kinds returns the journal's events of kind k.
func kinds(t *testing.T, j *journal.Journal, k journal.Kind) []journal.Event {
	t.Helper()
	evs, err := j.Range(t0.Add(-time.Hour), t0.Add(24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Resume sends what waits for a utility at once, its back-off and the outage's hold
// notwithstanding (the clock here never moves: nothing else would send them).
func TestResume(t *testing.T) {
	f, up := outage(unreachable())
	e := newEnv(t, Options{Base: time.Minute, Cap: time.Hour}, f)
	e.ob.Start(context.Background())
	var refs []string
	for _, order := range []string{"acct-1", "acct-1", "acct-2"} {
		r, _ := e.ob.Submit(context.Background(), req(order), 0)
		refs = append(refs, r.KioskRef)
	}
	eventually(t, "the first sends failed", func() bool { return state(t, e.ob, refs[0]).Tries > 0 && state(t, e.ob, refs[2]).Tries > 0 })
	up()
	e.ob.Resume("heating") // no such utility: nothing happens
	for _, ref := range refs {
		eventually(t, ref+" delivered", func() bool {
			e.ob.Resume(utility.Water)
			return state(t, e.ob, ref).State == Done
		})
	}
}

// A utility that answers the kiosk again, to a citizen's look-up, is sent the requests
// its outage held back there and then (the clock here never moves: nothing else would
// send them). A request that waits for reasons of its own (409: the same request still
// in progress there) keeps its back-off.
func TestReached(t *testing.T) {
	f, up := outage(unreachable())
	e := newEnv(t, Options{Base: time.Minute, Cap: time.Hour}, f)
	e.ob.Start(context.Background())
	r, _ := e.ob.Submit(context.Background(), req("acct-1"), 0)
	eventually(t, "the utility held back", func() bool { return len(e.ob.Held()) == 1 })
	up()
	e.ob.Reached("heating") // no such utility: nothing happens
	e.ob.Reached(utility.Water)
	eventually(t, "delivered", func() bool { return state(t, e.ob, r.KioskRef).State == Done })
	eventually(t, "the hold lifted", func() bool { return len(e.ob.Held()) == 0 })

	busy := utility.DecodeResponse(409, []byte(`{"error":{"code":"in_progress"}}`), 1<<10, nil)
	e.f.mu.Lock()
	e.f.forward = func(utility.Submission, int) (utility.Answer, error) { return utility.Answer{}, busy }
	e.f.mu.Unlock()
	r, _ = e.ob.Submit(context.Background(), req("acct-2"), 0)
	w := e.ob.workers[utility.Water]
	waiting := func() bool { // the request is back in its lane, due at its back-off's end
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, l := range w.lanes {
			if len(l.items) == 1 && l.items[0].ref == r.KioskRef {
				return !l.busy && l.items[0].nextAt.After(e.clock.Now())
			}
		}
		return false
	}
	eventually(t, "the request tried once", waiting)
	if held := e.ob.Held(); len(held) != 0 {
		t.Fatalf("a 409 held the utility back: %+v", held)
	}
	e.ob.Reached(utility.Water)
	if !waiting() {
		t.Fatal("a request waiting on its own account made due by Reached")
	}
}

// A utility that asks the kiosk to wait (429 or 503 with Retry-After) is asked again no
// sooner than it said, however short the backoff, and no later than the backoff's cap,
// however long it said: a mistaken or hostile Retry-After cannot hold requests for
// days. Then the request is delivered.
func TestRetryAfterIsHonoured(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		after  time.Duration
		want   time.Duration // from the failed send to the next
	}{
		{"429 for 90 s", 429, 90 * time.Second, 90 * time.Second},
		{"503 for 2 h: the cap", 503, 2 * time.Hour, 5 * time.Minute},
		{"429 without: the backoff", 429, 0, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			busy := utility.DecodeResponse(tc.status, []byte(`{"error":{"code":"rate_limited"}}`), 1<<10, nil).(*utility.Error)
			busy.RetryAfter = tc.after
			f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
				if n == 1 {
					return utility.Answer{}, busy
				}
				return utility.Answer{Kind: s.Kind, Reference: "U" + s.KioskRef, Body: []byte(`{"reference":"U"}`)}, nil
			}}
			// Rand 0.5: the first retry's backoff is 1 s.
			e := newEnv(t, Options{Base: time.Second, Cap: 5 * time.Minute}, f)
			e.ob.Start(context.Background())
			r, _ := e.ob.Submit(context.Background(), req("acct-1"), 0)
			eventually(t, "the first send", func() bool { return state(t, e.ob, r.KioskRef).Tries == 1 })
			if s := state(t, e.ob, r.KioskRef); !s.NextAt.Equal(t0.Add(tc.want)) || s.Attempts != 0 {
				t.Fatalf("next try at %s (%d attempts used), want %s", s.NextAt.Sub(t0), s.Attempts, tc.want)
			}
			e.clock.Advance(tc.want)
			eventually(t, "delivered", func() bool { return state(t, e.ob, r.KioskRef).State == Done })
		})
	}
}

// A forwarder that does not bound its own calls (an adapter that waits on its
// context, and then reports the context's error as its own) has each attempt cut at
// AttemptTimeout: the request waits as for a utility that did not answer, its attempts
// kept, rather than holding its queue for ever or becoming a dead letter.
func TestAttemptTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func(ctx context.Context) error
	}{
		{"the context's error", func(ctx context.Context) error { return ctx.Err() }},
		{"wrapped", func(ctx context.Context) error { return fmt.Errorf("waterco: call: %w", ctx.Err()) }},
		{"its own words", func(context.Context) error { return errors.New("waterco: gave up") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
				return utility.Answer{Kind: s.Kind, Reference: "U" + s.KioskRef, Body: []byte(`{"reference":"U"}`)}, nil
			}}
			hang := &hanging{scripted: f, err: tc.err}
			e := &env{dir: t.TempDir(), clock: clock.NewManual(t0), f: f, fwd: hang}
			t.Cleanup(e.close)
			e.open(t, Options{AttemptTimeout: 20 * time.Millisecond})
			e.ob.Start(context.Background())
			r, _ := e.ob.Submit(context.Background(), req("acct-1"), 0)
			eventually(t, "the first attempt cut", func() bool { return state(t, e.ob, r.KioskRef).Tries == 1 })
			s := state(t, e.ob, r.KioskRef)
			if s.State != Pending || s.Attempts != 0 || !strings.Contains(s.LastError, "no answer within 20ms") {
				t.Fatalf("after the cut attempt: %+v", s)
			}
			// The outcome is stored before the worker takes in what it says.
			eventually(t, "the utility held back for not answering", func() bool {
				h := e.ob.Held()
				return len(h) == 1 && errors.Is(h[0].Err, utility.ErrTimeout)
			})
			eventually(t, "delivered on the next attempt", func() bool {
				e.clock.Advance(time.Second)
				return state(t, e.ob, r.KioskRef).State == Done
			})
		})
	}
}

// hanging is a forwarder whose first send waits for its context to end, then fails
// with err(ctx); later sends go to scripted.
type hanging struct {
	*scripted
	err   func(ctx context.Context) error
	calls atomic.Int32
}

func (h *hanging) Forward(ctx context.Context, s utility.Submission) (utility.Answer, error) {
	if h.calls.Add(1) == 1 {
		<-ctx.Done()
		return utility.Answer{}, h.err(ctx)
	}
	return h.scripted.Forward(ctx, s)
}

func TestOrderPerKey(t *testing.T) {
	var mu sync.Mutex
	failsLeft := 2
	f := &scripted{}
	f.forward = func(s utility.Submission, n int) (utility.Answer, error) {
		mu.Lock()
		defer mu.Unlock()
		if s.KioskRef == firstRef && failsLeft > 0 {
			failsLeft--
			return utility.Answer{}, &utility.Error{Kind: utility.ErrBusy, Status: 409}
		}
		return utility.Answer{Kind: s.Kind, Reference: "U", Body: []byte(`{"reference":"U"}`)}, nil
	}
	e := newEnv(t, Options{}, f)
	a1, _ := e.ob.Submit(context.Background(), req("A"), 0)
	mu.Lock()
	firstRef = a1.KioskRef
	mu.Unlock()
	a2, _ := e.ob.Submit(context.Background(), req("A"), 0)
	b1, _ := e.ob.Submit(context.Background(), req("B"), 0)
	e.ob.Start(context.Background())
	eventually(t, "B delivered while A waits", func() bool { return state(t, e.ob, b1.KioskRef).State == Done })
	if s := state(t, e.ob, a2.KioskRef); s.State != Pending || s.Tries != 0 {
		t.Fatalf("A2 went ahead of A1: %+v", s)
	}
	for i := 0; i < 10 && state(t, e.ob, a2.KioskRef).State != Done; i++ {
		time.Sleep(5 * time.Millisecond)
		e.clock.Advance(time.Minute)
	}
	eventually(t, "A2 delivered", func() bool { return state(t, e.ob, a2.KioskRef).State == Done })
	var order []string
	for _, r := range f.sentRefs() {
		if r != b1.KioskRef {
			order = append(order, r)
		}
	}
	if fmt.Sprint(order) != fmt.Sprint([]string{a1.KioskRef, a1.KioskRef, a1.KioskRef, a2.KioskRef}) {
		t.Errorf("sends %v", order)
	}
}

var firstRef string

func TestOldRequestIsLookedUpFirst(t *testing.T) {
	var known string // the request the utility has, set before the outbox starts
	f := &scripted{lookup: func(ref string) (utility.Answer, error) {
		if ref == known {
			return utility.Answer{Kind: utility.KindPayment, Reference: "ZF1", Body: []byte(`{"reference":"ZF1"}`)}, nil
		}
		return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404}
	}}
	e := newEnv(t, Options{}, f)
	pay := Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "acct", Body: utility.PaymentRequest{Account: "1", Bills: []string{"b"}, Amount: 1}}
	r1, _ := e.ob.Submit(context.Background(), pay, 0)
	known = r1.KioskRef
	r2, _ := e.ob.Submit(context.Background(), pay, 0)
	expiring := pay
	expiring.Order, expiring.NotAfter = "other", t0.Add(time.Minute)
	r3, _ := e.ob.Submit(context.Background(), expiring, 0)
	e.clock.Advance(13 * time.Hour) // a long outage of the kiosk itself
	e.ob.Start(context.Background())
	for _, r := range []Result{r1, r2, r3} {
		eventually(t, r.KioskRef, func() bool { return state(t, e.ob, r.KioskRef).State != Pending })
	}
	if s := state(t, e.ob, r1.KioskRef); s.State != Done || s.UtilityRef != "ZF1" {
		t.Errorf("known at the utility: %+v", s)
	}
	if s := state(t, e.ob, r3.KioskRef); s.State != Expired {
		t.Errorf("past its deadline: %+v", s)
	}
	if sent := f.sentRefs(); len(sent) != 1 || sent[0] != r2.KioskRef {
		t.Errorf("sent %v, want only %s (unknown at the utility)", sent, r2.KioskRef)
	}
	if len(f.lookups) != 3 {
		t.Errorf("%d lookups", len(f.lookups))
	}
}

// A look-up asks by kiosk reference and key only. A utility that answers it with the
// record of another kind of request (an application's, for a payment order), or with an
// order for another amount than the request stored, has not answered this request: it
// is not bound to that number, nor sent again (it may have arrived), and is looked up
// again later, when the utility's right answer binds it.
func TestLookupAnsweredForAnotherRequest(t *testing.T) {
	var found atomic.Value // the utility's answer to the look-up
	f := &scripted{lookup: func(string) (utility.Answer, error) { return found.Load().(utility.Answer), nil }}
	e := newEnv(t, Options{Base: time.Second}, f)
	pay := Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "acct",
		Body: utility.PaymentRequest{Account: "3100001001", Bills: []string{"W-202605"}, Amount: 12345}}
	r, err := e.ob.Submit(context.Background(), pay, 0)
	if err != nil {
		t.Fatal(err)
	}
	order := func(amount string) []byte {
		return []byte(`{"reference":"ZF1","kiosk_ref":"` + r.KioskRef + `","account":"3100001001","bills":["W-202605"],"amount_fen":` + amount + `,"status":"pending"}`)
	}
	found.Store(utility.Answer{Kind: utility.KindApplication, Reference: "SQ1",
		Body: []byte(`{"reference":"SQ1","kiosk_ref":"` + r.KioskRef + `","service":"new_connection"}`)})
	e.clock.Advance(13 * time.Hour) // old: its key may be forgotten, so it is looked up first
	e.ob.Start(context.Background())
	for i, wrong := range []struct {
		answer utility.Answer
		differ string
	}{
		{found.Load().(utility.Answer), "another kind of request"},
		{utility.Answer{Kind: utility.KindPayment, Reference: "ZF1", Body: order("54321")}, "another amount"},
	} {
		found.Store(wrong.answer)
		if i > 0 {
			e.clock.Advance(state(t, e.ob, r.KioskRef).NextAt.Sub(e.clock.Now()))
		}
		eventually(t, "the look-up", func() bool {
			s := state(t, e.ob, r.KioskRef)
			return s.Tries == i+1 || s.State != Pending
		})
		s := state(t, e.ob, r.KioskRef)
		if s.State != Pending || s.UtilityRef != "" || !strings.Contains(s.LastError, wrong.differ) || strings.Contains(s.LastError, "54321") {
			t.Fatalf("answered with %s: %+v, want it pending, bound to nothing, its error naming %q", wrong.answer.Kind, s, wrong.differ)
		}
	}
	found.Store(utility.Answer{Kind: utility.KindPayment, Reference: "ZF1", Body: order("12345")})
	e.clock.Advance(state(t, e.ob, r.KioskRef).NextAt.Sub(e.clock.Now()))
	eventually(t, "the right answer", func() bool { return state(t, e.ob, r.KioskRef).State != Pending })
	if s := state(t, e.ob, r.KioskRef); s.State != Done || s.UtilityRef != "ZF1" {
		t.Fatalf("looked up at last: %+v", s)
	}
	if sent := f.sentRefs(); len(sent) != 0 {
		t.Errorf("sent %v: a request the utility has a record of is never sent again", sent)
	}
}

func TestRestartResendsWithSameKey(t *testing.T) {
	block := make(chan struct{})
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		if n == 1 {
			<-block // in flight when the kiosk stops
			return utility.Answer{}, context.Canceled
		}
		return utility.Answer{Kind: s.Kind, Reference: "U", Body: []byte(`{"reference":"U"}`)}, nil
	}}
	before := runtime.NumGoroutine()
	e := newEnv(t, Options{}, f)
	ctx, cancel := context.WithCancel(context.Background())
	e.ob.Start(ctx)
	res, _ := e.ob.Submit(context.Background(), req("acct"), 0)
	eventually(t, "first send", func() bool { return len(f.sentRefs()) == 1 })
	cancel()
	close(block)
	e.close()
	e.open(t, Options{})
	if e.ob.Pending()[utility.Water] != 1 {
		t.Fatal("the in-flight request was not reloaded")
	}
	e.ob.Start(context.Background())
	eventually(t, "resend", func() bool { return state(t, e.ob, res.KioskRef).State == Done })
	if f.sent[0].Key != f.sent[1].Key || string(f.sent[0].Body) != string(f.sent[1].Body) {
		t.Error("the resend differs from the first send")
	}
	e.close()
	eventually(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestSubmitChecks(t *testing.T) {
	e := newEnv(t, Options{}, &scripted{})
	for _, r := range []Request{
		{Utility: "heat", Kind: utility.KindApplication, Order: "x", Body: utility.Application{}},
		{Utility: utility.Water, Kind: "coffee", Order: "x", Body: utility.Application{}},
		{Utility: utility.Water, Kind: utility.KindApplication, Body: utility.Application{}},
		{Utility: utility.Water, Kind: utility.KindApplication, Order: "x", Body: []int{1}},
	} {
		if _, err := e.ob.Submit(context.Background(), r, 0); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
	if _, err := e.ob.Status("K-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown reference: %v", err)
	}
}

// A kiosk reference carries the kiosk's code, so that a reference made at another kiosk is
// told apart; references made before it carried one are read as having none.
func TestKioskRefs(t *testing.T) {
	e := newEnv(t, Options{KioskCode: "042"}, &scripted{})
	res, err := e.ob.Submit(context.Background(), req("acct-1"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^K\d{6}042\d{6}$`).MatchString(res.KioskRef) {
		t.Errorf("reference %q", res.KioskRef)
	}
	for _, c := range []struct {
		ref, code string
		ok        bool
	}{
		{res.KioskRef, "042", true},
		{"K260612042000123", "042", true},
		{"K2606120421234567", "042", true}, // seven digits: a number pushed past the day's end
		{"K260612000123", "", false},       // made before references carried a code
		{"K26061200012345", "", false},     // 14 digits: an old reference past its millionth
		{"K260612001123456", "001", true},
		{"K26061204200012X", "", false},
		{"k260612042000123", "", false},
		{"DL26061200001", "", false},
		{"", "", false},
	} {
		if code, ok := KioskCodeOf(c.ref); code != c.code || ok != c.ok {
			t.Errorf("KioskCodeOf(%q) = %q, %v; want %q, %v", c.ref, code, ok, c.code, c.ok)
		}
	}
	for _, bad := range []string{"42", "0042", "04a", "４２１"} {
		if _, err := New(e.st, e.j, nil, Options{KioskCode: bad}); err == nil {
			t.Errorf("kiosk code %q accepted", bad)
		}
	}
}

// Kiosk references are never given twice on a day, by this data file or another: one
// that replaces it (the key lost, a disk replaced) or a backup restored over it, later
// the same day, gives none of the references given before; nor does this one with its
// clock set back, within the day or past midnight. More than ten requests in a tenth of
// a second get references of their own.
func TestKioskRefsNotRepeated(t *testing.T) {
	// 23:59 in China: set back past midnight, the clock comes back to the same references.
	start := time.Date(2026, 6, 12, 23, 59, 0, 0, cst)
	for _, c := range []struct {
		name string
		// then changes the data file or the clock, after the first references.
		then func(t *testing.T, e *env, backup string)
	}{
		{"a new data file", func(t *testing.T, e *env, _ string) {
			e.close()
			e.dir = t.TempDir()
			e.clock.Advance(time.Second)
			e.open(t, Options{KioskCode: "042"})
		}},
		{"a backup restored", func(t *testing.T, e *env, backup string) {
			e.close()
			if err := os.Rename(backup, filepath.Join(e.dir, store.FileName)); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			e.open(t, Options{KioskCode: "042"})
		}},
		{"the clock set back an hour", func(t *testing.T, e *env, _ string) {
			e.close()
			e.clock = clock.NewManual(start.Add(-time.Hour))
			e.open(t, Options{KioskCode: "042"})
		}},
		{"the clock set back past midnight", func(t *testing.T, e *env, _ string) {
			e.clock.Advance(time.Minute)
			if r, err := e.ob.Submit(context.Background(), req("acct-1"), 0); err != nil || !strings.HasPrefix(r.KioskRef, "K260613042") {
				t.Fatalf("after midnight: %+v, %v", r, err)
			}
			e.close()
			e.clock = clock.NewManual(start)
			e.open(t, Options{KioskCode: "042"})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &env{dir: t.TempDir(), clock: clock.NewManual(start), f: &scripted{}}
			e.open(t, Options{KioskCode: "042"})
			t.Cleanup(e.close)
			given := map[string]bool{}
			submit := func(n int) {
				t.Helper()
				reqs := make([]Request, n)
				for i := range reqs {
					reqs[i] = req(fmt.Sprint("acct-", i))
				}
				res, err := e.ob.SubmitAll(context.Background(), reqs, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range res {
					if given[r.KioskRef] || !regexp.MustCompile(`^K\d{6}042\d{6}$`).MatchString(r.KioskRef) {
						t.Errorf("reference %s: given before, or not one", r.KioskRef)
					}
					given[r.KioskRef] = true
				}
			}
			submit(1)
			backup := filepath.Join(t.TempDir(), "backup.db")
			if _, err := e.st.BackupFile(backup); err != nil {
				t.Fatal(err)
			}
			submit(12) // in the same tenth of a second
			e.clock.Advance(30 * time.Second)
			submit(1)
			c.then(t, e, backup)
			submit(4)
		})
	}
}

// Staff withdraw a request still waiting while its utility is down (the citizen was
// served at the counter): it is never sent, the requests before and after it in its
// lane still are. One being sent that moment, or a payment's, is not withdrawn.
func TestClosePending(t *testing.T) {
	f, up := outage(unreachable())
	e := newEnv(t, Options{Base: time.Second, Cap: 10 * time.Second}, f)
	var refs []string
	for _, order := range []string{"acct-0", "acct-0", "acct-0", "acct-1"} {
		res, err := e.ob.Submit(context.Background(), req(order), 0)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.KioskRef)
	}
	pay, err := e.ob.Submit(context.Background(), Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "acct-2",
		Body: utility.PaymentRequest{Account: "acct-2", Bills: []string{"W1"}, Amount: 100}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.ob.Start(context.Background())
	eventually(t, "the utility held back", func() bool { return len(e.ob.Held()) == 1 && state(t, e.ob, refs[0]).Tries > 0 })
	for _, tc := range []struct {
		ref, reason, want string
	}{
		{refs[1], " ", "needs a reason"},
		{pay.KioskRef, "offline", "is a payment's payment"},
		{"K000", "offline", "no such request"},
	} {
		if err := e.ob.ClosePending(tc.ref, "工号0107", tc.reason); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ClosePending(%s, %q) = %v, want …%s…", tc.ref, tc.reason, err, tc.want)
		}
	}
	if err := e.ob.ClosePending(refs[1], "工号0107", "offline"); err != nil {
		t.Fatal(err)
	}
	if s := state(t, e.ob, refs[1]); s.State != Closed || s.ClosedBy != "工号0107" || s.CloseReason != "offline" {
		t.Fatalf("withdrawn: %+v", s)
	}
	if err := e.ob.ClosePending(refs[1], "工号0107", "offline"); !errors.Is(err, ErrTooLate) || !strings.Contains(err.Error(), "not waiting to be sent") {
		t.Fatalf("withdrawn twice: %v", err)
	}
	up()
	e.clock.Advance(time.Minute)
	for _, ref := range []string{refs[0], refs[2], refs[3]} {
		eventually(t, "delivery of "+ref, func() bool { return state(t, e.ob, ref).State == Done })
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sent {
		if s.KioskRef == refs[1] {
			t.Fatal("a withdrawn request was sent")
		}
	}
}

// A citizen withdraws at the kiosk a request its utility does not have: one waiting
// while the utility is down (never sent after), or one set aside after its attempts ran
// out. One the utility refused, or answered, is not withdrawn; nor is a payment's.
func TestWithdraw(t *testing.T) {
	withdrawn := func(t *testing.T, e *env, ref string) {
		t.Helper()
		if err := e.ob.Withdraw(ref, "群众已撤回申请"); err != nil {
			t.Fatal(err)
		}
		if s := state(t, e.ob, ref); s.State != Closed || s.ClosedBy != "" || s.CloseReason != "群众已撤回申请" {
			t.Fatalf("withdrawn: %+v", s)
		}
		evs, err := e.j.ByRef(ref)
		if err != nil || evs[len(evs)-1].Kind != journal.RequestWithdrawn || evs[len(evs)-1].Detail != "群众已撤回申请" {
			t.Fatalf("journaled: %+v, %v", evs, err)
		}
		if err := e.ob.Withdraw(ref, "群众已撤回申请"); !errors.Is(err, ErrTooLate) || !strings.Contains(err.Error(), "is closed, not waiting for its utility") {
			t.Fatalf("withdrawn twice: %v", err)
		}
	}
	t.Run("waiting", func(t *testing.T) {
		f, up := outage(unreachable())
		e := newEnv(t, Options{Base: time.Second, Cap: 10 * time.Second}, f)
		res, err := e.ob.Submit(context.Background(), req("acct-0"), 0)
		if err != nil {
			t.Fatal(err)
		}
		pay, err := e.ob.Submit(context.Background(), Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "acct-2",
			Body: utility.PaymentRequest{Account: "acct-2", Bills: []string{"W1"}, Amount: 100}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.ob.Start(context.Background())
		eventually(t, "the utility held back", func() bool { return len(e.ob.Held()) == 1 })
		if err := e.ob.Withdraw(res.KioskRef, " "); err == nil || !strings.Contains(err.Error(), "needs a reason") {
			t.Errorf("without a reason: %v", err)
		}
		if err := e.ob.Withdraw(pay.KioskRef, "群众已撤回申请"); err == nil || !strings.Contains(err.Error(), "is a payment's payment") {
			t.Errorf("a payment's: %v", err)
		}
		sends := func() int {
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, s := range f.sent {
				if s.KioskRef == res.KioskRef {
					n++
				}
			}
			return n
		}
		withdrawn(t, e, res.KioskRef)
		before := sends()
		up()
		e.clock.Advance(time.Minute)
		eventually(t, "the payment delivered", func() bool { return state(t, e.ob, pay.KioskRef).State == Done })
		if sends() != before {
			t.Fatal("a withdrawn request was sent")
		}
	})
	t.Run("set aside", func(t *testing.T) {
		var mu sync.Mutex
		refs := map[string]string{} // kiosk reference → order
		f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
			mu.Lock()
			defer mu.Unlock()
			switch refs[s.KioskRef] {
			case "acct-refused":
				return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: "联系电话格式不正确"}
			case "acct-poison":
				return utility.Answer{}, utility.DecodeResponse(500, []byte(`{"error":{"code":"internal"}}`), 1<<10, nil)
			}
			return utility.Answer{Kind: s.Kind, Reference: "OK", Body: []byte(`{"reference":"OK"}`)}, nil
		}}
		e := newEnv(t, Options{MaxAttempts: 1, Concurrency: 1}, f)
		var ordered []string
		mu.Lock()
		for _, order := range []string{"acct-ok", "acct-poison", "acct-refused"} {
			res, err := e.ob.Submit(context.Background(), req(order), 0)
			if err != nil {
				t.Fatal(err)
			}
			refs[res.KioskRef] = order
			ordered = append(ordered, res.KioskRef)
		}
		mu.Unlock()
		e.ob.Start(context.Background())
		for _, ref := range ordered {
			eventually(t, "an answer to "+ref, func() bool { s := state(t, e.ob, ref).State; return s == Done || s == Dead })
		}
		if err := e.ob.Withdraw(ordered[0], "群众已撤回申请"); !errors.Is(err, ErrTooLate) || !strings.Contains(err.Error(), "is done, not waiting for its utility") {
			t.Errorf("an answered one: %v", err)
		}
		if err := e.ob.Withdraw(ordered[2], "群众已撤回申请"); !errors.Is(err, ErrTooLate) || !strings.Contains(err.Error(), "refused by its utility") {
			t.Errorf("a refused one: %v", err)
		}
		withdrawn(t, e, ordered[1])
	})
}

// A request being sent at that moment is not withdrawn: the utility may be taking it;
// nor, once its utility has answered, is it closed as if withdrawn.
func TestClosePendingInFlight(t *testing.T) {
	release := make(chan struct{})
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		<-release
		return utility.Answer{Kind: s.Kind, Reference: "U", Body: []byte(`{"reference":"U"}`)}, nil
	}}
	e := newEnv(t, Options{}, f)
	res, err := e.ob.Submit(context.Background(), req("acct-0"), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.ob.Start(context.Background())
	eventually(t, "the send under way", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) == 1 })
	if err := e.ob.ClosePending(res.KioskRef, "工号0107", "withdrawn"); !errors.Is(err, ErrInFlight) || !errors.Is(err, ErrTooLate) {
		t.Fatalf("withdrawn while being sent: %v", err)
	}
	close(release)
	eventually(t, "the answer", func() bool { return state(t, e.ob, res.KioskRef).State == Done })
	for name, err := range map[string]error{
		"closed":    e.ob.ClosePending(res.KioskRef, "工号0107", "withdrawn"),
		"withdrawn": e.ob.Withdraw(res.KioskRef, "群众已撤回申请"),
	} {
		if !errors.Is(err, ErrTooLate) || !strings.Contains(err.Error(), "is done") {
			t.Errorf("%s once answered: %v", name, err)
		}
	}
	if s := state(t, e.ob, res.KioskRef); s.State != Done || s.UtilityRef != "U" {
		t.Errorf("after the refusals: %+v", s)
	}
	evs, err := e.j.ByRef(res.KioskRef)
	if err != nil || slices.ContainsFunc(evs, func(e journal.Event) bool { return e.Kind == journal.StaffClose || e.Kind == journal.RequestWithdrawn }) {
		t.Errorf("journaled: %+v, %v", evs, err)
	}
}

// A forwarder's answer about another request than the one sent (an adapter's, which
// HTTPClient's own check does not cover) binds nothing: the request stays pending and
// is sent again with the same key, and the right answer binds it.
func TestForwardAnsweredForAnotherRequest(t *testing.T) {
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		ref := s.KioskRef
		if n == 1 {
			ref = "K-ANOTHER"
		}
		return utility.Answer{Kind: s.Kind, Reference: "U" + strconv.Itoa(n), Body: []byte(`{"reference":"U` + strconv.Itoa(n) + `","kiosk_ref":"` + ref + `"}`)}, nil
	}}
	e := newEnv(t, Options{Base: time.Second}, f)
	e.ob.Start(context.Background())
	r, err := e.ob.Submit(context.Background(), req("acct"), 0)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first answer", func() bool { s := state(t, e.ob, r.KioskRef); return s.Tries == 1 || s.State != Pending })
	if s := state(t, e.ob, r.KioskRef); s.State != Pending || s.UtilityRef != "" || !strings.Contains(s.LastError, "another request") {
		t.Fatalf("answered about another request: %+v, want it pending, bound to nothing", s)
	}
	e.clock.Advance(state(t, e.ob, r.KioskRef).NextAt.Sub(e.clock.Now()))
	eventually(t, "the second answer", func() bool { return state(t, e.ob, r.KioskRef).State != Pending })
	if s := state(t, e.ob, r.KioskRef); s.State != Done || s.UtilityRef != "U2" {
		t.Fatalf("answered about itself at last: %+v", s)
	}
	if f.sent[0].Key != f.sent[1].Key {
		t.Error("sent again with another key")
	}
}
