package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FuzzCheckPages: checkPages reads any file without a panic, refusing it with errPage,
// and what it passes bbolt opens, walks and writes to without a panic or a fault: what
// it lets through would kill the kiosk at open (ErrDamaged). The seeds
// (testdata/fuzz/FuzzCheckPages) are small databases (1 KiB pages) with nested, inline
// and overflowing buckets, with and without a free-page list, sound and damaged.
func FuzzCheckPages(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := checkPages(path); err != nil {
			if !errors.Is(err, errPage) {
				t.Fatalf("checkPages: %v, not errPage", err)
			}
			return
		}
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoFreelistSync: true})
		if err != nil {
			return
		}
		defer db.Close()
		var walk func(b *bolt.Bucket) error
		walk = func(b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					if c := b.Bucket(k); c != nil {
						return walk(c)
					}
				}
				return nil
			})
		}
		err = db.Update(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if b == nil {
					t.Fatalf("the root holds %q, not a bucket", name)
				}
				if err := walk(b); err != nil {
					return err
				}
				return b.Put([]byte("fuzz"), bytes.Repeat([]byte{1}, 300))
			})
		})
		if err != nil {
			t.Logf("update: %v", err)
		}
	})
}

// BenchmarkCheckPages reads the pages of a database file of 100 MB (a year of a busy
// hall's journal and requests is a tenth of that) as Open does before bbolt walks them;
// BenchmarkOpenWalk is bbolt's own walk, for comparison.
func BenchmarkCheckPages(b *testing.B) {
	path := bigDatabase(b)
	for b.Loop() {
		if err := checkPages(path); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/1e6, "MB")
}

func BenchmarkOpenWalk(b *testing.B) {
	path := bigDatabase(b)
	for b.Loop() {
		db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkVerify is the schema's check alone (verify), in the open database of 100 MB.
func BenchmarkVerify(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(fillBig); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.View(func(tx *bolt.Tx) error { return verify(tx, s.path, Migrations) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen is the kiosk's whole open of its database of 100 MB, at the current
// schema: the meta pages, checkPages, bbolt's walk, the schema verified, the key checked.
func BenchmarkOpen(b *testing.B) {
	o := Options{Dir: b.TempDir()}
	s, err := Open(o)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Update(fillBig); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Open(o)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// bigDatabase is a database of fillBig alone.
func bigDatabase(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fillBig); err != nil {
		b.Fatal(err)
	}
	return path
}

// fillBig puts 40 000 journal-sized values of 1 KB in the journal's bucket (made if
// need be), and requests in nested buckets: 100 MB.
func fillBig(tx *bolt.Tx) error {
	j, err := tx.CreateBucketIfNotExists(BucketJournal)
	if err != nil {
		return err
	}
	for i := range 40_000 {
		if err := j.Put(U64(uint64(i)), bytes.Repeat([]byte{byte(i)}, 1000)); err != nil {
			return err
		}
		if i%100 == 0 {
			r, err := j.CreateBucket(append([]byte("r"), U64(uint64(i))...))
			if err != nil {
				return err
			}
			if err := r.Put([]byte("state"), []byte("pending")); err != nil {
				return err
			}
		}
	}
	return nil
}
