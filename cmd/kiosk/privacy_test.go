// The walk reads everything reachable from the kiosk while its goroutines (the outbox's
// workers, the device loops, HTTP connections) go on writing it: a race by design, which
// the race detector stops. scripts/test.sh runs this file without it.

//go:build !race

package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/leaktest"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
	"github.com/liangzihu/kiosk/screens/objtree"
)

// citizen is what the privacy checks look for of one person the journeys serve.
type citizen struct {
	// whole are the values as they are: name, ID number, phone, address and its
	// building/unit/room, what they typed (phone, property certificate), the account
	// numbers they used.
	whole []string
	// masked are the forms the screens and receipts show (张*, 110105********002X,
	// 138****0001, the address down to the building).
	masked []string
}

// demoCitizen is the utilities' simulator's i-th citizen (the demo card of the same
// index) with the accounts the journeys use.
func demoCitizen(i int, accounts ...string) citizen {
	id := utilitysim.DemoIdentities[i]
	c := citizen{
		whole:  append([]string{id.Name, id.IDNumber, id.Phone, id.Address}, accounts...),
		masked: []string{mask.Name(id.Name), mask.IDNumber(id.IDNumber), mask.Phone(id.Phone), mask.Address(id.Address)},
	}
	// The address's house part alone (3栋2单元501, 6组12号): the end of the address
	// from its road or village.
	if m := housePart.FindString(id.Address); len([]rune(m)) >= 4 { // 3号 alone is in many addresses
		c.whole = append(c.whole, m)
	}
	return c
}

// housePart is an address's part below its road or village: 18号3栋2单元501, 6组12号.
var housePart = regexp.MustCompile(`[0-9]+(号|组)[0-9栋单元组号室]*$`)

// typed adds what the citizen typed or picked on the visit's form (phone, address,
// property certificate), whole and as the review page masks it.
func (c *citizen) typed(j *journey) {
	j.T.Helper()
	a := j.application()
	for key, v := range a.Answers {
		in, ok := a.Form.Input(key)
		if !ok {
			continue
		}
		switch in.Field.Role {
		case catalog.RolePhone, catalog.RolePropertyCert:
			c.whole = append(c.whole, v)
		case catalog.RoleAddress:
			full := a.Form.Display(key, v, j.K.Text.Lang())
			c.whole = append(c.whole, full)
			c.masked = append(c.masked, mask.Address(full))
		}
	}
}

// all is every value of the citizens, whole and masked.
func all(cs ...citizen) []string {
	var out []string
	for _, c := range cs {
		out = append(append(out, c.whole...), c.masked...)
	}
	return out
}

// wholes is every whole value of the citizens.
func wholes(cs ...citizen) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.whole...)
	}
	return out
}

// notTheKiosks are the values the walk does not enter: the devices' and utilities'
// emulators (a card on the reader, the utilities' records are the citizen's by nature),
// the database's pages (the file is read instead), the log (read on its own).
func notTheKiosks(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[*demo.Rig](), reflect.TypeFor[*utilitysim.Server](), reflect.TypeFor[*bolt.DB](),
		reflect.TypeFor[*simtest.SyncBuffer]():
		return true
	}
	return false
}

// leftAfter fails the test if any of the values is reachable once the visit has ended:
// from the shell (the kiosk, its sessions, flows, forms and lookups, the screen stack,
// the header's and footer's widgets, notices and the countdown) and from every object
// of the window, overlays and hidden ones included, with the renderer Fyne keeps for
// each widget (keypad buffers, editors' text, pictures' names). replaced: the next
// citizen's card ended it, and their visit is open.
func (j *journey) leftAfter(how string, replaced bool, values []string) {
	j.T.Helper()
	// The shell hears of the end through the UI queue: home once it has.
	j.WaitFor("the visit ended ("+how+")", func() bool {
		if !replaced {
			return j.K.Sessions.Current() == nil && j.Shell.Current() == "home" && !j.Shell.CountdownVisible()
		}
		s := j.K.Sessions.Current()
		if s == nil {
			return false
		}
		id, ok := s.Identity()
		return ok && j.Shows(id.MaskedName()+"  "+id.MaskedID())
	})
	roots := map[string]any{"shell": j.Shell}
	j.Do(func() {
		c := j.Win.Canvas()
		objs := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
		var n int
		var add func(o fyne.CanvasObject)
		add = func(o fyne.CanvasObject) {
			n++
			roots["object"+strconv.Itoa(n)] = o
			if w, ok := o.(fyne.Widget); ok {
				if r := objtree.Renderer(w); r != nil {
					roots["renderer"+strconv.Itoa(n)] = r
				}
			}
			for _, k := range objtree.Children(o) {
				add(k)
			}
		}
		for _, o := range objs {
			add(o)
		}
	})
	w := leaktest.Walker{Skip: notTheKiosks}
	if hits := w.Find(roots, values...); len(hits) > 0 {
		var lines []string
		for _, h := range hits {
			lines = append(lines, h.String())
		}
		j.T.Errorf("after %s, the last visit's data is still reachable:\n%s", how, strings.Join(lines, "\n"))
	}
}

// Every kind of visit, ended every way, leaves nothing of its citizen reachable, on
// screen or in the kiosk; the database and its backup hold none of them in clear, in
// any encoding, nor an unkeyed hash of one; the log holds none of them.
func TestVisitsLeaveNothing(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast, autoPay: 300 * time.Millisecond, idle: 4 * time.Second})
	var served []citizen

	// 李四 pays his electricity bill, looks at the receipt, and taps 退出办理.
	li := demoCitizen(1, utilitysim.AccountNumber(utility.Electricity, 1))
	j.card(1)
	j.TapPrefixSeeking("户号 " + utilitysim.AccountNumber(utility.Electricity, 1))
	j.WaitShows("缴费截止")
	j.TapPrefix("缴费（")
	j.WaitShows("缴费成功")
	j.WaitShows("请取走凭条")
	j.Tap("查看打印的凭条（演示）")
	j.Tap("退出办理")
	j.leftAfter("退出办理 after a payment", false, all(li))
	served = append(served, li)

	// 陈建国 applies for power and water, and walks away: the countdown ends the visit.
	// The water company refuses, quoting him: the result shows him masked.
	chen := demoCitizen(5)
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{Refuse: "申请人陈建国（420702197007070054）在该地址已有在办申请"}))
	j.card(5)
	j.apply(catalog.JointConnection, []string{utility.Electricity, utility.Water}, map[string]string{"electricity.voltage": "low"})
	chen.typed(j)
	j.submit()
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{}))
	if !j.ShowsOnAnyPage("申请人陈**（420702********0054）") || j.Shows("陈建国") {
		t.Errorf("the refusal quoting the applicant is not shown masked:\n%s", j.Markup())
	}
	j.WaitFor("the countdown", j.Shell.CountdownVisible)
	j.WaitFor("the idle wipe", func() bool { return j.K.Sessions.Current() == nil })
	j.leftAfter("the idle countdown after an application", false, all(chen))
	served = append(served, chen)

	// 陈建国 again takes over 李四's water account, its unpaid bill paid first; 赵堃
	// puts his card down on the result.
	chen2 := demoCitizen(5, utilitysim.AccountNumber(utility.Water, 1))
	j.card(5)
	j.Tap("首页")
	j.Tap("过户")
	j.TapSeeking(j.K.UtilityName(utility.Water))
	j.TapPrefix("下一步")
	j.fillForm(map[string]string{"water.account": utilitysim.AccountNumber(utility.Water, 1)})
	chen2.typed(j)
	j.Tap("核对并提交")
	j.WaitShows("过户前须结清原户号的全部欠费")
	j.TapPrefixSeeking(j.K.UtilityName(utility.Water))
	j.WaitShows("缴费成功")
	j.Tap("继续过户")
	j.submit()
	zhao := demoCitizen(3)
	j.card(3)
	j.leftAfter("the next card over a transfer", true, append(all(chen2), li.whole...))
	served = append(served, chen2)

	// 赵堃 follows his applications and leaves by 退出办理.
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitFor("the list", func() bool { return !j.Shows("正在查询办件") })
	j.Tap("退出办理")
	j.leftAfter("退出办理 on 进度查询", false, all(zhao))
	served = append(served, zhao)

	// 张三 rates her finished application, lifts her card mid-way (the visit goes on),
	// and leaves by 退出办理.
	zhang := demoCitizen(0)
	j.card(0)
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitFor("the list", func() bool { return !j.Shows("正在查询办件") })
	j.TapFirstRow()
	j.WaitShows("评价本次服务")
	j.rig.RemoveCard()
	j.Tap("评价本次服务")
	j.Tap("满意")
	j.Tap("提交评价")
	j.WaitShows("评价已提交")
	j.Tap("退出办理")
	j.leftAfter("退出办理 after a rating", false, all(zhang))
	served = append(served, zhang)

	// Without a card: 李四's water account by its number, then the countdown.
	water := utilitysim.AccountNumber(utility.Water, 1)
	byNumber := demoCitizen(1, water)
	j.Tap("账户与账单")
	j.Tap("梁子湖区自来水公司")
	j.typeIn(water)
	j.WaitShows("缴费截止")
	j.WaitFor("the idle wipe", func() bool { return j.K.Sessions.Current() == nil })
	j.leftAfter("the idle countdown after a lookup by number", false, all(byNumber))

	// A code that is no bill, holding an ID number, is said to be of no use and
	// logged without its content.
	j.must(j.rig.Scan("ID:" + utilitysim.DemoIdentities[1].IDNumber + " 李四"))

	// Without a card: 赵堃's gas bill scanned; 王淑芬 puts her card down.
	gas := utilitysim.AccountNumber(utility.Gas, 3)
	scanned := demoCitizen(3, gas)
	j.WaitFor("the scanner", func() bool { st, ok := j.K.DeviceState("scanner"); return ok && st.OK })
	j.must(j.rig.Scan(utility.FormatBillQR(utility.Gas, gas, "")))
	j.WaitShows("缴费截止")
	j.card(2)
	j.leftAfter("a card over a scanned bill", true, all(scanned))
	j.Tap("退出办理")
	served = append(served, demoCitizen(2))

	// Without a card: 王淑芬's application by its typed number; 欧阳娜娜 puts her card
	// down on the timeline.
	ref := j.seededApplication(utility.Gas, 2)
	j.Tap("进度查询")
	j.Tap("输入办件编号")
	j.typeIn(ref)
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	j.must(j.rig.PlaceCard(4))
	j.WaitFor("欧阳娜娜's visit", func() bool {
		s := j.K.Sessions.Current()
		if s == nil {
			return false
		}
		id, ok := s.Identity()
		return ok && id.Name == "欧阳娜娜"
	})
	j.leftAfter("a card over a typed application number", true, append(all(demoCitizen(2)), ref))
	j.Tap("退出办理")
	served = append(served, demoCitizen(4))

	// At rest: the database file and a backup of it, in every encoding; nor a plain hash
	// of a value (the journal's are keyed).
	raw, err := os.ReadFile(j.K.Store.Path())
	j.must(err)
	var backup bytes.Buffer
	_, err = j.K.Store.Backup(&backup)
	j.must(err)
	for name, data := range map[string][]byte{"the database": raw, "its backup": backup.Bytes()} {
		if found := leaktest.InBytes(data, wholes(served...)...); len(found) > 0 {
			t.Errorf("%s holds personal data in clear: %v", name, found)
		}
		for _, v := range wholes(served...) {
			for _, h := range plainHashes(v) {
				if bytes.Contains(data, h) {
					t.Errorf("%s holds a plain hash of %q", name, v)
				}
			}
		}
	}
	// The log.
	if found := leaktest.InBytes([]byte(j.Log()), wholes(served...)...); len(found) > 0 {
		t.Errorf("the log holds personal data: %v\n%s", found, j.Log())
	}
}

// plainHashes are a value's unkeyed hashes as a journal might hold them: hex and
// base64 of MD5, SHA-1 and SHA-256.
func plainHashes(v string) [][]byte {
	var out [][]byte
	for _, sum := range [][]byte{md5Sum(v), sha1Sum(v), sha256Sum(v)} {
		out = append(out, []byte(hex.EncodeToString(sum)), []byte(base64.StdEncoding.EncodeToString(sum)),
			[]byte(base64.RawURLEncoding.EncodeToString(sum)), sum)
	}
	return out
}

func md5Sum(v string) []byte    { s := md5.Sum([]byte(v)); return s[:] }
func sha1Sum(v string) []byte   { s := sha1.Sum([]byte(v)); return s[:] }
func sha256Sum(v string) []byte { s := sha256.Sum256([]byte(v)); return s[:] }
