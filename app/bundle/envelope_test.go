package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The fixed times of the tests' bundles.
var (
	created = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	expires = time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC)
)

// testKey is a fixed key (the golden file is signed with it).
func testKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kiosk bundle test key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

func testPub() ed25519.PublicKey { return testKey().Public().(ed25519.PublicKey) }

// smallFiles are an electricity bundle's files, short enough to read in the golden file.
func smallFiles() map[string][]byte {
	return map[string][]byte{
		InfoFile:    []byte("utility = \"electricity\"\ntitle = \"供电信息公开\"\nversion = \"2026.11.26\"\n"),
		CatalogFile: []byte("utility = \"electricity\"\nname = \"供电\"\nversion = \"2026.11.26\"\n"),
	}
}

func testManifest() Manifest {
	return Manifest{Utility: "electricity", Version: 8, Created: created, Expires: expires, Note: "居民电价第二档调整"}
}

// validEnvelope is a good bundle: electricity v8, signed with testKey.
func validEnvelope(t testing.TB) []byte {
	t.Helper()
	data, err := Sign(testKey(), testManifest(), smallFiles())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func asset(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../assets", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit decodes an envelope and its manifest into maps, lets f change them, and encodes
// them again; with a key, the new manifest is signed again, else the old signature stays.
func edit(t testing.TB, data []byte, key ed25519.PrivateKey, f func(env, man map[string]any)) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	mb, err := base64.StdEncoding.DecodeString(env["manifest"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var man map[string]any
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.UseNumber()
	if err := dec.Decode(&man); err != nil {
		t.Fatal(err)
	}
	f(env, man)
	if mb, err = json.Marshal(man); err != nil {
		t.Fatal(err)
	}
	env["manifest"] = base64.StdEncoding.EncodeToString(mb)
	if key != nil {
		env["signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, mb))
	}
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setFile puts a file in an envelope being edited, with its digest in the manifest.
func setFile(env, man map[string]any, name string, data []byte) {
	env["files"].(map[string]any)[name] = base64.StdEncoding.EncodeToString(data)
	man["files"].(map[string]any)[name] = digest(data)
}

// A bundle of each utility's real files, signed with a fresh key, parses to the same
// files and manifest and verifies with that key.
func TestSignParseVerify(t *testing.T) {
	for _, id := range []string{"electricity", "water", "gas", "broadband"} {
		t.Run(id, func(t *testing.T) {
			pub, priv, err := GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{InfoFile: asset(t, "info/"+id+".toml"), CatalogFile: asset(t, "catalog/"+id+".toml")}
			now := time.Now()
			m := Manifest{Utility: id, Version: 3, Created: now, Expires: now.Add(720 * time.Hour), Note: "new tariffs"}
			data, err := Sign(priv, m, files)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			other := "water"
			if id == other {
				other = "gas"
			}
			if err := b.Verify(map[string]ed25519.PublicKey{id: pub, other: testPub()}, now); err != nil {
				t.Fatal(err)
			}
			got := b.Manifest
			if got.Utility != id || got.Version != 3 || !got.Created.Equal(now) || !got.Expires.Equal(m.Expires) || got.Note != m.Note ||
				got.Created.Location() != time.UTC || len(got.Files) != 2 {
				t.Errorf("manifest %+v", got)
			}
			for name, want := range files {
				if !bytes.Equal(b.Files[name], want) || got.Files[name] != digest(want) {
					t.Errorf("%s differs", name)
				}
			}
			if !bytes.Equal(b.Raw, data) {
				t.Error("Raw is not the envelope")
			}
			// One file is a bundle too.
			one, err := Sign(priv, m, map[string][]byte{CatalogFile: files[CatalogFile]})
			if err != nil {
				t.Fatal(err)
			}
			if b, err = Parse(one); err != nil || b.Verify(map[string]ed25519.PublicKey{id: pub}, now) != nil || len(b.Files) != 1 {
				t.Fatalf("a catalogue alone: %v", err)
			}
		})
	}
}

// The envelope's format is pinned: a fixed key, times and files give these bytes, and a
// kiosk still takes them.
func TestGolden(t *testing.T) {
	data := validEnvelope(t)
	path := filepath.Join("testdata", "electricity-v8.json")
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("Sign's envelope differs from %s:\n--- got\n%s--- want\n%s", path, data, want)
	}
	// docs/bundles.md gives the test key's public key, for utilities checking their own
	// signing code against the golden file.
	if got := EncodePublicKey(testPub()); got != "ed25519:Sv7bP/Lb/2dLFn2dcOh3prBA+HcoVUiMwjGnd21qqD4=" {
		t.Errorf("the test key's public key is %s", got)
	}
	b, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(map[string]ed25519.PublicKey{"electricity": testPub()}, created.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "electricity v8 (2 files, expires 2026-12-26T00:00:00Z)" {
		t.Errorf("String() = %q", got)
	}
	// The manifest's own bytes, as signed.
	if got := string(b.manifest); got != `{"utility":"electricity","version":8,"created":"2026-11-26T00:00:00Z","expires":"2026-12-26T00:00:00Z","files":{"catalog.toml":"`+
		digest(smallFiles()[CatalogFile])+`","info.toml":"`+digest(smallFiles()[InfoFile])+`"},"note":"居民电价第二档调整"}` {
		t.Errorf("manifest bytes %s", got)
	}
}

func TestString(t *testing.T) {
	b := &Bundle{Manifest: Manifest{Utility: "gas", Version: 12, Expires: time.Date(2027, 1, 2, 11, 4, 5, 0, time.FixedZone("CST", 8*3600))},
		Files: map[string][]byte{CatalogFile: nil}}
	if got := b.String(); got != "gas v12 (1 file, expires 2027-01-02T03:04:05Z)" {
		t.Errorf("String() = %q", got)
	}
	b.Manifest.Effective = time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if got := b.String(); got != "gas v12 (1 file, expires 2027-01-02T03:04:05Z, effective 2026-12-31T16:00:00Z)" {
		t.Errorf("String() = %q", got)
	}
}

// A bundle that says when it takes effect keeps that through signing and parsing, and
// is due from then on; one without is due at once.
func TestEffective(t *testing.T) {
	m := testManifest()
	m.Effective = time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	data, err := Sign(testKey(), m, smallFiles())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(map[string]ed25519.PublicKey{"electricity": testPub()}, created.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := b.Manifest.Effective; !got.Equal(m.Effective) || got.Location() != time.UTC {
		t.Errorf("effective %v, want %v in UTC", got, m.Effective)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{m.Effective.Add(-time.Second), false}, {m.Effective, true}, {m.Effective.Add(time.Hour), true}} {
		if b.Due(tc.at) != tc.want {
			t.Errorf("due at %v: %v", tc.at, !tc.want)
		}
	}
	if now := validBundle(t); !now.Due(created) {
		t.Error("a bundle without an effective time is not due at once")
	}
	// Old bundles' manifests have no effective key, and sign as before (TestGolden).
	if strings.Contains(string(validEnvelope(t)), "effective") {
		t.Error("a manifest without an effective time names one")
	}
}

func validBundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := Parse(validEnvelope(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Sign refuses what no kiosk would take.
func TestSignRefuses(t *testing.T) {
	m := testManifest()
	waterInfo := asset(t, "info/water.toml")
	for _, tc := range []struct {
		name  string
		priv  ed25519.PrivateKey
		m     func(*Manifest)
		files map[string][]byte
		is    error
		want  string
	}{
		{name: "no utility", m: func(m *Manifest) { m.Utility = "" }, is: ErrMalformed, want: "no utility"},
		{name: "not an ID", m: func(m *Manifest) { m.Utility = "Electricity" }, is: ErrMalformed, want: `utility "Electricity" is not a utility ID`},
		{name: "one letter", m: func(m *Manifest) { m.Utility = "e" }, is: ErrMalformed, want: "not a utility ID"},
		{name: "version 0", m: func(m *Manifest) { m.Version = 0 }, is: ErrMalformed, want: "version 0"},
		{name: "expires first", m: func(m *Manifest) { m.Expires = m.Created }, is: ErrMalformed, want: "expires 2026-11-26T00:00:00Z is not after created 2026-11-26T00:00:00Z"},
		{name: "no created", m: func(m *Manifest) { m.Created = time.Time{} }, is: ErrMalformed, want: "no created time"},
		{name: "no files", files: map[string][]byte{}, is: ErrMalformed, want: "no files"},
		{name: "effective at creation", m: func(m *Manifest) { m.Effective = m.Created }, is: ErrMalformed,
			want: "effective 2026-11-26T00:00:00Z is not after created 2026-11-26T00:00:00Z"},
		{name: "another file", files: map[string][]byte{InfoFile: smallFiles()[InfoFile], "kiosk.toml": nil}, is: ErrMalformed, want: `file "kiosk.toml": a bundle holds only info.toml, catalog.toml, endpoint.toml`},
		{name: "water's information", files: map[string][]byte{InfoFile: waterInfo}, is: ErrScope, want: `info.toml is for utility "water"; the bundle is electricity's`},
		{name: "no utility key", files: map[string][]byte{CatalogFile: []byte("name = \"供电\"\n")}, is: ErrScope, want: "catalog.toml has no utility key"},
		{name: "not TOML", files: map[string][]byte{CatalogFile: []byte("utility = electricity\n")}, is: ErrMalformed, want: "catalog.toml: not valid TOML"},
		{name: "a short key", priv: testKey()[:32], want: "the private key is 32 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := m
			if tc.m != nil {
				tc.m(&m)
			}
			files := tc.files
			if files == nil {
				files = smallFiles()
			}
			priv := tc.priv
			if priv == nil {
				priv = testKey()
			}
			data, err := Sign(priv, m, files)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Sign: %v, %d bytes; want %v: …%s…", err, len(data), tc.is, tc.want)
			}
		})
	}
}

// Parse refuses every tampered or broken envelope with ErrMalformed, in one line that
// says what is wrong.
func TestParseRefuses(t *testing.T) {
	valid := validEnvelope(t)
	indented := string(valid)
	// replace changes the envelope's text once.
	replace := func(old, new string) []byte {
		if !strings.Contains(indented, old) {
			t.Fatalf("%q is not in the envelope", old)
		}
		return []byte(strings.Replace(indented, old, new, 1))
	}
	env := func(f func(env, man map[string]any)) []byte { return edit(t, valid, nil, f) }
	flipped := smallFiles()[InfoFile]
	flipped[0] ^= 0x20
	huge := append(bytes.Repeat([]byte(" "), MaxSize), valid...)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "envelope: not JSON: unexpected end"},
		{"not JSON", []byte("utility = \"electricity\"\n"), "envelope: not JSON"},
		{"an array", []byte(`[{"format": "kiosk-bundle/1"}]`), "envelope: not a JSON object"},
		{"null", []byte(`null`), `format "", want "kiosk-bundle/1"`},
		{"too big", huge, "more than the 4194304 a bundle may have"},
		{"wrong format", replace(`"kiosk-bundle/1"`, `"kiosk-bundle/2"`), `format "kiosk-bundle/2", want "kiosk-bundle/1"`},
		{"no format", env(func(env, _ map[string]any) { delete(env, "format") }), `format "", want "kiosk-bundle/1"`},
		{"an extra field", replace(`"format"`, `"comment": "hi", "format"`), `envelope: unknown field "comment"`},
		{"a field in capitals", replace(`"format"`, `"FORMAT"`), `envelope: unknown field "FORMAT"`},
		{"a field twice", replace(`"format": "kiosk-bundle/1",`, `"format": "kiosk-bundle/1", "format": "kiosk-bundle/1",`), `envelope: field "format" twice`},
		{"a file twice", replace(`"info.toml"`, `"catalog.toml": "", "info.toml"`), `envelope: files: field "catalog.toml" twice`},
		{"files not an object", env(func(env, _ map[string]any) { env["files"] = "info.toml" }), "envelope: files: not a JSON object"},
		{"a file not a string", env(func(env, _ map[string]any) { env["files"].(map[string]any)[InfoFile] = 5 }), `envelope: field "files": want a string, not a JSON number`},
		{"data after it", append(bytes.Clone(valid), "{}"...), "envelope: data after the JSON object"},
		{"a flipped byte in a file", env(func(env, _ map[string]any) {
			env["files"].(map[string]any)[InfoFile] = base64.StdEncoding.EncodeToString(flipped)
		}), "file info.toml: its SHA-256 is " + digest(flipped) + ", the manifest says " + digest(smallFiles()[InfoFile])},
		{"a flipped byte in the manifest", func() []byte {
			data := edit(t, valid, nil, func(map[string]any, map[string]any) {})
			var e envelope
			json.Unmarshal(data, &e)
			mb, _ := base64.StdEncoding.DecodeString(e.Manifest)
			mb[0] ^= 1 // '{' becomes 'z'
			e.Manifest = base64.StdEncoding.EncodeToString(mb)
			data, _ = json.Marshal(e)
			return data
		}(), "manifest: not JSON"},
		{"an extra field in the manifest", env(func(_, man map[string]any) { man["signed_by"] = "me" }), `manifest: unknown field "signed_by"`},
		{"a manifest field in capitals", env(func(_, man map[string]any) { man["Version"] = man["version"]; delete(man, "version") }), `manifest: unknown field "Version"`},
		{"an unknown file", env(func(env, man map[string]any) { setFile(env, man, "kiosk.toml", []byte("[kiosk]\n")) }), `manifest: file "kiosk.toml": a bundle holds only info.toml, catalog.toml, endpoint.toml`},
		{"an unknown file, not listed", env(func(env, _ map[string]any) {
			env["files"].(map[string]any)["../kiosk.toml"] = ""
		}), `file "../kiosk.toml": a bundle holds only info.toml, catalog.toml, endpoint.toml`},
		{"a file not listed", env(func(_, man map[string]any) { delete(man["files"].(map[string]any), InfoFile) }), "file info.toml is not listed in the manifest"},
		{"a file missing", env(func(env, _ map[string]any) { delete(env["files"].(map[string]any), CatalogFile) }), "file catalog.toml is listed in the manifest but missing"},
		{"no files", env(func(env, man map[string]any) { delete(env, "files"); delete(man, "files") }), "manifest: no files"},
		{"a digest in capitals", env(func(_, man map[string]any) {
			man["files"].(map[string]any)[InfoFile] = strings.ToUpper(digest(smallFiles()[InfoFile]))
		}), "manifest: the digest of info.toml is not a lower-case hex SHA-256"},
		{"a short digest", env(func(_, man map[string]any) { man["files"].(map[string]any)[InfoFile] = "abcd" }), "the digest of info.toml is not"},
		{"bad base64 in a file", env(func(env, _ map[string]any) { env["files"].(map[string]any)[InfoFile] = "dXRpbGl0eQ*=" }), "file info.toml: bad base64"},
		{"URL base64 in a file", env(func(env, _ map[string]any) { env["files"].(map[string]any)[InfoFile] = "-_-_" }), "file info.toml: bad base64"},
		{"unpadded base64 in a file", env(func(env, _ map[string]any) { env["files"].(map[string]any)[InfoFile] = "YWI" }), "file info.toml: bad base64"},
		{"bad base64 in the manifest", replace(`"manifest": "eyJ`, `"manifest": "{eyJ`), "manifest: bad base64"},
		{"bad base64 in the signature", replace(`"signature": "`, `"signature": "!`), "signature: bad base64"},
		{"a short signature", env(func(env, _ map[string]any) { env["signature"] = base64.StdEncoding.EncodeToString(make([]byte, 63)) }), "signature: 63 bytes, an ed25519 signature is 64"},
		{"no signature", env(func(env, _ map[string]any) { delete(env, "signature") }), "signature: 0 bytes"},
		{"no utility", env(func(_, man map[string]any) { man["utility"] = "" }), "manifest: no utility"},
		{"a utility path", env(func(_, man map[string]any) { man["utility"] = "../water" }), `manifest: utility "../water" is not a utility ID`},
		{"version 0", env(func(_, man map[string]any) { man["version"] = 0 }), "manifest: version 0: versions start at 1"},
		{"an escape sequence in the note", env(func(_, man map[string]any) { man["note"] = "水价\x1b[2J调整" }), "manifest: the note holds the control or formatting character U+001B"},
		{"a direction override in the note", env(func(_, man map[string]any) { man["note"] = "水价\u202e调整" }), "U+202E"},
		{"a line break in the note", env(func(_, man map[string]any) { man["note"] = "水价\n调整" }), "U+000A"},
		{"a long note", env(func(_, man map[string]any) { man["note"] = strings.Repeat("调", MaxNote+1) }), "manifest: the note is 121 characters, at most 120"},
		{"no version", env(func(_, man map[string]any) { delete(man, "version") }), "manifest: version 0"},
		{"a negative version", env(func(_, man map[string]any) { man["version"] = -1 }), `manifest: field "version": want a whole number, not a JSON number -1`},
		{"a version as text", env(func(_, man map[string]any) { man["version"] = "8" }), `manifest: field "version": want a whole number, not a JSON string`},
		{"a bad time", env(func(_, man map[string]any) { man["expires"] = "2026-12-26" }), "manifest: parsing time"},
		{"no created time", env(func(_, man map[string]any) { delete(man, "created") }), "manifest: no created time"},
		{"expired before created", env(func(_, man map[string]any) { man["expires"] = "2026-11-25T00:00:00Z" }), "manifest: expires 2026-11-25T00:00:00Z is not after created 2026-11-26T00:00:00Z"},
		// A fresh kiosk has seen no version: a bundle good for ten years would be one it
		// took long after the utility replaced it.
		{"good for ten years", env(func(_, man map[string]any) { man["expires"] = "2036-11-26T00:00:00Z" }), "manifest: expires 2036-11-26T00:00:00Z is more than 366 days after created 2026-11-26T00:00:00Z"},
		{"effective in two years", env(func(_, man map[string]any) { man["effective"] = "2028-11-26T00:00:00Z" }), "manifest: effective 2028-11-26T00:00:00Z is more than 366 days after created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(tc.data)
			if err == nil {
				t.Fatalf("parsed: %v", b)
			}
			t.Log(err)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%v\nwant ErrMalformed: …%s…, one line", err, tc.want)
			}
		})
	}
	if _, err := Parse(valid); err != nil {
		t.Fatal(err)
	}
	// Exactly MaxSize bytes is not too big.
	padded := append(bytes.Repeat([]byte("\n"), MaxSize-len(valid)), valid...)
	if _, err := Parse(padded); err != nil {
		t.Fatalf("%d bytes: %v", len(padded), err)
	}
}

// Verify refuses a bundle its utility did not sign, or signed but not for now, or whose
// files are another utility's.
func TestVerifyRefuses(t *testing.T) {
	valid := validEnvelope(t)
	keys := map[string]ed25519.PublicKey{"electricity": testPub()}
	otherPub, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	resigned := func(f func(env, man map[string]any)) []byte { return edit(t, valid, testKey(), f) }
	now := created.Add(24 * time.Hour)
	for _, tc := range []struct {
		name   string
		data   []byte
		keys   map[string]ed25519.PublicKey
		now    time.Time
		change func(*Bundle)
		is     error
		want   string
	}{
		{name: "good", now: now},
		{name: "at the last moment", now: expires.Add(-time.Nanosecond)},
		{name: "created 5 minutes ahead of the kiosk's clock", now: created.Add(-ClockSkew)},
		{name: "another key", keys: map[string]ed25519.PublicKey{"electricity": otherPub}, now: now, is: ErrSignature, want: "bundle electricity v8 is not signed with electricity's configured key"},
		{name: "another utility's key", keys: map[string]ed25519.PublicKey{"water": testPub()}, now: now, is: ErrNoKey, want: "this utility: electricity (bundle v8)"},
		{name: "no keys", keys: map[string]ed25519.PublicKey{}, now: now, is: ErrNoKey, want: "electricity"},
		{name: "a short key", keys: map[string]ed25519.PublicKey{"electricity": testPub()[:16]}, now: now, is: ErrNoKey, want: "the configured key is 16 bytes"},
		{name: "expired", now: expires, is: ErrExpired, want: "bundle electricity v8 expired at 2026-12-26T00:00:00Z (now 2026-12-26T00:00:00Z)"},
		{name: "long expired", now: expires.AddDate(1, 0, 0), is: ErrExpired, want: "(now 2027-12-26T00:00:00Z)"},
		{name: "from the future", now: created.Add(-ClockSkew - time.Second), is: ErrNotYetValid,
			want: "bundle electricity v8 was created at 2026-11-26T00:00:00Z, after now (2026-11-25T23:54:59Z) by more than 5m0s"},
		{name: "a changed version", data: edit(t, valid, nil, func(_, man map[string]any) { man["version"] = 9 }), now: now, is: ErrSignature, want: "v9 is not signed"},
		{name: "an effective time added", data: edit(t, valid, nil, func(_, man map[string]any) { man["effective"] = "2027-01-01T00:00:00Z" }), now: now, is: ErrSignature, want: "v8 is not signed"},
		{name: "a changed file with its digest", data: edit(t, valid, nil, func(env, man map[string]any) {
			setFile(env, man, InfoFile, []byte("utility = \"electricity\"\ntitle = \"停电\"\n"))
		}), now: now, is: ErrSignature},
		{name: "a water information file", data: resigned(func(env, man map[string]any) { setFile(env, man, InfoFile, asset(t, "info/water.toml")) }),
			now: now, is: ErrScope, want: `bundle: out of the utility's scope: file info.toml is for utility "water"; the bundle is electricity's`},
		{name: "a water catalogue", data: resigned(func(env, man map[string]any) { setFile(env, man, CatalogFile, asset(t, "catalog/water.toml")) }),
			now: now, is: ErrScope, want: `file catalog.toml is for utility "water"`},
		{name: "a file without utility", data: resigned(func(env, man map[string]any) { setFile(env, man, CatalogFile, []byte("name = \"供电\"\n")) }),
			now: now, is: ErrScope, want: "file catalog.toml has no utility key; the bundle is electricity's"},
		{name: "a utility in a table", data: resigned(func(env, man map[string]any) {
			setFile(env, man, CatalogFile, []byte("[x]\nutility = \"electricity\"\n"))
		}), now: now, is: ErrScope, want: "has no utility key"},
		{name: "a file not TOML", data: resigned(func(env, man map[string]any) { setFile(env, man, InfoFile, []byte("utility = \"electricity\"\n[[\n")) }),
			now: now, is: ErrMalformed, want: "file info.toml: not valid TOML"},
		{name: "a utility not a string", data: resigned(func(env, man map[string]any) { setFile(env, man, InfoFile, []byte("utility = 1\n")) }),
			now: now, is: ErrMalformed, want: "file info.toml: its utility is not a string"},
		{name: "the manifest changed after Parse", change: func(b *Bundle) { b.Manifest.Version = 99 }, now: now, is: ErrMalformed, want: "the manifest was changed after it was read"},
		{name: "a digest changed after Parse", change: func(b *Bundle) { b.Manifest.Files[InfoFile] = digest(nil) }, now: now, is: ErrMalformed, want: "the manifest was changed"},
		{name: "a file changed after Parse", change: func(b *Bundle) { b.Files[InfoFile] = []byte("utility = \"electricity\"\n") }, now: now, is: ErrMalformed, want: "file info.toml: its SHA-256 is"},
		{name: "a file added after Parse", change: func(b *Bundle) { b.Files[CatalogFile+"~"] = nil }, now: now, is: ErrMalformed, want: "is not listed in the manifest"},
		{name: "not from Parse", change: func(b *Bundle) { *b = Bundle{Manifest: b.Manifest, Files: b.Files} }, now: now, is: ErrMalformed, want: "not read by Parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if data == nil {
				data = valid
			}
			b, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.change != nil {
				tc.change(b)
			}
			k := tc.keys
			if k == nil {
				k = keys
			}
			err = b.Verify(k, tc.now)
			t.Log(err)
			if tc.is == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%v\nwant %v: …%s…, one line", err, tc.is, tc.want)
			}
		})
	}
}

// CheckScope reads only the top-level utility of each file.
func TestCheckScope(t *testing.T) {
	b := &Bundle{Manifest: Manifest{Utility: "gas"}, Files: map[string][]byte{
		InfoFile:    asset(t, "info/gas.toml"),
		CatalogFile: asset(t, "catalog/gas.toml"),
	}}
	if err := b.CheckScope(); err != nil {
		t.Fatal(err)
	}
	b.Manifest.Utility = "broadband"
	if err := b.CheckScope(); !errors.Is(err, ErrScope) || !strings.Contains(err.Error(), `file catalog.toml is for utility "gas"; the bundle is broadband's`) {
		t.Fatalf("%v", err)
	}
}

// CheckScope refuses TOML nested deeper than maxDepth before the decoder sees it: the
// decoder's recursion would overflow the stack, which ends the process.
func TestCheckScopeDepth(t *testing.T) {
	deep := func(n int, open, close string) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	for _, tc := range []struct {
		name, text string
		depth      int
		invalid    bool
	}{
		{name: "flat", text: "utility = \"gas\"\n[a]\nb = 1\n[[c]]\nd = [1, [2, {e = 3}]]\n", depth: 3},
		{name: "arrays, as deep as allowed", text: "utility = \"gas\"\nx = " + deep(maxDepth, "[", "]") + "\n", depth: maxDepth},
		{name: "brackets in strings and comments", text: `utility = "gas" # [[[[
a = "[[[\"[[["
b = '[[[\'
c = """[[[
"[[\""""
d = '''[[''''
`},
		{name: "a backslash at the end of a line", text: "utility = \"gas\"\ne = \"\\\n[\"\n", depth: 1, invalid: true},
		{name: "a closing run of five quotes", text: "utility = \"gas\"\na = \"\"\"x\"\"\"\"\"\nb = [[[[1]]]]\n", depth: 4},
		{name: "a million arrays", text: "utility = \"gas\"\nx = " + deep(1<<20, "[", "]"), depth: 1 << 20},
		{name: "arrays behind comments", text: "utility = \"gas\"\nx = " + deep(1000, "[ # ]\n", "]"), depth: 1000},
		{name: "inline tables", text: "utility = \"gas\"\nx = " + strings.Repeat("{a=", 1000) + "1" + strings.Repeat("}", 1000), depth: 1000},
		{name: "a dotted key", text: "utility = \"gas\"\n" + strings.Repeat("a.", 1<<20) + "b = 1\n", depth: 1 << 20},
		{name: "a dotted key of quoted parts", text: "utility = \"gas\"\n" + strings.Repeat(`"a" . 'b' . `, 40) + "b = 1\n", depth: 80},
		{name: "a dotted key as long as allowed", text: "utility = \"gas\"\n" + strings.Repeat("a.", maxDepth) + "b = 1.5\n", depth: maxDepth},
		{name: "a table header", text: "utility = \"gas\"\n[" + strings.Repeat("a.", 100) + "b]\nc = 1\n", depth: 101},
		{name: "an array of tables", text: "utility = \"gas\"\n[[" + strings.Repeat("a.", 20) + "b]]\nc.d = [1.5, {e.f = 1}]\n[x]\ny = 1\n", depth: 2 + 20 + 1 + 1},
		{name: "a header, keys and tables", text: "utility = \"gas\"\n[" + strings.Repeat("a.", 20) + "b]\n" +
			strings.Repeat(strings.Repeat("c.", 10)+"d = {", 4) + "e = 1" + strings.Repeat("}", 4) + "\n", depth: 20 + 4*10 + 4},
		{name: "numbers and times", text: "utility = \"gas\"\nx = [1.5, 2.5, 1e+3.5]\nt = 1979-05-27T07:32:00.999-07:00\n", depth: 2, invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tomlDepth([]byte(tc.text)); got != tc.depth {
				t.Errorf("depth %d, want %d", got, tc.depth)
			}
			b := &Bundle{Manifest: Manifest{Utility: "gas"}, Files: map[string][]byte{InfoFile: []byte(tc.text)}}
			err := b.CheckScope()
			if tc.depth > maxDepth {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), fmt.Sprintf("file info.toml: nested %d deep (arrays, tables, dotted keys), more than %d", tc.depth, maxDepth)) {
					t.Fatalf("%v", err)
				}
				return
			}
			if (err != nil) != tc.invalid {
				t.Fatalf("%v (invalid TOML: %v)", err, tc.invalid)
			}
		})
	}
	for _, dir := range []string{"info", "catalog"} {
		entries, err := os.ReadDir(filepath.Join("../../assets", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if d := tomlDepth(asset(t, dir+"/"+e.Name())); d < 1 || d > 4 {
				t.Errorf("%s/%s nests %d deep", dir, e.Name(), d)
			} else {
				t.Logf("%s/%s nests %d deep", dir, e.Name(), d)
			}
		}
	}
}
