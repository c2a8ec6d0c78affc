package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

var (
	soakFor   = flag.Duration("soak", 0, "TestSoak: serve visits for this long (scripts/soak.sh); 0: two rounds")
	soakEvery = flag.Duration("soak-every", time.Minute, "TestSoak: how often to log the kiosk's memory")
)

// TestSoak is one kiosk serving visit after visit, as in a hall all day: a card placed,
// accounts and bills (李四's unpaid ones paid, once; English for a moment), the
// applications and a timeline, a joint application submitted (through the outbox,
// printed), public information page by page in 大字模式, 退出办理 (the hall's normal
// size comes back); an account looked up by its number without a card; a receipt's
// tracking QR scanned; an expired card refused. A kiosk runs for weeks, so whatever a
// visit leaves behind (goroutines, Go memory, the painter's caches) would add up. With
// -soak it runs for that long and logs the memory as it goes (scripts/soak.sh runs it
// in a real window under Xvfb; figures in docs/benchmarks.md), and each round ends
// with a citizen who walks away: 10 s idle, the countdown, the wipe. Without, it
// serves two rounds so that the loop itself keeps working.
func TestSoak(t *testing.T) {
	// The kiosk logs as in a hall (JSON lines, formatted and written), but nothing keeps
	// them: the harness's buffer would grow with every visit.
	o := journeyOptions{poll: pollFast, autoPay: 300 * time.Millisecond, log: io.Discard}
	long := *soakFor > 0
	if long {
		o.idle = 10 * time.Second
	}
	j := startJourney(t, o)
	ref := j.seededApplication(utility.Electricity, 0)
	start := time.Now()
	var warm soakSample // after the first round: connections to the utilities pooled, caches filled
	next := start.Add(*soakEvery)
	for round := 0; round < 2 || time.Since(start) < *soakFor; round++ {
		j.soakRound(round, ref, long)
		if round == 0 {
			warm = takeSoakSample(1, start, j.DataDir)
			t.Log(warm)
		} else if !time.Now().Before(next) {
			t.Log(takeSoakSample(round+1, start, j.DataDir))
			next = next.Add(*soakEvery)
		}
	}
	last := takeSoakSample(-1, start, j.DataDir)
	t.Log(last)
	// A visit's goroutines (card reads, the screens' loaders, submissions) end with it.
	if grew := last.goroutines - warm.goroutines; grew > 2 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d → %d after the first round: visits leave goroutines behind\n%s",
			warm.goroutines, last.goroutines, buf[:runtime.Stack(buf, true)])
	}
}

// soakRound is one round of visits; round picks the citizen (张三 and 李四 in turn), ref
// is an application whose receipt is scanned, walkAway adds a visit that ends on the
// idle timeout.
func (j *journey) soakRound(round int, ref string, walkAway bool) {
	j.T.Helper()
	j.card(round % 2)
	j.WaitFor("the accounts", func() bool { return !j.Shows("正在查询…") })
	j.TapPrefixSeeking("户号 ")
	j.WaitShows("缴费截止")
	// 李四's unpaid bills are paid once, in the second round: after the first, so that
	// the goroutine check covers a payment (its poll, its receipt).
	if round > 0 && j.Shows("缴费（") {
		j.TapPrefix("缴费（")
		j.WaitShows("缴费成功")
		j.WaitShows("请取走凭条")
	}
	j.Tap("English")
	j.Tap("中文")

	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitFor("the applications", func() bool { return !j.Shows("正在查询办件") })
	if !j.Shows("没有查到您的办件") {
		j.TapFirstRow()
		j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	}

	j.Tap("首页")
	j.Tap("联动报装")
	j.TapSeeking(j.K.UtilityName(utility.Water))
	j.TapPrefix("下一步")
	j.fillForm(nil)
	j.Tap("核对并提交")
	j.Tap("确认提交")
	j.WaitFor("the result", func() bool { return j.Shell.Current() == "apply-result" })

	j.Tap("首页")
	j.Tap("信息公开")
	j.Tap("大字模式") // until the visit ends
	j.TapSeeking("电价")
	for j.CanTap("下一页") {
		j.Tap("下一页")
	}
	j.Tap("退出办理")

	j.Tap("账户与账单")
	j.Tap(j.K.UtilityName(utility.Water))
	for _, c := range utilitysim.AccountNumber(utility.Water, 1) {
		j.Tap(string(c))
	}
	j.Tap("确定")
	j.WaitShows("缴费截止")
	j.Tap("退出办理")

	j.Tap("进度查询")
	j.WaitFor("the scanner", func() bool { st, ok := j.K.DeviceState("scanner"); return ok && st.OK })
	if err := j.rig.Scan("https://track.example.cn/a/" + ref); err != nil {
		j.T.Fatal(err)
	}
	j.WaitFor("the scanned application", func() bool { return j.Shell.Current() == "timeline" })
	j.Tap("首页")

	if err := j.rig.PlaceFixture("resident_expired"); err != nil {
		j.T.Fatal(err)
	}
	j.WaitShows("您的证件已过有效期")
	j.Tap("知道了")

	if walkAway {
		j.card(round % 2)
		j.WaitFor("the countdown", j.Shell.CountdownVisible)
		j.WaitFor("the wipe", func() bool { return j.K.Sessions.Current() == nil && j.Shell.Current() == "home" })
	}
	// A window paints, and painting is when Fyne drops the renderers of widgets gone
	// from the screen for a while; a real window paints by itself.
	if realWindow == nil {
		j.Do(j.paint)
	}
}

// soakSample is the kiosk's state after some rounds.
type soakSample struct {
	rounds     int // rounds done; -1: the end
	elapsed    time.Duration
	goroutines int     // but for pooled HTTP connections
	heapMB     float64 // Go heap in use after a collection
	pssMB      float64 // the whole process: kiosk, simulators, Fyne, the GL driver
	dbMB       float64 // the kiosk's store
}

func takeSoakSample(rounds int, start time.Time, dataDir string) soakSample {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := soakSample{rounds: rounds, elapsed: time.Since(start), goroutines: visitGoroutines(),
		heapMB: float64(m.HeapInuse) / (1 << 20), pssMB: selfPSSMB()}
	if fi, err := os.Stat(filepath.Join(dataDir, "kiosk.db")); err == nil {
		s.dbMB = float64(fi.Size()) / (1 << 20)
	}
	return s
}

func (s soakSample) String() string {
	rounds := strconv.Itoa(s.rounds) + " rounds"
	if s.rounds < 0 {
		rounds = "the end"
	}
	return fmt.Sprintf("soak: %s, %s: %d goroutines, Go heap in use %.1f MB, PSS %.1f MB, kiosk.db %.1f MB",
		rounds, s.elapsed.Round(time.Second), s.goroutines, s.heapMB, s.pssMB, s.dbMB)
}

// visitGoroutines counts the goroutines but for the HTTP connections to the utilities
// kept open for the next request (two on the kiosk's side, one on the simulator's, for
// each), whose number the pool decides.
func visitGoroutines() int {
	buf := make([]byte, 4<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if !strings.Contains(g, "net/http.(*persistConn)") && !strings.Contains(g, "net/http.(*conn).serve") {
			n++
		}
	}
	return n
}

// selfPSSMB is this process's proportional set size, or 0 where /proc has none.
func selfPSSMB() float64 {
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Pss:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
