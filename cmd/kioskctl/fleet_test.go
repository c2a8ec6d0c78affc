package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/fleet"
	"github.com/liangzihu/kiosk/app/fleet/fleettest"
	rpt "github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/workdays"
)

// A utility publishes its bundle on the city's broker; a kiosk linked to the broker takes
// it; staff read every kiosk's status there, and watch the kiosks' changes as they come.
func TestFleetCommands(t *testing.T) {
	br := fleettest.Start(t)
	file := filepath.Join(t.TempDir(), "water-v5.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "5",
		"--info", "../../assets/info/water.toml", "--out", file); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "publish", "--broker", br.URL, file); code != 0 ||
		!strings.HasPrefix(out, "published water v5 (1 file, expires ") || !strings.HasSuffix(out, " on kiosk/bundles/water\n") ||
		!strings.Contains(errs, "the others when they connect") {
		t.Fatalf("bundle publish: %d %q %q", code, out, errs)
	}
	k, cfgPath := startKiosk(t, nil, false, func(c *config.Config) { c.Fleet.Broker = br.URL })
	id := k.Config.Kiosk.ID
	deadline := time.Now().Add(20 * time.Second)
	for k.BundleShown("water") != 5 {
		if time.Now().After(deadline) {
			t.Fatal("the kiosk did not take the bundle from the broker")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		code, out, errs := kioskctl(t, "fleet", "status", "--broker", br.URL, "--wait", "300ms")
		if code == 0 && strings.Contains(out, id+"  running  ") && strings.Contains(out, "bundles: water v5\n") && strings.Contains(out, "\n1 kiosks running, 20") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fleet status: %d %q %q", code, out, errs)
		}
	}

	if code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfgPath); code != 0 || !strings.Contains(out, "fleet: linked to "+br.URL+"\n") {
		t.Fatalf("kiosk status: %d %q %q", code, out, errs)
	}

	var watched struct {
		sync.Mutex
		code      int
		out, errs string
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		code, out, errs := kioskctl(t, "fleet", "watch", "--broker", br.URL, "--for", "5s")
		watched.Lock()
		watched.code, watched.out, watched.errs = code, out, errs
		watched.Unlock()
	})
	time.Sleep(time.Second)
	k.Close()
	time.Sleep(500 * time.Millisecond)
	// The watch connects again, and does not say again what the broker kept.
	br.Restart()
	wg.Wait()
	if !strings.Contains(watched.out, "  "+id+"  running\n") || strings.Count(watched.out, "  "+id+"  stopped\n") != 1 ||
		!strings.Contains(watched.out, "  broker  fleet: connection to the broker lost: ") ||
		!strings.Contains(watched.out, "; connecting again\n") || !strings.HasSuffix(watched.out, "  broker  connected again\n") || watched.code != 0 {
		t.Fatalf("fleet watch: %d %q %q", watched.code, watched.out, watched.errs)
	}
	if code, out, errs := kioskctl(t, "fleet", "status", "--broker", br.URL, "--wait", "300ms"); code != 0 || !strings.Contains(out, id+"  stopped  ") {
		t.Fatalf("fleet status after the stop: %d %q %q", code, out, errs)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no broker", []string{"fleet", "status"}, 2, "--broker is required"},
		{"not a broker", []string{"fleet", "status", "--broker", "https://mqtt.example.cn"}, 2, `--broker: "https://mqtt.example.cn" is not mqtts://host:port`},
		{"a password in the clear", []string{"fleet", "status", "--broker", "mqtt://mqtt.example.cn:1883", "--username", "u", "--password-file", "/etc/pw"}, 2, "--broker: must use mqtts with a password"},
		{"a user without a password", []string{"fleet", "watch", "--broker", br.URL, "--username", "u"}, 2, "--password-file: fleet.username and fleet.password_file go together"},
		{"a wildcard prefix", []string{"fleet", "status", "--broker", br.URL, "--prefix", "#"}, 2, "--prefix:"},
		{"no bundle", []string{"bundle", "publish", "--broker", br.URL}, 2, "give the bundle FILE"},
		{"not a bundle", []string{"bundle", "publish", "--broker", br.URL, "../../assets/info/water.toml"}, 1, "bundle: malformed"},
		{"no broker there", []string{"fleet", "status", "--broker", "mqtt://127.0.0.1:1"}, 1, "fleet: connect to mqtt://127.0.0.1:1"},
		{"no kiosk seen", []string{"fleet", "status", "--broker", br.URL, "--prefix", "elsewhere", "--wait", "300ms"}, 1, "no kiosk has published a status"},
	} {
		if code, _, errs := kioskctl(t, tc.args...); code != tc.code || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: %d %q, want %d and %q", tc.name, code, errs, tc.code, tc.err)
		}
	}
}

// A bundle no kiosk would apply is not published, for it would take the place of the
// utility's bundle the broker keeps: an expired one is refused; one that takes effect
// later only with --force, and a warning of what it does to kiosks that connect before
// then. Refused, nothing reaches the broker (there is none on the port).
func TestBundlePublishRefusesExpiredOrLater(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	dir := t.TempDir()
	files := map[string][]byte{
		"expired": demoBundle(t, bundle.Manifest{Version: 6, Created: now.Add(-48 * time.Hour), Expires: now.Add(-time.Hour)}),
		"later":   demoBundle(t, bundle.Manifest{Version: 7, Created: now, Expires: now.Add(720 * time.Hour), Effective: now.Add(24 * time.Hour)}),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	br := fleettest.Start(t)
	const none = "mqtt://127.0.0.1:1"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"expired", []string{"--broker", none, "expired"}, 1, []string{"water v6 expired at ", "no kiosk would apply it", "sign it again with a new version"}},
		{"expired, forced", []string{"--broker", none, "--force", "expired"}, 1, []string{"water v6 expired at "}},
		{"later", []string{"--broker", none, "later"}, 2, []string{"takes effect at " + hallTime(now.Add(24*time.Hour)), "give --force"}},
		{"later, forced", []string{"--broker", br.URL, "--force", "later"}, 0, []string{"WARNING: water v7 takes effect at " + hallTime(now.Add(24*time.Hour)),
			"shows its own content until then"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"bundle", "publish"}, tc.args...)
			args[len(args)-1] = filepath.Join(dir, args[len(args)-1])
			code, out, errs := kioskctl(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, %q %q; want %d", code, out, errs, tc.code)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr does not say %q: %q", w, errs)
				}
			}
			if published := strings.HasPrefix(out, "published "); published != (tc.code == 0) {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

// A kiosk's status in lines: offline, a device out of order, a utility failing for long,
// a request for staff or a card left behind needs staff's attention; a printer whose paper runs low is said, and
// works.
func TestDescribeStatus(t *testing.T) {
	report := func(r staff.Status) json.RawMessage {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	at := time.Date(2026, 11, 27, 6, 3, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		s     fleet.Status
		lines []string
		ok    bool
	}{
		{"offline", fleet.Status{Kiosk: "K1", State: fleet.Offline}, []string{"offline"}, false},
		{"stopped", fleet.Status{Kiosk: "K1", State: fleet.Stopped, Time: at, Hall: "梁子湖区政务服务中心"}, []string{"stopped  2026-11-27 14:03:05  梁子湖区政务服务中心"}, true},
		{"running", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at, Bundles: map[string]uint64{"water": 5, "gas": 2}, Held: map[string]uint64{"water": 6},
			Report: report(staff.Status{Running: true, Devices: []staff.Device{{Name: "idcard", OK: true}, {Name: "printer", OK: true, Detail: "纸将用尽，请尽快更换纸卷"}},
				Pending: map[string]int{"water": 2, "gas": 0}, Reprints: 1})},
			[]string{"running  2026-11-27 14:03:05", "devices: idcard ok; printer: 纸将用尽，请尽快更换纸卷",
				"requests waiting: water 2; for staff: 0; receipts to reprint: 1", "bundles: gas v2, water v5, water v6 held for later"}, true},
		{"a device out of order", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Devices: []staff.Device{{Name: "printer", OK: false, Detail: "缺纸"}}})},
			[]string{"running  2026-11-27 14:03:05", "devices: printer OUT OF ORDER: 缺纸"}, false},
		{"a request for staff", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Dead: 1})},
			[]string{"running  2026-11-27 14:03:05", "requests waiting: none; for staff: 1; receipts to reprint: 0"}, false},
		{"its day so far", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Today: rpt.Summary{From: time.Date(2026, 11, 27, 0, 0, 0, 0, workdays.CST), Visits: 12, VisitsNoCard: 5, Printed: 9, NotPrinted: 1,
				Utilities: []rpt.Utility{{ID: "electricity", Paid: 3, Amount: 47526, Applications: 2}, {ID: "water", Paid: 1, Amount: 9028, Transfers: 1, Ratings: 2}}}})},
			[]string{"running  2026-11-27 14:03:05", "2026-11-27: 12 visits with an ID card, 5 without; 4 paid, ￥565.54; 2 applications, 1 transfers, 2 ratings sent; 0 set aside for staff; 9 receipts printed, 1 not whole"}, true},
		{"a utility failing a while", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Failing: []staff.Failing{{Utility: "water", Since: at, Problem: "unreachable"}}})},
			[]string{"running  2026-11-27 14:03:05", "utility water FAILING since 14:03 (unreachable): its requests wait"}, true},
		{"a utility failing for long", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Failing: []staff.Failing{{Utility: "gas", Since: at, Problem: "auth", Long: true}}})},
			[]string{"running  2026-11-27 14:03:05", "utility gas FAILING since 14:03 (auth): its requests wait"}, false},
		{"a card left behind", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, CardLeftSince: &at})},
			[]string{"running  2026-11-27 14:03:05", "an ID card left on the reader since 14:03"}, false},
		// Any kiosk's credentials publish a status: what it says cannot drive staff's
		// terminal (set its clipboard, move the cursor over the line before, reverse the text).
		{"escape sequences", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at, Hall: "大厅\x1b]52;c;cm0gLXJmIH4=\a",
			Report: report(staff.Status{Running: true, Devices: []staff.Device{{Name: "printer\r\x1b[1A", OK: false, Detail: "缺纸\u202e"}}})},
			[]string{`running  2026-11-27 14:03:05  大厅\u001B]52;c;cm0gLXJmIH4=\u0007`, `devices: printer\u000D\u001B[1A OUT OF ORDER: 缺纸\u202E`}, false},
		{"someone guessing the PIN", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, PINLockedUntil: &at})},
			[]string{"running  2026-11-27 14:03:05", "maintenance PIN locked until 14:03 after too many wrong PINs"}, false},
		{"staff in maintenance mode", fleet.Status{Kiosk: "K1", State: fleet.Running, Time: at,
			Report: report(staff.Status{Running: true, Maintenance: &staff.MaintenanceOpen{Actor: "工号0107", Since: at}})},
			[]string{"running  2026-11-27 14:03:05", "maintenance mode open on the screen by 工号0107 since 14:03"}, true},
	} {
		lines, ok := describe(tc.s)
		if strings.Join(lines, "\n") != strings.Join(tc.lines, "\n") || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.name, lines, ok, tc.lines, tc.ok)
		}
	}
}
