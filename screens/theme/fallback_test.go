//go:build !ci

// This file is left out of `-tags ci` test runs: with the ci tag Fyne's painter does not
// consult system fonts at all (fyne internal/painter/font_prod.go), which keeps golden
// images deterministic. scripts/test.sh runs this package once more without the tag.

package theme

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// A name character outside the bundled font (䶮, CJK Extension A, as in 刘䶮) is drawn
// by Fyne's fallback to the system's CJK font (fonts-noto-cjk on the kiosk), not as the
// replacement box.
func TestRareCharacterFallsBackToSystemFont(t *testing.T) {
	face := bundledFace(t)
	if _, ok := face.NominalGlyph('䶮'); ok {
		t.Fatal("䶮 is in the bundle; pick a rarer character for this test")
	}
	test.NewTempApp(t)
	test.ApplyTheme(t, New(false))
	draw := func(s string) image.Image {
		txt := canvas.NewText(s, color.Black)
		txt.TextSize = 48
		w := test.NewTempWindow(t, txt)
		w.Resize(fyne.NewSize(80, 80))
		return w.Canvas().Capture()
	}
	rare := draw("䶮")
	tofu := draw("\U0010FFFD") // a private-use code point no font has
	if inked(rare) < 40 {
		t.Fatal("䶮 rendered blank")
	}
	if sameImage(rare, tofu) {
		t.Fatal("䶮 rendered as the replacement glyph: install fonts-noto-cjk (the test script does)")
	}
}

func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x8000 {
				n++
			}
		}
	}
	return n
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
