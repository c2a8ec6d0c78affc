package app

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
)

// ByNetwork and ByFleet begin what a bundle's record says delivered it, when no one
// of the staff did: the address it was posted from (network 10.0.3.21), or the
// broker's topic it came on (fleet electricity).
const (
	ByNetwork = "network "
	ByFleet   = "fleet "
)

// serveBundles takes utilities' content bundles over HTTP on the hall network
// (bundles.listen): POST /v1/bundles with the bundle as the body, GET /v1/bundles for
// the versions shown. Nothing else is served there and nothing needs a password: a
// bundle is applied only with its utility's signature. A kiosk that cannot listen still
// serves citizens; the log says why.
func (k *Kiosk) serveBundles() {
	addr := k.Config.Bundles.Listen
	if addr == "" {
		return
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		k.Log.Error("bundles: not listening: utilities' bundles reach this kiosk through kioskctl only", "addr", addr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/bundles", k.receiveBundle)
	mux.HandleFunc("GET /v1/bundles", k.listBundles)
	k.bundleSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 30 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(k.Log.Handler(), slog.LevelWarn)}
	k.bundleAddr = l.Addr().String()
	k.Log.Info("bundles: listening", "addr", k.bundleAddr)
	k.spawn(func() {
		if err := k.bundleSrv.Serve(&capped{Listener: l, max: BundleConns, perSender: BundleConnsPerSender}); err != http.ErrServerClosed {
			k.Log.Error("bundles", "err", err)
		}
	})
}

// BundleConns is how many connections the bundle endpoint holds at once. Anyone on the
// hall network can connect, and each connection costs the kiosk memory and a file
// descriptor, both shared with the citizens' side (the database, the serial ports, the
// utilities' calls): past it a new connection is closed at once, and its sender tries
// again. Utilities send one bundle at a time, so one address holds at most
// BundleConnsPerSender of them: one machine on the hall network cannot take every place
// and keep the utilities' senders out.
const (
	BundleConns          = 32
	BundleConnsPerSender = 4
)

// capped is a listener that holds at most max connections open, and perSender from
// one address, closing those past either.
type capped struct {
	net.Listener
	max, perSender int
	mu             sync.Mutex
	open           int
	bySender       map[string]int
}

func (c *capped) Accept() (net.Conn, error) {
	for {
		conn, err := c.Listener.Accept()
		if err != nil {
			return nil, err
		}
		sender := senderOf(conn.RemoteAddr())
		c.mu.Lock()
		if c.bySender == nil {
			c.bySender = map[string]int{}
		}
		full := c.open >= c.max || c.bySender[sender] >= c.perSender
		if !full {
			c.open++
			c.bySender[sender]++
		}
		c.mu.Unlock()
		if !full {
			return &cappedConn{Conn: conn, c: c, sender: sender}, nil
		}
		conn.Close()
	}
}

// senderOf is the address a connection comes from, without its port.
func senderOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	return a.String()
}

// cappedConn gives its places back when it is closed (once, however often Close is called).
type cappedConn struct {
	net.Conn
	c      *capped
	sender string
	once   sync.Once
}

func (cc *cappedConn) Close() error {
	cc.once.Do(func() {
		cc.c.mu.Lock()
		cc.c.open--
		if cc.c.bySender[cc.sender]--; cc.c.bySender[cc.sender] == 0 {
			delete(cc.c.bySender, cc.sender)
		}
		cc.c.mu.Unlock()
	})
	return cc.Conn.Close()
}

// BundleAddr is the address the kiosk takes bundles on, once listening ("" if not).
func (k *Kiosk) BundleAddr() string {
	if k.bundleSrv == nil {
		return ""
	}
	return k.bundleAddr
}

func (k *Kiosk) stopBundles() { shutdown(k.bundleSrv) }

// bundleAnswer is the body of every answer: the utility's bundle shown (Version, 0:
// the kiosk's own content) and the one held to take effect later (Held, Effective).
type bundleAnswer struct {
	Utility   string     `json:"utility,omitempty"`
	Version   uint64     `json:"version,omitempty"`
	Held      uint64     `json:"held,omitempty"`
	Effective *time.Time `json:"effective,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// bundleRate bounds what the hall network can make the kiosk do: anyone there may send,
// and each bundle is parsed, checked and journaled (a refusal too), so a flood would fill
// the journal. Each sender has a burst of bundleBurst, then one every bundleEvery, so
// that one busy machine does not hold off the utility's; all of them together twice
// that. More are answered 429 and neither checked nor journaled.
const (
	bundleBurst = 10
	bundleEvery = 6 * time.Second
	// bundleSenders is how many senders the kiosk keeps a bucket for; past it, the
	// buckets left full longest go.
	bundleSenders = 64
)

// bucket is a token bucket of bundleBurst tokens, one more every bundleEvery/rate.
type bucket struct {
	tokens float64
	last   time.Time
}

// take takes a token at now, if there is one.
func (b *bucket) take(now time.Time, rate float64) bool {
	if b.last.IsZero() {
		b.tokens = bundleBurst * rate
	} else {
		b.tokens = min(bundleBurst*rate, b.tokens+now.Sub(b.last).Seconds()/bundleEvery.Seconds()*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limiter holds the senders' buckets and the hall's.
type limiter struct {
	mu      sync.Mutex
	all     bucket
	senders map[string]*bucket
}

// allow takes a token of the sender's and of the hall's at now, if both have one.
func (l *limiter) allow(sender string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.senders == nil {
		l.senders = map[string]*bucket{}
	}
	b := l.senders[sender]
	if b == nil {
		if len(l.senders) >= bundleSenders {
			l.forget(now)
		}
		b = &bucket{}
		l.senders[sender] = b
	}
	// The sender's first: a sender held off does not use up the hall's.
	return b.take(now, 1) && l.all.take(now, 2)
}

// forget drops the buckets that have filled up again (their senders start afresh
// alike), or, when none has, the one idle longest.
func (l *limiter) forget(now time.Time) {
	var oldest string
	for s, b := range l.senders {
		if now.Sub(b.last) >= bundleBurst*bundleEvery {
			delete(l.senders, s)
		} else if oldest == "" || b.last.Before(l.senders[oldest].last) {
			oldest = s
		}
	}
	if len(l.senders) >= bundleSenders {
		delete(l.senders, oldest)
	}
}

func (k *Kiosk) receiveBundle(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if !k.bundleRate.allow(host, k.Clock.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(int(bundleEvery.Seconds())))
		writeBundleJSON(w, http.StatusTooManyRequests, bundleAnswer{Error: "bundle: too many bundles: send again later"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bundle.MaxSize))
	if err != nil {
		writeBundleJSON(w, http.StatusRequestEntityTooLarge, bundleAnswer{Error: "bundle: larger than the kiosk takes"})
		return
	}
	b, err := k.ApplyBundle(data, ByNetwork+host)
	if err != nil {
		writeBundleJSON(w, bundleStatus(err), bundleAnswer{Error: err.Error()})
		return
	}
	if m := b.Manifest; !m.Effective.IsZero() && !b.Due(k.Clock.Now()) {
		writeBundleJSON(w, http.StatusAccepted, bundleAnswer{Utility: m.Utility, Held: m.Version, Effective: &m.Effective})
		return
	}
	writeBundleJSON(w, http.StatusOK, bundleAnswer{Utility: b.Manifest.Utility, Version: b.Manifest.Version})
}

// bundleStatus is the HTTP status of a refusal.
func bundleStatus(err error) int {
	switch {
	case errors.Is(err, bundle.ErrNoKey), errors.Is(err, bundle.ErrSignature), errors.Is(err, bundle.ErrScope):
		return http.StatusForbidden
	case errors.Is(err, bundle.ErrStale), errors.Is(err, bundle.ErrDropped):
		return http.StatusConflict
	case errors.Is(err, bundle.ErrMalformed), errors.Is(err, bundle.ErrExpired), errors.Is(err, bundle.ErrNotYetValid),
		errors.Is(err, ErrBundleContent):
		return http.StatusUnprocessableEntity
	case errors.Is(err, ErrBundleEndpoint):
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

func (k *Kiosk) listBundles(w http.ResponseWriter, _ *http.Request) {
	c := k.content.Load()
	byID := map[string]*bundleAnswer{}
	for id, b := range c.bundles {
		byID[id] = &bundleAnswer{Utility: id, Version: b.Manifest.Version}
	}
	sts, err := k.bundles.Statuses()
	if err != nil {
		writeBundleJSON(w, http.StatusInternalServerError, bundleAnswer{Error: err.Error()})
		return
	}
	for id, st := range sts {
		if p := st.Pending; p != nil {
			if byID[id] == nil {
				byID[id] = &bundleAnswer{Utility: id}
			}
			byID[id].Held, byID[id].Effective = p.Bundle.Manifest.Version, &p.Bundle.Manifest.Effective
		}
	}
	out := []bundleAnswer{}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, *byID[id])
	}
	writeBundleJSON(w, http.StatusOK, out)
}

func writeBundleJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the sender is gone; nothing to tell it
}
