package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store"
)

// JournalWritable makes the journal of the database s fail to record (a bucket every
// record writes gone, as in a damaged file; what the journal holds can still be read),
// or, on, mends it: tests of what the kiosk does when its journal cannot be written.
func JournalWritable(t testing.TB, s *store.Store, on bool) {
	t.Helper()
	if err := s.Update(func(tx *bolt.Tx) error {
		if on {
			_, err := tx.CreateBucket(store.BucketJournalOpen)
			return err
		}
		return tx.DeleteBucket(store.BucketJournalOpen)
	}); err != nil {
		t.Fatal(err)
	}
}

// DropBucket removes the bucket name from the database s, as a damaged file, or another
// program's bbolt file at the kiosk's schema, lacks it: tests that the kiosk's readers
// and writers meet it as an error (store.ErrNoBucket), not as a panic.
func DropBucket(t testing.TB, s *store.Store, name []byte) {
	t.Helper()
	if err := s.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(name) }); err != nil {
		t.Fatalf("drop bucket %s: %v", name, err)
	}
}

// NoPanic runs call and returns its error, failing t if it panics instead: a reader or
// writer of a damaged file (DropBucket) answers with an error.
func NoPanic(t testing.TB, what string, call func() error) (err error) {
	t.Helper()
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		err = call()
	}()
	if panicked != nil {
		t.Fatalf("%s panicked: %v", what, panicked)
	}
	return err
}

// WantNoBucket fails t unless err, from what, is the error of a missing bucket name: it
// wraps store.ErrNoBucket, names the bucket and begins with prefix (the package's, as
// "journal: "), so that staff read which part of the file is gone and who found it.
func WantNoBucket(t testing.TB, what string, err error, name []byte, prefix string) {
	t.Helper()
	if !errors.Is(err, store.ErrNoBucket) {
		t.Fatalf("%s without bucket %s: got %v, want an error wrapping store.ErrNoBucket", what, name, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, fmt.Sprintf("%q", name)) {
		t.Errorf("%s without bucket %s: %q does not begin %q, or does not name the bucket", what, name, msg, prefix)
	}
}

// FileWithoutBucket leaves in the data folder dir (key file <dir>/data.key) a kiosk
// database, made there unless it is, that lacks the bucket name, closed: the file a
// start or a kioskctl command meets after a damage (store.Open and store.Check refuse
// it: store.ErrDamaged, naming the bucket).
func FileWithoutBucket(t testing.TB, dir string, name []byte) {
	t.Helper()
	s, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	DropBucket(t, s, name)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
