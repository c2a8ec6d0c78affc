package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// One utility down does not hold up or hide the others' answers.
func TestLookupAccountsOneDown(t *testing.T) {
	s := startSim(t, utilitysim.Options{})
	s.SetFaults(utility.Gas, utilitysim.Faults{Down: true})
	s.SetFaults(utility.Water, utilitysim.Faults{LatencyMS: 200})
	k, err := openKiosk(t.TempDir(), s.BaseURLs(), outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.close()
	p := utilitysim.DemoIdentities[0]
	var mu sync.Mutex
	var arrived []string
	res := utility.LookupAccounts(context.Background(), utility.Ordered(k.clients, utilitysim.Utilities), utility.Identity{IDNumber: p.IDNumber, Name: p.Name},
		func(r utility.AccountsResult) {
			mu.Lock()
			arrived = append(arrived, r.Utility)
			mu.Unlock()
		})
	if len(arrived) != 4 || arrived[3] != utility.Water {
		t.Errorf("answers arrived as %v; the slow water last", arrived)
	}
	for i, r := range res {
		if r.Utility != utilitysim.Utilities[i] {
			t.Errorf("result %d is %s", i, r.Utility)
		}
		switch {
		case r.Utility == utility.Gas:
			if !errors.Is(r.Err, utility.ErrUnavailable) || utility.Problem(r.Err) != utility.ProblemUnreachable {
				t.Errorf("gas: %v", r.Err)
			}
		case r.Err != nil || len(r.Accounts) != 1:
			t.Errorf("%s: %d accounts, %v", r.Utility, len(r.Accounts), r.Err)
		}
	}
}
