package main

import (
	"context"
	"image"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staff/stafftest"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// chinaTime writes an instant as the hall's clock shows it, whatever zone the time
// comes in (the journal's are UTC, a socket's answer has its offset, the local zone is
// the shell's).
func TestChinaTime(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 2, 32, 0, 0, time.UTC), "2026-11-26 10:32"},
		{time.Date(2026, 11, 25, 16, 5, 59, 0, time.UTC), "2026-11-26 00:05"}, // the day after, in China
		{time.Date(2026, 11, 25, 11, 5, 0, 0, time.FixedZone("EST", -5*3600)), "2026-11-26 00:05"},
		{time.Date(2026, 11, 26, 0, 5, 0, 0, workdays.CST), "2026-11-26 00:05"},
	} {
		if got := chinaTime(tc.at); got != tc.want {
			t.Errorf("chinaTime(%s) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

// Every time kioskctl prints is China time, as the screen, the receipts and the
// journal's reports say it, whatever the shell's zone: at 16:05 UTC it is 00:05 the
// next day in the hall. The local zone is read from TZ once, at start (t.Setenv would
// change nothing): the test runs in a process of its own with TZ=UTC, as in a shell on
// a server.
func TestStaffCommandsInChinaTime(t *testing.T) {
	if os.Getenv("TZ") != "UTC" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStaffCommandsInChinaTime$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "TZ=UTC")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestStaffCommandsInChinaTime") {
			t.Fatalf("with TZ=UTC: %v\n%s", err, out)
		}
		return
	}
	if _, off := time.Now().Zone(); off != 0 {
		t.Fatalf("TZ=UTC, and the local zone is %+d s from UTC", off)
	}
	at := time.Date(2026, 11, 25, 16, 5, 0, 0, time.UTC)
	const want = "2026-11-26 00:05"
	dir := t.TempDir()
	cfg, data := filepath.Join(dir, "kiosk.toml"), filepath.Join(dir, "data")
	if err := os.WriteFile(cfg, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+data+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := clock.NewManual(at)
	j := journal.New(st, c)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: stafftest.Refuser{}}, outbox.Options{Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	res, err := ob.Submit(context.Background(), outbox.Request{Utility: utility.Water, Kind: utility.KindEvaluation, Order: "42001003",
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pay := receipt.SamplePayment()
	if err := reprint.New(st).Keep(reprint.Receipt{Entry: reprint.Entry{Ref: "P261126000001", Kind: reprint.Payment, Time: at,
		Reason: "打印机缺纸"}, Payment: &pay}); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Parse(demoBundle(t, bundle.Manifest{Version: 5, Created: at, Expires: at.Add(720 * time.Hour)}))
	if err != nil {
		t.Fatal(err)
	}
	if err := bundle.NewState(st, j).Apply(b, at, "staff-7"); err != nil {
		t.Fatal(err)
	}
	// The running kiosk: an ID card left and the PIN locked, both since 00:05.
	l, err := staff.Listen(staff.SocketPath(data))
	if err != nil {
		t.Fatal(err)
	}
	srv := staff.Server(&staff.Local{Store: st, Journal: j, Outbox: ob, Clock: c.Now,
		Devices:   func() []staff.Device { return nil },
		Picture:   func(context.Context) (image.Image, error) { return image.NewRGBA(image.Rect(0, 0, 8, 8)), nil },
		CardLeft:  func() time.Time { return at },
		PINLocked: func() time.Time { return at }}, slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	defer srv.Close()

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"outbox", "list", "--state", "pending"}, []string{res.KioskRef + "  water    evaluation  pending  " + want}},
		{[]string{"receipt", "failed"}, []string{"P261126000001  payment  " + want}},
		{[]string{"bundle", "list"}, []string{"version 5, applied " + want + " by staff-7"}},
		{[]string{"kiosk", "status"}, []string{"maintenance PIN locked until " + want, "ID card left on the reader since " + want}},
		{[]string{"journal", "list", "--ref", res.KioskRef}, []string{`"time":"2026-11-26T00:05:00+08:00"`}},
	} {
		code, out, errs := kioskctl(t, append(tc.args, "--config", cfg)...)
		if code != 0 {
			t.Fatalf("%v: %d %q %q", tc.args, code, out, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v does not say %q:\n%s", tc.args, w, out)
			}
		}
	}
}

// demoBundle signs the water utility's public information as m says, with the demo key.
func demoBundle(t *testing.T, m bundle.Manifest) []byte {
	t.Helper()
	info, err := os.ReadFile("../../assets/info/water.toml")
	if err != nil {
		t.Fatal(err)
	}
	m.Utility = utility.Water
	signed, err := bundle.Sign(bundle.DemoKey(utility.Water), m, map[string][]byte{bundle.InfoFile: info})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}
