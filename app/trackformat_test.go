package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// progressCounter stands on loopback in front of each of the simulator's utilities and
// counts the progress look-ups (GET /applications/{number}) that reach it, by utility:
// which utilities a number typed to 进度查询 was asked of.
type progressCounter struct {
	mu    sync.Mutex
	asked map[string]int
	urls  map[string]string // the kiosk's base URLs: the counters', by utility
}

func countProgress(t *testing.T, sims *utilitysim.Server) *progressCounter {
	t.Helper()
	pc := &progressCounter{asked: map[string]int{}, urls: map[string]string{}}
	for _, id := range utilitysim.Utilities {
		base, err := url.Parse(sims.BaseURL(id))
		if err != nil {
			t.Fatal(err)
		}
		proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: base.Scheme, Host: base.Host})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, base.Path+"/applications/") {
				pc.mu.Lock()
				pc.asked[id]++
				pc.mu.Unlock()
			}
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		pc.urls[id] = srv.URL + base.Path
	}
	return pc
}

// take returns the utilities asked since the last take, in the utilities' order.
func (pc *progressCounter) take() []string {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	var out []string
	for _, id := range config.UtilityIDs {
		if pc.asked[id] > 0 {
			out = append(out, id)
		}
	}
	clear(pc.asked)
	return out
}

// noNumberFormats is a hall whose utilities declare no application-number format: every
// enabled utility is asked of every number.
func noNumberFormats(c *config.Config) {
	for _, id := range config.UtilityIDs {
		u, _ := c.Utilities.ByID(id)
		u.ApplicationNumber = ""
	}
}

// A number typed to 进度查询 is asked only of the utilities whose declared format
// (utilities.*.application_number) it matches, and of those that declare none; with
// none declaring one, of every enabled utility, as before formats were declared. A
// number no enabled utility's format matches, every one declaring one, is answered
// ErrNumberFormat without asking anyone. The counters are real HTTP servers in front of
// the simulator: what they count is what reached a utility.
func TestTrackAsksByNumberFormat(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	pc := countProgress(t, f.sims)
	seeded := func(i int, id string) string {
		apps, err := f.sims.Applications(id, utilitysim.DemoIdentities[i].IDNumber)
		if err != nil || len(apps) == 0 {
			t.Fatalf("%s's seeded application of citizen %d: %v, %v", id, i, apps, err)
		}
		return apps[0].Reference
	}
	power, gas := seeded(0, utility.Electricity), seeded(2, utility.Gas)
	all := slices.Clone(config.UtilityIDs)
	none := noNumberFormats
	for _, tc := range []struct {
		name string
		// hall changes the demo configuration, whose formats are the simulator's.
		hall   func(*config.Config)
		down   string // a utility that is down
		number string
		asked  []string
		found  []string // the utilities whose application is found
		err    error
	}{
		{name: "the simulator's formats: electricity's number", number: power, asked: []string{utility.Electricity}, found: []string{utility.Electricity}},
		{name: "typed in lower case with spaces", number: "  " + strings.ToLower(gas) + " ", asked: []string{utility.Gas}, found: []string{utility.Gas}},
		{name: "a number of electricity's form it does not know", number: "DLGH26010100001", asked: []string{utility.Electricity}, err: app.ErrApplicationNotFound},
		{name: "a number of no utility's form", number: "DL2611250099", err: app.ErrNumberFormat},
		{name: "letters no utility begins with", number: "ZX26112500001", err: app.ErrNumberFormat},
		// Before formats were declared, gas's timeout held every look-up, and the number
		// found named gas as perhaps the number's owner too.
		{name: "gas down, the number electricity's", down: utility.Gas, number: power, asked: []string{utility.Electricity}, found: []string{utility.Electricity}},
		{name: "no utility declares a format", hall: none, number: power, asked: all, found: []string{utility.Electricity}},
		{name: "no format declared, a number of no form", hall: none, number: "ZX1", asked: all, err: app.ErrApplicationNotFound},
		{name: "gas declares none: asked of every number", hall: func(c *config.Config) { c.Utilities.Gas.ApplicationNumber = "" },
			number: "ZX26112500001", asked: []string{utility.Gas}, err: app.ErrApplicationNotFound},
		{name: "gas declares none: a number of electricity's form", hall: func(c *config.Config) { c.Utilities.Gas.ApplicationNumber = "" },
			number: power, asked: []string{utility.Electricity, utility.Gas}, found: []string{utility.Electricity}},
		// A disabled utility's format counts for nothing: it is not asked.
		{name: "the only matching utility disabled", hall: func(c *config.Config) { c.Utilities.Electricity.Enabled = false },
			number: power, err: app.ErrNumberFormat},
		// Two utilities whose numbers are alike are both asked.
		{name: "two utilities of one form", hall: func(c *config.Config) { c.Utilities.Gas.ApplicationNumber = c.Utilities.Electricity.ApplicationNumber },
			number: power, asked: []string{utility.Electricity, utility.Gas}, found: []string{utility.Electricity}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := f.k.Close(); err != nil {
				t.Fatal(err)
			}
			f.moved, f.tweak = pc.urls, tc.hall
			f.k = f.start()
			if tc.down != "" {
				setFaults(t, f.sims, tc.down, utilitysim.Faults{Down: true})
				defer setFaults(t, f.sims, tc.down, utilitysim.Faults{})
			}
			pc.take()
			found, err := f.k.FindApplication(context.Background(), tc.number)
			if asked := pc.take(); !slices.Equal(asked, tc.asked) {
				t.Errorf("asked %v, want %v", asked, tc.asked)
			}
			if !errors.Is(err, tc.err) || tc.err == nil && err != nil {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var got []string
			for _, a := range found.Applications {
				got = append(got, a.Utility)
			}
			if !slices.Equal(got, tc.found) || len(found.Unavailable) != 0 {
				t.Errorf("found at %v (unavailable %v), want at %v", got, found.Unavailable, tc.found)
			}
		})
	}
}
