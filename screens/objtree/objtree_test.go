package objtree

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestRendererIsFynes guards the link to Fyne's internal cache: the renderer must be
// the one Fyne keeps (and its test package hands out), not a new one.
func TestRendererIsFynes(t *testing.T) {
	test.NewTempApp(t)
	b := widget.NewButton("缴费", nil)
	if Renderer(b) != test.WidgetRenderer(b) {
		t.Fatal("Renderer returned another renderer than Fyne keeps")
	}
	if Renderer(b) != Renderer(b) {
		t.Fatal("Renderer made a new renderer on a second call")
	}
	if len(Children(b)) == 0 {
		t.Fatal("a button holds nothing")
	}
}

func TestAtAndPosition(t *testing.T) {
	test.NewTempApp(t)
	var tapped []string
	a := widget.NewButton("a", func() { tapped = append(tapped, "a") })
	b := widget.NewButton("b", func() { tapped = append(tapped, "b") })
	hidden := widget.NewButton("hidden", nil)
	hidden.Hide()
	cover := canvas.NewRectangle(nil)
	row := container.New(layout.NewGridLayout(2), a, b)
	root := container.NewWithoutLayout(row, container.NewWithoutLayout(hidden), cover)
	root.Resize(fyne.NewSize(400, 100))
	root.Move(fyne.NewPos(10, 20))
	row.Resize(fyne.NewSize(400, 100))
	hidden.Resize(fyne.NewSize(400, 100))
	cover.Resize(fyne.NewSize(50, 50)) // drawn last, but not tappable
	tappable := func(o fyne.CanvasObject) bool { _, ok := o.(fyne.Tappable); return ok }

	for _, tc := range []struct {
		at   fyne.Position
		want fyne.CanvasObject
		rel  fyne.Position
	}{
		{fyne.NewPos(15, 25), a, fyne.NewPos(5, 5)},
		{fyne.NewPos(400, 119), b, fyne.NewPos(400-10-b.Position().X, 99)},
		{fyne.NewPos(5, 25), nil, fyne.Position{}},   // left of root
		{fyne.NewPos(15, 120), nil, fyne.Position{}}, // below root
	} {
		o, rel := At(root, tc.at, tappable)
		if o != tc.want || rel != tc.rel {
			t.Errorf("At(%v) = %v at %v, want %v at %v", tc.at, o, rel, tc.want, tc.rel)
		}
	}
	if o, _ := At(root, fyne.NewPos(15, 25), func(fyne.CanvasObject) bool { return true }); o == nil {
		t.Error("nothing at all under a button")
	}
	if p, ok := Position(root, b); !ok || p != fyne.NewPos(10+b.Position().X, 20) {
		t.Errorf("Position(b) = %v, %v", p, ok)
	}
	if _, ok := Position(root, widget.NewLabel("elsewhere")); ok {
		t.Error("found an object the tree does not hold")
	}
}

// TestAtAgreesWithFyne taps a grid of points with Fyne's own event handling (the test
// driver's TapCanvas) and checks that At finds what Fyne tapped, on a tree with
// overlapping objects, a hidden one and one placed beyond its container's size.
func TestAtAgreesWithFyne(t *testing.T) {
	test.NewTempApp(t)
	var last string
	button := func(name string, x, y, w, h float32) *widget.Button {
		b := widget.NewButton(name, func() { last = name })
		b.Move(fyne.NewPos(x, y))
		b.Resize(fyne.NewSize(w, h))
		return b
	}
	hidden := button("hidden", 0, 0, 300, 200)
	hidden.Hide()
	box := container.NewWithoutLayout(button("far", 150, 120, 100, 60))
	box.Resize(fyne.NewSize(20, 20))
	box.Move(fyne.NewPos(10, 10))
	root := container.NewWithoutLayout(
		button("under", 0, 0, 200, 100),
		button("over", 100, 50, 200, 100),
		hidden,
		box,
	)
	c := test.NewCanvas()
	c.SetPadded(false)
	c.SetContent(root)
	c.Resize(fyne.NewSize(320, 240))
	names := map[fyne.CanvasObject]string{}
	for _, o := range append(root.Objects, box.Objects...) {
		if b, ok := o.(*widget.Button); ok {
			names[b] = b.Text
		}
	}
	tappable := func(o fyne.CanvasObject) bool { _, ok := o.(fyne.Tappable); return ok }
	for y := float32(5); y < 240; y += 10 {
		for x := float32(5); x < 320; x += 10 {
			pos := fyne.NewPos(x, y)
			last = ""
			test.TapCanvas(c, pos)
			o, _ := At(root, pos, tappable)
			if got := names[o]; got != last {
				t.Errorf("at %v: At finds %q, Fyne tapped %q", pos, got, last)
			}
		}
	}
	if o, _ := At(root, fyne.NewPos(200, 150), tappable); names[o] != "far" {
		t.Errorf("the button beyond its container's size: %q", names[o])
	}
}
