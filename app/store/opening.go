package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Opening a database walks every page it holds (NoFreelistSync: bbolt rebuilds its list
// of free pages by that walk), in a goroutine of bbolt's own, where a damaged page is a
// panic or a fault (SIGSEGV) no code can catch: the process dies. Under systemd the kiosk
// then started again, died again, for ever, with nothing on the screen or in its log to
// say why. checkPages reads the pages first and refuses a damaged file; for what it
// cannot foresee (a disk that fails a read of the map, SIGBUS) the opening mark counts
// the opens that never ended: two in a row on the same file is a damaged one. One is
// not: a power cut may fall while the kiosk opens a sound database.

// maxUnfinished is the number of opens of the same file in a row that never ended after
// which it is taken as damaged.
const maxUnfinished = 2

// openingMark is the file beside the database that counts the opens of one file that
// began and never ended: "<count> <device> <inode>".
type openingMark struct{ path, db string }

func markFor(db string) openingMark { return openingMark{path: db + ".opening", db: db} }

// identity names the database file: one restored from a backup or put in its place is
// another file, which the count of the one before does not concern.
func (m openingMark) identity() (string, error) {
	st, err := os.Stat(m.db)
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fmt.Errorf("store: %s: no inode", m.db)
	}
	return fmt.Sprintf("%d %d", sys.Dev, sys.Ino), nil
}

// unfinished is the count of opens of the database file as it is that never ended, and
// the file's identity.
func (m openingMark) unfinished() (int, string, error) {
	id, err := m.identity()
	if err != nil {
		return 0, "", err
	}
	data, err := os.ReadFile(m.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, id, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: %w", err)
	}
	n, rest, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	count, err := strconv.Atoi(n)
	if err != nil || rest != id {
		// Another file's, or a mark a power cut left half written: no count.
		return 0, id, nil
	}
	return count, id, nil
}

// counted is unfinished, ErrDamaged once the count reaches maxUnfinished.
func (m openingMark) counted() (int, string, error) {
	n, id, err := m.unfinished()
	if err == nil && n >= maxUnfinished {
		err = damaged(m.db, fmt.Sprintf("the last %d starts on it stopped while they opened it (a page the database cannot read); %s counts them", n, m.path))
	}
	return n, id, err
}

// begin counts one more open, on disk before the open starts.
func (m openingMark) begin() error {
	n, id, err := m.counted()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(m.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, err = fmt.Fprintf(f, "%d %s\n", n+1, id)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// end clears the count: the open ended, well or with an error of its own.
func (m openingMark) end() {
	_ = os.Remove(m.path)
}
