package screens

import (
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/assets"
	kt "github.com/liangzihu/kiosk/screens/theme"
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
	case "info":
		return infoPage, true
	case "apply":
		return func(s *Shell) Page { return jointPage(s, catalog.JointConnection) }, true
	case "transfer":
		return func(s *Shell) Page { return jointPage(s, catalog.JointTransfer) }, true
	case "catalog":
		return catalogPage, true
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

// homeForm says what the home screen holds besides the tiles' titles.
type homeForm struct {
	desc, title, bigCard bool
}

// homeForms are the home screen's forms, fullest first; the first that fits between
// the bars is shown. Long English text, 大字模式 or a citizen in the header take room:
// the tiles' descriptions go first, then the welcome title, then the large picture (the
// invitation to place the card stays).
var homeForms = []homeForm{{true, true, true}, {false, true, true}, {false, false, true}, {false, false, false}}

func (s *Shell) buildHome() fyne.CanvasObject {
	if f, down := s.K.DataFault(); down {
		return s.haltedHome(f)
	}
	var home fyne.CanvasObject
	for _, f := range homeForms {
		// 大字模式 shows big titles only, and the hall's name in the header is welcome
		// enough: the room goes to the tiles.
		if s.K.Elderly() && (f.desc || f.title) {
			continue
		}
		home = s.homeIn(f)
		// Laid out at its size first: wrapped text measures its lines at its width.
		home.Resize(s.bodySize)
		if home.MinSize().Height <= s.bodySize.Height {
			break
		}
	}
	return home
}

func (s *Shell) homeIn(f homeForm) fyne.CanvasObject {
	picture := fyne.NewSize(200, 136)
	inviteKey, hintKey, colour := "home.insert_card", "home.insert_card_hint", ft.ColorNamePrimary
	take := s.K.CardLeft()
	if take {
		// A card lies on the reader with no visit open: its holder is asked to take it.
		inviteKey, hintKey, colour = "home.take_card", "home.take_card_hint", ft.ColorNameError
	}
	insert := canvas.NewText(s.T(inviteKey), ft.Color(colour))
	insert.TextSize = ft.Size(ft.SizeNameHeadingText)
	stand := canvas.NewRectangle(color.Transparent) // the picture's room, to measure the line
	stand.SetMinSize(picture)
	row := []fyne.CanvasObject{stand, insert}
	var demo fyne.CanvasObject = layout.NewSpacer()
	b := s.demoCardButton()
	if b != nil {
		demo = container.NewCenter(b)
		row = append(row, demo)
	}
	var card fyne.CanvasObject
	if w := s.readerWarning(); w != nil {
		// The reader cannot read a card now: the warning (which names the way without
		// one) stands where the invitation to place a card would.
		card = container.NewBorder(nil, nil, nil, demo, w)
	} else if f.bigCard && container.NewHBox(row...).MinSize().Width <= s.room().Width {
		hint := widget.NewLabel(s.T(hintKey))
		card = container.NewHBox(layout.NewSpacer(), container.NewGridWrap(picture, s.readerPicture(picture, take)),
			container.NewVBox(layout.NewSpacer(), insert, hint, layout.NewSpacer()), demo, layout.NewSpacer())
	} else {
		// Too long for one line (English in 大字模式) or too tall: the invitation wraps, a
		// size smaller, between a smaller picture and the demo button, and its hint gives
		// the tiles the room; a card left behind is still told why (大字模式 is for those
		// most likely to forget it).
		var words fyne.CanvasObject = touch.NewParagraph(insert.Text, widget.RichTextStyle{
			ColorName: colour, SizeName: ft.SizeNameSubHeadingText, TextStyle: insert.TextStyle})
		if take {
			why := canvas.NewText(s.T(hintKey), ft.Color(colour))
			why.TextSize = ft.Size(ft.SizeNameText)
			words = lines(words, container.New(layout.NewCustomPaddedLayout(0, 0, ft.Size(ft.SizeNameInnerPadding), 0), why))
		}
		smaller := fyne.NewSize(150, 102)
		small := container.NewGridWrap(smaller, s.readerPicture(smaller, take))
		card = container.NewBorder(nil, nil, small, demo, container.NewVBox(layout.NewSpacer(), words, layout.NewSpacer()))
	}
	var tiles []fyne.CanvasObject
	for _, id := range s.K.Config.Home.Tiles {
		mk, ok := tilePage(id)
		if !ok {
			continue
		}
		page := mk(s)
		desc := ""
		if f.desc {
			desc = s.T("tile." + id + ".desc")
		}
		tiles = append(tiles, touch.NewTile(s.T("tile."+id), desc, s.Tap(func() { s.Show(page) })))
	}
	cols := min(max(len(tiles), 1), 4)
	var items []fyne.CanvasObject
	if f.title {
		title := canvas.NewText(s.T("home.welcome"), ft.Color(ft.ColorNameForeground))
		title.TextSize = ft.Size(ft.SizeNameHeadingText)
		title.Alignment = fyne.TextAlignCenter
		items = append(items, title)
	}
	items = append(items, s.accentLine(f.title), card)
	var grid fyne.CanvasObject = touch.NewApartGrid(cols, tiles...)
	if b != nil {
		grid = gapAbove(grid) // the gap clear of 模拟刷卡 above the tiles
	}
	items = append(items, grid)
	return container.NewVBox(items...)
}

// haltedHome is home while the kiosk is out of service for its data (app.DataFault):
// no tiles and no invitation to place a card, 本机暂停服务 and the way to a staffed
// counter (the hotlines stay in the footer), a card left on the reader asked for, and
// for staff, on one line, why and that it comes back by itself. It changes back to the
// tiles when the data file takes writes again.
func (s *Shell) haltedHome(f app.DataFault) fyne.CanvasObject {
	items := []fyne.CanvasObject{layout.NewSpacer(), outageHeadline(s.T("outage.title")), s.accentLine(false),
		centred(s.T("outage.apology"), ft.SizeNameHeadingText, ft.ColorNameForeground)}
	if s.K.CardLeft() {
		items = append(items, centred(s.T("home.take_card"), ft.SizeNameSubHeadingText, ft.ColorNameError))
	}
	staff := centred(s.T("outage.staff", s.K.StaffWords(f.Detail)), ft.SizeNameCaptionText, kt.ColorNameMuted)
	return container.NewVBox(append(items, layout.NewSpacer(), staff)...)
}

// accentLine is a short bar under the welcome title. It is drawn by a raster generator,
// which the painter calls when it paints the bar: the kiosk's "home screen painted" signal.
// Without the title (大字模式) it is still painted, for the signal, but not seen: a bar
// under nothing looked like a title gone missing.
func (s *Shell) accentLine(under bool) fyne.CanvasObject {
	var col color.Color = color.Transparent
	height := float32(1)
	if under {
		col, height = ft.Color(ft.ColorNamePrimary), 6
	}
	return container.NewCenter(paintedBar(col, fyne.NewSize(240, height), func() {
		if s.opt.OnFirstFrame != nil {
			s.firstFrame.Do(s.opt.OnFirstFrame)
		}
	}))
}

// paintedBar is a bar of colour col, at least size, drawn by a raster generator:
// painted is called each time the painter draws it, which tells that the screen it is
// on has reached the window.
func paintedBar(col color.Color, size fyne.Size, painted func()) *canvas.Raster {
	r := canvas.NewRaster(func(w, h int) image.Image {
		painted()
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.NewUniform(col), image.Point{}, draw.Src)
		return img
	})
	r.SetMinSize(size)
	return r
}

// readerPicture is the picture of the reader at one size, kept across renders: drawing
// its SVG again took 3 ms of each home render, and a picture resized is drawn again.
func (s *Shell) readerPicture(size fyne.Size, take bool) *canvas.Image {
	key := readerKey{size, take}
	img, ok := s.readers[key]
	if !ok {
		res := readerPicture
		if take {
			res = takePicture
		}
		img = canvas.NewImageFromResource(res)
		img.FillMode = canvas.ImageFillContain
		s.readers[key] = img
	}
	return img
}

// readerKey names a picture of the reader: its size, and whether it asks for the card
// to be taken.
type readerKey struct {
	size fyne.Size
	take bool
}

// readerPicture shows where the ID card goes; takePicture that it is to be taken.
var (
	readerPicture = fyne.NewStaticResource("card-reader.svg", assets.CardReaderSVG)
	takePicture   = fyne.NewStaticResource("card-take.svg", assets.CardTakeSVG)
)
