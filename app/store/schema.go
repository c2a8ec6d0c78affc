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
// another program's bbolt file opened as the kiosk's, whose meta says it is at this
// schema. Every reader and writer meets it as an error naming the bucket, never as a
// panic; the file is for staff to restore from a backup.
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
	Apply   func(tx *bolt.Tx) error
}

// Migrations is the schema's history. Append only: a released migration never changes.
var Migrations = []Migration{
	{Version: 1, Name: "journal and outbox buckets", Apply: func(tx *bolt.Tx) error {
		for _, b := range [][]byte{BucketJournal, BucketJournalRef, BucketOutbox, BucketOutboxRef, BucketOutboxPending} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{Version: 2, Name: "receipts kept for reprinting", Apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(BucketReprints)
		return err
	}},
	{Version: 3, Name: "payment orders not yet settled", Apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(BucketOrders)
		return err
	}},
	{Version: 4, Name: "sessions journaled as open", Apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(BucketJournalOpen)
		return err
	}},
	{Version: 5, Name: "utilities' content bundles", Apply: func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(BucketBundles)
		return err
	}},
}

// CurrentSchema is the version this build writes.
func CurrentSchema() int { return Migrations[len(Migrations)-1].Version }

func readSchema(tx *bolt.Tx) int {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v, _ := strconv.Atoi(string(b.Get(keySchema)))
	return v
}

func (s *Store) migrate() error {
	return migrate(s.db, Migrations)
}

// knownSchema fails when a file's schema is newer than the last of ms.
func knownSchema(have int, ms []Migration) error {
	if want := ms[len(ms)-1].Version; have > want {
		return fmt.Errorf("%w (file at schema %d, this build knows %d)", ErrNewerSchema, have, want)
	}
	return nil
}

func migrate(db *bolt.DB, ms []Migration) error {
	var have int
	if err := db.View(func(tx *bolt.Tx) error { have = readSchema(tx); return nil }); err != nil {
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
			if err := m.Apply(tx); err != nil {
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
