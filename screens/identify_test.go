package screens_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/screens"
	"github.com/liangzihu/kiosk/screens/screentest"
	kt "github.com/liangzihu/kiosk/screens/theme"
	"github.com/liangzihu/kiosk/screens/touch"
)

// newDeviceHarness is a shell whose kiosk drives the demo device emulators through
// real pseudo-terminals.
func newDeviceHarness(t *testing.T) (*screentest.H, *demo.Rig) {
	t.Helper()
	return newDeviceHarnessWith(t, nil)
}

// newDeviceHarnessWith is newDeviceHarness with its configuration tuned by tune first.
func newDeviceHarnessWith(t *testing.T, tune func(*config.Config)) (*screentest.H, *demo.Rig) {
	t.Helper()
	d, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := config.Defaults()
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	if tune != nil {
		tune(cfg)
	}
	d.Apply(cfg)
	return screentest.New(t, screentest.Options{Config: cfg, Demo: d, Start: true}), d
}

func TestCardFromHome(t *testing.T) {
	h, _ := newDeviceHarness(t)
	h.Tap("模拟刷卡")
	h.Tap("长者，水电气网四家都有账户 · 张*")
	h.WaitFor("the citizen's session", func() bool { return h.K.Sessions.Current() != nil && h.Shows("张*") })
	if !h.Shows("110105********002X") || h.Shows("张三") || h.Shows("19491231") {
		t.Fatalf("identity not shown masked:\n%s", h.Markup())
	}
	h.Tap("退出办理")
	if h.Shows("张*") {
		t.Fatal("name left on screen after 退出办理")
	}
}

// A card that cannot be used is explained, and the way without one (bills and payments
// by account number) is a tap away.
func TestRefusedCardExplained(t *testing.T) {
	for _, then := range []string{"知道了", "输入户号查询"} {
		t.Run(then, func(t *testing.T) {
			h, d := newDeviceHarness(t)
			if err := d.PlaceFixture("resident_expired"); err != nil {
				t.Fatal(err)
			}
			h.WaitShows("您的证件已过有效期")
			if h.K.Sessions.Current() != nil {
				t.Fatal("an expired card opened a session")
			}
			h.Tap(then)
			if h.Shows("您的证件已过有效期") {
				t.Fatal("the notice did not close")
			}
			if want := map[string]string{"知道了": "home", "输入户号查询": "accounts"}[then]; h.Current() != want {
				t.Fatalf("after %s: %s, want %s", then, h.Current(), want)
			}
		})
	}
}

// The reader offline: home says so in place of the invitation to place a card, and
// still fits with a citizen's visit open in 大字模式 (the warning under the invitation
// once ran home off the window); the invitation comes back with the reader.
func TestReaderOfflineWarning(t *testing.T) {
	h, d := newDeviceHarness(t)
	h.WaitFor("the reader ready", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	if err := d.PlaceCard(1); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	h.Tap("首页")
	// Taken off first: a card left on a reader that comes back is read again, which
	// opens the accounts before the invitation below could be seen.
	d.RemoveCard()
	if err := d.Reader().Unplug(); err != nil {
		t.Fatal(err)
	}
	h.WaitShows("读卡器暂时无法使用")
	if h.Shows("请将身份证放在读卡区") {
		t.Error("home invites a card the reader cannot read")
	}
	for _, elderly := range []bool{false, true} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.AssertFits()
	}
	if err := d.Reader().Replug(); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the warning to go", func() bool { return !h.Shows("读卡器暂时无法使用") })
	h.WaitShows("请将身份证放在读卡区")
}

// With a session the header holds the citizen's masked identity and 退出办理: home still
// fits, in both languages and both modes, and in normal mode keeps the tiles'
// descriptions (home drops them only when they do not fit, see homeForms).
func TestHomeWithSessionFits(t *testing.T) {
	h, _ := newDeviceHarness(t)
	h.Tap("模拟刷卡")
	h.TapSeeking("复姓，只有宽带账户 · 欧***")
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	h.Tap("首页")
	for _, lang := range []struct{ toggle, desc string }{{"English", "One form for"}, {"中文", "一张表同时申请水电气网"}} {
		h.Tap(lang.toggle)
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			h.AssertFits()
			if h.Shows(lang.desc) == elderly {
				t.Errorf("%s, 大字模式 %v: the tiles' descriptions shown %v, want %v", lang.toggle, elderly, elderly, !elderly)
			}
		}
	}
}

// A card placed over a session is the next citizen: the hall's normal size comes back
// for them, on screen as in the kiosk (the theme once stayed large while the kiosk had
// reset the mode, and screens laid out for one size were drawn at the other).
func TestNewCardResetsTheMode(t *testing.T) {
	h, rig := newDeviceHarness(t)
	place := func(i int) {
		if err := rig.PlaceCard(i); err != nil {
			t.Fatal(err)
		}
	}
	place(0)
	h.WaitFor("张三's accounts", func() bool { return h.Current() == "accounts" && h.Shows("张*") })
	h.Tap("大字模式")
	place(1)
	h.WaitFor("李四's accounts", func() bool { return h.Current() == "accounts" && h.Shows("李*") })
	th := fyne.CurrentApp().Settings().Theme().(*kt.Kiosk)
	if h.K.Elderly() || th.Elderly() {
		t.Fatalf("after a new card: kiosk in 大字模式 %v, theme %v; want both off", h.K.Elderly(), th.Elderly())
	}
}

// The header holds 返回, 首页, the title, the demo badge, the citizen's masked name and
// ID and 退出办理: it fits in both languages and both modes (the title shortens), and the
// masked name stays.
func TestHeaderFitsWithCitizen(t *testing.T) {
	h, _ := newDeviceHarness(t)
	h.Tap("模拟刷卡")
	h.Tap("有欠费的电费、水费账单 · 李*")
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	for _, lang := range []string{"English", "中文"} {
		h.Tap(lang)
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			h.AssertFits()
			if !h.Shows("李*") {
				t.Errorf("%s, 大字模式 %v: the citizen's masked name is not in the header", lang, elderly)
			}
		}
	}
}

// The citizen being served puts their card back: the busy message goes and the visit
// stays where it was (it does not restart on the accounts screen); on home, the card
// leads to their accounts as ever, in the same visit.
func TestSameCardPutBack(t *testing.T) {
	h, d := newDeviceHarness(t)
	if err := d.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	first := h.K.Sessions.Current()
	h.Tap("首页")
	h.Tap("大厅指南")
	reads := d.Reader().Count(sim.IDCmdRead)
	if err := d.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the card read again", func() bool { return d.Reader().Count(sim.IDCmdRead) > reads })
	h.WaitFor("the busy message to go", func() bool { return !h.Shows("正在读取") && h.Win.Canvas().Overlays().Top() == nil })
	if h.Current() != "guide" || h.K.Sessions.Current() != first {
		t.Fatalf("after the card was put back: screen %s, same visit %v", h.Current(), h.K.Sessions.Current() == first)
	}
	h.Tap("首页")
	if err := d.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the citizen's accounts again", func() bool { return h.Current() == "accounts" })
	if h.K.Sessions.Current() != first {
		t.Fatal("the card put back on home started another visit")
	}
}

// A card already on the reader when the kiosk starts opens no visit: home asks for it to
// be taken, with no reading notice left on screen.
func TestCardOnReaderAtStart(t *testing.T) {
	h, _ := cardOnReaderAtStart(t)
	h.WaitShows("请取回您的身份证")
	if h.K.Sessions.Current() != nil || h.Shows("正在读取身份证") || h.Shows("张*") {
		t.Fatalf("the card found at start opened a visit or left a notice:\n%s", h.Markup())
	}
	h.Tap("模拟取卡")
	h.WaitShows("请将身份证放在读卡区")
}

// cardOnReaderAtStart is a kiosk on the demo device emulators started with a card on
// the reader.
func cardOnReaderAtStart(t *testing.T) (*screentest.H, *demo.Rig) {
	t.Helper()
	d, err := demo.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.PlaceCard(0); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Devices.IDCard.PollInterval.Duration = 20 * time.Millisecond
	d.Apply(cfg)
	return screentest.New(t, screentest.Options{Config: cfg, Demo: d, Start: true}), d
}

// TestDemoCardsFit pages through the demo card chooser in both languages and both
// sizes: every card's label fits its button (an English label once ran past the
// card's edge in 大字模式).
func TestDemoCardsFit(t *testing.T) {
	eachMode(t, func(t *testing.T, h *screentest.H, _ *demo.Rig, _, _ bool) {
		h.Tap(h.K.Text.T("demo.place_card"))
		for page := 1; ; page++ {
			h.Check("", "")
			if !h.CanTap(h.K.Text.T("nav.next_page")) || page > 10 {
				break
			}
			h.Tap(h.K.Text.T("nav.next_page"))
		}
	})
}

// eachMode runs f on a device harness in each language and size, as a subtest.
func eachMode(t *testing.T, f func(t *testing.T, h *screentest.H, d *demo.Rig, english, elderly bool)) {
	for _, english := range []bool{false, true} {
		for _, elderly := range []bool{false, true} {
			t.Run(fmt.Sprintf("english=%v,elderly=%v", english, elderly), func(t *testing.T) {
				h, d := newDeviceHarness(t)
				if english {
					h.Shell.ToggleLanguage()
				}
				if elderly {
					h.Tap(h.K.Text.T("footer.elderly"))
				}
				f(t, h, d, english, elderly)
			})
		}
	}
}

// TestNoticeButtonsStackWhenLong: a notice's buttons stand side by side where their
// labels fit, and one under another where not (English in 大字模式), never past their
// edges.
func TestNoticeButtonsStackWhenLong(t *testing.T) {
	eachMode(t, func(t *testing.T, h *screentest.H, d *demo.Rig, english, elderly bool) {
		if err := d.PlaceFixture("resident_expired"); err != nil {
			t.Fatal(err)
		}
		lookup := h.K.Text.T("lookup.by_number")
		h.WaitFor("the notice", func() bool { return h.CanTap(lookup) })
		h.Check("", "")
		var ok, by fyne.CanvasObject
		for _, tg := range h.Targets() {
			switch tg.Label {
			case h.K.Text.T("common.ok"):
				ok = tg.Object
			case lookup:
				by = tg.Object
			}
		}
		stacked := ok.Position().Y != by.Position().Y
		if want := english && elderly; stacked != want {
			t.Errorf("buttons stacked %v, want %v", stacked, want)
		}
	})
}

// A card placed during a visit without one opens its holder's visit and wipes the one
// before, but keeps the language and 大字模式 chosen by whoever stands at the screen (a
// card over another card's visit is the next citizen: TestNewCardResetsTheMode); the end
// of the visit brings the hall's defaults back.
func TestCardKeepsTheChoicesMadeAtTheScreen(t *testing.T) {
	h, d := newDeviceHarness(t)
	h.WaitFor("the reader ready", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	first := h.K.Sessions.Start() // a visit without a card: a bill's QR scanned, say
	h.Tap("English")
	h.Tap("Large text")
	if err := d.PlaceCard(1); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the citizen's accounts", func() bool { return h.Current() == "accounts" })
	if s := h.K.Sessions.Current(); s == nil || s.ID == first.ID {
		t.Fatal("the card did not open a visit of its own")
	}
	if !h.K.Elderly() || h.K.Text.Lang() != "en" {
		t.Fatalf("the card's visit: 大字模式 %v, language %s; want the choices made at the screen", h.K.Elderly(), h.K.Text.Lang())
	}
	h.AssertFits()
	h.K.Exit()
	if h.K.Elderly() || h.K.Text.Lang() != "zh" {
		t.Fatal("language or size carried over to the next visit")
	}
}

// Devices report states that change nothing home shows (the scanner unplugged and back,
// every device as the kiosk starts): home is not built again under a finger, whose tap
// on a tile would be lost (the tile it went down on gone when it comes up).
func TestDeviceStatesLeaveHomeAlone(t *testing.T) {
	h, d := newDeviceHarness(t)
	h.WaitFor("the reader ready", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
	tile := func() *touch.Tile { return findTile(h, "大厅指南") }
	before := tile()
	if before == nil {
		t.Fatalf("no 大厅指南 tile on home:\n%s", h.Markup())
	}
	scannerOK := func(want bool) func() bool {
		return func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK == want }
	}
	if err := d.Scanner().Unplug(); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the scanner gone", scannerOK(false))
	if err := d.Scanner().Replug(); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the scanner back", scannerOK(true))
	h.Pump()
	if tile() != before {
		t.Fatal("home was built again for the scanner's states")
	}
}

// findTile is the tile on screen titled title; nil if there is none.
func findTile(h *screentest.H, title string) *touch.Tile {
	var found *touch.Tile
	h.Do(func() {
		for _, o := range test.LaidOutObjects(h.Win.Canvas().Content()) {
			if t, ok := o.(*touch.Tile); ok && t.Title == title {
				found = t
			}
		}
	})
	return found
}

// A screen that news would redraw (here the reader unplugged: home warns in place of
// inviting a card) waits for a finger held on it to lift: the tile under the finger
// stays and takes its tap, as Fyne's driver delivers it (the finger up, then the tap).
// A finger that lifts without a tap lets the redraw come; one whose lift nobody hears
// holds it off touch.MaxHold at most.
func TestRedrawWaitsForTheFinger(t *testing.T) {
	for _, lift := range []string{"tap", "slide off", "unheard"} {
		t.Run(lift, func(t *testing.T) {
			h, d := newDeviceHarness(t)
			h.WaitFor("the reader ready", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
			// Heard after the shell, whose redraw is then in the UI queue.
			reader := make(chan app.DeviceEvent, 16)
			h.K.OnDevice(func(e app.DeviceEvent) {
				if e.Device == "idcard" {
					reader <- e
				}
			})
			tile := findTile(h, "大厅指南")
			ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
			h.Do(func() { tile.MouseDown(ev) })
			if err := d.Reader().Unplug(); err != nil {
				t.Fatal(err)
			}
			for e := range reader {
				if !e.OK {
					break
				}
			}
			h.Pump()
			if findTile(h, "大厅指南") != tile || h.Shows("读卡器暂时无法使用") {
				t.Fatal("home was built again under the finger")
			}
			switch lift {
			case "tap":
				h.Do(func() {
					tile.MouseUp(ev)
					tile.Tapped(&fyne.PointEvent{})
				})
				h.Pump()
				if h.Current() != "guide" {
					t.Fatalf("the tap held across the news opened %q, want the guide", h.Current())
				}
				h.Tap("首页")
			case "slide off":
				h.Do(func() { touch.NewSurface(nil).MouseUp(ev) })
			}
			h.WaitShows("读卡器暂时无法使用")
		})
	}
}

// The harness's seeking taps look at the screen as it will be once a redraw held off
// under a finger is done, not at the one before the news: the card left on the reader is
// taken while a finger rests on home (its lift unheard), and home, inviting a card again
// (模拟刷卡 in place of 模拟取卡), is drawn touch.MaxHold later.
func TestSeekingWaitsForAHeldRedraw(t *testing.T) {
	h, d := cardOnReaderAtStart(t)
	h.WaitShows("模拟取卡")
	ev := &desktop.MouseEvent{Button: desktop.MouseButtonPrimary}
	t.Cleanup(func() { touch.NewSurface(nil).MouseUp(ev) }) // no finger left for the next test
	tile := findTile(h, "大厅指南")
	h.Do(func() { tile.MouseDown(ev) })
	d.RemoveCard()
	h.WaitFor("home's redraw for the card taken, held under the finger", func() bool {
		return !h.K.CardLeft() && h.Shell.RedrawHeld()
	})
	h.TapSeeking("模拟刷卡")
	h.WaitShows("长者，水电气网四家都有账户 · 张*")
}

// newScanHarness is a kiosk on the demo device emulators and the utilities' simulator:
// in demo mode (the rig is the kiosk's, 模拟扫码 offers the simulator's papers), or not
// (a hall's own configuration, whose scanner happens to be the emulator).
func newScanHarness(t *testing.T, demoMode, english, elderly bool) *screentest.H {
	t.Helper()
	d, sims, cfg := demoWithUtilities(t, utilitysim.Options{})
	o := screentest.Options{Config: cfg, UtilityURLs: sims.BaseURLs(), Start: true}
	if demoMode {
		o.Demo = d
	}
	h := screentest.New(t, o)
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	if english {
		h.Shell.ToggleLanguage()
	}
	if elderly {
		h.Tap(h.K.Text.T("footer.elderly"))
	}
	return h
}

// 模拟扫码 stands where a screen invites a scan without a card (the account lookup: a
// paper bill; 进度查询: a receipt), in demo mode only; its list of papers fits, page by
// page, in both languages and both sizes. A kiosk with a real configuration has no such
// button, though its scanner works and the screens invite a scan.
func TestDemoScanButton(t *testing.T) {
	for _, tc := range []struct{ tile, hint, choose string }{
		{"tile.accounts", "lookup.by_scan_hint", "demo.choose_bill"},
		{"tile.track", "track.by_scan_hint", "demo.choose_receipt"},
	} {
		t.Run(tc.tile, func(t *testing.T) {
			h := newScanHarness(t, false, false, false)
			h.Tap(h.K.Text.T(tc.tile))
			if !h.Shows(h.K.Text.T(tc.hint)) || h.Shows("模拟扫码") {
				t.Fatalf("a real configuration's screen, scanner working:\n%s", h.Markup())
			}
			for _, english := range []bool{false, true} {
				for _, elderly := range []bool{false, true} {
					t.Run(fmt.Sprintf("english=%v,elderly=%v", english, elderly), func(t *testing.T) {
						h := newScanHarness(t, true, english, elderly)
						h.Tap(h.K.Text.T(tc.tile))
						scan, next := h.K.Text.T("demo.scan"), h.K.Text.T("nav.next_page")
						for page := 1; !h.CanTap(scan); page++ { // in 大字模式 the way by scan has a page
							if !h.CanTap(next) || page > 5 {
								t.Fatalf("no %s on any page:\n%s", scan, h.Markup())
							}
							h.Tap(next)
						}
						h.Check("", "")
						h.Tap(scan)
						h.WaitFor("the papers", func() bool { return h.CanTap(h.K.Text.T("common.cancel")) })
						if !elderly && !h.Shows(h.K.Text.T(tc.choose)) { // 大字模式 wraps it
							t.Fatalf("no papers offered:\n%s", h.Markup())
						}
						for page := 1; ; page++ {
							h.Check("", "")
							if !h.CanTap(next) || page > 10 {
								break
							}
							h.Tap(next)
						}
					})
				}
			}
		})
	}
}

// A scan the kiosk cannot use, a line the scanner driver dropped (a bill's QR sent in
// GBK), a code of another kind or the QR of a payment receipt, is said on the screens
// that invite a scan for a few seconds, and then goes by itself; on a screen that
// invites none, nothing is said.
func TestUnusableScan(t *testing.T) {
	gbk := []byte{0xB5, 0xE7, 0xB7, 0xD1, '\r', '\n'} // 电费 in GBK: not UTF-8
	for _, tc := range []struct {
		tile   string // "": home
		screen string
		told   bool
	}{
		{"", "home", true},
		{"tile.accounts", "accounts", true},
		{"tile.track", "track", true},
		{"tile.guide", "guide", false},
	} {
		t.Run(tc.screen, func(t *testing.T) {
			h, d := newDeviceHarness(t)
			h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
			if tc.tile != "" {
				h.Tap(h.K.Text.T(tc.tile))
			}
			for _, scan := range []struct {
				send func() error
				key  string
			}{
				{func() error { return d.Scanner().WriteRaw(gbk) }, "scan.unknown"},
				{func() error { return d.Scan("https://example.com/menu") }, "scan.unknown"},
				// This kiosk's payment receipt, held up by a citizen who just paid: its
				// QR is for their phone, and the notice says so.
				{func() error { return d.Scan("https://pay.example.cn/r/WX20261125001") }, "scan.payment_receipt"},
			} {
				said := h.K.Text.T(scan.key)
				ignored := strings.Count(h.Log(), "unusable scan ignored")
				if err := scan.send(); err != nil {
					t.Fatal(err)
				}
				if !tc.told {
					// The scan is logged when it is ignored: wait for that, then look.
					h.WaitFor("the scan", func() bool { return strings.Count(h.Log(), "unusable scan ignored") > ignored })
					if showsWrapped(h, said) {
						t.Fatalf("told on a screen that invites no scan:\n%s", h.Markup())
					}
					continue
				}
				h.WaitFor("the notice", func() bool { return showsWrapped(h, said) }) // a long one wraps
				h.Check("", "")
				h.Advance(screens.ScanNoticeFor - time.Second)
				if !showsWrapped(h, said) {
					t.Fatal("the notice went too soon")
				}
				h.Advance(time.Second)
				if showsWrapped(h, said) || h.Current() != tc.screen {
					t.Fatalf("after a few seconds, on %s:\n%s", h.Current(), h.Markup())
				}
			}
		})
	}
}

// A rig that has no papers to offer (it was told of no simulated utilities) says so
// when 模拟扫码 is tapped, rather than open an empty list.
func TestDemoScanNothing(t *testing.T) {
	h, _ := newDeviceHarness(t)
	h.WaitFor("the scanner", func() bool { st, ok := h.K.DeviceState("scanner"); return ok && st.OK })
	h.Tap("进度查询")
	h.WaitFor("模拟扫码", func() bool { return h.CanTap("模拟扫码") })
	h.Tap("模拟扫码")
	h.WaitShows("演示模式：现在没有这类单据可以扫描")
	h.Tap("取消")
	if h.Shows("演示模式：现在没有这类单据可以扫描") || h.Current() != "track" {
		t.Fatalf("after 取消:\n%s", h.Markup())
	}
}

// A notice up when the language changes says its words again in the new language: the
// refusal of an expired card, a lookup that failed, the demo cards to choose from. Its
// buttons still do what they did.
func TestNoticeFollowsTheLanguage(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T, h *screentest.H, d *demo.Rig)
		// zh and en are on the notice in each language; then is tapped in English.
		zh, en []string
		then   string
	}{
		{"expired card", func(t *testing.T, h *screentest.H, d *demo.Rig) {
			if err := d.PlaceFixture("resident_expired"); err != nil {
				t.Fatal(err)
			}
		}, []string{"无法办理", "您的证件已过有效期", "输入户号查询", "知道了"},
			[]string{"Cannot continue", "Your card has expired", "Type an account number", "OK"}, "Type an account number"},
		{"lookup failed", func(t *testing.T, h *screentest.H, d *demo.Rig) {
			// The harness's utilities cannot be reached.
			h.Tap("账户与账单")
			h.Tap(h.K.UtilityName("water"))
			for _, c := range "42001002" {
				h.Tap(string(c))
			}
			h.Tap("确定")
		}, []string{"未能查到", "系统暂时无法连接", "知道了"},
			[]string{"Could not look it up", "Liangzihu Water Company cannot be", "OK"}, "OK"},
		{"demo cards", func(t *testing.T, h *screentest.H, d *demo.Rig) { h.Tap("模拟刷卡") },
			[]string{"演示模式：选择一张模拟身份证", "有欠费的电费、水费账单 · 李*", "取消"},
			[]string{"Demo mode: choose a simulated ID card", "Cancel"}, "Cancel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, d := newDeviceHarness(t)
			h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
			tc.open(t, h, d)
			h.WaitFor("the notice", func() bool { return h.CanTap(tc.zh[len(tc.zh)-1]) })
			for _, s := range tc.zh {
				if !h.Shows(s) {
					t.Errorf("the notice does not say %q:\n%s", s, h.Markup())
				}
			}
			h.Do(h.Shell.ToggleLanguage)
			for _, s := range tc.en {
				if !h.Shows(s) {
					t.Errorf("the notice in English does not say %q:\n%s", s, h.Markup())
				}
			}
			for _, s := range tc.zh {
				if h.Shows(s) {
					t.Errorf("the notice in English still says %q", s)
				}
			}
			h.Check("", "")
			screen := h.Current()
			h.Tap(tc.then)
			if len(h.Win.Canvas().Overlays().List()) != 0 {
				t.Errorf("%s did not close the notice:\n%s", tc.then, h.Markup())
			}
			if want := map[string]string{"Type an account number": "accounts"}[tc.then]; want != "" && h.Current() != want {
				t.Errorf("after %s: %s, want %s", tc.then, h.Current(), want)
			} else if want == "" && h.Current() != screen {
				t.Errorf("after %s: %s, want %s", tc.then, h.Current(), screen)
			}
		})
	}
}

// The screens a citizen with a card types on keep their title whole in the header, in
// both languages and sizes, beside the citizen's masked name and 退出办理 (in English in
// 大字模式 the track keypad's was cut to "Type an applicati…").
func TestKeypadTitlesWhole(t *testing.T) {
	eachMode(t, func(t *testing.T, h *screentest.H, d *demo.Rig, english, elderly bool) {
		h.WaitFor("the reader", func() bool { st, ok := h.K.DeviceState("idcard"); return ok && st.OK })
		if err := d.PlaceCard(1); err != nil {
			t.Fatal(err)
		}
		h.WaitFor("the accounts", func() bool { return h.Current() == "accounts" })
		h.Tap(h.K.Text.T("nav.home"))
		h.Tap(h.K.Text.T("tile.track"))
		h.Tap(h.K.Text.T("track.by_number"))
		for _, o := range h.Objects() {
			if txt, ok := o.(*canvas.Text); ok && txt.Visible() && strings.HasSuffix(txt.Text, "…") {
				t.Errorf("%s: %q is cut short", h.Current(), txt.Text)
			}
		}
	})
}
