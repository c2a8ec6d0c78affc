package app

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/workdays"
)

// MaintenanceActor is who the journal names for what staff do in maintenance mode on
// the screen when one PIN is shared by the hall's staff: the touchscreen. With a PIN for
// each member ([[staff.members]]) the journal names the member who opened it.
const MaintenanceActor = "维护模式"

// ErrVisitOpen means a citizen is being served: maintenance mode opens between visits
// only, so that nothing of theirs is on screen or cut short.
var ErrVisitOpen = errors.New("app: maintenance mode opens between visits only")

// ErrMaintenanceClosed means the maintenance mode an action was taken in has closed
// (idle, a citizen's card or scan, 退出维护): staff open it again.
var ErrMaintenanceClosed = errors.New("app: maintenance mode has closed")

// Why maintenance mode closes, as the journal's staff.logout says.
const (
	MaintenanceExit    = "退出维护"
	MaintenanceIdle    = "无操作超时"
	MaintenanceCitizen = "群众开始办理"
	// MaintenanceShutdown: the kiosk stopped or restarted with maintenance mode open.
	MaintenanceShutdown = "终端停止"
)

// MaintenanceAvailable reports whether staff can open maintenance mode on the screen:
// a PIN hash is configured, or the kiosk runs in demo mode.
func (k *Kiosk) MaintenanceAvailable() bool { return k.gate != nil && k.gate.Enabled() }

// MaintenanceDemoPIN is the PIN that opens maintenance mode in demo mode without a
// configured one (shown on the PIN screen, so that a visitor can look inside); "" on
// every other kiosk.
func (k *Kiosk) MaintenanceDemoPIN() string {
	if k.Config.Demo && k.Config.Staff.PINHash == "" && len(k.Config.Staff.Members) == 0 {
		return staffpin.DemoPIN
	}
	return ""
}

// MaintenanceHeld is what a PIN typed now would be refused with before it is checked
// (a *staffpin.RefusedError: too soon after a wrong one, or locked), or nil.
func (k *Kiosk) MaintenanceHeld() error {
	if k.gate == nil {
		return nil
	}
	return k.gate.Held()
}

// MaintenanceNeedsID reports whether staff give their 工号 before their PIN: each
// member has a PIN of their own ([[staff.members]]; OpenMaintenanceAs).
func (k *Kiosk) MaintenanceNeedsID() bool { return k.gate != nil && k.gate.PerMember() }

// OpenMaintenance opens maintenance mode with the shared staff PIN. Checking a PIN takes
// a good part of a second by design (staffpin): call it off the UI goroutine. Errors are
// staffpin's (a *staffpin.RefusedError says how many tries are left and until when
// PINs are refused; staffpin.ErrStaffID where members have PINs of their own), or
// ErrVisitOpen during a visit.
func (k *Kiosk) OpenMaintenance(pin string) (*Maintenance, error) {
	return k.openMaintenance(func() (string, error) { return MaintenanceActor, k.gate.Try(pin) })
}

// OpenMaintenanceAs opens maintenance mode with the PIN of the member whose 工号 is id;
// what staff do is journaled in their name. Otherwise as OpenMaintenance.
func (k *Kiosk) OpenMaintenanceAs(id, pin string) (*Maintenance, error) {
	return k.openMaintenance(func() (string, error) {
		m, err := k.gate.TryAs(id, pin)
		return m.Label(), err
	})
}

// openMaintenance opens maintenance mode once try accepts a PIN and says who typed it.
func (k *Kiosk) openMaintenance(try func() (actor string, err error)) (*Maintenance, error) {
	if k.gate == nil {
		return nil, staffpin.ErrDisabled
	}
	if k.Sessions.Current() != nil {
		return nil, ErrVisitOpen
	}
	actor, err := try()
	if err != nil {
		k.Log.Warn("maintenance PIN refused", "err", err)
		return nil, err
	}
	m := &Maintenance{k: k, svc: k.staffLocal(), actor: actor, since: k.Clock.Now()}
	k.mu.Lock()
	old := k.maint
	k.maint = m
	k.mu.Unlock()
	if old != nil {
		old.close("")
	}
	k.Log.Info("maintenance mode opened")
	if k.Sessions.Current() != nil {
		// A card was read while the PIN was checked: the citizen comes first.
		m.Close(MaintenanceCitizen)
		return nil, ErrVisitOpen
	}
	return m, nil
}

// closeMaintenance closes maintenance mode, if open, journaling why.
func (k *Kiosk) closeMaintenance(why string) {
	k.mu.Lock()
	m := k.maint
	k.mu.Unlock()
	if m != nil {
		m.Close(why)
	}
}

// Maintenance is maintenance mode, open: what staff can see and do on the screen. It is
// the staff socket's service (kioskctl's), with the touchscreen (or the member who
// signed in) as the actor, and the printer's test page. Every action is journaled. Once
// closed, every method returns ErrMaintenanceClosed.
type Maintenance struct {
	k     *Kiosk
	svc   *staff.Local
	actor string    // who the journal names for what is done in it
	since time.Time // when it was opened

	mu     sync.Mutex
	closed bool
}

// Open reports whether maintenance mode is still open.
func (m *Maintenance) Open() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.closed
}

func (m *Maintenance) check() error {
	if !m.Open() {
		return ErrMaintenanceClosed
	}
	return nil
}

// Close closes maintenance mode and journals why; closing it again does nothing.
func (m *Maintenance) Close(why string) { m.close(why) }

// close closes m; why "" when it was replaced by a newer one, which is not journaled
// as a logout (the newer one's login was).
func (m *Maintenance) close(why string) {
	m.mu.Lock()
	was := m.closed
	m.closed = true
	m.mu.Unlock()
	if was {
		return
	}
	k := m.k
	k.mu.Lock()
	if k.maint == m {
		k.maint = nil
	}
	k.mu.Unlock()
	if why != "" {
		k.record(journal.Event{Kind: journal.StaffLogout, Actor: m.actor, Detail: why})
		k.Log.Info("maintenance mode closed", "why", why)
	}
}

// Status is the kiosk's state at a glance: devices, waiting requests, receipts to
// print again, payment orders still asked about.
func (m *Maintenance) Status(ctx context.Context) (staff.Status, error) {
	if err := m.check(); err != nil {
		return staff.Status{}, err
	}
	return m.svc.Status(ctx)
}

// Requests lists the outbox's requests in a state, oldest first.
func (m *Maintenance) Requests(ctx context.Context, state outbox.State) ([]staff.Request, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.svc.Requests(ctx, state, 0)
}

// Retry queues a dead letter again with its idempotency key.
func (m *Maintenance) Retry(ctx context.Context, ref string) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.svc.Retry(ctx, ref, m.actor)
}

// CloseRequest closes a dead letter, or withdraws a request still waiting to be sent,
// for good, with the reason staff chose (staff.Local.Close: one sent meanwhile is not,
// outbox.ErrTooLate).
func (m *Maintenance) CloseRequest(ctx context.Context, ref, reason string) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.svc.Close(ctx, ref, m.actor, reason)
}

// Recent is the journal's last events of the last day, newest first, and how many of
// that day's are left out, older than those.
type Recent struct {
	Events  []journal.Event
	Earlier int
}

// Events returns the last n journal events of the last day, newest first, and how many
// earlier ones of the day it leaves out: a screen that lists n says that there are more
// (kioskctl journal list lists them all).
func (m *Maintenance) Events(ctx context.Context, n int) (Recent, error) {
	if err := m.check(); err != nil {
		return Recent{}, err
	}
	evs, err := m.svc.Events(ctx, staff.Query{Since: 24 * time.Hour})
	if err != nil {
		return Recent{}, err
	}
	earlier := max(0, len(evs)-n)
	evs = evs[earlier:]
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return Recent{Events: evs, Earlier: earlier}, nil
}

// Today sums up the kiosk's day so far from its journal (业务量统计; the day is China
// time's, as the receipts'): staff.Status's Today.
func (m *Maintenance) Today(ctx context.Context) (report.Summary, error) {
	st, err := m.Status(ctx)
	return st.Today, err
}

// Reprints lists the receipts that did not print, oldest first.
func (m *Maintenance) Reprints(ctx context.Context) ([]reprint.Entry, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.svc.Reprints(ctx)
}

// Reprint prints a kept receipt again (补打).
func (m *Maintenance) Reprint(ctx context.Context, ref string) (PrintResult, error) {
	if err := m.check(); err != nil {
		return PrintResult{}, err
	}
	return m.k.Reprint(ctx, ref, m.actor)
}

// Bundles is what the kiosk holds of each utility's content bundles.
func (m *Maintenance) Bundles(ctx context.Context) (map[string]bundle.Status, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.k.Bundles()
}

// RollbackBundle goes back, for one utility, to the content its bundle replaced.
func (m *Maintenance) RollbackBundle(_ context.Context, utility string) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.k.RollbackBundle(utility, m.actor)
}

// DropHeldBundle drops, for good, the bundle held for a utility to take effect later
// (Kiosk.DropHeldBundle).
func (m *Maintenance) DropHeldBundle(_ context.Context, utility string) error {
	if err := m.check(); err != nil {
		return err
	}
	return m.k.DropHeldBundle(utility, m.actor)
}

// CheckUtility asks a utility's API whether it answers, where the kiosk's calls go now
// (Kiosk.CheckUtility).
func (m *Maintenance) CheckUtility(ctx context.Context, id string) (UtilityCheck, error) {
	if err := m.check(); err != nil {
		return UtilityCheck{}, err
	}
	return m.k.CheckUtility(ctx, id)
}

// PrintTestPage prints the printer's test page (打印机测试页) with its status as the
// printer reports it, and journals it.
func (m *Maintenance) PrintTestPage(ctx context.Context) (PrintResult, error) {
	if err := m.check(); err != nil {
		return PrintResult{}, err
	}
	k := m.k
	if k.printer == nil {
		return noPrinter, nil
	}
	page := receipt.TestPage{Time: k.Clock.Now(), Port: k.Config.Devices.Printer.Port}
	if st, err := k.printerStatus(ctx, ctx); err == nil {
		page.Status = st.String()
	}
	job, err := k.Receipts().TestPage(page)
	if err != nil {
		return PrintResult{}, fmt.Errorf("app: test page: %w", err)
	}
	k.record(journal.Event{Kind: journal.StaffAction, Actor: m.actor, Detail: "打印测试页"})
	return k.print(ctx, "testpage", "", "", job, nil), nil
}

// ErrNoRestart means this kiosk cannot restart itself (it was started without the way
// to: tests, tools).
var ErrNoRestart = errors.New("app: this kiosk cannot restart itself: restart its service (systemctl restart kiosk)")

// ErrNotJournaled means a staff action was not done because the journal could not
// record it (记录留痕: what nobody could trace afterwards is not done): the kiosk's
// database cannot be written.
var ErrNotJournaled = errors.New("app: not done: the journal cannot record it")

// Restart restarts the kiosk between visits: journaled with actor, then the window and
// the kiosk close as on a stop (the outbox and the database closed cleanly) and the
// program starts anew. staff.ErrCitizenPresent during a visit; staff.ErrMaintenanceOpen,
// saying who and since when, while maintenance mode is open on the screen, unless force
// (it is then closed as on a stop); ErrNotJournaled, and no restart, when the journal
// cannot record it.
func (k *Kiosk) Restart(_ context.Context, actor string, force bool) error {
	if err := k.canRestart(); err != nil {
		return err
	}
	if m := k.maintenanceOpen(); m != nil && !force {
		return fmt.Errorf("%w by %s since %s: a restart would close it under them", staff.ErrMaintenanceOpen,
			m.Actor, m.Since.In(workdays.CST).Format("15:04"))
	}
	if err := k.journalRestart(actor); err != nil {
		return err
	}
	k.relaunch()
	return nil
}

// canRestart says why the kiosk cannot restart now, or nil.
func (k *Kiosk) canRestart() error {
	if k.relaunch == nil {
		return ErrNoRestart
	}
	if k.Sessions.Current() != nil {
		return staff.ErrCitizenPresent
	}
	return nil
}

// journalRestart journals a restart by actor, before it is made: one the journal cannot
// record is not made (ErrNotJournaled).
func (k *Kiosk) journalRestart(actor string) error {
	if err := k.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: actor, Detail: "重启终端"}); err != nil {
		k.Log.Error("restart not done: the journal cannot record it", "err", err)
		return fmt.Errorf("%w: the restart: %w", ErrNotJournaled, err)
	}
	k.Log.Info("kiosk restarting", "actor", actor)
	return nil
}

// Restart restarts the kiosk from maintenance mode: the restart is journaled, then
// maintenance mode closes (its staff.logout says 重启终端) and the kiosk restarts. A
// restart that cannot be made (ErrNoRestart, staff.ErrCitizenPresent, ErrNotJournaled)
// leaves maintenance mode open, as it was: staff read why on its screen and carry on.
func (m *Maintenance) Restart(context.Context) error {
	if err := m.check(); err != nil {
		return err
	}
	k := m.k
	if err := k.canRestart(); err != nil {
		return err
	}
	if err := k.journalRestart(m.actor); err != nil {
		return err
	}
	m.Close("重启终端")
	k.relaunch()
	return nil
}

// maintenanceOpen is maintenance mode open on the screen, or nil.
func (k *Kiosk) maintenanceOpen() *staff.MaintenanceOpen {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.maint == nil {
		return nil
	}
	return &staff.MaintenanceOpen{Actor: k.maint.actor, Since: k.maint.since}
}

// newGate is the maintenance PIN's gate: the configured hash, or in demo mode without
// one the demo PIN's.
func (k *Kiosk) newGate() (*staffpin.Gate, error) {
	st := k.Config.Staff
	hash := st.PINHash
	if hash == "" && len(st.Members) == 0 && k.Config.Demo {
		hash = staffpin.DemoHash
	}
	var members []staffpin.Member
	for _, m := range st.Members {
		members = append(members, staffpin.Member{ID: m.ID, Name: m.Name, Hash: m.PINHash})
	}
	return staffpin.New(staffpin.Options{Journal: k.Journal, Clock: k.Clock, Hash: hash, Members: members,
		MaxFailures: st.MaxFailures, Lockout: st.Lockout.Duration})
}

// About is what staff read of the kiosk itself in maintenance mode.
type About struct {
	KioskID, RefCode string
	// Config is the configuration's file; empty: the embedded defaults.
	Config string
	// Build is the program's revision (the commit it was built from, "+" when the tree
	// had changes), or "" when the build did not record one.
	Build string
}

// About describes this kiosk and its program.
func (m *Maintenance) About() About {
	k := m.k
	return About{KioskID: k.Config.Kiosk.ID, RefCode: k.Config.Kiosk.Code(), Config: k.Config.File, Build: buildRevision()}
}

// buildRevision is the program's revision: the commit it was built from, "+" when the
// tree had changes; "" when the build did not record one.
func buildRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && modified == "true" {
		rev += "+"
	}
	return rev
}
