package touch

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// FitText is one line of text that is shortened with "…" when it does not fit its width,
// in any colour (a screen's title on the dark header bar, say). Its minimum width is one
// character, so that it gives way to the buttons beside it.
type FitText struct {
	widget.BaseWidget
	Text      string
	Color     color.Color
	TextSize  float32
	TextStyle fyne.TextStyle
	// MinTextSize, when set, lets a text too wide at TextSize be drawn smaller, down to
	// MinTextSize, before it is shortened: a prompt whose words all matter (a utility's
	// long name in it, in English in 大字模式) is read whole.
	MinTextSize float32
	// Alignment places the text in its width (leading by default).
	Alignment fyne.TextAlign
}

// NewFitText returns a shortening line of text.
func NewFitText(text string, c color.Color, size float32) *FitText {
	t := &FitText{Text: text, Color: c, TextSize: size}
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer draws the text.
func (t *FitText) CreateRenderer() fyne.WidgetRenderer {
	r := &fitRenderer{t: t, text: canvas.NewText("", t.Color)}
	r.Refresh()
	return r
}

type fitRenderer struct {
	t    *FitText
	text *canvas.Text
}

func (r *fitRenderer) Layout(s fyne.Size) {
	style := r.t.TextStyle
	full := []rune(r.t.Text)
	size := r.t.TextSize
	for size > r.t.MinTextSize && r.t.MinTextSize > 0 && fyne.MeasureText(r.t.Text, size, style).Width > s.Width {
		size = max(r.t.MinTextSize, size-1)
	}
	shown := string(full)
	for n := len(full); n > 0; n-- {
		candidate := string(full[:n])
		if n < len(full) {
			candidate += "…"
		}
		if fyne.MeasureText(candidate, size, style).Width <= s.Width {
			shown = candidate
			break
		}
		shown = "…"
	}
	// Refreshed only when the words or their size change: Fyne lays a new screen out
	// again as it paints it, and a refresh from there would paint the whole window a
	// second time.
	if shown != r.text.Text || size != r.text.TextSize {
		r.text.Text, r.text.TextSize = shown, size
		r.text.Refresh()
	}
	h := r.text.MinSize().Height
	r.text.Move(fyne.NewPos(0, (s.Height-h)/2))
	r.text.Resize(fyne.NewSize(s.Width, h))
}

func (r *fitRenderer) MinSize() fyne.Size {
	m := fyne.MeasureText("…", r.t.TextSize, r.t.TextStyle)
	return fyne.NewSize(m.Width, m.Height)
}

func (r *fitRenderer) Refresh() {
	r.text.Color, r.text.TextSize, r.text.TextStyle, r.text.Alignment = r.t.Color, r.t.TextSize, r.t.TextStyle, r.t.Alignment
	r.Layout(r.t.Size())
	r.text.Refresh()
}

func (r *fitRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }
func (r *fitRenderer) Destroy()                     {}
