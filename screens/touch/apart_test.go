package touch

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	ft "fyne.io/fyne/v2/theme"

	kt "github.com/liangzihu/kiosk/screens/theme"
)

// A renderer made again for an Apart already laid out (Fyne's cache drops the
// renderers of widgets not drawn for a while) has its controls in place at once, the
// gap apart, not at 0×0 until the Apart's size changes.
func TestApartRendererMadeAgainIsLaidOut(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, kt.New(false))
	elder, lang := NewButton("大字模式", nil), NewButton("English", nil)
	a := NewApartRow(elder, lang)
	a.Resize(a.MinSize())
	r := a.CreateRenderer()
	defer r.Destroy()
	c, ok := r.Objects()[0].(*fyne.Container)
	if !ok {
		t.Fatalf("the renderer holds %T, not a container", r.Objects()[0])
	}
	if c.Size() != a.Size() {
		t.Fatalf("the controls' box is %v, the Apart %v", c.Size(), a.Size())
	}
	gap := lang.Position().X - (elder.Position().X + elder.Size().Width)
	if elder.Size().Width == 0 || lang.Size().Height == 0 || gap < ft.Size(kt.SizeNameGap) {
		t.Fatalf("laid out as %v+%v and %v+%v: gap %v", elder.Position(), elder.Size(), lang.Position(), lang.Size(), gap)
	}
}
