package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// A running kiosk answers staff on the socket in its data folder, with its devices'
// state; once it is closed the socket is gone and staff are told no kiosk runs.
func TestStaffSocket(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	ctx := context.Background()
	sock := staff.SocketPath(f.dir)
	c, err := staff.Dial(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	pollUntil(t, 5*time.Second, "the ID card reader's state", func() bool {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range st.Devices {
			if d.Name == "idcard" && d.OK {
				return st.Running
			}
		}
		return false
	})
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket outlived the kiosk: %v", err)
	}
	if _, err := staff.Dial(ctx, sock); !errors.Is(err, staff.ErrNotRunning) {
		t.Errorf("dial a closed kiosk: %v", err)
	}
}

// With staff.socket_dir and staff.socket_group (here this process's own primary
// group), the kiosk serves staff in that folder, open to the group (socket 0660,
// folder 0750), and puts no socket in the data folder, which stays the kiosk user's
// alone; the socket goes with the kiosk.
func TestStaffSocketGroup(t *testing.T) {
	g, err := user.LookupGroupId(fmt.Sprint(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	sockets := filepath.Join(t.TempDir(), "run")
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
		c.Staff.SocketDir, c.Staff.SocketGroup = sockets, g.Name
	})
	ctx := context.Background()
	sock := staff.SocketPath(sockets)
	for path, want := range map[string]os.FileMode{sock: 0o660, sockets: 0o750} {
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode, gid := fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Gid; mode != want || int(gid) != os.Getgid() {
			t.Errorf("%s: mode %v group %d, want %v group %d", path, mode, gid, want, os.Getgid())
		}
	}
	if _, err := os.Lstat(staff.SocketPath(f.dir)); !os.IsNotExist(err) {
		t.Errorf("a socket in the data folder: %v", err)
	}
	c, err := staff.Dial(ctx, sock)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx); err != nil || !st.Running {
		t.Fatalf("status through the group's socket: %+v, %v", st, err)
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket outlived the kiosk: %v", err)
	}
}
