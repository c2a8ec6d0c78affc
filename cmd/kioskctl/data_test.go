package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

// refuser is a utility that refuses every request for good.
type refuser struct{}

func (refuser) Forward(context.Context, utility.Submission) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation,
		Message: "户号 42001003 已销户，联系电话 13800001234"}
}

func (refuser) Lookup(context.Context, string) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404}
}

// kioskWithDeadLetters leaves a data folder as a kiosk would: two requests the water
// utility refused, set aside for staff. It returns the configuration file and the refs.
func kioskWithDeadLetters(t *testing.T) (cfgPath string, refs []string) {
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
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: refuser{}}, outbox.Options{})
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
	ob.Close()
	st.Close()
	return cfgPath, refs
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
	// Retry one, close the other; both are journaled with the staff member.
	if code, out, errs := kioskctl(t, "outbox", "retry", "--config", cfg, "--actor", "staff-7", refs[0]); code != 0 {
		t.Fatalf("retry: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", "staff-7", refs[1]); code != 2 || !strings.Contains(errs, "usage") {
		t.Errorf("close without a reason: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "outbox", "close", "--config", cfg, "--actor", "staff-7", "--reason", "市民已到窗口办理", refs[1]); code != 0 {
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
	if last.Kind != journal.StaffClose || last.Actor != "staff-7" || last.Detail != "市民已到窗口办理" {
		t.Errorf("last journal event of %s: %+v", refs[1], last)
	}
	if strings.Contains(out, "13800001234") {
		t.Error("the journal printed a phone number")
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

func TestOutboxWhileKioskRuns(t *testing.T) {
	cfg, _ := kioskWithDeadLetters(t)
	// The kiosk holds the database.
	st, err := store.Open(store.Options{Dir: filepath.Join(filepath.Dir(cfg), "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if code, _, errs := kioskctl(t, "outbox", "list", "--config", cfg); code != 1 || !strings.Contains(errs, "stop the kiosk first") {
		t.Errorf("while the kiosk runs: %d %q", code, errs)
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
}
