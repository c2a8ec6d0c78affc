package softdriver

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestScaleFor(t *testing.T) {
	settings := test.NewTempApp(t).Settings()
	for _, tc := range []struct {
		env  string
		dpi  float32
		want float32
	}{
		{"", 0, 1},             // unknown density
		{"", 96, 1},            // Xvfb, a 1280×800 panel: no smaller than 1
		{"", 141, 1.2},         // 1920×1080 on 15.6 in
		{"", 240, 2},           // a 4K panel
		{"", 5000, 1},          // nonsense from the server
		{"1.5", 96, 1.5},       // FYNE_SCALE, as Fyne's OpenGL driver reads it
		{"2", 141, 2.4},        //
		{"auto", 141, 1.2},     //
		{"nonsense", 141, 1.2}, // refused, logged
	} {
		t.Setenv("FYNE_SCALE", tc.env)
		if got := scaleFor(tc.dpi, settings); got != tc.want {
			t.Errorf("FYNE_SCALE=%q, %.0f DPI: scale %v, want %v", tc.env, tc.dpi, got, tc.want)
		}
	}
}
