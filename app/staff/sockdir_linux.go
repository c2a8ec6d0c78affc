package staff

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// ListenDir opens the staff socket in dir, a folder of the socket's own apart from the
// data folder (config's staff.socket_dir): for the kiosk's user alone with gid < 0
// (socket 0600, folder 0700), and with gid ≥ 0 for the members of that group too
// (socket 0660, folder 0750, both of the group), so that staff connect as themselves.
// The folder is made if it is missing and must be the kiosk user's own: the kiosk
// sets its mode, so a shared folder (/run, /var/lib) is refused rather than opened to
// the group. It stays 0700 while the socket is made and set up, and is opened to the
// group last: whatever the process's umask, nobody but the kiosk's user can reach the
// socket before it has its final mode and group.
//
// The folder is opened once (O_NOFOLLOW|O_DIRECTORY) and everything after, the checks,
// the modes, the group, the socket's creation and its removal at Close, is done on that
// open folder, never again by its path: a folder swapped for a link after the check
// (by whoever may write in its parent) cannot turn the kiosk's chmod and chown onto
// another folder, such as the data folder. Folders on the way to it that another user
// could replace it in are refused, as staff would then find a socket of theirs there.
func ListenDir(dir string, gid int) (net.Listener, error) {
	if err := safeParents(dir); err != nil {
		return nil, err
	}
	fd, err := ownFolder(dir)
	if err != nil {
		return nil, err
	}
	return listenIn(fd, dir, gid)
}

// testHookOpened, when set (by tests), runs once the socket's folder is open and
// checked, before anything is changed in it: where a folder swapped in that moment
// would have turned a chmod by path onto another.
var testHookOpened func()

// ownFolder makes dir if it is missing, opens it without following a link, and closes
// it to all but its owner (0700); a folder that is not the process user's own, or a
// link, is refused. It returns the open folder.
func ownFolder(dir string) (int, error) {
	if err := unix.Mkdir(dir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("staff: make the socket's folder %s: %w", dir, err)
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
		return -1, fmt.Errorf("staff: the socket's folder %s is not a folder (a link or a file?): name the folder itself", dir)
	}
	if err != nil {
		return -1, fmt.Errorf("staff: open the socket's folder %s: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("staff: the socket's folder %s: %w", dir, err)
	}
	if int(st.Uid) != os.Getuid() {
		unix.Close(fd)
		return -1, fmt.Errorf("staff: the socket's folder %s belongs to uid %d, not to the kiosk's user (uid %d): give the socket a folder of its own (systemd's RuntimeDirectory=kiosk makes /run/kiosk)", dir, st.Uid, os.Getuid())
	}
	if testHookOpened != nil {
		testHookOpened()
	}
	if err := unix.Fchmod(fd, 0o700); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("staff: close the socket's folder %s: %w", dir, err)
	}
	return fd, nil
}

// safeParents refuses a socket folder that someone other than root and the kiosk's
// user could replace: one of the folders above it belongs to another user, or may be
// written by others without the sticky bit (which keeps them from renaming or
// removing what is not theirs). Such a one could move the kiosk's folder aside and put
// one of theirs, with a socket of their own, where staff look for the kiosk's.
func safeParents(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("staff: the socket's folder %s: %w", dir, err)
	}
	parent, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return fmt.Errorf("staff: make the socket's folder %s: %w", dir, err)
	}
	for p := parent; ; p = filepath.Dir(p) {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return fmt.Errorf("staff: the socket's folder's parent %s: %w", p, err)
		}
		if st.Uid != 0 && int(st.Uid) != os.Getuid() {
			return fmt.Errorf("staff: %s, above the socket's folder %s, belongs to uid %d, who could put a folder of their own in its place: give the socket a folder under folders of root's or the kiosk user's (e.g. /run/kiosk)", p, dir, st.Uid)
		}
		if st.Mode&0o022 != 0 && st.Mode&unix.S_ISVTX == 0 {
			return fmt.Errorf("staff: %s, above the socket's folder %s, may be written by others (mode %04o, no sticky bit), who could put a folder of their own in its place: give the socket a folder under folders only root or the kiosk's user may write (e.g. /run/kiosk)", p, dir, st.Mode&0o7777)
		}
		if p == "/" {
			return nil
		}
	}
}

// listenIn makes the staff socket in the open folder fd (dir by name, for messages)
// and sets the socket's and the folder's modes and group, all through fd. The listener
// keeps fd; on an error fd is closed.
func listenIn(fd int, dir string, gid int) (net.Listener, error) {
	l, err := socketIn(fd, dir)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	dl := &dirListener{UnixListener: l, fd: fd}
	steps := []func() error{func() error { return unix.Fchmodat(fd, SocketName, 0o600, 0) }}
	if gid >= 0 {
		steps = append(steps,
			func() error { return unix.Fchownat(fd, SocketName, -1, gid, unix.AT_SYMLINK_NOFOLLOW) },
			func() error { return unix.Fchmodat(fd, SocketName, 0o660, 0) },
			func() error { return unix.Fchown(fd, -1, gid) },
			func() error { return unix.Fchmod(fd, 0o750) },
		)
	}
	for _, set := range steps {
		if err := set(); err != nil {
			dl.Close() //nolint:errcheck // the set-up's error is the one to report
			if gid >= 0 {
				return nil, fmt.Errorf("staff: open the socket in %s to group %d (is the kiosk's user a member of it?): %w", dir, gid, err)
			}
			return nil, fmt.Errorf("staff: close the socket in %s to others: %w", dir, err)
		}
	}
	return dl, nil
}

// socketIn makes the socket in the open folder fd, in place of a stale one (a socket
// left by a kiosk that did not stop cleanly), never of another file.
func socketIn(fd int, dir string) (*net.UnixListener, error) {
	var st unix.Stat_t
	switch err := unix.Fstatat(fd, SocketName, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil && st.Mode&unix.S_IFMT != unix.S_IFSOCK:
		return nil, fmt.Errorf("staff: %s exists and is not a socket", filepath.Join(dir, SocketName))
	case err == nil:
		if err := unix.Unlinkat(fd, SocketName, 0); err != nil {
			return nil, fmt.Errorf("staff: remove the stale socket: %w", err)
		}
	case !errors.Is(err, unix.ENOENT):
		return nil, fmt.Errorf("staff: %s: %w", filepath.Join(dir, SocketName), err)
	}
	// bind(2) takes a path: the open folder's, through /proc, so that the socket is made
	// in this folder whatever its name leads to now.
	l, err := net.Listen("unix", "/proc/self/fd/"+strconv.Itoa(fd)+"/"+SocketName)
	if err != nil {
		return nil, fmt.Errorf("staff: make the socket in %s: %w", dir, err)
	}
	ul := l.(*net.UnixListener)
	// Removed at Close through fd (dirListener), not by the path it was made with.
	ul.SetUnlinkOnClose(false)
	return ul, nil
}

// dirListener is the staff socket in its open folder: Close removes the socket from
// that folder (only a socket of that name), wherever the folder's name leads by then,
// and closes the folder.
type dirListener struct {
	*net.UnixListener
	fd   int
	once sync.Once
	err  error
}

func (l *dirListener) Close() error {
	l.once.Do(func() {
		err := l.UnixListener.Close()
		var st unix.Stat_t
		if unix.Fstatat(l.fd, SocketName, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			if uerr := unix.Unlinkat(l.fd, SocketName, 0); uerr != nil {
				err = errors.Join(err, fmt.Errorf("staff: remove the socket: %w", uerr))
			}
		}
		l.err = errors.Join(err, unix.Close(l.fd))
	})
	return l.err
}
