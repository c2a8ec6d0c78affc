package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/screens/paint"
)

// Staff see what the kiosk shows through its staff socket (kioskctl kiosk screen): the
// home screen between visits, the window's own picture; never the screen of a citizen
// being served. (scripts/smoke.sh checks the same with the OpenGL window.)
func TestStaffSeesTheScreenBetweenVisits(t *testing.T) {
	j := newJourney(t)
	c, err := staff.Dial(context.Background(), staff.SocketPath(j.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	look := func(pump bool) (image.Image, error) {
		type looked struct {
			img image.Image
			err error
		}
		done := make(chan looked, 1)
		go func() {
			var b bytes.Buffer
			if _, err := c.Screen(context.Background(), &b, "staff-7"); err != nil {
				done <- looked{err: err}
				return
			}
			img, err := png.Decode(&b)
			done <- looked{img, err}
		}()
		for {
			select {
			case l := <-done:
				return l.img, l.err
			case <-time.After(time.Millisecond):
				if pump {
					j.Pump() // the picture is taken on the UI goroutine
				}
			}
		}
	}
	// The header's clock may turn a minute between the two pictures: then look again.
	for try := 0; ; try++ {
		img, err := look(true)
		if err != nil {
			t.Fatal(err)
		}
		want := j.Win.Canvas().Capture()
		n, worst := paint.Difference(img, want, 0)
		if n == 0 {
			break
		}
		if try == 1 {
			t.Fatalf("the home screen as staff see it: %d pixels differ from the window's (worst by %d)", n, worst)
		}
	}
	j.card(0)
	if _, err := look(true); !errors.Is(err, staff.ErrCitizenPresent) {
		t.Fatalf("during a visit: %v", err)
	}
	j.Tap("退出办理")
	j.WaitFor("the home screen", func() bool { return j.Shell.Current() == "home" && j.K.Sessions.Current() == nil })
	if _, err := look(true); err != nil {
		t.Fatalf("after the visit: %v", err)
	}
	// A UI that does not answer (here: nobody runs its queue) is reported, not waited
	// for forever.
	if _, err := look(false); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("with the UI stuck: %v", err)
	}
}

// Staff in maintenance mode on the screen: the test page when the roll has run out (the
// printer shown at fault) and once paper is in; a dead letter closed with a reason
// chosen from a list, journaled; a kiosk that cannot restart itself says so.
func TestMaintenanceJourney(t *testing.T) {
	j := newJourney(t)
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{Refuse: "户号与产权人不符"}))
	res, err := j.K.Outbox.Submit(context.Background(), outbox.Request{Utility: utility.Water, Kind: utility.KindTransfer,
		Order: "3100000001", Body: utility.Transfer{Account: "3100000001"}}, 5*time.Second)
	if err != nil || res.State != outbox.Dead {
		t.Fatalf("submit: %+v %v", res, err)
	}
	j.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
	j.OpenMaintenance(staffpin.DemoPIN)
	j.Tap("打印测试页")
	j.WaitShows("未能打印")
	j.Tap("知道了")
	if !j.Shows("故障") {
		t.Fatalf("the printer out of paper is not shown at fault:\n%s", j.Markup())
	}
	j.rig.Printer().SetFaults(sim.PrinterFaults{})
	j.rig.Printer().LoadPaper()
	cuts := j.rig.Printer().Stats().Cuts
	j.Tap("打印测试页")
	j.WaitShows("已打印")
	j.must(j.rig.Printer().WaitCuts(context.Background(), cuts+1))
	j.Tap("知道了")

	j.Tap("未送达的申请")
	if !j.Shows(res.KioskRef) || !j.Shows("业务单位不予受理：户号与产权人不符") {
		t.Fatalf("the dead letter:\n%s", j.Markup())
	}
	j.Tap("关闭申请")
	j.Tap("重复申请")
	j.WaitShows("申请已关闭")
	j.Tap("知道了")
	j.WaitShows("没有未送达的申请")
	evs, err := j.K.Journal.ByRef(res.KioskRef)
	j.must(err)
	if last := evs[len(evs)-1]; last.Kind != journal.StaffClose || last.Actor != "维护模式" || !strings.Contains(last.Detail, "重复申请") {
		t.Fatalf("journaled %+v", last)
	}

	// Over the journal, the day so far: the transfer sent and set aside, no receipt
	// yet (the test pages are not receipts). The journal names the refused send and
	// the transfer in words, not with the program's record.
	j.Tap("返回")
	j.Tap("操作记录")
	for _, want := range []string{"今日业务", "未刷证0人次", "申请0件 · 过户1件 · 评价0件", "转人工", ">1件<", "0笔，共￥0.00", "打印0张，未打全0张，补打0张"} {
		if !j.Shows(want) {
			t.Errorf("the day's panel does not show %q", want)
		}
	}
	if !j.ShowsOnAnyPage("被拒收") || j.ShowsOnAnyPage("refused:") {
		t.Fatalf("the journal screen:\n%s", j.Markup())
	}
	j.Tap("返回")
	j.Tap("操作记录")
	if !j.ShowsOnAnyPage("申请已提交") || !j.Shows("· 过户") || j.ShowsOnAnyPage("· transfer") {
		t.Fatalf("the journal screen:\n%s", j.Markup())
	}
	for j.Shell.Current() != "maint" {
		j.Tap("返回")
	}
	j.Tap("重启终端")
	j.Tap("重启")
	j.WaitShows("本终端不能自行重启")
}

// A citizen's scan while maintenance mode is open ends it, as a card does: what the scan
// opens does not lead back into maintenance with 返回.
func TestMaintenanceEndsOnAScan(t *testing.T) {
	j := newJourney(t)
	j.OpenMaintenance(staffpin.DemoPIN)
	j.must(j.rig.Scan("https://track.example.cn/a/NO-SUCH-REF"))
	j.WaitFor("maintenance mode closed", func() bool { return j.Shell.Current() != "maint" })
	if j.CanTap("返回") {
		j.Tap("返回")
	}
	if cur := j.Shell.Current(); cur == "maint" || cur == "staff-pin" {
		t.Fatalf("返回 led back to %s", cur)
	}
	evs, err := j.K.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	j.must(err)
	var why []string
	for _, e := range evs {
		if e.Kind == journal.StaffLogout {
			why = append(why, e.Detail)
		}
	}
	if strings.Join(why, ",") != "群众开始办理" {
		t.Fatalf("logouts journaled: %v", why)
	}
}
