package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Format names the envelope's format, in its "format" field.
const Format = "kiosk-bundle/1"

// ClockSkew is how far a bundle's Created may be ahead of the kiosk's clock: a utility's
// signing machine and a kiosk do not keep exactly the same time.
const ClockSkew = 5 * time.Minute

// utilityID is what a utility's ID looks like (electricity, water, gas, broadband).
var utilityID = regexp.MustCompile(`^[a-z]{2,20}$`)

// IsUtilityID reports whether s looks like a utility's ID, as a manifest must name it.
func IsUtilityID(s string) bool { return utilityID.MatchString(s) }

// envelope is a bundle as it travels: one JSON document.
//
//	{"format": "kiosk-bundle/1",
//	 "manifest": "<base64 of the manifest's JSON bytes>",
//	 "signature": "<base64 of ed25519.Sign(key, those bytes)>",
//	 "files": {"info.toml": "<base64>", "catalog.toml": "<base64>"}}
//
// All base64 is the standard alphabet, padded. The signature covers the manifest's bytes
// exactly as they are, and the manifest names each file's SHA-256: so the signature
// covers the files, and nothing is signed twice nor re-encoded before verifying.
type envelope struct {
	Format    string            `json:"format"`
	Manifest  string            `json:"manifest"`
	Signature string            `json:"signature"`
	Files     map[string]string `json:"files"`
}

// The fields of the envelope and of the manifest, as they must be spelt: encoding/json
// would also take "Format" or "FILES", and the last of two same keys.
var (
	envelopeFields = []string{"format", "manifest", "signature", "files"}
	manifestFields = []string{"utility", "version", "created", "expires", "effective", "files", "note"}
)

// knownFile reports whether a bundle may hold a file of this name.
func knownFile(name string) bool { return slices.Contains(Files, name) }

// unknownFile is the refusal of a file a bundle may not hold; where says where it was named.
func unknownFile(where, name string) error {
	return malformed("%sfile %q: a bundle holds only %s", where, name, strings.Join(Files, ", "))
}

// malformed is an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Sign makes a bundle of files for m.Utility, signed with the utility's private key, and
// returns its envelope (JSON). It checks m (a utility ID of 2 to 20 lower-case letters,
// a version of 1 or more, Expires after Created) and the files (one or more of Files,
// each naming m.Utility: CheckScope), and fills m.Files with their
// digests; m.Files as given is ignored. Times are written in UTC.
func Sign(priv ed25519.PrivateKey, m Manifest, files map[string][]byte) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("bundle: the private key is %d bytes, an ed25519 private key is %d", len(priv), ed25519.PrivateKeySize)
	}
	m.Created = m.Created.UTC().Round(0)
	m.Expires = m.Expires.UTC().Round(0)
	m.Effective = m.Effective.UTC().Round(0)
	if len(files) == 0 {
		return nil, malformed("no files: a bundle holds one or more of %s", strings.Join(Files, ", "))
	}
	m.Files = make(map[string]string, len(files))
	for name, data := range files {
		if !knownFile(name) {
			return nil, unknownFile("", name)
		}
		m.Files[name] = digest(data)
	}
	if err := checkManifest(&m); err != nil {
		return nil, err
	}
	if err := (&Bundle{Manifest: m, Files: files}).CheckScope(); err != nil {
		return nil, err
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	env := envelope{
		Format:    Format,
		Manifest:  base64.StdEncoding.EncodeToString(mb),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(priv, mb)),
		Files:     make(map[string]string, len(files)),
	}
	for name, data := range files {
		env.Files[name] = base64.StdEncoding.EncodeToString(data)
	}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// digest is the lower-case hex SHA-256 of data.
func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// MaxNote is the most characters a bundle's note may have: one line for staff.
const MaxNote = 120

// MaxValidity is the furthest a bundle's Expires and Effective may lie from its Created.
// Versions only rise at a kiosk that has seen a newer one; a kiosk installed afresh, or
// with its data lost, has seen none, and would take any old bundle not yet expired. So a
// signature is good for a year at most: a utility signs its content again for longer.
const MaxValidity = 366 * 24 * time.Hour

// checkManifest checks what a manifest says by itself (not its files' digests).
func checkManifest(m *Manifest) error {
	switch {
	case m.Utility == "":
		return malformed("manifest: no utility")
	case !utilityID.MatchString(m.Utility):
		return malformed("manifest: utility %q is not a utility ID (2 to 20 letters a-z)", m.Utility)
	case m.Version == 0:
		return malformed("manifest: version 0: versions start at 1")
	case m.Created.IsZero():
		return malformed("manifest: no created time")
	case m.Expires.IsZero():
		return malformed("manifest: no expires time")
	case !m.Expires.After(m.Created):
		return malformed("manifest: expires %s is not after created %s", rfc3339(m.Expires), rfc3339(m.Created))
	case m.Expires.Sub(m.Created) > MaxValidity:
		return malformed("manifest: expires %s is more than %d days after created %s: sign the content again within that time", rfc3339(m.Expires), MaxValidity/(24*time.Hour), rfc3339(m.Created))
	case m.Effective.Sub(m.Created) > MaxValidity:
		return malformed("manifest: effective %s is more than %d days after created %s: sign it nearer the time", rfc3339(m.Effective), MaxValidity/(24*time.Hour), rfc3339(m.Created))
	case len(m.Files) == 0:
		return malformed("manifest: no files")
	case !m.Effective.IsZero() && !m.Effective.After(m.Created):
		return malformed("manifest: effective %s is not after created %s", rfc3339(m.Effective), rfc3339(m.Created))
	case utf8.RuneCountInString(m.Note) > MaxNote:
		return malformed("manifest: the note is %d characters, at most %d", utf8.RuneCountInString(m.Note), MaxNote)
	}
	// The note reaches staff's terminals (kioskctl bundle list) and screen as it is: no
	// escape sequences, line breaks or direction overrides.
	for _, r := range m.Note {
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return malformed("manifest: the note holds the control or formatting character U+%04X", r)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		if !knownFile(name) {
			return unknownFile("manifest: ", name)
		}
		if d := m.Files[name]; len(d) != 2*sha256.Size || hex.EncodeToString(hexOrNil(d)) != d {
			return malformed("manifest: the digest of %s is not a lower-case hex SHA-256", name)
		}
	}
	return nil
}

// hexOrNil decodes hex; it is nil for what is not hex.
func hexOrNil(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Parse reads a bundle's envelope, as a kiosk receives it. It checks the envelope's
// shape, the manifest and that the files are exactly those the manifest lists with the
// digests it gives; every refusal wraps ErrMalformed. It does not check the signature,
// the times or the scope: Verify does. The bundle keeps data as Raw (not copied).
func Parse(data []byte) (*Bundle, error) {
	if len(data) > MaxSize {
		return nil, malformed("%d bytes, more than the %d a bundle may have", len(data), MaxSize)
	}
	if err := strictObject(data, envelopeFields); err != nil {
		return nil, malformed("envelope: %v", err)
	}
	var env envelope
	if err := decodeStrict(data, &env); err != nil {
		return nil, malformed("envelope: %v", err)
	}
	if env.Format != Format {
		return nil, malformed("format %q, want %q", env.Format, Format)
	}
	mb, err := decodeBase64(env.Manifest)
	if err != nil {
		return nil, malformed("manifest: %v", err)
	}
	sig, err := decodeBase64(env.Signature)
	if err != nil {
		return nil, malformed("signature: %v", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, malformed("signature: %d bytes, an ed25519 signature is %d", len(sig), ed25519.SignatureSize)
	}
	m, err := decodeManifest(mb)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(env.Files))
	for _, name := range slices.Sorted(maps.Keys(env.Files)) {
		if !knownFile(name) {
			return nil, unknownFile("", name)
		}
		if files[name], err = decodeBase64(env.Files[name]); err != nil {
			return nil, malformed("file %s: %v", name, err)
		}
	}
	if err := checkFiles(m, files); err != nil {
		return nil, err
	}
	return &Bundle{Manifest: *m, Files: files, Raw: data, manifest: mb, signature: sig}, nil
}

// decodeManifest reads and checks a manifest's bytes.
func decodeManifest(mb []byte) (*Manifest, error) {
	if err := strictObject(mb, manifestFields); err != nil {
		return nil, malformed("manifest: %v", err)
	}
	var m Manifest
	if err := decodeStrict(mb, &m); err != nil {
		return nil, malformed("manifest: %v", err)
	}
	if err := checkManifest(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// checkFiles checks that files are exactly those m lists, with the digests it gives.
func checkFiles(m *Manifest, files map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		want, ok := m.Files[name]
		if !ok {
			return malformed("file %s is not listed in the manifest", name)
		}
		if got := digest(files[name]); got != want {
			return malformed("file %s: its SHA-256 is %s, the manifest says %s", name, got, want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		if _, ok := files[name]; !ok {
			return malformed("file %s is listed in the manifest but missing", name)
		}
	}
	return nil
}

// decodeBase64 decodes standard, padded base64, refusing non-canonical encodings.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %v", err)
	}
	return b, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields and anything
// after it.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("field %q: want %s, not a JSON %s", te.Field, jsonKind(te.Type), te.Value)
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// jsonKind says what JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "an RFC 3339 time"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Map || t.Kind() == reflect.Struct:
		return "an object"
	}
	return t.String()
}

// strictObject checks that data is a JSON object whose keys are among fields, spelt
// exactly so, each once; and the same of a "files" object in it. (encoding/json matches
// keys regardless of case and keeps the last of two same keys: what one reader of a
// signed document takes must be what every reader takes.)
func strictObject(data []byte, fields []string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	return objectKeys(dec, func(key string) error {
		if !slices.Contains(fields, key) {
			return fmt.Errorf("unknown field %q", key)
		}
		if key == "files" {
			if err := objectKeys(dec, nil); err != nil {
				return fmt.Errorf("files: %v", err)
			}
			return nil
		}
		return skipValue(dec)
	})
}

// skipValue reads one JSON value from dec.
func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	if err := dec.Decode(&skip); err != nil {
		return syntaxError(err)
	}
	return nil
}

// objectKeys reads a JSON object from dec, refusing a key given twice; for each key,
// value reads its value (nil: skipValue). A JSON null is taken as an empty object.
func objectKeys(dec *json.Decoder, value func(key string) error) error {
	if value == nil {
		value = func(string) error { return skipValue(dec) }
	}
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key := tok.(string) // inside an object, the decoder gives keys as strings
		if seen[key] {
			return fmt.Errorf("field %q twice", key)
		}
		seen[key] = true
		if err := value(key); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err)
	}
	return nil
}

// syntaxError says that the JSON is broken, without a Go type in the words.
func syntaxError(err error) error {
	if err == io.EOF {
		return errors.New("not JSON: unexpected end")
	}
	return fmt.Errorf("not JSON: %v", err)
}

// Verify checks a parsed bundle's signature with its utility's key in keys, then its
// times at now (Created at most ClockSkew ahead of now, now before Expires), then its
// scope (CheckScope). It returns an error wrapping ErrNoKey, ErrSignature,
// ErrNotYetValid, ErrExpired, ErrScope or ErrMalformed. It does not check the version:
// the kiosk's state does (ErrStale).
//
// What Verify checks is what was signed: a bundle whose Manifest or Files were changed
// after Parse is refused.
func (b *Bundle) Verify(keys map[string]ed25519.PublicKey, now time.Time) error {
	if b.manifest == nil {
		return malformed("not read by Parse")
	}
	id := b.Manifest.Utility
	pub, ok := keys[id]
	if !ok {
		return fmt.Errorf("%w: %s (bundle v%d)", ErrNoKey, id, b.Manifest.Version)
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %s: the configured key is %d bytes, an ed25519 public key is %d", ErrNoKey, id, len(pub), ed25519.PublicKeySize)
	}
	if !ed25519.Verify(pub, b.manifest, b.signature) {
		return fmt.Errorf("%w: bundle %s v%d is not signed with %s's configured key", ErrSignature, id, b.Manifest.Version, id)
	}
	m, err := decodeManifest(b.manifest)
	if err != nil {
		return err
	}
	if !sameManifest(m, &b.Manifest) {
		return malformed("bundle %s v%d: the manifest was changed after it was read", id, b.Manifest.Version)
	}
	if err := checkFiles(m, b.Files); err != nil {
		return err
	}
	if m.Created.After(now.Add(ClockSkew)) {
		return fmt.Errorf("%w: bundle %s v%d was created at %s, after now (%s) by more than %s", ErrNotYetValid, id, m.Version, rfc3339(m.Created), rfc3339(now), ClockSkew)
	}
	if !now.Before(m.Expires) {
		return fmt.Errorf("%w: bundle %s v%d expired at %s (now %s)", ErrExpired, id, m.Version, rfc3339(m.Expires), rfc3339(now))
	}
	return b.CheckScope()
}

// sameManifest reports whether two manifests say the same.
func sameManifest(a, b *Manifest) bool {
	return a.Utility == b.Utility && a.Version == b.Version && a.Created.Equal(b.Created) &&
		a.Expires.Equal(b.Expires) && a.Effective.Equal(b.Effective) && a.Note == b.Note && maps.Equal(a.Files, b.Files)
}

// scopeKey is all CheckScope reads of a file: its top-level utility.
type scopeKey struct {
	Utility string `toml:"utility"`
}

// CheckScope checks that each file is the bundle's utility's own: its top-level
// `utility` value is Manifest.Utility (ErrScope otherwise). A file that is not TOML,
// whose utility is not a string, or that nests arrays, tables and dotted keys more than
// 32 deep (which the TOML decoder could not read safely, see maxDepth) is ErrMalformed.
// The files' other contents are the business of app/info and app/catalog, which can
// decode a file that passed.
func (b *Bundle) CheckScope() error {
	for _, name := range slices.Sorted(maps.Keys(b.Files)) {
		if d := tomlDepth(b.Files[name]); d > maxDepth {
			return malformed("file %s: nested %d deep (arrays, tables, dotted keys), more than %d", name, d, maxDepth)
		}
		var k scopeKey
		if _, err := toml.Decode(string(b.Files[name]), &k); err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return malformed("file %s: not valid TOML: %s", name, oneLine(pe.Error()))
			}
			return malformed("file %s: its utility is not a string", name)
		}
		switch k.Utility {
		case b.Manifest.Utility:
		case "":
			return fmt.Errorf("%w: file %s has no utility key; the bundle is %s's", ErrScope, name, b.Manifest.Utility)
		default:
			return fmt.Errorf("%w: file %s is for utility %q; the bundle is %s's", ErrScope, name, k.Utility, b.Manifest.Utility)
		}
	}
	return nil
}

// maxDepth bounds how deep a bundle's TOML nests: arrays, inline tables and the parts of
// dotted keys and table headers, together. The TOML decoder recurses once per array or
// inline table, so that a file of megabytes of "[" overflows the stack (a fatal error,
// which no recover catches: a kiosk would end at every start if it took such a bundle),
// and its time grows with the square of a key's path. A kiosk's own files nest 4 deep.
const maxDepth = 32

// tomlDepth is how deep data nests, at the deepest point outside strings and comments:
// the brackets and braces open there, the dots of the keys they are the values of, the
// dots of the table header above and those of the dotted key (or number) being read.
// data needs not be valid TOML.
func tomlDepth(data []byte) int {
	var (
		owners   []int // per open bracket, the dots of the key whose value it is
		inPath   int   // the sum of owners
		header   int   // the dots of the table header above
		inHeader bool  // between a header's first "[" and its last "]"
		dots     int   // the dots of the dotted key (or number) being read
		keyDots  int   // the dots of the key before the last "="
		atStart  = true
		deepest  int
	)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '[' || c == '{':
			if c == '[' && atStart && len(owners) == 0 {
				inHeader, header = true, 0
			}
			owners = append(owners, keyDots)
			inPath += keyDots
			keyDots = 0
			if !inHeader {
				dots = 0
			}
		case c == ']' || c == '}':
			if len(owners) > 0 {
				inPath -= owners[len(owners)-1]
				owners = owners[:len(owners)-1]
			}
			if inHeader && len(owners) == 0 {
				inHeader, header = false, dots
			}
			if !inHeader {
				dots = 0
			}
		case c == '.':
			dots++
		case c == '=':
			keyDots, dots = dots, 0
		case c == '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			// A string is a part of a key, or a value: it leaves dots as they are.
			if bytes.HasPrefix(data[i:], []byte{c, c, c}) {
				i = skipMultiline(data, i+3, c)
			} else {
				i = skipString(data, i+1, c)
			}
		case c == ' ' || c == '\t' || c == '_' || c == '-' || c >= 0x80 ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			// Within a key: bare key characters (any non-ASCII, for TOML 1.1) and
			// white space around its dots.
		default: // ',', a new line, ':' of a time, '+' of a number …
			keyDots, dots = 0, 0
		}
		if d := len(owners) + inPath + header + dots; d > deepest {
			deepest = d
		}
		if c == '\n' {
			atStart = true
		} else if c != ' ' && c != '\t' && c != '\r' {
			atStart = false
		}
	}
	return deepest
}

// skipString returns where a one-line string that started before i ends: its closing
// quote q, or before the end of the line (not valid TOML; the decoder says so).
func skipString(data []byte, i int, q byte) int {
	for ; i < len(data); i++ {
		switch data[i] {
		case '\\':
			if q == '"' && i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case q:
			return i
		case '\n':
			return i - 1
		}
	}
	return i
}

// skipMultiline returns where a multi-line string (three double or three single quotes)
// that started before i ends: the last of its closing run of three to five quotes.
func skipMultiline(data []byte, i int, q byte) int {
	for ; i < len(data); i++ {
		switch data[i] {
		case '\\':
			if q == '"' {
				i++
			}
		case q:
			n := 0
			for i+n < len(data) && data[i+n] == q {
				n++
			}
			if n >= 3 {
				return i + n - 1
			}
			i += n - 1
		}
	}
	return i
}

// oneLine keeps an error's first line.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// String describes the bundle for logs: "electricity v8 (2 files, expires
// 2026-12-26T00:00:00Z)", and when it takes effect if it says.
func (b *Bundle) String() string {
	files := "files"
	if len(b.Files) == 1 {
		files = "file"
	}
	effective := ""
	if !b.Manifest.Effective.IsZero() {
		effective = ", effective " + rfc3339(b.Manifest.Effective)
	}
	return fmt.Sprintf("%s v%d (%d %s, expires %s%s)", b.Manifest.Utility, b.Manifest.Version, len(b.Files), files, rfc3339(b.Manifest.Expires), effective)
}

// Due reports whether the bundle takes effect at now: it says no later time.
func (b *Bundle) Due(now time.Time) bool { return !now.Before(b.Manifest.Effective) }
