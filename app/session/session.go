// Package session holds the citizen session: who is at the kiosk, what the flows have
// gathered about them, and the idle timer that wipes it all when they walk away.
package session

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/liangzihu/kiosk/app/mask"
)

// Identity is the person a session belongs to, as read from their ID card.
// Its LogValue is masked, so logging an Identity never writes the raw values.
type Identity struct {
	Name     string
	IDNumber string
	// CardType is "resident", "foreign_2017", "foreign_2023" or "gat_residence".
	CardType string
}

// MaskedName is the name as screens and receipts show it (张*).
func (id Identity) MaskedName() string { return mask.Name(id.Name) }

// MaskedID is the ID number as screens and receipts show it (mask.IDNumber: 6 + 4 of
// an 18-character number, the birth date always hidden).
func (id Identity) MaskedID() string { return mask.IDNumber(id.IDNumber) }

// LogValue implements slog.LogValuer with masked values only.
func (id Identity) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", id.MaskedName()),
		slog.String("id", id.MaskedID()),
		slog.String("card_type", id.CardType),
	)
}

// String is masked too, so fmt never prints the raw values.
func (id Identity) String() string { return id.MaskedName() + " " + id.MaskedID() }

// Format prints String for every verb: %#v, which passes String by, printed the raw
// name and ID number (as idcard.Card's Format, whether given an Identity or a pointer).
func (id Identity) Format(f fmt.State, _ rune) { fmt.Fprint(f, id.String()) }

// Wiper is implemented by session values that hold personal data in place (byte
// slices, say) and must overwrite it when the session ends.
type Wiper interface{ Wipe() }

// Session is one citizen's visit. Flows keep their personal data in it, under a key,
// so that ending the session drops all of it at once.
type Session struct {
	// ID is random and carries no personal data; the journal uses it.
	ID      string
	Started time.Time

	mu       sync.Mutex
	identity *Identity
	values   map[string]any
	wiped    bool
}

func newSession(now time.Time) *Session {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Session{ID: hex.EncodeToString(b[:]), Started: now, values: map[string]any{}}
}

// Identity returns the session's identity, if a card was read.
func (s *Session) Identity() (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.identity == nil {
		return Identity{}, false
	}
	return *s.identity, true
}

// SetIdentity records who the session belongs to.
func (s *Session) SetIdentity(id Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wiped {
		return
	}
	s.identity = &id
}

// Set stores a flow's value under key. Setting a value on a wiped session does nothing.
func (s *Session) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wiped {
		return
	}
	s.values[key] = v
}

// Get returns the value stored under key.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	return v, ok
}

// Delete drops the value stored under key.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, key)
}

// Wiped reports whether the session has ended.
func (s *Session) Wiped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wiped
}

// Len returns how many values the session holds (identity included).
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.values)
	if s.identity != nil {
		n++
	}
	return n
}

// wipe drops every personal value. Values that implement Wiper overwrite their
// contents first; Go strings cannot be overwritten, so they are only dropped.
func (s *Session) wipe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.values {
		if w, ok := v.(Wiper); ok {
			w.Wipe()
		}
		delete(s.values, k)
	}
	if s.identity != nil {
		*s.identity = Identity{}
		s.identity = nil
	}
	s.wiped = true
}
