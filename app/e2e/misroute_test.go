package e2e

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// nginx404 is the page nginx answers a path it has no route for.
const nginx404 = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n" +
	"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// misrouting is a proxy before the water utility's API that answers nginx's 404 page,
// instead of asking the API, for the lookups (GET /submissions/…) or the state changes
// (POST) while told to, and counts the state changes it lets through.
type misrouting struct {
	lookups, posts atomic.Bool
	passed         atomic.Int32
	url            string
}

func newMisrouting(t *testing.T, api string) *misrouting {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0) // the answers the simulator cuts
	m := &misrouting{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lookup := r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/submissions/")
		if lookup && m.lookups.Load() || r.Method == http.MethodPost && m.posts.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, nginx404)
			return
		}
		if r.Method == http.MethodPost {
			m.passed.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.url = srv.URL + "/v1"
	return m
}

// TestMisroutedLookup: a proxy's 404 is not the utility's word. A request that arrived
// while its answer was lost, looked up after the utility forgot its key through a proxy
// that has no route for the lookup, is asked about again later, never sent again (which
// would apply it twice); a request whose sends get the proxy's 404 waits as in an outage,
// however often, and is no dead letter. Each arrives once.
func TestMisroutedLookup(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 6, 12, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)))
	s := startSim(t, utilitysim.Options{Clock: clk, KeyRetention: time.Hour})
	proxy := newMisrouting(t, s.BaseURL(utility.Water))
	c, err := utility.NewHTTP(utility.Options{Utility: utility.Water, BaseURL: proxy.url, KioskID: kioskID,
		Secret: utility.DemoSecret(utility.Water), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	st, err := store.Open(store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j := journal.New(st, clk)
	const maxAttempts = 2
	open := func() *outbox.Outbox {
		ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: c}, outbox.Options{Clock: clk,
			Rand: func() float64 { return 0.5 }, Base: time.Second, Cap: 10 * time.Second, MaxAttempts: maxAttempts})
		if err != nil {
			t.Fatal(err)
		}
		ob.Start(context.Background())
		return ob
	}
	ctx := context.Background()
	status := func(ob *outbox.Outbox, ref string) outbox.Status {
		t.Helper()
		got, err := ob.Status(ref)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// retrying checks that ref waits as in an outage, sent (or asked about) more often
	// than a dead letter's attempts, nothing more passing the proxy.
	retrying := func(ob *outbox.Outbox, ref string, passed int32) {
		t.Helper()
		got := status(ob, ref)
		for got.State == outbox.Pending && got.Tries <= maxAttempts+1 {
			tries := got.Tries
			waitFor(t, "another try", 10*time.Second, func() bool {
				clk.Advance(10 * time.Second)
				got = status(ob, ref)
				return got.Tries > tries || got.State != outbox.Pending
			})
		}
		if n := proxy.passed.Load(); n != passed {
			t.Fatalf("%d sends reached the utility, want %d", n, passed)
		}
		if got.State != outbox.Pending || got.Attempts != 0 || !strings.Contains(got.LastError, "not the API's answer") {
			t.Fatalf("%s: %s after %d attempts (%s)", ref, got.State, got.Attempts, got.LastError)
		}
	}
	delivered := func(ob *outbox.Outbox, ref string) {
		t.Helper()
		waitFor(t, ref+" delivered", 10*time.Second, func() bool {
			clk.Advance(10 * time.Second)
			return status(ob, ref).State == outbox.Done
		})
		count, _ := received(t, s)
		if count[ref] != 1 || status(ob, ref).UtilityRef == "" {
			t.Fatalf("%s arrived %d times, answered %q", ref, count[ref], status(ob, ref).UtilityRef)
		}
	}

	// The first send is applied, its answer lost on the way back.
	if err := s.SetFaults(utility.Water, utilitysim.Faults{CutRate: 1}); err != nil {
		t.Fatal(err)
	}
	ob := open()
	defer func() { ob.Close() }() // the one open when the test ends
	lost, err := ob.Submit(ctx, outbox.Request{Utility: utility.Water, Kind: utility.KindApplication, Order: "acct-1", Body: application(utility.Water, 0)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first send", 10*time.Second, func() bool { return status(ob, lost.KioskRef).Tries == 1 })
	if err := s.SetFaults(utility.Water, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	// The kiosk is off for longer than anyone keeps a key; the proxy lost its route for
	// the lookups meanwhile.
	ob.Close()
	clk.Advance(13 * time.Hour)
	proxy.lookups.Store(true)
	ob = open()
	retrying(ob, lost.KioskRef, 1)
	proxy.lookups.Store(false)
	delivered(ob, lost.KioskRef)
	if n := proxy.passed.Load(); n != 1 {
		t.Fatalf("%d sends reached the utility: the lookup's answer was not taken", n)
	}

	// The proxy has no route for the state changes.
	proxy.posts.Store(true)
	refused, err := ob.Submit(ctx, outbox.Request{Utility: utility.Water, Kind: utility.KindApplication, Order: "acct-2", Body: application(utility.Water, 1)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	retrying(ob, refused.KioskRef, 1)
	proxy.posts.Store(false)
	delivered(ob, refused.KioskRef)
}
