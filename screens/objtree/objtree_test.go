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
