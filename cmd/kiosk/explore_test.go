package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"github.com/BurntSushi/toml"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/assets"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/screens/objtree"
	"github.com/liangzihu/kiosk/screens/touch"
)

var (
	exploreSteps = flag.Int("explore", 100, "TestExplore: how many random actions")
	exploreSeed  = flag.Uint64("explore-seed", 0, "TestExplore: the seed; 0: the fixed walks CI runs")
	exploreHall  = flag.String("explore-hall", "", "TestExplore: the hall of -explore-seed's walk (standard, english-elderly, partial, no-reader); \"\": one chosen by the seed")
)

// hall is a service hall's configuration of the kiosk that TestExplore walks through.
type hall struct {
	name string
	set  func(*config.Config)
}

// halls are the configurations the walks cover: the demo kiosk as shipped; a hall that
// starts in English and 大字模式; a hall with two utilities, no printer and no scanner; a
// kiosk without an ID card reader.
var halls = []hall{
	{"standard", func(*config.Config) {}},
	{"english-elderly", func(c *config.Config) {
		c.Kiosk.Language = "en"
		c.Kiosk.ElderlyDefault = true
	}},
	{"partial", func(c *config.Config) {
		c.Utilities.Gas.Enabled = false
		c.Utilities.Broadband.Enabled = false
		c.Devices.Printer.Enabled = false
		c.Devices.Scanner.Enabled = false
	}},
	{"no-reader", func(c *config.Config) { c.Devices.IDCard.Enabled = false }},
}

// hallNamed returns the hall of that name, or the seed's when name is "".
func hallNamed(t *testing.T, name string, seed uint64) hall {
	if name == "" {
		return halls[seed%uint64(len(halls))]
	}
	for _, h := range halls {
		if h.name == name {
			return h
		}
	}
	t.Fatalf("no hall %q", name)
	return hall{}
}

// exploreLogLines is how much of the kiosk's log a failing walk shows.
const exploreLogLines = 40

// TestExplore is a citizen who taps anything: from the home screen, random actions —
// a tap on whatever a finger could tap (keypad keys, tiles, rows, 返回, 下一页…), now
// and then twice at once, held a moment while the kiosk hears news (delivered as Fyne's
// driver does: down, up, tap), or on empty glass; cards of every kind placed and lifted;
// codes scanned (tracking QRs, paper bills, rubbish); the ID card reader unplugged,
// garbling its replies or reporting a SAM fault, the scanner unplugged; the printer out
// of paper, jammed or silent; a utility slow, failing, refusing or down; a pause; a scripted journey deep
// into a flow, to go on from there; staff opening maintenance mode; the gas company pushing
// a bundle; the kiosk restarted; a citizen who walks away. After every action the screen must still fit the window with full-size touch
// targets, no name or ID number may show unmasked, no finger may be left held, and once
// no session is open nothing of a citizen may show. At the end the faults are cleared, every request submitted
// must reach its utility, none twice, and the log must hold no name or ID number.
//
// The scripted journeys go where a designer expects; this goes where nobody looked.
// With -explore-seed it repeats one walk (the seed of a failing walk is in its log);
// scripts/explore.sh runs long walks with new seeds.
func TestExplore(t *testing.T) {
	walks := []struct {
		hall string
		seed uint64
	}{{"standard", 1}, {"standard", 2}, {"english-elderly", 3}, {"partial", 4}, {"no-reader", 5},
		// A notice up when a visit ended and the hall's 大字模式 came back kept its
		// buttons at the old size (found by scripts/explore.sh, 2026-11-26).
		{"english-elderly", 3104726338213}}
	if *exploreSeed != 0 {
		walks = walks[:1]
		walks[0].seed = *exploreSeed
		walks[0].hall = hallNamed(t, *exploreHall, *exploreSeed).name
	}
	for _, w := range walks {
		t.Run(fmt.Sprintf("%s/%d", w.hall, w.seed), func(t *testing.T) {
			explore(t, hallNamed(t, w.hall, w.seed), w.seed, *exploreSteps)
		})
	}
}

// explorer is one random walk through a kiosk.
type explorer struct {
	*journey
	rnd    *rand.Rand
	trail  []string // the actions so far, for the failure message
	people []person
	ref    string // an application the simulator seeded, for tracking QRs
	// visited counts the actions that ended on each screen: what the walk covered.
	visited map[string]int
	opts    journeyOptions
	// logs and taps are the logs and taps of the kiosks restarted during the walk.
	logs []string
	taps int
	// bundles counts the gas company's bundles, whose versions must grow across
	// restarts; applied is the highest version the kiosk applied.
	bundles, applied uint64
}

// person is what the kiosk must never show whole (names, ID numbers), and what it must
// not show at all once the session is over (the masked forms, account numbers).
type person struct {
	name, english, id string
	accounts          []string
}

func explore(t *testing.T, h hall, seed uint64, steps int) {
	t.Logf("hall %s, seed %d: go test -tags %s -run 'TestExplore' -explore-hall %s -explore-seed %d -explore %d ./cmd/kiosk",
		h.name, seed, "ci,migrated_fynedo,no_emoji", h.name, seed, steps)
	opts := journeyOptions{poll: pollFast, autoPay: 2 * time.Second, idle: 3 * time.Second, hall: h.set}
	e := &explorer{
		journey: startJourney(t, opts),
		rnd:     rand.New(rand.NewPCG(seed, seed)),
		visited: map[string]int{},
		opts:    opts,
	}
	e.people = demoPeople()
	e.ref = e.seededApplication(utility.Electricity, 0)
	defer func() {
		if t.Failed() {
			t.Logf("seed %d, the last actions:\n%s", seed, strings.Join(e.trail[max(0, len(e.trail)-40):], "\n"))
			lines := strings.Split(strings.TrimSpace(e.Log()), "\n")
			t.Logf("the kiosk's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-exploreLogLines):], "\n"))
			e.picture(fmt.Sprintf("explore-%d", seed))
		}
	}()
	var devices []string
	if e.K.Config.Devices.IDCard.Enabled {
		devices = append(devices, "idcard")
	}
	if e.K.Config.Devices.Scanner.Enabled {
		devices = append(devices, "scanner")
	}
	e.WaitFor("the reader and the scanner", func() bool {
		for _, d := range devices {
			if st, ok := e.K.DeviceState(d); !ok || !st.OK {
				return false
			}
		}
		return true
	})
	for i := 0; i < steps && !t.Failed(); i++ {
		e.step(i)
		e.check()
	}
	e.finish()
}

// demoPeople are the people on the demo and fixture cards, with the simulator's
// accounts of the demo citizens.
func demoPeople() []person {
	var ps []person
	add := func(c sim.IDCard) {
		ps = append(ps, person{name: c.Name, english: c.EnglishName, id: c.IDNumber})
	}
	for _, c := range sim.DemoCards() {
		add(c)
	}
	for _, n := range sim.IDCardFixtureNames() {
		c, _ := sim.IDCardFixture(n)
		add(c)
	}
	for i, id := range utilitysim.DemoIdentities {
		for j := range ps {
			if ps[j].id == id.IDNumber {
				for _, u := range id.Accounts {
					ps[j].accounts = append(ps[j].accounts, utilitysim.AccountNumber(u, i))
				}
			}
		}
	}
	return ps
}

// step makes one random action.
func (e *explorer) step(i int) {
	e.T.Helper()
	do := func(what string, f func()) {
		start := time.Now()
		e.trail = append(e.trail, fmt.Sprintf("%3d %-12s %s", i, e.Current(), what))
		f()
		e.trail[len(e.trail)-1] += fmt.Sprintf(" (%d ms)", time.Since(start).Milliseconds())
	}
	switch r := e.rnd.IntN(100); {
	case r < 60:
		targets := e.Targets()
		if len(targets) == 0 {
			do("wait (nothing to tap)", func() { e.settle(200 * time.Millisecond) })
			return
		}
		tg := targets[e.rnd.IntN(len(targets))]
		switch {
		case r < 55 && i%5 == 2:
			// A finger that rests a moment: what the kiosk hears meanwhile (a utility's
			// answer, a device's state) must neither lose its tap nor be lost.
			d := time.Duration(50+e.rnd.IntN(450)) * time.Millisecond
			do(fmt.Sprintf("hold %s for %s", tg.Label, d), func() { e.HoldCanvas(tg.Centre, func() { e.settle(d) }) })
		case r < 55:
			do("tap "+tg.Label, func() { e.TapCanvas(tg.Centre) })
		default:
			// Two fingers, or an impatient one: the second tap lands before anything
			// the first started has answered.
			do("double tap "+tg.Label, func() { e.TapCanvas(tg.Centre); e.TapCanvas(tg.Centre) })
		}
	case r < 62:
		p := fyne.NewPos(e.rnd.Float32()*1280, e.rnd.Float32()*800)
		do(fmt.Sprintf("tap at %.0f,%.0f", p.X, p.Y), func() { e.TapCanvas(p) })
	case r < 69:
		cards := sim.DemoCards()
		if e.rnd.IntN(3) == 0 {
			names := sim.IDCardFixtureNames()
			n := names[e.rnd.IntN(len(names))]
			do("card "+n, func() { e.must(e.rig.PlaceFixture(n)) })
			return
		}
		n := e.rnd.IntN(len(cards))
		do("card "+cards[n].Label, func() { e.must(e.rig.PlaceCard(n)) })
	case r < 72:
		do("card lifted", e.rig.RemoveCard)
	case r < 77:
		codes := []string{
			"https://track.example.cn/a/" + e.ref,
			"https://track.example.cn/a/NO-SUCH-REF",
			"UBILL:1:" + utility.Water + ":" + utilitysim.AccountNumber(utility.Water, 1),
			"UBILL:1:gas:123",
			"hello",
			strings.Repeat("扫", 200),
		}
		c := codes[e.rnd.IntN(len(codes))]
		short := []rune(c)[:min(len([]rune(c)), 40)]
		do("scan "+string(short), func() {
			if err := e.rig.Scan(c); err != nil && !errors.Is(err, sim.ErrUnplugged) {
				e.T.Fatal(err)
			}
		})
	case r < 80:
		e.printerFault(do)
	case r < 84:
		e.utilityFault(do)
	case r < 87:
		e.deviceFault(do)
	case r < 92:
		d := time.Duration(100+e.rnd.IntN(900)) * time.Millisecond
		do("wait "+d.String(), func() { e.settle(d) })
	case r < 95:
		e.jump(do)
	case r < 96:
		e.staff(do)
	case r < 97:
		e.pushBundle(do)
	case r < 98:
		do("the kiosk is restarted", e.restart)
	default:
		do("walk away", e.walkAway)
	}
	e.settle(time.Duration(e.rnd.IntN(150)) * time.Millisecond)
}

// settle lets the kiosk's goroutines (devices, utilities, printing) reach the screen
// for d.
func (e *explorer) settle(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		e.Pump()
		time.Sleep(5 * time.Millisecond)
	}
	e.Pump()
}

func (e *explorer) printerFault(do func(string, func())) {
	p := e.rig.Printer()
	switch e.rnd.IntN(4) {
	case 0:
		do("printer: paper runs out", func() { p.SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1 + e.rnd.IntN(40)}) })
	case 1:
		do("printer: cutter jams", func() { p.SetFaults(sim.PrinterFaults{CutterJam: true}) })
	case 2:
		do("printer: no answer", func() { p.SetFaults(sim.PrinterFaults{NoAnswer: true}) })
	default:
		do("printer: fixed, new roll, 补打 of what did not print", func() {
			p.SetFaults(sim.PrinterFaults{})
			p.LoadPaper()
			e.reprintAll()
		})
	}
}

// reprintAll is staff printing again, through the kiosk's socket as kioskctl does,
// every receipt kept for 补打; refused while a citizen is being served (the receipt
// would come out into their hands).
func (e *explorer) reprintAll() {
	c, err := staff.Dial(context.Background(), staff.SocketPath(e.K.Config.Data.Dir))
	e.must(err)
	kept, err := c.Reprints(context.Background())
	e.must(err)
	for _, k := range kept {
		_, err := c.Reprint(context.Background(), k.Ref, "staff-7")
		if errors.Is(err, staff.ErrCitizenPresent) {
			return
		}
		if err != nil {
			e.T.Fatalf("reprint %s: %v", k.Ref, err)
		}
	}
}

func (e *explorer) deviceFault(do func(string, func())) {
	reader, scanner := e.rig.Reader(), e.rig.Scanner()
	inject := func(f sim.IDCardFault) func() { return func() { reader.Inject(f) } }
	faults := []struct {
		what string
		f    func()
	}{
		{"reader unplugged", func() { e.must(reader.Unplug()) }},
		{"reader plugged in", func() { e.must(reader.Replug()) }},
		{"reader: bad checksums", inject(sim.IDCardFault{Kind: sim.FaultBadChecksum, Count: 3})},
		{"reader: noise", inject(sim.IDCardFault{Kind: sim.FaultNoise, Count: 3})},
		{"reader: a card read cut short", inject(sim.IDCardFault{Kind: sim.FaultTruncate, Command: sim.IDCmdRead, Count: 1})},
		{"reader: silent", inject(sim.IDCardFault{Kind: sim.FaultSilence, Count: 5})},
		{"reader: SAM fault", inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x60, Count: 10})},
		{"reader: faults cleared", reader.ClearFaults},
		{"scanner unplugged", func() { e.must(scanner.Unplug()) }},
		{"scanner plugged in", func() { e.must(scanner.Replug()) }},
	}
	f := faults[e.rnd.IntN(len(faults))]
	do(f.what, f.f)
}

func (e *explorer) utilityFault(do func(string, func())) {
	u := config.UtilityIDs[e.rnd.IntN(len(config.UtilityIDs))]
	faults := []struct {
		what string
		f    utilitysim.Faults
	}{
		{"slow", utilitysim.Faults{LatencyMS: 1500}},
		{"failing", utilitysim.Faults{ErrorRate: 0.5}},
		{"cuts answers", utilitysim.Faults{CutRate: 0.5}},
		{"refusing", utilitysim.Faults{Refuse: "该地址暂不具备接入条件"}},
		{"down", utilitysim.Faults{Down: true}},
		{"well", utilitysim.Faults{}},
		{"well", utilitysim.Faults{}},
	}
	f := faults[e.rnd.IntN(len(faults))]
	do(u+": "+f.what, func() { e.must(e.sims.SetFaults(u, f.f)) })
}

// jump takes a scripted journey deep into a flow — a joint application filled in to its
// review, a citizen's unpaid bills, a finished application's timeline — from where the
// walk goes on at random: random taps seldom fill a form. It starts from home (首页
// first) with no visit open and nothing over the screen, in Chinese and normal mode, and
// every fault is cleared first (the journeys expect utilities and devices well).
func (e *explorer) jump(do func(string, func())) {
	var overlay bool
	e.Do(func() { overlay = e.Win.Canvas().Overlays().Top() != nil })
	if overlay || !e.K.Config.Devices.IDCard.Enabled { // every journey starts with a card
		do("wait (no journey from here)", func() { e.settle(200 * time.Millisecond) })
		return
	}
	if e.Current() != "home" {
		home := e.K.Text.T("nav.home")
		if !e.CanTap(home) {
			do("wait (no journey from here)", func() { e.settle(200 * time.Millisecond) })
			return
		}
		do("tap "+home+" (for a journey)", func() { e.Tap(home) })
	}
	e.recover()
	// A card put down while the reader was failing may still be read: none may open a
	// visit in the middle of the journey.
	e.rig.RemoveCard()
	e.WaitFor("the reader", func() bool { st, ok := e.K.DeviceState("idcard"); return ok && st.OK })
	e.settle(500 * time.Millisecond)
	// The journey's card must open a visit of its own in Chinese and normal mode: the
	// visit open now ends (the next one would start from the hall's defaults), then the
	// journey's choices are made on the home screen.
	if e.K.Sessions.Current() != nil {
		do("the visit ends (for a journey)", func() {
			e.K.Exit()
			e.WaitFor("home with no visit", func() bool { return e.K.Sessions.Current() == nil && e.Current() == "home" })
		})
	}
	if e.K.Text.Lang() != "zh" {
		do("tap 中文 (for a journey)", func() { e.Tap("中文") })
	}
	if e.K.Elderly() {
		do("tap 大字模式 off (for a journey)", func() { e.Tap("大字模式：开") })
	}
	journeys := []struct {
		what string
		to   func(*journey)
	}{
		{"陈建国's joint application, to its review", toApplyReview},
		{"李四's electricity bills", toElectricityBills},
		{"张三's first application", func(j *journey) {
			// Not toTimeline: the walk may have rated it already, and the rating
			// button is gone.
			toMyApplications(j)
			j.TapFirstRow()
			j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
		}},
	}
	if !e.K.Config.Utilities.Gas.Enabled {
		journeys = journeys[1:] // the joint application asks all four
	}
	j := journeys[e.rnd.IntN(len(journeys))]
	do("journey: "+j.what, func() { j.to(e.journey) })
}

// staff tap the title five times and type the demo PIN, wherever the walk is: between
// visits maintenance mode opens, and the walk goes on tapping in it; during a visit
// nothing happens. Under a notice the title is out of a finger's reach: staff read it,
// and one that comes up between their taps stops them there.
func (e *explorer) staff(do func(string, func())) {
	if !e.CanTapTitle() {
		do("staff: the title is under a notice", func() {})
		return
	}
	do("staff: five taps on the title, the PIN", func() {
		for range 5 {
			if !e.CanTapTitle() {
				return
			}
			e.TapTitle(1)
		}
		if e.Shell.Current() == "staff-pin" {
			e.TypePIN(staffpin.DemoPIN)
		}
	})
}

// pushBundle is the gas company pushing its information anew (now and then a bundle the
// kiosk must refuse: an old version, a broken catalogue), whatever screen a citizen is
// on.
func (e *explorer) pushBundle(do func(string, func())) {
	info, err := os.ReadFile("../../assets/info/gas.toml")
	e.must(err)
	e.bundles++
	v, files, refused := e.bundles, map[string][]byte{bundle.InfoFile: bytes.Replace(info, []byte(`title = "`),
		[]byte(fmt.Sprintf(`title = "第%d版`, e.bundles)), 1)}, false
	switch e.rnd.IntN(4) {
	case 0:
		v, refused = 1, e.applied >= 1
	case 1:
		files[bundle.CatalogFile], refused = []byte("utility = \"gas\"\n"), true
	}
	now := time.Now()
	b, err := bundle.Sign(bundle.DemoKey(utility.Gas), bundle.Manifest{Utility: utility.Gas, Version: v, Created: now,
		Expires: now.Add(time.Hour)}, files)
	e.must(err)
	do(fmt.Sprintf("the gas company pushes version %d (refused: %v)", v, refused), func() {
		if _, err := e.K.ApplyBundle(b, "network 10.0.3.21"); (err != nil) != refused {
			e.T.Fatalf("bundle version %d: %v", v, err)
		}
		if !refused {
			e.applied = max(e.applied, v)
		}
	})
}

// restart shuts the kiosk down, whatever it is doing (a payment, a submission, a print),
// and starts another on the same data folder, devices and utilities: what was submitted
// must still arrive, once.
func (e *explorer) restart() {
	e.T.Helper()
	e.logs = append(e.logs, e.Log())
	e.taps += e.Taps
	dir := e.K.Config.Data.Dir
	e.must(e.K.Close())
	e.journey = restart(e.T, e.rig, e.sims, dir, e.opts)
}

// walkAway leaves the kiosk alone: the countdown, then the wipe, and home.
func (e *explorer) walkAway() {
	e.T.Helper()
	e.rig.RemoveCard()
	e.WaitFor("the wipe after the idle time", func() bool {
		return e.K.Sessions.Current() == nil && e.Shell.Current() == "home" && !e.Shell.CountdownVisible()
	})
}

// check is what must hold after every action.
func (e *explorer) check() {
	e.T.Helper()
	e.visited[e.Current()]++
	if touch.Held() {
		e.T.Fatalf("a finger is still held on %s after the action", e.Current())
	}
	e.Check("", "") // touch targets, fit, one weight
	all := e.Markup()
	// Maintenance mode is for staff, who read the utilities' addresses and the devices'
	// errors as they are.
	for _, m := range shownText.FindAllStringSubmatch(all, -1) {
		if bad := rawError.FindString(html.UnescapeString(m[1])); bad != "" && !strings.HasPrefix(e.Current(), "maint") {
			e.T.Fatalf("screen %s shows %q, not words for a citizen: %q", e.Current(), bad, m[1])
		}
	}
	for _, p := range e.people {
		for _, whole := range []string{p.id, p.name, p.english} {
			if whole != "" && len([]rune(whole)) > 1 && strings.Contains(all, whole) {
				e.T.Fatalf("screen %s shows %q unmasked:\n%s", e.Current(), whole, all)
			}
		}
	}
	// Once the session is over nothing of the citizen stays on screen (the wipe reaches
	// the screen through the UI queue). The demo card chooser, an overlay, lists the
	// cards' masked names by design: only the screen is checked.
	e.WaitFor("a screen with nothing of a citizen once no session is open", func() bool {
		if e.K.Sessions.Current() != nil {
			return true
		}
		return e.personal(textOf(e.Win.Canvas().Content())) == ""
	})
}

// textOf is the visible text of o and what it holds, a line each, read where it is.
// (test.RenderObjectToMarkup puts o on a canvas of its own and lays it out at its
// minimum size first: the home screen's tiles, laid out that narrow, wrapped their
// descriptions over more lines, and the screen's next layout made them that tall.)
func textOf(o fyne.CanvasObject) string {
	if !o.Visible() {
		return ""
	}
	var b strings.Builder
	if t, ok := o.(*canvas.Text); ok {
		b.WriteString(t.Text + "\n")
	}
	for _, k := range objtree.Children(o) {
		b.WriteString(textOf(k))
	}
	return b.String()
}

var (
	// shownText is the text of the screen's markup.
	shownText = regexp.MustCompile(`>([^<]+)</text>`)
	// rawError is what a program's error looks like and a citizen must never read: Go's
	// formatting of bad arguments, network and I/O errors, the kiosk's own error
	// prefixes, a message key without its translation.
	rawError = regexp.MustCompile(`%!|<nil>|dial tcp|127\.0\.0\.1|context (deadline|canceled)|EOF|` +
		`connection (refused|reset)|i/o timeout|\b(app|outbox|utility|idcard|printer|scanner|serialport|store|receipt|catalog|session|http|json):|` +
		`\[[a-z_]+\.[a-z_.0-9]+\]`)
)

// TestRawErrorPattern keeps TestExplore's check of the screen honest: it catches a
// program's errors and passes every string the kiosk has for citizens.
func TestRawErrorPattern(t *testing.T) {
	for _, bad := range []string{
		`查询失败：Get "http://127.0.0.1:1/v1/accounts": dial tcp 127.0.0.1:1: connect: connection refused`,
		"%!s(int=3)", "<nil>", "unexpected EOF", "outbox: no such request", "context deadline exceeded",
		"[track.limit_value]",
	} {
		if !rawError.MatchString(bad) {
			t.Errorf("not caught: %q", bad)
		}
	}
	for name, data := range map[string][]byte{"zh": assets.StringsZH, "en": assets.StringsEN, "terms": assets.Terms} {
		var strs map[string]any
		if err := toml.Unmarshal(data, &strs); err != nil {
			t.Fatal(err)
		}
		n := 0
		var walk func(prefix string, m map[string]any)
		walk = func(prefix string, m map[string]any) {
			for k, v := range m {
				switch v := v.(type) {
				case string:
					n++
					if bad := rawError.FindString(v); bad != "" {
						t.Errorf("%s %s%s = %q: %q taken for an error", name, prefix, k, v, bad)
					}
				case map[string]any:
					walk(prefix+k+".", v)
				}
			}
		}
		walk("", strs)
		if n < 20 {
			t.Errorf("%s: only %d strings read", name, n)
		}
	}
}

// personal returns the first thing in s that belongs to a session, or "".
func (e *explorer) personal(s string) string {
	for _, p := range e.people {
		for _, v := range append([]string{mask.IDNumber(p.id), mask.Name(p.name)}, p.accounts...) {
			if v != "" && strings.Contains(s, v) {
				return v
			}
		}
	}
	return ""
}

// picture writes the screen as it is to a PNG in the system's temporary folder.
func (e *explorer) picture(name string) {
	var b bytes.Buffer
	e.Do(func() { _ = png.Encode(&b, e.Win.Canvas().Capture()) })
	p := filepath.Join(os.TempDir(), name+".png")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		e.T.Log(err)
		return
	}
	e.T.Logf("the screen: %s", p)
}

// recover clears every fault: utilities well, devices plugged in, a new roll of paper.
func (e *explorer) recover() {
	for _, u := range config.UtilityIDs {
		e.must(e.sims.SetFaults(u, utilitysim.Faults{}))
	}
	e.rig.Printer().SetFaults(sim.PrinterFaults{})
	e.rig.Printer().LoadPaper()
	e.rig.Reader().ClearFaults()
	e.must(e.rig.Reader().Replug())
	e.must(e.rig.Scanner().Replug())
}

// finish clears the faults and checks that nothing was lost or sent twice, and that
// the log kept nobody's name or number.
func (e *explorer) finish() {
	e.T.Helper()
	e.recover()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		pending := 0
		for _, n := range e.K.Outbox.Pending() {
			pending += n
		}
		if pending == 0 {
			break
		}
		if ctx.Err() != nil {
			e.T.Fatalf("%d requests still pending 90 s after the faults were cleared: %v", pending, e.K.Outbox.Pending())
		}
		e.settle(100 * time.Millisecond)
	}
	for _, u := range config.UtilityIDs {
		got, err := e.sims.Received(u)
		e.must(err)
		seen := map[string]bool{}
		for _, r := range got {
			if r.Status >= 300 || r.KioskRef == "" {
				continue
			}
			if seen[r.KioskRef] {
				e.T.Errorf("%s processed %s (%s) twice", u, r.KioskRef, r.Kind)
			}
			seen[r.KioskRef] = true
		}
	}
	// Every payment or acceptance receipt that did not print is kept for 补打, or was
	// printed since. A progress summary is printed again by its citizen, staff's test
	// page (no reference) by staff.
	evs, err := e.K.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	e.must(err)
	kept, err := e.K.Reprints.List()
	e.must(err)
	for i, ev := range evs {
		if ev.Kind != journal.PrintFailed || ev.Ref == "" || strings.HasPrefix(ev.Detail, "progress") {
			continue
		}
		printed := slices.ContainsFunc(evs[i+1:], func(l journal.Event) bool { return l.Kind == journal.Print && l.Ref == ev.Ref })
		if !printed && !slices.ContainsFunc(kept, func(k reprint.Entry) bool { return k.Ref == ev.Ref }) {
			e.T.Errorf("%s did not print (%s) and is not kept for reprinting", ev.Ref, ev.Detail)
		}
	}
	log := strings.Join(append(e.logs, e.Log()), "\n")
	for _, p := range e.people {
		for _, v := range []string{p.id, p.name, p.english} {
			if v != "" && strings.Contains(log, v) {
				e.T.Errorf("the log holds %q", v)
			}
		}
	}
	var screens []string
	for s, n := range e.visited {
		screens = append(screens, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(screens)
	reprints := 0
	for _, ev := range evs {
		if ev.Kind == journal.StaffReprint {
			reprints++
		}
	}
	e.T.Logf("%d actions, %d taps, %d restarts, %d receipts reprinted and %d kept for reprinting, ended on %s; screens after each action: %s",
		len(e.trail), e.taps+e.Taps, len(e.logs), reprints, len(kept), e.Current(), strings.Join(screens, ", "))
}
