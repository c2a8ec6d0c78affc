package app_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

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
