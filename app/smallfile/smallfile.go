// Package smallfile reads the small files the kiosk and kioskctl are given by path
// (configuration, keys, secrets, certificates, bundles, receipt byte streams) with a
// bound on their size. A device or a pipe named by mistake (/dev/zero, a serial port, a
// FIFO) never ends or never answers: read whole, it ran the memory out, or hung the
// kiosk at start, before anyone was told what was wrong.
package smallfile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxSecret bounds a file that holds a key, a secret or a password: a line of a few
// dozen bytes.
const MaxSecret = 64 << 10

// ErrNotFile is returned, wrapped with the path, for a folder, a device, a pipe or a
// socket.
var ErrNotFile = errors.New("not a file (a folder, a device or a pipe?)")

// TooLargeError is returned for a file longer than the bound it was read with.
type TooLargeError struct {
	Path string
	Max  int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: more than %s", e.Path, Size(e.Max))
}

// Size writes a bound as people read it: "4 MiB", "64 KiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read reads the regular file at path (symbolic links followed) if it holds at most max
// bytes; otherwise the error wraps ErrNotFile or is a *TooLargeError.
func Read(path string, max int64) ([]byte, error) {
	// Stat before opening: opening a FIFO waits for a writer.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %w", path, ErrNotFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte more than max tells a file of max bytes from a longer one, and a file
	// that grew since Stat is bounded too.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, Max: max}
	}
	return data, nil
}
