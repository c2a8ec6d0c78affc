// Package bundle is how a utility changes what the kiosk shows of it without a new
// kiosk release (DESIGN flow 5): its public information (信息公开), its service
// catalogue and where its API is, in a bundle it signs with its own ed25519 key. A
// kiosk applies a bundle only when the signature is that utility's (its public key is
// in the kiosk's configuration), every file is the utility's own (scope), its version
// is newer than any the kiosk has applied (a captured old bundle cannot be replayed),
// and it arrives before it expires. A bundle may take effect later than it arrives
// (Effective): the kiosk holds it until then. The kiosk keeps the bundles it replaced
// (Kept), so staff can roll back step by step.
package bundle

import (
	"crypto/ed25519"
	"errors"
	"time"
)

// The files a bundle may hold, by the names they have in it. Each is the utility's own
// part of the kiosk's content: the text of its file must name the bundle's utility.
const (
	// InfoFile is the utility's public information (app/info's format).
	InfoFile = "info.toml"
	// CatalogFile is the utility's service catalogue (app/catalog's format).
	CatalogFile = "catalog.toml"
	// EndpointFile is where the utility's API is (app/utility's Endpoint).
	EndpointFile = "endpoint.toml"
)

// Files are the names of the files a bundle may hold.
var Files = []string{InfoFile, CatalogFile, EndpointFile}

// MaxSize bounds a bundle as received (the envelope with its files).
const MaxSize = 4 << 20

// Errors a bundle is refused with; each refusal wraps one (errors.Is) and says more.
var (
	ErrMalformed   = errors.New("bundle: malformed")
	ErrNoKey       = errors.New("bundle: no public key is configured for this utility")
	ErrSignature   = errors.New("bundle: the signature does not verify")
	ErrScope       = errors.New("bundle: out of the utility's scope")
	ErrExpired     = errors.New("bundle: expired")
	ErrNotYetValid = errors.New("bundle: created in the future")
	ErrStale       = errors.New("bundle: not newer than the version applied")
	// ErrDropped: staff dropped this version (or a newer one) while it was held for
	// later (State.Drop); the utility sends a newer version.
	ErrDropped = errors.New("bundle: staff dropped this version at this kiosk while it was held for later")
)

// Manifest says what a bundle is. Its bytes, as they are in the envelope, are what the
// utility signs.
type Manifest struct {
	// Utility is the utility whose bundle it is (electricity, water, gas, broadband).
	Utility string `json:"utility"`
	// Version grows with each bundle the utility makes; a kiosk applies only a version
	// newer than every one it has applied.
	Version uint64 `json:"version"`
	// Created is when it was signed; Expires the last moment a kiosk may take it.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// Effective, if set, is when it takes effect (a tariff from the first of a month): a
	// kiosk that takes it before holds it, checked, and applies it then. Zero: at once.
	Effective time.Time `json:"effective,omitzero"`
	// Files maps each file's name (one of Files) to the SHA-256 of its bytes,
	// in lower-case hex.
	Files map[string]string `json:"files"`
	// Note says what changed, for staff (the journal, maintenance mode).
	Note string `json:"note,omitempty"`
}

// Bundle is a parsed bundle: its manifest and its files.
type Bundle struct {
	Manifest Manifest
	// Files are the files' bytes by name.
	Files map[string][]byte
	// Raw is the envelope as received, kept so the bundle can be verified again.
	Raw []byte

	// manifest is the manifest's bytes as signed, and signature the signature (Parse
	// sets both; Verify checks one with the other).
	manifest  []byte
	signature []byte
}

var _ = ed25519.PublicKeySize
