// Package staff is what hall staff can do with a kiosk's records, whether the kiosk is
// running or stopped: see the requests the outbox set aside (dead letters) and send
// them again or close them, withdraw those still waiting to be sent, read the journal
// (记录留痕), copy the database, see the devices' state, print again (补打) the receipts
// that did not print, end a lockout of the maintenance PIN, see what the screen shows
// and drop a utility's bundle held for later (the running kiosk only). A running kiosk
// serves it on a Unix socket in its data folder, or in a folder of its own (Listen,
// ListenDir, Server), and tells who connects which kiosk it is (Identity), so that
// kioskctl need not read its configuration; kioskctl talks to that socket (Client) and,
// when no kiosk answers there, opens the database itself (Local). Nothing it returns
// holds personal data: the screen is shown only between visits.
package staff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// SocketName is the staff socket's file name in the kiosk's data folder.
const SocketName = "kiosk.sock"

// SocketPath is where the kiosk with data folder dir serves staff.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// Service is what staff can do. Local does it on the database, Client through a
// running kiosk; both give the same answers and errors.
type Service interface {
	// Status is the kiosk's state at a glance.
	Status(ctx context.Context) (Status, error)
	// Requests lists the requests in a state, oldest first, at most limit (≤ 0: all).
	Requests(ctx context.Context, state outbox.State, limit int) ([]Request, error)
	// Retry queues a dead letter again with its key; actor is journaled.
	Retry(ctx context.Context, ref, actor string) error
	// Close closes a dead letter for good; actor and reason are journaled.
	Close(ctx context.Context, ref, actor, reason string) error
	// Events returns journal events, oldest first: with a limit, the latest.
	Events(ctx context.Context, q Query) ([]journal.Event, error)
	// Backup writes a copy of the database to w (personal data sealed, as in the
	// file) and journals the export with actor.
	Backup(ctx context.Context, w io.Writer, actor string) (int64, error)
	// Reprints lists the citizens' receipts that did not print, oldest first.
	Reprints(ctx context.Context) ([]reprint.Entry, error)
	// Reprint prints a receipt that did not print again (补打) on the running kiosk's
	// printer; actor is journaled. ErrNeedsKiosk while the kiosk is stopped.
	Reprint(ctx context.Context, ref, actor string) (Printed, error)
	// Bundles lists the utilities' content bundles the kiosk holds, by utility.
	Bundles(ctx context.Context) ([]Bundle, error)
	// ApplyBundle applies a utility's signed content bundle on the running kiosk (a
	// refusal wraps ErrInput and says why); actor is journaled.
	ApplyBundle(ctx context.Context, data []byte, actor string) (Bundle, error)
	// RollbackBundle goes back, for one utility, to the content its bundle replaced;
	// actor is journaled.
	RollbackBundle(ctx context.Context, utility, actor string) error
	// DropBundle drops, for good, the bundle held for a utility to take effect later on
	// the running kiosk (nothing held: ErrInput, saying so); actor is journaled. It
	// returns the utility's bundles as they are then (Dropped: the version dropped).
	DropBundle(ctx context.Context, utility, actor string) (Bundle, error)
	// Restart restarts the running kiosk between visits (ErrCitizenPresent during one;
	// ErrStopped while it is stopped); actor is journaled. While staff work in
	// maintenance mode on its screen it refuses with ErrMaintenanceOpen unless force.
	// It returns once the restart has begun: the socket goes away with the kiosk and
	// comes back when it has started.
	Restart(ctx context.Context, actor string, force bool) error
	// Utilities checks each utility's API from the running kiosk, where its calls go now
	// (ErrStopped while it is stopped).
	Utilities(ctx context.Context) ([]Utility, error)
	// Screen writes a PNG picture of what the running kiosk's screen shows to w and
	// journals the look with actor. ErrCitizenPresent while a citizen is being served,
	// ErrNoScreen while the kiosk is stopped.
	Screen(ctx context.Context, w io.Writer, actor string) (int64, error)
	// UnlockPIN ends the run of wrong maintenance PINs, and so a lockout: journaled
	// (staff.unlock) with actor, where the PIN's gate reads its state, whether the kiosk
	// runs or not.
	UnlockPIN(ctx context.Context, actor string) error
	// Kiosk is which kiosk this is, as its configuration names it (Identity): what
	// kioskctl would otherwise read in the configuration file.
	Kiosk(ctx context.Context) (Identity, error)
	// Reveal journals (staff.reveal) that actor is about to see a citizen's card in full
	// (kioskctl idcard … --reveal): what is the command and the card's type, idNumber the
	// card's number, kept only as the keyed hash that names its holder in the journal.
	// The card is shown only once this has returned without an error.
	Reveal(ctx context.Context, actor, what, idNumber string) error
}

// Printed is how a reprint went.
type Printed struct {
	OK bool `json:"ok"`
	// Detail is why it did not print (for staff, in Chinese); the receipt stays kept.
	Detail string `json:"detail,omitempty"`
}

// ErrNeedsKiosk means an action needs the running kiosk: the printer is its own.
var ErrNeedsKiosk = errors.New("staff: printing needs the running kiosk (it drives the printer): start it and try again")

// ErrNoScreen means there is no screen to see: the kiosk is stopped (or runs without
// a window).
var ErrNoScreen = errors.New("staff: the screen can be seen only while the kiosk runs: start it and try again")

// ErrStopped means there is no running kiosk to act on.
var ErrStopped = errors.New("staff: the kiosk is not running: start it (systemctl start kiosk)")

// ErrCitizenPresent means a citizen is being served: what the screen shows is theirs, a
// receipt printed would come out into their hands, a restart would cut their visit.
var ErrCitizenPresent = errors.New("staff: a citizen is using the kiosk: try again when it is back on the home screen")

// ErrMaintenanceOpen means staff work in maintenance mode on the kiosk's screen: a
// restart would close it under them.
var ErrMaintenanceOpen = errors.New("staff: maintenance mode is open on the kiosk's screen")

// Status is a kiosk's state at a glance.
type Status struct {
	// Running is set when a running kiosk answered, with its devices' state.
	Running bool     `json:"running"`
	Devices []Device `json:"devices,omitempty"`
	// Pending counts the requests waiting for each utility; Dead those waiting for staff.
	Pending map[string]int `json:"pending"`
	Dead    int            `json:"dead"`
	// Failing are the utilities whose requests the running kiosk holds back because the
	// utility itself fails, by utility.
	Failing []Failing `json:"failing,omitempty"`
	// Reprints counts the citizens' receipts that did not print, waiting for 补打.
	Reprints int `json:"reprints"`
	// Unsettled counts the payment orders the kiosk still asks the utilities about: made
	// before it restarted, or cancelled while their utility could not be reached.
	Unsettled int `json:"unsettled_orders"`
	// CardLeftSince is when a citizen's ID card came to lie on the reader with no visit
	// open (left behind, or refused and not taken back): staff keep it for its holder.
	CardLeftSince *time.Time `json:"card_left_since,omitempty"`
	// PINLockedUntil is when maintenance mode's PIN takes tries again, while too many
	// wrong PINs in a row have locked it: someone may be guessing.
	PINLockedUntil *time.Time `json:"pin_locked_until,omitempty"`
	// Maintenance is set while staff work in maintenance mode on the kiosk's screen.
	Maintenance *MaintenanceOpen `json:"maintenance,omitempty"`
	// Fleet is the running kiosk's link to the city's broker; nil when it has none.
	Fleet *FleetLink `json:"fleet,omitempty"`
	// Today is the day so far (China time) from the journal: visits, payments and
	// their amount, requests sent, receipts (业务量统计).
	Today report.Summary `json:"today"`
}

// MaintenanceOpen is maintenance mode open on the kiosk's screen: who opened it (the
// member's 工号, or 维护模式 with the shared PIN) and when.
type MaintenanceOpen struct {
	Actor string    `json:"actor"`
	Since time.Time `json:"since"`
}

// Failing is a utility that itself fails (outbox.Hold): it cannot be reached, refuses
// the kiosk's signature, answers with server errors or asks the kiosk to slow down. Its
// requests wait, their attempts kept, and the kiosk tries it again with backoff.
type Failing struct {
	Utility string    `json:"utility"`
	Since   time.Time `json:"since"`
	// Problem is the failure as a citizen is told of it (utility.Problem: "unreachable",
	// "auth", "busy" …); Error is the last failure.
	Problem string `json:"problem"`
	Error   string `json:"error,omitempty"`
	// Long is set once it has lasted long enough to be journaled (utility.held).
	Long bool `json:"long,omitempty"`
}

// FleetLink is a kiosk's link to the city's broker (docs/fleet.md).
type FleetLink struct {
	Broker string `json:"broker"`
	// Linked is whether it is connected now (it keeps trying while it is not).
	Linked bool `json:"linked"`
}

// Device is one device's state as the running kiosk last saw it.
type Device struct {
	Name string `json:"device"` // idcard, printer, scanner
	OK   bool   `json:"ok"`
	// Detail is the reason a device cannot be used, for staff.
	Detail string `json:"detail,omitempty"`
}

// Request is one request of the outbox, as staff see it.
type Request struct {
	KioskRef   string       `json:"kiosk_ref"`
	Utility    string       `json:"utility"`
	Kind       utility.Kind `json:"kind"`
	State      outbox.State `json:"state"`
	Created    time.Time    `json:"created"`
	Tries      int          `json:"tries"`
	UtilityRef string       `json:"utility_ref,omitempty"`
	// Why is the utility's refusal, the last failure, or who closed it and why; ID and
	// mobile numbers in it are masked.
	Why string `json:"why,omitempty"`
	// Refused is the utility's refusal in its own words, when it refused (masked as Why):
	// what a clerk can read out; the rest of Why is the program's record.
	Refused string `json:"refused,omitempty"`
	// Rejected is set when the utility refused it, in words (Refused) or without any:
	// sending it again brings the same answer.
	Rejected bool `json:"rejected,omitempty"`
}

// Query selects journal events: those naming Ref (at any time), or else those of the
// last Since; at most Limit, the latest (≤ 0: all).
type Query struct {
	Since time.Duration
	Ref   string
	Limit int
}

// ErrInput marks a request staff must correct (a missing actor or reason, an unknown
// state); the message says what.
var ErrInput = errors.New("staff")

// States are the outbox states staff can list.
var States = []outbox.State{outbox.Dead, outbox.Pending, outbox.Done, outbox.Closed, outbox.Expired}

func checkState(s outbox.State) error {
	for _, x := range States {
		if s == x {
			return nil
		}
	}
	return fmt.Errorf("%w: no state %q", ErrInput, s)
}

// Reason is a reason staff may give for closing a dead letter: a code to type, and the
// phrase the journal keeps.
type Reason struct{ Code, Text string }

// Withdrawn is the phrase of the reason "withdrawn": the citizen took the request back,
// at the counter or at the kiosk itself.
const Withdrawn = "群众已撤回申请"

// CloseReasons are the reasons a dead letter can be closed for: fixed phrases, never
// free text, so that nothing typed (a citizen's name, say) lands in the journal.
var CloseReasons = []Reason{
	{"offline", "已在窗口线下办理"},
	{"withdrawn", Withdrawn},
	{"duplicate", "重复申请"},
}

// closeReason is the phrase of a reason given by its code or its phrase.
func closeReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	var codes []string
	for _, r := range CloseReasons {
		if s == r.Code || s == r.Text {
			return r.Text, nil
		}
		codes = append(codes, r.Code)
	}
	return "", fmt.Errorf("%w: the reason is one of %s", ErrInput, strings.Join(codes, ", "))
}

func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%w: %s is required", ErrInput, name)
	}
	return nil
}

// Local is the Service on the kiosk's own store, journal and outbox: inside the
// running kiosk (behind the socket), or in kioskctl while the kiosk is stopped.
type Local struct {
	Store   *store.Store
	Journal *journal.Journal
	Outbox  *outbox.Outbox
	// Devices reports the devices' state; nil when the kiosk is not running.
	Devices func() []Device
	// Print prints a kept receipt again; nil when the kiosk is not running.
	Print func(ctx context.Context, ref, actor string) (Printed, error)
	// Picture paints what the screen shows (ErrCitizenPresent during a visit); nil
	// when the kiosk is not running.
	Picture func(ctx context.Context) (image.Image, error)
	// Clock is the time for journal queries (nil: time.Now).
	Clock func() time.Time
	// CardLeft is since when an ID card lies on the reader with no visit open (zero:
	// none); nil when the kiosk is not running.
	CardLeft func() time.Time
	// PINLocked is until when maintenance mode's PIN is locked (zero: it is not); nil
	// outside the running kiosk.
	PINLocked func() time.Time
	// Maintenance is maintenance mode open on the screen, or nil; nil when the kiosk
	// has no screen.
	Maintenance func() *MaintenanceOpen
	// Relaunch restarts the kiosk between visits, journaled with actor; nil when the
	// kiosk is not running (or cannot restart itself).
	Relaunch func(ctx context.Context, actor string, force bool) error
	// Apply applies a content bundle and Rollback rolls one back, journaled with actor;
	// nil when the kiosk is not running.
	Apply    func(data []byte, actor string) (*bundle.Bundle, error)
	Rollback func(utility, actor string) error
	// Drop drops the bundle held for a utility to take effect later, journaled with
	// actor; nil when the kiosk is not running.
	Drop func(utility, actor string) error
	// LeftOut says why the running kiosk does not show a utility's current bundle ("":
	// it does); nil when the kiosk is not running.
	LeftOut func(utility string, current *bundle.Applied) string
	// Check checks every utility's API; nil when the kiosk is not running.
	Check func(ctx context.Context) []Utility
	// Fleet is the link to the city's broker; nil when the kiosk is not running, and it
	// returns nil when none is configured.
	Fleet func() *FleetLink
	// Identity is the kiosk's, from its configuration: Enabled are the day's report's
	// rows.
	Identity Identity
}

// Utility is what a check of one utility's API came to.
type Utility struct {
	Utility string `json:"utility"`
	// Endpoint is where the kiosk's calls to it go; FromBundle, that the utility's
	// bundle put them there (else the configuration did).
	Endpoint   string `json:"endpoint"`
	FromBundle bool   `json:"from_bundle,omitempty"`
	TookMS     int64  `json:"took_ms"`
	// Problem is empty when the API answered as itself; otherwise "unreachable",
	// "signature" or "not_api" (app.CheckUnreachable …), and Error says what came back.
	Problem string `json:"problem,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Utilities checks the utilities' APIs through the running kiosk.
func (l *Local) Utilities(ctx context.Context) ([]Utility, error) {
	if l.Check == nil {
		return nil, ErrStopped
	}
	return l.Check(ctx), nil
}

// Bundle is one utility's content as the kiosk holds it.
type Bundle struct {
	Utility string `json:"utility"`
	// Version is the bundle shown (unless LeftOut), with its note, when and by whom it
	// was applied; 0: the kiosk's own content.
	Version   uint64     `json:"version,omitempty"`
	Note      string     `json:"note,omitempty"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	By        string     `json:"by,omitempty"`
	// Previous is the version a rollback goes back to (0: the kiosk's own content), and
	// Older those further rollbacks go back through, newest first.
	Previous uint64   `json:"previous,omitempty"`
	Older    []uint64 `json:"older,omitempty"`
	// Seen is the highest version applied: a new bundle must be newer.
	Seen uint64 `json:"seen"`
	// Endpoint is the API root the bundle shown sends the utility's calls to; empty:
	// the configured one.
	Endpoint string `json:"endpoint,omitempty"`
	// LeftOut says why the running kiosk does not show Version (its own content instead):
	// the bundle was left out at start, its key or its endpoint's host no longer the
	// configuration's. Empty while it shows it, and while the kiosk is stopped.
	LeftOut string `json:"left_out,omitempty"`
	// Held is the version held to take effect later (0: none), with its note, when it
	// takes effect, and when and by whom it was delivered.
	Held       uint64     `json:"held,omitempty"`
	HeldNote   string     `json:"held_note,omitempty"`
	Effective  *time.Time `json:"effective,omitempty"`
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	HeldBy     string     `json:"held_by,omitempty"`
	// Dropped is the last version staff dropped while it was held (0: none): that
	// version, and any older, is refused if it comes again.
	Dropped uint64 `json:"dropped,omitempty"`
}

func bundleOf(st bundle.Status) Bundle {
	out := Bundle{Utility: st.Utility, Seen: st.Seen, Dropped: st.Dropped}
	if c := st.Current; c != nil {
		at := c.At
		out.Version, out.Note, out.AppliedAt, out.By = c.Bundle.Manifest.Version, c.Bundle.Manifest.Note, &at, c.By
		if e, ok := utility.BundleEndpoint(c.Bundle); ok {
			out.Endpoint = e.BaseURL
		}
	}
	for _, o := range st.Older {
		out.Older = append(out.Older, o.Bundle.Manifest.Version)
	}
	if p := st.Pending; p != nil {
		m, at := p.Bundle.Manifest, p.At
		out.Held, out.HeldNote, out.Effective, out.ReceivedAt, out.HeldBy = m.Version, m.Note, &m.Effective, &at, p.By
	}
	if p := st.Previous; p != nil {
		out.Previous = p.Bundle.Manifest.Version
	}
	return out
}

func (l *Local) now() time.Time {
	if l.Clock != nil {
		return l.Clock()
	}
	return time.Now()
}

// Status counts the waiting requests and, in a running kiosk, reports the devices.
func (l *Local) Status(ctx context.Context) (Status, error) {
	counts, err := l.Outbox.Count()
	if err != nil {
		return Status{}, err
	}
	s := Status{Running: l.Devices != nil, Pending: counts[outbox.Pending]}
	if s.Pending == nil {
		s.Pending = map[string]int{}
	}
	for _, n := range counts[outbox.Dead] {
		s.Dead += n
	}
	for _, h := range l.Outbox.Held() {
		s.Failing = append(s.Failing, Failing{Utility: h.Utility, Since: h.Since, Problem: utility.Problem(h.Err),
			Error: logging.Scrub(h.Err.Error()), Long: h.Long})
	}
	kept, err := l.Reprints(ctx)
	if err != nil {
		return Status{}, err
	}
	s.Reprints = len(kept)
	if s.Unsettled, err = orders.New(l.Store).Count(); err != nil {
		return Status{}, err
	}
	if l.Devices != nil {
		s.Devices = l.Devices()
		sort.Slice(s.Devices, func(i, j int) bool { return s.Devices[i].Name < s.Devices[j].Name })
	}
	if l.CardLeft != nil {
		if t := l.CardLeft(); !t.IsZero() {
			s.CardLeftSince = &t
		}
	}
	if l.PINLocked != nil {
		if t := l.PINLocked(); !t.IsZero() {
			s.PINLockedUntil = &t
		}
	}
	if l.Maintenance != nil {
		s.Maintenance = l.Maintenance()
	}
	if l.Fleet != nil {
		s.Fleet = l.Fleet()
	}
	now := l.now()
	from, to := report.Day(now.In(workdays.CST))
	evs, err := l.Journal.Range(from, now.Add(time.Minute), 0)
	if err != nil {
		return Status{}, err
	}
	s.Today = report.Of(evs, from, to, l.Identity.Enabled)
	return s, nil
}

// Requests lists the outbox's requests in a state.
func (l *Local) Requests(ctx context.Context, state outbox.State, limit int) ([]Request, error) {
	if err := checkState(state); err != nil {
		return nil, err
	}
	list, err := l.Outbox.List(state, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Request, len(list))
	for i, r := range list {
		out[i] = requestOf(r)
	}
	return out, nil
}

func requestOf(r outbox.Status) Request {
	why, refused := r.LastError, ""
	if r.Err != nil {
		// The utility's refusal in its own words, else what went wrong.
		refused = utility.Own(r.Err)
		why = refused
		if why == "" {
			why = r.Err.Error()
		}
	}
	if r.State == outbox.Closed {
		why = r.CloseReason
		if r.ClosedBy != "" { // staff's; a citizen's withdrawal at the kiosk names no one
			why = r.ClosedBy + ": " + why
		}
	}
	return Request{KioskRef: r.KioskRef, Utility: r.Utility, Kind: r.Kind, State: r.State, Created: r.Created,
		Tries: r.Tries, UtilityRef: r.UtilityRef, Why: logging.Scrub(why), Refused: logging.Scrub(refused), Rejected: r.Err != nil}
}

// Retry queues a dead letter again. A payment order's is not (outbox.ErrNotRetried): the
// error says so in Chinese and English, and that staff close it instead.
func (l *Local) Retry(ctx context.Context, ref, actor string) error {
	if err := errors.Join(required("the kiosk reference", ref), required("the actor", actor)); err != nil {
		return err
	}
	err := l.Outbox.Retry(ref, actor)
	if errors.Is(err, outbox.ErrNotRetried) {
		codes := make([]string, len(CloseReasons))
		for i, r := range CloseReasons {
			codes[i] = r.Code
		}
		return notRetriedError(fmt.Sprintf("staff: 缴费订单 %s 不能重新发送，只能选择原因关闭：缴费人已被告知未能下单，"+
			"重新发送可能生成无人支付、无人跟进的订单。%s is a payment order: it is not sent again, only closed with a reason "+
			"(outbox close --reason %s): its citizen was told it failed, and an order made now would be followed by nobody",
			ref, ref, strings.Join(codes, "|")))
	}
	return err
}

// notRetriedError is outbox.ErrNotRetried as staff read it (Local.Retry): its message
// says why and what to do instead, as the kiosk wrote it, also through the socket.
type notRetriedError string

func (e notRetriedError) Error() string        { return string(e) }
func (e notRetriedError) Is(target error) bool { return target == outbox.ErrNotRetried }

// Close closes a dead letter, or withdraws a request still waiting to be sent (its
// citizen served at the counter while the utility was down, or withdrawing it there),
// for good. One being sent at that moment, or that has come to its end since staff
// listed it (sent and answered, refused, closed), is not: the error wraps
// outbox.ErrTooLate and says what became of it.
func (l *Local) Close(ctx context.Context, ref, actor, reason string) error {
	if err := errors.Join(required("the kiosk reference", ref), required("the actor", actor), required("the reason", reason)); err != nil {
		return err
	}
	text, err := closeReason(reason)
	if err != nil {
		return err
	}
	st, err := l.Outbox.Status(ref)
	if err != nil {
		return err
	}
	switch st.State {
	case outbox.Pending:
		err = l.Outbox.ClosePending(ref, actor, text)
	case outbox.Dead:
		err = l.Outbox.CloseDead(ref, actor, text)
	default:
		err = fmt.Errorf("%w: %s is %s", outbox.ErrTooLate, ref, st.State)
	}
	if errors.Is(err, outbox.ErrTooLate) {
		return l.tooLate(ref, err)
	}
	return err
}

// TooLateError is a request staff could not close or withdraw because it had moved on
// (outbox.ErrTooLate): its message says what became of it, for kioskctl. Local's says
// it in fields too, for a screen to word: the request's State now (Done, Closed,
// Expired; empty while it is being sent, outbox.ErrInFlight), the utility's reference
// once it has it, and who closed it and why. Through the socket (Client) only the
// message comes.
type TooLateError struct {
	Ref        string
	State      outbox.State
	UtilityRef string
	Why        string

	msg   string
	cause error
}

func (e *TooLateError) Error() string { return e.msg }
func (e *TooLateError) Unwrap() error { return e.cause }

// tooLate words the refusal err (an outbox.ErrTooLate) of closing ref by what became of
// it: staff who listed it as waiting learn that it was sent meanwhile, not that it is
// "not a dead letter".
func (l *Local) tooLate(ref string, err error) error {
	st, serr := l.Outbox.Status(ref)
	var what string
	tl := &TooLateError{Ref: ref, cause: err}
	switch {
	case errors.Is(err, outbox.ErrInFlight):
		what = "is being sent to its utility right now: list it again in a minute to see whether the utility took it"
	case serr != nil:
		return err
	case st.State == outbox.Done:
		tl.State, tl.UtilityRef = st.State, st.UtilityRef
		what = "was sent meanwhile and its utility has it"
		if st.UtilityRef != "" {
			what += " (the utility's reference " + st.UtilityRef + ")"
		}
		what += ": ask the utility to cancel it"
	case st.State == outbox.Closed:
		tl.State, tl.Why = st.State, requestOf(st).Why
		what = "was closed meanwhile"
		if tl.Why != "" {
			what += " (" + tl.Why + ")"
		}
	case st.State == outbox.Expired:
		tl.State = st.State
		what = "passed its deadline meanwhile and will never be sent"
	default:
		return err
	}
	tl.msg = fmt.Sprintf("staff: %s %s; it was not closed", ref, what)
	return tl
}

// Events reads the journal.
func (l *Local) Events(ctx context.Context, q Query) ([]journal.Event, error) {
	var evs []journal.Event
	var err error
	if q.Ref != "" {
		evs, err = l.Journal.ByRef(q.Ref)
	} else {
		if q.Since <= 0 {
			return nil, fmt.Errorf("%w: since must be positive", ErrInput)
		}
		now := l.now()
		evs, err = l.Journal.Latest(now.Add(-q.Since), now.Add(time.Minute), q.Limit)
	}
	if err != nil {
		return nil, err
	}
	if q.Limit > 0 && len(evs) > q.Limit {
		evs = evs[len(evs)-q.Limit:]
	}
	return evs, nil
}

// Backup copies the database and journals the export: before the first byte leaves (a
// copy cut short has still left the kiosk, most of it), and again when it ends.
func (l *Local) Backup(ctx context.Context, w io.Writer, actor string) (int64, error) {
	if err := required("the actor", actor); err != nil {
		return 0, err
	}
	if err := l.Journal.Record(journal.Event{Kind: journal.StaffExport, Actor: actor, Detail: "database copy started"}); err != nil {
		return 0, err
	}
	n, err := l.Store.Backup(w)
	detail := fmt.Sprintf("database copied, %d bytes", n)
	if err != nil {
		detail = fmt.Sprintf("database copy cut short after %d bytes", n)
	}
	return n, errors.Join(err, l.Journal.Record(journal.Event{Kind: journal.StaffExport, Actor: actor, Detail: detail}))
}

// Reprints lists the receipts kept for reprinting.
func (l *Local) Reprints(ctx context.Context) ([]reprint.Entry, error) {
	return reprint.New(l.Store).List()
}

// Reprint prints a kept receipt again through the running kiosk.
func (l *Local) Reprint(ctx context.Context, ref, actor string) (Printed, error) {
	if err := errors.Join(required("the reference", ref), required("the actor", actor)); err != nil {
		return Printed{}, err
	}
	if l.Print == nil {
		return Printed{}, ErrNeedsKiosk
	}
	return l.Print(ctx, ref, actor)
}

// Bundles reads the bundles from the database (the kiosk running or not).
func (l *Local) Bundles(ctx context.Context) ([]Bundle, error) {
	sts, err := bundle.NewState(l.Store, l.Journal).Statuses()
	if err != nil {
		return nil, err
	}
	out := make([]Bundle, 0, len(sts))
	for _, st := range sts {
		b := bundleOf(st)
		if l.LeftOut != nil && st.Current != nil {
			b.LeftOut = l.LeftOut(st.Utility, st.Current)
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Utility < out[j].Utility })
	return out, nil
}

// ApplyBundle applies a bundle on the running kiosk: it alone knows the utilities' keys
// and shows the content.
func (l *Local) ApplyBundle(ctx context.Context, data []byte, actor string) (Bundle, error) {
	if err := required("the actor", actor); err != nil {
		return Bundle{}, err
	}
	if l.Apply == nil {
		return Bundle{}, ErrStopped
	}
	b, err := l.Apply(data, actor)
	if err != nil {
		return Bundle{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return l.bundleOf(ctx, b.Manifest.Utility)
}

// bundleOf is what the kiosk holds of utility's bundles.
func (l *Local) bundleOf(ctx context.Context, utility string) (Bundle, error) {
	all, err := l.Bundles(ctx)
	for _, x := range all {
		if x.Utility == utility {
			return x, err
		}
	}
	return Bundle{Utility: utility}, err
}

// RollbackBundle rolls a utility's bundle back on the running kiosk.
func (l *Local) RollbackBundle(ctx context.Context, utility, actor string) error {
	if err := errors.Join(required("the utility", utility), required("the actor", actor)); err != nil {
		return err
	}
	if l.Rollback == nil {
		return ErrStopped
	}
	if err := l.Rollback(utility, actor); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	return nil
}

// DropBundle drops a utility's bundle held for later on the running kiosk: it alone
// arms the timer that would apply it.
func (l *Local) DropBundle(ctx context.Context, utility, actor string) (Bundle, error) {
	if err := errors.Join(required("the utility", utility), required("the actor", actor)); err != nil {
		return Bundle{}, err
	}
	if l.Drop == nil {
		return Bundle{}, ErrStopped
	}
	if err := l.Drop(utility, actor); err != nil {
		return Bundle{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return l.bundleOf(ctx, utility)
}

// Restart restarts the running kiosk.
func (l *Local) Restart(ctx context.Context, actor string, force bool) error {
	if err := required("the actor", actor); err != nil {
		return err
	}
	if l.Relaunch == nil {
		return ErrStopped
	}
	return l.Relaunch(ctx, actor, force)
}

// UnlockPIN journals staff's unlock of the maintenance PIN.
func (l *Local) UnlockPIN(ctx context.Context, actor string) error {
	if err := required("the actor", actor); err != nil {
		return err
	}
	return l.Journal.Record(staffpin.Unlock(actor))
}

// Reveal journals that actor is about to see a card in full.
func (l *Local) Reveal(ctx context.Context, actor, what, idNumber string) error {
	if err := errors.Join(required("the actor", actor), required("the command", what)); err != nil {
		return err
	}
	e := journal.Event{Kind: journal.StaffReveal, Actor: actor, Detail: what}
	if idNumber != "" {
		e.Subject = l.Journal.Subject("id", idNumber)
	}
	if err := l.Journal.Record(e); err != nil {
		// Never the number: this error reaches the kiosk's log.
		return fmt.Errorf("staff: journal the card shown in full: %w", err)
	}
	return nil
}

// Screen paints the running kiosk's screen as a PNG and journals the look.
func (l *Local) Screen(ctx context.Context, w io.Writer, actor string) (int64, error) {
	if err := required("the actor", actor); err != nil {
		return 0, err
	}
	if l.Picture == nil {
		return 0, ErrNoScreen
	}
	img, err := l.Picture(ctx)
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return 0, fmt.Errorf("staff: screen: %w", err)
	}
	if err := l.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: actor, Detail: "looked at the screen"}); err != nil {
		return 0, err
	}
	return b.WriteTo(w)
}

// BackupFile writes the copy to path (mode 0600, synced; a copy cut short never takes
// the name). A file there is replaced only if replace (store.WriteFile); where path
// lies is the caller's to check (store.Options.CheckExport).
func BackupFile(ctx context.Context, s Service, path, actor string, replace bool) (int64, error) {
	if err := required("the actor", actor); err != nil {
		return 0, err
	}
	return store.WriteFile(path, replace, func(w io.Writer) (int64, error) { return s.Backup(ctx, w, actor) })
}
