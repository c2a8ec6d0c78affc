package store_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
)

// A commit whose meta page was written but failed (its sync, on a failing disk) was
// visible in the open database, which built on it, while its caller was told it
// failed; what the next start found was up to the disk. Now the store takes it back:
// neither the open database nor the next start finds it, as its caller (ErrNotWritten)
// was told. The file is not trusted for the rest of the run: every write is refused
// (ErrUntrusted, reported to OnNotWritten), the probe too, and reads go on. The next
// start opens the file whole, without the commit, and takes writes.
func TestCommitFailedAfterItsMetaTakenBack(t *testing.T) {
	s, dir, told := openTold(t)
	n := 10
	for i := range n {
		if err := putN(s, i, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	storetest.FailMetaWrite(t, s)
	failed := putN(s, n, false)
	if !errors.Is(failed, store.ErrNotWritten) || !errors.Is(failed, store.ErrUntrusted) || errors.Is(failed, store.ErrUncertain) {
		t.Fatalf("the commit whose meta page failed: %v, want ErrNotWritten and ErrUntrusted", failed)
	}
	if len(*told) != 1 || (*told)[0] != failed {
		t.Fatalf("OnNotWritten told %v", *told)
	}
	// Not the failed record. (bbolt's check of the open database would find its list of
	// free pages the failed commit's: it is never used again, as nothing is written.)
	holds(t, s, n)
	if !s.Untrusted() {
		t.Fatal("the file is trusted after a commit failed once visible")
	}
	for what, err := range map[string]error{"update": putN(s, n, false), "batch": putN(s, n+1, true), "probe": s.Probe(),
		"put": s.Put([]byte("diskfull"), "x", []byte("y"))} {
		if !errors.Is(err, store.ErrUntrusted) || !errors.Is(err, store.ErrNotWritten) {
			t.Errorf("%s on a file not trusted: %v", what, err)
		}
	}
	if len(*told) != 5 {
		t.Errorf("OnNotWritten told %d writes, want each of the 5", len(*told))
	}
	holds(t, s, n)
	again := nextStart(t, s, dir)
	whole(t, again, n)
	if again.Untrusted() {
		t.Fatal("the next start does not trust its file")
	}
	if err := putN(again, n, true); err != nil {
		t.Fatalf("a write at the next start: %v", err)
	}
	whole(t, again, n+1)
	if got := again.Path(); got != filepath.Join(dir, store.FileName) {
		t.Fatalf("path %s", got)
	}
}

// A commit that failed once visible and could not be taken back (the take-back failed
// too, as on a failing device) is ErrUncertain: not ErrNotWritten, as its caller cannot
// say it was not taken. The open database shows it; the file is not trusted for the
// rest of the run (OnNotWritten told); and the file keeps it, as this disk did: the
// next start finds it, and takes writes.
func TestCommitFailedAfterItsMetaUncertain(t *testing.T) {
	s, dir, told := openTold(t)
	n := 4
	for i := range n {
		if err := putN(s, i, false); err != nil {
			t.Fatal(err)
		}
	}
	putBack := storetest.FailMetaWriteUncertain(t, s)
	failed := putN(s, n, false)
	if !errors.Is(failed, store.ErrUncertain) || !errors.Is(failed, store.ErrUntrusted) || errors.Is(failed, store.ErrNotWritten) {
		t.Fatalf("the commit not taken back: %v, want ErrUncertain and ErrUntrusted, not ErrNotWritten", failed)
	}
	if len(*told) != 1 || (*told)[0] != failed || !s.Untrusted() {
		t.Fatalf("OnNotWritten told %v; untrusted %t", *told, s.Untrusted())
	}
	holds(t, s, n+1)
	if err := putN(s, n+1, false); !errors.Is(err, store.ErrUntrusted) {
		t.Fatalf("a write after it: %v, want ErrUntrusted", err)
	}
	putBack()
	again := nextStart(t, s, dir)
	whole(t, again, n+1)
	if err := putN(again, n+1, false); err != nil {
		t.Fatalf("a write at the next start: %v", err)
	}
}

// openTold opens a store in a new folder of t and returns it, with the folder and the
// errors its OnNotWritten function is told.
func openTold(t *testing.T) (*store.Store, string, *[]error) {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	told := &[]error{}
	s.OnNotWritten(func(err error) { *told = append(*told, err) })
	return s, dir, told
}
