package outbox

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/utility"
)

// paymentReq is a payment order request for account, as the kiosk submits it.
func paymentReq(account string) Request {
	return Request{Utility: utility.Water, Kind: utility.KindPayment, Order: account,
		Body: utility.PaymentRequest{Account: account, Bills: []string{"B1"}, Amount: 100}, NotAfter: t0.Add(90 * time.Second)}
}

// A request that came to nothing tells whether the utility surely did not apply it
// (NotApplied), in its result, its update and its status alike: refused (the refusal
// kept: every resend of the key gets it), or expired undelivered (a look-up said it
// never arrived). A dead letter whose attempts ran out on answers that say nothing of
// the outcome (409: the utility is still processing it) may have been applied, also
// once staff closed it; LookUp then asks the utility's record of it, under its key: the
// order it made, or not found.
func TestNotAppliedTellsWhatMayExist(t *testing.T) {
	refusal := &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: "账单已在其他订单中"}
	inProgress := utility.DecodeResponse(409, []byte(`{"error":{"code":"request_in_progress"}}`), 1<<10, nil)
	var mu sync.Mutex
	answer := map[string]func(utility.Submission) (utility.Answer, error){}
	made := map[string]utility.Answer{} // what the utility keeps, by kiosk reference
	f := &scripted{
		forward: func(s utility.Submission, _ int) (utility.Answer, error) {
			mu.Lock()
			fn := answer[s.KioskRef]
			mu.Unlock()
			return fn(s)
		},
		lookup: func(ref string) (utility.Answer, error) {
			mu.Lock()
			defer mu.Unlock()
			if a, ok := made[ref]; ok {
				return a, nil
			}
			return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404, Code: utility.CodeNotFound}
		},
	}
	e := newEnv(t, Options{MaxAttempts: 2, Base: time.Second, Cap: time.Second}, f)
	var updates sync.Map
	e.ob.OnUpdate(func(u Update) { updates.Store(u.KioskRef, u) })
	ctx := context.Background()
	submit := func(account string, fn func(utility.Submission) (utility.Answer, error)) string {
		t.Helper()
		// Stored first, answered once the test has set its answer.
		res, err := e.ob.Submit(ctx, paymentReq(account), 0)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		answer[res.KioskRef] = fn
		mu.Unlock()
		return res.KioskRef
	}
	refused := submit("acct-refused", func(utility.Submission) (utility.Answer, error) { return utility.Answer{}, refusal })
	stuck := submit("acct-stuck", func(s utility.Submission) (utility.Answer, error) {
		// Made at the first send, its answer never given: the utility says it is still
		// processing it at every resend.
		mu.Lock()
		made[s.KioskRef] = utility.Answer{Kind: s.Kind, Reference: "ZF-STUCK",
			Body: []byte(`{"reference":"ZF-STUCK","kiosk_ref":"` + s.KioskRef + `","status":"pending"}`)}
		mu.Unlock()
		return utility.Answer{}, inProgress
	})
	never := submit("acct-never", func(utility.Submission) (utility.Answer, error) { return utility.Answer{}, inProgress })
	late := submit("acct-late", func(utility.Submission) (utility.Answer, error) {
		return utility.Answer{}, &utility.Error{Kind: utility.ErrUnavailable}
	})
	e.ob.Start(ctx)
	ended := func(ref string) bool { return state(t, e.ob, ref).State != Pending }
	eventually(t, "the refusal", func() bool { return ended(refused) })
	// The clock is moved on while waiting: a worker between two attempts sets its timer
	// by the clock as it is when it gets there.
	ticking := func(what string, cond func() bool) {
		t.Helper()
		eventually(t, what, func() bool {
			e.clock.Advance(time.Second)
			return cond()
		})
	}
	ticking("the stuck and unknown orders dead", func() bool { return ended(stuck) && ended(never) })
	e.clock.Advance(2 * time.Minute) // past the late one's NotAfter: looked up, never arrived
	ticking("the late order expired", func() bool { return ended(late) })

	for _, tc := range []struct {
		ref        string
		state      State
		notApplied bool
	}{{refused, Dead, true}, {stuck, Dead, false}, {never, Dead, false}, {late, Expired, true}} {
		st := state(t, e.ob, tc.ref)
		if st.State != tc.state || st.NotApplied != tc.notApplied {
			t.Errorf("%s: %s, not applied %t; want %s, %t", tc.ref, st.State, st.NotApplied, tc.state, tc.notApplied)
		}
		var u Update
		eventually(t, "the update", func() bool { v, ok := updates.Load(tc.ref); u, _ = v.(Update); return ok })
		if u.State != tc.state || u.NotApplied != tc.notApplied {
			t.Errorf("%s: update %+v", tc.ref, u)
		}
		if res, err := e.ob.Await(ctx, tc.ref, time.Millisecond); err != nil || res.NotApplied != tc.notApplied {
			t.Errorf("%s: awaited %+v, %v", tc.ref, res, err)
		}
	}
	if err := e.ob.CloseDead(stuck, "staff-7", "已在窗口办理"); err != nil {
		t.Fatal(err)
	}
	if st := state(t, e.ob, stuck); st.State != Closed || st.NotApplied {
		t.Errorf("closed by staff: %s, not applied %t", st.State, st.NotApplied)
	}

	ans, err := e.ob.LookUp(ctx, stuck)
	if err != nil || ans.Reference != "ZF-STUCK" {
		t.Errorf("look-up of the order made: %+v, %v", ans, err)
	}
	if _, err := e.ob.LookUp(ctx, never); !errors.Is(err, utility.ErrNotFound) {
		t.Errorf("look-up of an order never made: %v, want not found", err)
	}
	mu.Lock()
	made[never] = utility.Answer{Kind: utility.KindPayment, Reference: "ZF-OTHER",
		Body: []byte(`{"reference":"ZF-OTHER","kiosk_ref":"` + never + `","account":"acct-other","status":"pending"}`)}
	mu.Unlock()
	if _, err := e.ob.LookUp(ctx, never); !errors.Is(err, utility.ErrBadResponse) {
		t.Errorf("look-up answered about another account's order: %v, want ErrBadResponse", err)
	}
	if _, err := e.ob.LookUp(ctx, "K000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("look-up of no request: %v", err)
	}
}
