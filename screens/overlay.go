package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/screens/touch"
)

// overlay is a card over the screen, which is dimmed behind it. As the canvas's top
// overlay it takes every tap (Fyne looks for tap targets in the top overlay only), so
// nothing underneath is pressed by the tap that answers it. It replaces Fyne's modal
// pop-up, whose blurred backdrop and shadow cost 170–380 ms a frame on the software
// painter (docs/benchmarks.md, Screens).
type overlay struct {
	c    fyne.Canvas
	root *fyne.Container
}

// overlayMargin is the least room left between an overlay's card and the window's edges.
const overlayMargin = 20

// newOverlay frames content as a rounded card at most width wide; a tap on the dimmed
// screen around it calls tapped.
func newOverlay(c fyne.Canvas, content fyne.CanvasObject, width float32, tapped func()) *overlay {
	bg := canvas.NewRectangle(ft.Color(ft.ColorNameBackground))
	bg.CornerRadius = 16
	card := container.NewStack(bg, container.NewPadded(container.NewPadded(content)))
	sized := container.NewGridWrap(fyne.NewSize(min(width, c.Size().Width-2*overlayMargin), card.MinSize().Height), card)
	dim := canvas.NewRectangle(ft.Color(ft.ColorNameShadow))
	return &overlay{c: c, root: container.NewStack(dim, touch.NewSurface(tapped), container.NewCenter(sized))}
}

func (o *overlay) show() {
	o.root.Resize(o.c.Size())
	o.c.Overlays().Add(o.root)
}

func (o *overlay) hide() { o.c.Overlays().Remove(o.root) }
