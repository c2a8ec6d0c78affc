package screens_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/screens/screentest"
	"github.com/liangzihu/kiosk/screens/touch"
)

// pagerOf is the pager of the screen on show; the test fails without one.
func pagerOf(h *screentest.H) *touch.Pager {
	h.T.Helper()
	var p *touch.Pager
	for _, o := range h.Objects() {
		if x, ok := o.(*touch.Pager); ok {
			p = x
		}
	}
	if p == nil {
		h.T.Fatalf("no pager on %s:\n%s", h.Current(), h.Markup())
	}
	return p
}

// deadLetters makes n dead letters to water, which refuses every request without a word.
func deadLetters(t *testing.T, n int) *screentest.H {
	t.Helper()
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}))
	t.Cleanup(silent.Close)
	h := screentest.New(t, screentest.Options{Start: true, UtilityURLs: map[string]string{"electricity": "http://127.0.0.1:1",
		"water": silent.URL + "/v1", "gas": "http://127.0.0.1:1", "broadband": "http://127.0.0.1:1"}})
	for range n {
		if res := transfer(t, h, "water", 5*time.Second); res.State != outbox.Dead {
			t.Fatalf("not a dead letter: %+v", res)
		}
	}
	return h
}

// Staff working through dozens of dead letters stay on the page they were on after each
// one they send again or close: the list is built anew without it, and used to open on
// its first page, a dozen page turns away from where they were.
func TestMaintenanceDeadLettersKeepThePage(t *testing.T) {
	h := deadLetters(t, 12)
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("未送达的申请")
	p := pagerOf(h)
	for range 4 {
		h.TapObject(p.NextButton())
	}
	at, pages := p.Page()
	if at != 4 || pages < 6 {
		t.Fatalf("on page %d of %d", at+1, pages)
	}
	h.Tap("重新发送")
	h.WaitShows("已重新排队发送")
	h.Tap("知道了")
	if now, n := pagerOf(h).Page(); now != at || n != pages-1 && n != pages {
		t.Fatalf("after 重新发送 on page %d of %d: page %d of %d", at+1, pages, now+1, n)
	}
	h.Tap("关闭申请")
	h.Tap("重复申请")
	h.WaitShows("申请已关闭")
	h.Tap("知道了")
	if now, _ := pagerOf(h).Page(); now != at {
		t.Fatalf("after 关闭申请 on page %d: page %d", at+1, now+1)
	}
	// In another mode the list opens on its first page (its pages hold other rows), as
	// it does when staff open it again.
	h.Do(func() { h.Shell.SetElderly(true) })
	if now, _ := pagerOf(h).Page(); now != 0 {
		t.Fatalf("in 大字模式 the list opened on page %d", now+1)
	}
	h.Do(func() { h.Shell.SetElderly(false) })
	h.Tap("返回")
	h.Tap("未送达的申请")
	if now, _ := pagerOf(h).Page(); now != 0 {
		t.Fatalf("the list opened again on page %d", now+1)
	}
}

// Staff tap 重新发送 as maintenance mode closes for want of a touch: the kiosk has closed
// it, and the screen has not heard yet. The action is the session open at the tap, taken
// on the UI's goroutine, which refuses it, closed; it is never run on what the screen
// holds by the time the action's goroutine starts (nil once the screen went home: a
// crash), and its outcome is not said over the home screen that followed.
func TestMaintenanceActionAsItsSessionEnds(t *testing.T) {
	h := deadLetters(t, 1)
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("未送达的申请")
	var retry *touch.Button
	for _, o := range h.Objects() { // as they are: the harness's Tap would let the screen hear first
		if b, ok := o.(*touch.Button); ok && b.Text == "重新发送" {
			retry = b
		}
	}
	if retry == nil {
		t.Fatalf("no 重新发送:\n%s", h.Markup())
	}
	// The manual clock's timers run here, the kiosk's handlers with them; the screen's
	// wait in its queue.
	h.Clock.Advance(h.K.Config.Kiosk.IdleTimeout.Duration)
	h.Clock.Advance(h.K.Config.Kiosk.IdleCountdown.Duration)
	if got := staffEvents(t, h, journal.StaffLogout); len(got) != 1 || got[0].Detail != "无操作超时" {
		t.Fatalf("the kiosk did not close maintenance mode for want of a touch: %+v", got)
	}
	h.TapObject(retry) // the screen hears after it: home, while the action runs
	h.WaitFor("the action's outcome", func() bool {
		return h.Shows("维护模式已退出") || strings.Contains(h.Log(), "outcome not shown")
	})
	if h.Current() != "home" || h.Shows("维护模式已退出") {
		t.Fatalf("the outcome of an action of a closed maintenance mode is said on %s:\n%s", h.Current(), h.Markup())
	}
	if got := staffEvents(t, h, journal.StaffRetry); len(got) != 0 {
		t.Fatalf("sent again by a closed maintenance mode: %+v", got)
	}
}

// staffEvents are the journal's events of kind.
func staffEvents(t *testing.T, h *screentest.H, kind journal.Kind) []journal.Event {
	t.Helper()
	evs, err := h.K.Journal.Range(h.K.Clock.Now().Add(-24*time.Hour), h.K.Clock.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var of []journal.Event
	for _, e := range evs {
		if e.Kind == kind {
			of = append(of, e)
		}
	}
	return of
}

// A busy day's journal holds more than the screen lists: its last page says how many
// earlier ones there are and where to read them, not only that the list has ended.
func TestMaintenanceJournalSaysWhatIsLeftOut(t *testing.T) {
	h := newHarness(t)
	for i := range 300 {
		if err := h.K.Journal.Record(journal.Event{Kind: journal.StaffAction, Actor: "工号0107", Detail: fmt.Sprint("打印测试页 ", i)}); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(time.Second)
	}
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("操作记录")
	if h.Shows("另有") {
		t.Fatalf("the first page says the list has ended:\n%s", h.Markup())
	}
	if !h.ShowsOnAnyPage("以上为最近60条；近24小时另有241条更早的记录，请在终端主机上用 kioskctl journal list 查看") {
		t.Fatalf("the last page does not say what is left out:\n%s", h.Markup())
	}
	assertFitsInEveryView(h)
}

// assertFitsInEveryView checks that the screen on show fits in English and Chinese, in
// 大字模式 and not, and leaves it in Chinese, not in 大字模式.
func assertFitsInEveryView(h *screentest.H) {
	h.T.Helper()
	for _, lang := range []string{"en", "zh"} {
		if h.K.Text.Lang() != i18n.Lang(lang) {
			h.Do(h.Shell.ToggleLanguage)
		}
		for _, elderly := range []bool{true, false} {
			h.Do(func() { h.Shell.SetElderly(elderly) })
			h.AssertFits()
		}
	}
}

// The utility comes back and takes a waiting request while staff confirm its withdrawal:
// the screen says that it has it, with the utility's number to ask it to cancel by (as
// kioskctl does), not only that the request no longer waits.
func TestMaintenanceWithdrawAnsweredMeanwhile(t *testing.T) {
	var up atomic.Bool
	water := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var asked struct {
			KioskRef string `json:"kiosk_ref"`
		}
		if err := json.NewDecoder(r.Body).Decode(&asked); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"kiosk_ref":%q,"reference":"WAT-7"}`, asked.KioskRef)
	}))
	defer water.Close()
	h := screentest.New(t, screentest.Options{Start: true, UtilityURLs: map[string]string{"electricity": "http://127.0.0.1:1",
		"water": water.URL + "/v1", "gas": "http://127.0.0.1:1", "broadband": "http://127.0.0.1:1"}})
	req := transfer(t, h, "water", 0)
	h.WaitFor("water held back", func() bool { return len(h.K.Outbox.Held()) == 1 })
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("待发送至" + h.K.UtilityName("water") + "的申请")
	h.Tap("撤回申请")
	h.Tap("群众已撤回申请")
	h.WaitShows("确定撤回吗？")
	up.Store(true)
	// The outbox tries water again within its backoff; staff, reading the question, keep
	// maintenance mode from closing for want of a touch.
	h.WaitFor("the request sent", func() bool {
		h.K.Touch()
		h.Advance(20 * time.Second)
		st, err := h.K.Outbox.Status(req.KioskRef)
		return err == nil && st.State == outbox.Done
	})
	h.Tap("撤回")
	h.WaitShows("申请 " + req.KioskRef + " 刚已送达业务单位（单位编号 WAT-7）")
	if !h.Shows("请凭单位编号联系业务单位") {
		t.Fatalf("staff are not told whom to ask:\n%s", h.Markup())
	}
}

// A payment order the utility refused is a dead letter that staff close, never send
// again (its citizen has gone; an order made now would be followed by nobody): its block
// says so beside the refusal and offers 关闭申请 alone, fitting in every view.
func TestMaintenanceDeadPaymentOrderClosedOnly(t *testing.T) {
	h := deadLetters(t, 0)
	res, err := h.K.Outbox.Submit(t.Context(), outbox.Request{Utility: "water", Kind: utility.KindPayment, Order: "3100000009",
		Body: utility.PaymentRequest{Account: "3100000009", Bills: []string{"W1"}, Amount: 100}}, 5*time.Second)
	if err != nil || res.State != outbox.Dead {
		t.Fatalf("not a dead letter: %+v, %v", res, err)
	}
	h.OpenMaintenance(staffpin.DemoPIN)
	h.Tap("未送达的申请")
	if !h.Shows("缴费订单不能重新发送，只能选择原因关闭") {
		t.Fatalf("the payment order's block does not say it is closed only:\n%s", h.Markup())
	}
	for _, o := range h.Objects() {
		if b, ok := o.(*touch.Button); ok && b.Text == "重新发送" {
			t.Fatalf("重新发送 offered for a payment order:\n%s", h.Markup())
		}
	}
	assertFitsInEveryView(h)
	h.Tap("关闭申请")
	h.Tap("已在窗口线下办理")
	h.WaitShows("申请已关闭")
	if st, err := h.K.Outbox.Status(res.KioskRef); err != nil || st.State != outbox.Closed {
		t.Fatalf("after 关闭申请: %+v, %v", st, err)
	}
}
