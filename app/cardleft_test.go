package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/devices/sim"
)

// cardKinds are the card.* journal entries so far, as "kind detail".
func (r *rig) cardKinds() []string {
	r.t.Helper()
	events, err := r.k.Journal.Range(time.Unix(0, 0), time.Now().Add(time.Hour), 0)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Kind == journal.CardLeft || e.Kind == journal.CardTaken {
			out = append(out, string(e.Kind)+" "+e.Detail)
		}
	}
	return out
}

// awaitCardLeftChanged waits for the screens' cue that the card left behind appeared or went.
func (r *rig) awaitCardLeftChanged() {
	r.t.Helper()
	for {
		select {
		case e := <-r.identify:
			if e.Kind == app.CardLeftChanged {
				return
			}
		case <-time.After(10 * time.Second):
			r.t.Fatal("no CardLeftChanged event")
		}
	}
}

// A visit that ends with the ID card still on the reader leaves home asking its holder
// to take it, tells staff since when and journals it; lifting the card ends all that.
// Nothing about the holder is recorded.
func TestCardLeftOnReaderAfterVisit(t *testing.T) {
	r := newRig(t)
	r.demo.PlaceCard(0)
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	if r.k.CardLeft() {
		t.Fatal("a card that opened a visit counts as left behind")
	}
	before := time.Now()
	sid := r.k.Sessions.Current().ID
	r.k.Exit()
	if !r.k.CardLeft() || r.k.CardLeftSince().Before(before) {
		t.Fatalf("after the visit the card on the reader: left %v since %v", r.k.CardLeft(), r.k.CardLeftSince())
	}
	if got := r.cardKinds(); len(got) != 1 || got[0] != "card.left exit" {
		t.Fatalf("journal %q, want the card left by a visit that the citizen ended", got)
	}
	events, _ := r.k.Journal.Range(before, time.Now().Add(time.Hour), 0)
	for _, e := range events {
		if e.Kind == journal.CardLeft && (e.Session != sid || e.Subject != "") {
			t.Errorf("card.left names session %q subject %q, want the visit's session only", e.Session, e.Subject)
		}
	}

	r.demo.RemoveCard()
	r.awaitCardLeftChanged()
	if r.k.CardLeft() || !r.k.CardLeftSince().IsZero() {
		t.Fatal("the card was taken and still counts as left behind")
	}
	if got := r.cardKinds(); len(got) != 2 || !strings.HasPrefix(got[1], "card.taken after ") {
		t.Fatalf("journal %q, want the card taken after it was left", got)
	}
}

// A card left behind stays the card it was when the reader loses track of it for a
// while (unplugged, then back): found lying there again it keeps the time it was left,
// and its taking is journaled as that card's.
func TestCardLeftOutlivesReaderFault(t *testing.T) {
	r := newRig(t)
	r.demo.PlaceCard(0)
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	r.k.Exit()
	left := r.k.CardLeftSince()
	if left.IsZero() {
		t.Fatal("no card left behind")
	}
	if err := r.demo.Reader().Unplug(); err != nil {
		t.Fatal(err)
	}
	r.awaitCardLeftChanged()
	if r.k.CardLeft() {
		t.Fatal("a card counts as left on a reader that cannot tell")
	}
	if err := r.demo.Reader().Replug(); err != nil {
		t.Fatal(err)
	}
	r.awaitCardLeftChanged()
	if got := r.k.CardLeftSince(); !got.Equal(left) {
		t.Fatalf("the card found again was left at %v, want %v", got, left)
	}
	r.demo.RemoveCard()
	r.awaitCardLeftChanged()
	if got := r.cardKinds(); len(got) != 2 || got[0] != "card.left exit" || !strings.HasPrefix(got[1], "card.taken after ") {
		t.Fatalf("journal %q, want the card left, then taken", got)
	}
}

// A refused card lies on the reader with no visit open: home asks to take it back, but
// no visit left it, so the journal says nothing. A card that replaces a visit's card,
// and a visit whose holder keeps the card, leave nothing behind.
func TestCardLeftOnReaderRefusedOrReplaced(t *testing.T) {
	r := newRig(t)
	if err := r.demo.PlaceFixture("resident_expired"); err != nil {
		t.Fatal(err)
	}
	if e := r.next(); e.Kind != app.Refused {
		t.Fatalf("event %+v", e)
	}
	if !r.k.CardLeft() {
		t.Fatal("the refused card on the reader is not to be taken back")
	}
	r.demo.PlaceCard(0) // the citizen tries another card: the refused one is lifted first
	r.awaitCardLeftChanged()
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	r.demo.PlaceCard(1) // the next citizen's card replaces the visit
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	r.demo.RemoveCard() // lifted during the visit
	time.Sleep(200 * time.Millisecond)
	r.k.Exit()
	if r.k.CardLeft() {
		t.Fatal("a visit whose holder took the card left it behind")
	}
	if got := r.cardKinds(); len(got) != 0 {
		t.Fatalf("journal %q, want nothing: no visit left a card", got)
	}
}

// A card already on the reader when the kiosk starts (left overnight, or there when the
// power came back) was placed by nobody in sight: it opens no visit for whoever stands
// at the screen; home asks for it to be taken. Once lifted, a card placed opens a visit.
func TestCardOnReaderAtStartOpensNoVisit(t *testing.T) {
	r := newRigWith(t, func(d *demo.Rig) error { return d.PlaceCard(0) })
	k, d := r.k, r.demo
	r.awaitCardLeftChanged()
	if !k.CardLeft() || k.Sessions.Current() != nil {
		t.Fatalf("the card found at start: left %v, session %v; want no visit and the card to be taken", k.CardLeft(), k.Sessions.Current())
	}
	d.RemoveCard()
	r.awaitCardLeftChanged()
	if k.CardLeft() {
		t.Fatal("the card was lifted and still counts as left behind")
	}
	d.PlaceCard(0)
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("a card placed after: event %+v, want a visit", e)
	}
}

// A visit wiped by the idle timeout with the card still on the reader opens no new one,
// not even when the reader loses track of the card for a poll and reads it again: it
// is the card left behind, and home asks for it to be taken.
func TestCardLeftAfterIdleWipe(t *testing.T) {
	clk := clock.NewManual(time.Now())
	r := newRigAt(t, clk, nil)
	r.demo.PlaceCard(0)
	if e := r.next(); e.Kind != app.Identified {
		t.Fatalf("event %+v", e)
	}
	s := r.k.Sessions.Current()
	cfg := r.k.Config.Kiosk
	clk.Advance(cfg.IdleTimeout.Duration)
	clk.Advance(cfg.IdleCountdown.Duration + time.Second)
	if !s.Wiped() || r.k.Sessions.Current() != nil {
		t.Fatal("the idle visit was not wiped")
	}
	if !r.k.CardLeft() {
		t.Fatal("the card on the reader after the idle wipe is not taken for one left behind")
	}
	reads := r.demo.Reader().Count(sim.IDCmdRead)
	r.demo.Reader().Inject(sim.IDCardFault{Kind: sim.FaultTruncate, Command: sim.IDCmdFind, Count: 1})
	pollUntil(t, 10*time.Second, "the card read again", func() bool { return r.demo.Reader().Count(sim.IDCmdRead) > reads })
	r.awaitCardLeftChanged() // lost track of
	r.awaitCardLeftChanged() // found lying there again
	if c := r.k.Sessions.Current(); c != nil || !r.k.CardLeft() {
		t.Fatal("the card left behind, read again, opened a visit")
	}
	if got := r.cardKinds(); len(got) != 1 || got[0] != "card.left idle" {
		t.Fatalf("journal %q, want the card left by the visit wiped when idle", got)
	}
}
