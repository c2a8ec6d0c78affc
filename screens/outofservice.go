package screens

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// OutOfService is what the out-of-service screen (暂停服务) is made from: a kiosk that
// could not start has no app.Kiosk, only its configuration, its strings and the reason.
type OutOfService struct {
	// Config is the kiosk's configuration: the hall's name and hotlines, 大字模式 by
	// default. Nil when it was refused: the screen then names no hall and gives the
	// hotlines every kiosk publishes (the embedded defaults').
	Config *config.Config
	// Text is the kiosk's strings in the hall's language, which staff's lines are in.
	Text *i18n.Catalog
	// Why is why the kiosk cannot start.
	Why app.OutOfService
	// OnPainted, if set, is called once, when the screen is first painted.
	OnPainted func()
}

// ShowOutOfService puts the out-of-service screen into w, in the kiosk's theme: large,
// in Chinese with English below, the kiosk is out of service and the citizen is asked
// to go to a staffed counter, with the hall's hotlines; small, on the bottom bar, what
// is wrong for staff and the command that tells them more. It has nothing to tap and
// never changes: staff put the cause right and restart the kiosk.
func ShowOutOfService(w fyne.Window, o OutOfService) {
	cfg := o.Config
	if cfg == nil {
		cfg = config.Defaults()
	}
	kioskTheme(cfg.Kiosk.ElderlyDefault)
	room := w.Canvas().Size()
	if room.Width <= 0 || room.Height <= 0 {
		room = fyne.NewSize(1280, 800) // a full-screen window before it is mapped
	}
	// The English apology goes when it has no room (大字模式 with a long reason for
	// staff); the English title stays.
	var screen fyne.CanvasObject
	for _, apology := range []bool{true, false} {
		screen = outOfService(o, cfg, apology)
		// Laid out at its size first: wrapped text measures its lines at its width.
		screen.Resize(room)
		if screen.MinSize().Height <= room.Height {
			break
		}
	}
	// Again, on the lines as they are now broken.
	screen.Refresh()
	w.SetContent(screen)
}

// outageHeadline is 本机暂停服务 as an out-of-service screen shows it: large, centred, in
// the error colour.
func outageHeadline(text string) *canvas.Text {
	headline := canvas.NewText(text, ft.Color(ft.ColorNameError))
	headline.TextSize = ft.Size(kt.SizeNameDisplayText)
	headline.Alignment = fyne.TextAlignCenter
	return headline
}

// centred is a centred paragraph of an out-of-service screen, at size in colour.
func centred(text string, size fyne.ThemeSizeName, colour fyne.ThemeColorName) fyne.CanvasObject {
	return touch.NewParagraph(text, widget.RichTextStyle{Alignment: fyne.TextAlignCenter, SizeName: size, ColorName: colour})
}

func outOfService(o OutOfService, cfg *config.Config, apology bool) fyne.CanvasObject {
	t := o.Text
	title := t.T("app.title")
	if o.Config != nil {
		title = t.Pick(cfg.Kiosk.HallName, cfg.Kiosk.HallNameEN)
	}
	header := bar(container.NewPadded(touch.NewFitText(title, ft.Color(kt.ColorNameOnBar), ft.Size(kt.SizeNameBarText))))

	headline := outageHeadline(t.In(i18n.ZH, "outage.title"))
	var once sync.Once
	line := paintedBar(ft.Color(ft.ColorNameError), fyne.NewSize(240, 6), func() {
		if o.OnPainted != nil {
			once.Do(o.OnPainted)
		}
	})
	var hotlines []string
	for _, h := range cfg.Hotlines {
		hotlines = append(hotlines, t.Pick(h.Label, h.LabelEN)+" "+h.Number)
	}
	english := t.In(i18n.EN, "outage.title")
	if apology {
		english += ". " + t.In(i18n.EN, "outage.apology")
	}
	// No padding between the lines: the paragraphs have their own, and the spacers share
	// what is left; 大字模式's lines need the room.
	body := container.New(layout.NewCustomPaddedVBoxLayout(0), layout.NewSpacer(),
		headline,
		container.NewCenter(line),
		centred(t.In(i18n.ZH, "outage.apology"), ft.SizeNameHeadingText, ft.ColorNameForeground),
		centred(english, ft.SizeNameText, kt.ColorNameMuted),
		layout.NewSpacer(),
		centred(t.T("footer.hotlines")+"  "+strings.Join(hotlines, "    "), ft.SizeNameSubHeadingText, ft.ColorNamePrimary),
		layout.NewSpacer(),
	)
	// A line each, shortened rather than wrapped: the reason's one line (the log and
	// the configuration's check say it all), and the commands, which stay whole.
	staff := container.New(layout.NewCustomPaddedVBoxLayout(0))
	for _, line := range []string{t.T("outage.staff", o.Why.Reason(t)), t.T("outage.details", o.Why.Check()),
		t.T("outage.restart", app.RestartCommand)} {
		staff.Add(touch.NewFitText(line, ft.Color(kt.ColorNameOnBar), ft.Size(ft.SizeNameCaptionText)))
	}
	return container.NewBorder(header, bar(container.NewPadded(staff)), nil, nil, container.NewPadded(body))
}
