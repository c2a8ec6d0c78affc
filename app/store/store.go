// Package store is the kiosk's one database: a bbolt file in the data folder with its
// buckets, a schema version and its migrations, sealing of personal data at rest
// (AES-256-GCM under a key kept in its own file) and an online backup for staff.
//
// Durability: bbolt's fsync is never turned off (NoSync stays false) (a commit returns only once the data and
// the new meta page are on disk), and a brand-new file is initialised under a temporary
// name and renamed into place, so a power cut during the very first initialisation cannot
// leave a half-written database behind (etcd-io/etcd#16596).
package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/sys/unix"
)

// FileName is the database's name inside the data folder.
const FileName = "kiosk.db"

// Options say where the store lives.
type Options struct {
	// Dir is the data folder (config data.dir). It is created 0700 if missing.
	Dir string
	// KeyFile is the data key's file (config data.key_file); empty means <Dir>/data.key.
	KeyFile string
	// LockTimeout bounds the wait for another process that holds the file (default 5 s).
	LockTimeout time.Duration
}

func (o Options) keyFile() string {
	if o.KeyFile == "" {
		return filepath.Join(o.Dir, "data.key")
	}
	return o.KeyFile
}

// ErrInUse means another process holds the database: a running kiosk (Check cannot look
// inside it: the kiosk that holds it opened it with its key), or a kioskctl command
// working on it while no kiosk runs. Open waits Options.LockTimeout for it first.
var ErrInUse = errors.New("store: the database is in use by another process")

// ErrDamaged means the database file is not whole: empty, not a bbolt file, shorter
// than the pages its last commit names (a copy or a restore cut short, a file system
// that lost its end), with a page that cannot be read (a disk's or an SD card's
// fault; see checkPages and openingMark), or not as its schema says (verify). bbolt maps the file and reads a page that is not there as a
// fault the process cannot survive (SIGBUS): such a file is refused before it is
// opened, and left as it is for staff to restore from a backup.
var ErrDamaged = errors.New("store: the database file is damaged")

// Check reports, creating and changing nothing, whether Open would open the data
// folder: a key file that opens the database's sealed data, and a schema this build
// knows, with every bucket it requires (verify). With no database yet, a key file there must be fit for the first start. The
// data folder and the database must be writable by whoever asks (run it as the kiosk's
// user).
func Check(o Options) error {
	keyFile, path := o.keyFile(), filepath.Join(o.Dir, FileName)
	for _, p := range []string{o.Dir, path} {
		// The kiosk opens both to write (its database, log and staff socket) or does not
		// start: a folder on a file system mounted read-only, or another user's.
		if err := unix.Access(p, unix.W_OK); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: %s cannot be written (%w): the kiosk writes its database, log and staff socket in its data folder", p, err)
		}
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if st, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) || err == nil && st.Size() == 0 {
			// Both are made at the first start (an empty key file: a first start cut
			// short, replaced).
			return nil
		}
		_, err := loadOrCreateKey(keyFile, false)
		return err
	}
	key, err := loadOrCreateKey(keyFile, false)
	if err != nil {
		return err
	}
	sealer, err := NewSealer(key)
	if err != nil {
		return err
	}
	if _, _, err := markFor(path).counted(); err != nil {
		return err
	}
	db, err := openWhole(path, 500*time.Millisecond)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkPages(path); err != nil {
		return damaged(path, err.Error())
	}
	return db.View(func(tx *bolt.Tx) error {
		if err := verify(tx, path, Migrations); err != nil {
			return err
		}
		return keyOpens(tx, sealer)
	})
}

// Store is the open database. It is safe for concurrent use.
type Store struct {
	db     *bolt.DB
	sealer *Sealer
	path   string
	// notWritten is OnNotWritten's function.
	notWritten atomic.Pointer[func(error)]
	// commits tells a failed commit that became visible (untrusted.go).
	commits commits
}

var (
	bucketMeta    = []byte("meta")
	keySchema     = []byte("schema")
	keyKeyCheck   = []byte("key_check")
	keyCheckPlain = []byte("kiosk data key check")
)

// ErrWrongKey means the key file does not open this database's sealed data: the key was
// replaced or lost. The sealed personal fields cannot be read without the original key.
var ErrWrongKey = errors.New("store: the data key does not match this database (was data.key replaced?)")

// ErrNewerSchema means the file was written by a newer kiosk release.
var ErrNewerSchema = errors.New("store: the database was written by a newer kiosk version")

// Open opens or creates the database and its key, then brings the schema up to date. A
// database that was there is first checked against its schema (verify), and refused,
// left as it is, when it is not as its schema says (ErrDamaged; ErrNoBucket too for a
// bucket missing) or newer than this build knows (*SchemaError, ErrNewerSchema). A new
// one is made with every bucket of the current schema.
func Open(o Options) (*Store, error) {
	if o.Dir == "" {
		return nil, errors.New("store: no data folder")
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	keyFile := o.keyFile()
	path := filepath.Join(o.Dir, FileName)
	_, statErr := os.Stat(path)
	fresh := errors.Is(statErr, os.ErrNotExist)
	key, err := loadOrCreateKey(keyFile, fresh)
	if err != nil {
		return nil, err
	}
	sealer, err := NewSealer(key)
	if err != nil {
		return nil, err
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 5 * time.Second
	}
	if fresh {
		if err := initialise(path, sealer, o.LockTimeout); err != nil {
			return nil, err
		}
	} else {
		// Before bbolt reads any other page: see ErrDamaged.
		db, err := openWhole(path, o.LockTimeout)
		if err != nil {
			return nil, err
		}
		db.Close()
	}
	mark := markFor(path)
	if err := mark.begin(); err != nil {
		return nil, err
	}
	db, err := openPages(path, o.LockTimeout)
	mark.end()
	if err != nil {
		return nil, err
	}
	// Before anything is written to it: a file that is not as its schema says is left
	// as it is (ErrDamaged), one of a newer kiosk is never migrated down. (A new file is
	// at schema 0, which requires no bucket.)
	if err := db.View(func(tx *bolt.Tx) error { return verify(tx, path, Migrations) }); err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, sealer: sealer, path: path}
	if err := s.checkKey(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openError says why bolt.Open failed on path: held by another process (ErrInUse) for
// longer than timeout, not a database or a damaged one (ErrDamaged), or bbolt's error.
func openError(path string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s was held for %v (a kiosk already running on this data folder, or a kioskctl command); stop it, or wait for it to end", ErrInUse, path, timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return damaged(path, err.Error())
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

// damaged is ErrDamaged for the file at path, with why, and what staff can do.
func damaged(path, why string) error { return damagedBy(path, errors.New(why)) }

// damagedBy is damaged for a reason that is an error of its own (ErrNoBucket), which it
// wraps too.
func damagedBy(path string, why error) error {
	return fmt.Errorf("%w: %s: %w; it was left as it is: restore it from a backup (one kioskctl data backup made), or move it aside for the kiosk to start with an empty one", ErrDamaged, path, why)
}

// openWhole opens the file at path to read it, once it is known to be a whole database
// (see whole), looking only at its meta pages: ErrDamaged when it is not, ErrInUse when
// another process holds it for longer than timeout. An empty file is damaged too: bbolt
// would make a new database in it, and the kiosk never leaves its own empty (initialise).
func openWhole(path string, timeout time.Duration) (*bolt.DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if st.Size() == 0 {
		return nil, damaged(path, "the file is empty (0 bytes)")
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return nil, openError(path, timeout, err)
	}
	if err := db.View(func(tx *bolt.Tx) error { return whole(tx, path, st.Size()) }); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// whole fails with ErrDamaged when the file, size bytes long, is shorter than the pages
// tx's commit names. It reads tx's meta page only, no bucket.
func whole(tx *bolt.Tx, path string, size int64) error {
	if need := tx.Size(); size < need {
		return damaged(path, fmt.Sprintf("%d bytes, where its last commit needs %d (cut short)", size, need))
	}
	return nil
}

// initialise builds a new database under a temporary name, syncs it and renames it into
// place, then syncs the folder: the real name only ever points at a complete file.
func initialise(path string, sealer *Sealer, timeout time.Duration) error {
	tmp := path + ".new"
	_ = os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keyKeyCheck, sealer.Seal(keyCheckPlain, keyKeyCheck))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: create: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync folder: %w", err)
	}
	return nil
}

func (s *Store) checkKey() error {
	return s.db.View(func(tx *bolt.Tx) error { return keyOpens(tx, s.sealer) })
}

// keyOpens fails with ErrWrongKey unless sealer opens the key check that initialise
// sealed in tx's file (verify found it there).
func keyOpens(tx *bolt.Tx, sealer *Sealer) error {
	if _, err := sealer.Open(tx.Bucket(bucketMeta).Get(keyKeyCheck), keyKeyCheck); err != nil {
		return ErrWrongKey
	}
	return nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// DB gives packages that own buckets (outbox, journal) the bbolt handle, so that they can
// write their records in one transaction.
func (s *Store) DB() *bolt.DB { return s.db }

// Update runs fn in a read-write transaction; it returns once the commit is on disk.
// When fn succeeded but the commit did not reach the file, the error wraps
// ErrNotWritten (see there).
func (s *Store) Update(fn func(*bolt.Tx) error) error { return s.write(s.db.Update, fn) }

// Batch is Update for many concurrent writers: their functions share one commit (one
// fsync). fn may run more than once, so it must only put what it computes afresh.
func (s *Store) Batch(fn func(*bolt.Tx) error) error { return s.write(s.db.Batch, fn) }

// ErrNotWritten means a transaction's commit did not reach the data file: the disk or
// the file system is full (ENOSPC, a quota), the file may not grow (EFBIG), the disk
// failed (EIO) or was remounted read-only. Nothing of the transaction was stored: bbolt
// rolls a failed commit back (its meta page, the only page that makes a commit, is
// written last), and the file keeps what its last commit holds. The store stays open
// and takes the next commit once the file can be written again. A commit that failed
// after its meta page was written (its sync failed) is taken back, and the file is not
// trusted for the rest of the run (ErrUntrusted); or, if it cannot be, ErrUncertain,
// which does not wrap ErrNotWritten (see untrusted.go).
var ErrNotWritten = errors.New("store: the data file did not take the write")

// OnNotWritten has f called, on the writer's goroutine after its transaction ended,
// with the error of each commit that failed (wrapping ErrNotWritten). f must not write
// to the store or block; nil stops the calls.
func (s *Store) OnNotWritten(f func(error)) {
	if f == nil {
		s.notWritten.Store(nil)
		return
	}
	s.notWritten.Store(&f)
}

// write runs fn through run (the database's Update or Batch). An error with fn's last
// run successful is the commit's own (fn is never run when the transaction cannot
// begin, such as on a closed database): it wraps ErrNotWritten (or ErrUncertain, see
// failedCommit) and is reported to the OnNotWritten function, as is a write refused
// while the file is not trusted (ErrUntrusted).
func (s *Store) write(run func(func(*bolt.Tx) error) error, fn func(*bolt.Tx) error) error {
	if err := s.commits.refused(); err != nil {
		return s.told(fmt.Errorf("%w: %w", ErrNotWritten, err))
	}
	ran := false
	var own error
	var last *bolt.Tx
	id := 0
	err := run(func(tx *bolt.Tx) error {
		ran = true
		if own = s.commits.began(tx); own != nil {
			own = fmt.Errorf("%w: %w", ErrNotWritten, own)
			return own
		}
		last, id = tx, tx.ID()
		own = fn(tx)
		return own
	})
	if own != nil && errors.Is(own, ErrUntrusted) {
		return s.told(err)
	}
	if err == nil || !ran || own != nil {
		return err
	}
	return s.told(s.failedCommit(last, id, err))
}

// told reports err, a commit the data file did not take, to the OnNotWritten function.
func (s *Store) told(err error) error {
	if f := s.notWritten.Load(); f != nil {
		(*f)(err)
	}
	return err
}

// Probe commits a transaction that changes nothing the kiosk reads (the key check is
// written again as it is): nil once the data file takes a commit again, an error
// wrapping ErrNotWritten while it does not.
func (s *Store) Probe() error {
	return s.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		return b.Put(keyKeyCheck, bytes.Clone(b.Get(keyKeyCheck)))
	})
}

// Free is how many bytes the file system of the data folder has free for the kiosk's
// user (statfs's available blocks: a root reserve is not counted).
func (s *Store) Free() (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(filepath.Dir(s.path), &st); err != nil {
		return 0, fmt.Errorf("store: free space of %s: %w", filepath.Dir(s.path), err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*bolt.Tx) error) error { return s.db.View(fn) }

// Sealer is the store's sealer of personal data.
func (s *Store) Sealer() *Sealer { return s.sealer }

// SchemaVersion is the version the file is at.
func (s *Store) SchemaVersion() (int, error) {
	var v int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = schemaOf(tx)
		return err
	})
	return v, err
}

// Backup writes a consistent copy of the whole database to w while the kiosk keeps
// working (a read transaction: writers are not blocked). The copy holds personal data
// only sealed; it is useless without the key file, which is not part of it.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// BackupFile writes the backup to a new file at path (mode 0600), synced, via a
// temporary file; an existing path is refused (WriteFile).
func (s *Store) BackupFile(path string) (int64, error) {
	n, err := WriteFile(path, false, s.Backup)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// WriteFile makes path (mode 0600) from what fill writes, synced, via a temporary file
// beside it: a copy cut short (a full disk, a lost connection) never takes its name. The
// temporary file is new (O_EXCL, a random name), so that a file or link someone left
// there cannot receive the copy or keep it readable. Unless replace, a path that exists
// (a file, a link) is refused, the error wrapping fs.ErrExist: before fill is called,
// and again, atomically, when the copy takes the name. With replace, a link at path is
// replaced itself, not what it points to. It does not check where path is: see
// Options.CheckExport.
func WriteFile(path string, replace bool, fill func(io.Writer) (int64, error)) (int64, error) {
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return 0, fmt.Errorf("store: write %s: %w", path, fs.ErrExist)
		}
	}
	tmp, n, err := writeTemp(path, fill)
	if err == nil {
		if err = rename(tmp, path, replace); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("store: write %s: %w", path, err)
	}
	return n, nil
}

// rename gives tmp path's name; unless replace, never in place of a file there. Where
// the file system cannot rename without replacing (renameat2's RENAME_NOREPLACE; some
// network file systems), path is looked at just before.
func rename(tmp, path string, replace bool) error {
	if replace {
		return os.Rename(tmp, path)
	}
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		if _, err := os.Lstat(path); err == nil {
			return fs.ErrExist
		}
		return os.Rename(tmp, path)
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err} // EEXIST is fs.ErrExist
	}
	return nil
}

// CheckExport refuses path for a file the kiosk's data is exported to (a backup, a
// picture of the screen) when writing it would put something in the place of the
// kiosk's own files: the database (a running kiosk would go on writing into the file
// it has open, which nobody opens again, and its next start would find the copy), or
// the same file by another name (a link, a hard link); the data key's file; anything
// in the data folder, at any depth and by any way there (a link to it, ".."). A folder
// that is not there is no place of the kiosk's: the write itself fails there.
func (o Options) CheckExport(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return nil
	}
	at := filepath.Join(dir, filepath.Base(abs)) // the name the file would take, no link on the way
	for _, own := range []struct{ path, what string }{
		{filepath.Join(o.Dir, FileName), "the kiosk's database"},
		{o.keyFile(), "the kiosk's data key file"},
	} {
		if same(at, own.path) {
			return fmt.Errorf("store: %s is %s", path, own.what)
		}
	}
	data, err := os.Stat(o.Dir)
	if err != nil {
		return nil // no data folder yet: nothing in it to overwrite
	}
	for d := dir; ; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err == nil && os.SameFile(st, data) {
			return fmt.Errorf("store: %s lies in the kiosk's data folder %s", path, o.Dir)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// same reports whether at (a path without links on the way to it) names the file own
// names: the same file, or, while own is not there, the same name.
func same(at, own string) bool {
	ost, err := os.Stat(own)
	if err == nil {
		st, err := os.Stat(at)
		return err == nil && os.SameFile(st, ost)
	}
	ownAbs, err := filepath.Abs(own)
	if err != nil {
		return false
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(ownAbs))
	return err == nil && filepath.Join(dir, filepath.Base(ownAbs)) == at
}

// writeTemp writes what fill writes to a new hidden file beside path (.NAME.*.part,
// mode 0600) and syncs it to disk; it returns the file's name, for the caller to give
// it path's. A file that could not be written whole is removed.
func writeTemp(path string, fill func(io.Writer) (int64, error)) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	n, err := fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	return tmp, n, nil
}

// Put stores v under key in bucket, in a transaction of its own.
func (s *Store) Put(bucket []byte, key string, v []byte) error {
	err := s.Update(func(tx *bolt.Tx) error {
		b, err := Bucket(tx, bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("store: put %s in %s: %w", key, bucket, err)
	}
	return nil
}

// Delete removes key from bucket, in a transaction of its own; a missing key is no error.
func (s *Store) Delete(bucket []byte, key string) error {
	err := s.Update(func(tx *bolt.Tx) error {
		b, err := Bucket(tx, bucket)
		if err != nil {
			return err
		}
		return b.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("store: delete %s from %s: %w", key, bucket, err)
	}
	return nil
}

// DeleteWhere removes the entries of bucket for which drop holds, in one transaction,
// and returns how many it removed.
func (s *Store) DeleteWhere(bucket []byte, drop func(k, v []byte) bool) (int, error) {
	n := 0
	err := s.Update(func(tx *bolt.Tx) error {
		b, err := Bucket(tx, bucket)
		if err != nil {
			return err
		}
		var gone [][]byte
		err = b.ForEach(func(k, v []byte) error {
			if drop(k, v) {
				gone = append(gone, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range gone {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(gone)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete from %s: %w", bucket, err)
	}
	return n, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// U64 encodes n as 8 big-endian bytes, so that keys sort in numeric order.
func U64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// ReadU64 decodes a key written by U64 (0 when b is shorter than 8 bytes).
func ReadU64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// openPages opens the whole file at path (openWhole has read its meta pages) to read
// and write, once checkPages has read the pages bbolt's open walks.
func openPages(path string, timeout time.Duration) (*bolt.DB, error) {
	if err := checkPages(path); err != nil {
		return nil, damaged(path, err.Error())
	}
	// NoFreelistSync leaves the free-page list out of each commit (bbolt rebuilds it by a
	// scan at open): a smaller commit, the same fsync; the citizen waits on each commit.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, openError(path, timeout, err)
	}
	return db, nil
}
