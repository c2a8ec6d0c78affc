package main

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
)

// thisYear and nextYear are this year and the next in China time: a bundle effective on
// the first day of the next is held for later, and is signed within bundle.MaxValidity.
var (
	thisYear = strconv.Itoa(time.Now().In(time.FixedZone("CST", 8*3600)).Year())
	nextYear = strconv.Itoa(time.Now().In(time.FixedZone("CST", 8*3600)).Year() + 1)
)

// A utility's engineer makes a key, the kiosk's configuration takes its public key, the
// engineer signs the utility's information file, and inspect with the public key says
// the bundle is good.
func TestBundleKeygenSignInspect(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "electricity.pem")
	code, out, errs := runCmd("", "bundle", "keygen", "--out", keyPath)
	if code != 0 {
		t.Fatalf("keygen: %d %q", code, errs)
	}
	line := regexp.MustCompile(`^bundle_key = "(ed25519:[A-Za-z0-9+/]{43}=)"\n$`).FindStringSubmatch(out)
	if line == nil || !strings.Contains(errs, "[utilities.<id>]") || !strings.Contains(errs, "never on a kiosk") {
		t.Fatalf("keygen printed %q, %q", out, errs)
	}
	pubText := line[1]
	if st, err := os.Stat(keyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	priv, err := bundle.ReadPrivateKey(keyPath)
	if err != nil || bundle.EncodePublicKey(priv.Public().(ed25519.PublicKey)) != pubText {
		t.Fatalf("the key file does not hold the printed key's pair: %v", err)
	}
	// The line goes into a configuration as it is.
	cfg, err := config.Parse([]byte("[kiosk]\ndemo = true\n[utilities.electricity]\n"+out), "k.toml")
	if err != nil || cfg.Utilities.Electricity.BundleKey != pubText {
		t.Fatalf("a configuration with the key: %v", err)
	}
	// A key is never overwritten.
	before, _ := os.ReadFile(keyPath)
	if code, out, errs := runCmd("", "bundle", "keygen", "--out", keyPath); code != 1 || out != "" ||
		errs != "kioskctl bundle keygen: "+keyPath+" already exists: kioskctl does not overwrite a key; give another --out\n" {
		t.Fatalf("keygen over a key: %d %q %q", code, out, errs)
	}
	if after, _ := os.ReadFile(keyPath); string(after) != string(before) {
		t.Fatal("the key was overwritten")
	}

	bundlePath := filepath.Join(dir, "electricity-v7.json")
	start := time.Now().Add(-time.Second)
	code, out, errs = runCmd("", "bundle", "sign", "--key", keyPath, "--utility", "electricity", "--version", "7",
		"--expires", "48h", "--note", "居民电价调整", "--info", "../../assets/info/electricity.toml", "--out", bundlePath)
	if code != 0 || !regexp.MustCompile(`^electricity v7 \(1 file, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\n$`).MatchString(out) ||
		!strings.Contains(errs, "wrote "+bundlePath) {
		t.Fatalf("sign: %d %q %q", code, out, errs)
	}
	if st, err := os.Stat(bundlePath); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("bundle file: %v, %v", st, err)
	}
	data, _ := os.ReadFile(bundlePath)
	b, err := bundle.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.ReadFile("../../assets/info/electricity.toml")
	if m := b.Manifest; m.Utility != "electricity" || m.Version != 7 || m.Note != "居民电价调整" || m.Created.Before(start) ||
		m.Created.After(time.Now()) || m.Expires.Sub(m.Created) != 48*time.Hour || string(b.Files[bundle.InfoFile]) != string(info) {
		t.Fatalf("the bundle: %+v", m)
	}

	// Both files.
	both := filepath.Join(dir, "electricity-v8.json")
	code, out, errs = runCmd("", "bundle", "sign", "--key", keyPath, "--utility", "electricity", "--version", "8",
		"--info", "../../assets/info/electricity.toml", "--catalog", "../../assets/catalog/electricity.toml", "--out", both)
	if code != 0 || !strings.HasPrefix(out, "electricity v8 (2 files, expires ") {
		t.Fatalf("sign both: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCmd("", "bundle", "inspect", "--key", pubText, both); code != 0 || !strings.HasSuffix(out, "signature: ok\n") {
		t.Fatalf("inspect both: %d %q %q", code, out, errs)
	}

	// Taking effect later: in China Standard Time, or as RFC 3339.
	for _, when := range []string{nextYear + "-01-01 00:00", nextYear + "-01-01", nextYear + "-01-01T00:00:00+08:00"} {
		later := filepath.Join(dir, "electricity-v9.json")
		code, out, errs = runCmd("", "bundle", "sign", "--key", keyPath, "--utility", "electricity", "--version", "9",
			"--effective", when, "--info", "../../assets/info/electricity.toml", "--out", later)
		if code != 0 || !strings.HasSuffix(out, ", effective "+thisYear+"-12-31T16:00:00Z)\n") || !strings.Contains(errs, "apply it at "+nextYear+"-01-01 00:00 (UTC+8)") {
			t.Fatalf("sign --effective %q: %d %q %q", when, code, out, errs)
		}
		data, _ := os.ReadFile(later)
		if b, err := bundle.Parse(data); err != nil || b.Manifest.Effective.UTC().Format(time.RFC3339) != thisYear+"-12-31T16:00:00Z" {
			t.Fatalf("--effective %q: %v %v", when, b, err)
		}
	}

	// inspect, without a key: the manifest.
	code, out, errs = runCmd("", "bundle", "inspect", bundlePath)
	var m bundle.Manifest
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil || m.Version != 7 || !strings.Contains(out, "\n  \"utility\": \"electricity\",\n") || errs != "" {
		t.Fatalf("inspect: %d %q %q", code, out, errs)
	}
	// With the key, before or after the file: verified.
	for _, args := range [][]string{{bundlePath, "--key", pubText}, {"--key", pubText, bundlePath}} {
		code, out, errs = runCmd("", append([]string{"bundle", "inspect"}, args...)...)
		if code != 0 || !strings.HasSuffix(out, "}\nsignature: ok\n") || errs != "" {
			t.Fatalf("inspect %v: %d %q %q", args, code, out, errs)
		}
	}
	// With another utility's key: refused.
	_, other := runCmdKey(t, dir)
	code, out, errs = runCmd("", "bundle", "inspect", bundlePath, "--key", other)
	if code != 1 || strings.Contains(out, "signature: ok") ||
		errs != "kioskctl bundle inspect: bundle: the signature does not verify: bundle electricity v7 is not signed with electricity's configured key\n" {
		t.Fatalf("inspect with another key: %d %q %q", code, out, errs)
	}
}

// runCmdKey makes a key with keygen and returns its file and public key.
func runCmdKey(t *testing.T, dir string) (path, pub string) {
	t.Helper()
	f, err := os.CreateTemp(dir, "key-*.pem")
	if err != nil {
		t.Fatal(err)
	}
	path = f.Name()
	f.Close()
	os.Remove(path)
	code, out, errs := runCmd("", "bundle", "keygen", "--out", path)
	if code != 0 {
		t.Fatalf("keygen: %q", errs)
	}
	return path, strings.TrimSuffix(strings.TrimPrefix(out, `bundle_key = "`), "\"\n")
}

// Mistakes in the command line are exit status 2 with what is wrong, then the usage;
// bundles the kiosk would refuse, unreadable or open keys are exit status 1 in one line.
func TestBundleRefusals(t *testing.T) {
	dir := t.TempDir()
	key, pub := runCmdKey(t, dir)
	openKey := filepath.Join(dir, "open.pem")
	keyBytes, _ := os.ReadFile(key)
	if err := os.WriteFile(openKey, keyBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(openKey, 0o644)
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	elecInfo := "../../assets/info/electricity.toml"
	elecInfoData, err := os.ReadFile(elecInfo)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	good := filepath.Join(dir, "good.json")
	if code, _, errs := runCmd("", "bundle", "sign", "--key", key, "--utility", "electricity", "--version", "1", "--info", elecInfo, "--out", good); code != 0 {
		t.Fatal(errs)
	}
	goodData, _ := os.ReadFile(good)
	tampered := write("tampered.json", strings.Replace(string(goodData), `"info.toml": "`, `"info.toml": "AAAA`, 1))
	expired := filepath.Join(dir, "expired.json")
	if code, _, errs := runCmd("", "bundle", "sign", "--key", key, "--utility", "electricity", "--version", "1", "--info", elecInfo,
		"--expires", "1ns", "--out", expired); code != 0 {
		t.Fatal(errs)
	}
	pubFile := write("pub.txt", pub)
	os.Chmod(pubFile, 0o600)
	brokenCatalog := write("broken-catalog.toml", "utility = \"electricity\"\nname = \"供电\"\n")
	sign := func(extra ...string) []string {
		return append([]string{"bundle", "sign", "--key", key, "--utility", "electricity", "--version", "2", "--out", out}, extra...)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"keygen without --out", []string{"bundle", "keygen"}, 2, "kioskctl bundle keygen: --out is required\n"},
		{"keygen with an argument", []string{"bundle", "keygen", "--out", filepath.Join(dir, "k.pem"), "extra"}, 2, `unexpected argument "extra"`},
		{"keygen into no folder", []string{"bundle", "keygen", "--out", filepath.Join(dir, "none", "k.pem")}, 1, "no such file or directory"},
		{"sign without anything", []string{"bundle", "sign"}, 2, "kioskctl bundle sign: --key is required\nkioskctl bundle sign: --utility is required\nkioskctl bundle sign: --out is required\n"},
		{"sign without files", sign(), 2, "kioskctl bundle sign: one or more of --info FILE, --catalog FILE, --endpoint FILE\n"},
		{"sign without a version", []string{"bundle", "sign", "--key", key, "--utility", "gas", "--info", elecInfo, "--out", out}, 2, "--version is required: 1 or more"},
		{"sign a version not a number", sign("--version", "v2"), 2, `invalid value "v2" for flag -version`},
		{"sign for an unknown utility", []string{"bundle", "sign", "--key", key, "--utility", "power", "--version", "2", "--info", elecInfo, "--out", out}, 2,
			`--utility "power": give one of electricity, water, gas, broadband`},
		{"sign already expired", sign("--info", elecInfo, "--expires", "-1h"), 2, "--expires -1h0m0s: give how long kiosks may apply the bundle"},
		{"sign for ten years", sign("--info", elecInfo, "--expires", "87600h"), 2, "--expires 87600h0m0s: at most 8784h0m0s (366 days)"},
		{"sign effective in the past", sign("--info", elecInfo, "--effective", "2020-01-01"), 2, "--effective 2020-01-01 is not in the future"},
		{"sign effective tomorrow", sign("--info", elecInfo, "--effective", "tomorrow"), 2, `--effective "tomorrow": give 2027-01-01 00:00 (China Standard Time)`},
		{"sign over the key", []string{"bundle", "sign", "--key", key, "--utility", "electricity", "--version", "2", "--info", elecInfo, "--out", key}, 2, "kioskctl bundle sign: --out would overwrite " + key + ", one of the inputs\n"},
		{"sign with an open key", sign("--info", elecInfo, "--key", openKey), 1, "kioskctl bundle sign: bundle: private key file " + openKey + " is open to other users (mode -rw-r--r--); run chmod 600 on it\n"},
		{"sign with no key", sign("--info", elecInfo, "--key", filepath.Join(dir, "none.pem")), 1, "no such file or directory"},
		{"sign with a public key", sign("--info", elecInfo, "--key", pubFile), 1, "kioskctl bundle sign: bundle: private key file " + pubFile + ": no PEM block"},
		{"sign a missing file", sign("--info", filepath.Join(dir, "none.toml")), 1, "none.toml: no such file or directory"},
		{"sign a device named by mistake", sign("--info", "/dev/zero"), 1, "/dev/zero is not a file"},
		{"sign water's information", sign("--info", "../../assets/info/water.toml"), 1,
			"kioskctl bundle sign: bundle: out of the utility's scope: file info.toml is for utility \"water\"; the bundle is electricity's\n"},
		{"sign information that is not TOML", sign("--info", write("bad.toml", "utility = electricity\n")), 1, "kioskctl bundle sign: bundle: malformed: file info.toml: not valid TOML"},
		{"sign a catalogue the kiosk refuses", sign("--catalog", brokenCatalog), 1, "kioskctl bundle sign: the kiosk would refuse " + brokenCatalog + ": catalog: " + brokenCatalog + ":2: name: a utility needs name and name_en\n"},
		{"sign a catalogue named common.toml", sign("--catalog", write("common.toml", "utility = \"electricity\"\n")), 1, "catalog: electricity.toml:"},
		{"sign an endpoint over plain http", sign("--endpoint", write("endpoint.toml", "utility = \"electricity\"\nbase_url = \"http://api.power.example.cn/v1\"\n")), 1,
			"kioskctl bundle sign: the kiosk would refuse " + filepath.Join(dir, "endpoint.toml") + ": endpoint: " + filepath.Join(dir, "endpoint.toml") + ":2: base_url: must use https (plain http is allowed on loopback only)\n"},
		{"sign information under water's name", sign("--info", write("info-named-water.toml", strings.Replace(string(elecInfoData), `title = "供电信息公开"`, `title = "供水信息公开"`, 1))), 1,
			"kioskctl bundle sign: bundle: out of the utility's scope: " + filepath.Join(dir, "info-named-water.toml") + `: title "供水信息公开" holds "供水", the name of utility water: a utility's bundle shows its content under its own name only` + "\n"},
		{"sign information the kiosk refuses", sign("--info", write("info.toml", "utility = \"electricity\"\ntitle = \"供电\"\n")), 1, "kioskctl bundle sign: the kiosk would refuse "},
		{"inspect without a file", []string{"bundle", "inspect"}, 2, "kioskctl bundle inspect: give the bundle FILE\n"},
		{"inspect two files", []string{"bundle", "inspect", good, good}, 2, "usage: kioskctl bundle inspect FILE [--key ed25519:…]\n"},
		{"inspect with a bad key", []string{"bundle", "inspect", good, "--key", "abc"}, 2, "kioskctl bundle inspect: --key: a public key starts with \"ed25519:\"\n"},
		{"inspect a missing file", []string{"bundle", "inspect", filepath.Join(dir, "none.json")}, 1, "no such file or directory\n"},
		{"inspect a tampered bundle", []string{"bundle", "inspect", tampered}, 1, "kioskctl bundle inspect: bundle: malformed: file info.toml: its SHA-256 is "},
		{"inspect a key file", []string{"bundle", "inspect", key}, 1, "kioskctl bundle inspect: bundle: malformed: envelope: not JSON: "},
		{"inspect an expired bundle", []string{"bundle", "inspect", expired, "--key", pub}, 1, "kioskctl bundle inspect: bundle: expired: bundle electricity v1 expired at "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, errs := runCmd("", tc.args...)
			t.Log(errs)
			if code != tc.code || !strings.Contains(errs, tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d, …%s…", code, errs, tc.code, tc.err)
			}
			lines := strings.Count(errs, "\n")
			if tc.code == 1 && lines != 1 {
				t.Fatalf("stderr %q: want one line", errs)
			}
			if tc.code == 2 && !strings.Contains(errs, "usage: kioskctl bundle ") {
				t.Fatalf("stderr %q: want the usage", errs)
			}
			if strings.Contains(stdout, "signature: ok") || (tc.args[1] == "sign" && stdout != "") {
				t.Fatalf("stdout %q", stdout)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused bundle was written: %v", err)
	}
}
