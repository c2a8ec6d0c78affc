package screens_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// The header is built anew on every redraw (a utility's answer, a device coming back):
// staff's taps on its title count on across one, and the fifth still asks for the PIN.
func TestGestureCountsAcrossARedraw(t *testing.T) {
	h := newHarness(t)
	h.TapTitle(3)
	h.Do(h.Shell.Redraw)
	h.TapTitle(2)
	if h.Current() != "staff-pin" {
		t.Fatalf("five taps, a redraw after the third, opened %s", h.Current())
	}
}

// Five quick taps on the title ask for the PIN (four do not); the keypad shows dots, a
// wrong PIN says how many tries are left and a second one at once is held off; the
// right one opens maintenance mode, whose journal lists the sign-ins, and 退出维护
// closes it, journaled.
func TestMaintenanceThroughUI(t *testing.T) {
	h := newHarness(t)
	h.TapTitle(4)
	if h.Current() != "home" {
		t.Fatalf("four taps opened %s", h.Current())
	}
	h.TapTitle(5)
	if h.Current() != "staff-pin" || !h.Shows("演示模式维护口令：123456") {
		t.Fatalf("on %s:\n%s", h.Current(), h.Markup())
	}
	kp, _ := h.Keypad()
	h.Do(func() { kp.Press("9"); kp.Press("8") })
	h.Pump()
	if h.Shows(">98<") || !h.Shows(">● ●<") {
		t.Fatalf("the PIN is not hidden:\n%s", h.Markup())
	}
	h.TypePIN("999999")
	h.WaitShows("口令错误，还可尝试4次")
	h.TypePIN(staffpin.DemoPIN)
	h.WaitFor("the second try held off", func() bool { return h.Shows("后再试") })
	h.Advance(2 * time.Second)
	h.TypePIN(staffpin.DemoPIN)
	h.WaitFor("maintenance mode", func() bool { return h.Current() == "maint" })
	for _, want := range []string{"设备状态", "尚未收到设备状态", "打印测试页", "未送达的申请", "待补打凭条", "点按查看、处理", "退出维护"} {
		if !h.Shows(want) {
			t.Errorf("maintenance does not show %q", want)
		}
	}
	h.Tap("操作记录")
	for _, want := range []string{"维护登录", "维护口令错误"} {
		if !h.ShowsOnAnyPage(want) {
			t.Errorf("the journal screen does not list %s", want)
		}
	}
	h.Tap("返回")
	h.Tap("退出维护")
	if h.Current() != "home" {
		t.Fatalf("退出维护 went to %s", h.Current())
	}
	evs, err := h.K.Journal.Range(h.K.Clock.Now().Add(-time.Hour), h.K.Clock.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind))
		if strings.Contains(e.Detail, "999999") || strings.Contains(e.Detail, staffpin.DemoPIN) {
			t.Errorf("a PIN in the journal: %+v", e)
		}
	}
	if got := strings.Join(kinds, " "); got != "staff.login_failed staff.login staff.logout" {
		t.Fatalf("journal: %s", got)
	}
}

// Maintenance mode closes itself when left idle, as a visit does, and its gesture does
// nothing while a citizen is being served.
func TestMaintenanceClosesWhenIdle(t *testing.T) {
	h := newHarness(t)
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	if !h.Shell.CountdownVisible() {
		t.Fatal("no countdown over maintenance mode")
	}
	h.Advance(h.K.Config.Kiosk.IdleCountdown.Duration)
	if h.Current() != "home" {
		t.Fatalf("idle maintenance mode stayed on %s", h.Current())
	}
	h.K.Sessions.Start()
	h.Pump()
	h.TapTitle(5)
	if h.Current() != "home" {
		t.Fatalf("the gesture during a visit opened %s", h.Current())
	}
}

// A restart from maintenance mode that fails (the journal cannot record it) leaves
// staff in maintenance mode, open on the kiosk as on the screen, told that the kiosk did
// not restart and why. Done, it is journaled before maintenance mode's close, and the
// screen says the kiosk is restarting, with nothing to tap, until its window closes.
func TestMaintenanceRestartFails(t *testing.T) {
	restarts := make(chan struct{}, 4)
	h := screentest.New(t, screentest.Options{Restart: func() { restarts <- struct{}{} }})
	h.OpenMaintenance(staffpin.DemoPIN)
	storetest.JournalWritable(t, h.K.Store, false)
	h.Tap("重启终端")
	h.Tap("重启")
	h.WaitFor("the restart's outcome", func() bool { return h.CanTap("知道了") })
	if err := h.K.Restart(t.Context(), "工号0107", false); !errors.Is(err, staff.ErrMaintenanceOpen) {
		t.Fatalf("the screen shows maintenance mode (%s), the kiosk does not have it open: %v", h.Current(), err)
	}
	if h.Current() != "maint" || !h.Shows("终端未重启。操作记录无法写入") || len(restarts) != 0 {
		t.Fatalf("%d restarts; on %s:\n%s", len(restarts), h.Current(), h.Markup())
	}
	h.Tap("知道了")
	storetest.JournalWritable(t, h.K.Store, true)
	h.Tap("重启终端")
	h.Tap("重启")
	h.WaitShows("正在重启…")
	if h.CanTap("知道了") || len(restarts) != 1 {
		t.Fatalf("%d restarts; on %s:\n%s", len(restarts), h.Current(), h.Markup())
	}
	evs, err := h.K.Journal.Range(h.K.Clock.Now().Add(-time.Hour), h.K.Clock.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprintf("%s %s", e.Kind, e.Detail))
	}
	if want := []string{"staff.login ", "staff.action 重启终端", "staff.logout 重启终端"}; !slices.Equal(got, want) {
		t.Fatalf("journaled %q, want %q", got, want)
	}
}

// Staff see each utility's content version in maintenance mode and roll a bundle back;
// the information screens show the content as it then is. A bundle held for later has a
// row of its own, from which staff drop it, asked first.
func TestMaintenanceBundles(t *testing.T) {
	h := newHarness(t)
	data, err := os.ReadFile("../assets/info/gas.toml")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`title = "`), []byte(`title = "新版`), 1)
	// The bundle names the API the kiosk already uses: staff see where the calls go.
	var api string
	for _, c := range h.K.Utilities {
		if e, ok := c.(interface{ Endpoint() utility.Endpoint }); ok && c.ID() == "gas" {
			api = e.Endpoint().BaseURL
		}
	}
	now := h.Clock.Now()
	b, err := bundle.Sign(bundle.DemoKey("gas"), bundle.Manifest{Utility: "gas", Version: 4, Created: now, Expires: now.Add(time.Hour),
		Note: "调整二档气价"}, map[string][]byte{bundle.InfoFile: data, bundle.EndpointFile: fmt.Appendf(nil, "utility = \"gas\"\nbase_url = %q\n", api)})
	if err != nil {
		t.Fatal(err)
	}
	h.Tap("信息公开")
	if _, err := h.K.ApplyBundle(b, "工号0107"); err != nil {
		t.Fatal(err)
	}
	h.Pump()
	if !h.ShowsOnAnyPage("新版供气信息公开") {
		t.Fatalf("信息公开 does not show the new content:\n%s", h.Markup())
	}
	// Water's new prices from tomorrow: held, and staff see when they are shown.
	waterInfo, err := os.ReadFile("../assets/info/water.toml")
	if err != nil {
		t.Fatal(err)
	}
	water, err := bundle.Sign(bundle.DemoKey("water"), bundle.Manifest{Utility: "water", Version: 2, Created: now, Expires: now.Add(time.Hour),
		Effective: now.Add(24 * time.Hour)}, map[string][]byte{bundle.InfoFile: waterInfo})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.K.ApplyBundle(water, "工号0107"); err != nil {
		t.Fatal(err)
	}
	h.Tap("首页")
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("内容版本")
	heldTitle := h.K.UtilityName("water") + " · 待生效"
	held := "版本2待生效：" + dateTimeCST(now.Add(24*time.Hour)) + " 起显示 · " + dateTimeCST(now) + " 由 工号0107 推送"
	for _, want := range []string{"版本4", "工号0107", "调整二档气价", "接口地址 " + api} {
		if !h.Shows(want) {
			t.Errorf("the content versions do not show %q:\n%s", want, h.Markup())
		}
	}
	if !rowShows(h, heldTitle, held) || !rowShows(h, h.K.UtilityName("water"), "终端自带内容") {
		t.Errorf("the bundle held is not shown as %q:\n%s", held, h.Markup())
	}
	for _, elderly := range []bool{true, false} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.AssertFits()
	}
	h.Tap(h.K.UtilityName("gas"))
	h.Tap("回退")
	h.WaitShows("已回退")
	h.Tap("知道了")
	if h.Shows("版本4") {
		t.Fatalf("still shown after the rollback:\n%s", h.Markup())
	}
	if c, _ := h.K.Info().Utility("gas"); c.Title.ZH != "供气信息公开" {
		t.Fatalf("the information after the rollback: %q", c.Title.ZH)
	}
	// Water's was sent by mistake: staff drop it.
	h.Tap(heldTitle)
	h.WaitShows("放弃待生效的内容包")
	if !h.Shows("（原定 " + dateTimeCST(now.Add(24*time.Hour)) + " 起显示）？") {
		t.Errorf("the question does not say when it was to be shown:\n%s", h.Markup())
	}
	h.Tap("取消")
	if sts, _ := h.K.Bundles(); sts["water"].Pending == nil {
		t.Fatal("dropped without asking")
	}
	h.Tap(heldTitle)
	h.Tap("放弃")
	h.WaitShows("已放弃，不会生效")
	h.Tap("知道了")
	if h.Shows(heldTitle) {
		t.Fatalf("still held after the drop:\n%s", h.Markup())
	}
	if sts, err := h.K.Bundles(); err != nil || sts["water"].Pending != nil || sts["water"].Dropped != 2 {
		t.Fatalf("after the drop: %+v, %v", sts["water"], err)
	}
	evs, err := h.K.Journal.Range(now.Add(-time.Hour), h.Clock.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(evs, func(e journal.Event) bool { return e.Kind == journal.BundleDropped }); i < 0 ||
		evs[i].Utility != "water" || evs[i].Actor != "维护模式" || !strings.HasPrefix(evs[i].Detail, "version 2, effective ") {
		t.Fatalf("the drop journaled: %+v", evs)
	}
}

// Every kind of journal event has a name in maintenance mode's journal, in both
// languages: staff read 维护登录, not staff.login.
func TestJournalKindsNamed(t *testing.T) {
	src, err := os.ReadFile("../app/journal/journal.go")
	if err != nil {
		t.Fatal(err)
	}
	kinds := regexp.MustCompile(`Kind = "([^"]+)"`).FindAllSubmatch(src, -1)
	if len(kinds) < 20 {
		t.Fatalf("found %d kinds in journal.go", len(kinds))
	}
	h := newHarness(t)
	for _, k := range kinds {
		for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
			if key := "journal." + string(k[1]); !h.K.Text.HasIn(lang, key) {
				t.Errorf("%s has no name in %s", key, lang)
			}
		}
	}
}

// Where each member has a PIN of their own, staff give their 工号, then their PIN; a
// wrong one does not say which was wrong; the journal's screen names the member.
func TestMaintenanceMemberSignIn(t *testing.T) {
	cfg := config.Defaults()
	cfg.Staff.Members = []config.StaffMember{{ID: "0417", Name: "王芳", PINHash: staffpin.DemoHash}}
	h := screentest.New(t, screentest.Options{Config: cfg})
	h.TapTitle(5)
	if h.Current() != "staff-id" || !h.Shows("请输入工号") {
		t.Fatalf("on %s:\n%s", h.Current(), h.Markup())
	}
	h.TypePIN("0418")
	if h.Current() != "staff-pin" || !h.Shows("工号0418：请输入口令") {
		t.Fatalf("on %s:\n%s", h.Current(), h.Markup())
	}
	h.TypePIN(staffpin.DemoPIN)
	h.WaitShows("工号或口令错误，还可尝试4次")
	h.Tap("返回")
	if h.Current() != "home" {
		t.Fatalf("返回 from the PIN went to %s", h.Current())
	}
	h.Advance(2 * time.Second)
	h.TapTitle(5)
	h.TypePIN("0417")
	h.TypePIN(staffpin.DemoPIN)
	h.WaitFor("maintenance mode", func() bool { return h.Current() == "maint" })
	h.Tap("操作记录")
	if !h.ShowsOnAnyPage("工号 0417 王芳") {
		t.Errorf("the journal screen does not name the member:\n%s", h.Markup())
	}
}

// The journal's screen says in the staff's language what the journal keeps as the
// program's words: how a visit ended, how long a card lay on the reader.
func TestMaintenanceJournalInWords(t *testing.T) {
	h := newHarness(t)
	h.K.Sessions.Start()
	h.Pump()
	h.Tap("退出办理")
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("操作记录")
	if !h.ShowsOnAnyPage("结束办理") {
		t.Fatalf("no visit's end in the journal:\n%s", h.Markup())
	}
	for _, english := range []string{">exit<", ">idle<", ">after "} {
		if h.ShowsOnAnyPage(english) {
			t.Errorf("the journal's screen shows %q", english)
		}
	}
}

// Staff check each utility's API from maintenance mode: it answers, its server refuses
// the kiosk's signature, nothing answers there, or what answers is not the API; a tap on
// a row checks again.
func TestMaintenanceUtilities(t *testing.T) {
	sims, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sims.Close()
	otherSecret, err := utilitysim.Start(utilitysim.Options{Dir: t.TempDir(),
		Kiosks: map[string]utilitysim.Secrets{config.Defaults().Kiosk.ID: {"water": []byte("another kiosk's secret")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer otherSecret.Close()
	notTheAPI := httptest.NewServer(http.NotFoundHandler())
	defer notTheAPI.Close()
	h := screentest.New(t, screentest.Options{UtilityURLs: map[string]string{"electricity": sims.BaseURL("electricity"),
		"water": otherSecret.BaseURL("water"), "gas": "http://127.0.0.1:1/v1", "broadband": notTheAPI.URL + "/v1"}})
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("单位接口")
	want := map[string]string{"electricity": "正常", "water": "签名被拒", "gas": "无法连接", "broadband": "应答异常"}
	for id, state := range want {
		h.WaitFor(id+": "+state, func() bool { return rowShows(h, h.K.UtilityName(id), state) })
	}
	for _, hint := range []string{"接口地址 " + sims.BaseURL("electricity") + "（配置文件）", "本机密钥与单位登记的不符", "群众的申请保存在本机", "该地址不是单位的接口"} {
		if !h.ShowsOnAnyPage(hint) {
			t.Errorf("the utilities' checks do not say %q:\n%s", hint, h.Markup())
		}
	}
	for _, elderly := range []bool{true, false} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.AssertFits()
	}
	sims.Close()
	h.Tap(h.K.UtilityName("electricity"))
	h.WaitFor("electricity checked again", func() bool { return rowShows(h, h.K.UtilityName("electricity"), "无法连接") })
}

// A utility that refuses the signature while its clock is apart from the kiosk's (its
// answer's Date) tells staff which way the kiosk's clock is off and to set it, not the
// guess between secret and clock.
func TestMaintenanceUtilityClock(t *testing.T) {
	ahead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(10*time.Minute).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"code":"bad_signature","message":"请求时间与服务器时间相差过大"}}`)
	}))
	defer ahead.Close()
	none := "http://127.0.0.1:1/v1" // nothing answers: the others are not what this test reads
	h := screentest.New(t, screentest.Options{UtilityURLs: map[string]string{"electricity": none, "water": ahead.URL + "/v1",
		"gas": none, "broadband": none}})
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("单位接口")
	water := h.K.UtilityName("water")
	h.WaitFor("water checked", func() bool { return rowShows(h, water, "签名被拒") })
	if !rowShows(h, water, "本机时钟比该单位的慢10分钟") || rowShows(h, water, "本机密钥与单位登记的不符") {
		t.Errorf("staff are not told the kiosk's clock is behind:\n%s", h.Markup())
	}
	h.AssertFits()
}

// rowShows reports whether the list row titled title shows s.
func rowShows(h *screentest.H, title, s string) bool {
	var ok bool
	h.Do(func() {
		for _, o := range test.LaidOutObjects(h.Win.Canvas().Content()) {
			if r, is := o.(*touch.Row); is && r.Title == title {
				ok = strings.Contains(r.Trailing+r.Detail, s)
			}
		}
	})
	return ok
}

// A kiosk linked to the city's broker shows the link among its devices: here the broker
// cannot be reached, and staff read that the kiosk keeps trying. The page still fits.
func TestMaintenanceShowsTheFleetLink(t *testing.T) {
	cfg := config.Defaults()
	cfg.Fleet.Broker = "mqtt://127.0.0.1:1"
	h := screentest.New(t, screentest.Options{Config: cfg, Start: true})
	h.OpenMaintenance(staffpin.DemoPIN)
	for _, want := range []string{"集中监控", "mqtt://127.0.0.1:1", "未连接，自动重试中"} {
		if !h.Shows(want) {
			t.Errorf("maintenance does not show %q:\n%s", want, h.Markup())
		}
	}
	for _, elderly := range []bool{false, true} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.AssertFits()
	}
}

// A utility that fails itself holds its requests back: staff read beside the count of
// what waits for it that its system fails or cannot be reached, and since when (China
// time). With every utility failing the page still fits, in both modes and languages.
func TestMaintenanceShowsFailingUtilities(t *testing.T) {
	h := screentest.New(t, screentest.Options{Start: true})
	for _, id := range config.UtilityIDs {
		transfer(t, h, id, 0)
	}
	h.WaitFor("every utility held back", func() bool { return len(h.K.Outbox.Held()) == len(config.UtilityIDs) })
	since := h.K.Outbox.Held()[0].Since.In(workdays.CST).Format("15:04")
	h.OpenMaintenance(staffpin.DemoPIN)
	for _, id := range config.UtilityIDs {
		if !rowShows(h, "待发送至"+h.K.UtilityName(id)+"的申请", "系统故障或无法连接，自 "+since+" 起") {
			t.Errorf("%s is not shown failing:\n%s", id, h.Markup())
		}
	}
	for _, lang := range []string{"zh", "en"} {
		if h.K.Text.Lang() != i18n.Lang(lang) {
			h.Do(h.Shell.ToggleLanguage)
		}
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			h.AssertFits()
			want := map[string]string{"zh": "系统故障或无法连接，自 " + since + " 起", "en": "System down or unreachable since " + since}[lang]
			shown := h.Shows(want)
			for next := h.K.Text.T("nav.next_page"); !shown && h.CanTap(next); shown = h.Shows(want) {
				h.Tap(next)
			}
			if !shown {
				t.Errorf("%s, 大字模式 %v: not shown whole: %q\n%s", lang, elderly, want, h.Markup())
			}
		}
	}
}

// transfer submits a 过户 to utility id, as a visit does, and waits up to wait for the
// utility's answer.
func transfer(t *testing.T, h *screentest.H, id string, wait time.Duration) outbox.Result {
	t.Helper()
	res, err := h.K.Outbox.Submit(t.Context(), outbox.Request{Utility: id, Kind: utility.KindTransfer, Order: "3100000001",
		Body: utility.Transfer{Account: "3100000001"}}, wait)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A citizen at the counter cancels a request the kiosk holds while its utility is down:
// staff open the utility's waiting requests from its row (what each is, how long it has
// waited, why it has not gone, in words), pick the reason and confirm, and it is
// withdrawn, journaled; a payment's is not offered. One a colleague closed meanwhile is
// refused in words, not withdrawn again.
func TestMaintenanceWithdrawsWaiting(t *testing.T) {
	h := screentest.New(t, screentest.Options{Start: true})
	first, second := transfer(t, h, "electricity", 0), transfer(t, h, "electricity", 0)
	if _, err := h.K.Outbox.Submit(t.Context(), outbox.Request{Utility: "electricity", Kind: utility.KindPayment, Order: "3100000009",
		Body: utility.PaymentRequest{Account: "3100000009", Bills: []string{"E1"}, Amount: 100}}, 0); err != nil {
		t.Fatal(err)
	}
	h.WaitFor("the utility held back", func() bool {
		st, err := h.K.Outbox.Status(first.KioskRef)
		return err == nil && st.Tries > 0 && len(h.K.Outbox.Held()) == 1
	})
	created := h.Clock.Now()
	h.Advance(3*time.Hour + 20*time.Minute)
	h.OpenMaintenance(staffpin.DemoPIN)
	name := h.K.UtilityName("electricity")
	h.Tap("待发送至" + name + "的申请")
	if h.Current() != "maint-pending" {
		t.Fatalf("on %s:\n%s", h.Current(), h.Markup())
	}
	for _, want := range []string{first.KioskRef, second.KioskRef, name + " · 过户申请 · " + dateTimeCST(created) + " 提交，已等待3小时20分钟",
		"上次发送未成功：系统故障或无法连接；恢复后自动发送"} {
		if !h.ShowsOnAnyPage(want) {
			t.Errorf("the waiting requests do not show %q:\n%s", want, h.Markup())
		}
	}
	if !h.ShowsOnAnyPage("缴费类请求不能撤回") || h.Shows(">撤回申请<") {
		t.Errorf("a payment's request offered for withdrawal:\n%s", h.Markup())
	}
	assertFitsInEveryView(h)
	h.Tap("返回")
	h.Tap("待发送至" + name + "的申请")
	if !h.Shows(first.KioskRef) {
		t.Fatalf("the oldest is not first:\n%s", h.Markup())
	}
	h.Tap("撤回申请")
	h.Tap("群众已撤回申请")
	h.WaitShows("确定撤回吗？")
	h.Tap("撤回")
	h.WaitShows("申请已撤回，不会再发送")
	h.Tap("知道了")
	if st, err := h.K.Outbox.Status(first.KioskRef); err != nil || st.State != outbox.Closed || st.CloseReason != staff.Withdrawn {
		t.Fatalf("withdrawn: %+v, %v", st, err)
	}
	if h.Shows(first.KioskRef) || !h.Shows(second.KioskRef) {
		t.Fatalf("the list after the withdrawal:\n%s", h.Markup())
	}
	// A colleague closes the other at the counter (kioskctl) while staff confirm here.
	h.Tap("撤回申请")
	h.Tap("群众已撤回申请")
	h.WaitShows("确定撤回吗？")
	if err := h.K.Outbox.ClosePending(second.KioskRef, "工号0107", "已在窗口线下办理"); err != nil {
		t.Fatal(err)
	}
	h.Tap("撤回")
	h.WaitShows("申请 " + second.KioskRef + " 已被关闭")
	if !h.Shows("（工号0107: 已在窗口线下办理）") {
		t.Fatalf("staff are not told who closed it:\n%s", h.Markup())
	}
	h.Tap("知道了")
	if st, err := h.K.Outbox.Status(second.KioskRef); err != nil || st.ClosedBy != "工号0107" || st.CloseReason != "已在窗口线下办理" {
		t.Errorf("closed by the colleague: %+v, %v", st, err)
	}
	evs, err := h.K.Journal.ByRef(first.KioskRef)
	if err != nil || evs[len(evs)-1].Kind != journal.StaffClose || evs[len(evs)-1].Actor != "维护模式" || evs[len(evs)-1].Detail != staff.Withdrawn {
		t.Errorf("journaled: %+v, %v", evs, err)
	}
	if h.Shows(second.KioskRef) || h.ShowsOnAnyPage(">撤回申请<") {
		t.Errorf("left to withdraw:\n%s", h.Markup())
	}
}

// A dead letter its utility refused without a word (a 422 with no body, a code alone) is
// told as a refusal, which sending it again does not change; not as one the network or
// the utility's system failed to deliver.
func TestMaintenanceDeadLetterRefusedWithoutWords(t *testing.T) {
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}))
	defer silent.Close()
	reused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"error":{"code":"idempotency_key_reused"}}`)
	}))
	defer reused.Close()
	h := screentest.New(t, screentest.Options{Start: true, UtilityURLs: map[string]string{"electricity": "http://127.0.0.1:1",
		"water": silent.URL + "/v1", "gas": reused.URL + "/v1", "broadband": "http://127.0.0.1:1"}})
	for _, id := range []string{"water", "gas"} {
		if res := transfer(t, h, id, 5*time.Second); res.State != outbox.Dead {
			t.Fatalf("%s: %+v", id, res)
		}
	}
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("未送达的申请")
	if n := strings.Count(h.Markup(), "业务单位不予受理（未说明原因）"); n != 2 || h.Shows("多次发送未成功") {
		t.Fatalf("%d refusals without words told as such:\n%s", n, h.Markup())
	}
	// Refused at the first send: not "tried 0 times", as if it had never gone.
	if h.Shows("已尝试0次") || strings.Count(h.Markup(), ">被拒收<") != 2 {
		t.Fatalf("a refusal told as no try:\n%s", h.Markup())
	}
	for _, elderly := range []bool{true, false} {
		h.Do(func() { h.Shell.SetElderly(elderly) })
		h.AssertFits()
	}
}

// The journal's screen says in the staff's language what the program journals in its
// own words (kioskctl journal list keeps them): a database copy, a retention's counts, a
// utility failing for long, the content versions applied, held, rolled back and
// refused, a refusal's reason among them; never the program's text.
func TestMaintenanceJournalDetailsInWords(t *testing.T) {
	h := screentest.New(t, screentest.Options{Start: true})
	// A day's entries kept past data.journal_days are removed, and the counts journaled.
	if err := h.K.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: "工号0107", Detail: "打印测试页"}); err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Duration(h.K.Config.Data.JournalDays+1) * 24 * time.Hour)
	if err := h.K.Prune(); err != nil {
		t.Fatal(err)
	}
	// Water cannot be reached for more than ten minutes.
	transfer(t, h, "water", 0)
	h.WaitFor("water held back", func() bool { return len(h.K.Outbox.Held()) == 1 })
	h.Advance(11 * time.Minute)
	h.WaitFor("water failing for long", func() bool { hs := h.K.Outbox.Held(); return len(hs) == 1 && hs[0].Long })
	local := &staff.Local{Store: h.K.Store, Journal: h.K.Journal, Outbox: h.K.Outbox, Clock: h.K.Clock.Now}
	if _, err := local.Backup(t.Context(), io.Discard, "工号0107"); err != nil {
		t.Fatal(err)
	}
	now := h.Clock.Now()
	info, err := os.ReadFile("../assets/info/gas.toml")
	if err != nil {
		t.Fatal(err)
	}
	sign := func(key ed25519.PrivateKey, m bundle.Manifest) []byte {
		t.Helper()
		if m.Created.IsZero() {
			m.Created, m.Expires = now, now.Add(time.Hour)
		}
		b, err := bundle.Sign(key, m, map[string][]byte{bundle.InfoFile: info})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gas := bundle.DemoKey("gas")
	if _, err := h.K.ApplyBundle(sign(gas, bundle.Manifest{Utility: "gas", Version: 4, Note: "调整二档气价"}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	soon := now.Add(2 * time.Minute)
	if _, err := h.K.ApplyBundle(sign(gas, bundle.Manifest{Utility: "gas", Version: 6, Effective: soon}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	for _, refused := range [][]byte{
		sign(gas, bundle.Manifest{Utility: "gas", Version: 3}),
		sign(gas, bundle.Manifest{Utility: "gas", Version: 5, Created: now.Add(-2 * time.Hour), Expires: now.Add(-time.Hour)}),
		sign(bundle.DemoKey("water"), bundle.Manifest{Utility: "gas", Version: 7}),
	} {
		if _, err := h.K.ApplyBundle(refused, "工号0107"); err == nil {
			t.Fatal("a bundle to refuse was applied")
		}
	}
	h.Advance(3 * time.Minute)
	h.WaitFor("the held bundle shown", func() bool { return h.K.BundleShown("gas") == 6 })
	if err := h.K.RollbackBundle("gas", "工号0107"); err != nil {
		t.Fatal(err)
	}
	// A visit without a card.
	h.K.EnsureSession()
	h.K.Sessions.End(session.ReasonExit)

	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("操作记录")
	var pages strings.Builder
	for {
		pages.WriteString(h.Markup())
		if !h.CanTap("下一页") {
			break
		}
		h.Tap("下一页")
	}
	shown := pages.String()
	for _, want := range []string{
		"开始导出数据库副本", "数据库副本已导出（",
		"清除0件申请的个人信息；删除申请0件、留痕记录1条、待补打凭条0张、未了结的支付单0笔",
		"系统故障或无法连接",
		"版本4：调整二档气价", "版本6，" + dateTimeCST(soon) + " 起生效", "版本6（定于 " + dateTimeCST(soon) + " 起生效）", "版本6回退到版本4",
		"版本3不高于已应用的版本4", "内容包已过期", "签名与本机配置的该单位公钥不符",
		"未刷身份证（按编号或扫码查询）",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("the journal's screen does not say %q", want)
		}
	}
	for _, english := range []string{"database", "bytes", "version", "rolled back", "erased", "utility water", "dial tcp", "kioskctl journal list", "anonymous"} {
		if strings.Contains(shown, english) {
			t.Errorf("the journal's screen shows %q:\n%s", english, shown)
		}
	}
}

// dateTimeCST is a time as the maintenance screens show it: China time, to the minute.
func dateTimeCST(t time.Time) string { return t.In(workdays.CST).Format("2006-01-02 15:04") }

// The other details the program journals in its own shapes read in words too: the
// outbox's, a payment's settled after its citizen left, or ended unpaid before them, a receipt not made or not
// printed, a card shown in full to staff.
func TestMaintenanceJournalShapesInWords(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		kind          journal.Kind
		detail, words string
	}{
		{journal.RequestDead, "5 attempts failed", "5次发送未成功"},
		{journal.RequestExpired, "not delivered before its deadline", "截止前未能送达，不再发送"},
		{journal.RequestClosed, "the utility had already done it (already_done)", "业务单位此前已办理"},
		// A payment order's dead letter the kiosk closed once it knew how the order ended.
		{journal.RequestClosed, "终端已向单位核实：订单已支付，凭条留待补打", "终端已向单位核实：订单已支付，凭条留待补打"},
		{journal.RequestRejected, "idempotency_key_reused", "幂等键已用于另一申请"},
		{journal.RequestRejected, "no_such_code", "错误代码 no_such_code"},
		{journal.UtilityHeld, "utility gas: transfers.create: authentication refused (HTTP 401)", "签名被拒"},
		{journal.UtilityBack, "failed since 2026-11-25 09:12:40", "故障始于 2026-11-25 09:12:40"},
		{journal.PaymentSettled, "expired", "支付单已过期"},
		{journal.PaymentSettled, "paid; receipt kept for reprinting", "已支付，凭条留待补打"},
		// A receipt printed while the data file took no writes, journaled once it did.
		{journal.PaymentSettled, "paid; receipt printed", "已支付，凭条已打印（当时数据无法写入，事后记录）"},
		{journal.PaymentSettled, "not made at the utility", "单位未生成订单，未扣款"},
		{journal.PaymentSettled, "refused at the utility: limit_exceeded", "单位拒绝了订单（超出自助办理限额），未扣款"},
		{journal.PaymentSettled, "unknown at the utility", "单位查无此订单"},
		{journal.PaymentEnded, "cancelled", "支付单已取消 ￥"},
		{journal.PaymentEnded, "withdrawn", "支付单已被单位撤销 ￥"},
		{journal.PaymentEnded, "expired; not confirmed by the utility", "支付单已过期 ￥0.00（单位尚未确认，待终端向单位核实）"},
		{journal.PrintFailed, "payment: receipt: no QR for an empty URL", "缴费凭条未能生成"},
		// A receipt made but not printed says why, as the printer or the kiosk told staff.
		{journal.PrintFailed, "payment: 打印纸用完：请更换纸卷，再补打凭条", "缴费凭条未打印：打印纸用完：请更换纸卷，再补打凭条"},
		{journal.PrintFailed, "acceptance: 办理人已离开或下一位已开始办理，凭条未打印，留待补打", "受理回执未打印：办理人已离开或下一位已开始办理"},
		// One the kiosk was printing when it stopped (found at the next start) was made:
		// it may be missing or cut short, and is kept for 补打.
		{journal.PrintFailed, "payment: " + journal.PrintInterrupted, "缴费凭条打印时自助终端中断"},
		{journal.DataBack, "failed since 2026-11-25 09:12:40", "故障始于 2026-11-25 09:12:40"},
		{journal.StaffReprint, "acceptance", "受理回执"},
		{journal.Print, "payment", "缴费凭条"},
		{journal.Print, "progress", "进度单"},
		{journal.StaffReveal, "idcard read: resident", "居民身份证，经 kioskctl idcard read 完整显示"},
		{journal.BundleRefused, "held for later, dropped: bundle: not newer than the version applied: gas version 5, and version 5 was applied",
			"待生效的内容包已放弃：版本5不高于已应用的版本5"},
		{journal.BundleRefused, "bundle: not newer than the version applied: gas version 6, and version 7 is held to take effect later",
			"版本6不高于待生效的版本7"},
		{journal.BundleRefused, "app: the bundle's endpoint is refused: utility gas: health: unavailable", "新接口地址未通过检测"},
		{journal.BundleScheduled, "version 7, effective 2026-12-01T00:00:00Z, in place of version 6: 新年气价", "版本7，2026-12-01 08:00 起生效，取代此前待生效的版本6：新年气价"},
		{journal.BundleApplied, "version 8 (version 7, held for later, dropped: it is not newer)", "版本8；待生效的版本7不比它新，已放弃"},
		{journal.BundleDropped, "version 7, effective 2026-12-01T00:00:00Z: 新年气价", "版本7，2026-12-01 08:00 起生效：新年气价"},
		{journal.BundleRefused, "bundle: staff dropped this version at this kiosk while it was held for later: gas version 7, and version 7 was dropped: send a newer version",
			"工作人员已放弃该版本，须推送更新的版本"},
	} {
		if err := h.K.Journal.Record(journal.Event{Kind: c.kind, Detail: c.detail}); err != nil {
			t.Fatal(err)
		}
		h.OpenMaintenance(staffpin.DemoPIN)
		h.Tap("操作记录")
		if !h.ShowsOnAnyPage(c.words) {
			t.Errorf("%s %q: not %q on the journal's screen:\n%s", c.kind, c.detail, c.words, h.Markup())
		}
		h.Tap("首页")
	}
}

// The journal's screen names who took a staff action through kioskctl as the kiosk
// found them: the name given, then the operating system's account behind it, in the
// staff's language; the row still fits, in 大字模式 too.
func TestMaintenanceJournalCaller(t *testing.T) {
	h := screentest.New(t, screentest.Options{Start: true})
	socket := journal.Caller{Known: true, UID: 998, User: "kiosk", PID: 4242, HasLogin: true, LoginUID: 1001, Login: "staff1"}
	self := journal.Caller{Known: true, UID: 0, User: "root", PID: 77, Self: true}
	for _, e := range []journal.Event{
		{Kind: journal.StaffUnlock, Actor: journal.Acting("工号0107 王五", socket)},
		{Kind: journal.StaffRetry, Ref: "K261126017000001", Actor: journal.Acting("工号0108", self)},
	} {
		if err := h.K.Journal.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("操作记录")
	for _, lang := range []string{"zh", "en"} {
		if h.K.Text.Lang() != i18n.Lang(lang) {
			h.Do(h.Shell.ToggleLanguage)
		}
		wants := map[string][]string{
			"zh": {"工号0107 王五（登录 staff1，账户 kiosk，进程 4242）", "工号0108（kioskctl 直接操作，账户 root，进程 77）"},
			"en": {"工号0107 王五 (login staff1, user kiosk, pid 4242)", "工号0108 (kioskctl direct, user root, pid 77)"},
		}[lang]
		// In 大字模式 a long row loses its end, the pid; never who acted.
		large := map[string][]string{
			"zh": {"工号0107 王五（登录 staff1，账户 kiosk", "工号0108（kioskctl 直接操作，账户 root"},
			"en": {"工号0107 王五 (login staff1, user kiosk", "工号0108 (kioskctl direct, user root"},
		}[lang]
		for _, elderly := range []bool{false, true} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			h.AssertFits()
			var pages strings.Builder
			pages.WriteString(h.Markup())
			for next := h.K.Text.T("nav.next_page"); h.CanTap(next); pages.WriteString(h.Markup()) {
				h.Tap(next)
			}
			shown := pages.String()
			if elderly {
				wants = large
			}
			for _, want := range wants {
				if !strings.Contains(shown, want) {
					t.Errorf("%s, 大字模式 %v: %q not shown:\n%s", lang, elderly, want, shown)
				}
			}
			if strings.Contains(shown, "⟨") {
				t.Errorf("%s: the journal's own form shown:\n%s", lang, shown)
			}
		}
	}
}
