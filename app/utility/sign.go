package utility

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/smallfile"
)

// Headers of the protocol.
const (
	HeaderKioskID        = "X-Kiosk-Id"
	HeaderTimestamp      = "X-Kiosk-Timestamp"
	HeaderSignature      = "X-Kiosk-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// signScheme starts the signed text and names the scheme in the signature header.
const signScheme = "KIOSK-HMAC-SHA256"

// DefaultReplayWindow is how far a request's timestamp may be from the utility's clock.
const DefaultReplayWindow = 5 * time.Minute

// MinSecretSize is the shortest secret the kiosk accepts.
const MinSecretSize = 32

// StringToSign is the text a request's signature covers: scheme, method, path with its
// query, timestamp (Unix seconds), kiosk ID, idempotency key (empty for reads) and the
// hex SHA-256 of the body, one per line.
func StringToSign(method, path string, ts int64, kioskID, key string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{signScheme, method, path, strconv.FormatInt(ts, 10), kioskID, key, hex.EncodeToString(sum[:])}, "\n")
}

// Sign returns the value of X-Kiosk-Signature for a request.
func Sign(secret []byte, method, path string, ts int64, kioskID, key string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(StringToSign(method, path, ts, kioskID, key, body)))
	return signScheme + " " + hex.EncodeToString(m.Sum(nil))
}

// requestPath is the path and query a signature covers.
func requestPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return p
}

// Signature problems a utility reports (as 401 bad_signature).
var (
	ErrSignatureMissing = errors.New("signature headers missing")
	ErrSignatureStale   = errors.New("timestamp outside the replay window")
	ErrSignatureInvalid = errors.New("signature does not match")
	// ErrKioskUnknown: the utility keeps no secret for the kiosk ID; it is also
	// ErrSignatureInvalid, which is what a utility that does not tell them apart says.
	ErrKioskUnknown = fmt.Errorf("%w: unknown kiosk ID", ErrSignatureInvalid)
)

// Verify checks a request's signature, for utilities written in Go (and the simulator).
// secretFor returns the kiosk's secret, or nil for an unknown kiosk (ErrKioskUnknown);
// body is the request body already read. It returns the kiosk ID.
func Verify(r *http.Request, body []byte, now time.Time, window time.Duration, secretFor func(kioskID string) []byte) (string, error) {
	id := r.Header.Get(HeaderKioskID)
	tsText := r.Header.Get(HeaderTimestamp)
	sig := r.Header.Get(HeaderSignature)
	if id == "" || tsText == "" || sig == "" {
		return "", ErrSignatureMissing
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return "", ErrSignatureMissing
	}
	if d := now.Sub(time.Unix(ts, 0)); d > window || d < -window {
		return "", ErrSignatureStale
	}
	secret := secretFor(id)
	if secret == nil {
		return "", ErrKioskUnknown
	}
	want := Sign(secret, r.Method, requestPath(r), ts, id, ParseIdempotencyKey(r.Header.Get(HeaderIdempotencyKey)), body)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return "", ErrSignatureInvalid
	}
	return id, nil
}

// FormatIdempotencyKey writes a key as an RFC 8941 string item, as the IETF draft wants.
func FormatIdempotencyKey(key string) string { return `"` + key + `"` }

// ParseIdempotencyKey reads the header value, quoted (RFC 8941) or bare.
func ParseIdempotencyKey(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// ValidKey reports whether a key is acceptable: 1 to 255 visible ASCII characters,
// without quotes or backslashes.
func ValidKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// NewIdempotencyKey makes a key for one state-changing request: a random UUID
// (version 4), as the idempotency draft recommends. Make it once per request and keep it
// for every attempt; the outbox does so itself.
func NewIdempotencyKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("utility: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// DemoSecret is the signing secret kiosk and simulator share in demo mode, when
// secret_file is empty: "kiosk-demo-secret/<utility>/not-for-production". It is public
// and must never be configured on a utility's real API.
func DemoSecret(utilityID string) []byte {
	return []byte("kiosk-demo-secret/" + utilityID + "/not-for-production")
}

// ReadPrivateFile reads a file that holds a secret (what it holds names it in errors)
// as text, surrounding white space left out: never one that others may read.
func ReadPrivateFile(path, what string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s file %s is open to other users (mode %v); run chmod 600 on it", what, path, st.Mode().Perm())
	}
	data, err := smallfile.Read(path, smallfile.MaxSecret)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return []byte(strings.TrimSpace(string(data))), nil
}

// LoadSecret reads the kiosk's secret for a utility from path. In demo mode an empty
// path gives DemoSecret; outside demo mode it is an error. The file holds the secret as
// text (surrounding white space is ignored), at least MinSecretSize bytes, and must not
// be readable by others.
func LoadSecret(path, utilityID string, demo bool) ([]byte, error) {
	if path == "" {
		if demo {
			return DemoSecret(utilityID), nil
		}
		return nil, fmt.Errorf("utility %s: no secret_file: a signing secret is required outside demo mode", utilityID)
	}
	s, err := ReadPrivateFile(path, "secret")
	if err != nil {
		return nil, fmt.Errorf("utility %s: %w", utilityID, err)
	}
	if len(s) < MinSecretSize {
		return nil, fmt.Errorf("utility %s: secret in %s is %d bytes; at least %d are required", utilityID, path, len(s), MinSecretSize)
	}
	return s, nil
}
