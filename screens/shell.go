// Package screens is the kiosk's Fyne UI: the shell (header, navigation, footer, idle
// countdown) and one file per screen. Screens render state and call operations on
// app.Kiosk; the logic of the flows lives in app.
package screens

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/workdays"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// Page is one screen: a stable name (for tests, logs and screenshots), the key of its
// title, and a function that builds its content. Content is rebuilt when the language
// or 大字模式 changes (a picture that depends on neither may be reused: the reader's,
// the demo receipt's) and when a session is wiped, so no personal data outlives its
// session in a widget.
type Page struct {
	Name     string
	TitleKey string
	Build    func() fyne.CanvasObject
	// Tick, if set, runs once a second while the screen is on top (countdowns).
	Tick func()
	// KeepOnCard: a card read while this screen is on top redraws it instead of going
	// to the accounts (the screen was waiting for the card: an application, 进度查询).
	KeepOnCard bool
	// Resume, if set, is how a payment made from this screen goes on with its business
	// once paid (过户: the bills checked again, then the review).
	Resume *Resume
	// Idle, if longer than the kiosk's idle time, is how long the visit waits for input
	// while this screen is on top (the pay QR: the citizen pays with their phone).
	Idle time.Duration
	// Leave, if set, runs when the screen leaves the stack (返回, 首页, a card read):
	// maintenance mode closes with its screen.
	Leave func()
	// Subject, if set, names what the screen shows (an account's bills, an
	// application's timeline): shown again over itself (the same bill or receipt
	// scanned twice), the screen takes the place of the one on top instead of going
	// over it, and one 返回 still leads back.
	Subject string
}

// Resume is a screen's business to go on with after a payment: the button's text key
// and what it does, called with the payment's result on top of the screen.
type Resume struct {
	Key string
	Do  func()
}

// below is the screen under the one on top; the zero Page if there is none.
func (s *Shell) below() Page {
	if len(s.stack) < 2 {
		return Page{}
	}
	return s.stack[len(s.stack)-2]
}

// Options configure the shell.
type Options struct {
	// OnFirstFrame is called once, when the home screen is first painted.
	OnFirstFrame func()
	// Do runs a function on the UI goroutine; nil means fyne.Do. Tests pass a queue
	// that they drain on their own goroutine, so that events from device and network
	// goroutines change widgets only there.
	Do func(func())
}

// Shell is the frame around every screen and the navigation stack.
type Shell struct {
	K   *app.Kiosk
	win fyne.Window
	opt Options

	stack []Page
	root  *fyne.Container
	body  *fyne.Container
	clock *canvas.Text
	idle  *idleOverlay
	// notice is the modal on screen for a device (reading a card, a refusal), if any.
	notice *modal
	// waiting is the notice pleaseWait put up: while it is the one on screen, a step the
	// citizen asked for is on its way.
	waiting *modal
	// lookupDue is set while a redraw of the accounts screen or 进度查询 is on its way.
	lookupDue atomic.Bool
	// landing builds the first screen of an identified citizen.
	landing func(*Shell) Page
	// firstFrame reports the first painted home screen once (Options.OnFirstFrame).
	firstFrame sync.Once
	// readers are the home screen's pictures of the reader, by size and kind
	// (readerPicture).
	readers map[readerKey]*canvas.Image
	// receipt is the demo receipt's pictures while its screen is shown (keptReceipt).
	receipt *keptReceipt
	// back and home are the header's 返回 and 首页, kept across renders: Fyne refreshes
	// every image new to a window while it paints it, so new icons each render made it
	// paint every screen twice (touch.Button says the rest).
	back, home *touch.Button
	// gesture counts staff's taps on the header's title, across the header's renders.
	gesture *touch.Gesture
	// renderedFor is the window size the screen on show was built for; devicesShown
	// what it was built to show of the devices.
	renderedFor  fyne.Size
	devicesShown devicesView
	// redrawDue is set while a refresh waits for a finger to lift.
	redrawDue bool
	// nextWaits is whether the footer was built to say that the next citizen's card
	// waits for this visit to end (nextCardWaits).
	nextWaits bool
	// bodySize is the room the screen being built has between the bars.
	bodySize fyne.Size
	// theme is the app's one theme, switched between the modes (kt.Kiosk says why).
	theme *kt.Kiosk
	// maint is maintenance mode while its screen is on the stack.
	maint *app.Maintenance
}

// NewShell builds the shell into w and shows the home screen.
func NewShell(k *app.Kiosk, w fyne.Window, o Options) *Shell {
	s := &Shell{K: k, win: w, opt: o, landing: accountsPage, readers: map[readerKey]*canvas.Image{}}
	if s.opt.Do == nil {
		s.opt.Do = fyne.Do
	}
	k.SetScreen(s.picture)
	s.body = container.NewStack()
	s.root = container.NewStack()
	s.idle = newIdleOverlay(s)
	w.SetContent(s.root)
	s.theme = kioskTheme(k.Elderly())
	k.OnSession(func(e session.Event) { s.opt.Do(func() { s.onSession(e) }) })
	k.OnIdentify(func(e app.IdentifyEvent) { s.opt.Do(func() { s.onIdentify(e) }) })
	k.OnDevice(func(e app.DeviceEvent) { s.opt.Do(func() { s.onDevice(e) }) })
	k.OnLookup(s.lookupAnswered)
	k.OnScan(func(sc app.Scan) { s.opt.Do(func() { s.onScan(sc) }) })
	k.OnContent(func() { s.opt.Do(s.onContent) })
	touch.OnLift(func() { s.opt.Do(s.redrawIfDue) })
	// A late answer to the open session's application redraws its result page.
	k.OnApplicationUpdate(func() {
		s.opt.Do(func() {
			if s.Current() == "apply-result" {
				s.refresh()
			}
		})
	})
	if c, ok := w.Canvas().(interface {
		SetOnTypedKey(func(*fyne.KeyEvent))
	}); ok {
		// A hardware key (a maintenance keyboard) counts as activity too.
		c.SetOnTypedKey(func(*fyne.KeyEvent) { k.Touch() })
	}
	s.Home()
	return s
}

// kioskTheme gives the app the kiosk's theme in a mode and returns it. An app that has
// it already (a kiosk after another in one process: tests, benchmarks) keeps it; a new
// one would cost a parse of the fonts.
func kioskTheme(elderly bool) *kt.Kiosk {
	if th, ok := fyne.CurrentApp().Settings().Theme().(*kt.Kiosk); ok {
		th.SetElderly(elderly)
		return th
	}
	th := kt.New(elderly)
	fyne.CurrentApp().Settings().SetTheme(th)
	return th
}

// CountdownVisible reports whether the idle countdown is on screen.
func (s *Shell) CountdownVisible() bool { return s.idle.Visible() }

// Current returns the name of the screen on top.
func (s *Shell) Current() string { return s.stack[len(s.stack)-1].Name }

// Show pushes a screen.
func (s *Shell) Show(p Page) {
	if p.Subject != "" && s.stack[len(s.stack)-1].Subject == p.Subject {
		s.dropTo(len(s.stack) - 1)
	}
	s.stack = append(s.stack, p)
	s.K.SetAway(true)
	s.K.Log.Info("screen", "name", p.Name)
	s.render()
}

// Back pops the top screen.
func (s *Shell) Back() {
	if len(s.stack) > 1 {
		s.dropTo(len(s.stack) - 1)
	}
	s.K.SetAway(len(s.stack) > 1)
	s.render()
}

// dropTo leaves the screens above the first n of the stack.
func (s *Shell) dropTo(n int) {
	for i := len(s.stack) - 1; i >= n; i-- {
		if s.stack[i].Leave != nil {
			s.stack[i].Leave()
		}
	}
	s.stack = s.stack[:n]
}

// Home drops the stack and shows the home screen.
func (s *Shell) Home() {
	s.dropTo(0)
	s.stack = []Page{homePage(s)}
	s.receipt = nil
	if s.K.Sessions.Current() == nil {
		s.K.SetAway(false)
	} else {
		s.K.Touch()
	}
	s.render()
}

// Tap wraps a handler so that it counts as citizen activity first.
func (s *Shell) Tap(f func()) func() {
	return func() {
		s.K.Touch()
		if f != nil {
			f()
		}
	}
}

// Button returns a large button whose label is the translated key.
func (s *Shell) Button(key string, f func()) *touch.Button {
	return touch.NewButton(s.K.Text.T(key), s.Tap(f))
}

// T translates a key in the current language.
func (s *Shell) T(key string, args ...any) string { return s.K.Text.T(key, args...) }

// SetElderly switches 大字模式 and redraws everything at the new size.
func (s *Shell) SetElderly(on bool) {
	s.K.SetElderly(on)
	s.setMode(on)
	s.render()
}

// setMode puts the theme in the mode. What the shell keeps across renders (返回, 首页)
// takes its new size at once, before the next render lays the header out: left to the
// render's refresh, it would be laid out at the old size and moved again while Fyne
// paints, which paints the window twice.
func (s *Shell) setMode(on bool) {
	if !s.theme.SetElderly(on) {
		return
	}
	if s.back != nil {
		s.back.Refresh()
		s.home.Refresh()
	}
	// A notice up when the mode changes (the visit it belongs to has ended, and the
	// hall's default mode comes back) takes the new size too: its buttons were laid out
	// for the old one.
	s.notice.refresh()
}

// ToggleLanguage switches 中文 / English and redraws.
func (s *Shell) ToggleLanguage() {
	s.K.ToggleLanguage()
	s.render()
}

// Tick updates the clock in the header; the caller runs it once a second.
func (s *Shell) Tick() {
	if t := s.stack[len(s.stack)-1].Tick; t != nil {
		t()
	}
	if s.nextCardWaits() != s.nextWaits { // the card lifted, put back, or served
		s.refresh()
	}
	if s.clock == nil {
		return
	}
	s.clock.Text = s.clockText(s.K.Clock.Now())
	s.clock.Refresh()
}

// clockText shows the hall's time, China Standard Time, like the receipts and dates,
// whatever zone the machine is set to: 2026年11月25日 09:30  星期三, Wed 25 Nov 2026 09:30.
func (s *Shell) clockText(now time.Time) string {
	now = now.In(workdays.CST)
	return s.T("clock.line", now.Format(s.T("clock.format")), s.T(fmt.Sprintf("weekday.%d", now.Weekday())))
}

// render rebuilds the chrome and the top screen's content.
func (s *Shell) render() {
	top := s.stack[len(s.stack)-1]
	s.redrawDue = false
	s.devicesShown = s.devicesView(top.Name)
	s.K.Sessions.SetPatience(top.Idle)
	header, footer := s.header(top), s.footer()
	// The bars, the border's gaps and the body's padding.
	pad := ft.Padding()
	s.bodySize = s.room().SubtractWidthHeight(2*pad, header.MinSize().Height+footer.MinSize().Height+4*pad)
	s.body.Objects = []fyne.CanvasObject{top.Build()}
	frame := container.NewBorder(header, footer, nil, nil, container.NewPadded(s.body))
	surface := touch.NewSurface(s.K.Touch)
	s.renderedFor = s.room()
	surface.OnResized = func(fyne.Size) {
		if s.room() == s.renderedFor {
			return // the first layout of every render: nothing to do
		}
		// Screens choose their layout by the window's size: build them again for the new
		// one, after Fyne's layout pass.
		s.opt.Do(func() {
			if s.room() != s.renderedFor {
				s.render()
			}
		})
	}
	s.root.Objects = []fyne.CanvasObject{surface, frame}
	s.root.Refresh()
	s.notice.relanguage(s)
	s.idle.refresh() // after the notice: the countdown stays on top
}

// header is the top bar. On home it names the hall; elsewhere it holds 返回 and 首页
// and the screen's title. On the right: the masked citizen and 退出办理 while a session
// is open, the demo badge and the clock.
func (s *Shell) header(top Page) fyne.CanvasObject {
	cfg := s.K.Config.Kiosk
	var left fyne.CanvasObject = container.NewHBox()
	title := s.K.Text.Pick(cfg.HallName, cfg.HallNameEN)
	if len(s.stack) > 1 {
		if s.back == nil {
			s.back = touch.NewIconButton(s.T("nav.back"), ft.NavigateBackIcon(), s.Tap(s.Back))
			s.home = touch.NewIconButton(s.T("nav.home"), ft.HomeIcon(), s.Tap(s.Home))
		}
		s.back.SetText(s.T("nav.back"))
		s.home.SetText(s.T("nav.home"))
		// The two the gap apart: at the padding, a finger aimed at 返回 (one step back)
		// could press 首页, which drops the whole way taken.
		left = touch.NewApartRow(s.back, s.home)
		title = s.T(top.TitleKey)
	}
	// The title takes what room is left and is shortened rather than pushing the
	// buttons off the bar (long titles in English or 大字模式).
	if s.gesture == nil {
		s.gesture = touch.NewGesture(gestureTaps, gestureWithin, s.openGesture)
		s.gesture.OnTap = s.K.Touch
	}
	name := touch.NewTapCounter(touch.NewFitText(title, ft.Color(kt.ColorNameOnBar), ft.Size(kt.SizeNameBarText)), s.gesture)
	var right []fyne.CanvasObject
	if s.K.Config.Demo {
		right = append(right, badge(s.T("demo.badge")))
	}
	if sess := s.K.Sessions.Current(); sess != nil {
		if id, ok := sess.Identity(); ok {
			right = append(right, barText(id.MaskedName()+"  "+id.MaskedID()))
		}
		exit := touch.NewButton(s.T("nav.exit"), s.Tap(s.K.Exit))
		exit.Importance = widget.DangerImportance
		right = append(right, exit)
	} else {
		s.clock = barText(s.clockText(s.K.Clock.Now()))
		right = append(right, s.clock)
	}
	row := container.NewBorder(nil, nil, left, centerRow(right...), name)
	return bar(container.NewPadded(row))
}

// room is the window's size, for screens that choose their layout by what fits. Before
// the window is first laid out (a full-screen window before it is mapped) it is the
// size the screens are designed for, 1280×800.
func (s *Shell) room() fyne.Size {
	if sz := s.win.Canvas().Size(); sz.Width > 0 && sz.Height > 0 {
		return sz
	}
	return fyne.NewSize(1280, 800)
}

// apartColumns lays controls out in a grid of n columns, or fewer when the widest
// would not fit n times across the screen (long words in English and 大字模式), the
// theme's SizeNameGap apart (好差评's levels and reasons, staff actions).
func (s *Shell) apartColumns(n int, items ...fyne.CanvasObject) *touch.Apart {
	return touch.NewApartGrid(s.fitColumns(n, ft.Size(kt.SizeNameGap), items), items...)
}

// fitColumns is n, or fewer when the widest item would not fit n times across the
// screen with space between them.
func (s *Shell) fitColumns(n int, space float32, items []fyne.CanvasObject) int {
	var widest float32
	for _, o := range items {
		widest = max(widest, o.MinSize().Width)
	}
	room := s.room().Width - 2*ft.Padding()
	for n > 1 && float32(n)*(widest+space)-space > room {
		n--
	}
	return n
}

// centerRow is a horizontal row whose items are centred vertically.
func centerRow(items ...fyne.CanvasObject) fyne.CanvasObject {
	for i, o := range items {
		if _, ok := o.(*canvas.Text); ok {
			items[i] = container.NewCenter(o)
		}
	}
	return container.NewHBox(items...)
}

func (s *Shell) footer() fyne.CanvasObject {
	var lines []string
	for _, h := range s.K.Config.Hotlines {
		lines = append(lines, s.K.Text.Pick(h.Label, h.LabelEN)+" "+h.Number)
	}
	elderKey := "footer.elderly"
	if s.K.Elderly() {
		elderKey = "footer.elderly_on"
	}
	elder := s.Button(elderKey, func() { s.SetElderly(!s.K.Elderly()) })
	elder.Importance = widget.HighImportance
	lang := s.Button("footer.language", s.ToggleLanguage)
	// The two the gap apart: at the padding, a slip switched the language instead of the
	// text size.
	toggles := touch.NewApartRow(elder, lang)
	// The hotlines are always shown; their heading goes when they would not fit beside
	// the buttons (English in 大字模式).
	hot := barText(s.T("footer.hotlines") + "  " + strings.Join(lines, "    "))
	room := s.room().Width - toggles.MinSize().Width - 5*ft.Padding()
	if hot.MinSize().Width > room {
		hot.Text = strings.Join(lines, "   ")
	}
	var left fyne.CanvasObject = container.NewHBox(hot)
	if s.nextWaits = s.nextCardWaits(); s.nextWaits {
		// The next citizen's card waits for the payer, gone on in their visit: its
		// holder, standing by, reads here why nothing happens yet, on every screen the
		// payer goes to: above the hotlines, the two lines close, within the height the
		// toggles give the bar.
		left = container.New(layout.NewCustomPaddedVBoxLayout(0), barText(s.T("pay.next_card_after")), hot)
	}
	row := container.NewBorder(nil, nil, nil, toggles, left)
	return bar(container.NewPadded(row))
}

// nextCardWaits reports whether another citizen's card, put down during a payment,
// waits for the payer's visit to end: the payer went on in it from the outcome
// (app.Kiosk.KeepVisitForPayer).
func (s *Shell) nextCardWaits() bool {
	due, waits := s.K.NextCardDue()
	return waits && due.IsZero()
}

func (s *Shell) onSession(e session.Event) {
	// Events come from the idle timer, taps and the card reader at once, and may arrive
	// out of order: what the manager says now decides.
	switch e.Kind {
	case session.Warned:
		if s.K.Sessions.State() == session.Warning {
			s.idle.show(e.Remaining)
		}
	case session.Resumed:
		s.idle.hide()
	case session.Ended:
		if cur := s.K.Sessions.Current(); e.Reason != session.ReasonReplaced && cur != nil && cur.ID != e.SessionID {
			return // a session that ended (idle, 退出办理) after the next one started: that one stays
		}
		s.idle.hide()
		s.receipt = nil
		if e.Reason != session.ReasonReplaced {
			// What the visit's notice says (a number not found, a step refused) is not
			// for the next citizen. A card over a visit puts up its own.
			s.notice.hide()
			s.notice = nil
		}
		// The kiosk's mode now: the hall's default, which it has put back, or the one
		// chosen at the screen when a card replaced a visit without one.
		s.setMode(s.K.Elderly())
		// A card placed during a visit without one continues on the same screen (进度查询
		// lists the applications it asked a card for); a card over another citizen's
		// visit is the next citizen, who must see nothing the screens kept of the last.
		if e.Reason != session.ReasonReplaced || e.Identified {
			s.Home() // redraws at the mode's size
		}
	case session.Started:
		if s.maint != nil && !s.maint.Open() {
			// The visit closed maintenance mode at the kiosk (journaled, as 群众开始办理).
			// A card's and a scan's take the screen out of maintenance mode where they
			// arrive; a visit opened otherwise (Kiosk.EnsureSession) does it here: home,
			// where the visit is, not maintenance mode's page drawn again over a mode
			// that is closed, and the gesture free to open it again once the visit ends.
			s.Home()
			return
		}
		s.refresh()
	}
}

// onContent redraws the screens that show the utilities' content after a bundle changed
// it. An information page was built from the content before: its list is shown again.
// A form being filled keeps the services it was opened with.
func (s *Shell) onContent() {
	switch s.Current() {
	case "info-page":
		s.Back()
	case "home", "info", "catalog", "apply-choose", "guide", "maint-bundles":
		s.refresh()
	}
}

func bar(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(ft.Color(kt.ColorNameBar))
	return container.NewStack(bg, content)
}

func barText(s string) *canvas.Text {
	t := canvas.NewText(s, ft.Color(kt.ColorNameOnBar))
	t.TextSize = ft.Size(kt.SizeNameBarText)
	return t
}

func badge(s string) fyne.CanvasObject {
	bg := canvas.NewRectangle(ft.Color(kt.ColorNameBadge))
	bg.CornerRadius = 6
	t := canvas.NewText(s, ft.Color(kt.ColorNameOnBadge))
	t.TextSize = ft.Size(kt.SizeNameBarText)
	return container.NewStack(bg, container.NewPadded(t))
}
