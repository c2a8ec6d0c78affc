package utility

import (
	"context"
	"sort"
	"sync"
)

// AccountsResult is one utility's answer to a look-up by identity.
type AccountsResult struct {
	Utility  string
	Accounts []Account
	// Err is set when the utility could not answer (CitizenMessage explains it); the
	// other utilities' results stand.
	Err error
}

// LookupAccounts asks every client for the citizen's accounts at the same time, each
// under its own timeout, so the whole takes as long as the slowest utility, not the sum.
// each (optional) is called as every answer arrives, from the answering goroutine, so a
// screen can fill its tiles one by one. The results come back in the clients' order.
func LookupAccounts(ctx context.Context, clients []Client, id Identity, each func(AccountsResult)) []AccountsResult {
	out := make([]AccountsResult, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			accs, err := c.AccountsByIdentity(ctx, id)
			r := AccountsResult{Utility: c.ID(), Accounts: accs, Err: err}
			out[i] = r
			if each != nil {
				each(r)
			}
		}()
	}
	wg.Wait()
	return out
}

// Ordered returns the clients of a map in the display order of ids (config.UtilityIDs),
// skipping the missing ones.
func Ordered[C Client](clients map[string]C, ids []string) []Client {
	out := make([]Client, 0, len(clients))
	for _, id := range ids {
		if c, ok := clients[id]; ok {
			out = append(out, c)
		}
	}
	if len(out) < len(clients) {
		// Clients under IDs outside the list go last, sorted, rather than missing.
		var rest []string
		for id := range clients {
			found := false
			for _, x := range ids {
				found = found || x == id
			}
			if !found {
				rest = append(rest, id)
			}
		}
		sort.Strings(rest)
		for _, id := range rest {
			out = append(out, clients[id])
		}
	}
	return out
}
