// Package staffpin guards maintenance mode on the touchscreen with a staff PIN: the
// PIN's stored form (a salted PBKDF2-HMAC-SHA256 hash, configured as [staff] pin_hash)
// and a Gate that checks a PIN typed on the screen, slows guessing down and locks after
// repeated wrong PINs. The Gate keeps no state of its own: every try it evaluates is
// journaled, and it reads its state back from the journal, so that a restart or a power
// cut does not reset a lockout. Nothing here writes a PIN, or its hash, to the journal,
// the log or an error message.
package staffpin

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultIterations is the PBKDF2 iteration count Hash uses: OWASP's figure for
// PBKDF2-HMAC-SHA256. A PIN has few possible values, so each guess at a stolen hash must
// be made expensive.
const DefaultIterations = 600000

// Bounds of what CheckHash accepts. Below the minimum a hash is cheap to brute-force;
// above the maximum one try at the screen would keep the kiosk busy for seconds.
const (
	minIterations = 100000
	maxIterations = 10000000
	saltLen       = 16
	keyLen        = 32
	scheme        = "pbkdf2-sha256"
)

// iterations is what Hash uses; tests lower it to minIterations to stay fast. Verify
// always uses the count written in the hash.
var iterations = DefaultIterations

// b64 encodes salt and key: standard alphabet without padding, so that a hash has no
// '=' to confuse a reader of the TOML line.
var b64 = base64.RawStdEncoding

// DemoPIN opens maintenance mode in demo mode when no hash is configured.
const DemoPIN = "123456"

// DemoHash is the hash of DemoPIN, made once with Hash. Demo mode uses it when
// [staff] pin_hash is empty; it must never open a kiosk outside demo mode: the caller
// decides, as only it knows whether the kiosk runs in demo mode.
const DemoHash = "pbkdf2-sha256$600000$oYCEzcB22sWM2cXo7QTTzw$zUeHfO6hQ/6c2WJmglXsPHiQ/NoCP+yW8A2fANQZOTc"

// errPIN is ValidPIN's one answer, errNewPIN ValidNewPIN's: each says what a PIN is,
// not what was typed.
var (
	errPIN    = errors.New("staffpin: a PIN is 4 to 12 digits (0-9) and nothing else")
	errNewPIN = fmt.Errorf("staffpin: a new PIN is %d to 12 digits (0-9) and nothing else", MinNewPIN)
)

// MinNewPIN is the fewest digits a new PIN may have. The gate allows five wrong PINs a
// quarter of an hour, lockouts included (DefaultMaxFailures, DefaultLockout), and keeps
// counting across restarts: some 480 tries a day. Every 4-digit PIN is then tried in
// about three weeks at the kiosk, and with several members' PINs (a wrong 工号 counts in
// the same run) one falls within days; every 6-digit one takes some six years. PINs of 4
// or 5 digits hashed before (ValidPIN) still open the kiosk.
const MinNewPIN = 6

// ValidPIN reports whether pin may be a staff PIN typed at the kiosk: 4 to 12 ASCII
// digits, as the hashes made before MinNewPIN took effect allow.
func ValidPIN(pin string) error { return digits(pin, 4, errPIN) }

// ValidNewPIN reports whether pin may be a new staff PIN: MinNewPIN to 12 ASCII digits.
func ValidNewPIN(pin string) error { return digits(pin, MinNewPIN, errNewPIN) }

// digits is nil if pin is min to 12 ASCII digits, else refused.
func digits(pin string, min int, refused error) error {
	if len(pin) < min || len(pin) > 12 {
		return refused
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return refused
		}
	}
	return nil
}

// Hash returns the stored form of a new pin, pbkdf2-sha256$ITERATIONS$SALT$KEY (salt
// and key in unpadded standard base64), with a new random salt: the same PIN hashes
// differently each time. It refuses a PIN that ValidNewPIN refuses.
func Hash(pin string) (string, error) {
	if err := ValidNewPIN(pin); err != nil {
		return "", err
	}
	return hash(pin)
}

// hash is Hash without the check of the PIN's length.
func hash(pin string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("staffpin: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, iterations, keyLen)
	if err != nil {
		return "", fmt.Errorf("staffpin: %w", err)
	}
	return fmt.Sprintf("%s$%d$%s$%s", scheme, iterations, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckHash reports whether encoded is a hash Verify can use, with an error saying what
// is wrong. The error never repeats the hash beyond its prefix: the configuration check
// prints it.
func CheckHash(encoded string) error {
	_, _, _, err := parse(encoded)
	return err
}

func parse(encoded string) (iter int, salt, key []byte, err error) {
	fields := strings.Split(encoded, "$")
	if fields[0] != scheme {
		return 0, nil, nil, fmt.Errorf("staffpin: not a PIN hash: it must start with %s$", scheme)
	}
	if len(fields) != 4 {
		return 0, nil, nil, fmt.Errorf("staffpin: a PIN hash has 4 parts separated by $ (%s$ITERATIONS$SALT$KEY), this one %d", scheme, len(fields))
	}
	iter, err = strconv.Atoi(fields[1])
	if err != nil {
		return 0, nil, nil, errors.New("staffpin: the PIN hash's iteration count is not a whole number")
	}
	if iter < minIterations || iter > maxIterations {
		return 0, nil, nil, fmt.Errorf("staffpin: the PIN hash's iteration count %d is out of range (%d to %d)", iter, minIterations, maxIterations)
	}
	salt, err = b64.DecodeString(fields[2])
	if err != nil {
		return 0, nil, nil, errors.New("staffpin: the PIN hash's salt is not unpadded base64")
	}
	if len(salt) < saltLen {
		return 0, nil, nil, fmt.Errorf("staffpin: the PIN hash's salt is %d bytes, at least %d are needed", len(salt), saltLen)
	}
	key, err = b64.DecodeString(fields[3])
	if err != nil {
		return 0, nil, nil, errors.New("staffpin: the PIN hash's key is not unpadded base64")
	}
	if len(key) != keyLen {
		return 0, nil, nil, fmt.Errorf("staffpin: the PIN hash's key is %d bytes, it must be %d", len(key), keyLen)
	}
	return iter, salt, key, nil
}

// Verify reports whether pin is the PIN encoded was made from, with the iteration count
// written in encoded. It takes as long as that many iterations (see BenchmarkVerify:
// 0.1 s at DefaultIterations on an x86 core): call it off the UI goroutine. The error is
// CheckHash's.
func Verify(encoded, pin string) (bool, error) {
	iter, salt, key, err := parse(encoded)
	if err != nil {
		return false, err
	}
	if ValidPIN(pin) != nil {
		return false, nil // Hash never made a hash of it
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(key))
	if err != nil {
		return false, fmt.Errorf("staffpin: %w", err)
	}
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
