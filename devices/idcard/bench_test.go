package idcard_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/sim"
)

// BenchmarkCardPlacedToEvent measures, at 115200 baud with a 100 ms poll interval,
// the time from a card being placed on the emulated reader to the Card event. Each
// iteration places the card at a random phase of the polling, so the median includes
// the average wait for the next poll. Run it with a fixed count, e.g.
//
//	go test -run '^$' -bench CardPlacedToEvent -benchtime 200x ./devices/idcard/
//
// It reports the median, the 90th percentile and the floor: the wire time of the
// bytes exchanged (find, select, read: command and reply) plus half a poll interval.
func BenchmarkCardPlacedToEvent(b *testing.B) {
	const baud, poll = 115200, 100 * time.Millisecond
	link := filepath.Join(b.TempDir(), "ttyID")
	s, err := sim.StartIDCardReader(sim.IDCardReaderOptions{Link: link, Baud: baud})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := idcard.NewReader(idcard.Options{Port: link, Baud: baud, PollInterval: poll})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func(k idcard.EventKind) {
		b.Helper()
		for {
			select {
			case e := <-r.Events():
				if e.Kind == k {
					return
				}
				if e.Kind == idcard.EventReadFailed {
					b.Fatalf("read failed: %v", e.Err)
				}
			case <-time.After(5 * time.Second):
				b.Fatalf("no %v event", k)
			}
		}
	}
	for r.Status().State != idcard.StateReady {
		time.Sleep(5 * time.Millisecond)
	}
	card, _ := sim.IDCardFixture("resident")
	rng := rand.New(rand.NewPCG(3, 11))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		time.Sleep(time.Duration(rng.Int64N(int64(poll))))
		t0 := time.Now()
		s.Place(card)
		wait(idcard.EventCard)
		lat = append(lat, time.Since(t0))
		s.Remove()
		wait(idcard.EventCardRemoved)
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	wire := sim.WireTime(10+15+10+19+10+1295, baud)
	floor := wire + poll/2
	b.ReportMetric(ms(lat[len(lat)/2]), "median-ms")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "p90-ms")
	b.ReportMetric(ms(floor), "floor-ms")
	b.ReportMetric(ms(lat[len(lat)/2])/ms(floor), "median/floor")
	b.ReportMetric(0, "ns/op")
}
