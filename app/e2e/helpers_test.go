package e2e

import (
	"fmt"
	"testing"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

const kioskID = "LZH-E2E-01"

// simKiosks are the kiosks the simulator knows: the tests' kiosk, with the demo secrets.
var simKiosks = map[string]utilitysim.Secrets{kioskID: nil}

// kiosk is the kiosk side: store, journal, clients and outbox, as the kiosk wires them.
type kiosk struct {
	st      *store.Store
	j       *journal.Journal
	ob      *outbox.Outbox
	clients map[string]*utility.HTTPClient
}

func openKiosk(dir string, urls map[string]string, o outbox.Options) (*kiosk, error) {
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		return nil, err
	}
	k := &kiosk{st: st, j: journal.New(st, clock.System()), clients: map[string]*utility.HTTPClient{}}
	fwd := map[string]utility.Forwarder{}
	for id, u := range urls {
		c, err := utility.NewHTTP(utility.Options{Utility: id, BaseURL: u, KioskID: kioskID, Secret: utility.DemoSecret(id)})
		if err != nil {
			st.Close()
			return nil, err
		}
		k.clients[id], fwd[id] = c, c
	}
	if k.ob, err = outbox.New(st, k.j, fwd, o); err != nil {
		st.Close()
		return nil, err
	}
	return k, nil
}

func (k *kiosk) close() {
	k.ob.Close()
	for _, c := range k.clients {
		c.CloseIdleConnections()
	}
	k.st.Close()
}

// application is a valid application to a utility by one of the demo citizens.
func application(utilityID string, i int) utility.Application {
	p := utilitysim.DemoIdentities[i%len(utilitysim.DemoIdentities)]
	fields := map[string]map[string]string{
		utility.Electricity: {"voltage": "low", "capacity_kw": fmt.Sprint(8 + i%200)},
		utility.Water:       {"pipe_size": "dn20"},
		utility.Gas:         {"appliances": "heater"},
		utility.Broadband:   {"bandwidth": "500m"},
	}[utilityID]
	return utility.Application{Service: "new_connection", Applicant: utility.Contact{Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone},
		Address: p.Address, Fields: fields}
}

// startSim starts the simulator with o until the test ends: in a temporary folder and
// for the tests' kiosk unless o says otherwise.
func startSim(t testing.TB, o utilitysim.Options) *utilitysim.Server {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.Kiosks == nil {
		o.Kiosks = simKiosks
	}
	s, err := utilitysim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// received counts, per kiosk reference, how often any utility processed it, and gives
// each reference's arrival position at its utility.
func received(t testing.TB, s *utilitysim.Server) (count map[string]int, pos map[string]uint64) {
	t.Helper()
	count, pos = map[string]int{}, map[string]uint64{}
	for _, id := range utilitysim.Utilities {
		l, err := s.Received(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l {
			count[r.KioskRef]++
			pos[r.KioskRef] = r.Seq
		}
	}
	return count, pos
}
