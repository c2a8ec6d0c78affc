package bundle

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse: Parse never panics, refuses only with ErrMalformed in one line, and a
// bundle it takes is verified by its utility's key alone: another key never verifies
// it. The seeds (testdata/fuzz/FuzzParse) are good bundles and broken ones.
func FuzzParse(f *testing.F) {
	otherPub, _, err := GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			if b != nil || !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse: %v, %v", b, err)
			}
			return
		}
		if len(b.Files) == 0 || len(b.Files) != len(b.Manifest.Files) || b.Manifest.Version == 0 || b.String() == "" {
			t.Fatalf("Parse took %v: %+v", b, b.Manifest)
		}
		for name, d := range b.Files {
			if b.Manifest.Files[name] != digest(d) {
				t.Fatalf("%s: digest %s, file %s", name, b.Manifest.Files[name], digest(d))
			}
		}
		id := b.Manifest.Utility
		if err := b.Verify(map[string]ed25519.PublicKey{id: otherPub}, b.Manifest.Created); !errors.Is(err, ErrSignature) {
			t.Fatalf("Verify with another key: %v", err)
		}
		if err := b.Verify(nil, b.Manifest.Created); !errors.Is(err, ErrNoKey) {
			t.Fatalf("Verify without keys: %v", err)
		}
		// With the seeds' key: any answer but a panic (a seed is good).
		b.Verify(map[string]ed25519.PublicKey{id: testPub()}, created.Add(time.Hour))
		b.CheckScope()
	})
}

// FuzzCheckScope: any file content gives nil, ErrScope or ErrMalformed, never a panic
// nor a crash of the TOML decoder.
func FuzzCheckScope(f *testing.F) {
	for _, seed := range []string{
		"utility = \"gas\"\n",
		"utility = \"water\"\n[a]\nb = [1, [2, {c.d = 3}]]\n",
		"[[service.field]]\nid = \"x\"\n",
		`a = """[[["""` + "\nb = '''{{'''\n# [[[\n",
		"utility = 1\n",
		"x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &Bundle{Manifest: Manifest{Utility: "gas"}, Files: map[string][]byte{InfoFile: data}}
		err := b.CheckScope()
		if err != nil && !errors.Is(err, ErrScope) && !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("two lines: %v", err)
		}
	})
}
