package store

import (
	"errors"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the kiosk's database. Each belongs to one package; the store creates them
// so that the schema is in one place.
var (
	// BucketJournal holds journal events by time (app/journal).
	BucketJournal = []byte("journal")
	// BucketJournalRef indexes journal events by reference (app/journal).
	BucketJournalRef = []byte("journal_ref")
	// BucketOutbox holds outbox requests by sequence (app/outbox).
	BucketOutbox = []byte("outbox")
	// BucketOutboxRef maps a kiosk reference to its request's sequence (app/outbox).
	BucketOutboxRef = []byte("outbox_ref")
	// BucketOutboxPending holds the sequences still to be forwarded (app/outbox).
	BucketOutboxPending = []byte("outbox_pending")
	// BucketReprints holds the receipts that did not print, for 补打 (app/reprint).
	BucketReprints = []byte("reprints")
	// BucketOrders holds the payment orders whose end the kiosk does not know yet (app/orders).
	BucketOrders = []byte("payment_orders")
	// BucketJournalOpen holds the sessions journaled as started and not yet as ended
	// (app/journal).
	BucketJournalOpen = []byte("journal_open")
	// BucketBundles holds each utility's applied content bundle, the one it replaced and
	// the highest version applied (app/bundle).
	BucketBundles = []byte("bundles")
)

// ErrNoBucket means a bucket of the schema is not in the database: a file damaged, or
// another program's bbolt file. Open and Check refuse such a file (ErrDamaged too,
// naming the bucket: verify); every reader and writer still meets one gone as an
// error naming the bucket, never as a panic. The file is for staff to restore from a
// backup.
var ErrNoBucket = errors.New("store: a bucket of the schema is missing (the database is damaged or not the kiosk's)")

// Bucket returns the bucket name of tx; an error wrapping ErrNoBucket, naming it, when
// the file has none.
func Bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if b := tx.Bucket(name); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrNoBucket, name)
}

// Migration moves the schema from Version-1 to Version. Migrations run in order, each in
// the same transaction as the version bump, so a crash leaves the file at one version.
type Migration struct {
	Version int
	Name    string
	// Buckets are the top-level buckets this version adds: the migration creates them,
	// and a file at this version or a later one holds them, or is damaged (verify).
	Buckets [][]byte
	// Apply is what the migration does besides (none yet), after its Buckets are made.
	Apply func(tx *bolt.Tx) error
}

// Migrations is the schema's history. Append only: a released migration never changes.
var Migrations = []Migration{
	{Version: 1, Name: "journal and outbox buckets", Buckets: [][]byte{BucketJournal, BucketJournalRef, BucketOutbox, BucketOutboxRef, BucketOutboxPending}},
	{Version: 2, Name: "receipts kept for reprinting", Buckets: [][]byte{BucketReprints}},
	{Version: 3, Name: "payment orders not yet settled", Buckets: [][]byte{BucketOrders}},
	{Version: 4, Name: "sessions journaled as open", Buckets: [][]byte{BucketJournalOpen}},
	{Version: 5, Name: "utilities' content bundles", Buckets: [][]byte{BucketBundles}},
}

// apply makes m's buckets, then does the rest of it.
func (m Migration) apply(tx *bolt.Tx) error {
	for _, name := range m.Buckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %q: %w", name, err)
		}
	}
	if m.Apply != nil {
		return m.Apply(tx)
	}
	return nil
}

// CurrentSchema is the version this build writes.
func CurrentSchema() int { return Migrations[len(Migrations)-1].Version }

// SchemaError is ErrNewerSchema with the two versions: the file's and the newest this
// build knows.
type SchemaError struct{ File, Known int }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("%v: the file is at schema %d, this build knows schemas up to %d; it was left as it is (never migrated down): run a kiosk release that knows schema %d, or restore a backup this release wrote",
		ErrNewerSchema, e.File, e.Known, e.File)
}

func (e *SchemaError) Unwrap() error { return ErrNewerSchema }

// missingBucket is a bucket that the schema a file is at requires, and the file lacks.
type missingBucket struct {
	name []byte
	have int       // the file's schema
	of   Migration // the one that made it
}

func (e *missingBucket) Error() string {
	return fmt.Sprintf("at schema %d it lacks the bucket %q, which every file at schema %d or later holds (%s)", e.have, e.name, e.of.Version, e.of.Name)
}

func (e *missingBucket) Unwrap() error { return ErrNoBucket }

// errUnreadable is a meta bucket that is not the kiosk's: damage.
var errUnreadable = errors.New("not the kiosk's meta data")

// schemaOf is the schema version of tx's file: 0 for a file made and not yet migrated
// (initialise, then a power cut); an error when the file has no meta bucket (every file
// the kiosk made has one from the start) or the version there is not a version the
// kiosk writes (a positive number in decimal).
func schemaOf(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, fmt.Errorf("%w: %q", ErrNoBucket, bucketMeta)
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 || strconv.Itoa(n) != string(v) {
		return 0, fmt.Errorf("%w: the schema version reads %q", errUnreadable, v)
	}
	return n, nil
}

// verify checks tx's file, one that was there before this open, against the schema of
// ms, reading no more than its meta bucket and the root's names: a meta bucket with
// the data key's check and a version that is readable and known, and every bucket that
// version requires. A file that fails is damaged (ErrDamaged, with ErrNoBucket for a
// bucket missing), or newer than this build (*SchemaError); it is left as it is.
func verify(tx *bolt.Tx, path string, ms []Migration) error {
	have, err := schemaOf(tx)
	if err != nil {
		return damagedBy(path, err)
	}
	if tx.Bucket(bucketMeta).Get(keyKeyCheck) == nil {
		return damagedBy(path, fmt.Errorf("%w: no data key check in %q", errUnreadable, bucketMeta))
	}
	if err := knownSchema(have, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version > have {
			break
		}
		for _, name := range m.Buckets {
			if tx.Bucket(name) == nil {
				return damagedBy(path, &missingBucket{name: name, have: have, of: m})
			}
		}
	}
	return nil
}

// knownSchema fails when a file's schema is newer than the last of ms.
func knownSchema(have int, ms []Migration) error {
	if want := ms[len(ms)-1].Version; have > want {
		return &SchemaError{File: have, Known: want}
	}
	return nil
}

func (s *Store) migrate() error {
	return migrate(s.db, Migrations)
}

func migrate(db *bolt.DB, ms []Migration) error {
	var have int
	if err := db.View(func(tx *bolt.Tx) error {
		var err error
		have, err = schemaOf(tx)
		return err
	}); err != nil {
		return fmt.Errorf("store: schema: %w", err)
	}
	if err := knownSchema(have, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		err := db.Update(func(tx *bolt.Tx) error {
			if err := m.apply(tx); err != nil {
				return err
			}
			b, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			return b.Put(keySchema, []byte(strconv.Itoa(m.Version)))
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}
