package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func open(t *testing.T, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesKeyAndSchema(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	st, err := os.Stat(filepath.Join(dir, "data.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", st.Mode().Perm())
	}
	if v, _ := s.SchemaVersion(); v != CurrentSchema() {
		t.Errorf("schema %d, want %d", v, CurrentSchema())
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+".new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}
	err = s.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{BucketJournal, BucketJournalRef, BucketOutbox, BucketOutboxRef, BucketOutboxPending} {
			if tx.Bucket(b) == nil {
				t.Errorf("bucket %s missing", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeyProblems(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, key string)
		want  error
	}{
		{"key lost after first start", func(t *testing.T, dir, key string) { os.Remove(key) }, ErrKeyMissing},
		{"key replaced", func(t *testing.T, dir, key string) {
			os.Remove(key)
			if _, err := createKey(key); err != nil {
				t.Fatal(err)
			}
		}, ErrWrongKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			key := filepath.Join(dir, "keys", "k")
			s, err := Open(Options{Dir: dir, KeyFile: key})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			tt.setup(t, dir, key)
			s, err = Open(Options{Dir: dir, KeyFile: key})
			if !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// A database file that is not whole is refused with ErrDamaged, and one another process
// holds with ErrInUse, by Open and by Check alike, and the file is left as it was. A file
// cut short once crashed the kiosk and kioskctl (SIGBUS at the first page it lacked, or
// bbolt's panic), and an empty one was made a new, empty database without a word.
func TestOpenDamagedOrHeld(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, o Options, db string)
		want  error // nil: it opens
	}{
		{name: "whole", setup: func(*testing.T, Options, string) {}},
		{name: "cut short", setup: func(t *testing.T, o Options, db string) {
			st, err := os.Stat(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(db, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, want: ErrDamaged},
		{name: "emptied", setup: func(t *testing.T, o Options, db string) {
			if err := os.Truncate(db, 0); err != nil {
				t.Fatal(err)
			}
		}, want: ErrDamaged},
		{name: "not a database", setup: func(t *testing.T, o Options, db string) {
			if err := os.WriteFile(db, bytes.Repeat([]byte("not bbolt "), 2000), 0o600); err != nil {
				t.Fatal(err)
			}
		}, want: ErrDamaged},
		{name: "held by another process", setup: func(t *testing.T, o Options, db string) {
			open(t, o)
		}, want: ErrInUse},
		// bbolt panicked on it, as it walks every page at open.
		{name: "a page that cannot be read", setup: func(t *testing.T, o Options, db string) {
			zeroFirstKey(t, db)
		}, want: ErrDamaged},
		// A fault no code catches (SIGSEGV) killed the last two starts while they opened
		// it: the kiosk started and died for ever.
		{name: "two starts stopped while opening it", setup: func(t *testing.T, o Options, db string) {
			writeMark(t, db, 2, db)
		}, want: ErrDamaged},
		// A power cut while it was opened.
		{name: "one start stopped while opening it", setup: func(t *testing.T, o Options, db string) {
			writeMark(t, db, 1, db)
		}},
		{name: "the count of another file it replaced", setup: func(t *testing.T, o Options, db string) {
			other := filepath.Join(o.Dir, "other")
			if err := os.WriteFile(other, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			writeMark(t, db, 5, other)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Dir: t.TempDir(), LockTimeout: 50 * time.Millisecond}
			db := filepath.Join(o.Dir, FileName)
			s := open(t, o)
			// Pages enough that half the file lacks some of the buckets' pages.
			err := s.Update(func(tx *bolt.Tx) error {
				for i := range 200 {
					if err := tx.Bucket(BucketJournal).Put(U64(uint64(i)), bytes.Repeat([]byte{byte(i)}, 1000)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			tt.setup(t, o, db)
			before, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			s, err = Open(o)
			if err == nil {
				s.Close()
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(markFor(db).path); tt.want != ErrDamaged && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the count of unfinished opens stayed after an open that ended: %v", err)
			}
			if err := Check(o); tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Check: %v, want %v", err, tt.want)
			}
			if after, _ := os.ReadFile(db); tt.want != nil && !bytes.Equal(after, before) {
				t.Errorf("the refused file was changed: %d bytes, then %d", len(before), len(after))
			}
		})
	}
}

// zeroFirstKey zeroes the first key of a leaf page in the middle of the database at
// path: the keys are out of order, as a disk's fault may leave them.
func zeroFirstKey(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var leaves []int
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type == "leaf" && p.Count > 1 {
				leaves = append(leaves, id)
			}
		}
	})
	size := db.Info().PageSize
	db.Close()
	if err != nil || len(leaves) < 3 {
		t.Fatalf("leaf pages %v, %v", leaves, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id := leaves[len(leaves)/2]
	var count [2]byte
	if _, err := f.ReadAt(count[:], int64(id*size+10)); err != nil {
		t.Fatal(err)
	}
	// A page header is 16 bytes, a leaf element's 16; the first key follows them.
	at := int64(id*size + 16 + 16*int(binary.LittleEndian.Uint16(count[:])))
	if _, err := f.WriteAt(make([]byte, 8), at); err != nil {
		t.Fatal(err)
	}
}

// writeMark writes the opening mark of the database at db as a count of unfinished opens
// of the file at of.
func writeMark(t *testing.T, db string, count int, of string) {
	t.Helper()
	id, err := markFor(of).identity()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(markFor(db).path, fmt.Appendf(nil, "%d %s\n", count, id), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The key file is written whole before it takes its name: a power cut on the first
// start leaves no key file, or a whole one. An empty one (left by a kiosk that created
// the file, then wrote it) before the database exists is replaced with a new key;
// anything else that is not a key is refused, and left as it is.
func TestKeyFileOnFirstStart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    bool // a key file is there, holding content
		content string
		ok      bool
	}{
		{"no key file", false, "", true},
		{"an empty key file left by a power cut", true, "", true},
		{"a file that is no key", true, "not a key\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			key := filepath.Join(dir, "data.key")
			if tc.file {
				if err := os.WriteFile(key, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(Options{Dir: dir})
			if !tc.ok {
				if err == nil {
					s.Close()
					t.Fatal("opened with a key file that is no key")
				}
				if b, _ := os.ReadFile(key); string(b) != tc.content {
					t.Fatalf("the key file was changed to %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			b, err := os.ReadFile(key)
			if k, herr := hex.DecodeString(strings.TrimSpace(string(b))); err != nil || herr != nil || len(k) != KeySize {
				t.Fatalf("key file %q, %v", b, err)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".data.key.*")); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
			s = open(t, Options{Dir: dir}) // and the next start opens with it
			s.Close()
		})
	}
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	s.Close()
	os.Chmod(filepath.Join(dir, "data.key"), 0o644)
	if s, err := Open(Options{Dir: dir}); err == nil {
		s.Close()
		t.Fatal("a world-readable key file was accepted")
	}
}

func TestSealOpen(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir()})
	sl := s.Sealer()
	plain := []byte("11010519491231002X 张三")
	sealed := sl.Seal(plain, []byte("ctx"))
	if bytes.Contains(sealed, plain) || bytes.Contains(sealed, []byte("11010519491231002X")) {
		t.Fatal("sealed value contains the plain text")
	}
	got, err := sl.Open(sealed, []byte("ctx"))
	if err != nil || string(got) != string(plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	for name, v := range map[string][]byte{"other context": nil, "truncated": sealed[:10], "flipped": append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1)} {
		ctx := []byte("ctx")
		if name == "other context" {
			v, ctx = sealed, []byte("other")
		}
		if _, err := sl.Open(v, ctx); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: got %v, want ErrOpen", name, err)
		}
	}
	if a, b := sl.Subject("id", "x"), sl.Subject("id", "x"); a != b || a == sl.Subject("id", "y") || len(a) != 32 {
		t.Errorf("subject hashes %q %q", a, b)
	}
}

func TestMigrations(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	var ran []int
	ms := append(append([]Migration{}, Migrations...),
		Migration{Version: CurrentSchema() + 1, Name: "test bucket", Apply: func(tx *bolt.Tx) error {
			ran = append(ran, CurrentSchema()+1)
			_, err := tx.CreateBucket([]byte("x"))
			return err
		}})
	if err := migrate(s.db, ms); err != nil {
		t.Fatal(err)
	}
	if err := migrate(s.db, ms); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 {
		t.Fatalf("migration ran %d times, want once", len(ran))
	}
	// This build is now older than the file.
	if err := migrate(s.db, Migrations); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("got %v, want ErrNewerSchema", err)
	}
	failing := append(append([]Migration{}, ms...), Migration{Version: CurrentSchema() + 2, Name: "fails", Apply: func(tx *bolt.Tx) error {
		tx.CreateBucket([]byte("half"))
		return errors.New("boom")
	}})
	if err := migrate(s.db, failing); err == nil {
		t.Fatal("a failing migration reported success")
	}
	v, _ := s.SchemaVersion()
	if v != CurrentSchema()+1 {
		t.Errorf("schema %d after a failed migration, want %d", v, CurrentSchema()+1)
	}
	s.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half")) != nil {
			t.Error("a failed migration left a bucket")
		}
		return nil
	})
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir})
	if err := s.Update(func(tx *bolt.Tx) error { return tx.Bucket(BucketOutbox).Put([]byte("k"), []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	n, err := s.BackupFile(out)
	if err != nil || n == 0 {
		t.Fatalf("backup: %d, %v", n, err)
	}
	db, err := bolt.Open(out, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(BucketOutbox).Get([]byte("k")); string(v) != "v" {
			t.Errorf("backup holds %q", v)
		}
		return nil
	})
}

// WriteFile writes through a new temporary file: a file or link left beside the target
// (where a fixed temporary name would be) neither receives the copy nor lends it its
// mode; the copy is 0600; a copy cut short leaves nothing behind.
func TestWriteFileTemporary(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "backup.db")
	if err := os.Symlink(victim, out+".part"); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFile(out, false, func(w io.Writer) (int64, error) { n, err := io.WriteString(w, "copy"); return int64(n), err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "victim" {
		t.Errorf("the link's target was written: %q", b)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the copy: %v, %v", st.Mode(), err)
	}
	cut := filepath.Join(dir, "cut.db")
	if _, err := WriteFile(cut, false, func(w io.Writer) (int64, error) { return 0, errors.New("disk full") }); err == nil {
		t.Fatal("a copy cut short succeeded")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".cut.db.*"))
	if _, err := os.Stat(cut); err == nil || len(left) != 0 {
		t.Errorf("a copy cut short left %v (or its name)", left)
	}
}

// Check says what Open would say of a data folder, and creates or changes nothing.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		started bool // a kiosk has started on the folder (and closed it)
		setup   func(t *testing.T, dir, key string)
		want    error // errors.Is; nil: fine
		wantErr bool  // some error, not a sentinel
		notRoot bool  // root writes where file modes say no one may
	}{
		{name: "before the first start"},
		{name: "before the first start, a key file put there", setup: func(t *testing.T, dir, key string) {
			if _, err := createKey(key); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "before the first start, a key file that is no key", setup: func(t *testing.T, dir, key string) {
			os.MkdirAll(filepath.Dir(key), 0o700)
			os.WriteFile(key, []byte("secret\n"), 0o600)
		}, wantErr: true},
		{name: "before the first start, an empty key file left by a power cut", setup: func(t *testing.T, dir, key string) {
			os.MkdirAll(filepath.Dir(key), 0o700)
			os.WriteFile(key, nil, 0o600)
		}},
		{name: "after a start, the key file emptied", started: true, setup: func(t *testing.T, dir, key string) {
			os.WriteFile(key, nil, 0o600)
		}, wantErr: true},
		{name: "after a start", started: true},
		{name: "key lost", started: true, setup: func(t *testing.T, dir, key string) { os.Remove(key) }, want: ErrKeyMissing},
		{name: "key replaced", started: true, setup: func(t *testing.T, dir, key string) {
			os.Remove(key)
			if _, err := createKey(key); err != nil {
				t.Fatal(err)
			}
		}, want: ErrWrongKey},
		{name: "key readable by others", started: true, setup: func(t *testing.T, dir, key string) { os.Chmod(key, 0o644) }, wantErr: true},
		{name: "written by a newer kiosk", started: true, setup: func(t *testing.T, dir, key string) {
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("999")) })
		}, want: ErrNewerSchema},
		{name: "held by a running kiosk", started: true, setup: func(t *testing.T, dir, key string) {
			open(t, Options{Dir: dir, KeyFile: key})
		}, want: ErrInUse},
		// A file system mounted read-only is the same to Check (EROFS for anyone).
		{name: "the data folder not writable", started: true, notRoot: true, setup: func(t *testing.T, dir, key string) {
			os.Chmod(dir, 0o500)
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
		}, wantErr: true},
		{name: "the database not writable", started: true, notRoot: true, setup: func(t *testing.T, dir, key string) {
			os.Chmod(filepath.Join(dir, FileName), 0o400)
		}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.notRoot && os.Geteuid() == 0 {
				t.Skip("root may write anywhere")
			}
			dir := t.TempDir()
			key := filepath.Join(dir, "keys", "k")
			o := Options{Dir: dir, KeyFile: key}
			if tt.started {
				s, err := Open(o)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
			if tt.setup != nil {
				tt.setup(t, dir, key)
			}
			before := listFiles(t, dir)
			err := Check(o)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want), tt.wantErr && err == nil, tt.want == nil && !tt.wantErr && err != nil:
				t.Fatalf("Check: %v", err)
			}
			if after := listFiles(t, dir); after != before {
				t.Errorf("Check changed the folder: %s, then %s", before, after)
			}
		})
	}
}

// listFiles names the files below dir with their sizes and modes.
func listFiles(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v; ", p[len(dir):], fi.Size(), fi.Mode())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// WriteFile replaces nothing unless told to: an existing file (or a link) is refused with
// fs.ErrExist and left as it was, with no temporary file beside it; told to, it
// replaces the file, or the link itself and not what the link points to.
func TestWriteFileReplace(t *testing.T) {
	for _, tc := range []struct {
		name    string
		link    bool // the target is a link to another file
		replace bool
	}{
		{name: "a file"},
		{name: "a link", link: true},
		{name: "a file, replaced", replace: true},
		{name: "a link, replaced", link: true, replace: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, other := filepath.Join(dir, "copy.db"), filepath.Join(dir, "other")
			if err := os.WriteFile(other, []byte("other"), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.link {
				if err := os.Symlink(other, out); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(out, []byte("before"), 0o600); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(out)
			_, err := WriteFile(out, tc.replace, func(w io.Writer) (int64, error) { n, err := io.WriteString(w, "copy"); return int64(n), err })
			after, _ := os.ReadFile(out)
			if b, _ := os.ReadFile(other); string(b) != "other" {
				t.Errorf("what the link points to was written: %q", b)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
			if tc.replace {
				if err != nil || string(after) != "copy" {
					t.Fatalf("replacing: %q, %v", after, err)
				}
				return
			}
			if !errors.Is(err, fs.ErrExist) || !bytes.Equal(after, before) {
				t.Fatalf("not replacing: %q, %v", after, err)
			}
		})
	}
	// Two writers to one new name: one of them makes it, the other is refused.
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	_, err := WriteFile(out, false, func(w io.Writer) (int64, error) {
		if err := os.WriteFile(out, []byte("first"), 0o600); err != nil {
			t.Fatal(err)
		}
		n, err := io.WriteString(w, "second")
		return int64(n), err
	})
	if b, _ := os.ReadFile(out); !errors.Is(err, fs.ErrExist) || string(b) != "first" {
		t.Fatalf("the name was taken meanwhile: %q, %v", b, err)
	}
}

// CheckExport refuses to put an export (a backup, a picture) in the place of the kiosk's
// own files, however the path names them; anywhere else is fine, there or not yet.
func TestCheckExport(t *testing.T) {
	root := t.TempDir()
	data, keys := filepath.Join(root, "data"), filepath.Join(root, "keys")
	o := Options{Dir: data, KeyFile: filepath.Join(keys, "data.key")}
	s := open(t, o)
	s.Close()
	elsewhere := filepath.Join(root, "usb")
	for _, d := range []string{elsewhere, filepath.Join(data, "sub")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"to-data": data, "to-db": filepath.Join(data, FileName), "to-key": o.KeyFile}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(elsewhere, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(data, FileName), filepath.Join(elsewhere, "hard.db")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, err string // err: "" for fine
	}{
		{"the database", filepath.Join(data, FileName), "is the kiosk's database"},
		{"the database, by ..", filepath.Join(data, "sub", "..", FileName), "is the kiosk's database"},
		{"a link to the database", filepath.Join(elsewhere, "to-db"), "is the kiosk's database"},
		{"a hard link to the database", filepath.Join(elsewhere, "hard.db"), "is the kiosk's database"},
		{"a new file in the data folder", filepath.Join(data, "copy.db"), "lies in the kiosk's data folder"},
		{"deeper in the data folder", filepath.Join(data, "sub", "copy.db"), "lies in the kiosk's data folder"},
		{"the data folder by a link", filepath.Join(elsewhere, "to-data", "copy.db"), "lies in the kiosk's data folder"},
		{"the key file", o.KeyFile, "is the kiosk's data key file"},
		{"a link to the key file", filepath.Join(elsewhere, "to-key"), "is the kiosk's data key file"},
		{"a new file elsewhere", filepath.Join(elsewhere, "copy.db"), ""},
		{"beside the key file", filepath.Join(keys, "copy.db"), ""},
		{"a folder not there", filepath.Join(root, "none", "copy.db"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := o.CheckExport(tc.path)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("%v; want %q", err, tc.err)
			}
		})
	}
	// A key file not made yet is still the key file, by its name.
	fresh := Options{Dir: filepath.Join(root, "fresh"), KeyFile: filepath.Join(root, "fresh.key")}
	if err := fresh.CheckExport(fresh.KeyFile); err == nil || !strings.Contains(err.Error(), "data key file") {
		t.Fatalf("the key file to be: %v", err)
	}
}
