package main

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// utilityLatency is the latency injected into every utility's answers.
const utilityLatency = 300 * time.Millisecond

// BenchmarkCardToAccounts times a citizen's first screen: from the demo card placed on
// the emulated reader (115200 baud, the configured 100 ms poll) until the accounts
// screen shows the answers of all four utilities, each answering 300 ms late. The card
// read is timed separately, to the session the reader's Card event opens, so that the
// target is explicit: place→shown ≤ card + 1.15 × 300 ms. It reports median and p90 of
// place→shown (shown: the shell has rendered every answer), of the card read, of the
// rest (rest-) and of the rest over the latency (x-latency), the medians of the steps
// after the card (the UI taking the card and asking, the utilities, the last render),
// one paint of the final screen (paint-ms: Fyne's software painter; in the glframes
// build the OpenGL painter's next frame in a real window, from shown to swapped, the
// wait for Fyne's tick included), and how many runs missed the target; the same
// (x-latency-painted-*, missed-painted) counting that paint, i.e. to the glass.
//
//	go test -tags ci,migrated_fynedo,no_emoji -run '^$' -bench BenchmarkCardToAccounts -benchtime 40x ./cmd/kiosk
//	(. scripts/lib.sh; gl_test -run '^$' -bench BenchmarkCardToAccounts -benchtime 40x)
func BenchmarkCardToAccounts(b *testing.B) {
	k := startJourney(b, journeyOptions{})
	for _, id := range utilitysim.Utilities {
		if err := k.sims.SetFaults(id, utilitysim.Faults{LatencyMS: int(utilityLatency / time.Millisecond)}); err != nil {
			b.Fatal(err)
		}
	}
	poll := k.K.Config.Devices.IDCard.PollInterval.Duration
	var mu sync.Mutex
	var opened time.Time // when the card's session opened: the reader's Card event
	k.K.OnSession(func(e session.Event) {
		if e.Kind == session.Started {
			mu.Lock()
			opened = time.Now()
			mu.Unlock()
		}
	})
	k.WaitFor("the reader", func() bool { st, ok := k.K.DeviceState("idcard"); return ok && st.OK })
	paintFrame := newPainter(k)
	rng := rand.New(rand.NewPCG(6, 9))
	var card, total, rest, onGlass, asked, answered, rendered, paint samples
	missed, missedOnGlass := 0, 0
	b.ResetTimer()
	for range b.N {
		// The reader notices the last card gone at its next poll; then a random phase.
		time.Sleep(2*poll + time.Duration(rng.Int64N(int64(poll))))
		t0 := time.Now()
		if err := k.rig.PlaceCard(0); err != nil { // 张三: accounts at all four
			b.Fatal(err)
		}
		var acc *app.Accounts
		var tAsked, tAnswered time.Time
		done := make(chan struct{})
		k.WaitFor("all four answers on the accounts screen", func() bool {
			if acc == nil {
				if a, ok := k.K.SessionAccounts(); ok {
					acc, tAsked = a, time.Now()
					go func() { a.Wait(); tAnswered = time.Now(); close(done) }()
				}
				return false
			}
			return k.accountsShown(acc)
		})
		tShown := time.Now()
		<-done
		paintFrame()
		tPainted := time.Now()
		mu.Lock()
		tCard := opened
		mu.Unlock()
		c, t := tCard.Sub(t0), tShown.Sub(t0)
		card, total, rest = append(card, c), append(total, t), append(rest, t-c)
		asked, answered = append(asked, tAsked.Sub(tCard)), append(answered, tAnswered.Sub(tAsked))
		rendered, paint = append(rendered, tShown.Sub(tAnswered)), append(paint, tPainted.Sub(tShown))
		onGlass = append(onGlass, tPainted.Sub(tCard))
		if t-c > utilityLatency*115/100 {
			missed++
		}
		if tPainted.Sub(tCard) > utilityLatency*115/100 {
			missedOnGlass++
		}
		k.rig.RemoveCard()
		k.Tap("退出办理")
	}
	b.StopTimer()
	reportQuantiles(b, "", total)
	reportQuantiles(b, "card-", card)
	reportQuantiles(b, "rest-", rest)
	b.ReportMetric(float64(rest.quantile(0.5))/float64(utilityLatency), "x-latency-median")
	b.ReportMetric(float64(rest.quantile(0.9))/float64(utilityLatency), "x-latency-p90")
	b.ReportMetric(ms(asked.quantile(0.5)), "ask-ms")
	b.ReportMetric(ms(answered.quantile(0.5)), "utilities-ms")
	b.ReportMetric(ms(rendered.quantile(0.5)), "render-ms")
	b.ReportMetric(ms(paint.quantile(0.5)), "paint-ms")
	b.ReportMetric(float64(missed), "missed")
	b.ReportMetric(float64(onGlass.quantile(0.5))/float64(utilityLatency), "x-latency-painted-median")
	b.ReportMetric(float64(onGlass.quantile(0.9))/float64(utilityLatency), "x-latency-painted-p90")
	b.ReportMetric(float64(missedOnGlass), "missed-painted")
	b.ReportMetric(0, "ns/op")
}
