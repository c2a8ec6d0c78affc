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
	"github.com/liangzihu/kiosk/screens/touch"
)

// accountsShown reports whether the accounts screen is on top with the answers of
// every utility: all have answered and the screen was rendered since (no tile on it
// still says 正在查询…).
func (k *journey) accountsShown(a *app.Accounts) bool {
	if k.Shell.Current() != "accounts" {
		return false
	}
	for _, t := range a.Tiles() {
		if t.State == app.Loading {
			return false
		}
	}
	return !showing(k.Win.Canvas().Content(), k.K.Text.T("accounts.loading"))
}

// showing reports whether a label under o reads text (a utility's tile still loading).
func showing(o fyne.CanvasObject, text string) bool {
	switch o := o.(type) {
	case *widget.Label:
		return o.Text == text
	case *fyne.Container:
		for _, c := range o.Objects {
			if showing(c, text) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			if showing(c, text) {
				return true
			}
		}
	}
	return false
}

// object returns the n-th (from 0) visible object on screen that matches.
func (k *journey) object(what string, n int, match func(fyne.CanvasObject) bool) fyne.CanvasObject {
	k.T.Helper()
	var found fyne.CanvasObject
	k.Do(func() {
		for _, o := range k.Objects() {
			if o.Visible() && match(o) {
				if n == 0 {
					found = o
					return
				}
				n--
			}
		}
	})
	if found == nil {
		k.T.Fatalf("no %s on screen %s:\n%s", what, k.Current(), k.Markup())
	}
	return found
}

// count counts the visible buttons labelled text on screen.
func (k *journey) count(text string) int {
	n := 0
	for _, o := range k.Objects() {
		if b, ok := o.(*touch.Button); ok && b.Visible() && b.Text == text {
			n++
		}
	}
	return n
}

// paint paints the whole canvas (content and overlays) with the software painter.
func (k *journey) paint() { _ = k.Win.Canvas().Capture() }

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
