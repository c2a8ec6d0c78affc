package bundle

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

// A file without the bundles' bucket (damaged, or not the kiosk's) gets each reader
// and writer of the bundles' state an error naming it, never a panic.
func TestMissingBucket(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		call func(*State) error
	}{
		{"Statuses", func(s *State) error { _, err := s.Statuses(); return err }},
		{"Drop", func(s *State) error { _, err := s.Drop("water", at, "工号0107"); return err }},
		{"Rollback", func(s *State) error { return s.Rollback("water", at, "工号0107", nil) }},
		{"Activate", func(s *State) error { return s.Activate("water", at, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.Open(t)
			s := NewState(st, journal.New(st, nil))
			storetest.DropBucket(t, st, store.BucketBundles)
			err := storetest.NoPanic(t, tc.name, func() error { return tc.call(s) })
			storetest.WantNoBucket(t, tc.name, err, store.BucketBundles, "bundle: ")
		})
	}
}
