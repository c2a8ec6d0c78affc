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
	var failed atomic.Bool
	f.Set(reflect.ValueOf(func(b []byte, off int64) (int, error) {
		n, err := write(b, off)
		if err == nil && off < 2*size && int64(len(b)) == size && failed.CompareAndSwap(false, true) {
			return n, &os.PathError{Op: "fdatasync", Path: db.Path(), Err: syscall.EIO}
		}
		return n, err
	}))
}
