package outbox

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/utility"
)

// raw reads a request as stored.
func raw(t *testing.T, e *env, ref string) *record {
	t.Helper()
	var r *record
	if err := e.st.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getRecord(tx, ref)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

// Retention erases the personal data of finished requests and later removes them; a
// request still waiting to be sent, or waiting for staff, is never touched.
func TestPruneFinishedOnly(t *testing.T) {
	// Each request's answer, by kiosk reference; set before the workers start.
	answers := map[string]func(utility.Submission) (utility.Answer, error){}
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) { return answers[s.KioskRef](s) }}
	e := newEnv(t, Options{}, f)
	ctx := context.Background()
	refused := &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: "户号不存在"}
	submit := func(order string, answer func(utility.Submission) (utility.Answer, error)) Result {
		t.Helper()
		r, err := e.ob.Submit(ctx, req(order), 0)
		if err != nil {
			t.Fatal(err)
		}
		answers[r.KioskRef] = answer
		return r
	}
	done := submit("acct-done", func(s utility.Submission) (utility.Answer, error) {
		return utility.Answer{Kind: s.Kind, Reference: "SS-1", Body: []byte(`{"reference":"SS-1"}`)}, nil
	})
	closed := submit("acct-closed", func(utility.Submission) (utility.Answer, error) { return utility.Answer{}, refused })
	dead := submit("acct-dead", func(utility.Submission) (utility.Answer, error) { return utility.Answer{}, refused })
	pending := submit("acct-pending", func(utility.Submission) (utility.Answer, error) {
		return utility.Answer{}, &utility.Error{Kind: utility.ErrUnavailable}
	})
	e.ob.Start(ctx)
	eventually(t, "answers", func() bool {
		return state(t, e.ob, done.KioskRef).State == Done && state(t, e.ob, closed.KioskRef).State == Dead &&
			state(t, e.ob, dead.KioskRef).State == Dead && state(t, e.ob, pending.KioskRef).Tries > 0
	})
	if err := e.ob.CloseDead(closed.KioskRef, "staff-7", "市民已到窗口办理"); err != nil {
		t.Fatal(err)
	}
	if s := state(t, e.ob, done.KioskRef); s.Answer == nil || s.UtilityRef != "SS-1" {
		t.Fatalf("before pruning: %+v", s)
	}

	// A day later, with personal data kept for less than a day: erased, not removed.
	e.clock.Advance(24 * time.Hour)
	now := e.clock.Now()
	p, err := e.ob.Prune(now.Add(-time.Hour), now.Add(-30*24*time.Hour))
	if err != nil || p != (Pruned{Erased: 2}) {
		t.Fatalf("prune: %+v, %v; want 2 erased", p, err)
	}
	for _, ref := range []string{done.KioskRef, closed.KioskRef} {
		r := raw(t, e, ref)
		if r.Body != nil || r.Answer != nil || r.ErrorMessage != nil || !r.Erased.Equal(now) {
			t.Errorf("%s not erased: body %d bytes, answer %d, message %d, erased %v", ref, len(r.Body), len(r.Answer), len(r.ErrorMessage), r.Erased)
		}
	}
	// What remains still tracks: the utility's reference, the states, the staff's reason.
	if s := state(t, e.ob, done.KioskRef); s.UtilityRef != "SS-1" || s.State != Done || s.Answer != nil || s.Erased.IsZero() {
		t.Errorf("erased request: %+v", s)
	}
	if s := state(t, e.ob, closed.KioskRef); s.State != Closed || s.CloseReason != "市民已到窗口办理" {
		t.Errorf("erased closed request: %+v", s)
	}
	for _, ref := range []string{dead.KioskRef, pending.KioskRef} {
		if r := raw(t, e, ref); r.Body == nil || !r.Erased.IsZero() {
			t.Errorf("%s (%s) was erased", ref, r.State)
		}
	}
	if p, err := e.ob.Prune(now.Add(-time.Hour), now.Add(-30*24*time.Hour)); err != nil || p != (Pruned{}) {
		t.Errorf("a second prune: %+v, %v", p, err)
	}

	// Past the journal's retention: finished requests go, with their references.
	p, err = e.ob.Prune(now, now)
	if err != nil || p != (Pruned{Removed: 2}) {
		t.Fatalf("prune: %+v, %v; want 2 removed", p, err)
	}
	for _, ref := range []string{done.KioskRef, closed.KioskRef} {
		if _, err := e.ob.Status(ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s after removal: %v", ref, err)
		}
	}
	if s := state(t, e.ob, dead.KioskRef); s.State != Dead {
		t.Errorf("the dead letter: %+v", s)
	}
	if s := state(t, e.ob, pending.KioskRef); s.State != Pending {
		t.Errorf("the pending request: %+v", s)
	}
}
