// Package utilitysim is the simulator of the four utilities' back ends (water, electricity, gas,
// broadband) that the kiosk's demo mode and tests talk to. It serves the protocol of
// docs/utility-api.md on loopback, one listener and base URL per utility, with seeded
// synthetic citizens (DemoIdentities), tiered bills, payments, applications that advance
// through their steps, transfers and evaluations; it knows its kiosks and verifies
// each one's signatures with that kiosk's own secret (Options.Kiosks), honours
// idempotency keys, keeps its state in its own bbolt file and takes fault injection per
// utility at run time (latency, error rate, down, connection cut mid-answer).
//
// Start it in-process with Start; cmd/utilitysim wraps it as a program.
package utilitysim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// Utilities are the simulated utilities, in port order.
var Utilities = []string{utility.Electricity, utility.Water, utility.Gas, utility.Broadband}

// FileName is the simulator's state file inside Options.Dir.
const FileName = "utilitysim.db"

// Options configure the simulator. Zero values give a test set-up: any free ports, the
// default configuration's kiosk with the demo secrets, the system clock, payments paid
// only by Pay, applications advanced only by Advance.
type Options struct {
	// Dir holds the state file; required.
	Dir string
	// Host to listen on; default 127.0.0.1 (the simulator is for loopback only).
	Host string
	// Ports per utility ID, and "admin"; missing or 0 picks a free port.
	Ports map[string]int
	// Kiosks are the kiosks the utilities know, by kiosk ID (X-Kiosk-Id, a kiosk's
	// kiosk.id), each with its own secrets, as a utility keeps one secret per kiosk. A
	// request with another kiosk ID, or signed with another kiosk's secret, is refused
	// (401 bad_signature). Empty: the kiosk.id of the default configuration (demo
	// mode's) with the demo secrets.
	Kiosks map[string]Secrets
	Clock  clock.Clock
	// AutoPay pays a pending payment this long after it was created (demo); 0: never.
	AutoPay time.Duration
	// AutoAdvance moves an open application one step this often (demo); 0: never.
	AutoAdvance time.Duration
	// PaymentTTL is how long a pay QR stays valid; default 15 min.
	PaymentTTL time.Duration
	// KeyRetention is how long an idempotency key is remembered; default 24 h.
	KeyRetention time.Duration
	// ReplayWindow is the accepted clock difference of a signed request; default 5 min.
	ReplayWindow time.Duration
	// Calendar counts working-day deadlines; nil is the kiosk's own (assets/calendar.toml,
	// with the public holidays and make-up workdays of the State Council's notices).
	Calendar *workdays.Calendar
	// Limits are the self-service payment limits per account; zero fields take the
	// State Grid figures (¥50 000 per payment, 5 a day, 60 a month).
	Limits Limits
	// OldestFirst: an order must pay an account's unpaid bills oldest first, as a utility
	// that applies every payment to the oldest arrears does; one that leaves an older
	// unpaid bill out is refused (validation) with a message naming it. Off: any of the
	// unpaid bills may be paid.
	OldestFirst bool
	// Reseed starts from the seed: the state file of an earlier run is replaced, so its
	// payments, transfers and applications are gone (demo: every journey can be shown
	// again).
	Reseed bool
	// RefPrefixes are the prefixes of the utilities' application numbers, by utility
	// ID; one left out numbers with its own (DL, SS, RQ, KD). Each utility's numbering
	// is its own: two given one prefix number alike, as two real utilities' schemes may,
	// the first application of a day being the same number at each.
	RefPrefixes map[string]string
	// Seed makes fault injection repeatable; 0 uses a fixed seed.
	Seed   uint64
	Logger *slog.Logger
}

// Secrets are one kiosk's signing secrets, by utility ID; a utility left out (or given
// an empty one) has utility.DemoSecret, demo mode's.
type Secrets map[string][]byte

// Limits bound self-service payments per account.
type Limits struct {
	PerPayment utility.Fen
	PerDay     int
	PerMonth   int
}

// Faults are injected into one utility's answers.
type Faults struct {
	// LatencyMS delays every answer.
	LatencyMS int `json:"latency_ms"`
	// ErrorRate is the fraction of requests answered 503 before any processing.
	ErrorRate float64 `json:"error_rate"`
	// Malformed answers every read (a request without an Idempotency-Key: accounts,
	// bills, a payment's or an application's state) 200 with a body that is not JSON,
	// as a utility's gateway may while it is being changed.
	Malformed bool `json:"malformed,omitempty"`
	// Down refuses connections (the listener is closed, open connections are cut).
	Down bool `json:"down"`
	// CutRate is the fraction of state-changing requests that are processed and
	// committed, after which the connection is cut half-way through the answer.
	CutRate float64 `json:"cut_rate"`
	// Refuse, when set, refuses every application and transfer with this message, as a
	// utility's own validation would (e.g. 该地址暂不具备通气条件).
	Refuse string `json:"refuse,omitempty"`
	// Omit leaves these fields (e.g. on_time, working_days, deadline) out of every
	// application's progress and every acceptance of an application or a transfer, as a
	// utility may: the API requires only their reference, which is never left out.
	Omit []string `json:"omit,omitempty"`
	// Misstate names these fields of a payment order (MisstateFields: account, bills,
	// amount_fen) as another order's in every answer to its status (GET /payments/{ref}),
	// as a utility's bug or a cache that mixed up its answers might: another account,
	// another bill beside its own, a yuan more. The order number is kept, so the client's
	// own check (the order asked) passes; the kiosk must compare the rest itself.
	Misstate []string `json:"misstate,omitempty"`
	// Status, when set, is the status every answer about a payment order once made
	// gives in place of its own (its status, GET /payments/{ref}, and its
	// cancellation), as a utility whose API grew a status the protocol does not have
	// (processing, refunding) might: the kiosk must not take it for an outcome. What the
	// simulator stores is unchanged.
	Status string `json:"status,omitempty"`
	// NoTransferCheck answers POST /transfers/check 404 without the protocol's error
	// body, as a utility that does not offer the check: the kiosk then judges a 过户 by
	// its account and bills alone, and the utility the rest when it is submitted.
	NoTransferCheck bool `json:"no_transfer_check,omitempty"`
}

// MisstateFields are the fields Faults.Misstate can name.
var MisstateFields = []string{"account", "bills", "amount_fen"}

// Server is a running simulator.
type Server struct {
	o     Options
	db    *bolt.DB
	log   *slog.Logger
	days  *workdays.Calendar
	admin *endpoint
	ends  map[string]*endpoint

	mu       sync.Mutex
	faults   map[string]Faults
	rnd      *rand.Rand
	inflight map[string]bool
}

// endpoint is one listener with its HTTP server; it can go down and come back up on the
// same address.
type endpoint struct {
	addr    string
	handler http.Handler
	mu      sync.Mutex
	srv     *http.Server
	wg      sync.WaitGroup
}

func (e *endpoint) up() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		return err
	}
	e.addr = ln.Addr().String()
	srv := &http.Server{Handler: e.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	e.srv = srv
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		_ = srv.Serve(ln)
	}()
	return nil
}

func (e *endpoint) down() {
	e.mu.Lock()
	srv := e.srv
	e.srv = nil
	e.mu.Unlock()
	if srv != nil {
		_ = srv.Close() // closes the listener and every connection
		e.wg.Wait()
	}
}

// Start opens (or creates and seeds) the state file and starts the listeners.
func Start(o Options) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("utilitysim: no state folder")
	}
	if o.Calendar == nil {
		o.Calendar = defaultCalendar
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	if o.PaymentTTL <= 0 {
		o.PaymentTTL = 15 * time.Minute
	}
	if o.KeyRetention <= 0 {
		o.KeyRetention = 24 * time.Hour
	}
	if o.ReplayWindow <= 0 {
		o.ReplayWindow = utility.DefaultReplayWindow
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Limits.PerPayment <= 0 {
		o.Limits.PerPayment = 5000000
	}
	if o.Limits.PerDay <= 0 {
		o.Limits.PerDay = 5
	}
	if o.Limits.PerMonth <= 0 {
		o.Limits.PerMonth = 60
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	kiosks, err := kiosksOf(o.Kiosks)
	if err != nil {
		return nil, err
	}
	o.Kiosks = kiosks
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("utilitysim: %w", err)
	}
	if o.Reseed {
		if err := os.Remove(filepath.Join(o.Dir, FileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("utilitysim: reseed: %w", err)
		}
	}
	db, err := bolt.Open(filepath.Join(o.Dir, FileName), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("utilitysim: open state: %w", err)
	}
	s := &Server{o: o, db: db, log: o.Logger, days: o.Calendar, ends: map[string]*endpoint{},
		faults: map[string]Faults{}, rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), inflight: map[string]bool{}}
	if err := s.seed(); err != nil {
		db.Close()
		return nil, fmt.Errorf("utilitysim: state %s: %w", filepath.Join(o.Dir, FileName), err)
	}
	for _, id := range Utilities {
		s.ends[id] = &endpoint{addr: net.JoinHostPort(o.Host, strconv.Itoa(o.Ports[id])), handler: s.utilityHandler(id)}
	}
	s.admin = &endpoint{addr: net.JoinHostPort(o.Host, strconv.Itoa(o.Ports["admin"])), handler: s.adminHandler()}
	for _, e := range append(s.endpoints(), s.admin) {
		if err := e.up(); err != nil {
			s.Close()
			return nil, fmt.Errorf("utilitysim: listen: %w", err)
		}
	}
	return s, nil
}

// kiosksOf checks the kiosks of Options and copies them, so that the caller's maps do
// not change under the running simulator; none gives the default configuration's kiosk.
func kiosksOf(in map[string]Secrets) (map[string]Secrets, error) {
	if len(in) == 0 {
		return map[string]Secrets{config.Defaults().Kiosk.ID: {}}, nil
	}
	out := make(map[string]Secrets, len(in))
	for kiosk, secrets := range in {
		if kiosk == "" {
			return nil, errors.New("utilitysim: a kiosk without an ID in Options.Kiosks")
		}
		own := Secrets{}
		for id, secret := range secrets {
			if !slices.Contains(Utilities, id) {
				return nil, fmt.Errorf("utilitysim: kiosk %s: a secret for %q, which is not a utility", kiosk, id)
			}
			own[id] = slices.Clone(secret)
		}
		out[kiosk] = own
	}
	return out, nil
}

func (s *Server) endpoints() []*endpoint {
	out := make([]*endpoint, 0, len(Utilities))
	for _, id := range Utilities {
		out = append(out, s.ends[id])
	}
	return out
}

// BaseURL is a utility's API root, e.g. http://127.0.0.1:41234/v1 (empty for an unknown ID).
func (s *Server) BaseURL(id string) string {
	e, ok := s.ends[id]
	if !ok {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return "http://" + e.addr + "/v1"
}

// BaseURLs maps every utility ID to its base URL: what utility.FromConfig takes in demo mode.
func (s *Server) BaseURLs() map[string]string {
	out := map[string]string{}
	for _, id := range Utilities {
		out[id] = s.BaseURL(id)
	}
	return out
}

// AdminURL is the admin API's root, e.g. http://127.0.0.1:41238/admin.
func (s *Server) AdminURL() string {
	s.admin.mu.Lock()
	defer s.admin.mu.Unlock()
	return "http://" + s.admin.addr + "/admin"
}

// Faults returns a utility's injected faults.
func (s *Server) Faults(id string) Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults[id]
}

// SetFaults changes a utility's injected faults at once; Down closes or reopens its
// listener on the same address.
func (s *Server) SetFaults(id string, f Faults) error {
	e, ok := s.ends[id]
	if !ok {
		return fmt.Errorf("utilitysim: unknown utility %q", id)
	}
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.CutRate < 0 || f.CutRate > 1 || f.LatencyMS < 0 || f.LatencyMS > 600000 {
		return fmt.Errorf("utilitysim: faults out of range: %+v", f)
	}
	for _, field := range f.Misstate {
		if !slices.Contains(MisstateFields, field) {
			return fmt.Errorf("utilitysim: misstate %q: a payment order's %v only", field, MisstateFields)
		}
	}
	s.mu.Lock()
	s.faults[id] = f
	s.mu.Unlock()
	if f.Down {
		e.down()
		return nil
	}
	return e.up()
}

// chance draws under the lock: math/rand's generators are not safe for concurrent use.
func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < p
}

// Close stops every listener and closes the state file.
func (s *Server) Close() error {
	for _, e := range s.ends {
		e.down()
	}
	if s.admin != nil {
		s.admin.down()
	}
	return s.db.Close()
}

// Shutdown is Close for callers with a context (it does not wait on ctx: closing is quick).
func (s *Server) Shutdown(context.Context) error { return s.Close() }

// Demo returns the options of the kiosk's demo mode for the kiosk kioskID (its
// kiosk.id), signing with the demo secrets: state in dir, seeded anew at every start
// (李四's bills are unpaid again, his water account his again), payments paid 5 s after
// the pay QR is shown, applications advancing one step a minute, free ports.
func Demo(dir, kioskID string) Options {
	return Options{Dir: dir, Kiosks: map[string]Secrets{kioskID: {}}, Reseed: true, AutoPay: 5 * time.Second, AutoAdvance: time.Minute}
}
