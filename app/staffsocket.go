package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staff"
)

// serveStaff opens the staff socket in the data folder: kioskctl's way to the running
// kiosk's outbox, journal, database and devices. A kiosk that cannot open it still
// serves citizens; the log says why.
func (k *Kiosk) serveStaff() {
	l, err := k.listenStaff()
	if err != nil {
		k.Log.Error("staff socket not opened: kioskctl works only while the kiosk is stopped", "err", err)
		return
	}
	k.staff = staff.Server(k.staffLocal(), k.Log)
	k.spawn(func() {
		if err := k.staff.Serve(l); err != http.ErrServerClosed {
			k.Log.Error("staff socket", "err", err)
		}
	})
}

// listenStaff opens the staff socket where the configuration puts it: in the data
// folder, the kiosk user's alone, or in a folder of its own (staff.socket_dir), open to
// staff.socket_group's members when one is named.
func (k *Kiosk) listenStaff() (net.Listener, error) {
	s := k.Config.Staff
	if s.SocketDir == "" {
		return staff.Listen(staff.SocketPath(k.Config.Data.Dir))
	}
	gid := -1
	if s.SocketGroup != "" {
		var err error
		if gid, err = config.SocketGID(s.SocketGroup); err != nil {
			return nil, fmt.Errorf("staff.socket_group: %w", err)
		}
	}
	return staff.ListenDir(s.SocketDir, gid)
}

// staffLocal is what staff can do in the running kiosk, through the socket or in
// maintenance mode on the screen.
func (k *Kiosk) staffLocal() *staff.Local {
	return &staff.Local{Store: k.Store, Journal: k.Journal, Outbox: k.Outbox,
		Devices: k.staffDevices, Print: k.staffReprint, Picture: k.staffPicture, Clock: k.Clock.Now,
		CardLeft: k.CardLeftSince, PINLocked: k.pinLockedUntil, Maintenance: k.maintenanceOpen, Relaunch: k.Restart, Apply: k.ApplyBundle, Rollback: k.RollbackBundle, Drop: k.DropHeldBundle,
		LeftOut: k.bundleLeftOut, Check: k.staffUtilities, Fleet: k.fleetState, Identity: staff.IdentityOf(k.Config)}
}

// pinLockedUntil is until when maintenance mode's PIN is locked; zero when it is not.
func (k *Kiosk) pinLockedUntil() time.Time {
	if k.gate == nil {
		return time.Time{}
	}
	t, err := k.gate.LockedUntil()
	if err != nil {
		k.Log.Warn("staff PIN state", "err", err)
	}
	return t
}

// staffUtilities checks every enabled utility's API at once, in display order.
func (k *Kiosk) staffUtilities(ctx context.Context) []staff.Utility {
	out := make([]staff.Utility, len(k.Utilities))
	var wg sync.WaitGroup
	for i, cl := range k.Utilities {
		wg.Go(func() {
			c := k.check(ctx, cl)
			out[i] = staff.Utility{Utility: c.Utility, Endpoint: c.Endpoint, FromBundle: c.FromBundle, TookMS: c.Took.Milliseconds(), Problem: c.Problem()}
			if c.Err != nil {
				out[i].Error = c.Err.Error()
			}
		})
	}
	wg.Wait()
	return out
}

// stopStaff lets staff commands under way finish (a few seconds at most), then closes
// the socket.
func (k *Kiosk) stopStaff() { shutdown(k.staff) }

// shutdown lets the requests srv is answering finish (a few seconds at most), then
// closes it; a nil srv (never started) is left alone.
func shutdown(srv *http.Server) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if srv.Shutdown(ctx) != nil {
		srv.Close()
	}
}

// staffDevices is the devices' state for staff.
func (k *Kiosk) staffDevices() []staff.Device {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]staff.Device, 0, len(k.deviceState))
	for name, e := range k.deviceState {
		out = append(out, staff.Device{Name: name, OK: e.OK, Detail: e.Detail})
	}
	return out
}

// staffReprint prints a kept receipt again for staff.
func (k *Kiosk) staffReprint(ctx context.Context, ref, actor string) (staff.Printed, error) {
	r, err := k.Reprint(ctx, ref, actor)
	if err != nil {
		return staff.Printed{}, err
	}
	return staff.Printed{OK: r.OK, Detail: r.Detail}, nil
}

// SetScreen gives staff the way to see the screen (kioskctl kiosk screen): paint
// paints what it shows, or says why it will not (staff.ErrCitizenPresent). The UI sets
// it; a kiosk without one has no screen to show.
func (k *Kiosk) SetScreen(paint func(context.Context) (image.Image, error)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.screen = paint
}

// screenWait is how long staff wait for the screen's picture: the UI takes it between
// two frames, so a longer wait means the UI is stuck, which staff should hear.
const screenWait = 5 * time.Second

// staffPicture paints the screen for staff, never while a citizen is being served.
func (k *Kiosk) staffPicture(ctx context.Context) (image.Image, error) {
	k.mu.Lock()
	paint := k.screen
	k.mu.Unlock()
	if paint == nil {
		return nil, staff.ErrNoScreen
	}
	if k.Sessions.Current() != nil {
		return nil, staff.ErrCitizenPresent
	}
	ctx, cancel := context.WithTimeout(ctx, screenWait)
	defer cancel()
	img, err := paint(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		k.Log.Error("staff asked for the screen: the UI did not answer", "wait", screenWait)
		return nil, fmt.Errorf("staff: the kiosk's screen did not answer within %v: its window may be stuck (see the kiosk's log)", screenWait)
	}
	return img, err
}
