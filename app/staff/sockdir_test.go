package staff

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/liangzihu/kiosk/app/journal"
)

// modeOf is the permission bits and group of path, failing the test if it is not there.
func modeOf(t *testing.T, path string) (os.FileMode, int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm(), int(fi.Sys().(*syscall.Stat_t).Gid)
}

// serveDir serves s on the staff socket in dir (ListenDir with gid) until the test ends.
func serveDir(t *testing.T, dir string, gid int, s Service) {
	t.Helper()
	l, err := ListenDir(dir, gid)
	if err != nil {
		t.Fatal(err)
	}
	srv := Server(s, slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// The socket in a folder of its own: with a group (here this process's own, as the
// configuration names it), socket 0660 and folder 0750 of that group, and a member
// connects; without one, 0600 and 0700, whatever the folder's mode was before.
func TestListenDir(t *testing.T) {
	own, err := user.LookupGroupId(fmt.Sprint(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	gid := os.Getgid()
	for _, tc := range []struct {
		name              string
		gid               int
		sock, folder      os.FileMode
		made, widerBefore bool
	}{
		{"group " + own.Name + ", folder made", gid, 0o660, 0o750, true, false},
		{"group " + own.Name + ", folder there, open to all", gid, 0o660, 0o750, false, true},
		{"no group, folder made", -1, 0o600, 0o700, true, false},
		{"no group, folder there, open to all", -1, 0o600, 0o700, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKiosk(t)
			dir := filepath.Join(t.TempDir(), "staff")
			if !tc.made {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			serveDir(t, dir, tc.gid, k.l)
			sock := SocketPath(dir)
			if mode, g := modeOf(t, sock); mode != tc.sock || tc.gid >= 0 && g != tc.gid {
				t.Errorf("socket mode %v group %d, want %v group %d", mode, g, tc.sock, tc.gid)
			}
			if mode, g := modeOf(t, dir); mode != tc.folder || tc.gid >= 0 && g != tc.gid {
				t.Errorf("folder mode %v group %d, want %v group %d", mode, g, tc.folder, tc.gid)
			}
			c, err := Dial(context.Background(), sock)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.UnlockPIN(context.Background(), "工号0107"); err != nil {
				t.Fatal(err)
			}
			if got, want := lastActor(t, k, journal.StaffUnlock), by("socket", "工号0107"); got != want {
				t.Errorf("journaled as %q, want %q", got, want)
			}
		})
	}
}

// othersFolder is a folder (0755) in base of uid 65534's (nobody's), made as root.
func othersFolder(t *testing.T, base string) string {
	t.Helper()
	other := filepath.Join(base, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(other, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	return other
}

// A folder that is not the kiosk user's own is not taken over (its mode changed for
// the socket): a link, a file, another user's folder.
func TestListenDirRefused(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "target")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{link: "not a folder", file: "not a folder", filepath.Join(base, "no", "such"): "make the socket's folder"}
	if os.Getuid() == 0 {
		other := othersFolder(t, base)
		cases[other] = "belongs to uid 65534, not to the kiosk's user"
		t.Cleanup(func() {
			if mode, _ := modeOf(t, other); mode != 0o755 {
				t.Errorf("another user's folder was changed to %v", mode)
			}
		})
	}
	for dir, want := range cases {
		if l, err := ListenDir(dir, os.Getgid()); err == nil || !strings.Contains(err.Error(), want) {
			if l != nil {
				l.Close()
			}
			t.Errorf("%s: %v, want %q", dir, err, want)
		}
	}
	if mode, _ := modeOf(t, target); mode != 0o700 {
		t.Errorf("the link's target was changed to %v", mode)
	}
}

// Another account reaches the socket as a member of its group, and only then: nobody
// with the group among its groups is served and journaled as itself; nobody without
// it is refused, and told so rather than that no kiosk runs.
func TestListenDirMember(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	k := newKiosk(t)
	// Group 0 (root's): one nobody is not in unless given it.
	dir := filepath.Join(t.TempDir(), "staff")
	if err := os.Chmod(filepath.Dir(filepath.Dir(dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	serveDir(t, dir, 0, k.l)
	sock := SocketPath(dir)
	_, _, out, err := asNobody(t, sock, "工号0107", nil)
	if err == nil || !strings.Contains(out, "refuses this account") {
		t.Errorf("nobody outside the group: %v: %s", err, out)
	}
	uid, pid, out, err := asNobody(t, sock, "工号0107", []uint32{0})
	if err != nil {
		t.Fatalf("nobody in the group: %v: %s", err, out)
	}
	got := lastActor(t, k, journal.StaffUnlock)
	if want := fmt.Sprintf("工号0107 ⟨os user nobody uid %d", uid); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, fmt.Sprintf(", pid %d⟩", pid)) {
		t.Errorf("journaled as %q, want %q…, pid %d⟩", got, want, pid)
	}
}

// A folder swapped for a link to another of the kiosk user's folders (the data
// folder, say) just after it was checked, as whoever may write in its parent could:
// the kiosk's chmod and chown stay on the folder it opened, the other keeps its mode
// and group and gets no socket.
func TestListenDirSwapped(t *testing.T) {
	base := t.TempDir()
	dir, moved, victim := filepath.Join(base, "staff"), filepath.Join(base, "moved"), filepath.Join(base, "data")
	if err := os.Mkdir(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	testHookOpened = func() {
		if err := os.Rename(dir, moved); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(victim, dir); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { testHookOpened = nil })
	l, err := ListenDir(dir, os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if mode, _ := modeOf(t, victim); mode != 0o700 {
		t.Errorf("the folder linked in was opened to the group: %v", mode)
	}
	if _, err := os.Lstat(filepath.Join(victim, SocketName)); !os.IsNotExist(err) {
		t.Errorf("a socket in the folder linked in: %v", err)
	}
	if mode, g := modeOf(t, moved); mode != 0o750 || g != os.Getgid() {
		t.Errorf("the folder opened: %v group %d, want 0750 group %d", mode, g, os.Getgid())
	}
	if mode, _ := modeOf(t, filepath.Join(moved, SocketName)); mode != 0o660 {
		t.Errorf("the socket in the folder opened: %v, want 0660", mode)
	}
}

// At Close the socket goes from the folder it was made in, even when the folder's name
// leads elsewhere by then, and nothing of that name is removed there.
func TestListenDirCloseAfterSwap(t *testing.T) {
	base := t.TempDir()
	dir, moved, victim := filepath.Join(base, "staff"), filepath.Join(base, "moved"), filepath.Join(base, "data")
	if err := os.Mkdir(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(victim, SocketName)
	if err := os.WriteFile(kept, []byte("not the kiosk's socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := ListenDir(dir, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, dir); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := os.Lstat(kept); err != nil {
		t.Errorf("a file where the folder's name leads now was removed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(moved, SocketName)); !os.IsNotExist(err) {
		t.Errorf("the socket stays after close: %v", err)
	}
}

// A folder whose parent another user could write in (no sticky bit), or (as root) one
// that another user owns, is refused: they could put a folder of theirs, with a socket
// of theirs, where staff look for the kiosk's. A parent open to all with the sticky
// bit, as /tmp, is taken.
func TestListenDirParents(t *testing.T) {
	base := t.TempDir()
	open := filepath.Join(base, "open")
	sticky := filepath.Join(base, "sticky")
	for p, mode := range map[string]os.FileMode{open: 0o777, sticky: 0o777 | os.ModeSticky} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]string{filepath.Join(open, "staff"): "may be written by others (mode 0777, no sticky bit)"}
	if os.Getuid() == 0 {
		other := othersFolder(t, base)
		cases[filepath.Join(other, "staff")] = "belongs to uid 65534, who could put a folder of their own in its place"
	}
	for dir, want := range cases {
		if l, err := ListenDir(dir, -1); err == nil || !strings.Contains(err.Error(), want) {
			if l != nil {
				l.Close()
			}
			t.Errorf("%s: %v, want %q", dir, err, want)
		}
		if _, err := os.Lstat(dir); !os.IsNotExist(err) {
			t.Errorf("%s made: %v", dir, err)
		}
	}
	l, err := ListenDir(filepath.Join(sticky, "staff"), -1)
	if err != nil {
		t.Fatalf("under a sticky folder: %v", err)
	}
	l.Close()
}
