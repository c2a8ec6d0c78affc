package e2e

import (
	"context"
	"errors"
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

// trickling is a proxy before a utility's API that, while told to, lets every request
// through to the API and then gives the answer back a byte at a time, slower than any
// deadline: the utility has done what it was asked, and its answer never arrives whole.
type trickling struct {
	on  atomic.Bool
	url string
}

func newTrickling(t *testing.T, api string) *trickling {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p := &trickling{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.on.Load() {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		for _, b := range rec.Body.Bytes() {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	p.url = srv.URL + "/v1"
	return p
}

// TestTricklingUtility: the water utility's answers trickle in a byte at a time. Each
// call ends at its deadline: the citizen's look-up has the other utilities' accounts and
// water "unavailable"; the outbox's water worker keeps trying (it is not stuck on a call
// that never ends), holds water back as failing, and the other utilities' requests are
// delivered meanwhile. Water's requests, which the utility did apply while their answers
// trickled, are kept, and once the answers come whole each is answered from its key:
// applied once.
func TestTricklingUtility(t *testing.T) {
	s := startSim(t, utilitysim.Options{})
	proxy := newTrickling(t, s.BaseURL(utility.Water))
	proxy.on.Store(true)
	st, err := store.Open(store.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clients := map[string]utility.Client{}
	fwd := map[string]utility.Forwarder{}
	for _, id := range utilitysim.Utilities {
		base := s.BaseURL(id)
		if id == utility.Water {
			base = proxy.url
		}
		c, err := utility.NewHTTP(utility.Options{Utility: id, BaseURL: base, KioskID: kioskID, Secret: utility.DemoSecret(id),
			Timeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		clients[id], fwd[id] = c, c
	}
	ob, err := outbox.New(st, journal.New(st, clock.System()), fwd, outbox.Options{Base: 20 * time.Millisecond, Cap: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	ctx := context.Background()

	lookup := utility.LookupAccounts(ctx, utility.Ordered(clients, utilitysim.Utilities), identityOf(0), nil)
	for _, r := range lookup {
		switch {
		case r.Utility == utility.Water:
			if !errors.Is(r.Err, utility.ErrTimeout) || utility.Problem(r.Err) != utility.ProblemUnreachable {
				t.Errorf("water's trickle: %v", r.Err)
			}
		case r.Err != nil || len(r.Accounts) == 0:
			t.Errorf("%s held up by water's trickle: %d accounts, %v", r.Utility, len(r.Accounts), r.Err)
		}
	}

	ob.Start(ctx)
	var refs []string
	for i, id := range []string{utility.Water, utility.Gas, utility.Water, utility.Electricity} {
		res, err := ob.Submit(ctx, outbox.Request{Utility: id, Kind: utility.KindApplication, Order: "acct-" + id + string(rune('0'+i)),
			Body: application(id, i)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.KioskRef)
	}
	status := func(ref string) outbox.Status {
		t.Helper()
		got, err := ob.Status(ref)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	waitFor(t, "gas and electricity delivered", 10*time.Second, func() bool {
		return status(refs[1]).State == outbox.Done && status(refs[3]).State == outbox.Done
	})
	// Three deadlines each: a worker stuck on its first call would never get there.
	waitFor(t, "water's requests tried again and again", 10*time.Second, func() bool {
		return status(refs[0]).Tries >= 3 && status(refs[2]).Tries >= 3
	})
	for _, ref := range []string{refs[0], refs[2]} {
		if got := status(ref); got.State != outbox.Pending || got.Attempts != 0 || !strings.Contains(got.LastError, "timeout") {
			t.Fatalf("%s while water trickles: %s, %d attempts used (%s)", ref, got.State, got.Attempts, got.LastError)
		}
	}
	if held := ob.Held(); len(held) != 1 || held[0].Utility != utility.Water || !errors.Is(held[0].Err, utility.ErrTimeout) {
		t.Fatalf("held: %+v", held)
	}

	proxy.on.Store(false)
	waitFor(t, "water's requests delivered", 10*time.Second, func() bool {
		return status(refs[0]).State == outbox.Done && status(refs[2]).State == outbox.Done
	})
	count, _ := received(t, s)
	for _, ref := range refs {
		if count[ref] != 1 || status(ref).UtilityRef == "" {
			t.Errorf("%s applied %d times, answered %q", ref, count[ref], status(ref).UtilityRef)
		}
	}
}

// identityOf is the demo citizen i as their ID card gives them.
func identityOf(i int) utility.Identity {
	p := utilitysim.DemoIdentities[i]
	return utility.Identity{IDNumber: p.IDNumber, Name: p.Name}
}
