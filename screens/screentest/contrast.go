package screentest

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	ft "fyne.io/fyne/v2/theme"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// MinContrast is the contrast the theme keeps between text and what it is drawn on
// (WCAG AA, kt.Contrast).
const MinContrast = 4.5

// AssertContrast checks that each visible text on screen differs by MinContrast from
// what it is drawn on: the last opaque rectangle painted under its middle (a bar, a
// button, a panel), else the theme's background. The theme's test checks its pairs of
// colours; this checks that a screen draws its text on the background its colour was
// chosen for.
func (h *H) AssertContrast() {
	h.T.Helper()
	type painted struct {
		at, size fyne.Position
		c        color.Color
	}
	h.Do(func() {
		c := h.Win.Canvas()
		var under []painted
		background := ft.Color(ft.ColorNameBackground)
		check := func(o fyne.CanvasObject, abs fyne.Position) {
			switch x := o.(type) {
			case *canvas.Rectangle:
				if _, _, _, a := x.FillColor.RGBA(); a == 0xFFFF {
					s := x.Size()
					under = append(under, painted{abs, fyne.NewPos(s.Width, s.Height), x.FillColor})
				}
			case *canvas.Text:
				if x.Text == "" {
					return
				}
				s := x.Size()
				mid := abs.AddXY(s.Width/2, s.Height/2)
				back := background
				for i := len(under) - 1; i >= 0; i-- {
					p := under[i]
					if mid.X >= p.at.X && mid.Y >= p.at.Y && mid.X <= p.at.X+p.size.X && mid.Y <= p.at.Y+p.size.Y {
						back = p.c
						break
					}
				}
				if r := kt.Contrast(x.Color, back); r < MinContrast {
					h.T.Errorf("screen %s: %q has a contrast of %.2f with what it is drawn on, under %.1f", h.Current(), x.Text, r, MinContrast)
				}
			}
		}
		walkVisible(c.Content(), c.Content().Position(), check)
		for _, o := range c.Overlays().List() {
			walkVisible(o, o.Position(), check)
		}
	})
}
