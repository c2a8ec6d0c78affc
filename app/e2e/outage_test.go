package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOutage takes the gas utility down for many retry rounds while requests to all four
// utilities keep coming: the others deliver meanwhile, gas delivers everything once it is
// back, in order per account, exactly once. Then the database file is scanned for
// personal data in plain text.
func TestOutage(t *testing.T) {
	simDir := t.TempDir()
	s := startSim(t, utilitysim.Options{Dir: simDir})
	dir := t.TempDir()
	k, err := openKiosk(dir, s.BaseURLs(), outbox.Options{Base: 5 * time.Millisecond, Cap: 40 * time.Millisecond, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if k != nil {
			k.close()
		}
	}()
	ctx := context.Background()
	k.ob.Start(ctx)
	if err := s.SetFaults(utility.Gas, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	type sent struct{ ref, utility, order string }
	var all []sent
	submit := func(n int) {
		for i := 0; i < n; i++ {
			u := utilitysim.Utilities[i%4]
			order := fmt.Sprint("acct-", i%5)
			res, err := k.ob.Submit(ctx, outbox.Request{Utility: u, Kind: utility.KindApplication, Order: order, Body: application(u, len(all))}, 0)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, sent{res.KioskRef, u, order})
		}
	}
	submit(80)
	// The others are not held up by the one that is down.
	waitFor(t, "the other utilities", 10*time.Second, func() bool {
		p := k.ob.Pending()
		return p[utility.Electricity]+p[utility.Water]+p[utility.Broadband] == 0
	})
	if p := k.ob.Pending()[utility.Gas]; p != 20 {
		t.Fatalf("gas has %d pending, want 20", p)
	}
	// Many retry rounds of the outage (the cap is 40 ms): probes fail, nothing is discarded.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		submit(4)
		time.Sleep(50 * time.Millisecond)
	}
	tries := 0
	for _, x := range all {
		if x.utility != utility.Gas {
			continue
		}
		st, err := k.ob.Status(x.ref)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != outbox.Pending || st.Attempts != 0 {
			t.Fatalf("%s during the outage: %s after %d attempts", x.ref, st.State, st.Attempts)
		}
		tries = max(tries, st.Tries)
	}
	if tries < 10 {
		t.Errorf("only %d retry rounds during the outage", tries)
	}
	if err := s.SetFaults(utility.Gas, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "gas after the outage", 20*time.Second, func() bool { return k.ob.Pending()[utility.Gas] == 0 })
	count, pos := received(t, s)
	byOrder := map[string][]sent{}
	for _, x := range all {
		if count[x.ref] != 1 {
			t.Errorf("%s arrived %d times", x.ref, count[x.ref])
		}
		byOrder[x.utility+"/"+x.order] = append(byOrder[x.utility+"/"+x.order], x)
	}
	for key, l := range byOrder {
		if !sort.SliceIsSorted(l, func(i, j int) bool { return pos[l[i].ref] < pos[l[j].ref] }) {
			t.Errorf("%s: out of order", key)
		}
	}
	if len(count) != len(all) {
		t.Errorf("the utilities processed %d requests, the kiosk sent %d", len(count), len(all))
	}
	t.Logf("%d requests; gas was down for %d retry rounds", len(all), tries)

	// Nothing personal lies in plain text in the database or its backup.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := k.st.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	k.close()
	k = nil
	for _, f := range []string{filepath.Join(dir, store.FileName), backup} {
		for _, found := range scanForPersonalData(t, f) {
			t.Errorf("%s holds %s in plain text", filepath.Base(f), found)
		}
	}
	// The scan does find plain text where there is some: the simulator's own file.
	s.Close()
	if found := scanForPersonalData(t, filepath.Join(simDir, utilitysim.FileName)); len(found) == 0 {
		t.Error("the scan finds nothing even in the simulator's plain-text file")
	}
}

// scanForPersonalData lists the demo people's personal values found in a file's bytes.
func scanForPersonalData(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range utilitysim.DemoIdentities {
		for what, v := range map[string]string{"ID number": p.IDNumber, "name": p.Name, "phone": p.Phone, "address": p.Address,
			"ID number (masked tail)": p.IDNumber[10:]} {
			if bytes.Contains(raw, []byte(v)) {
				found = append(found, p.Name+"'s "+what)
			}
		}
		// Also not as JSON escapes of the characters.
		if esc := fmt.Sprintf("%+q", p.Name); bytes.Contains(raw, []byte(strings.Trim(esc, `"`))) {
			found = append(found, p.Name+"'s escaped name")
		}
	}
	return found
}
