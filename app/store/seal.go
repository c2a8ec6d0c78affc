package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/liangzihu/kiosk/app/smallfile"
)

// KeySize is the data key's size: AES-256.
const KeySize = 32

// sealVersion prefixes every sealed value, so that the format can change later.
const sealVersion = 1

// ErrKeyMissing means the database exists but its key file does not: the personal data
// in it can no longer be read. The kiosk refuses to start rather than make a new key.
var ErrKeyMissing = errors.New("store: the data key file is missing but the database exists; restore the key file from its backup (without it the stored personal data cannot be read)")

// ErrOpen means a sealed value could not be opened: wrong key, or damaged.
var ErrOpen = errors.New("store: sealed value cannot be opened")

// Sealer encrypts personal fields with AES-256-GCM and hashes subjects with a keyed
// HMAC. Both keys are derived from the data key, so that one file holds one secret.
type Sealer struct {
	aead    cipher.AEAD
	subject []byte
}

// NewSealer derives the sealing and subject keys from a 32-byte data key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("store: the data key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(derive(key, "kiosk seal v1"))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Sealer{aead: aead, subject: derive(key, "kiosk subject v1")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plain. context (a bucket and field name, say) is authenticated but not
// stored: a value moved to another place does not open there.
func (s *Sealer) Seal(plain, context []byte) []byte {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		// crypto/rand never fails on Linux; a kiosk without randomness must not go on.
		panic("store: no randomness: " + err.Error())
	}
	return s.aead.Seal(out, out[1:], plain, context)
}

// Open decrypts a value made by Seal with the same context.
func (s *Sealer) Open(sealed, context []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], context)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// SealJSON seals v's JSON encoding under context (see Seal).
func (s *Sealer) SealJSON(v any, context []byte) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	return s.Seal(plain, context), nil
}

// OpenJSON opens a value made by SealJSON with the same context into v.
func (s *Sealer) OpenJSON(sealed, context []byte, v any) error {
	plain, err := s.Open(sealed, context)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("store: open: %w", err)
	}
	return nil
}

// Subject returns a keyed hash of a personal value (an ID number, an account number), so
// that records about one person can be correlated without storing who it is. The hash is
// 128 bits, hex; without the data key it cannot be recomputed from a guessed value.
func (s *Sealer) Subject(kind, value string) string {
	m := hmac.New(sha256.New, s.subject)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// loadOrCreateKey reads the key file, or creates it (0600) when neither it nor the
// database exists yet. An empty key file before the database exists is one a power cut
// left half made (kiosks once created the file, then wrote it): nothing was sealed with
// it, and a new key replaces it.
func loadOrCreateKey(path string, freshDB bool) ([]byte, error) {
	data, err := smallfile.Read(path, smallfile.MaxSecret)
	if err == nil && freshDB && len(data) == 0 {
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("store: data key: %w", err)
		}
		err = os.ErrNotExist
	}
	if errors.Is(err, os.ErrNotExist) {
		if !freshDB {
			return nil, ErrKeyMissing
		}
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("store: data key %s is readable by others (mode %v); run chmod 600 on it", path, st.Mode().Perm())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("store: data key %s is not %d bytes of hex", path, KeySize)
	}
	return key, nil
}

func createKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	// Written whole and synced beside it first, then given its name, then the folder
	// synced: a power cut leaves no key file or a whole one, never an empty one. The
	// name is given by a link, not a rename, so that a key file made meanwhile (another
	// process's first start) is never replaced.
	tmp, _, err := writeTemp(path, func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, hex.EncodeToString(key)+"\n")
		return int64(n), err
	})
	if err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	err = os.Link(tmp, path)
	os.Remove(tmp)
	if err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return key, nil
}
