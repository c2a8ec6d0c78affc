package screens

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// A table asks for the height its rows take when laid out, no more: a pager places
// blocks by their MinSize, and room asked for and not used is room on no page.
func TestTableMinSizeIsItsRows(t *testing.T) {
	test.NewTempApp(t)
	for _, rows := range []int{0, 1, 4} {
		var cells []fyne.CanvasObject
		for range 3 * rows {
			cells = append(cells, canvas.NewText("0.5580", nil))
		}
		box := container.New(newTableLayout(3), cells...)
		m := box.MinSize()
		box.Resize(m)
		var bottom float32
		for _, c := range cells {
			bottom = max(bottom, c.Position().Y+c.Size().Height)
		}
		if m.Height != bottom {
			t.Errorf("%d rows: the table asks for %.1f high, its rows end at %.1f", rows, m.Height, bottom)
		}
	}
}
