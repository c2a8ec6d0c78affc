// Package storetest opens a kiosk store in a test's temporary folder, and puts a store in
// the states tests need (a journal that cannot be written).
package storetest

import (
	"testing"

	"github.com/liangzihu/kiosk/app/store"
)

// Open opens a new store (database and key) in a temporary folder of t, closed when the
// test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
