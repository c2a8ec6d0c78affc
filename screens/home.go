package screens

import (
	"image"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/assets"
	"github.com/liangzihu/kiosk/screens/touch"
)

// tilePage maps a home tile of the configuration to its screen.
func tilePage(id string) (func(*Shell) Page, bool) {
	switch id {
	case "guide":
		return guidePage, true
	case "accounts":
		return accountsPage, true
	case "pay":
		return payTilePage, true
	case "track":
		return trackPage, true
	}
	return nil, false
}

// payTilePage is 生活缴费: the accounts screen under its own title.
func payTilePage(s *Shell) Page {
	p := accountsPage(s)
	p.TitleKey = "tile.pay"
	return p
}

func homePage(s *Shell) Page {
	return Page{Name: "home", TitleKey: "home.welcome", Build: func() fyne.CanvasObject { return s.buildHome() }}
}

func (s *Shell) buildHome() fyne.CanvasObject {
	title := canvas.NewText(s.T("home.welcome"), ft.Color(ft.ColorNameForeground))
	title.TextSize = ft.Size(ft.SizeNameHeadingText)
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter

	reader := canvas.NewImageFromResource(readerPicture)
	reader.FillMode = canvas.ImageFillContain
	reader.SetMinSize(fyne.NewSize(220, 150))
	insert := canvas.NewText(s.T("home.insert_card"), ft.Color(ft.ColorNamePrimary))
	insert.TextSize = ft.Size(ft.SizeNameHeadingText)
	insert.TextStyle.Bold = true
	hint := widget.NewLabel(s.T("home.insert_card_hint"))
	card := container.NewHBox(layout.NewSpacer(), reader,
		container.NewVBox(layout.NewSpacer(), insert, hint, layout.NewSpacer()), layout.NewSpacer())

	var tiles []fyne.CanvasObject
	for _, id := range s.K.Config.Home.Tiles {
		mk, ok := tilePage(id)
		if !ok {
			continue
		}
		page := mk(s)
		tiles = append(tiles, touch.NewTile(s.T("tile."+id), s.T("tile."+id+".desc"), s.Tap(func() { s.Show(page) })))
	}
	cols := min(max(len(tiles), 1), 4)
	items := []fyne.CanvasObject{title, s.accentLine(), card}
	for _, o := range []fyne.CanvasObject{s.readerWarning(), s.demoCardButton()} {
		if o != nil {
			items = append(items, o)
		}
	}
	items = append(items, container.NewGridWithColumns(cols, tiles...))
	return container.NewVBox(items...)
}

// accentLine is a short bar under the welcome title. It is drawn by a raster generator,
// which the painter calls when it paints the bar: the kiosk's "home screen painted" signal.
func (s *Shell) accentLine() fyne.CanvasObject {
	col := ft.Color(ft.ColorNamePrimary)
	r := canvas.NewRaster(func(w, h int) image.Image {
		if s.opt.OnFirstFrame != nil {
			s.firstFrame.Do(s.opt.OnFirstFrame)
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.NewUniform(col), image.Point{}, draw.Src)
		return img
	})
	r.SetMinSize(fyne.NewSize(240, 6))
	return container.NewCenter(r)
}

// readerPicture shows where the ID card goes.
var readerPicture = fyne.NewStaticResource("card-reader.svg", assets.CardReaderSVG)
