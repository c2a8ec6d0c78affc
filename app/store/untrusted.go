package store

import (
	"errors"
	"fmt"
	"os"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A commit can fail after it became visible in the open database: bbolt writes the
// commit's pages, then its meta page (pwrite), then fdatasync. When the meta page's
// write reached the page cache but its fdatasync failed (EIO: a failing disk), or the
// write reported an error after it landed, bbolt rolls back only its free-page list:
// the file the database maps (MAP_SHARED) shows the new meta page, db.meta() takes it
// (the valid one of the later transaction), and every later transaction reads, and
// builds on, the commit its caller was told failed. What the disk keeps of it is
// unknown, so what the next start finds is too. (A full disk fails earlier, on the
// commit's own pages, before the meta page: that commit is not visible, and the store
// takes the next one once space is freed.)
//
// The store tells the two apart: a commit whose error leaves the database at its
// transaction ID was visible. It then takes it back, if no later transaction has begun
// on it: it invalidates that meta page (the other, of the transaction before, is whole)
// and syncs it, so that the open database and the next start both see the file as it
// was before the commit, as its caller was told. From then on the file is not trusted
// for this run: every write is refused (ErrUntrusted). A commit that could not be taken
// back is ErrUncertain: the next start may or may not find it.

// ErrUntrusted means the data file is not trusted for the rest of this run: a commit
// failed after the open database showed it (a failing disk). Every later write is
// refused with it (wrapping ErrNotWritten: nothing of it is stored); the next start
// opens the file as its last taken commit left it.
var ErrUntrusted = errors.New("store: the data file is not trusted for this run (a commit failed after it became visible)")

// ErrUncertain means a commit failed after the open database showed it, and could not
// be taken back: whether the file keeps it is known only at the next start, which acts
// on it if it is there. It does not wrap ErrNotWritten: its caller cannot say it was
// not taken.
var ErrUncertain = errors.New("store: the commit failed after the data file showed it, and could not be taken back: the next start may find it")

// commits follows the write transactions, to tell whether a failed commit became
// visible: the transaction after it has the same ID when it did not.
type commits struct {
	mu sync.Mutex
	// last is the last write transaction begun, and lastID its ID.
	last   *bolt.Tx
	lastID int
	// next holds the ID of the transaction begun after each of the last few.
	next  map[*bolt.Tx]int
	order []*bolt.Tx
	// untrusted is set once a commit failed after it became visible.
	untrusted error
}

// keepNext is how many transactions' successors commits remembers: a failed commit's
// writer asks about its own at once.
const keepNext = 64

// began notes that write transaction tx runs a function; an error once the file is
// not trusted.
func (c *commits) began(tx *bolt.Tx) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.untrusted != nil {
		return c.untrusted
	}
	if tx == c.last {
		return nil
	}
	if c.last != nil {
		if c.next == nil {
			c.next = map[*bolt.Tx]int{}
		}
		c.next[c.last] = tx.ID()
		c.order = append(c.order, c.last)
		if len(c.order) > keepNext {
			delete(c.next, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.last, c.lastID = tx, tx.ID()
	return nil
}

// refused is the error of a write while the file is not trusted; nil while it is.
func (c *commits) refused() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.untrusted
}

// Untrusted reports whether the data file is not trusted for the rest of this run
// (ErrUntrusted): every write is refused until the kiosk starts again.
func (s *Store) Untrusted() bool { return s.commits.refused() != nil }

// failedCommit is the error of tx's commit, which failed with err after its functions
// succeeded (id is tx's ID): ErrNotWritten when it did not become visible; when it did,
// ErrNotWritten and ErrUntrusted once taken back, ErrUncertain and ErrUntrusted when it
// could not be.
func (s *Store) failedCommit(tx *bolt.Tx, id int, err error) error {
	c := &s.commits
	c.mu.Lock()
	defer c.mu.Unlock()
	next, followed := c.next[tx]
	var visible bool
	switch {
	case followed:
		visible = next > id
	case c.last == tx:
		// No transaction has begun since: none can commit while c.mu is held (each
		// waits for it in began first), so the database shows what tx's commit left.
		visible = s.shows(id)
	default:
		visible = true // forgotten: taken as the worse
	}
	if !visible {
		return fmt.Errorf("%w: %s: %w", ErrNotWritten, s.path, err)
	}
	c.untrusted = fmt.Errorf("%w: %s: transaction %d: %w", ErrUntrusted, s.path, id, err)
	if followed || c.last != tx {
		return fmt.Errorf("%w: %w: %s: transaction %d, which later transactions build on: %w", ErrUncertain, ErrUntrusted, s.path, id, err)
	}
	if terr := s.takeBack(id); terr != nil {
		return fmt.Errorf("%w: %w: %s: transaction %d (%w): %w", ErrUncertain, ErrUntrusted, s.path, id, terr, err)
	}
	return fmt.Errorf("%w: %w: %s: transaction %d, taken back: %w", ErrNotWritten, ErrUntrusted, s.path, id, err)
}

// shows reports whether the database shows transaction id committed.
func (s *Store) shows(id int) bool {
	seen := -1
	_ = s.db.View(func(tx *bolt.Tx) error { seen = tx.ID(); return nil })
	return seen >= id
}

// takeBack undoes the visible commit of transaction id: its meta page's meta is
// overwritten with zeros and synced, so that bbolt takes the other, of transaction id-1, in the
// open database and at the next start. It refuses unless the file holds exactly that:
// id's meta page whole and the other one whole at id-1.
func (s *Store) takeBack(id int) error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("take back: %w", err)
	}
	defer f.Close()
	ps := uint64(s.db.Info().PageSize)
	w := walker{f: f}
	cur, other := uint64(id%2)*ps, uint64((id+1)%2)*ps
	m, before := w.metaAt(cur), w.metaAt(other)
	switch {
	case m == nil || le64(m[48:]) != uint64(id):
		return fmt.Errorf("take back: meta page %d does not hold transaction %d", cur/ps, id)
	case before == nil || le64(before[48:]) != uint64(id-1):
		return fmt.Errorf("take back: meta page %d does not hold transaction %d whole", other/ps, id-1)
	}
	// The page stays a meta page (its header: bbolt's check reads it), its meta zeros.
	if _, err := f.WriteAt(make([]byte, metaSize), int64(cur+pageHeader)); err != nil {
		return fmt.Errorf("take back: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("take back: %w", err)
	}
	if s.shows(id) {
		return fmt.Errorf("take back: the database still shows transaction %d", id)
	}
	return nil
}
