package journal

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

// t0 is the journals' start time in these tests.
var t0 = time.Date(2026, 6, 12, 9, 0, 0, 0, time.UTC)

// newJournal opens a journal in a new store, on a manual clock at t0.
func newJournal(t *testing.T) (*Journal, *store.Store, *clock.Manual) {
	t.Helper()
	s := storetest.Open(t)
	c := clock.NewManual(t0)
	return New(s, c), s, c
}

func TestAppendAndQuery(t *testing.T) {
	j, s, c := newJournal(t)
	subj := j.Subject("id", "11010519491231002X")
	events := []Event{
		{Kind: SessionStart, Session: "s1", Subject: subj},
		{Kind: RequestSubmitted, Ref: "K1", Utility: "water", Session: "s1", Detail: "申请人电话 13800001234 身份证 11010519491231002X"},
		{Kind: RequestAnswered, Ref: "K1", UtilityRef: "WA-1"},
		{Kind: SessionEnd, Session: "s1"},
		{Kind: StaffClose, Ref: "K2", Actor: "staff1", Detail: "重复提交"},
	}
	for _, e := range events {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
	}
	tests := []struct {
		name     string
		from, to time.Time
		limit    int
		want     []Kind
	}{
		{"all", t0, t0.Add(time.Hour), 0, []Kind{SessionStart, RequestSubmitted, RequestAnswered, SessionEnd, StaffClose}},
		{"window", t0.Add(time.Minute), t0.Add(3 * time.Minute), 0, []Kind{RequestSubmitted, RequestAnswered}},
		{"limit", t0, t0.Add(time.Hour), 2, []Kind{SessionStart, RequestSubmitted}},
		{"empty", t0.Add(-time.Hour), t0, 0, nil},
	}
	for _, tt := range tests {
		got, err := j.Range(tt.from, tt.to, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d events, want %d", tt.name, len(got), len(tt.want))
		}
		for i := range got {
			if got[i].Kind != tt.want[i] {
				t.Errorf("%s: event %d is %s, want %s", tt.name, i, got[i].Kind, tt.want[i])
			}
		}
	}
	for ref, n := range map[string]int{"K1": 2, "WA-1": 1, "K2": 1, "K": 0} {
		got, err := j.ByRef(ref)
		if err != nil || len(got) != n {
			t.Errorf("ByRef(%s): %d events, %v; want %d", ref, len(got), err, n)
		}
	}
	s.Close()
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"11010519491231002X", "13800001234"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the journal stored %s in plain text", secret)
		}
	}
}

// Latest gives the newest events of a window, still oldest first; two events at the
// same time keep their order.
func TestLatest(t *testing.T) {
	j, _, c := newJournal(t)
	for i := range 5 {
		if err := j.Record(Event{Kind: StaffAction, Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		if i != 2 { // 2 and 3 at the same time
			c.Advance(time.Minute)
		}
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		n        int
		want     string
	}{
		{"the last two", t0, t0.Add(time.Hour), 2, "3 4"},
		{"the last three, two at one time", t0, t0.Add(time.Hour), 3, "2 3 4"},
		{"more than there are", t0, t0.Add(time.Hour), 9, "0 1 2 3 4"},
		{"all", t0, t0.Add(time.Hour), 0, "0 1 2 3 4"},
		{"the last of a window", t0, t0.Add(2 * time.Minute), 1, "1"},
		{"a window's end is not in it", t0.Add(time.Minute), t0.Add(3 * time.Minute), 9, "1 2 3"},
		{"none in the window", t0.Add(-time.Hour), t0, 2, ""},
	} {
		got, err := j.Latest(tt.from, tt.to, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range got {
			details = append(details, e.Detail)
		}
		if s := strings.Join(details, " "); s != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, s, tt.want)
		}
	}
}

func TestPrune(t *testing.T) {
	j, s, c := newJournal(t)
	// 2 500 events a minute apart (more than one batch), each naming a request.
	for i := range 2500 {
		if err := j.Record(Event{Kind: RequestAnswered, Ref: fmt.Sprintf("K%06d", i), UtilityRef: fmt.Sprintf("U%06d", i)}); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
	}
	cut := t0.Add(2100 * time.Minute)
	n, err := j.Prune(cut)
	if err != nil || n != 2100 {
		t.Fatalf("pruned %d, %v; want 2100", n, err)
	}
	if left, _ := j.Range(t0, t0.Add(time.Hour*100), 0); len(left) != 400 || !left[0].Time.Equal(cut) {
		t.Fatalf("%d events left, the first at %v", len(left), left[0].Time)
	}
	for ref, want := range map[string]int{"K000000": 0, "U002099": 0, "K002100": 1, "U002499": 1} {
		if got, err := j.ByRef(ref); err != nil || len(got) != want {
			t.Errorf("ByRef(%s): %d events, %v; want %d", ref, len(got), err, want)
		}
	}
	if err := s.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(store.BucketJournalRef).Stats().KeyN; n != 800 {
			t.Errorf("%d reference index entries left, want 800", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := j.Prune(cut); err != nil || n != 0 {
		t.Errorf("a second prune removed %d, %v", n, err)
	}
}

// A session journaled as started and never as ended (the kiosk crashed, or the power
// went, during the visit) is ended as interrupted at the next start, once.
func TestCloseInterrupted(t *testing.T) {
	j, _, c := newJournal(t)
	for _, e := range []Event{
		{Kind: SessionStart, Session: "done"},
		{Kind: SessionEnd, Session: "done", Detail: "exit"},
		{Kind: SessionEnd, Session: "anonymous", Detail: "idle"}, // never journaled as started
		{Kind: SessionStart, Session: "crashed"},
	} {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Minute)
	n, err := j.CloseInterrupted()
	if err != nil || n != 1 {
		t.Fatalf("CloseInterrupted: %d, %v; want the one session left open", n, err)
	}
	events, err := j.Range(t0, t0.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if len(events) != 5 || last.Kind != SessionEnd || last.Session != "crashed" || last.Detail != Interrupted || !last.Time.Equal(t0.Add(time.Minute)) {
		t.Fatalf("journal after: %+v", events)
	}
	if n, err := j.CloseInterrupted(); err != nil || n != 0 {
		t.Fatalf("CloseInterrupted again: %d, %v; want none", n, err)
	}
}

// Whatever a sender can make the kiosk journal is clipped on a character boundary: a
// refused bundle's error echoing megabytes of its input does not fill the disk. An ID
// number typed as the actor is masked as in the detail.
func TestAppendClipsDetailAndActor(t *testing.T) {
	j, _, _ := newJournal(t)
	for _, tc := range []struct{ detail, actor string }{
		{strings.Repeat("格", 1<<20), strings.Repeat("x", 1000)},
		{strings.Repeat("a", MaxDetail+1), strings.Repeat("工", MaxActor)},
		{"短", "staff-7"},
		{"身份证当工号", "11010519491231002X"},
	} {
		if err := j.Record(Event{Kind: StaffAction, Actor: tc.actor, Detail: tc.detail}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := j.Range(t0.Add(-time.Hour), t0.Add(time.Hour), 0)
	if err != nil || len(got) != 4 {
		t.Fatalf("%d events, %v", len(got), err)
	}
	for i, e := range got {
		if len(e.Detail) > MaxDetail || len(e.Actor) > MaxActor || !utf8.ValidString(e.Detail) || !utf8.ValidString(e.Actor) {
			t.Errorf("event %d kept %d bytes of detail, %d of actor", i, len(e.Detail), len(e.Actor))
		}
	}
	if strings.Contains(got[3].Actor, "19491231") {
		t.Errorf("an ID number typed as the actor kept: %q", got[3].Actor)
	}
	if got[0].Detail != strings.Repeat("格", (MaxDetail-len("…"))/3)+"…" || got[2].Detail != "短" || got[2].Actor != "staff-7" {
		t.Errorf("clipped %q…, kept %q by %q", got[0].Detail[:12], got[2].Detail, got[2].Actor)
	}
}

// An actor comes from outside (kioskctl's --actor, a broker's topic) and is shown as
// kept, at a terminal too: no control or formatting character, nor a byte that is not
// UTF-8, is kept in it.
func TestAppendKeepsActorPrintable(t *testing.T) {
	for _, tc := range []struct{ actor, want string }{
		{"staff-7", "staff-7"},
		{"王工", "王工"},
		{"fleet \x1b[2J\x1b[31mwater", "fleet \ufffd[2J\ufffd[31mwater"},
		{"staff\nkiosk.restart by admin", "staff\ufffdkiosk.restart by admin"},
		{"\u202eretaw teelf", "\ufffdretaw teelf"},
		{"a\u200bb\u0085c\x7f", "a\ufffdb\ufffdc\ufffd"},
		{"bad \xff\xfe", "bad \ufffd\ufffd"},
	} {
		j, _, _ := newJournal(t)
		if err := j.Record(Event{Kind: StaffAction, Actor: tc.actor}); err != nil {
			t.Fatal(err)
		}
		got, err := j.Range(t0.Add(-time.Hour), t0.Add(time.Hour), 0)
		if err != nil || len(got) != 1 {
			t.Fatalf("%d events, %v", len(got), err)
		}
		if got[0].Actor != tc.want {
			t.Errorf("actor %q kept as %q, want %q", tc.actor, got[0].Actor, tc.want)
		}
	}
}

// A journal whose file lacks one of its buckets (damaged, or not the kiosk's) answers
// every reader and writer that needs that bucket with an error that names it and wraps
// store.ErrNoBucket, and never panics; those that do not need it work as before. The
// file is real bbolt, the bucket dropped while it is open: such a file is refused at
// its next open (store's TestOpenVerifiesSchema), so the journal meets it only so.
func TestMissingBucket(t *testing.T) {
	all := [][]byte{store.BucketJournal, store.BucketJournalRef, store.BucketJournalOpen}
	readers := []struct {
		name string
		uses [][]byte
		call func(*Journal) error
	}{
		{"Record", all, func(j *Journal) error { return j.Record(Event{Kind: Print, Ref: "K9"}) }},
		{"CloseInterrupted", all, func(j *Journal) error { _, err := j.CloseInterrupted(); return err }},
		{"Range", [][]byte{store.BucketJournal}, func(j *Journal) error { _, err := j.Range(t0, t0.Add(time.Hour), 0); return err }},
		{"Latest", [][]byte{store.BucketJournal}, func(j *Journal) error { _, err := j.Latest(t0, t0.Add(time.Hour), 2); return err }},
		{"Latest all", [][]byte{store.BucketJournal}, func(j *Journal) error { _, err := j.Latest(t0, t0.Add(time.Hour), 0); return err }},
		{"ByRef", [][]byte{store.BucketJournal, store.BucketJournalRef}, func(j *Journal) error { _, err := j.ByRef("K1"); return err }},
		{"Prune", [][]byte{store.BucketJournal, store.BucketJournalRef}, func(j *Journal) error { _, err := j.Prune(t0.Add(time.Hour)); return err }},
	}
	for _, gone := range all {
		for _, r := range readers {
			t.Run(string(gone)+"/"+r.name, func(t *testing.T) {
				s := storetest.Open(t)
				j := New(s, clock.NewManual(t0))
				// An open session, and a request answered: every bucket holds something.
				for _, e := range []Event{{Kind: SessionStart, Session: "s1"}, {Kind: RequestAnswered, Ref: "K1", UtilityRef: "WA-1"}} {
					if err := j.Record(e); err != nil {
						t.Fatal(err)
					}
				}
				storetest.DropBucket(t, s, gone)
				j = New(s, clock.NewManual(t0.Add(time.Minute)))

				err := storetest.NoPanic(t, r.name, func() error { return r.call(j) })
				if !slices.ContainsFunc(r.uses, func(b []byte) bool { return bytes.Equal(b, gone) }) {
					if err != nil {
						t.Fatalf("%s, which does not need %s, failed without it: %v", r.name, gone, err)
					}
					return
				}
				storetest.WantNoBucket(t, r.name, err, gone, "journal: ")
			})
		}
	}
}
