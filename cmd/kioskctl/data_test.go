package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staff/stafftest"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
)

// kioskWithDeadLetters leaves a data folder as a kiosk would: two requests the water
// utility refused, set aside for staff (and more, refused after them), and a payment
// receipt that did not print (P260101000001). It returns the configuration file and the
// refs of the requests.
func kioskWithDeadLetters(t *testing.T, more ...outbox.Request) (cfgPath string, refs []string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "kiosk.toml")
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(cfgPath, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+data+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	j := journal.New(st, nil)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: stafftest.Refuser{}}, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ob.Start(context.Background())
	for _, acct := range []string{"42001003", "42001004"} {
		res, err := ob.Submit(context.Background(), outbox.Request{Utility: utility.Water, Kind: utility.KindEvaluation, Order: acct,
			Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}}, 5*time.Second)
		if err != nil || res.State != outbox.Dead {
			t.Fatalf("submit: %+v, %v", res, err)
		}
		refs = append(refs, res.KioskRef)
	}
	for _, req := range more {
		res, err := ob.Submit(context.Background(), req, 5*time.Second)
		if err != nil || res.State != outbox.Dead {
			t.Fatalf("submit: %+v, %v", res, err)
		}
		refs = append(refs, res.KioskRef)
	}
	pay := receipt.SamplePayment()
	if err := reprint.New(st).Keep(reprint.Receipt{Entry: reprint.Entry{Ref: "P260101000001", Kind: reprint.Payment,
		Time: time.Now(), Reason: "打印机缺纸"}, Payment: &pay}); err != nil {
		t.Fatal(err)
	}
	if err := orders.New(st).Put(orders.Order{KioskRef: "P260101000002", Utility: utility.Gas, Reference: "ZF2",
		Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ob.Close()
	st.Close()
	return cfgPath, refs
}

// A payment order the utility refused is not sent again: kioskctl says why, in Chinese
// and English, and how to close it; the letter waits as it was, and closes.
func TestOutboxRetryPaymentOrder(t *testing.T) {
	cfg, refs := kioskWithDeadLetters(t, outbox.Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "42001003",
		Body: utility.PaymentRequest{Account: "42001003", Bills: []string{"W1"}, Amount: 100}, NotAfter: time.Now().Add(90 * time.Second)})
	order := refs[2]
	code, out, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "staff-7", order)
	if code != 1 || out != "" || !strings.Contains(errs, "缴费订单 "+order+" 不能重新发送，只能选择原因关闭") ||
		!strings.Contains(errs, order+" is a payment order: it is not sent again, only closed with a reason (outbox close --reason offline|withdrawn|duplicate)") {
		t.Fatalf("retry: %d %q %q", code, out, errs)
	}
	if code, out, _ := kioskctl(t, "outbox", "list", "--config", cfg); code != 0 || !strings.Contains(out, order) || !strings.Contains(out, "3 dead") {
		t.Fatalf("list after the retry refused: %d %q", code, out)
	}
	if code, out, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", "staff-7", "--reason", "offline", order); code != 0 {
		t.Fatalf("close: %d %q %q", code, out, errs)
	}
}

func TestOutboxStaffCommands(t *testing.T) {
	cfg, refs := kioskWithDeadLetters(t)
	code, out, errs := kioskctl(t, "outbox", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, refs[0]) || !strings.Contains(out, refs[1]) || !strings.Contains(out, "2 dead") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	if !strings.Contains(out, "已销户") || strings.Contains(out, "13800001234") {
		t.Errorf("the refusal should show, its phone number masked:\n%s", out)
	}
	for _, cmd := range [][]string{{"outbox", "list"}, {"journal", "list"}} {
		if code, _, errs := kioskctl(t, append(cmd, "--config", cfg, "--limit", "-5")...); code != 2 || !strings.Contains(errs, "--limit must be 0 (all) or more") {
			t.Errorf("%s --limit -5: %d %q", strings.Join(cmd, " "), code, errs)
		}
	}
	// Retry one, close the other; both are journaled with the staff member.
	if code, out, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "staff-7", refs[0]); code != 0 {
		t.Fatalf("retry: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", "staff-7", refs[1]); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("close without a reason: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", "staff-7", "--reason", "offline", refs[1]); code != 0 {
		t.Fatalf("close: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "staff-7", refs[1]); code != 1 || !strings.Contains(errs, "not a dead letter") {
		t.Errorf("retrying a closed request: %d %q", code, errs)
	}
	for state, ref := range map[string]string{"pending": refs[0], "closed": refs[1]} {
		if code, out, _ := kioskctl(t, "outbox", "list", "--config", cfg, "--state", state); code != 0 || !strings.Contains(out, ref) {
			t.Errorf("list %s: %d %q", state, code, out)
		}
	}
	code, out, _ = kioskctl(t, "journal", "list", "--config", cfg, "--ref", refs[1])
	var last journal.Event
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || code != 0 {
		t.Fatalf("journal: %d %q %v", code, out, err)
	}
	if last.Kind != journal.StaffClose || last.Actor != actingHere("staff-7", false) || last.Detail != "已在窗口线下办理" {
		t.Errorf("last journal event of %s: %+v", refs[1], last)
	}
	if strings.Contains(out, "13800001234") {
		t.Error("the journal printed a phone number")
	}
	// The receipt that did not print is listed; printing it needs the running kiosk.
	if code, out, errs := kioskctl(t, "receipt", "failed", "--config", cfg); code != 0 || !strings.Contains(out, "P260101000001") ||
		!strings.Contains(out, "打印机缺纸") || !strings.Contains(out, "1 to reprint") || strings.Contains(out, "张") {
		t.Fatalf("receipt failed: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "receipt", "reprint", "--config", cfg, "--actor", "staff-7", "P260101000001"); code != 1 || !strings.Contains(errs, "needs the running kiosk") {
		t.Errorf("reprint while the kiosk is stopped: %d %q", code, errs)
	}
	shot := filepath.Join(t.TempDir(), "screen.png")
	if code, _, errs := kioskctl(t, "kiosk", "screen", "--config", cfg, "--actor", "staff-7", "--out", shot); code != 1 || !strings.Contains(errs, "only while the kiosk runs") {
		t.Errorf("screen while the kiosk is stopped: %d %q", code, errs)
	}
	if _, err := os.Stat(shot); !os.IsNotExist(err) {
		t.Errorf("a picture file was left: %v", err)
	}
	if code, _, errs := kioskctl(t, "kiosk", "restart", "--config", cfg, "--actor", "staff-7"); code != 1 || !strings.Contains(errs, "not running") {
		t.Errorf("restart while the kiosk is stopped: %d %q", code, errs)
	}
	// An export opens with the same key.
	backup := filepath.Join(t.TempDir(), "copy", store.FileName)
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := kioskctl(t, "data", "backup", "--config", cfg, "--actor", "staff-7", "--out", backup); code != 0 || !strings.Contains(out, "bytes") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	key := filepath.Join(filepath.Dir(cfg), "data", "data.key")
	st, err := store.Open(store.Options{Dir: filepath.Dir(backup), KeyFile: key})
	if err != nil {
		t.Fatalf("the copy does not open with the kiosk's key: %v", err)
	}
	st.Close()
}

// Where each member of the hall's staff has a 工号 of their own, --actor is one of them,
// with or without 工号 before it, and the journal names them as maintenance mode does.
func TestActorIsAStaffMember(t *testing.T) {
	cfg, refs := kioskWithDeadLetters(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \"" + staffpin.DemoHash + "\"\n"); err != nil || f.Close() != nil {
		t.Fatal(err)
	}
	for _, actor := range []string{"0418", "工号 0418", "王芳", "staff-7"} {
		if code, _, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", actor, refs[0]); code != 2 || !strings.Contains(errs, "no member of the hall's staff") {
			t.Errorf("retry by %q: %d %q", actor, code, errs)
		}
	}
	if code, out, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "工号0417", refs[0]); code != 0 {
		t.Fatalf("retry: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", " 0417", "--reason", "offline", refs[1]); code != 0 {
		t.Fatalf("close: %d %q %q", code, out, errs)
	}
	for _, ref := range refs {
		code, out, _ := kioskctl(t, "journal", "list", "--config", cfg, "--ref", ref)
		var last journal.Event
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || code != 0 {
			t.Fatalf("journal: %d %q %v", code, out, err)
		}
		if last.Actor != actingHere("工号 0417 王芳", false) {
			t.Errorf("%s: journaled by %q", ref, last.Actor)
		}
	}
}

// While the kiosk runs it holds the database: staff commands go through its socket, and
// a retried request is sent at once.
func TestStaffCommandsWhileKioskRuns(t *testing.T) {
	cfg, refs := kioskWithDeadLetters(t)
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(cfg), "data")
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j := journal.New(st, nil)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: stafftest.Refuser{}, utility.Electricity: stafftest.Down{}}, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	ob.Start(context.Background())
	// The electricity utility cannot be reached: its request waits, held back.
	if _, err := ob.Submit(context.Background(), outbox.Request{Utility: utility.Electricity, Kind: utility.KindEvaluation, Order: "3100000001",
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}}, 0); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(ob.Held()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the electricity utility is not held back")
		}
	}
	l, err := staff.Listen(staff.SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	printed := 0
	cardLeft := time.Date(2026, 11, 26, 10, 32, 0, 0, workdays.CST)
	srv := staff.Server(&staff.Local{Store: st, Journal: j, Outbox: ob, Identity: staff.IdentityOf(c), Devices: func() []staff.Device {
		return []staff.Device{{Name: "printer", Detail: "缺纸"}}
	}, Print: func(_ context.Context, ref, actor string) (staff.Printed, error) {
		if printed++; printed == 1 {
			return staff.Printed{Detail: "打印机缺纸，请装入新纸卷"}, nil
		}
		return staff.Printed{OK: true}, nil
	}, Picture: func(context.Context) (image.Image, error) {
		return image.NewRGBA(image.Rect(0, 0, 128, 80)), nil
	}, CardLeft: func() time.Time { return cardLeft },
		Maintenance: func() *staff.MaintenanceOpen { return &staff.MaintenanceOpen{Actor: "工号0107", Since: cardLeft} },
		Relaunch: func(_ context.Context, _ string, force bool) error {
			if !force {
				return fmt.Errorf("%w by 工号0107 since 10:32", staff.ErrMaintenanceOpen)
			}
			return nil
		}}, slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	defer srv.Close()

	code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfg)
	if code != 0 || !strings.Contains(out, "kiosk: running (LZH-DEMO-01, reference code 245)") || !strings.Contains(out, "device printer  NOT OK: 缺纸") || !strings.Contains(out, "dead letters (for staff): 2") ||
		!strings.Contains(out, "receipts to reprint (补打): 1") || !strings.Contains(out, "payment orders being settled: 1") ||
		!strings.Contains(out, "ID card left on the reader since 2026-11-26 10:32") ||
		!strings.Contains(out, "maintenance mode open on the screen by 工号0107 since 2026-11-26 10:32") ||
		!strings.Contains(out, "waiting for electricity 1\n") || !strings.Contains(out, "\nutility electricity FAILING since ") ||
		!strings.Contains(out, " (unreachable): its requests wait, their attempts kept; ") ||
		!strings.Contains(out, ": 0 visits with an ID card, 0 without; 0 paid, ￥0.00; 0 applications, 0 transfers, 3 ratings sent; 2 set aside for staff; 0 receipts printed, 0 not whole") {
		t.Fatalf("status: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "outbox", "list", "--config", cfg); code != 0 || !strings.Contains(out, refs[1]) || !strings.Contains(out, "2 dead") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	retried := time.Now()
	if code, out, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "staff-7", refs[0]); code != 0 || !strings.Contains(out, "the kiosk is sending it") {
		t.Fatalf("retry: %d %q %q", code, out, errs)
	}
	// The running kiosk sends it at once; the water utility refuses it again.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s, err := ob.Status(refs[0])
		if err != nil {
			t.Fatal(err)
		}
		if s.State == outbox.Dead && s.LastTry.After(retried) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retried request was not sent: %+v", s)
		}
	}
	backup := filepath.Join(t.TempDir(), store.FileName)
	if code, out, errs := kioskctl(t, "data", "backup", "--config", cfg, "--actor", "staff-7", "--out", backup); code != 0 || !strings.Contains(out, "bytes") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	// 补打: the printer still out of paper, then printed.
	if code, _, errs := kioskctl(t, "receipt", "reprint", "--config", cfg, "--actor", "staff-7", "P260101000001"); code != 1 || !strings.Contains(errs, "请装入新纸卷") {
		t.Errorf("reprint, no paper: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "receipt", "reprint", "--config", cfg, "--actor", "staff-7", "P260101000001"); code != 0 || !strings.Contains(out, "printed again") {
		t.Errorf("reprint: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "receipt", "reprint", "--config", cfg, "P260101000001"); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("reprint without an actor: %d %q", code, errs)
	}
	shot := filepath.Join(t.TempDir(), "screen.png")
	if code, out, errs := kioskctl(t, "kiosk", "screen", "--config", cfg, "--actor", "staff-7", "--out", shot); code != 0 || !strings.Contains(out, "bytes") {
		t.Fatalf("screen: %d %q %q", code, out, errs)
	}
	if f, err := os.Open(shot); err != nil {
		t.Fatal(err)
	} else if img, err := png.Decode(f); f.Close() != nil || err != nil || img.Bounds().Dx() != 128 {
		t.Errorf("the picture: %v", err)
	}
	if code, _, errs := kioskctl(t, "kiosk", "screen", "--config", cfg, "--out", shot); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("screen without an actor: %d %q", code, errs)
	}
	// A colleague works in maintenance mode on the screen: a restart waits for --force.
	if code, _, errs := kioskctl(t, "kiosk", "restart", "--config", cfg, "--actor", "staff-7"); code != 1 || !strings.Contains(errs, "by 工号0107 since 10:32") || !strings.Contains(errs, "--force") {
		t.Errorf("restart with maintenance mode open: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "kiosk", "restart", "--config", cfg, "--actor", "staff-7", "--force"); code != 0 || !strings.Contains(out, "restarting") {
		t.Errorf("restart forced: %d %q %q", code, out, errs)
	}
}

func TestStaffCommandsWhenKioskCannotBeReached(t *testing.T) {
	cfg, _ := kioskWithDeadLetters(t)
	// A process holds the database and serves no socket (a kiosk still starting).
	st, err := store.Open(store.Options{Dir: filepath.Join(filepath.Dir(cfg), "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if code, _, errs := kioskctl(t, "outbox", "list", "--config", cfg); code != 1 || !strings.Contains(errs, "no kiosk answers on its staff socket") {
		t.Errorf("while the database is held: %d %q", code, errs)
	}
	// A wrong data folder is named, and no database is created there.
	other := filepath.Join(t.TempDir(), "kiosk.toml")
	empty := filepath.Join(filepath.Dir(other), "nothing")
	if err := os.WriteFile(other, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+empty+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := kioskctl(t, "journal", "list", "--config", other); code != 1 || !strings.Contains(errs, "no kiosk database") {
		t.Errorf("wrong folder: %d %q", code, errs)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("a data folder was created at %s", empty)
	}
	// A database without one of its buckets is refused as damaged, naming it (before,
	// journal list opened it and failed at the journal; outbox list showed the requests).
	damaged := filepath.Join(filepath.Dir(other), "damaged")
	storetest.FileWithoutBucket(t, damaged, store.BucketJournal)
	if err := os.WriteFile(other, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+damaged+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"journal", "list"}, {"outbox", "list"}} {
		if code, _, errs := kioskctl(t, append(cmd, "--config", other)...); code != 1 || !strings.Contains(errs, "the database file is damaged") || !strings.Contains(errs, `lacks the bucket "journal"`) {
			t.Errorf("%s on a database without the journal's bucket: %d %q", cmd, code, errs)
		}
	}
}

// Staff check each utility's API from the running kiosk: one line each, exit 1 while
// any does not answer as its API; with the kiosk stopped there is nothing to check from.
// simKiosk starts a kiosk whose utilities are the simulator's, but gas, which cannot be
// reached; it returns the kiosk, its configuration file and the simulator.
func simKiosk(t *testing.T) (*app.Kiosk, string, *utilitysim.Server) {
	t.Helper()
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sims.Close() })
	k, cfgPath := startKiosk(t, map[string]string{"electricity": sims.BaseURL("electricity"), "water": sims.BaseURL("water"),
		"gas": "http://127.0.0.1:1/v1", "broadband": sims.BaseURL("broadband")}, false)
	return k, cfgPath, sims
}

func TestKioskUtilities(t *testing.T) {
	k, cfgPath, sims := simKiosk(t)
	code, out, errs := kioskctl(t, "kiosk", "utilities", "--config", cfgPath)
	if code != 1 || !strings.Contains(errs, "1 of 4 utilities do not answer as their API") {
		t.Fatalf("utilities: %d %q %q", code, out, errs)
	}
	for _, want := range []string{"electricity ok, ", "; calls go to " + sims.BaseURL("electricity") + " (configuration)\n",
		"gas         NOT OK: unreachable; calls go to http://127.0.0.1:1/v1 (configuration)\n", "does not answer as the utility's API: utility gas: submissions.get: unavailable: dial tcp 127.0.0.1:1"} {
		if !strings.Contains(out, want) {
			t.Errorf("utilities do not say %q:\n%s", want, out)
		}
	}
	k.Close()
	if code, _, errs := kioskctl(t, "kiosk", "utilities", "--config", cfgPath); code != 1 || !strings.Contains(errs, "not running") {
		t.Fatalf("with the kiosk stopped: %d %q", code, errs)
	}
}

// While its utility is down, a citizen at the counter cancels a request the running
// kiosk still holds: staff list what waits and withdraw it, journaled with their staff
// number. One the utility has had since is not withdrawn: staff read that it was sent,
// and under which reference, not that it is "not a dead letter".
func TestOutboxWithdrawWhileKioskRuns(t *testing.T) {
	k, cfgPath, _ := simKiosk(t)
	to := utilitysim.DemoIdentities[2]
	submit := func(id string, wait time.Duration) outbox.Result {
		acct := utilitysim.AccountNumber(id, 0)
		res, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: id, Kind: utility.KindTransfer, Order: acct,
			Body: utility.Transfer{Account: acct, NewHolder: utility.Contact{Name: to.Name, IDNumber: to.IDNumber, Phone: to.Phone},
				PropertyCert: utilitysim.PropertyCert(0)}}, wait)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	waiting, sent := submit(utility.Gas, 0), submit(utility.Water, 5*time.Second)
	if sent.State != outbox.Done {
		t.Fatalf("water: %+v", sent)
	}
	if code, out, errs := kioskctl(t, "outbox", "list", "--config", cfgPath, "--state", "pending"); code != 0 || !strings.Contains(out, waiting.KioskRef+"  gas") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "outbox", "close", "--config", cfgPath, "--actor", "0417", "--reason", "withdrawn", waiting.KioskRef); code != 0 ||
		out != waiting.KioskRef+" closed\n" {
		t.Fatalf("withdraw: %d %q %q", code, out, errs)
	}
	code, out, errs := kioskctl(t, "outbox", "close", "--config", cfgPath, "--actor", "0417", "--reason", "withdrawn", sent.KioskRef)
	if want := "kioskctl outbox close: staff: " + sent.KioskRef + " was sent meanwhile and its utility has it (the utility's reference " + sent.UtilityRef +
		"): ask the utility to cancel it; it was not closed\n"; code != 1 || errs != want {
		t.Errorf("withdraw one sent: %d %q %q, want %q", code, out, errs, want)
	}
	code, out, _ = kioskctl(t, "journal", "list", "--config", cfgPath, "--ref", waiting.KioskRef)
	if code != 0 || !strings.Contains(out, `"kind":"staff.close","utility":"gas","ref":"`+waiting.KioskRef+`","actor":"`+actingHere("0417", true)+`","detail":"群众已撤回申请"`) {
		t.Errorf("journal of the withdrawn one: %d %q", code, out)
	}
	if code, out, _ := kioskctl(t, "journal", "list", "--config", cfgPath, "--ref", sent.KioskRef); code != 0 || strings.Contains(out, "staff.close") {
		t.Errorf("journal of the one sent: %d %q", code, out)
	}
}

// actingHere is the actor journaled for a command of name's that this test process ran:
// on the database (the kiosk stopped) kioskctl names its own account, through the
// running kiosk's socket the kiosk names the one that connected, this process's too.
func actingHere(name string, running bool) string {
	c := staff.Self()
	c.Self = !running
	return journal.Acting(name, c)
}
