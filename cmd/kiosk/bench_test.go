package main

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	utilitysim "github.com/liangzihu/kiosk/cmd/utilitysim/sim"
	"github.com/liangzihu/kiosk/screens/screentest"
)

// benchKiosk is a whole demo kiosk for the benchmarks, as a journey's: the device
// emulators on pseudo-terminals, the utilities' simulator on loopback HTTP, a real data
// store, the system clock, the shell in a 1280×800 test window painted by Fyne's
// software painter.
type benchKiosk struct {
	*screentest.H
	rig  *demo.Rig
	sims *utilitysim.Server
}

// benchOptions set a benchKiosk up.
type benchOptions struct {
	// poll is the ID card reader's poll interval; 0 keeps the configured default.
	poll time.Duration
	// autoPay pays a payment this long after it was created; 0: never.
	autoPay time.Duration
	// manual is a kiosk on a manual clock with no devices and no utilities: screens
	// that need time to move (the idle countdown) and nothing else.
	manual bool
}

func newBenchKiosk(tb testing.TB, o benchOptions) *benchKiosk {
	tb.Helper()
	if o.manual {
		return &benchKiosk{H: screentest.New(tb, screentest.Options{})}
	}
	rig, err := demo.Start(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rig.Close() })
	sims, err := utilitysim.Start(utilitysim.Options{Dir: tb.TempDir(), AutoPay: o.autoPay})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sims.Close() })
	cfg := config.Defaults()
	if o.poll > 0 {
		cfg.Devices.IDCard.PollInterval.Duration = o.poll
	}
	rig.Apply(cfg)
	h := screentest.New(tb, screentest.Options{Config: cfg, Demo: rig, UtilityURLs: sims.BaseURLs(), RealClock: true, Start: true})
	return &benchKiosk{H: h, rig: rig, sims: sims}
}

// card places the demo card of the simulator's i-th citizen and waits for the screen
// the citizen lands on.
func (k *benchKiosk) card(i int) {
	k.T.Helper()
	k.WaitFor("the reader", func() bool { st, ok := k.K.DeviceState("idcard"); return ok && st.OK })
	if err := k.rig.PlaceCard(i); err != nil {
		k.T.Fatal(err)
	}
	k.WaitFor("the accounts screen", func() bool { return k.Shell.Current() == "accounts" })
}

// accountsShown reports whether the accounts screen is on top with the answers of
// every utility: all have answered and the screen was rendered since (no tile on it
// still shows its progress bar).
func (k *benchKiosk) accountsShown(a *app.Accounts) bool {
	if k.Shell.Current() != "accounts" {
		return false
	}
	for _, t := range a.Tiles() {
		if t.State == app.Loading {
			return false
		}
	}
	return !loading(k.Win.Canvas().Content())
}

// loading reports whether a utility's tile on screen still shows its progress bar.
func loading(o fyne.CanvasObject) bool {
	switch o := o.(type) {
	case *widget.ProgressBarInfinite:
		return true
	case *fyne.Container:
		for _, c := range o.Objects {
			if loading(c) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			if loading(c) {
				return true
			}
		}
	}
	return false
}

// object returns the n-th (from 0) visible object on screen that matches.
func (k *benchKiosk) object(what string, n int, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	k.T.Helper()
	for _, o := range k.Objects() {
		if o.Visible() && match(o) {
			if n == 0 {
				return o
			}
			n--
		}
	}
	k.T.Fatalf("no %s on screen %s:\n%s", what, k.Shell.Current(), k.Markup())
	return nil
}

// paint paints the whole canvas (content and overlays) with the software painter.
func (k *benchKiosk) paint() { _ = k.Win.Canvas().Capture() }

// samples are durations measured once per iteration.
type samples []time.Duration

// quantile is the nearest-rank q-quantile (0.5: the median, 0.9: p90).
func (s samples) quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	i := int(math.Ceil(float64(len(c))*q)) - 1
	return c[min(max(i, 0), len(c)-1)]
}

// over counts the samples longer than d.
func (s samples) over(d time.Duration) int {
	n := 0
	for _, x := range s {
		if x > d {
			n++
		}
	}
	return n
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// reportQuantiles reports the median and p90 of s as name-median-ms and name-p90-ms.
func reportQuantiles(b *testing.B, name string, s samples) {
	b.ReportMetric(ms(s.quantile(0.5)), fmt.Sprintf("%smedian-ms", name))
	b.ReportMetric(ms(s.quantile(0.9)), fmt.Sprintf("%sp90-ms", name))
}

// tapObject taps o as a finger would.
func tapObject(o fyne.CanvasObject) { test.Tap(o.(fyne.Tappable)) }
