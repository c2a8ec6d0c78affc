package bundle

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Headline is a text a utility's files show as the utility's name: its catalogue's
// name, its public information's title. File and Key say where it is, for the refusal.
type Headline struct {
	File, Key, Text string
}

// CheckNames refuses, wrapping ErrScope, a headline of utility id's that holds the name
// of another utility: others maps each utility's ID to the names it is known by (the
// hall's configuration, the kiosk's own content). A utility's key changes what the kiosk
// shows under that utility's name, and must not put its content under another's (a
// water bundle titled 供电信息公开). Chinese names are matched as they are, others
// regardless of case.
func CheckNames(id string, heads []Headline, others map[string][]string) error {
	for _, h := range heads {
		text := strings.ToLower(h.Text)
		for _, o := range slices.Sorted(maps.Keys(others)) {
			if o == id {
				continue
			}
			for _, name := range others[o] {
				if n := strings.TrimSpace(name); n != "" && strings.Contains(text, strings.ToLower(n)) {
					return fmt.Errorf("%w: %s: %s %q holds %q, the name of utility %s: a utility's bundle shows its content under its own name only",
						ErrScope, h.File, h.Key, h.Text, n, o)
				}
			}
		}
	}
	return nil
}
