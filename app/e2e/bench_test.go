package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// BenchmarkSubmit measures the durable submit: one bbolt transaction with the request
// (sealed) and its journal entry, committed with fsync, as the citizen waits for it.
func BenchmarkSubmit(b *testing.B) {
	s := startSim(b, utilitysim.Options{})
	k, err := openKiosk(b.TempDir(), s.BaseURLs(), outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer k.close()
	measureSubmits(b, k)
}

// BenchmarkSubmitWhileDraining measures the durable submit while the outbox forwards a
// backlog at full speed, committing the answers beside the submits (bbolt has one
// writer): a citizen submitting while the kiosk catches up after an outage.
func BenchmarkSubmitWhileDraining(b *testing.B) {
	const backlog = 20000
	s := startSim(b, utilitysim.Options{})
	k, err := openKiosk(b.TempDir(), s.BaseURLs(), outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer k.close()
	ctx := context.Background()
	for i := 0; i < backlog; i++ {
		u := utilitysim.Utilities[i%4]
		if _, err := k.ob.Submit(ctx, outbox.Request{Utility: u, Kind: utility.KindApplication, Order: fmt.Sprint("acct-", i%1000), Body: application(u, i)}, 0); err != nil {
			b.Fatal(err)
		}
	}
	k.ob.Start(ctx)
	measureSubmits(b, k)
	left := 0
	for _, p := range k.ob.Pending() {
		left += p
	}
	if left == 0 {
		b.Log("the backlog ran out before the submits ended: part of them were measured without it")
	}
	b.ReportMetric(float64(left), "left")
}

// measureSubmits submits b.N applications one after the other, as citizens do, and
// reports the median and 99th percentile of their latency.
func measureSubmits(b *testing.B, k *kiosk) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := utilitysim.Utilities[i%4]
		t := time.Now()
		if _, err := k.ob.Submit(ctx, outbox.Request{Utility: u, Kind: utility.KindApplication, Order: fmt.Sprint("acct-", i%100), Body: application(u, i)}, 0); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkDrain measures how fast a backlog of 10 000 requests (4 utilities, 1 000
// accounts) drains to the simulator once the outbox starts.
func BenchmarkDrain(b *testing.B) {
	const backlog = 10000
	ctx := context.Background()
	var total time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		s, err := utilitysim.Start(utilitysim.Options{Dir: b.TempDir(), Kiosks: simKiosks})
		if err != nil {
			b.Fatal(err)
		}
		k, err := openKiosk(b.TempDir(), s.BaseURLs(), outbox.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < backlog; i++ {
			u := utilitysim.Utilities[i%4]
			if _, err := k.ob.Submit(ctx, outbox.Request{Utility: u, Kind: utility.KindApplication, Order: fmt.Sprint("acct-", i%1000), Body: application(u, i)}, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		k.ob.Start(ctx)
		for {
			left := 0
			for _, p := range k.ob.Pending() {
				left += p
			}
			if left == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		b.StopTimer()
		got := 0
		for _, id := range utilitysim.Utilities {
			l, _ := s.Received(id)
			got += len(l)
		}
		if got != backlog {
			b.Fatalf("the utilities processed %d of %d", got, backlog)
		}
		k.close()
		s.Close()
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "req/s")
}

// BenchmarkLookupAccounts asks the four utilities for a citizen's accounts with 300 ms of
// latency each: concurrent, the whole should take about as long as one.
func BenchmarkLookupAccounts(b *testing.B) {
	const latency = 300 * time.Millisecond
	s := startSim(b, utilitysim.Options{})
	for _, id := range utilitysim.Utilities {
		s.SetFaults(id, utilitysim.Faults{LatencyMS: int(latency / time.Millisecond)})
	}
	k, err := openKiosk(b.TempDir(), s.BaseURLs(), outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer k.close()
	clients := utility.Ordered(k.clients, utilitysim.Utilities)
	p := utilitysim.DemoIdentities[0]
	id := utility.Identity{IDNumber: p.IDNumber, Name: p.Name}
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		res := utility.LookupAccounts(context.Background(), clients, id, nil)
		d := time.Since(t)
		worst = max(worst, d)
		for _, r := range res {
			if r.Err != nil || len(r.Accounts) != 1 {
				b.Fatalf("%s: %d accounts, %v", r.Utility, len(r.Accounts), r.Err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "x-slowest")
	b.ReportMetric(float64(worst)/float64(latency), "worst-x-slowest")
}
