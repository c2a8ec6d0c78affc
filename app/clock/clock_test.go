package clock

import (
	"testing"
	"time"
)

func TestManualRunsInOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManual(t0)
	var got []int
	c.AfterFunc(3*time.Second, func() { got = append(got, 3) })
	c.AfterFunc(1*time.Second, func() {
		got = append(got, 1)
		c.AfterFunc(time.Second, func() { got = append(got, 2) }) // scheduled from a callback
	})
	stopped := c.AfterFunc(2500*time.Millisecond, func() { got = append(got, 99) })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must report pending once")
	}
	c.Advance(2 * time.Second)
	if len(got) != 2 || c.Now() != t0.Add(2*time.Second) {
		t.Fatalf("after 2 s: %v at %v", got, c.Now())
	}
	c.Advance(5 * time.Second)
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("order %v", got)
	}
	if c.Pending() != 0 {
		t.Fatalf("%d pending", c.Pending())
	}
}
