package utilitysim

import (
	"testing"

	"github.com/liangzihu/kiosk/devices/sim"
)

// The cards demo mode can place ("模拟刷卡") are the simulator's citizens: each card
// finds its holder here, and every citizen here has a card.
func TestDemoCardsMatchIdentities(t *testing.T) {
	byID := map[string]Identity{}
	for _, p := range DemoIdentities {
		byID[p.IDNumber] = p
	}
	cards := map[string]bool{}
	for _, c := range sim.DemoCards() {
		p, ok := byID[c.IDNumber]
		if !ok {
			t.Errorf("demo card %q has no citizen in the simulator", c.Label)
			continue
		}
		if p.Name != c.Name {
			t.Errorf("demo card %q: name differs from the simulator's citizen", c.Label)
		}
		cards[c.IDNumber] = true
	}
	for _, p := range DemoIdentities {
		if !cards[p.IDNumber] {
			t.Errorf("citizen %s has no demo card", p.Note)
		}
	}
}
