package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
)

// The kiosk closes a dead letter itself once it has learnt from its utility how it
// ended (a payment order followed by the settling pass): in the transaction that says
// so, closed by the kiosk for the reason given, with the order's number, journaled as
// request.closed, and the listeners told once it committed. A transaction that fails
// leaves the dead letter as it was, and nobody told; a request that is no dead letter
// (answered; closed already), or is not kept, is left alone.
func TestCloseFollowedClosesOnlyADeadLetter(t *testing.T) {
	inProgress := utility.DecodeResponse(409, []byte(`{"error":{"code":"request_in_progress"}}`), 1<<10, nil)
	f := &scripted{forward: func(s utility.Submission, _ int) (utility.Answer, error) {
		var p utility.PaymentRequest
		if err := json.Unmarshal(s.Body, &p); err != nil || p.Account == "acct-stuck" {
			return utility.Answer{}, inProgress
		}
		return utility.Answer{Kind: s.Kind, Reference: "ZF-1", Body: []byte(`{"reference":"ZF-1","kiosk_ref":"` + s.KioskRef + `","status":"pending"}`)}, nil
	}}
	e := newEnv(t, Options{MaxAttempts: 1, Base: time.Second, Cap: time.Second}, f)
	var mu sync.Mutex
	var closed []Update
	e.ob.OnUpdate(func(u Update) {
		if u.State == Closed {
			mu.Lock()
			closed = append(closed, u)
			mu.Unlock()
		}
	})
	heard := func() []Update {
		mu.Lock()
		defer mu.Unlock()
		return append([]Update{}, closed...)
	}
	ctx := context.Background()
	e.ob.Start(ctx)
	dead, err := e.ob.Submit(ctx, paymentReq("acct-stuck"), 5*time.Second)
	if err != nil || dead.State != Dead {
		t.Fatalf("the stuck order request: %+v, %v", dead, err)
	}
	answered, err := e.ob.Submit(ctx, paymentReq("acct-answered"), 5*time.Second)
	if err != nil || answered.State != Done {
		t.Fatalf("the answered order request: %+v, %v", answered, err)
	}
	const why = "终端已向单位核实：订单已取消，未扣款"

	failed := errors.New("the journal entry beside it failed")
	err = e.st.Update(func(tx *bolt.Tx) error {
		if err := e.ob.CloseFollowed(dead.KioskRef, why, "ZF-9")(tx); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("the failing transaction: %v", err)
	}
	if st := state(t, e.ob, dead.KioskRef); st.State != Dead || len(heard()) != 0 {
		t.Fatalf("after a transaction that failed: %s, heard %+v", st.State, heard())
	}

	for _, ref := range []string{dead.KioskRef, answered.KioskRef, "K000000000000", dead.KioskRef} {
		if err := e.st.Update(e.ob.CloseFollowed(ref, why, "ZF-9")); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
	}
	st := state(t, e.ob, dead.KioskRef)
	if st.State != Closed || st.ClosedBy != ClosedByKiosk || st.CloseReason != why || st.UtilityRef != "ZF-9" || st.NotApplied {
		t.Fatalf("the dead letter followed: %+v", st)
	}
	if st := state(t, e.ob, answered.KioskRef); st.State != Done || st.ClosedBy != "" || st.UtilityRef != "ZF-1" {
		t.Fatalf("the answered request: %+v", st)
	}
	if u := heard(); len(u) != 1 || u[0].KioskRef != dead.KioskRef || u[0].Kind != utility.KindPayment {
		t.Fatalf("closes heard: %+v", u)
	}
	evs, err := e.j.ByRef(dead.KioskRef)
	if err != nil {
		t.Fatal(err)
	}
	var entries []journal.Event
	for _, ev := range evs {
		if ev.Kind == journal.RequestClosed || ev.Kind == journal.StaffClose {
			entries = append(entries, ev)
		}
	}
	if len(entries) != 1 || entries[0].Kind != journal.RequestClosed || entries[0].Detail != why || entries[0].UtilityRef != "ZF-9" || entries[0].Actor != "" {
		t.Fatalf("journaled: %+v", entries)
	}
}
