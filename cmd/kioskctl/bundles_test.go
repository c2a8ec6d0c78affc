package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// Staff apply a utility's bundle on the running kiosk, list what each utility shows and
// roll the bundle back; with the kiosk stopped the list still reads, the rest says the
// kiosk must run.
func TestBundleStaffCommands(t *testing.T) {
	dir := t.TempDir()
	info, err := os.ReadFile("../../assets/info/water.toml")
	if err != nil {
		t.Fatal(err)
	}
	info = bytes.Replace(info, []byte(`title = "`), []byte(`title = "新版`), 1)
	infoPath, file := filepath.Join(dir, "water-info.toml"), filepath.Join(dir, "water.bundle.json")
	if err := os.WriteFile(infoPath, info, 0o644); err != nil {
		t.Fatal(err)
	}
	// The demo key signs for a demo kiosk: the whole way a utility's bundle goes.
	if code, out, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "5", "--note", "新水价",
		"--info", infoPath, "--out", file); code != 0 || !strings.Contains(out, "water v5") {
		t.Fatalf("sign --demo: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--key", file, "--utility", "water", "--version", "6",
		"--info", infoPath, "--out", file+"2"); code != 2 || !strings.Contains(errs, "not both") {
		t.Fatalf("sign --demo --key: %d %q", code, errs)
	}
	k, cfgPath := startKiosk(t, nil, false)

	if code, out, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", file); code != 0 || !strings.Contains(out, "water: version 5 applied") {
		t.Fatalf("apply: %d %q %q", code, out, errs)
	}
	if c, _ := k.Info().Utility("water"); !strings.HasPrefix(c.Title.ZH, "新版") {
		t.Fatalf("the kiosk shows %q", c.Title.ZH)
	}
	if code, _, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", file); code != 1 || !strings.Contains(errs, "not newer") {
		t.Fatalf("apply again: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "list", "--config", cfgPath); code != 0 || !strings.Contains(out, "water       version 5, applied") ||
		!strings.Contains(out, "by staff-7") || !strings.Contains(out, "新水价") || !strings.Contains(out, "gas         the kiosk's own content") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	// The utility moves its API: the kiosk asks there first, then sends water's calls there.
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Close()
	endpointPath, moved := filepath.Join(dir, "water-endpoint.toml"), filepath.Join(dir, "water-v6.json")
	if err := os.WriteFile(endpointPath, []byte("utility = \"water\"\nbase_url = \""+sims.BaseURL("water")+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "6", "--note", "接口迁移",
		"--info", infoPath, "--endpoint", endpointPath, "--out", moved); code != 0 || !strings.Contains(out, "water v6 (2 files") {
		t.Fatalf("sign --endpoint: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", moved); code != 0 || !strings.Contains(out, "water: version 6 applied") {
		t.Fatalf("apply the endpoint: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "list", "--config", cfgPath); code != 0 || !strings.Contains(out, "接口迁移\n            calls go to "+sims.BaseURL("water")+"\n") ||
		!strings.Contains(out, "a rollback goes to version 5") {
		t.Fatalf("list with an endpoint: %d %q %q", code, out, errs)
	}
	for range 2 {
		if code, out, errs := kioskctl(t, "bundle", "rollback", "--config", cfgPath, "--actor", "staff-7", "water"); code != 0 || !strings.Contains(out, "water: rolled back") {
			t.Fatalf("rollback: %d %q %q", code, out, errs)
		}
	}
	if code, _, errs := kioskctl(t, "bundle", "rollback", "--config", cfgPath, "--actor", "staff-7", "water"); code != 1 || !strings.Contains(errs, "nothing to roll back") {
		t.Fatalf("rollback again: %d %q", code, errs)
	}
	// A new water price from the new year: held, and listed so.
	later := filepath.Join(dir, "water-v7.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "7", "--note", "新年水价",
		"--effective", nextYear+"-01-01", "--info", infoPath, "--out", later); code != 0 {
		t.Fatalf("sign --effective: %q", errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", later); code != 0 ||
		out != "water: version 7 held, to be applied at "+nextYear+"-01-01 00:00 (UTC+8)\n" {
		t.Fatalf("apply for later: %d %q %q", code, out, errs)
	}
	k.Close()
	if code, out, errs := kioskctl(t, "bundle", "list", "--config", cfgPath); code != 0 || !strings.Contains(out, "water       the kiosk's own content (newest version applied: 6)") ||
		!strings.Contains(out, "water       version 7 held, to be applied at "+nextYear+"-01-01 00:00 (UTC+8) (received ") || !strings.Contains(out, " from "+actingHere("staff-7", true)+")\n            新年水价\n") {
		t.Fatalf("list with the kiosk stopped: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", file); code != 1 || !strings.Contains(errs, "not running") {
		t.Fatalf("apply with the kiosk stopped: %d %q", code, errs)
	}
}

// Staff drop a bundle a utility sent by mistake, held for later, on the running kiosk:
// it is listed as dropped, the same version sent again is refused, and dropping with
// nothing held, or with the kiosk stopped, says why.
func TestBundleDrop(t *testing.T) {
	dir := t.TempDir()
	infoPath, later := filepath.Join(dir, "water-info.toml"), filepath.Join(dir, "water-v7.json")
	info, err := os.ReadFile("../../assets/info/water.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(infoPath, info, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "7", "--note", "错发的水价",
		"--effective", nextYear+"-01-01", "--info", infoPath, "--out", later); code != 0 {
		t.Fatalf("sign --effective: %q", errs)
	}
	k, cfgPath := startKiosk(t, nil, false)
	if code, out, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", later); code != 0 || !strings.Contains(out, "version 7 held") {
		t.Fatalf("apply for later: %d %q %q", code, out, errs)
	}
	if code, _, errs := kioskctl(t, "bundle", "drop", "--config", cfgPath, "water"); code != 2 || !strings.Contains(errs, "--actor is required") {
		t.Errorf("drop without an actor: %d %q", code, errs)
	}
	if code, out, errs := kioskctl(t, "bundle", "drop", "--config", cfgPath, "--actor", "staff-9", "water"); code != 0 ||
		out != "water: version 7, held for later, dropped: it will not take effect, and that version is refused if sent again (the utility sends a newer one)\n" {
		t.Fatalf("drop: %d %q %q", code, out, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"drop", "--config", cfgPath, "--actor", "staff-9", "water"}, "no bundle is held for later for water"},
		{[]string{"drop", "--config", cfgPath, "--actor", "staff-9", "gas"}, "no bundle is held for later for gas"},
		{[]string{"apply", "--config", cfgPath, "--actor", "staff-7", later}, "water version 7, and version 7 was dropped: send a newer version"},
	} {
		if code, _, errs := kioskctl(t, append([]string{"bundle"}, tc.args...)...); code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("bundle %s: %d %q, want …%s…", strings.Join(tc.args, " "), code, errs, tc.want)
		}
	}
	if code, out, errs := kioskctl(t, "bundle", "list", "--config", cfgPath); code != 0 || strings.Contains(out, "held, to be applied") ||
		!strings.Contains(out, "water       version 7 dropped by staff while held: a bundle sent again must be newer\n") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "journal", "list", "--config", cfgPath); code != 0 ||
		!strings.Contains(out, `"kind":"bundle.dropped","utility":"water","actor":"`+actingHere("staff-9", true)+`","detail":"version 7, effective `+thisYear+`-12-31T16:00:00Z: 错发的水价"`) {
		t.Errorf("journal: %d %q %q", code, out, errs)
	}
	k.Close()
	if code, _, errs := kioskctl(t, "bundle", "drop", "--config", cfgPath, "--actor", "staff-9", "water"); code != 1 || !strings.Contains(errs, "not running") {
		t.Errorf("drop with the kiosk stopped: %d %q", code, errs)
	}
}
