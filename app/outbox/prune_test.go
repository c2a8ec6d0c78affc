package outbox

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
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

// A file without one of the outbox's buckets (damaged, or not the kiosk's) gets each
// reader and writer that needs it an error naming it, never a panic; those that do not
// need it work. An outbox opened on such a file says so rather than starting.
func TestMissingBucket(t *testing.T) {
	all := [][]byte{store.BucketOutbox, store.BucketOutboxRef, store.BucketOutboxPending}
	recs := [][]byte{store.BucketOutbox}
	byRef := [][]byte{store.BucketOutbox, store.BucketOutboxRef}
	calls := []struct {
		name string
		uses [][]byte
		call func(e *env, ref string) error
	}{
		{"Submit", all, func(e *env, _ string) error {
			_, err := e.ob.Submit(context.Background(), req("acct-2"), 0)
			return err
		}},
		{"Status", byRef, func(e *env, ref string) error { _, err := e.ob.Status(ref); return err }},
		{"Body", byRef, func(e *env, ref string) error { _, err := e.ob.Body(ref); return err }},
		{"List", recs, func(e *env, _ string) error { _, err := e.ob.List(Pending, 0); return err }},
		{"ByGroup", recs, func(e *env, _ string) error { _, err := e.ob.ByGroup("J1"); return err }},
		{"Count", recs, func(e *env, _ string) error { _, err := e.ob.Count(); return err }},
		{"Prune", recs, func(e *env, _ string) error { _, err := e.ob.Prune(t0, t0); return err }},
		{"New", [][]byte{store.BucketOutbox, store.BucketOutboxPending}, func(e *env, _ string) error {
			e.ob.Close()
			var err error
			e.ob, err = New(e.st, e.j, map[string]utility.Forwarder{utility.Water: e.f}, Options{Clock: e.clock})
			return err
		}},
	}
	for _, gone := range all {
		for _, c := range calls {
			t.Run(string(gone)+"/"+c.name, func(t *testing.T) {
				e := newEnv(t, Options{}, &scripted{})
				res, err := e.ob.Submit(context.Background(), req("acct-1"), 0)
				if err != nil {
					t.Fatal(err)
				}
				storetest.DropBucket(t, e.st, gone)
				err = storetest.NoPanic(t, c.name, func() error { return c.call(e, res.KioskRef) })
				if !slices.ContainsFunc(c.uses, func(b []byte) bool { return bytes.Equal(b, gone) }) {
					if err != nil {
						t.Fatalf("%s, which does not need %s, failed without it: %v", c.name, gone, err)
					}
					return
				}
				storetest.WantNoBucket(t, c.name, err, gone, "outbox: ")
			})
		}
	}
}
