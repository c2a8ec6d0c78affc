// Command fynefloor is the least a kiosk window costs: a Fyne window started as the kiosk
// starts its own (package startup, the kiosk's theme and bundled font, the same build
// tags), showing one line of Chinese and nothing else. scripts/startup-bench.sh --floor
// measures it as it measures the kiosk, so that the kiosk's own share of start-up time
// and memory can be read off beside what Fyne and the machine's OpenGL cost anyway.
package main

import (
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"

	"github.com/liangzihu/kiosk/screens/startup"
	kt "github.com/liangzihu/kiosk/screens/theme"
)

func main() {
	t0 := startup.ProcessStart()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	startup.Locale()
	startup.FixedTheme()
	fyneapp.SetMetadata(fyne.AppMetadata{ID: "cn.liangzihu.fynefloor", Name: "fynefloor",
		Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID("cn.liangzihu.fynefloor")
	a.Settings().SetTheme(kt.New(false))
	w := a.NewWindow("fynefloor")
	startup.LeanFramebuffer()
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFixedSize(true)

	text := canvas.NewText("请将身份证放在读卡区", ft.Color(ft.ColorNameForeground))
	text.TextSize = 32
	// As on the kiosk's home screen, a raster the painter draws tells when the first
	// frame is painted.
	var once sync.Once
	mark := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			log.Info("home screen painted", "startup_ms", time.Since(t0).Milliseconds())
			startup.Trim()
		})
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.NewUniform(color.Black), image.Point{}, draw.Src)
		return img
	})
	mark.SetMinSize(fyne.NewSize(240, 6))
	w.SetContent(container.NewCenter(container.NewVBox(text, container.NewCenter(mark))))
	w.ShowAndRun()
}
