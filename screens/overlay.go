package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/screens/touch"
)

// overlay is a card on a plain backdrop that covers the whole window: the screen under
// it is hidden, not dimmed. Nobody passing by reads the citizen's data while the idle
// countdown asks whether they are still there, and the painter draws the card alone,
// not the screen and a blended layer over it (a notice took 22 ms a frame under
// llvmpipe over the screen, 10–13 ms alone: docs/benchmarks.md). As the canvas's top
// overlay it takes every tap (Fyne looks for tap targets in the top overlay only), so
// nothing underneath is pressed by the tap that answers it. It replaces Fyne's modal
// pop-up, whose blurred backdrop and shadow cost 170–380 ms a frame on the software
// painter (docs/benchmarks.md, Screens).
type overlay struct {
	c     fyne.Canvas
	under fyne.CanvasObject // the screen it hides
	root  *fyne.Container
}

// overlayMargin is the least room left between an overlay's card and the window's edges.
const overlayMargin = 20

// newOverlay frames content as a rounded card at most width wide, to be shown on c over
// under (the shell's screen); a tap on the backdrop around it calls tapped.
func newOverlay(c fyne.Canvas, under, content fyne.CanvasObject, width float32, tapped func()) *overlay {
	bg := canvas.NewRectangle(ft.Color(ft.ColorNameBackground))
	bg.CornerRadius = 16
	card := container.NewStack(bg, container.NewPadded(container.NewPadded(content)))
	backdrop := canvas.NewRectangle(ft.Color(ft.ColorNameShadow))
	return &overlay{c: c, under: under,
		root: container.NewStack(backdrop, touch.NewSurface(tapped), container.New(cardLayout{width}, card))}
}

// cardLayout centres a card at most width wide, inside the margins, and as tall as its
// content needs at that width: text that wraps, or changes after the card was made
// (the idle countdown's message), makes the card taller instead of spilling out of it.
type cardLayout struct{ width float32 }

func (l cardLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w := max(0, min(l.width, size.Width-2*overlayMargin))
	for _, o := range objects {
		o.Resize(fyne.NewSize(w, o.Size().Height)) // wrapped text measures itself at its width
		h := min(o.MinSize().Height, size.Height-2*overlayMargin)
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, (size.Height-h)/2))
	}
}

func (l cardLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (o *overlay) show() {
	o.root.Resize(o.c.Size())
	o.c.Overlays().Add(o.root)
	o.under.Hide()
}

// hide removes the overlay; the screen comes back when no other overlay is up.
func (o *overlay) hide() {
	o.c.Overlays().Remove(o.root)
	if o.c.Overlays().Top() == nil {
		o.under.Show()
	}
}
