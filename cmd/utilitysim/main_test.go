package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// Each kiosk given with -kiosk gets its own secrets from its folder under -secrets, or
// the demo secrets without it; an ID that is not one folder's name, one given twice or a
// kiosk without its files is refused.
func TestLoadKiosks(t *testing.T) {
	dir := t.TempDir()
	secretOf := func(kiosk, id string) string { return kiosk + "'s secret for " + id + ", at least 32 bytes" }
	for _, kiosk := range []string{"LZH-TAIHE-01", "LZH-TAIHE-02"} {
		if err := os.Mkdir(filepath.Join(dir, kiosk), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, id := range utilitysim.Utilities {
			if err := os.WriteFile(filepath.Join(dir, kiosk, id+".key"), []byte(secretOf(kiosk, id)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Remove(filepath.Join(dir, "LZH-TAIHE-02", "gas.key")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ids  []string
		dir  string
		err  string
	}{
		{"demo secrets", []string{"LZH-DEMO-01", "LZH-DEMO-02"}, "", ""},
		{"secrets of its own", []string{"LZH-TAIHE-01"}, dir, ""},
		{"a secret missing", []string{"LZH-TAIHE-01", "LZH-TAIHE-02"}, dir, "kiosk LZH-TAIHE-02: utility gas: secret:"},
		{"a kiosk without a folder", []string{"LZH-TAIHE-03"}, dir, "kiosk LZH-TAIHE-03: utility electricity: secret:"},
		{"out of the folder", []string{".."}, dir, `-kiosk "..": not a kiosk ID`},
		{"a path", []string{"LZH/01"}, "", `-kiosk "LZH/01": not a kiosk ID`},
		{"empty", []string{""}, "", `-kiosk "": not a kiosk ID`},
		{"twice", []string{"LZH-DEMO-01", "LZH-DEMO-01"}, "", "-kiosk LZH-DEMO-01: given twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadKiosks(tc.ids, tc.dir)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != len(tc.ids) {
				t.Fatalf("%v, %v", got, err)
			}
			for _, kiosk := range tc.ids {
				for _, id := range utilitysim.Utilities {
					want := ""
					if tc.dir != "" {
						want = secretOf(kiosk, id)
					}
					if s := string(got[kiosk][id]); s != want {
						t.Errorf("%s's secret for %s: %q, want %q", kiosk, id, s, want)
					}
				}
			}
		})
	}
}
