package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// staffEvents are the journal's events of kind, from the last hour.
func staffEvents(t *testing.T, k *app.Kiosk, kind journal.Kind) []journal.Event {
	t.Helper()
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// In demo mode the demo PIN opens maintenance mode; what staff do there is journaled
// with the touchscreen as the actor, and once it closes nothing more can be done in it.
func TestMaintenanceOpensWithPINAndJournals(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	k := f.k
	if !k.MaintenanceAvailable() || k.MaintenanceDemoPIN() != staffpin.DemoPIN {
		t.Fatalf("demo kiosk: available %v, demo PIN %q", k.MaintenanceAvailable(), k.MaintenanceDemoPIN())
	}
	m, err := k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := m.PrintTestPage(ctx)
	if err != nil || !res.OK {
		t.Fatalf("test page: %+v %v", res, err)
	}
	if img, err := f.rig.LastReceipt(); err != nil || img.Bounds().Dy() < 400 {
		t.Fatalf("the emulator's last receipt: %v", err)
	}
	st, err := m.Status(ctx)
	if err != nil || !st.Running {
		t.Fatalf("status %+v %v", st, err)
	}
	m.Close(app.MaintenanceExit)
	m.Close(app.MaintenanceIdle) // closing again journals nothing
	if _, err := m.Status(ctx); !errors.Is(err, app.ErrMaintenanceClosed) {
		t.Fatalf("status after close: %v", err)
	}
	if _, err := m.PrintTestPage(ctx); !errors.Is(err, app.ErrMaintenanceClosed) {
		t.Fatalf("test page after close: %v", err)
	}
	for _, want := range []struct {
		kind   journal.Kind
		detail string
	}{
		{journal.StaffLogin, ""},
		{journal.StaffAction, "打印测试页"},
		{journal.Print, "testpage"},
		{journal.StaffLogout, app.MaintenanceExit},
	} {
		evs := staffEvents(t, k, want.kind)
		if len(evs) != 1 || !strings.Contains(evs[0].Detail, want.detail) {
			t.Errorf("%s: %+v", want.kind, evs)
		}
		if want.kind != journal.Print && evs[0].Actor != app.MaintenanceActor {
			t.Errorf("%s by %q", want.kind, evs[0].Actor)
		}
	}
}

// Maintenance mode opens between visits only, and a card placed while it is open ends
// it: the citizen is served, staff sign in again.
func TestMaintenanceBetweenVisits(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	k := f.k
	f.citizen(0)
	if _, err := k.OpenMaintenance(staffpin.DemoPIN); !errors.Is(err, app.ErrVisitOpen) {
		t.Fatalf("during a visit: %v", err)
	}
	k.Exit()
	m, err := k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	f.citizen(1)
	if m.Open() {
		t.Fatal("maintenance mode stayed open for a citizen")
	}
	out := staffEvents(t, k, journal.StaffLogout)
	if len(out) != 1 || out[0].Detail != app.MaintenanceCitizen {
		t.Fatalf("logout events %+v", out)
	}
}

// A wrong PIN is refused with the tries left and journaled without the PIN; a kiosk
// configured without a PIN (not in demo mode) has no maintenance mode on the screen.
func TestMaintenancePINRefused(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	_, err := f.k.OpenMaintenance("999999")
	var r *staffpin.RefusedError
	if !errors.Is(err, staffpin.ErrWrongPIN) || !errors.As(err, &r) || r.Left != 4 {
		t.Fatalf("wrong PIN: %v", err)
	}
	if _, err := f.k.OpenMaintenance(staffpin.DemoPIN); !errors.Is(err, staffpin.ErrTooSoon) {
		t.Fatalf("right PIN at once after a wrong one: %v", err)
	}
	// The PIN screen opened now says so before a PIN is typed.
	if err := f.k.MaintenanceHeld(); !errors.Is(err, staffpin.ErrTooSoon) || !errors.As(err, &r) || r.Failures != 1 || r.Until.IsZero() {
		t.Fatalf("held: %v", err)
	}
	failed := staffEvents(t, f.k, journal.StaffLoginFailed)
	if len(failed) != 1 || strings.Contains(failed[0].Detail, "999999") {
		t.Fatalf("failures journaled %+v", failed)
	}

	g := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
		c.Demo = false
		secret := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(secret, []byte(strings.Repeat("s", utility.MinSecretSize)), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, id := range config.UtilityIDs {
			u, _ := c.Utilities.ByID(id)
			u.SecretFile = secret
		}
	})
	if g.k.MaintenanceAvailable() || g.k.MaintenanceDemoPIN() != "" {
		t.Fatal("a kiosk without a PIN offers maintenance mode")
	}
	if _, err := g.k.OpenMaintenance(staffpin.DemoPIN); !errors.Is(err, staffpin.ErrDisabled) {
		t.Fatalf("the demo PIN outside demo mode: %v", err)
	}
}

// Staff send a dead letter again or close it from maintenance mode, journaled with the
// touchscreen as the actor and the reason chosen.
func TestMaintenanceDeadLetters(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{Refuse: "户号与产权人不符"})
	ctx := context.Background()
	var refs []string
	for _, acct := range []string{"3100000001", "3100000002"} {
		res, err := f.k.Outbox.Submit(ctx, outbox.Request{Utility: utility.Water, Kind: utility.KindTransfer, Order: acct,
			Body: utility.Transfer{Account: acct}}, 5*time.Second)
		if err != nil || res.State != outbox.Dead {
			t.Fatalf("submit: %+v %v", res, err)
		}
		refs = append(refs, res.KioskRef)
	}
	m, err := f.k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := m.Requests(ctx, outbox.Dead)
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	setFaults(t, f.sims, utility.Water, utilitysim.Faults{})
	retryAt := time.Now()
	if err := m.Retry(ctx, refs[0]); err != nil {
		t.Fatal(err)
	}
	if err := m.CloseRequest(ctx, refs[1], "duplicate"); err != nil {
		t.Fatal(err)
	}
	awaitCond(t, "the retried request sent again", func() bool {
		st, err := f.k.Outbox.Status(refs[0])
		return err == nil && st.LastTry.After(retryAt)
	})
	if st, err := f.k.Outbox.Status(refs[1]); err != nil || st.State != outbox.Closed {
		t.Fatalf("closed request %+v %v", st, err)
	}
	retried, closed := staffEvents(t, f.k, journal.StaffRetry), staffEvents(t, f.k, journal.StaffClose)
	if len(retried) != 1 || retried[0].Actor != app.MaintenanceActor || len(closed) != 1 || !strings.Contains(closed[0].Detail, "重复申请") {
		t.Fatalf("journal: retried %+v closed %+v", retried, closed)
	}
}

// Staff restart the kiosk from maintenance mode or through the staff socket, between
// visits only, and through the socket while maintenance mode is open on the screen only
// when forced; each restart is journaled. A kiosk started without the way to restart
// itself says so.
func TestRestart(t *testing.T) {
	t.Parallel()
	k, restarts := restartable(t)
	k.Start(context.Background())
	ctx := context.Background()
	c, err := staff.Dial(ctx, staff.SocketPath(k.Config.Data.Dir))
	if err != nil {
		t.Fatal(err)
	}
	k.Sessions.Start()
	if err := c.Restart(ctx, "工号0107", false); !errors.Is(err, staff.ErrCitizenPresent) {
		t.Fatalf("during a visit: %v", err)
	}
	k.Exit()
	if err := c.Restart(ctx, "工号0107", false); err != nil {
		t.Fatal(err)
	}
	m, err := k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx); err != nil || st.Maintenance == nil || st.Maintenance.Actor != app.MaintenanceActor {
		t.Fatalf("status with maintenance mode open: %+v, %v", st.Maintenance, err)
	}
	if err := c.Restart(ctx, "工号0108", false); !errors.Is(err, staff.ErrMaintenanceOpen) || !strings.Contains(err.Error(), app.MaintenanceActor) {
		t.Fatalf("with maintenance mode open: %v", err)
	}
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if len(restarts) != 2 || m.Open() {
		t.Fatalf("%d restarts; maintenance open %v", len(restarts), m.Open())
	}
	if st, err := c.Status(ctx); err != nil || st.Maintenance != nil {
		t.Fatalf("status with maintenance mode closed: %+v, %v", st.Maintenance, err)
	}
	if _, err := k.OpenMaintenance(staffpin.DemoPIN); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "工号0108", true); err != nil {
		t.Fatalf("forced with maintenance mode open: %v", err)
	}
	var by []string
	for _, e := range staffEvents(t, k, journal.StaffAction) {
		by = append(by, e.Actor+" "+e.Detail)
	}
	peer := staff.Self() // the socket's other end is this process: the kiosk names it
	peer.Self = false
	if got, want := strings.Join(by, ", "), journal.Acting("工号0107", peer)+" 重启终端, 维护模式 重启终端, "+journal.Acting("工号0108", peer)+" 重启终端"; got != want {
		t.Fatalf("journaled: %s", got)
	}

	plain, err := app.New(testConfig(t), app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	if err := plain.Restart(ctx, "工号0107", false); !errors.Is(err, app.ErrNoRestart) {
		t.Fatalf("a kiosk that cannot restart itself: %v", err)
	}
}

// A restart from maintenance mode that the journal cannot record is not done
// (记录留痕: a restart nobody can trace is not made), and it leaves maintenance mode as
// it was: open, as the kiosk tells it to kioskctl. Once the journal is written again the
// restart is journaled, then maintenance mode's close, and the kiosk restarts.
func TestMaintenanceRestartNotJournaled(t *testing.T) {
	t.Parallel()
	k, restarts := restartable(t)
	ctx := context.Background()
	m, err := k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	storetest.JournalWritable(t, k.Store, false)
	if err := m.Restart(ctx); !errors.Is(err, app.ErrNotJournaled) {
		t.Fatalf("a restart the journal cannot record: %v", err)
	}
	if len(restarts) != 0 || !m.Open() {
		t.Fatalf("after a restart not journaled: %d restarts; maintenance open %v", len(restarts), m.Open())
	}
	if err := k.Restart(ctx, "工号0107", false); !errors.Is(err, staff.ErrMaintenanceOpen) {
		t.Fatalf("the kiosk does not have maintenance mode open after its restart failed: %v", err)
	}
	storetest.JournalWritable(t, k.Store, true)
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if len(restarts) != 1 || m.Open() {
		t.Fatalf("%d restarts; maintenance open %v", len(restarts), m.Open())
	}
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprintf("%s %s %s", e.Kind, e.Actor, e.Detail))
	}
	want := []string{"staff.login 维护模式 ", "staff.action 维护模式 重启终端", "staff.logout 维护模式 重启终端"}
	if !slices.Equal(got, want) {
		t.Fatalf("journaled %q, want %q", got, want)
	}
}

// restartable is a kiosk without devices that can restart itself: each restart it
// makes is sent on restarts.
func restartable(t *testing.T) (k *app.Kiosk, restarts chan struct{}) {
	t.Helper()
	cfg := testConfig(t)
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	restarts = make(chan struct{}, 4)
	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable, Restart: func() { restarts <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k, restarts
}

// With a PIN for each member, staff give their 工号 first; the shared demo PIN opens
// nothing, and what the member does is journaled in their name.
func TestMaintenanceMembers(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
		c.Staff.Members = []config.StaffMember{{ID: "0417", Name: "王芳", PINHash: staffpin.DemoHash}}
	})
	k := f.k
	if !k.MaintenanceAvailable() || !k.MaintenanceNeedsID() || k.MaintenanceDemoPIN() != "" {
		t.Fatalf("available %v, needs an ID %v, demo PIN %q", k.MaintenanceAvailable(), k.MaintenanceNeedsID(), k.MaintenanceDemoPIN())
	}
	if _, err := k.OpenMaintenance(staffpin.DemoPIN); !errors.Is(err, staffpin.ErrStaffID) {
		t.Fatalf("the shared PIN's way: %v", err)
	}
	m, err := k.OpenMaintenanceAs("0417", staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.PrintTestPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Close(app.MaintenanceExit)
	for _, kind := range []journal.Kind{journal.StaffLogin, journal.StaffAction, journal.StaffLogout} {
		evs := staffEvents(t, k, kind)
		if len(evs) != 1 || evs[0].Actor != "工号 0417 王芳" {
			t.Errorf("%s: %+v, want one by 工号 0417 王芳", kind, evs)
		}
	}
}

// A citizen at the counter cancels a request the kiosk still holds for a utility that is
// down: staff list what waits and withdraw it in maintenance mode, journaled in their
// name as kioskctl outbox close does it; it is never sent. One sent once the utility
// came back is not withdrawn: staff are told it was sent, and nothing is journaled.
func TestMaintenanceWithdrawsWaiting(t *testing.T) {
	t.Parallel()
	f := newFlowsConfigured(t, utilitysim.Options{}, func(c *config.Config) {
		c.Staff.Members = []config.StaffMember{{ID: "0417", Name: "王芳", PINHash: staffpin.DemoHash}}
	})
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	ctx := context.Background()
	var refs []string
	acct, to := utilitysim.AccountNumber(utility.Electricity, 0), utilitysim.DemoIdentities[2]
	for range 2 {
		res, err := f.k.Outbox.Submit(ctx, outbox.Request{Utility: utility.Electricity, Kind: utility.KindTransfer, Order: acct,
			Body: utility.Transfer{Account: acct, NewHolder: utility.Contact{Name: to.Name, IDNumber: to.IDNumber, Phone: to.Phone},
				PropertyCert: utilitysim.PropertyCert(0)}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.KioskRef)
	}
	awaitCond(t, "the utility held back", func() bool { return len(f.k.Outbox.Held()) == 1 })
	m, err := f.k.OpenMaintenanceAs("0417", staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := m.Requests(ctx, outbox.Pending)
	if err != nil || len(waiting) != 2 || waiting[0].KioskRef != refs[0] || waiting[0].Utility != utility.Electricity ||
		waiting[0].Kind != utility.KindTransfer {
		t.Fatalf("waiting: %+v, %v", waiting, err)
	}
	if err := m.CloseRequest(ctx, refs[0], "withdrawn"); err != nil {
		t.Fatal(err)
	}
	if st, err := f.k.Outbox.Status(refs[0]); err != nil || st.State != outbox.Closed || st.ClosedBy != "工号 0417 王芳" || st.CloseReason != staff.Withdrawn {
		t.Fatalf("withdrawn: %+v, %v", st, err)
	}
	closed := staffEvents(t, f.k, journal.StaffClose)
	if len(closed) != 1 || closed[0].Ref != refs[0] || closed[0].Actor != "工号 0417 王芳" || closed[0].Detail != staff.Withdrawn {
		t.Fatalf("journaled: %+v", closed)
	}
	// The utility comes back: the other is sent, and then too late to withdraw.
	_, st := f.backAfterOutage(utility.Electricity, refs[1], false)
	err = m.CloseRequest(ctx, refs[1], "withdrawn")
	if !errors.Is(err, outbox.ErrTooLate) || !strings.Contains(err.Error(), refs[1]+" was sent meanwhile and its utility has it (the utility's reference "+st.UtilityRef+")") {
		t.Fatalf("withdrawn once sent: %v", err)
	}
	if n := len(staffEvents(t, f.k, journal.StaffClose)); n != 1 {
		t.Errorf("%d closes journaled", n)
	}
	got := map[string]bool{}
	for _, r := range received(t, f.sims, utility.Electricity, utility.KindTransfer) {
		got[r.KioskRef] = true
	}
	if got[refs[0]] || !got[refs[1]] {
		t.Errorf("the utility received %v: the withdrawn one, or not the other", got)
	}
}

// The journal's screen lists the latest of the day's events, newest first, and learns
// how many earlier ones it leaves out; none when it lists them all.
func TestMaintenanceEventsSaysWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	m, err := k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all, err := m.Events(ctx, 1000)
	if err != nil || all.Earlier != 0 || len(all.Events) == 0 || all.Events[0].Kind != journal.StaffLogin {
		t.Fatalf("before: %+v, %v", all, err)
	}
	before := len(all.Events)
	for i := range 70 {
		if err := k.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: "工号0107", Detail: fmt.Sprint("打印测试页 ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.Events(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 60 || got.Earlier != before+70-60 {
		t.Fatalf("%d listed, %d left out; want 60 and %d", len(got.Events), got.Earlier, before+10)
	}
	if first, last := got.Events[0].Detail, got.Events[59].Detail; first != "打印测试页 69" || last != "打印测试页 10" {
		t.Fatalf("listed from %q to %q, want the newest first", first, last)
	}
}
