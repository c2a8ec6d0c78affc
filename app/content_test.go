package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
)

// own reads one of the kiosk's own content files.
func own(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile("../assets/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signed is a bundle of utility's, version v, signed with key, made at now.
func signed(t testing.TB, key ed25519.PrivateKey, utility string, v uint64, now time.Time, files map[string][]byte) []byte {
	t.Helper()
	data, err := bundle.Sign(key, bundle.Manifest{Utility: utility, Version: v, Created: now, Expires: now.Add(24 * time.Hour),
		Note: "test"}, files)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newContentKiosk is a demo kiosk without devices on data folder dir, its bundles
// taken over HTTP on a loopback port.
func newContentKiosk(t testing.TB, dir string) *app.Kiosk {
	t.Helper()
	cfg := testConfig(t)
	cfg.Data.Dir = dir
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	cfg.Bundles.Listen = "127.0.0.1:0"
	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	return k
}

func tariffTitle(t *testing.T, k *app.Kiosk, utility string) string {
	t.Helper()
	c, ok := k.Info().Utility(utility)
	if !ok {
		t.Fatalf("no information of %s", utility)
	}
	return c.Title.ZH
}

// A utility's signed bundle changes what the kiosk shows of it at once and after a
// restart; an older or replayed version, another utility's key, an expired bundle and
// content the kiosk refuses are refused and journaled (a bundle holding another
// utility's file cannot even be signed: app/bundle's tests refuse a forged one); staff roll back to what it replaced.
func TestBundles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := newContentKiosk(t, dir)
	now := time.Now()
	changed := 0
	k.OnContent(func() { changed++ })
	info := own(t, "info/electricity.toml")
	v2 := bytes.Replace(info, []byte(`title = "`), []byte(`title = "新版`), 1)
	v3 := bytes.Replace(info, []byte(`title = "`), []byte(`title = "第三版`), 1)
	elec := bundle.DemoKey("electricity")
	before := tariffTitle(t, k, "electricity")

	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 2, now, map[string][]byte{bundle.InfoFile: v2}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before || changed != 1 {
		t.Fatalf("title %q after the bundle (%d changes told)", got, changed)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"the same version again", signed(t, elec, "electricity", 2, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrStale},
		{"an older version", signed(t, elec, "electricity", 1, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrStale},
		{"signed with the water key", signed(t, bundle.DemoKey("water"), "electricity", 9, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrSignature},
		{"expired", signed(t, elec, "electricity", 9, now.Add(-48*time.Hour), map[string][]byte{bundle.InfoFile: v3}), bundle.ErrExpired},
		{"a catalogue the kiosk refuses", signed(t, elec, "electricity", 9, now, map[string][]byte{bundle.CatalogFile: []byte("utility = \"electricity\"\nname = \"电\"\n")}), app.ErrBundleContent},
		{"not a bundle", []byte("{}"), bundle.ErrMalformed},
	} {
		if _, err := k.ApplyBundle(tc.data, "工号0107"); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before {
		t.Fatalf("a refused bundle changed the content: %q", got)
	}
	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3}), "工号0107"); err != nil {
		t.Fatal(err)
	}

	// Over the hall network: the signature is what counts.
	url := "http://" + k.BundleAddr() + "/v1/bundles"
	resp, err := http.Post(url, "application/json", bytes.NewReader(signed(t, bundle.DemoKey("gas"), "gas", 1, now, map[string][]byte{bundle.InfoFile: own(t, "info/gas.toml")})))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST a gas bundle: %s", resp.Status)
	}
	resp, err = http.Post(url, "application/json", bytes.NewReader(signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3})))
	if err != nil {
		t.Fatal(err)
	}
	var answer struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(answer.Error, "not newer") {
		t.Fatalf("POST a replayed bundle: %s %q", resp.Status, answer.Error)
	}

	// After a restart the kiosk shows what it applied.
	k.Close()
	k = newContentKiosk(t, dir)
	if got := tariffTitle(t, k, "electricity"); got != "第三版"+before {
		t.Fatalf("after a restart: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before {
		t.Fatalf("after a rollback: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != before {
		t.Fatalf("after a second rollback: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); !errors.Is(err, bundle.ErrNothingToRollBack) {
		t.Fatalf("a third rollback: %v", err)
	}
	// A rollback does not open the way to a replay.
	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3}), "工号0107"); !errors.Is(err, bundle.ErrStale) {
		t.Fatalf("version 3 again after the rollbacks: %v", err)
	}
	sts, err := k.Bundles()
	if err != nil || sts["electricity"].Current != nil || sts["electricity"].Seen != 3 || sts["gas"].Current == nil {
		t.Fatalf("statuses %+v %v", sts, err)
	}
	count := map[journal.Kind]int{}
	evs, _ := k.Journal.Range(now.Add(-time.Hour), time.Now().Add(time.Minute), 0)
	for _, e := range evs {
		count[e.Kind]++
	}
	if count[journal.BundleApplied] != 3 || count[journal.BundleRefused] != 8 || count[journal.BundleRollback] != 2 {
		t.Fatalf("journaled %v", count)
	}
}

// A kiosk whose configured key for a utility changed leaves out the bundle signed with
// the old one, and shows its own content for that utility.
func TestBundleOfAnOldKeyLeftOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := newContentKiosk(t, dir)
	now := time.Now()
	before := tariffTitle(t, k, "water")
	v2 := bytes.Replace(own(t, "info/water.toml"), []byte(`title = "`), []byte(`title = "新版`), 1)
	if _, err := k.ApplyBundle(signed(t, bundle.DemoKey("water"), "water", 2, now, map[string][]byte{bundle.InfoFile: v2}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	k.Close()
	pub, _, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Data.Dir = dir
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	w, _ := cfg.Utilities.ByID("water")
	w.BundleKey = bundle.EncodePublicKey(pub)
	k2, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	defer k2.Close()
	if got := tariffTitle(t, k2, "water"); got != before {
		t.Fatalf("shown with a bundle of the old key: %q", got)
	}
	// Staff see it held and not shown.
	sts, err := k2.Bundles()
	if err != nil || sts["water"].Current == nil || k2.BundleShown("water") != 0 {
		t.Fatalf("held %+v (%v), shown version %d", sts["water"], err, k2.BundleShown("water"))
	}
}

// BenchmarkApplyBundle applies a utility's bundle (its information and catalogue, the
// shipped files): parse, signature, scope, the whole content composed and checked
// again, stored and journaled with an fsync, and swapped in.
func BenchmarkApplyBundle(b *testing.B) {
	k := newContentKiosk(b, b.TempDir())
	files := map[string][]byte{bundle.InfoFile: own(b, "info/electricity.toml"), bundle.CatalogFile: own(b, "catalog/electricity.toml")}
	now := time.Now()
	bundles := make([][]byte, b.N)
	for i := range bundles {
		bundles[i] = signed(b, bundle.DemoKey("electricity"), "electricity", uint64(i+1), now, files)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := k.ApplyBundle(bundles[i], "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bundles[0])), "bytes/bundle")
}

// Anyone on the hall network may send bundles: after a burst the kiosk answers 429 and
// neither checks nor journals them, so that a flood cannot fill its journal.
func TestBundleFloodHeldOff(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	codes := map[int]int{}
	for range 14 {
		resp, err := http.Post("http://"+k.BundleAddr()+"/v1/bundles", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if codes[http.StatusUnprocessableEntity] != 10 || codes[http.StatusTooManyRequests] != 4 {
		t.Fatalf("answers %v", codes)
	}
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 10 {
		t.Fatalf("%d events journaled, want the 10 refusals", len(evs))
	}
}
