package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
)

// A bundle the kiosk left out at start (its utility's key changed since it was applied)
// is listed as left out, and why: the kiosk shows its own content, as its screen and its
// fleet status say.
func TestBundleListLeftOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "water-v5.json")
	if code, _, errs := kioskctl(t, "bundle", "sign", "--demo", "--utility", "water", "--version", "5", "--note", "新水价",
		"--info", "../../assets/info/water.toml", "--out", file); code != 0 {
		t.Fatal(errs)
	}
	k, cfgPath := startKiosk(t, nil, false)
	if code, out, errs := kioskctl(t, "bundle", "apply", "--config", cfgPath, "--actor", "staff-7", file); code != 0 {
		t.Fatalf("apply: %d %q %q", code, out, errs)
	}
	k.Close()
	// Water's key is changed in the configuration: the bundle signed with the old one is
	// left out at the next start.
	pub, _, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("[utilities.water]\nbundle_key = \"" + bundle.EncodePublicKey(pub) + "\"\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if runKiosk(t, cfg, nil).BundleShown("water") != 0 {
		t.Fatal("the bundle of the old key is shown")
	}
	code, out, errs := kioskctl(t, "bundle", "list", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "water       version 5, applied") ||
		!strings.Contains(out, "            left out: bundle: the signature does not verify: ") ||
		!strings.Contains(out, "; the kiosk shows its own content\n") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
}
