package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
)

// DemoKey is a utility's signing key in demo mode, derived from its name so that the
// demo (and the tests) can push bundles without key files. Everyone can derive it: a
// kiosk accepts it only in demo mode and only for a utility without a configured key.
func DemoKey(utility string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("kiosk demo bundle key " + utility))
	return ed25519.NewKeyFromSeed(seed[:])
}
