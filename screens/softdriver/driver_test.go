package softdriver

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/screens/xwin"
)

// memDisplay keeps what is put on it in a picture of its own, as a screen would.
type memDisplay struct {
	mu     sync.Mutex
	dpi    float32
	size   image.Point
	screen *image.RGBA
	puts   []image.Rectangle
	events chan xwin.Event
	put    chan struct{} // a value after each put
	closed bool
}

func newMemDisplay(w, h int) *memDisplay {
	return &memDisplay{size: image.Pt(w, h), screen: image.NewRGBA(image.Rect(0, 0, w, h)),
		events: make(chan xwin.Event, 16), put: make(chan struct{}, 64)}
}

func (m *memDisplay) Size() image.Point         { return m.size }
func (m *memDisplay) DPI() float32              { return m.dpi }
func (m *memDisplay) Events() <-chan xwin.Event { return m.events }
func (m *memDisplay) Put(img *image.RGBA, r image.Rectangle) error {
	m.mu.Lock()
	draw.Draw(m.screen, r, img, r.Min, draw.Src)
	m.puts = append(m.puts, r)
	m.mu.Unlock()
	m.put <- struct{}{}
	return nil
}

func (m *memDisplay) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.events)
	}
	return nil
}

func (m *memDisplay) at(x, y int) color.RGBA {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.screen.RGBAAt(x, y)
}

func (m *memDisplay) lastPut() image.Rectangle {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.puts[len(m.puts)-1]
}

// waitPut waits for the next put.
func (m *memDisplay) waitPut(t *testing.T) {
	t.Helper()
	select {
	case <-m.put:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was put on the display within 10 s")
	}
}

// harness runs an app of this driver on a memDisplay, its loop on a goroutine.
type harness struct {
	app  fyne.App
	win  fyne.Window
	disp *memDisplay
	done chan struct{}
}

func start(t *testing.T, content func() fyne.CanvasObject) *harness {
	t.Helper()
	return startOn(t, newMemDisplay(400, 300), content)
}

func startOn(t *testing.T, disp *memDisplay, content func() fyne.CanvasObject) *harness {
	t.Helper()
	base := test.NewTempApp(t)
	h := &harness{disp: disp, done: make(chan struct{})}
	h.app = New(base, h.disp)
	t.Cleanup(func() {
		h.app.Quit()
		<-h.done
		fyne.SetCurrentApp(base)
	})
	h.win = h.app.NewWindow("test")
	h.win.SetPadded(false)
	h.win.SetContent(content())
	h.win.Show()
	go func() {
		defer close(h.done)
		h.app.Run()
	}()
	// The first paint follows the first thing the loop does.
	fyne.Do(func() {})
	h.disp.waitPut(t)
	return h
}

// tap sends a finger's press and release at pos.
func (h *harness) tap(pos fyne.Position) {
	x, y := int(pos.X), int(pos.Y)
	h.send(xwin.Event{Kind: xwin.Press, X: x, Y: y, Button: 1}, xwin.Event{Kind: xwin.Release, X: x, Y: y, Button: 1})
	h.sync()
}

func (h *harness) send(e ...xwin.Event) {
	for _, ev := range e {
		h.disp.events <- ev
	}
}

// sync waits until the loop has handled every event sent before. The loop takes
// events and work in no set order: once the channel is empty, the last event is taken,
// and work handed in now runs after its handler.
func (h *harness) sync() {
	for len(h.disp.events) > 0 {
		time.Sleep(time.Millisecond)
	}
	fyne.DoAndWait(func() {})
}

var red = color.RGBA{0xff, 0, 0, 0xff}

func TestPaintsAndPutsWhatChanged(t *testing.T) {
	var rect *canvas.Rectangle
	h := start(t, func() fyne.CanvasObject {
		rect = canvas.NewRectangle(red)
		rect.Resize(fyne.NewSize(50, 20))
		rect.Move(fyne.NewPos(10, 100))
		return container.NewWithoutLayout(rect)
	})
	if got := h.disp.lastPut(); got != image.Rect(0, 0, 400, 300) {
		t.Errorf("first put %v, want the whole display", got)
	}
	if c := h.disp.at(20, 110); c != red {
		t.Fatalf("the rectangle is not shown: %v", c)
	}
	// A change from another goroutine is painted; only the rows it touched are put.
	fyne.Do(func() { rect.Move(fyne.NewPos(10, 200)) })
	h.disp.waitPut(t)
	if got := h.disp.lastPut(); got != image.Rect(0, 100, 400, 220) {
		t.Errorf("put %v after a move, want rows 100 to 220", got)
	}
	if c := h.disp.at(20, 210); c != red {
		t.Errorf("moved rectangle not shown: %v", c)
	}
	if c := h.disp.at(20, 110); c == red {
		t.Error("the rectangle is still shown where it was")
	}
	// Nothing changed: nothing is put, until the display says it lost the picture.
	h.sync()
	n := len(h.disp.put)
	h.send(xwin.Event{Kind: xwin.Expose})
	h.disp.waitPut(t)
	if n != 0 {
		t.Errorf("%d puts with nothing changed", n)
	}
	if got := h.disp.lastPut(); got != image.Rect(0, 0, 400, 300) {
		t.Errorf("put %v after an expose, want the whole display", got)
	}
	// Capture is what the display shows.
	var shot image.Image
	fyne.DoAndWait(func() { shot = h.win.Canvas().Capture() })
	if c := color.RGBAModel.Convert(shot.At(20, 210)); c != red {
		t.Errorf("capture at the rectangle: %v", c)
	}
}

type dragger struct {
	widget.BaseWidget
	dragged fyne.Delta
	ended   int
	tapped  int
}

func newDragger() *dragger {
	d := &dragger{}
	d.ExtendBaseWidget(d)
	return d
}

func (d *dragger) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(red))
}
func (d *dragger) Dragged(e *fyne.DragEvent) {
	d.dragged = fyne.Delta{DX: d.dragged.DX + e.Dragged.DX, DY: d.dragged.DY + e.Dragged.DY}
}
func (d *dragger) DragEnd()                { d.ended++ }
func (d *dragger) Tapped(*fyne.PointEvent) { d.tapped++ }

func TestTapsAndDrags(t *testing.T) {
	var taps []string
	var a, b *widget.Button
	drag := newDragger()
	h := start(t, func() fyne.CanvasObject {
		a = widget.NewButton("甲", func() { taps = append(taps, "a") })
		b = widget.NewButton("乙", func() { taps = append(taps, "b") })
		a.Move(fyne.NewPos(0, 0))
		a.Resize(fyne.NewSize(100, 50))
		b.Move(fyne.NewPos(200, 0))
		b.Resize(fyne.NewSize(100, 50))
		drag.Move(fyne.NewPos(0, 100))
		drag.Resize(fyne.NewSize(300, 100))
		return container.NewWithoutLayout(a, b, drag)
	})
	press := func(x, y int) xwin.Event { return xwin.Event{Kind: xwin.Press, X: x, Y: y, Button: 1} }
	release := func(x, y int) xwin.Event { return xwin.Event{Kind: xwin.Release, X: x, Y: y, Button: 1} }
	move := func(x, y int) xwin.Event { return xwin.Event{Kind: xwin.Motion, X: x, Y: y} }

	h.send(press(50, 25), release(52, 27))   // a tap on 甲
	h.send(press(250, 25), release(50, 25))  // pressed 乙, slid to 甲: no tap
	h.send(press(150, 25), release(150, 25)) // between them: nothing
	h.send(xwin.Event{Kind: xwin.Press, X: 250, Y: 25, Button: 3}, xwin.Event{Kind: xwin.Release, X: 250, Y: 25, Button: 3})
	h.sync()
	if len(taps) != 1 || taps[0] != "a" {
		t.Fatalf("taps %v, want [a]", taps)
	}
	fyne.DoAndWait(b.Disable)
	h.send(press(250, 25), release(250, 25))
	h.sync()
	if len(taps) != 1 {
		t.Fatalf("a disabled button was tapped: %v", taps)
	}

	// A finger that slides less than dragSlop still taps; one that slides further drags.
	h.send(press(100, 150), move(105, 152), release(105, 152))
	h.send(press(100, 150), move(130, 150), move(140, 170), release(140, 170))
	h.sync()
	if drag.tapped != 1 {
		t.Errorf("the draggable was tapped %d times, want 1", drag.tapped)
	}
	if drag.ended != 1 || drag.dragged != (fyne.Delta{DX: 40, DY: 20}) {
		t.Errorf("drag: ended %d, moved %v, want once by (40, 20)", drag.ended, drag.dragged)
	}
}

// mouser records what the pointer does to it, in order.
type mouser struct {
	widget.BaseWidget
	name string
	seen *[]string
}

func newMouser(name string, seen *[]string) *mouser {
	m := &mouser{name: name, seen: seen}
	m.ExtendBaseWidget(m)
	return m
}

func (m *mouser) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(red))
}
func (m *mouser) MouseDown(*desktop.MouseEvent) { *m.seen = append(*m.seen, m.name+" down") }
func (m *mouser) MouseUp(*desktop.MouseEvent) {
	*m.seen = append(*m.seen, m.name+" up")
	fyne.Do(func() { *m.seen = append(*m.seen, m.name+" later") })
}
func (m *mouser) Tapped(*fyne.PointEvent) { *m.seen = append(*m.seen, m.name+" tap") }

// As on Fyne's desktop driver, the primary button's going down goes to what is under
// it, its coming up to what is under it then, before the tap (the kiosk's widgets tell
// the shell a finger is held with them: screens/touch.Held); and what the handlers
// hand the loop (fyne.Do) runs after them, the tap included.
func TestMouseDownAndUp(t *testing.T) {
	var seen []string
	h := start(t, func() fyne.CanvasObject {
		a, b := newMouser("甲", &seen), newMouser("乙", &seen)
		a.Resize(fyne.NewSize(100, 50))
		b.Move(fyne.NewPos(200, 0))
		b.Resize(fyne.NewSize(100, 50))
		return container.NewWithoutLayout(a, b)
	})
	h.send(xwin.Event{Kind: xwin.Press, X: 50, Y: 25, Button: 1}, xwin.Event{Kind: xwin.Release, X: 50, Y: 25, Button: 1})
	h.send(xwin.Event{Kind: xwin.Press, X: 50, Y: 25, Button: 1}, xwin.Event{Kind: xwin.Release, X: 250, Y: 25, Button: 1})
	h.send(xwin.Event{Kind: xwin.Press, X: 250, Y: 25, Button: 3}, xwin.Event{Kind: xwin.Release, X: 250, Y: 25, Button: 3})
	h.sync()
	want := []string{"甲 down", "甲 up", "甲 tap", "甲 later", "甲 down", "乙 up", "乙 later"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("seen %q, want %q", seen, want)
	}
}

func TestKeysReachTheCanvas(t *testing.T) {
	h := start(t, func() fyne.CanvasObject { return widget.NewLabel("键") })
	var keys []fyne.KeyName
	var runes []rune
	fyne.DoAndWait(func() {
		h.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) { keys = append(keys, e.Name) })
		h.win.Canvas().SetOnTypedRune(func(r rune) { runes = append(runes, r) })
	})
	h.send(xwin.Event{Kind: xwin.Key, Keysym: 'a'}, xwin.Event{Kind: xwin.Key, Keysym: 0xff0d},
		xwin.Event{Kind: xwin.Key, Keysym: 0xffe1}) // Shift: no name, no rune
	h.sync()
	if len(keys) != 2 || keys[0] != fyne.KeyA || keys[1] != fyne.KeyReturn {
		t.Errorf("keys %v", keys)
	}
	if string(runes) != "a" {
		t.Errorf("runes %q", string(runes))
	}
}

func TestAnimationsRunToTheirEnd(t *testing.T) {
	h := start(t, func() fyne.CanvasObject { return widget.NewLabel("动") })
	ticks := make(chan float32, 100)
	a := fyne.NewAnimation(100*time.Millisecond, func(f float32) { ticks <- f })
	a.Start()
	var last float32
	timeout := time.After(10 * time.Second)
	for last != 1 {
		select {
		case last = <-ticks:
		case <-timeout:
			t.Fatalf("the animation did not reach its end: last tick %v", last)
		}
	}
	h.sync()
	time.Sleep(3 * animationFrame)
	h.sync()
	if n := len(ticks); n != 0 {
		t.Errorf("%d ticks after the end", n)
	}

	// Stopped, an animation ticks no more.
	forever := fyne.NewAnimation(50*time.Millisecond, func(f float32) { ticks <- f })
	forever.RepeatCount = fyne.AnimationRepeatForever
	forever.Start()
	<-ticks
	forever.Stop()
	h.sync()
	for len(ticks) > 0 {
		<-ticks
	}
	time.Sleep(3 * animationFrame)
	if n := len(ticks); n != 0 {
		t.Errorf("%d ticks after Stop", n)
	}
}

func TestCloseAndQuit(t *testing.T) {
	h := start(t, func() fyne.CanvasObject { return widget.NewLabel("关") })
	vetoed := make(chan struct{}, 1)
	fyne.DoAndWait(func() { h.win.SetCloseIntercept(func() { vetoed <- struct{}{} }) })
	h.send(xwin.Event{Kind: xwin.Close})
	select {
	case <-vetoed:
	case <-time.After(10 * time.Second):
		t.Fatal("the close intercept was not called")
	}
	select {
	case <-h.done:
		t.Fatal("the app ended although the close was intercepted")
	default:
	}
	fyne.Do(h.app.Quit)
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Quit")
	}
	if !h.disp.closed {
		t.Error("the display was left open")
	}
	// After the loop: work is dropped, and a caller that waits is not left waiting.
	ran := false
	fyne.DoAndWait(func() { ran = true })
	fyne.Do(func() { ran = true })
	if ran {
		t.Error("work ran after the loop ended")
	}
}

func TestChanged(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for _, tc := range []struct {
		set  []image.Point
		want image.Rectangle
	}{
		{nil, image.Rectangle{}},
		{[]image.Point{{3, 0}}, image.Rect(0, 0, 8, 1)},
		{[]image.Point{{7, 5}}, image.Rect(0, 5, 8, 6)},
		{[]image.Point{{1, 2}, {6, 4}}, image.Rect(0, 2, 8, 5)},
	} {
		b := image.NewRGBA(a.Bounds())
		for _, p := range tc.set {
			b.SetRGBA(p.X, p.Y, red)
		}
		if got := changed(a, b); got != tc.want {
			t.Errorf("changed with %v set: %v, want %v", tc.set, got, tc.want)
		}
	}
}

// TestDenseScreenScales: on a 240 DPI screen the canvas is painted at scale 2 (as Fyne's
// OpenGL driver would), and a finger's pixel position finds what is drawn there.
func TestDenseScreenScales(t *testing.T) {
	disp := newMemDisplay(800, 600)
	disp.dpi = 240
	tapped := 0
	var b *widget.Button
	h := startOn(t, disp, func() fyne.CanvasObject {
		b = widget.NewButton("缴费", func() { tapped++ })
		b.Move(fyne.NewPos(100, 100))
		b.Resize(fyne.NewSize(100, 50))
		return container.NewWithoutLayout(b)
	})
	var size fyne.Size
	var scale float32
	fyne.DoAndWait(func() { size, scale = h.win.Canvas().Size(), h.win.Canvas().Scale() })
	if scale != 2 || size != fyne.NewSize(400, 300) {
		t.Fatalf("canvas %v at scale %v, want 400×300 at 2", size, scale)
	}
	if got := h.disp.lastPut(); got != image.Rect(0, 0, 800, 600) {
		t.Errorf("put %v, want the whole 800×600 display", got)
	}
	h.tap(fyne.NewPos(150, 125)) // canvas units: pixels (150, 125) are outside the button
	h.tap(fyne.NewPos(300, 250)) // pixels (300, 250): the button's middle
	if tapped != 1 {
		t.Errorf("tapped %d times, want once", tapped)
	}
}
