package bundle

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/liangzihu/kiosk/app/smallfile"
)

// PublicKeyPrefix starts a public key as the kiosk's configuration holds it
// ([utilities.<id>] bundle_key = "ed25519:…").
const PublicKeyPrefix = "ed25519:"

// pemType is the PEM block of a private key: PKCS #8, unencrypted, as `openssl genpkey
// -algorithm ed25519` writes it too.
const pemType = "PRIVATE KEY"

// GenerateKey makes a utility's signing key pair (from crypto/rand).
func GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

// EncodePublicKey writes a public key as the configuration holds it: "ed25519:" and the
// key's 32 bytes in standard base64.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a public key written by EncodePublicKey; white space around it
// is ignored. Its errors start with "bundle: " and say what is wrong, not the key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, PublicKeyPrefix)
	if !ok {
		return nil, fmt.Errorf("bundle: a public key starts with %q", PublicKeyPrefix)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(rest)
	if err != nil {
		return nil, fmt.Errorf("bundle: the public key after %q is not standard base64", PublicKeyPrefix)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bundle: the public key is %d bytes, an ed25519 public key is %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// MarshalPrivateKey writes a private key as a PEM "PRIVATE KEY" block (PKCS #8,
// unencrypted: keep the file to its owner, mode 0600).
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("bundle: the private key is %d bytes, an ed25519 private key is %d", len(priv), ed25519.PrivateKeySize)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// ParsePrivateKey reads a private key written by MarshalPrivateKey (or by `openssl
// genpkey -algorithm ed25519`): the first PEM block must be an unencrypted PKCS #8
// ed25519 key.
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	switch {
	case block == nil:
		return nil, errors.New("bundle: no PEM block: a private key file starts with -----BEGIN PRIVATE KEY-----")
	case block.Type == "ENCRYPTED PRIVATE KEY" || len(block.Headers) > 0:
		return nil, errors.New("bundle: the private key is encrypted, which kioskctl does not read: keep it unencrypted in a file of mode 0600")
	case block.Type != pemType:
		return nil, fmt.Errorf("bundle: a PEM block %q, not %q", block.Type, pemType)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("bundle: the PEM block holds no PKCS #8 private key")
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("bundle: the private key is %T, not ed25519", key)
	}
	return priv, nil
}

// ReadPrivateKey reads a private key file, which must not be open to other users (group
// or others may not have any permission on it).
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: private key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("bundle: private key %s is not a file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("bundle: private key file %s is open to other users (mode %v); run chmod 600 on it", path, perm)
	}
	b, err := smallfile.Read(path, smallfile.MaxSecret)
	if err != nil {
		return nil, fmt.Errorf("bundle: private key: %w", err)
	}
	priv, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("bundle: private key file %s: %s", path, strings.TrimPrefix(err.Error(), "bundle: "))
	}
	return priv, nil
}
