package storetest

import (
	"os"
	"reflect"
	"sync/atomic"
	"syscall"
	"testing"
	"unsafe"

	"github.com/liangzihu/kiosk/app/store"
)

// FailMetaWrite makes the next write of a meta page into the database of s land and
// then fail (EIO), as on a failing disk whose fdatasync of the meta page fails after
// the page reached the page cache: the commit it ends fails after the open database
// shows it. No real failure does that on demand (it takes a failing device), and bbolt
// has no hook for it: its unexported ops.writeAt is replaced (bbolt v1.5.0's layout; t
// fails if it is not there). The meta pages are pages 0 and 1, written whole; a
// commit's other pages lie after them.
func FailMetaWrite(t testing.TB, s *store.Store) {
	t.Helper()
	failMetaWrite(t, s, func() {})
}

// FailMetaWriteUncertain is FailMetaWrite on a disk that fails the store's taking the
// commit back too: the commit fails with store.ErrUncertain, and the file keeps it, so
// that the next start finds it. The take-back opens the database's file by its path:
// the file is moved away from it as the meta page's write fails, and put back by
// putBack (t's cleanup too), before the next start opens it. (On a failing device the
// take-back's own write or sync fails; that cannot be had on demand either.) The open
// database keeps its descriptor and map of the file, and every write is refused once
// the commit failed (store.ErrUntrusted), so nothing else of the store uses the path
// meanwhile.
func FailMetaWriteUncertain(t testing.TB, s *store.Store) (putBack func()) {
	t.Helper()
	path, away := s.Path(), s.Path()+".away"
	var moved atomic.Bool
	failMetaWrite(t, s, func() {
		if err := os.Rename(path, away); err != nil {
			t.Errorf("storetest: the database not moved from its path: %v", err)
			return
		}
		moved.Store(true)
	})
	putBack = func() {
		if moved.CompareAndSwap(true, false) {
			if err := os.Rename(away, path); err != nil {
				t.Fatalf("storetest: the database not put back at its path: %v", err)
			}
		}
	}
	t.Cleanup(putBack)
	return putBack
}

// failMetaWrite replaces bbolt's write of the database of s so that the next meta
// page's write lands, then calls failed, then fails.
func failMetaWrite(t testing.TB, s *store.Store, failed func()) {
	t.Helper()
	db := s.DB()
	f := reflect.ValueOf(db).Elem().FieldByName("ops")
	if f.IsValid() {
		f = f.FieldByName("writeAt")
	}
	if !f.IsValid() || f.Type() != reflect.TypeFor[func([]byte, int64) (int, error)]() {
		t.Fatal("storetest: bbolt's DB has no ops.writeAt to fail a meta page's write with")
	}
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	write := f.Interface().(func([]byte, int64) (int, error))
	size := int64(db.Info().PageSize)
	var done atomic.Bool
	f.Set(reflect.ValueOf(func(b []byte, off int64) (int, error) {
		n, err := write(b, off)
		if err == nil && off < 2*size && int64(len(b)) == size && done.CompareAndSwap(false, true) {
			failed()
			return n, &os.PathError{Op: "fdatasync", Path: db.Path(), Err: syscall.EIO}
		}
		return n, err
	}))
}
