package orders

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
)

func newStore(t *testing.T) (*Store, *store.Store) {
	t.Helper()
	st := storetest.Open(t)
	return New(st), st
}

func order(ref string, at time.Time) Order {
	return Order{KioskRef: ref, Utility: utility.Electricity, Account: "1000000002", Reference: "ZF-" + ref,
		Bills: []string{"E-202604", "E-202605"}, Amount: 12345, Holder: "欧阳娜娜", Session: "s1", Created: at}
}

func refs(t *testing.T, s *Store) string {
	t.Helper()
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range list {
		out = append(out, o.KioskRef)
	}
	return strings.Join(out, ",")
}

// Kept orders come back whole, listed oldest first; a second Put replaces the first;
// they go when removed or pruned.
func TestPutGetListRemovePrune(t *testing.T) {
	s, _ := newStore(t)
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for i, ref := range []string{"K3", "K1", "K2"} {
		if err := s.Put(order(ref, t0.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if got := refs(t, s); got != "K3,K1,K2" {
		t.Fatalf("listed %s, want oldest first", got)
	}
	if n, err := s.Count(); n != 3 || err != nil {
		t.Fatalf("counted %d (%v), want 3", n, err)
	}
	o := order("K1", t0.Add(time.Hour))
	o.CancelSent = true
	if err := s.Put(o); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Get("K1")
	if err != nil || !ok || !reflect.DeepEqual(got, o) {
		t.Fatalf("got %+v, %v, %v; want %+v", got, ok, err, o)
	}
	if _, ok, err := s.Get("K9"); ok || err != nil {
		t.Fatalf("an order never kept: %v, %v", ok, err)
	}
	if err := s.Remove("K1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("K1"); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	n, err := s.Prune(t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	if got := refs(t, s); got != "K2" {
		t.Fatalf("left %s, want K2", got)
	}
}

// An order without what is needed to ask after it is refused.
func TestPutRefusesIncompleteOrders(t *testing.T) {
	s, _ := newStore(t)
	for name, change := range map[string]func(*Order){
		"no kiosk reference": func(o *Order) { o.KioskRef = "" },
		"no utility":         func(o *Order) { o.Utility = "" },
	} {
		o := order("K1", time.Now())
		change(&o)
		if err := s.Put(o); err == nil {
			t.Errorf("%s: kept", name)
		}
	}
}

// An order asked for and not answered yet is kept, without the utility's reference,
// by the request's transaction (Asking, the outbox's Request.With) or not at all;
// Answered binds the reference once the utility answers, and Cancelling notes a
// cancellation, with its kiosk reference, in the cancellation's transaction; neither
// keeps an order never kept.
func TestAskedOrderKeptWithItsTransaction(t *testing.T) {
	s, st := newStore(t)
	asked := order("", time.Now())
	var told []string
	with := s.Asking(asked, func(ref string) { told = append(told, ref) })
	failed := errors.New("the request could not be stored")
	err := st.Update(func(tx *bolt.Tx) error {
		if err := with(tx, "K1"); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if _, ok, err := s.Get("K1"); ok || err != nil {
		t.Fatalf("kept from a transaction that failed: %v, %v", ok, err)
	}
	mustUpdate := func(f func(tx *bolt.Tx) error) {
		t.Helper()
		if err := st.Update(f); err != nil {
			t.Fatal(err)
		}
	}
	mustUpdate(func(tx *bolt.Tx) error { return with(tx, "K1") })
	if o, ok, err := s.Get("K1"); !ok || err != nil || !o.Asked() || o.KioskRef != "K1" || o.Holder != asked.Holder {
		t.Fatalf("asked order: %+v, %v, %v", o, ok, err)
	}
	if strings.Join(told, ",") != "K1,K1" {
		t.Fatalf("told %q", told)
	}
	if ok, err := s.Answered("K1", "ZF-K1"); !ok || err != nil {
		t.Fatalf("answered: %v, %v", ok, err)
	}
	// K2 noted twice (a With run again) is noted once.
	mustUpdate(func(tx *bolt.Tx) error { return s.Cancelling("K1", "ZF-K1")(tx, "K2") })
	mustUpdate(func(tx *bolt.Tx) error { return s.Cancelling("K1", "ZF-K1")(tx, "K2") })
	mustUpdate(func(tx *bolt.Tx) error { return s.Cancelling("K1", "ZF-K1")(tx, "K5") })
	mustUpdate(func(tx *bolt.Tx) error { return s.Cancelling("K3", "ZF-K3")(tx, "K4") })
	if ok, err := s.Answered("K3", "ZF-K3"); ok || err != nil {
		t.Fatalf("answered an order never kept: %v, %v", ok, err)
	}
	if o, _, err := s.Get("K1"); err != nil || o.Asked() || o.Reference != "ZF-K1" || !o.CancelSent || o.Account != asked.Account ||
		strings.Join(o.CancelRefs, ",") != "K2,K5" {
		t.Fatalf("answered order, cancelled by K2 and K5: %+v, %v", o, err)
	}
	if got := refs(t, s); got != "K1" {
		t.Fatalf("kept %s, want K1", got)
	}
}

// The holder's name and the account are sealed: neither is in the database file.
func TestOrdersSealed(t *testing.T) {
	s, st := newStore(t)
	if err := s.Put(order("K1", time.Now())); err != nil {
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
	for _, plain := range []string{"欧阳娜娜", "1000000002", "ZF-K1"} {
		if bytes.Contains(raw, []byte(plain)) {
			t.Errorf("%q in clear in the database", plain)
		}
	}
}

// A damaged entry is reported, and the others are still listed.
func TestListReportsDamagedOrders(t *testing.T) {
	s, st := newStore(t)
	for _, ref := range []string{"K1", "K2"} {
		if err := s.Put(order(ref, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	err := st.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(store.BucketOrders).Put([]byte("K1"), []byte(`{"created":"2026-11-26T09:00:00Z","sealed":"AAAA"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err == nil || !strings.Contains(err.Error(), "K1") {
		t.Fatalf("damaged entry: %v", err)
	}
	if len(list) != 1 || list[0].KioskRef != "K2" {
		t.Fatalf("listed %+v, want K2 alone", list)
	}
}

// BenchmarkPut: keeping an order, sealed, in one commit with fsync — about what binding the
// utility's reference to an order kept as asked (Answered) costs, one such commit
// (docs/benchmarks.md).
func BenchmarkPut(b *testing.B) {
	s := New(storetest.Open(b))
	o := order("K1", time.Now())
	for i := 0; b.Loop(); i++ {
		o.KioskRef = "K" + strconv.Itoa(i)
		if err := s.Put(o); err != nil {
			b.Fatal(err)
		}
	}
}

// A file without the orders' bucket (damaged, or not the kiosk's) gets every reader and
// writer an error naming it, never a panic.
func TestMissingBucket(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, prefix string
		call         func(*Store) error
	}{
		{"Put", "orders: ", func(s *Store) error { return s.Put(order("K1", t0)) }},
		{"Get", "orders: ", func(s *Store) error { _, _, err := s.Get("K1"); return err }},
		{"List", "orders: ", func(s *Store) error { _, err := s.List(); return err }},
		{"Count", "orders: ", func(s *Store) error { _, err := s.Count(); return err }},
		{"Answered", "orders: ", func(s *Store) error { _, err := s.Answered("K1", "ZF-1"); return err }},
		{"Remove", "orders: ", func(s *Store) error { return s.Remove("K1") }},
		{"Prune", "store: ", func(s *Store) error { _, err := s.Prune(t0); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, st := newStore(t)
			if err := s.Put(order("K1", t0)); err != nil {
				t.Fatal(err)
			}
			storetest.DropBucket(t, st, store.BucketOrders)
			err := storetest.NoPanic(t, tc.name, func() error { return tc.call(s) })
			storetest.WantNoBucket(t, tc.name, err, store.BucketOrders, tc.prefix)
		})
	}
}
