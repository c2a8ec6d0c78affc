package storetest

import (
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
