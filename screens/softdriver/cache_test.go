package softdriver

import (
	"sync/atomic"
	"testing"
	"time"
	_ "unsafe" // go:linkname

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// cacheTimeNow is the clock of Fyne's caches, moved forward by the test.
//
//go:linkname cacheTimeNow fyne.io/fyne/v2/internal/cache.timeNow
var cacheTimeNow func() time.Time

// cacheAhead is how far the test has moved that clock in this process.
var cacheAhead time.Duration

// probe is a widget that counts its renderers destroyed.
type probe struct {
	widget.BaseWidget
	destroyed atomic.Int32
}

func (p *probe) CreateRenderer() fyne.WidgetRenderer {
	return &probeRenderer{WidgetRenderer: widget.NewSimpleRenderer(canvas.NewText("张*", red)), p: p}
}

// probeRenderer is a simple renderer whose Destroy is counted.
type probeRenderer struct {
	fyne.WidgetRenderer
	p *probe
}

func (r *probeRenderer) Destroy() { r.p.destroyed.Add(1) }

// TestIdleKioskForgetsWidgets: a widget no longer on screen (a visit's masked name) has
// its renderer dropped by Fyne's cache a minute later, although the kiosk paints
// nothing new meanwhile: the driver runs Fyne's clean-up as it paints.
func TestIdleKioskForgetsWidgets(t *testing.T) {
	p := &probe{}
	p.ExtendBaseWidget(p)
	h := start(t, func() fyne.CanvasObject { return p })
	fyne.DoAndWait(func() { h.win.SetContent(widget.NewLabel("首页")) })
	fyne.DoAndWait(func() {}) // the label painted: its pixels are kept from here on

	// The clock is moved on the loop (the loop reads it as it paints), then one more
	// frame is painted, with nothing new to draw. The clock stays ahead: Fyne's
	// clean-up runs only once its clock has passed the last clean-up's.
	cacheAhead += 2 * time.Minute
	ahead := cacheAhead
	fyne.DoAndWait(func() { cacheTimeNow = func() time.Time { return time.Now().Add(ahead) } })
	fyne.DoAndWait(func() {}) // the loop paints after the work it runs: that frame is done
	if p.destroyed.Load() == 0 {
		t.Fatal("the renderer of a widget gone from the screen two minutes ago was kept")
	}
}
