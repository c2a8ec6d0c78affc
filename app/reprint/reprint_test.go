package reprint

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

func newStore(t *testing.T) (*Store, *store.Store) {
	t.Helper()
	st := storetest.Open(t)
	return New(st), st
}

func builder(t *testing.T) *receipt.Builder {
	t.Helper()
	cfg := config.Defaults()
	prof, err := receipt.Profile(cfg.Devices.Printer)
	if err != nil {
		t.Fatal(err)
	}
	b, err := receipt.New(receipt.FromConfig(cfg), prof)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func payment(ref string, at time.Time) Receipt {
	p := receipt.SamplePayment()
	return Receipt{Entry: Entry{Ref: ref, Kind: Payment, Time: at, Reason: "打印机缺纸"}, Payment: &p}
}

func acceptance(ref string, at time.Time) Receipt {
	a := receipt.SampleAcceptance()
	return Receipt{Entry: Entry{Ref: ref, Kind: Acceptance, Time: at, Reason: "切刀故障"}, Acceptance: &a}
}

// Kept receipts come back whole, listed oldest first without anything personal, and go
// when removed or pruned.
func TestKeepGetListRemovePrune(t *testing.T) {
	s, _ := newStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, r := range []Receipt{acceptance("J2", t0.Add(time.Hour)), payment("P1", t0), payment("P3", t0.Add(2*time.Hour))} {
		if err := s.Keep(r); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range list {
		refs = append(refs, e.Ref)
	}
	if !slices.Equal(refs, []string{"P1", "J2", "P3"}) {
		t.Fatalf("listed %v, want oldest first", refs)
	}
	got, err := s.Get("J2")
	if err != nil {
		t.Fatal(err)
	}
	if got.Acceptance == nil || got.Acceptance.Applicant != "张三" || got.Reason != "切刀故障" || len(got.Acceptance.Sections) == 0 {
		t.Fatalf("J2 came back as %+v", got)
	}
	if err := s.Remove("J2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("J2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a removed receipt: %v", err)
	}
	n, err := s.Prune(t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	if list, _ := s.List(); len(list) != 1 || list[0].Ref != "P3" {
		t.Fatalf("after pruning: %+v", list)
	}
}

// The citizen's name and ID number are not in the database file in clear.
func TestKeptSealed(t *testing.T) {
	s, st := newStore(t)
	a := acceptance("J1", time.Now())
	if err := s.Keep(a); err != nil {
		t.Fatal(err)
	}
	path := st.Path()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(a.Acceptance.Applicant)
	for _, v := range [][]byte{[]byte(a.Acceptance.Applicant), []byte(gb), []byte(a.Acceptance.IDNumber), []byte(a.Acceptance.Phone)} {
		if bytes.Contains(raw, v) {
			t.Fatalf("the database holds %q in clear", v)
		}
	}
}

// A receipt must hold the receipt of its kind, alone.
func TestKeepRefusesBadReceipts(t *testing.T) {
	s, _ := newStore(t)
	p := payment("P1", time.Now())
	both := p
	both.Acceptance = acceptance("P1", time.Now()).Acceptance
	wrongKind := p
	wrongKind.Kind = Acceptance
	noRef := p
	noRef.Ref = ""
	for name, r := range map[string]Receipt{"both": both, "wrong kind": wrongKind, "no reference": noRef, "empty": {}} {
		if err := s.Keep(r); err == nil {
			t.Errorf("%s: kept", name)
		}
	}
}

// Printed again, a receipt is marked （补打）; the first time it is not.
func TestJobMarksReprint(t *testing.T) {
	b := builder(t)
	mark, _ := simplifiedchinese.GB18030.NewEncoder().String("补打")
	for _, r := range []Receipt{payment("P1", time.Now()), acceptance("J1", time.Now())} {
		for _, again := range []bool{false, true} {
			job, err := r.Job(b, again)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(job.Data, []byte(mark)) != again {
				t.Errorf("%s, again %v: 补打 printed %v", r.Kind, again, !again)
			}
		}
	}
}

// A file without the reprints' bucket (damaged, or not the kiosk's) gets every reader
// and writer an error naming it, never a panic.
func TestMissingBucket(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, prefix string
		call         func(*Store) error
	}{
		{"Keep", "reprint: ", func(s *Store) error { return s.Keep(payment("K1", t0)) }},
		{"List", "reprint: ", func(s *Store) error { _, err := s.List(); return err }},
		{"Get", "reprint: ", func(s *Store) error { _, err := s.Get("K1"); return err }},
		{"Remove", "reprint: ", func(s *Store) error { return s.Remove("K1") }},
		{"Interrupted", "reprint: ", func(s *Store) error { _, err := s.Interrupted(t0, "中断", nil); return err }},
		{"Prune", "store: ", func(s *Store) error { _, err := s.Prune(t0); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, st := newStore(t)
			if err := s.Keep(payment("K1", t0)); err != nil {
				t.Fatal(err)
			}
			storetest.DropBucket(t, st, store.BucketReprints)
			err := storetest.NoPanic(t, tc.name, func() error { return tc.call(s) })
			storetest.WantNoBucket(t, tc.name, err, store.BucketReprints, tc.prefix)
		})
	}
}

// A receipt kept while it prints (Printing) and still so marked at start was cut short
// by a stop of the kiosk: Interrupted takes it as kept for staff, since then and for the
// reason given, in one transaction with what also writes for it; the others are left
// as they were. Should also fail, nothing changes. Get reads the entry as it is now.
func TestInterrupted(t *testing.T) {
	s, _ := newStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	printing := payment("P1", t0)
	printing.Printing, printing.Session, printing.Reason = true, "s-1", "正在打印"
	for _, r := range []Receipt{printing, acceptance("J2", t0)} {
		if err := s.Keep(r); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	if _, err := s.Interrupted(t0.Add(time.Hour), "中断", func(*bolt.Tx, Entry) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("also failing: %v", err)
	}
	if r, err := s.Get("P1"); err != nil || !r.Printing {
		t.Fatalf("after a failed pass: %+v, %v", r.Entry, err)
	}
	if list, err := s.List(); err != nil || len(list) != 1 || list[0].Ref != "J2" {
		t.Fatalf("listed while one is being printed: %+v, %v", list, err)
	}
	var seen []Entry
	n, err := s.Interrupted(t0.Add(time.Hour), "中断", func(tx *bolt.Tx, e Entry) error {
		seen = append(seen, e)
		_, err := store.Bucket(tx, store.BucketReprints) // in the pass's transaction
		return err
	})
	if err != nil || n != 1 || len(seen) != 1 || seen[0].Ref != "P1" || seen[0].Session != "s-1" {
		t.Fatalf("interrupted: %d, %v, seen %+v", n, err, seen)
	}
	r, err := s.Get("P1")
	if err != nil || r.Printing || r.Reason != "中断" || !r.Time.Equal(t0.Add(time.Hour)) || r.Payment == nil || r.Payment.TxnID == "" {
		t.Fatalf("the interrupted receipt: %+v, %v", r, err)
	}
	if r, err := s.Get("J2"); err != nil || r.Reason != "切刀故障" || !r.Time.Equal(t0) {
		t.Fatalf("a receipt that failed to print: %+v, %v", r.Entry, err)
	}
	if list, err := s.List(); err != nil || len(list) != 2 {
		t.Fatalf("listed after the pass: %+v, %v", list, err)
	}
	if n, err := s.Interrupted(t0.Add(2*time.Hour), "中断", nil); err != nil || n != 0 {
		t.Fatalf("a second pass: %d, %v", n, err)
	}
}
