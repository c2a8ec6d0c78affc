package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
)

// listeningKiosk is a running demo kiosk without devices that takes bundles over HTTP on
// a loopback port; it returns the kiosk and that address.
func listeningKiosk(t *testing.T) (*app.Kiosk, string) {
	t.Helper()
	k, _ := startKiosk(t, nil, true)
	return k, k.BundleAddr()
}

// startKiosk starts a demo kiosk without devices, its utilities' APIs at urls (nil: a
// closed port), taking bundles on a free loopback port if listen, its configuration
// changed by tweak (if any) after it is read; it returns the kiosk and its configuration
// file, for kioskctl's --config.
func startKiosk(t *testing.T, urls map[string]string, listen bool, tweak ...func(*config.Config)) (*app.Kiosk, string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "kiosk.toml")
	if err := os.WriteFile(cfgPath, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "data")+"\"\n"+
		"[devices.idcard]\nenabled = false\n[devices.printer]\nenabled = false\n[devices.scanner]\nenabled = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if listen {
		cfg.Bundles.Listen = "127.0.0.1:0" // a free port: the configuration takes fixed ones
	}
	for _, f := range tweak {
		f(cfg)
	}
	return runKiosk(t, cfg, urls), cfgPath
}

// runKiosk starts a kiosk on cfg with its utilities at urls (nil: unreachable), until
// the test ends.
func runKiosk(t *testing.T, cfg *config.Config, urls map[string]string) *app.Kiosk {
	t.Helper()
	if urls == nil {
		urls = map[string]string{}
		for _, id := range config.UtilityIDs {
			urls[id] = "http://127.0.0.1:1"
		}
	}
	k, err := app.New(cfg, app.Options{UtilityURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	return k
}

// A utility sends its bundle to the halls' kiosks in one command: each kiosk's line says
// what came of it, and the command fails while any kiosk does not show the bundle.
// Sending again is safe: a kiosk that shows it says so.
func TestBundleSend(t *testing.T) {
	dir := t.TempDir()
	k1, a1 := listeningKiosk(t)
	_, a2 := listeningKiosk(t)
	file := filepath.Join(dir, "water-v5.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "5",
		"--info", "../../assets/info/water.toml", "--out", file); code != 0 {
		t.Fatal(errs)
	}
	const dead = "127.0.0.1:1"
	code, out, errs := kioskctl(t, "bundle", "send", file, "--kiosk", a1, "--kiosk", a2, "--kiosk", dead, "--kiosk", a1)
	if code != 1 || !strings.Contains(errs, "1 of 3 kiosks do not show water v5") {
		t.Fatalf("send with a kiosk down: %d %q %q", code, out, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// One line a kiosk, in the order named, what came of it in one column.
	col := max(len(a1), len(a2)) + 2
	for i, want := range []string{a1 + " applied: water v5", a2 + " applied: water v5", dead + " not reached: dial tcp " + dead} {
		if i >= len(lines) || !strings.HasPrefix(strings.Join(strings.Fields(lines[i]), " "), want) || lines[i][col-1] != ' ' || lines[i][col] == ' ' {
			t.Errorf("line %d of %q, want %q", i+1, out, want)
		}
	}
	if len(lines) != 3 {
		t.Errorf("%d lines for 3 kiosks (one named twice): %q", len(lines), out)
	}
	if code, out, errs := kioskctl(t, "bundle", "send", "--kiosk", a2, file); code != 0 || !strings.Contains(out, "already shows water v5") ||
		!strings.Contains(errs, "every kiosk (1) shows water v5") {
		t.Fatalf("send again: %d %q %q", code, out, errs)
	}
	if err := k1.RollbackBundle("water", "工号0107"); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := kioskctl(t, "bundle", "send", "--kiosk", a1, file); code != 1 ||
		!strings.Contains(out, "refused (HTTP 409): bundle: not newer than the version applied") || !strings.Contains(out, "it shows the kiosk's own content of water") {
		t.Fatalf("send after a rollback: %d %q", code, out)
	}
	list := filepath.Join(dir, "kiosks.txt")
	if err := os.WriteFile(list, []byte("# hall 1\n"+a1+"\n\n"+a2+"   # by the door\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A bundle that takes effect later is held, and sending it again is as safe.
	later := filepath.Join(dir, "water-v6.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "6", "--effective", nextYear+"-01-01 08:00",
		"--info", "../../assets/info/water.toml", "--out", later); code != 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{"held: water v6, to be applied at " + nextYear + "-01-01 08:00 (UTC+8)", "already holds water v6, to be applied at " + nextYear + "-01-01 08:00 (UTC+8)"} {
		if code, out, errs := kioskctl(t, "bundle", "send", "--kiosk", a2, later); code != 0 || !strings.Contains(out, want) ||
			!strings.Contains(errs, "every kiosk (1) holds water v6, to be applied at "+nextYear+"-01-01 08:00 (UTC+8)") {
			t.Fatalf("send for later: %d %q %q", code, out, errs)
		}
	}
	code, out, errs = kioskctl(t, "bundle", "versions", "--kiosks", list)
	if code != 0 || !strings.Contains(out, a1+"  the kiosk's own content\n") || !strings.Contains(out, a2+"  water v5 (v6 from "+nextYear+"-01-01 08:00 (UTC+8))\n") {
		t.Fatalf("versions: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "bundle", "versions", "--kiosks", list, "--kiosk", dead); code != 1 || !strings.Contains(errs, "1 of 3 kiosks not reached") {
		t.Fatalf("versions with a kiosk down: %d %q", code, errs)
	}
	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"no kiosk", []string{"bundle", "send", file}, "name the kiosks: --kiosk HOST[:PORT], repeated, or --kiosks FILE"},
		{"no bundle", []string{"bundle", "send", "--kiosk", a1}, "give the bundle FILE"},
		{"not an address", []string{"bundle", "versions", "--kiosk", "kiosk 7"}, `"kiosk 7" is not a kiosk's address`},
		{"a port out of range", []string{"bundle", "versions", "--kiosk", "kiosk-07:99999"}, `"kiosk-07:99999" is not a kiosk's address`},
	} {
		if code, _, errs := kioskctl(t, tc.args...); code != 2 || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: %d %q, want %q", tc.name, code, errs, tc.err)
		}
	}
	if code, _, errs := kioskctl(t, "bundle", "send", "--kiosk", a1, list); code != 1 || !strings.Contains(errs, "bundle: malformed") {
		t.Errorf("a file that is not a bundle is sent: %d %q", code, errs)
	}
}

// A kiosk that has taken many bundles answers 429 with Retry-After: the bundle is sent
// again after that wait.
func TestBundleSendWaitsOutTooManyRequests(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if posts.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":"bundle: too many bundles: send again later"}`))
			return
		}
		w.Write([]byte(`{"utility":"water","version":5}`))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "water-v5.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "5",
		"--info", "../../assets/info/water.toml", "--out", file); code != 0 {
		t.Fatal(errs)
	}
	addr := strings.TrimPrefix(srv.URL, "http://")
	if code, out, errs := kioskctl(t, "bundle", "send", "--kiosk", addr, file); code != 0 || !strings.Contains(out, "applied: water v5") || posts.Load() != 2 {
		t.Fatalf("send: %d %q %q after %d posts", code, out, errs, posts.Load())
	}
}
