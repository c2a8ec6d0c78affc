package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/store"
)

// A backup or a picture of the screen is never written over the kiosk's own files: its
// database (the live kiosk would go on writing into a file nobody opens again, and the
// next start would find the copy's older state), anything in its data folder, or its
// data key; and never over another file unless staff say --force.
func TestExportRefusesTheKiosksFiles(t *testing.T) {
	dir := t.TempDir()
	data, key := filepath.Join(dir, "data"), filepath.Join(dir, "keys", "data.key")
	cfg := filepath.Join(dir, "kiosk.toml")
	if err := os.WriteFile(cfg, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+data+"\"\nkey_file = \""+key+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: data, KeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db := filepath.Join(data, store.FileName)
	outside := t.TempDir()
	toData := filepath.Join(outside, "to-data")
	if err := os.Symlink(data, toData); err != nil {
		t.Fatal(err)
	}
	earlier := filepath.Join(outside, "earlier.db")
	if err := os.WriteFile(earlier, []byte("an earlier copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The files that must stay: the same files, and but for the database (which journals
	// each export) the same bytes.
	own, bytesOf := map[string]os.FileInfo{}, map[string][]byte{}
	for _, f := range []string{db, key, earlier} {
		if own[f], err = os.Stat(f); err != nil {
			t.Fatal(err)
		}
		if f != db {
			bytesOf[f], _ = os.ReadFile(f)
		}
	}
	for _, tc := range []struct {
		name string
		args []string // after --config and --actor
		code int
		err  string
	}{
		{"backup over the database", []string{"data", "backup", "--out", db}, 2, "is the kiosk's database"},
		{"backup over the database, forced", []string{"data", "backup", "--force", "--out", db}, 2, "is the kiosk's database"},
		{"backup into the data folder", []string{"data", "backup", "--out", filepath.Join(data, "copy.db")}, 2, "lies in the kiosk's data folder"},
		{"backup into the data folder by a link", []string{"data", "backup", "--out", filepath.Join(toData, "copy.db")}, 2, "lies in the kiosk's data folder"},
		{"backup over the key file", []string{"data", "backup", "--force", "--out", key}, 2, "is the kiosk's data key file"},
		{"screen into the data folder", []string{"kiosk", "screen", "--out", filepath.Join(data, "screen.png")}, 2, "lies in the kiosk's data folder"},
		{"backup over an earlier copy", []string{"data", "backup", "--out", earlier}, 2, "exists: give --force to replace it"},
		{"screen over an earlier file", []string{"kiosk", "screen", "--out", earlier}, 2, "exists: give --force to replace it"},
		{"backup to a new file", []string{"data", "backup", "--out", filepath.Join(outside, "new.db")}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], tc.args[1], "--config", cfg, "--actor", "staff-7"}, tc.args[2:]...)
			code, out, errs := kioskctl(t, args...)
			if code != tc.code || !strings.Contains(errs, tc.err) {
				t.Fatalf("exit %d, %q %q; want %d, %q", code, out, errs, tc.code, tc.err)
			}
			for f, was := range own {
				now, err := os.Stat(f)
				if b, ok := bytesOf[f]; err != nil || !os.SameFile(was, now) || ok && !sameBytes(f, b) {
					t.Fatalf("%s was replaced or changed", f)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(data, ".*")); len(left) > 0 {
				t.Errorf("left in the data folder: %v", left)
			}
		})
	}
	// --force replaces an earlier copy of one's own; the copy opens with the kiosk's key.
	if code, out, errs := kioskctl(t, "data", "backup", "--config", cfg, "--actor", "staff-7", "--force", "--out", earlier); code != 0 {
		t.Fatalf("backup --force: %d %q %q", code, out, errs)
	}
	if b, _ := os.ReadFile(earlier); bytes.Equal(b, []byte("an earlier copy")) {
		t.Fatal("--force did not replace the earlier copy")
	}
}

func sameBytes(path string, want []byte) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.Equal(b, want)
}
