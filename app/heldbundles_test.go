package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
)

// heldKiosk is a content kiosk on dir whose clock the test moves.
func heldKiosk(t *testing.T, dir string, clk *clock.Manual, keys ...string) *app.Kiosk {
	t.Helper()
	cfg := contentConfig(t, dir)
	for _, key := range keys {
		e, _ := cfg.Utilities.ByID("electricity")
		e.BundleKey = key
	}
	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	return k
}

// effective is an electricity bundle of version v, signed at now with key, that takes
// effect at from, and shows title first in its information.
func effective(t *testing.T, key ed25519.PrivateKey, v uint64, now, from time.Time, title string) []byte {
	t.Helper()
	info := bytes.Replace(own(t, "info/electricity.toml"), []byte(`title = "`), []byte(`title = "`+title), 1)
	data, err := bundle.Sign(key, bundle.Manifest{Utility: "electricity", Version: v, Created: now, Expires: now.Add(24 * time.Hour),
		Effective: from, Note: "居民电价调整"}, map[string][]byte{bundle.InfoFile: info})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// advanceUntil moves clk a minute at a time, with a moment after each for the kiosk
// (its timers start its work on goroutines of its own), until cond holds; it fails once
// the clock has moved max and 10 s have passed.
func advanceUntil(t *testing.T, clk *clock.Manual, max time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for moved := time.Duration(0); !cond(); moved += time.Minute {
		if moved > max && time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, max)
		}
		clk.Advance(time.Minute)
		time.Sleep(time.Millisecond)
	}
}

// A bundle that takes effect later is checked and held when it arrives, shown from its
// time on (also by a kiosk that was off then), replaced by a newer one held in its place,
// and dropped when a newer one is applied before it, or when its utility's key changed;
// the journal says each step. It may not move its utility's calls.
func TestBundleHeldForLater(t *testing.T) {
	t.Parallel()
	t0 := time.Now().Truncate(time.Minute)
	clk := clock.NewManual(t0)
	dir := t.TempDir()
	k := heldKiosk(t, dir, clk)
	elec := bundle.DemoKey("electricity")
	before := tariffTitle(t, k, "electricity")
	// told is counted on the goroutine that shows the content, after it shows it.
	var told atomic.Int32
	k.OnContent(func() { told.Add(1) })

	if _, err := k.ApplyBundle(effective(t, elec, 2, t0, t0.Add(2*time.Hour), "二版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	// Over the hall network, a newer one in its place: 202, and the list says so.
	code, msg := post(t, k, effective(t, elec, 3, t0, t0.Add(3*time.Hour), "三版"))
	if code != http.StatusAccepted {
		t.Fatalf("POST a bundle for later: %d %q", code, msg)
	}
	if code, msg := post(t, k, effective(t, elec, 3, t0, t0.Add(3*time.Hour), "三版")); code != http.StatusConflict || !strings.Contains(msg, "held to take effect later") {
		t.Fatalf("POST it again: %d %q", code, msg)
	}
	if _, err := k.ApplyBundle(effective(t, elec, 2, t0, t0.Add(time.Hour), "二版"), "工号0107"); !errors.Is(err, bundle.ErrStale) {
		t.Fatalf("an older version for later than the one held: %v", err)
	}
	if got := listed(t, k); len(got) != 1 || got[0].Held != 3 || got[0].Version != 0 || !got[0].Effective.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("GET /v1/bundles: %+v", got)
	}
	if got := tariffTitle(t, k, "electricity"); got != before || told.Load() != 0 {
		t.Fatalf("a bundle for later shown at once: %q (%d changes told)", got, told.Load())
	}
	advanceUntil(t, clk, 3*time.Hour, "version 3 shown at its time and told", func() bool {
		return tariffTitle(t, k, "electricity") == "三版"+before && told.Load() > 0
	})
	if sts, err := k.Bundles(); err != nil || sts["electricity"].Pending != nil || k.BundleShown("electricity") != 3 || told.Load() != 1 {
		t.Fatalf("after its time: %+v %v, shown %d, %d changes told", sts["electricity"], err, k.BundleShown("electricity"), told.Load())
	}

	// Held while the kiosk is off at its time: shown as it starts.
	if _, err := k.ApplyBundle(effective(t, elec, 4, clk.Now(), clk.Now().Add(time.Hour), "四版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	k.Close()
	clk.Advance(2 * time.Hour)
	k = heldKiosk(t, dir, clk)
	advanceUntil(t, clk, time.Minute, "version 4 shown at the start", func() bool { return tariffTitle(t, k, "electricity") == "四版"+before })

	// Held, then a newer one applied at once: the one held can never follow it.
	if _, err := k.ApplyBundle(effective(t, elec, 5, clk.Now(), clk.Now().Add(time.Hour), "五版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ApplyBundle(effective(t, elec, 6, clk.Now(), time.Time{}, "六版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if sts, _ := k.Bundles(); sts["electricity"].Pending != nil || tariffTitle(t, k, "electricity") != "六版"+before {
		t.Fatalf("version 5 still held under version 6: %+v", sts["electricity"])
	}

	// Held, then the utility's key changed: dropped when due.
	if _, err := k.ApplyBundle(effective(t, elec, 7, clk.Now(), clk.Now().Add(time.Hour), "七版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	k.Close()
	pub, _, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k = heldKiosk(t, dir, clk, bundle.EncodePublicKey(pub))
	advanceUntil(t, clk, 2*time.Hour, "version 7 dropped", func() bool {
		sts, err := k.Bundles()
		return err == nil && sts["electricity"].Pending == nil
	})
	if got := tariffTitle(t, k, "electricity"); got != before {
		t.Fatalf("with the new key: %q, want the kiosk's own", got)
	}

	// Water's calls stay where they go: a bundle for later may name that endpoint, not
	// another (the kiosk cannot see the API answer there ahead of time).
	waterInfo := own(t, "info/water.toml")
	for _, tc := range []struct {
		url  string
		want error
	}{{"http://127.0.0.1:2", app.ErrBundleContent}, {unreachable["water"], nil}} {
		data, err := bundle.Sign(bundle.DemoKey("water"), bundle.Manifest{Utility: "water", Version: 1, Created: clk.Now(), Expires: clk.Now().Add(time.Hour),
			Effective: clk.Now().Add(time.Hour)}, map[string][]byte{bundle.InfoFile: waterInfo, bundle.EndpointFile: endpointFile("water", tc.url)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.ApplyBundle(data, "工号0107"); !errors.Is(err, tc.want) || tc.want != nil && !strings.Contains(err.Error(), "would send water's calls to http://127.0.0.1:2") {
			t.Errorf("a bundle for later with its endpoint at %s: %v, want %v", tc.url, err, tc.want)
		}
	}

	want := map[journal.Kind][]string{
		journal.BundleScheduled: {"version 2, effective", "version 3, effective " + t0.Add(3*time.Hour).UTC().Format(time.RFC3339) + ", in place of version 2: 居民电价调整", "version 4", "version 5", "version 7"},
		journal.BundleApplied:   {"version 3, held until", "version 4, held until", "version 6: 居民电价调整 (version 5, held for later, dropped: it is not newer)"},
		journal.BundleRefused:   {"bundle: not newer", "bundle: not newer", "held for later, dropped: bundle: the signature does not verify"},
	}
	evs, err := k.Journal.Range(t0.Add(-time.Hour), clk.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[journal.Kind][]string{}
	for _, e := range evs {
		if e.Utility != "electricity" {
			continue
		}
		got[e.Kind] = append(got[e.Kind], e.Detail)
		if e.Kind == journal.BundleApplied && strings.HasPrefix(e.Detail, "version 3") && e.Time.Before(t0.Add(3*time.Hour)) {
			t.Errorf("version 3 applied at %s, before its time", e.Time)
		}
	}
	for kind, details := range want {
		if len(got[kind]) != len(details) {
			t.Errorf("%s journaled %q, want %d", kind, got[kind], len(details))
			continue
		}
		for i, d := range details {
			if !strings.HasPrefix(got[kind][i], d) {
				t.Errorf("%s #%d: %q, want it to begin %q", kind, i, got[kind][i], d)
			}
		}
	}
}

// listed is what GET /v1/bundles answers.
func listed(t *testing.T, k *app.Kiosk) []struct {
	Utility   string
	Version   uint64
	Held      uint64
	Effective time.Time
} {
	t.Helper()
	resp, err := http.Get("http://" + k.BundleAddr() + "/v1/bundles")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []struct {
		Utility   string
		Version   uint64
		Held      uint64
		Effective time.Time
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Staff drop a bundle held for later that its utility sent by mistake: it never takes
// effect, the journal names who dropped it, and the same version delivered again (by
// staff, over the hall network, at once or for later) is refused; a newer one is held
// as any is. With nothing held, the drop is refused.
func TestDropHeldBundle(t *testing.T) {
	t.Parallel()
	t0 := time.Now().Truncate(time.Minute)
	clk := clock.NewManual(t0)
	k := heldKiosk(t, t.TempDir(), clk)
	elec := bundle.DemoKey("electricity")
	before := tariffTitle(t, k, "electricity")
	mistake := effective(t, elec, 2, t0, t0.Add(2*time.Hour), "错版")
	if _, err := k.ApplyBundle(mistake, "工号0107"); err != nil {
		t.Fatal(err)
	}
	if err := k.DropHeldBundle("water", "工号0417"); !errors.Is(err, bundle.ErrNothingHeld) {
		t.Errorf("dropping what is not held: %v", err)
	}
	if err := k.DropHeldBundle("electricity", "工号0417"); err != nil {
		t.Fatal(err)
	}
	if sts, err := k.Bundles(); err != nil || sts["electricity"].Pending != nil || sts["electricity"].Dropped != 2 || sts["electricity"].Seen != 0 {
		t.Fatalf("after the drop: %+v, %v", sts["electricity"], err)
	}
	if err := k.DropHeldBundle("electricity", "工号0417"); !errors.Is(err, bundle.ErrNothingHeld) {
		t.Errorf("dropped twice: %v", err)
	}
	advanceUntil(t, clk, 3*time.Hour, "its time passed", func() bool { return clk.Now().After(t0.Add(3 * time.Hour)) })
	if got := tariffTitle(t, k, "electricity"); got != before {
		t.Fatalf("the dropped bundle shown: %q", got)
	}
	// Delivered again: refused, however it comes.
	now := clk.Now()
	if _, err := k.ApplyBundle(mistake, "工号0107"); !errors.Is(err, bundle.ErrDropped) {
		t.Errorf("the dropped bundle after its time: %v", err)
	}
	for name, data := range map[string][]byte{
		"for later": effective(t, elec, 2, now, now.Add(time.Hour), "错版"),
		"at once":   effective(t, elec, 2, now, time.Time{}, "错版"),
		"older":     effective(t, elec, 1, now, time.Time{}, "旧版"),
	} {
		if _, err := k.ApplyBundle(data, "工号0107"); !errors.Is(err, bundle.ErrDropped) || !strings.Contains(err.Error(), "version 2 was dropped: send a newer version") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if code, msg := post(t, k, effective(t, elec, 2, now, now.Add(time.Hour), "错版")); code != http.StatusConflict || !strings.Contains(msg, "dropped") {
		t.Errorf("over the hall network: %d %q", code, msg)
	}
	if got := tariffTitle(t, k, "electricity"); got != before {
		t.Fatalf("a dropped version shown: %q", got)
	}
	// The utility sends a newer version: held, and shown at its time.
	if _, err := k.ApplyBundle(effective(t, elec, 3, now, now.Add(time.Hour), "三版"), "工号0107"); err != nil {
		t.Fatal(err)
	}
	advanceUntil(t, clk, 2*time.Hour, "version 3 shown", func() bool { return tariffTitle(t, k, "electricity") == "三版"+before })

	evs, err := k.Journal.Range(t0.Add(-time.Hour), clk.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var dropped []journal.Event
	for _, e := range evs {
		if e.Kind == journal.BundleDropped {
			dropped = append(dropped, e)
		}
	}
	if want := "version 2, effective " + t0.Add(2*time.Hour).UTC().Format(time.RFC3339) + ": 居民电价调整"; len(dropped) != 1 ||
		dropped[0].Utility != "electricity" || dropped[0].Actor != "工号0417" || dropped[0].Detail != want {
		t.Errorf("journaled %+v, want one by 工号0417: %q", dropped, want)
	}
}
