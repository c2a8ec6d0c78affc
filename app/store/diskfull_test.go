package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

var testBucket = []byte("diskfull")

// putN stores record n (a few hundred bytes) in its own transaction, through Update or
// Batch.
func putN(s *store.Store, n int, batch bool) error {
	write := s.Update
	if batch {
		write = s.Batch
	}
	return write(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(testBucket)
		if err != nil {
			return err
		}
		return b.Put(store.U64(uint64(n)), []byte(strings.Repeat(fmt.Sprintf("record %d;", n), 40)))
	})
}

// whole fails t unless the database holds records 0 … n-1 and no other, and bbolt's
// consistency check finds nothing wrong with its pages.
func whole(t *testing.T, s *store.Store, n int) {
	t.Helper()
	err := s.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("consistency check: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	holds(t, s, n)
}

// holds fails t unless the database holds records 0 … n-1 and no other.
func holds(t *testing.T, s *store.Store, n int) {
	t.Helper()
	err := s.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(testBucket)
		if got := b.Stats().KeyN; got != n {
			return fmt.Errorf("%d records, want %d", got, n)
		}
		for i := range n {
			if want := strings.Repeat(fmt.Sprintf("record %d;", i), 40); string(b.Get(store.U64(uint64(i)))) != want {
				return fmt.Errorf("record %d is %.20q…", i, b.Get(store.U64(uint64(i))))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The disk fills up under a running store. bbolt first writes into the pages free
// inside its file, then must grow it, and that fails: the commit is refused with
// ErrNotWritten (reported to OnNotWritten), and nothing of it is in the file, whose
// records are all there and whose pages pass bbolt's check. While nothing can be
// written (every page past the meta pages refused) Update, Batch and Probe all fail the
// same way, and reads go on. Once space is freed, the same store, never reopened, takes
// the write that failed, and the file opens again whole.
func TestFullDiskCommitRolledBack(t *testing.T) {
	if !storetest.Alone(t) {
		return
	}
	s, dir, told := openTold(t)
	n := 0
	for ; n < 50; n++ {
		if err := putN(s, n, false); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, store.FileName)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	free := storetest.FullDisk(t, uint64(st.Size()))
	var failed error
	for ; n < 20000; n++ {
		if failed = putN(s, n, n%2 == 0); failed != nil {
			break
		}
	}
	switch {
	case failed == nil:
		t.Fatalf("%d records written past the file's size of %d bytes, none refused", n, st.Size())
	case !errors.Is(failed, store.ErrNotWritten) || !strings.Contains(failed.Error(), path):
		t.Fatalf("refused write: %v, want ErrNotWritten naming %s", failed, path)
	case len(*told) != 1 || (*told)[0].Error() != failed.Error():
		t.Fatalf("OnNotWritten was told %v, want the refused write once", *told)
	}
	t.Logf("the disk was full after %d records (%d bytes)", n, st.Size())
	whole(t, s, n)

	// Nothing can be written now: not even into a page free inside the file.
	storetest.FullDisk(t, 2*uint64(os.Getpagesize()))
	for what, err := range map[string]error{"update": putN(s, n, false), "batch": putN(s, n, true), "probe": s.Probe()} {
		if !errors.Is(err, store.ErrNotWritten) {
			t.Errorf("%s with nothing writable: %v, want ErrNotWritten", what, err)
		}
	}
	whole(t, s, n)
	// A transaction's own error is the caller's, not the file's.
	own := errors.New("the caller's own")
	*told = nil
	if err := s.Update(func(*bolt.Tx) error { return own }); !errors.Is(err, own) || errors.Is(err, store.ErrNotWritten) {
		t.Errorf("a transaction that failed on its own: %v", err)
	}
	if len(*told) != 0 {
		t.Errorf("OnNotWritten told of a transaction that failed on its own: %v", *told)
	}

	free()
	if err := s.Probe(); err != nil {
		t.Fatalf("probe once space is freed: %v", err)
	}
	if err := putN(s, n, false); err != nil {
		t.Fatalf("the refused write once space is freed: %v", err)
	}
	if err := putN(s, n+1, true); err != nil {
		t.Fatalf("a batch once space is freed: %v", err)
	}
	whole(t, s, n+2)
	whole(t, nextStart(t, s, dir), n+2)
}

// nextStart closes s and opens its data folder again, as the kiosk's next start does,
// after the check it makes first.
func nextStart(t *testing.T, s *store.Store, dir string) *store.Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.Check(store.Options{Dir: dir}); err != nil {
		t.Fatalf("the file at the next start: %v", err)
	}
	again, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	return again
}
