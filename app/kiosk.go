// Package app is the kiosk's core, with no widget code: it wires configuration,
// strings, the citizen session, devices, storage, the outbox and the utilities' clients,
// and offers the operations the screens call.
package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/bitext"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/scanner"
)

// Options are the Kiosk's collaborators; zero values get production defaults.
type Options struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// Demo is the demo rig (simulated devices the screens can drive); nil on a real kiosk.
	Demo DemoRig
	// UtilityURLs override the configured base URLs (demo mode: the simulator's).
	UtilityURLs map[string]string
	// Restart, if set, starts the kiosk's process again (cmd/kiosk: close the window,
	// the kiosk, then exec the program anew); staff ask for it (Kiosk.Restart).
	Restart func()
}

// DemoRig is what demo mode offers the screens: placing a demo card ("模拟刷卡") and
// scanning a code without hardware ("模拟扫码"). app/demo implements it.
type DemoRig interface {
	// Cards lists the demo cards' labels (masked names only), in English or Chinese.
	Cards(english bool) []string
	// PlaceCard puts the i-th demo card on the emulated reader.
	PlaceCard(i int) error
	// RemoveCard lifts the card off the reader.
	RemoveCard()
	// Scan has the emulated scanner read code, as if a QR code were held to it.
	Scan(code string) error
	// ScanChoices lists the papers of a kind (a bill, a receipt) a visitor can hold to
	// the emulated scanner, with their QR codes: k's utilities, in k's language.
	ScanChoices(k *Kiosk, paper Paper) ([]ScanChoice, error)
	// LastReceipt is a picture of the last receipt the emulated printer cut.
	LastReceipt() (image.Image, error)
}

// Kiosk is the running kiosk. Screens hold one and call its methods; it calls back
// through listeners, from any goroutine (screens hop onto the UI thread themselves).
type Kiosk struct {
	Config   *config.Config
	Text     *i18n.Catalog
	Log      *slog.Logger
	Clock    clock.Clock
	Sessions *session.Manager
	// Demo is set in demo mode.
	Demo DemoRig

	Store   *store.Store
	Journal *journal.Journal
	Outbox  *outbox.Outbox
	// Reprints are the citizens' receipts that did not print, for staff to print again.
	Reprints *reprint.Store
	// Orders are the payment orders whose end the kiosk does not know yet.
	Orders *orders.Store
	// Calendar is the working-day calendar of deadlines.
	Calendar *workdays.Calendar
	// Utilities are the enabled utilities' clients in display order.
	Utilities []utility.Client
	clients   map[string]utility.Client
	printer   *receiptPrinter
	payments  payments
	staff     *http.Server // the staff socket's, once open

	// numberFormats are the enabled utilities' declared application-number formats
	// (utilities.*.application_number), by utility ID; one that declares none has none.
	numberFormats map[string]*regexp.Regexp
	// gate checks the maintenance PIN; maint is maintenance mode while it is open.
	gate  *staffpin.Gate
	maint *Maintenance
	// relaunch is Options.Restart.
	relaunch func()
	// content is the utilities' information and catalogue as shown (Info, Catalog);
	// bundles their applied bundles, bundleKeys their public keys; bundleMu orders the
	// bundles applied and rolled back.
	content atomic.Pointer[content]
	// utilityURLs is Options.UtilityURLs (utility.ConfiguredURL).
	utilityURLs map[string]string
	bundles     *bundle.State
	bundleKeys  func() (map[string]ed25519.PublicKey, error)
	bundleMu    sync.Mutex
	// leftOut says why loadContent left out a utility's applied bundle that no longer
	// loads with the kiosk's content (written before the kiosk runs, then only read).
	leftOut map[string]string
	// fleet is the link to the city's broker, if configured (startFleet).
	fleet *fleetLink
	// heldTimer wakes the kiosk when a bundle held for later is due (armHeld).
	heldMu    sync.Mutex
	heldTimer clock.Timer
	// bundleSrv takes bundles over HTTP on bundleAddr (bundles.listen), once listening.
	bundleSrv  *http.Server
	bundleAddr string
	bundleRate limiter

	mu                sync.Mutex
	elderly           bool
	listeners         []func(session.Event)
	identifyListeners []func(IdentifyEvent)
	deviceListeners   []func(DeviceEvent)
	lookupListeners   []func()
	scanListeners     []func(Scan)
	applyListeners    []func()
	contentListeners  []func()
	deviceState       map[string]DeviceEvent
	card              cardState
	// held is a card read while the visit heldFor had a payment open (cardpay.go);
	// forPayer, once paid, is that it waits for the payer, no longer for a payment:
	// until heldUntil, when set, when it opens its holder's visit after the payer has
	// read the outcome (resultTimer does it), or, when not (KeepVisitForPayer), until
	// the payer's visit ends.
	held        *idcard.Card
	heldFor     string
	forPayer    bool
	heldUntil   time.Time
	resultTimer clock.Timer
	screen      func(context.Context) (image.Image, error) // SetScreen

	cancel context.CancelFunc
	// life ends when Close begins: work the kiosk does on its own (a departed citizen's
	// order cancelled, accounts looked up) stops with it rather than outlive the store.
	life    context.Context
	endLife context.CancelFunc
	// wg counts the kiosk's goroutines, Close waits for them; spawnMu orders each Add
	// before the Wait (spawn).
	wg        sync.WaitGroup
	spawnMu   sync.Mutex
	closeOnce sync.Once
	// data is the data file's state: out of service while it takes no writes.
	data dataHealth
	// closing is set when Close begins: a card read while the device loops stop opens
	// no session, and spawn starts nothing.
	closing  atomic.Bool
	closeErr error
}

// New builds a Kiosk from a validated configuration: it opens the data store (creating
// the data folder and its key on first start), the journal, the utilities' clients and
// the outbox. Start starts the devices and the outbox; Close stops everything.
func New(cfg *config.Config, o Options) (*Kiosk, error) {
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	text, err := i18n.New(i18n.Lang(cfg.Kiosk.Language))
	if err != nil {
		return nil, err
	}
	cal, err := workdays.Default()
	if err != nil {
		return nil, err
	}
	k := &Kiosk{Config: cfg, Text: text, Log: o.Logger, Clock: o.Clock, elderly: cfg.Kiosk.ElderlyDefault,
		deviceState: map[string]DeviceEvent{}, Demo: o.Demo, Calendar: cal,
		payments: newPayments(), relaunch: o.Restart}
	k.life, k.endLife = context.WithCancel(context.Background())
	if k.Store, err = store.Open(store.Options{Dir: cfg.Data.Dir, KeyFile: cfg.Data.KeyFile}); err != nil {
		return nil, err
	}
	k.Journal = journal.New(k.Store, o.Clock)
	k.Store.OnNotWritten(k.notWritten)
	k.utilityURLs = o.UtilityURLs
	if err := k.loadContent(); err != nil {
		k.Store.Close()
		return nil, err
	}
	k.Reprints = reprint.New(k.Store)
	k.Orders = orders.New(k.Store)
	clients, err := utility.FromConfig(cfg, o.UtilityURLs)
	if err != nil {
		k.Store.Close()
		return nil, err
	}
	k.clients = map[string]utility.Client{}
	fwd := map[string]utility.Forwarder{}
	for id, c := range clients {
		k.clients[id], fwd[id] = c, c
	}
	k.Utilities = utility.Ordered(clients, config.UtilityIDs)
	if k.numberFormats, err = numberFormats(cfg); err != nil {
		k.Store.Close()
		return nil, err
	}
	k.useEndpoints(k.content.Load())
	if k.Outbox, err = outbox.New(k.Store, k.Journal, fwd, outbox.Options{Clock: o.Clock, Logger: o.Logger, KioskCode: cfg.Kiosk.Code()}); err != nil {
		k.Store.Close()
		return nil, err
	}
	// The outbox's listeners must not block; binding an answer waits for the form, which
	// a submission holds while it prints.
	k.Outbox.OnUpdate(func(u outbox.Update) {
		k.spawn(func() {
			if u.Kind == utility.KindPayment {
				k.orderAnswered(u)
				return
			}
			if u.Kind == utility.KindCancelPayment {
				k.cancellationAnswered(u)
				return
			}
			k.onOutboxUpdate(u)
		})
	})
	if err := k.openPrinter(); err != nil {
		k.Store.Close()
		return nil, err
	}
	if k.gate, err = k.newGate(); err != nil {
		k.Store.Close()
		return nil, err
	}
	k.Sessions = session.NewManager(session.Options{
		Clock:     o.Clock,
		IdleAfter: cfg.Kiosk.IdleTimeout.Duration,
		Countdown: cfg.Kiosk.IdleCountdown.Duration,
		OnEvent:   k.onSession,
	})
	return k, nil
}

// Client returns the client of an enabled utility.
// ErrNotServed means a utility is not enabled at this kiosk: a bill of it scanned here
// cannot be looked up, now or later.
var ErrNotServed = errors.New("app: the utility is not enabled at this kiosk")

func (k *Kiosk) Client(id string) (utility.Client, error) {
	c, ok := k.clients[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotServed, id)
	}
	return c, nil
}

// UtilityName is a utility's name in the current language.
func (k *Kiosk) UtilityName(id string) string { return k.utilityNameIn(k.Text.Lang(), id) }

func (k *Kiosk) utilityNameIn(l i18n.Lang, id string) string {
	u, ok := k.Config.Utilities.ByID(id)
	if !ok {
		return id
	}
	if l == i18n.EN && u.NameEN != "" {
		return u.NameEN
	}
	return u.Name
}

// Start ends in the journal the visits a crash left open, then starts the outbox and the
// device loops configured. Stop them with Close.
func (k *Kiosk) Start(ctx context.Context) {
	// A visit open when the kiosk last stopped without closing (a crash, a power cut) is
	// ended in the journal, as the kiosk ends every visit: its data went with the process.
	if n, err := k.Journal.CloseInterrupted(); err != nil {
		k.Log.Error("journal: sessions left open", "err", err)
	} else if n > 0 {
		k.Log.Warn("sessions left open by the last run journaled as interrupted", "sessions", n)
	}
	k.receiptsInterrupted()
	ctx, k.cancel = context.WithCancel(ctx)
	k.lateOrdersOfLastRun()
	k.ordersOfLastRun()
	k.Outbox.Start(ctx)
	k.startFleet(ctx)
	k.serveStaff()
	k.serveBundles()
	k.spawn(k.applyDue)
	k.spawn(func() { k.prunePeriodically(ctx) })
	k.spawn(func() { k.settleOrdersPeriodically(ctx) })
	k.spawn(func() { k.watchData(ctx) })
	if d := k.Config.Devices.IDCard; d.Enabled {
		r := idcard.NewReader(idcard.Options{Port: d.Port, Baud: d.Baud, PollInterval: d.PollInterval.Duration,
			Timeouts: idcard.Timeouts{Command: d.CommandTimeout.Duration}, SkipAppendedAddress: d.SkipAppendedAddress,
			Logger: k.Log})
		k.spawn(func() { _ = r.Run(ctx) })
		k.spawn(func() { k.runReader(r) })
	}
	if k.printer != nil {
		k.spawn(func() { k.watchPrinter(ctx) })
	}
	if d := k.Config.Devices.Scanner; d.Enabled {
		s := scanner.NewScanner(scanner.Options{Port: d.Port, Baud: d.Baud, Logger: k.Log})
		k.spawn(func() { _ = s.Run(ctx) })
		k.spawn(func() { k.runScanner(s) })
	}
}

// Close stops the staff socket, the device loops and the outbox and closes the store.
// Calling it again does nothing.
func (k *Kiosk) Close() error {
	k.closeOnce.Do(func() {
		k.spawnMu.Lock()
		k.closing.Store(true)
		k.spawnMu.Unlock()
		k.endLife()
		// No session event may reach a screen that is going away (an idle timer firing
		// after the window closed took the whole process down with it).
		if id := k.Sessions.Close(); id != "" {
			k.record(journal.Event{Kind: journal.SessionEnd, Session: id, Detail: string(session.ReasonShutdown)})
		}
		k.closeMaintenance(MaintenanceShutdown)
		k.stopStaff()
		k.stopBundles()
		k.stopFleet()
		k.disarmHeld()
		// A card waiting while a payer reads their outcome opens nothing now: its timer
		// goes (Sessions.Close tells no visit's end, which would drop it).
		k.mu.Lock()
		k.dropHeldLocked()
		k.mu.Unlock()
		k.stopWatches()
		if k.cancel != nil {
			k.cancel()
		}
		k.wg.Wait()
		var perr error
		if k.printer != nil {
			perr = k.printer.close()
		}
		k.closeErr = errors.Join(k.Outbox.Close(), k.Store.Close(), perr)
	})
	return k.closeErr
}

// spawn runs f on a goroutine of the kiosk's, one Close waits for. Once Close has
// begun it starts nothing and reports false: what f would have done is left to the
// next start (orders are settled then, requests are in the outbox).
func (k *Kiosk) spawn(f func()) bool {
	if !k.enter() {
		return false
	}
	go func() { defer k.wg.Done(); f() }()
	return true
}

// enter counts a goroutine among the kiosk's, for Close to wait for (call wg.Done when
// it is done), unless Close has begun: then it reports false.
func (k *Kiosk) enter() bool {
	k.spawnMu.Lock()
	defer k.spawnMu.Unlock()
	if k.closing.Load() {
		return false
	}
	k.wg.Add(1)
	return true
}

// within runs f on the caller's goroutine (a timer's) as one of the kiosk's, which
// Close waits for; once Close has begun it runs nothing.
func (k *Kiosk) within(f func()) {
	if k.enter() {
		defer k.wg.Done()
		f()
	}
}

// OnSession registers a listener for session events (start, countdown, resume, end).
func (k *Kiosk) OnSession(f func(session.Event)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.listeners = append(k.listeners, f)
}

func (k *Kiosk) onSession(e session.Event) {
	// A visit that ends for want of a touch while its payer reads the outcome another
	// card waited for, or went on in it: that card opens its holder's visit
	// (cardpay.go), as at 退出办理.
	var next *idcard.Card
	if e.Kind == session.Ended && e.Reason == session.ReasonIdle {
		next = k.endResultWait(e.SessionID, time.Time{})
	}
	k.cardOnSession(e, next != nil)
	switch e.Kind {
	case session.Started:
		k.Log.Info("session started", "session", e.SessionID)
		k.closeMaintenance(MaintenanceCitizen)
	case session.Ended:
		if e.Reason == session.ReasonIdle {
			k.closeMaintenance(MaintenanceIdle)
		}
		k.Log.Info("session ended", "session", e.SessionID, "reason", string(e.Reason))
		if e.SessionID != "" {
			k.record(journal.Event{Kind: journal.SessionEnd, Session: e.SessionID, Detail: string(e.Reason)})
		}
		k.forgetHeld(e.SessionID)
		k.abandonPayments(e.SessionID)
		k.dropIdleConnections()
		// The next citizen starts from the hall's defaults, not the last one's choices.
		// A card placed during a visit without one (a bill scanned, an account typed) is
		// put there by whoever stands at the screen: that visit's data goes, the language
		// and 大字模式 they chose stay. A card over another's visit is the next citizen.
		if e.Reason != session.ReasonReplaced || e.Identified {
			k.mu.Lock()
			k.elderly = k.Config.Kiosk.ElderlyDefault
			k.mu.Unlock()
			_ = k.Text.SetLang(i18n.Lang(k.Config.Kiosk.Language))
		}
	}
	k.mu.Lock()
	ls := append([]func(session.Event){}, k.listeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f(e)
	}
	if next != nil {
		k.Log.Info("the payer's visit ended for want of a touch: the waiting card is read as placed now", "session", e.SessionID)
		k.acceptCard(next, bitext.Text{})
	}
}

// dropIdleConnections closes the utilities' kept-alive connections when a visit ends.
// A connection keeps the buffers of its last request and answer, in clear on the kiosk's
// side of TLS: the citizen's name, ID number, phone and address stayed in the kiosk's
// memory, reachable, until the next call on that connection wrote over them. Closed,
// they go with it; the next visit's first calls open new ones. A call still on its way
// (a cancellation of the visit's order) keeps its connection until it ends, and then
// until the next visit ends or the transport's idle timeout (90 s).
func (k *Kiosk) dropIdleConnections() {
	for _, c := range k.Utilities {
		if ic, ok := c.(interface{ CloseIdleConnections() }); ok {
			ic.CloseIdleConnections()
		}
	}
}

// record writes a journal entry; a journal that cannot be written is logged, since the
// citizen's business must not stop for it.
func (k *Kiosk) record(e journal.Event) {
	k.recordWith(e)
}

// recordWith writes a journal entry in one transaction with the writes that make it
// true (nil ones are skipped): a receipt forgotten once it printed, a payment order once
// its end is known. A kill or a power cut leaves all of them on disk, or none. As
// record, a failure is logged: the citizen's business goes on.
func (k *Kiosk) recordWith(e journal.Event, with ...func(*bolt.Tx) error) {
	if err := k.Store.Update(func(tx *bolt.Tx) error { return inTx(tx, with, k.entry(e)) }); err != nil {
		k.Log.Error("journal", "kind", string(e.Kind), "ref", e.Ref, "err", err)
	}
}

// entry is the write of journal entry e, for a transaction with others (recordWith).
func (k *Kiosk) entry(e journal.Event) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error { return k.Journal.Append(tx, e) }
}

// inTx runs writes, then more, in tx, in order, skipping nil ones; the first error stops
// them.
func inTx(tx *bolt.Tx, writes []func(*bolt.Tx) error, more ...func(*bolt.Tx) error) error {
	for _, w := range slices.Concat(writes, more) {
		if w == nil {
			continue
		}
		if err := w(tx); err != nil {
			return err
		}
	}
	return nil
}

// Touch records citizen input (any tap or key): it restarts the idle timer.
func (k *Kiosk) Touch() { k.Sessions.Touch() }

// SetAway tells the kiosk whether the citizen has left the home screen.
func (k *Kiosk) SetAway(away bool) { k.Sessions.SetAway(away) }

// Exit ends the visit at once (退出办理): all personal data is dropped.
func (k *Kiosk) Exit() {
	// The payer done with the outcome of the payment another citizen's card waited for,
	// or with the visit they went on in: that card opens its holder's visit (ended
	// otherwise, it would be a card left on the reader, and its holder asked to take it).
	if s := k.Sessions.Current(); s != nil && k.serveHeld(s.ID, time.Time{}) {
		return
	}
	k.Sessions.End(session.ReasonExit)
}

// Elderly reports whether 大字模式 is on.
func (k *Kiosk) Elderly() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.elderly
}

// SetElderly switches 大字模式.
func (k *Kiosk) SetElderly(on bool) {
	k.mu.Lock()
	k.elderly = on
	k.mu.Unlock()
	k.Log.Info("elderly mode", "on", on)
	k.chosen()
}

// ToggleLanguage switches between Chinese and English.
func (k *Kiosk) ToggleLanguage() i18n.Lang {
	next := i18n.EN
	if k.Text.Lang() == i18n.EN {
		next = i18n.ZH
	}
	_ = k.Text.SetLang(next)
	k.Log.Info("language", "lang", string(next))
	k.chosen()
	return next
}

// chosen tells the idle timer whether the screen now differs from the hall's default,
// and counts as input.
func (k *Kiosk) chosen() {
	k.Sessions.SetChosen(k.Elderly() != k.Config.Kiosk.ElderlyDefault || k.Text.Lang() != i18n.Lang(k.Config.Kiosk.Language))
}
