package store

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// history is each schema version's buckets as the release that brought it made them,
// written down apart from Migrations (whose Buckets verify trusts): a declaration
// changed or lost there is found against it and against the fixtures those releases
// wrote (testdata/schema).
var history = map[int][]string{
	1: {"journal", "journal_ref", "outbox", "outbox_pending", "outbox_ref"},
	2: {"reprints"},
	3: {"payment_orders"},
	4: {"journal_open"},
	5: {"bundles"},
}

// required is every bucket a file at schema v holds, by history, sorted.
func required(v int) []string {
	var out []string
	for w := 1; w <= v; w++ {
		out = append(out, history[w]...)
	}
	slices.Sort(out)
	return out
}

// rootBuckets names the top-level buckets of tx but meta, sorted.
func rootBuckets(tx *bolt.Tx) []string {
	var out []string
	tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if !bytes.Equal(name, bucketMeta) {
			out = append(out, string(name))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// Each migration declares the buckets its release made, no more, no fewer, and every
// version has its history written down.
func TestMigrationsDeclareTheirBuckets(t *testing.T) {
	for i, m := range Migrations {
		if m.Version != i+1 {
			t.Fatalf("migration %d is at place %d", m.Version, i)
		}
		var got []string
		for _, b := range m.Buckets {
			got = append(got, string(b))
		}
		slices.Sort(got)
		if !slices.Equal(got, history[m.Version]) {
			t.Errorf("migration %d (%s) declares %v, its release made %v", m.Version, m.Name, got, history[m.Version])
		}
	}
	if len(history) != len(Migrations) {
		t.Errorf("history has %d versions, Migrations %d: write the new version's buckets down here", len(history), len(Migrations))
	}
}

// A database at each older schema version opens and is migrated to the current one,
// with every bucket the current schema requires, and what it held still there; Check
// passes it before. Versions 1 to 5 are files the releases that brought them wrote
// (testdata/schema/make.sh), under one key; each version, 0 (made, then a power cut
// before the first migration) included, is also made here by the migrations up to it.
func TestOlderSchemas(t *testing.T) {
	type start struct {
		name string
		at   int
		make func(t *testing.T, o Options)
	}
	var starts []start
	for v := 0; v < CurrentSchema(); v++ {
		starts = append(starts, start{name: fmt.Sprintf("schema %d made by this build", v), at: v, make: func(t *testing.T, o Options) {
			path := filepath.Join(o.Dir, FileName)
			key, err := loadOrCreateKey(o.keyFile(), true)
			if err != nil {
				t.Fatal(err)
			}
			sealer, err := NewSealer(key)
			if err != nil {
				t.Fatal(err)
			}
			if err := initialise(path, sealer, 0); err != nil {
				t.Fatal(err)
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v > 0 {
				if err := migrate(db, Migrations[:v:v]); err != nil {
					t.Fatal(err)
				}
			}
			mark(t, db, v)
		}})
	}
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "schema", "v*.db.gz"))
	if len(fixtures) == 0 {
		t.Fatal("no fixtures in testdata/schema")
	}
	for _, f := range fixtures {
		v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "v"), ".db.gz"))
		if err != nil || v < 1 || v > CurrentSchema() {
			t.Fatalf("fixture %s: not a version of this build's schema", f)
		}
		starts = append(starts, start{name: fmt.Sprintf("schema %d written by its release", v), at: v, make: func(t *testing.T, o Options) {
			unzip(t, f, filepath.Join(o.Dir, FileName))
			key, err := os.ReadFile(filepath.Join("testdata", "schema", "data.key"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(o.keyFile(), key, 0o600); err != nil {
				t.Fatal(err)
			}
		}})
	}
	for _, s := range starts {
		t.Run(s.name, func(t *testing.T) {
			o := Options{Dir: t.TempDir()}
			s.make(t, o)
			path := filepath.Join(o.Dir, FileName)
			db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			db.View(func(tx *bolt.Tx) error {
				if got, want := rootBuckets(tx), required(s.at); !slices.Equal(got, want) {
					t.Errorf("the file at schema %d holds %v, want %v", s.at, got, want)
				}
				return nil
			})
			db.Close()
			if err := Check(o); err != nil {
				t.Fatalf("Check: %v", err)
			}
			st := open(t, o)
			if v, err := st.SchemaVersion(); v != CurrentSchema() || err != nil {
				t.Fatalf("schema %d (%v) after the migrations, want %d", v, err, CurrentSchema())
			}
			st.View(func(tx *bolt.Tx) error {
				if got, want := rootBuckets(tx), required(CurrentSchema()); !slices.Equal(got, want) {
					t.Errorf("migrated from schema %d, the file holds %v, want %v", s.at, got, want)
				}
				for _, name := range required(s.at) {
					if got, want := string(tx.Bucket([]byte(name)).Get([]byte("fixture"))), fmt.Sprint("schema ", s.at); got != want {
						t.Errorf("bucket %s holds %q after the migrations, want %q", name, got, want)
					}
				}
				return nil
			})
		})
	}
}

// mark puts "fixture" = "schema v" in every bucket of db but meta, as make.sh does.
func mark(t *testing.T, db *bolt.DB, v int) {
	t.Helper()
	err := db.Update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if bytes.Equal(name, bucketMeta) {
				return nil
			}
			return b.Put([]byte("fixture"), fmt.Append(nil, "schema ", v))
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func unzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A database that was there is checked against its schema before anything is written
// to it: a bucket its version requires missing, its meta bucket or the data key's check
// missing, a schema version that cannot be read are damage (ErrDamaged, the bucket
// named), a newer version is refused naming both versions; Open and Check say the same,
// and the refused file is left as it was. Before, Open let each of them through: the
// kiosk started and failed operation by operation, and migrated an unreadable version
// as if it were 0.
func TestOpenVerifiesSchema(t *testing.T) {
	put := func(v string) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte(v)) }
	}
	drop := func(names ...[]byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			for _, name := range names {
				if err := tx.DeleteBucket(name); err != nil {
					return err
				}
			}
			return nil
		}
	}
	type tc struct {
		name   string
		change func(tx *bolt.Tx) error
		want   error    // errors.Is; nil: it opens
		says   []string // in the error
	}
	var tests []tc
	for _, m := range Migrations {
		for _, b := range m.Buckets {
			tests = append(tests, tc{name: "without " + string(b), change: drop(b), want: ErrNoBucket,
				says: []string{fmt.Sprintf("at schema %d it lacks the bucket %q", CurrentSchema(), b), m.Name}})
		}
	}
	tests = append(tests, []tc{
		{name: "sound"},
		{name: "a bucket of no schema besides", change: func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("notes")); return err }},
		// Schema 2 requires the reprints, not the payment orders (schema 3's): made
		// by the migration.
		{name: "at schema 2 without the payment orders' bucket", change: func(tx *bolt.Tx) error {
			if err := put("2")(tx); err != nil {
				return err
			}
			return drop(BucketOrders, BucketJournalOpen, BucketBundles)(tx)
		}},
		{name: "at schema 2 without the reprints' bucket", change: func(tx *bolt.Tx) error {
			if err := put("2")(tx); err != nil {
				return err
			}
			return drop(BucketReprints)(tx)
		}, want: ErrNoBucket, says: []string{`at schema 2 it lacks the bucket "reprints"`}},
		{name: "without the meta bucket", change: drop(bucketMeta), want: ErrNoBucket, says: []string{`"meta"`}},
		{name: "another program's bbolt file", change: func(tx *bolt.Tx) error {
			if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error { return tx.DeleteBucket(name) }); err != nil {
				return err
			}
			_, err := tx.CreateBucket([]byte("settings"))
			return err
		}, want: ErrNoBucket, says: []string{`"meta"`}},
		{name: "without the data key's check", change: func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyKeyCheck) },
			want: ErrDamaged, says: []string{"no data key check"}},
		{name: "a schema version in words", change: put("five"), want: ErrDamaged, says: []string{`the schema version reads "five"`}},
		{name: "schema version 0 written", change: put("0"), want: ErrDamaged, says: []string{`reads "0"`}},
		{name: "a schema version below 0", change: put("-3"), want: ErrDamaged, says: []string{`reads "-3"`}},
		{name: "a schema version padded", change: put("05"), want: ErrDamaged, says: []string{`reads "05"`}},
		{name: "an empty schema version", change: put(""), want: ErrDamaged, says: []string{`reads ""`}},
		{name: "a newer schema", change: put(strconv.Itoa(CurrentSchema() + 1)), want: ErrNewerSchema,
			says: []string{fmt.Sprintf("at schema %d, this build knows schemas up to %d", CurrentSchema()+1, CurrentSchema()), "never migrated down"}},
		// A newer file is refused as newer, whatever buckets it holds.
		{name: "a newer schema without a bucket of this one", change: func(tx *bolt.Tx) error {
			if err := put("99")(tx); err != nil {
				return err
			}
			return drop(BucketOutbox)(tx)
		}, want: ErrNewerSchema, says: []string{"at schema 99, this build knows"}},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Dir: t.TempDir(), LockTimeout: 50 * time.Millisecond}
			path := filepath.Join(o.Dir, FileName)
			open(t, o).Close()
			if tt.change != nil {
				db, err := bolt.Open(path, 0o600, nil)
				if err != nil {
					t.Fatal(err)
				}
				err = db.Update(tt.change)
				if cerr := db.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, way := range []struct {
				name string
				call func() error
			}{
				{"Check", func() error { return Check(o) }},
				{"Open", func() error {
					s, err := Open(o)
					if err == nil {
						s.Close()
					}
					return err
				}},
			} {
				err := way.call()
				if tt.want == nil {
					if err != nil {
						t.Fatalf("%s: %v", way.name, err)
					}
					continue
				}
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s: %v, want %v", way.name, err, tt.want)
				}
				if damage := !errors.Is(tt.want, ErrNewerSchema); errors.Is(err, ErrDamaged) != damage {
					t.Errorf("%s: %v is damage: %v, want %v", way.name, err, !damage, damage)
				}
				for _, s := range tt.says {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("%s: %q does not say %q", way.name, err, s)
					}
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
					t.Errorf("%s changed the refused file", way.name)
				}
			}
			if tt.want == nil {
				s := open(t, o)
				s.View(func(tx *bolt.Tx) error {
					for _, name := range required(CurrentSchema()) {
						if tx.Bucket([]byte(name)) == nil {
							t.Errorf("opened, it lacks %s", name)
						}
					}
					return nil
				})
			}
		})
	}
}

// A newer schema is refused as *SchemaError, with both versions for the screen.
func TestSchemaError(t *testing.T) {
	var se *SchemaError
	if err := knownSchema(7, Migrations); !errors.As(err, &se) || se.File != 7 || se.Known != CurrentSchema() || !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("knownSchema(7): %#v", err)
	}
	if err := knownSchema(CurrentSchema(), Migrations); err != nil {
		t.Fatalf("knownSchema(current): %v", err)
	}
}
