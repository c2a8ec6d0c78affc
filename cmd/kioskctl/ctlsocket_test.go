package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staff/stafftest"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/sim"
)

// envRun makes this test binary kioskctl itself, run with its arguments, so that a test
// can run it as another account (asStaff); envSocket moves defaultSocket there.
const envRun, envSocket = "KIOSKCTL_TEST_RUN", "KIOSKCTL_TEST_DEFAULT_SOCKET"

func TestMain(m *testing.M) {
	if os.Getenv(envRun) != "" {
		if s := os.Getenv(envSocket); s != "" {
			defaultSocket = s
		}
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// staffKiosk starts a kiosk as a hall with staff's own accounts runs it: its socket in
// a folder of its own open to the test's primary group, members with 工号, gas not
// served, a request for electricity waiting (its utility cannot be reached). The
// folders on the way are open to all, the configuration is 0600. It returns the kiosk,
// the configuration file, the socket and the data folder.
func staffKiosk(t *testing.T) (k *app.Kiosk, cfgPath, sock, data string) {
	t.Helper()
	g, err := user.LookupGroupId(fmt.Sprint(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, sockets := filepath.Join(dir, "data"), filepath.Join(dir, "run")
	cfgPath = filepath.Join(dir, "kiosk.toml")
	if err := os.WriteFile(cfgPath, []byte("[kiosk]\ndemo = true\nid = \"LZH-TEST-07\"\n[data]\ndir = \""+data+"\"\n"+
		"[devices.idcard]\nenabled = false\n[devices.printer]\nenabled = false\n[devices.scanner]\nenabled = false\n"+
		"[utilities.gas]\nenabled = false\n"+
		"[staff]\nsocket_dir = \""+sockets+"\"\nsocket_group = \""+g.Name+"\"\n"+
		"[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \""+staffpin.DemoHash+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	k = runKiosk(t, cfg, nil)
	if _, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: utility.Electricity, Kind: utility.KindEvaluation, Order: "3100000001",
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}}, 0); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(k.Outbox.Held()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the electricity utility is not held back")
		}
	}
	return k, cfgPath, staff.SocketPath(sockets), data
}

// With --socket alone kioskctl reads no configuration: what it took from the file (the
// kiosk's name and reference code, the utilities it serves, the data folder) the running
// kiosk tells it, so that it prints the same as with --config; the kiosk checks --actor
// against its members itself.
func TestSocketWithoutConfig(t *testing.T) {
	k, cfgPath, sock, data := staffKiosk(t)
	for _, cmd := range [][]string{{"kiosk", "status"}, {"outbox", "list", "--state", "pending"}, {"journal", "report"}, {"bundle", "list"}} {
		code, byConfig, errs := kioskctl(t, append(cmd, "--config", cfgPath)...)
		if code != 0 {
			t.Fatalf("%v --config: %d %q", cmd, code, errs)
		}
		code, bySocket, errs := kioskctl(t, append(cmd, "--socket", sock)...)
		if code != 0 || bySocket != byConfig {
			t.Errorf("%v --socket: %d %q %q; with --config:\n%s", cmd, code, bySocket, errs, byConfig)
		}
	}
	code, out, _ := kioskctl(t, "kiosk", "status", "--socket", sock)
	if want := "kiosk: running (LZH-TEST-07, reference code " + (&config.Kiosk{ID: "LZH-TEST-07"}).Code() + ")\n"; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("status: %q, want it to begin %q", out, want)
	}
	if code, out, _ := kioskctl(t, "outbox", "list", "--socket", sock, "--state", "pending"); code != 0 || !strings.Contains(out, " electricity ") || !strings.HasSuffix(out, "1 pending\n") {
		t.Errorf("outbox list: %q", out)
	}
	// The day's report has a row per utility the kiosk serves: gas is not one.
	if code, out, _ := kioskctl(t, "journal", "report", "--socket", sock); code != 0 || strings.Contains(out, "\ngas ") || !strings.Contains(out, "\nelectricity ") {
		t.Errorf("report: %q", out)
	}
	if code, _, errs := kioskctl(t, "staff", "unlock", "--socket", sock, "--actor", "0418"); code != 2 ||
		!strings.Contains(errs, "--actor: no member of the hall's staff has that 工号 ([[staff.members]] of the running kiosk's configuration)") {
		t.Errorf("unlock by a 工号 nobody has: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "staff", "unlock", "--socket", sock, "--actor", "0417"); code != 0 || !strings.HasPrefix(out, "kiosk LZH-TEST-07: maintenance PIN unlocked") {
		t.Fatalf("unlock: %d %q %q", code, out, errs)
	}
	if got, want := lastActor(t, k, journal.StaffUnlock), actingHere("工号 0417 王芳", true); got != want {
		t.Errorf("unlock journaled by %q, want %q", got, want)
	}
	// A card shown in full is journaled by the running kiosk, the actor checked there.
	frame, card := fixtureFrame(t, "resident"), func() string { c, _ := sim.IDCardFixture("resident"); return c.IDNumber }()
	if code, out, errs := runCmd(frame, "idcard", "decode", "--reveal", "--socket", sock, "--actor", "0418"); code != 2 || strings.Contains(out, card) ||
		!strings.Contains(errs, "--actor: no member of the hall's staff") {
		t.Errorf("reveal by a 工号 nobody has: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCmd(frame, "idcard", "decode", "--reveal", "--socket", sock, "--actor", "0417"); code != 0 || !strings.Contains(out, card) {
		t.Errorf("reveal: %d %q %q", code, out, errs)
	}
	if e := lastEvent(t, k, journal.StaffReveal); e.Actor != actingHere("工号 0417 王芳", true) || e.Subject != k.Journal.Subject("id", card) || e.Detail != "idcard decode: resident" {
		t.Errorf("reveal journaled as %+v", e)
	}
	// The data folder the kiosk names is kept from a copy as the configuration's is.
	if code, _, errs := kioskctl(t, "data", "backup", "--socket", sock, "--actor", "0417", "--out", filepath.Join(data, "copy.db")); code != 2 ||
		!strings.Contains(errs, "lies in the kiosk's data folder") {
		t.Errorf("backup into the data folder: %d %q", code, errs)
	}
	if code, _, errs := kioskctl(t, "kiosk", "status", "--socket", sock, "--config", cfgPath); code != 2 || !strings.Contains(errs, "--config and --socket: give one") {
		t.Errorf("both: %d %q", code, errs)
	}
	k.Close()
	if code, _, errs := kioskctl(t, "outbox", "list", "--socket", sock); code != 1 ||
		!strings.Contains(errs, "--socket reaches a running kiosk only: while it is stopped, commands on its database need --config and the kiosk user's rights") {
		t.Errorf("with the kiosk stopped: %d %q", code, errs)
	}
}

// A member of staff in the socket's group, who may not read the configuration (it holds
// the staff PINs' hashes), is told to use the socket, uses it, and is journaled as
// themselves. As root the test runs kioskctl as nobody in the group; otherwise as
// itself with the configuration closed (mode 0).
func TestConfigClosedToStaff(t *testing.T) {
	k, cfgPath, sock, _ := staffKiosk(t)
	_, want, _ := kioskctl(t, "kiosk", "status", "--config", cfgPath)
	as := asStaff(t, sock)
	if os.Getuid() != 0 {
		if err := os.Chmod(cfgPath, 0); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := as("kiosk", "status", "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "permission denied") ||
		!strings.Contains(errs, "the running kiosk answers on "+sock+": run kioskctl kiosk status --socket "+sock+" instead of --config") ||
		!strings.Contains(errs, "commands on its database while it is stopped need the kiosk user's rights") {
		t.Errorf("configuration closed: %d %q", code, errs)
	}
	if code, out, errs := as("kiosk", "status", "--socket", sock); code != 0 || out != want {
		t.Errorf("status by the socket: %d %q %q, want %q", code, out, errs, want)
	}
	if code, out, errs := as("staff", "unlock", "--socket", sock, "--actor", "工号0417"); code != 0 {
		t.Fatalf("unlock: %d %q %q", code, out, errs)
	}
	who := staff.Self().User
	if os.Getuid() == 0 {
		who = "nobody"
	}
	if got := lastActor(t, k, journal.StaffUnlock); !strings.HasPrefix(got, "工号 0417 王芳 ⟨os user "+who+" uid ") {
		t.Errorf("unlock journaled by %q, want the account %s", got, who)
	}
	// Where the socket is not at the default place, kioskctl still says what to give.
	defaultSocket = filepath.Join(t.TempDir(), staff.SocketName)
	code, _, errs = as("kiosk", "status", "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "reach the running kiosk with --socket <staff.socket_dir>/kiosk.sock instead of --config") {
		t.Errorf("configuration closed, no socket at the default place: %d %q", code, errs)
	}
}

// asStaff returns a way to run kioskctl as a member of staff whose default socket
// (defaultSocket) is sock: as root, this test binary as nobody in the test's primary
// group (the socket's); otherwise in this process, as the test's own account.
func asStaff(t *testing.T, sock string) func(args ...string) (int, string, string) {
	t.Helper()
	saved := defaultSocket
	t.Cleanup(func() { defaultSocket = saved })
	defaultSocket = sock
	if os.Getuid() != 0 {
		return func(args ...string) (int, string, string) { return kioskctl(t, args...) }
	}
	nobody := stafftest.AsNobody(t)
	return func(args ...string) (int, string, string) {
		cmd := nobody.Command([]uint32{uint32(os.Getgid())}, []string{envRun + "=1", envSocket + "=" + defaultSocket}, args...)
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		err := cmd.Run()
		if err != nil && cmd.ProcessState == nil {
			t.Fatalf("kioskctl as nobody: %v", err)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errs.String()
	}
}

// lastActor is who the journal names for the latest event of kind.
func lastActor(t *testing.T, k *app.Kiosk, kind journal.Kind) string {
	t.Helper()
	return lastEvent(t, k, kind).Actor
}

// lastEvent is the latest event of kind in the journal.
func lastEvent(t *testing.T, k *app.Kiosk, kind journal.Kind) journal.Event {
	t.Helper()
	evs, err := (&staff.Local{Store: k.Store, Journal: k.Journal, Outbox: k.Outbox}).Events(context.Background(), staff.Query{Since: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range slices.Backward(evs) {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no %s journaled: %+v", kind, evs)
	return journal.Event{}
}

// A kiosk started before kioskctl was updated does not say which it is: with --config
// kioskctl takes it from the configuration, as it used to; with --socket it says to
// restart the kiosk.
func TestKioskThatDoesNotSay(t *testing.T) {
	cfg, _ := kioskWithDeadLetters(t)
	dir := filepath.Join(filepath.Dir(cfg), "data")
	st, j, ob := holdDatabase(t, dir)
	l, err := staff.Listen(staff.SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	srv := staff.Server(&staff.Local{Store: st, Journal: j, Outbox: ob, Devices: func() []staff.Device { return nil }}, slog.New(slog.DiscardHandler))
	older := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/kiosk" {
			http.NotFound(w, r)
			return
		}
		older.ServeHTTP(w, r)
	})
	go srv.Serve(l)
	defer srv.Close()
	if code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfg); code != 0 || !strings.HasPrefix(out, "kiosk: running (LZH-DEMO-01, reference code 245)\n") {
		t.Errorf("--config: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "kiosk", "status", "--socket", staff.SocketPath(dir)); code != 1 || !strings.Contains(errs, "the running kiosk does not say which it is") {
		t.Errorf("--socket: %d %q", code, errs)
	}
}

// holdDatabase opens the database in dir, as the running kiosk holds it, until the test
// ends: its journal, and its outbox with no utility to send to.
func holdDatabase(t *testing.T, dir string) (*store.Store, *journal.Journal, *outbox.Outbox) {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	j := journal.New(st, nil)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{}, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	return st, j, ob
}
