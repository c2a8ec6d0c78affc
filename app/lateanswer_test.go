package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// A look-up by account number belongs to the visit it was asked in: when its utility
// answers after that visit ended (a card placed over it, that visit ended too, and staff
// opened maintenance mode meanwhile), it opens no visit of its own. It used to open an
// anonymous one, which closed maintenance mode under staff's hands (journaled as a
// citizen starting business) while nobody had started anything.
func TestLateAccountAnswerOpensNoVisit(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	water := utilitysim.AccountNumber(utility.Water, 1)
	sim, err := url.Parse(f.sims.BaseURL(utility.Water))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: sim.Scheme, Host: sim.Host})
	// The look-up of water reaches the utility and waits there until released.
	asked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/accounts/"+water) {
			once.Do(func() { close(asked); <-release })
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	var released sync.Once
	free := func() { released.Do(func() { close(release) }) }
	t.Cleanup(free) // before gate.Close, which waits for the request held
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	f.moved = map[string]string{utility.Water: gate.URL + "/v1"}
	f.k = f.start()

	visit := f.k.EnsureSession() // the screen opens the visit at the tap that asks
	found := make(chan error, 1)
	go func() {
		_, err := f.k.FindAccount(context.Background(), utility.Water, water)
		found <- err
	}()
	<-asked
	f.k.Exit()
	m, err := f.k.OpenMaintenance(staffpin.DemoPIN)
	if err != nil {
		t.Fatal(err)
	}
	free()
	if err := <-found; err != nil {
		t.Fatalf("the look-up: %v", err)
	}
	if s := f.k.Sessions.Current(); s != nil {
		t.Fatalf("the late answer opened visit %s", s.ID)
	}
	if !m.Open() {
		t.Fatal("the late answer closed maintenance mode")
	}
	if got := staffEvents(t, f.k, journal.StaffLogout); len(got) != 0 {
		t.Fatalf("maintenance mode journaled as closed: %+v", got)
	}
	if !visit.Wiped() || visit.Len() != 0 {
		t.Fatalf("the visit that asked, ended, holds %d values", visit.Len())
	}
}
