package softdriver

import (
	"math"
	"os"
	"strconv"

	"fyne.io/fyne/v2"
)

// baselineDPI is the screen density at which Fyne's OpenGL driver paints at scale 1.
const baselineDPI = 120

// scaleFor returns the canvas scale on a screen of dpi (0: unknown) as Fyne's OpenGL
// driver picks it, so that a screen looks the same with either renderer: FYNE_SCALE, or
// else the app's scale setting, times the screen's density over 120 DPI (no less than
// 1), to a tenth.
func scaleFor(dpi float32, settings fyne.Settings) float32 {
	user := settings.Scale()
	if env := os.Getenv("FYNE_SCALE"); env != "" && env != "auto" {
		if v, err := strconv.ParseFloat(env, 32); err == nil && v > 0 {
			user = float32(v)
		} else {
			fyne.LogError("softdriver: FYNE_SCALE "+strconv.Quote(env)+" is not a scale", err)
		}
	}
	if user <= 0 {
		user = 1
	}
	detected := float32(1)
	if dpi >= 10 && dpi <= 1000 {
		detected = max(1, dpi/baselineDPI)
	}
	return float32(math.Round(float64(user*detected*10))) / 10
}
