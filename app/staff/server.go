package staff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
)

// maxPath is the longest Unix socket path Linux takes (sun_path, less its final NUL).
const maxPath = 107

// Listen opens the staff socket at path, readable and writable by the kiosk's user only
// (mode 0600, like the database beside it). A socket file left by a kiosk that did not
// stop cleanly is replaced; the database's lock already keeps a second kiosk off the
// same data folder.
func Listen(path string) (net.Listener, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("staff: %s exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("staff: remove the stale socket: %w", err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("staff: %w", err)
	}
	return l, nil
}

// CheckPath refuses a socket path longer than a Unix socket's address takes: the kiosk
// would serve staff nowhere.
func CheckPath(path string) error {
	if len(path) > maxPath {
		return fmt.Errorf("staff: socket path %s is %d bytes, longer than the %d a Unix socket allows: use a shorter folder", path, len(path), maxPath)
	}
	return nil
}

// limits bound how long one client of the socket can hold a connection, and the
// goroutine serving it, without moving: a request's headers and body must come within
// read, a connection kept open between requests goes after idle, and an answer the
// client stops reading is cut after stall without progress. A database copy read by a
// client that stalls would otherwise keep its read transaction open, and the database
// could then no longer grow: the kiosk's own writes would wait behind it.
type limits struct {
	header, read, idle, stall time.Duration
}

var socketLimits = limits{header: 5 * time.Second, read: 30 * time.Second, idle: time.Minute, stall: 30 * time.Second}

// maxHeader bounds a request's headers: kioskctl's are a few hundred bytes.
const maxHeader = 16 << 10

// Server returns the HTTP server of the staff socket for s. Requests and errors are
// logged without personal data (there is none in them).
func Server(s Service, log *slog.Logger) *http.Server { return server(s, log, socketLimits) }

func server(s Service, log *slog.Logger, lim limits) *http.Server {
	mux := http.NewServeMux()
	h := &handler{s: s, log: log, stall: lim.stall}
	mux.HandleFunc("GET /v1/status", h.status)
	mux.HandleFunc("GET /v1/kiosk", read(h, h.s.Kiosk))
	mux.HandleFunc("GET /v1/requests", h.requests)
	mux.HandleFunc("POST /v1/requests/{ref}/retry", h.retry)
	mux.HandleFunc("POST /v1/requests/{ref}/close", h.close)
	mux.HandleFunc("GET /v1/journal", h.journal)
	mux.HandleFunc("POST /v1/backup", h.backup)
	mux.HandleFunc("GET /v1/reprints", read(h, h.s.Reprints))
	mux.HandleFunc("POST /v1/reprints/{ref}", h.reprint)
	mux.HandleFunc("POST /v1/screen", h.screen)
	mux.HandleFunc("POST /v1/restart", h.restart)
	mux.HandleFunc("POST /v1/pin/unlock", h.unlockPIN)
	mux.HandleFunc("POST /v1/reveals", h.reveal)
	mux.HandleFunc("GET /v1/bundles", read(h, h.s.Bundles))
	mux.HandleFunc("GET /v1/utilities", read(h, h.s.Utilities))
	mux.HandleFunc("POST /v1/bundles", h.applyBundle)
	mux.HandleFunc("POST /v1/bundles/{utility}/rollback", h.rollbackBundle)
	mux.HandleFunc("POST /v1/bundles/{utility}/drop", h.dropBundle)
	return &http.Server{Handler: mux, ConnContext: connContext, ReadHeaderTimeout: lim.header, ReadTimeout: lim.read, IdleTimeout: lim.idle,
		MaxHeaderBytes: maxHeader, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

type handler struct {
	s   Service
	log *slog.Logger
	// stall is how long a write of an answer may wait for the client to read.
	stall time.Duration
}

// progressWriter writes to an answer, each write within stall: a client that reads
// slowly keeps the copy going, one that stopped reading gets it cut.
type progressWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (p progressWriter) Write(b []byte) (int, error) {
	if err := p.rc.SetWriteDeadline(time.Now().Add(p.stall)); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// action is the body of a staff action.
type action struct {
	Actor  string `json:"actor"`
	Reason string `json:"reason,omitempty"`
	// Force restarts the kiosk while maintenance mode is open on its screen.
	Force bool `json:"force,omitempty"`
	// What and IDNumber are a card shown in full (Reveal): the command and the card's
	// type, and its number, which the kiosk keeps only as a keyed hash and never logs.
	What     string `json:"what,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
}

// problem is an error's body.
type problem struct {
	Error string `json:"error"`
	Input bool   `json:"input,omitempty"` // the caller must correct the request (ErrInput)
	// CitizenPresent: ErrCitizenPresent; a 409 on its own may mean another conflict.
	CitizenPresent bool `json:"citizen_present,omitempty"`
	// MaintenanceOpen: ErrMaintenanceOpen.
	MaintenanceOpen bool `json:"maintenance_open,omitempty"`
	// TooLate: outbox.ErrTooLate, a request that moved on before it could be closed.
	TooLate bool `json:"too_late,omitempty"`
	// UnknownActor: ErrUnknownActor, an actor who is none of the hall's staff.
	UnknownActor bool `json:"unknown_actor,omitempty"`
	// NotRetried: outbox.ErrNotRetried, a dead letter that is closed, never sent again.
	NotRetried bool `json:"not_retried,omitempty"`
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrInput):
		code = http.StatusBadRequest
	case errors.Is(err, outbox.ErrNotFound), errors.Is(err, reprint.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, ErrCitizenPresent), errors.Is(err, ErrMaintenanceOpen), errors.Is(err, outbox.ErrTooLate),
		errors.Is(err, outbox.ErrNotRetried):
		code = http.StatusConflict
	case errors.Is(err, ErrStopped):
		code = http.StatusServiceUnavailable
	}
	h.log.Warn("staff request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
	writeJSON(w, code, problem{Error: err.Error(), Input: errors.Is(err, ErrInput),
		CitizenPresent: errors.Is(err, ErrCitizenPresent), MaintenanceOpen: errors.Is(err, ErrMaintenanceOpen),
		TooLate: errors.Is(err, outbox.ErrTooLate), UnknownActor: errors.Is(err, ErrUnknownActor),
		NotRetried: errors.Is(err, outbox.ErrNotRetried)})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) //nolint:errcheck // the client is gone; nothing to tell it
}

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.Status(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a number", ErrInput, name)
	}
	return n, nil
}

func (h *handler) requests(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.s.Requests(r.Context(), outbox.State(r.URL.Query().Get("state")), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// readAction reads a staff action's body. Its actor is the one the client gave, checked
// against the hall's staff (Identity.Actor), followed by the account that connected, as
// the kernel told it (journal.Acting): a name typed cannot hide who acted.
func (h *handler) readAction(r *http.Request) (action, error) {
	var a action
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4096)).Decode(&a); err != nil {
		return a, fmt.Errorf("%w: the body must be {\"actor\": …, \"reason\": …}", ErrInput)
	}
	var err error
	a.Actor, err = h.actor(r, a.Actor)
	return a, err
}

// actor is who the journal names for the actor typed: where the hall's staff have their
// own 工号, the member it names (any other is refused, whichever client sent it), and
// then the account that connected.
func (h *handler) actor(r *http.Request, typed string) (string, error) {
	id, err := h.s.Kiosk(r.Context())
	if err != nil {
		return "", err
	}
	who, err := id.Actor(typed)
	if err != nil {
		return "", err
	}
	return journal.Acting(who, callerOf(r.Context())), nil
}

func (h *handler) retry(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "staff retried a request", func(ref string, a action) error { return h.s.Retry(r.Context(), ref, a.Actor) })
}

func (h *handler) close(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, "staff closed a request", func(ref string, a action) error { return h.s.Close(r.Context(), ref, a.Actor, a.Reason) })
}

// act runs a staff action on the request of the path and logs it as done.
func (h *handler) act(w http.ResponseWriter, r *http.Request, done string, f func(ref string, a action) error) {
	ref := r.PathValue("ref")
	a, err := h.readAction(r)
	if err == nil {
		err = f(ref, a)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info(done, "ref", ref, "actor", a.Actor)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) journal(w http.ResponseWriter, r *http.Request) {
	q := Query{Ref: r.URL.Query().Get("ref")}
	var err error
	if q.Limit, err = intParam(r, "limit"); err != nil {
		h.fail(w, r, err)
		return
	}
	if v := r.URL.Query().Get("since"); v != "" {
		if q.Since, err = time.ParseDuration(v); err != nil {
			h.fail(w, r, fmt.Errorf("%w: since must be a duration such as 24h", ErrInput))
			return
		}
	}
	evs, err := h.s.Events(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, evs)
}

// backup streams the copy. Once its first bytes are sent a failure can no longer be
// an error status: the connection is cut instead, and the client sees a short copy
// (the Content-Length header is not known in advance).
func (h *handler) backup(w http.ResponseWriter, r *http.Request) {
	a, err := h.readAction(r)
	if err == nil {
		err = required("the actor", a.Actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	n, err := h.s.Backup(r.Context(), progressWriter{w: w, rc: http.NewResponseController(w), stall: h.stall}, a.Actor)
	if err != nil {
		h.log.Error("staff backup failed", "bytes", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	h.log.Info("staff copied the database", "bytes", n, "actor", a.Actor)
}

// read answers what get reads, as JSON (or why it could not).
func read[T any](h *handler, get func(context.Context) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := get(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// reprint answers how the print went: a printer that fails again is not an error of
// the request (the receipt stays kept, Detail says why).
func (h *handler) reprint(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	a, err := h.readAction(r)
	var p Printed
	if err == nil {
		p, err = h.s.Reprint(r.Context(), ref, a.Actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info("staff reprinted a receipt", "ref", ref, "actor", a.Actor, "ok", p.OK)
	writeJSON(w, http.StatusOK, p)
}

// screen answers the picture of the screen, a PNG.
func (h *handler) screen(w http.ResponseWriter, r *http.Request) {
	a, err := h.readAction(r)
	var b bytes.Buffer
	if err == nil {
		_, err = h.s.Screen(r.Context(), &b, a.Actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info("staff looked at the screen", "actor", a.Actor)
	w.Header().Set("Content-Type", "image/png")
	b.WriteTo(w) //nolint:errcheck // the client is gone; nothing to tell it
}

func (h *handler) restart(w http.ResponseWriter, r *http.Request) {
	h.actBy(w, r, "staff restarted the kiosk", func(a action) error { return h.s.Restart(r.Context(), a.Actor, a.Force) })
}

func (h *handler) unlockPIN(w http.ResponseWriter, r *http.Request) {
	h.actBy(w, r, "staff unlocked the maintenance PIN", func(a action) error { return h.s.UnlockPIN(r.Context(), a.Actor) })
}

func (h *handler) reveal(w http.ResponseWriter, r *http.Request) {
	h.actBy(w, r, "staff saw an ID card in full", func(a action) error { return h.s.Reveal(r.Context(), a.Actor, a.What, a.IDNumber) })
}

// actBy runs a staff action on the kiosk as a whole, and logs it as done.
func (h *handler) actBy(w http.ResponseWriter, r *http.Request, done string, f func(a action) error) {
	a, err := h.readAction(r)
	if err == nil {
		err = f(a)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info(done, "actor", a.Actor)
	w.WriteHeader(http.StatusNoContent)
}

// applyBundle takes the bundle as the body and the actor from the query (?actor=).
func (h *handler) applyBundle(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bundle.MaxSize+1))
	if err != nil {
		h.fail(w, r, fmt.Errorf("%w: the bundle: %v", ErrInput, err))
		return
	}
	actor, err := h.actor(r, r.URL.Query().Get("actor"))
	var b Bundle
	if err == nil {
		b, err = h.s.ApplyBundle(r.Context(), data, actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (h *handler) rollbackBundle(w http.ResponseWriter, r *http.Request) {
	a, err := h.readAction(r)
	if err == nil {
		err = h.s.RollbackBundle(r.Context(), r.PathValue("utility"), a.Actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) dropBundle(w http.ResponseWriter, r *http.Request) {
	a, err := h.readAction(r)
	var b Bundle
	if err == nil {
		b, err = h.s.DropBundle(r.Context(), r.PathValue("utility"), a.Actor)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info("staff dropped a bundle held for later", "utility", b.Utility, "version", b.Dropped, "actor", a.Actor)
	writeJSON(w, http.StatusOK, b)
}
