package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

var screenshotDir = flag.String("screenshots", "", "write a PNG of every screen of the tour, both modes, and of the failure paths that check theirs (50-…) into this folder")

// stop is one screen of the tour: how to get there from the previous stop.
type stop struct {
	name string
	to   func(j *journey)
}

// tour visits every screen of the citizen journeys in order, against the simulators,
// as docs/user-guide.md walks through them: 李四 pays, applies at four utilities and
// tracks; 陈建国 takes over 李四's water account (the unpaid bill paid first, with the
// printer out of paper); 张三 rates a finished application; a visitor without a card
// looks an account up; an expired card is refused. Each screen must keep its touch
// targets and fit 1280×800 without scrolling, in normal and in 大字模式, in Chinese
// and in English; with
// -screenshots the pictures go to that folder (scripts/screenshots.sh: docs/screenshots).
var tour = []stop{
	// Identify, accounts, bills, pay.
	{"01-home", func(j *journey) {}},
	{"02-demo-card", func(j *journey) { j.Tap("模拟刷卡") }},
	{"03-accounts", func(j *journey) {
		j.TapPrefix("有欠费的电费、水费账单")
		j.WaitFor("the accounts", func() bool { return j.Shell.Current() == "accounts" && !j.Shows("正在查询…") })
	}},
	{"04-bills", func(j *journey) {
		j.TapPrefixSeeking("户号 " + utilitysim.AccountNumber(utility.Electricity, 1))
		j.WaitShows("缴费截止")
	}},
	{"05-bill-efficiency", func(j *journey) {
		if j.K.Elderly() { // no room beside the list: 账单明细 opens the detail
			j.Tap("账单明细")
			for !j.Shows("能效等级") {
				j.Tap("下一页")
			}
			return
		}
		j.TapNth("下一页", 1) // the detail's pager, beside the list's
		j.WaitShows("能效等级")
	}},
	{"06-pay-qr", func(j *journey) {
		if j.K.Elderly() {
			j.Tap("返回")
		}
		j.TapPrefix("缴费（")
		j.WaitShows("请用微信或支付宝扫码支付")
	}},
	{"07-pay-result", func(j *journey) { j.WaitShows("缴费成功"); j.WaitShows("请取走凭条") }},
	{"08-pay-receipt", func(j *journey) { j.Tap("查看打印的凭条（演示）") }},
	// A joint application at four utilities.
	{"09-apply-choose", func(j *journey) {
		j.Tap("首页")
		j.Tap("联动报装")
		for _, u := range allFour {
			j.TapSeeking(j.K.UtilityName(u))
		}
	}},
	{"10-apply-form", func(j *journey) { j.TapPrefix("下一步") }},
	{"11-apply-keypad", func(j *journey) { j.TapPrefixSeeking("联系电话") }},
	{"12-apply-address", func(j *journey) {
		j.Tap("返回")
		j.TapPrefixSeeking("地址")
		j.TapFirstRow()
	}},
	{"13-apply-choice", func(j *journey) {
		j.Tap("返回")
		j.TapPrefixSeeking("电压等级")
	}},
	{"14-apply-review", func(j *journey) {
		j.Tap("返回")
		j.fillForm(map[string]string{"electricity.voltage": "low"})
		j.Tap("核对并提交")
		j.WaitShows("确认提交")
	}},
	{"15-apply-result", func(j *journey) {
		j.Tap("确认提交")
		j.WaitFor("the result", func() bool { return j.Shell.Current() == "apply-result" })
	}},
	{"15-apply-notice", func(j *journey) { j.Tap("查看一次性告知书") }},
	{"16-apply-receipt", func(j *journey) { j.Tap("返回"); j.Tap("查看打印的凭条（演示）") }},
	// Tracking: the applications just made, one's timeline, the keypad for a number.
	{"17-track", func(j *journey) {
		j.Tap("首页")
		j.Tap("进度查询")
		j.WaitFor("the list", func() bool { return !j.Shows("正在查询办件") })
	}},
	{"18-track-timeline", func(j *journey) {
		j.TapFirstRow()
		j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	}},
	{"19-track-keypad", func(j *journey) { j.Tap("返回"); j.Tap("输入办件编号") }},
	// 过户: 陈建国 takes over 李四's water account, whose bill is paid first.
	{"20-transfer-choose", func(j *journey) {
		j.nextCitizen(5, "过户")
		j.TapSeeking(j.K.UtilityName(utility.Water))
	}},
	{"21-transfer-settle", func(j *journey) {
		j.TapPrefix("下一步")
		j.fillForm(map[string]string{"water.account": utilitysim.AccountNumber(utility.Water, 1)})
		j.Tap("核对并提交")
		j.WaitShows("过户前须结清原户号的全部欠费")
	}},
	{"22-pay-paper-out", func(j *journey) {
		j.rig.Printer().SetFaults(sim.PrinterFaults{PaperOutAfterLines: 1})
		j.TapPrefixSeeking(j.K.UtilityName(utility.Water))
		j.WaitShows("缴费成功")
		j.WaitShows("打印机缺纸")
	}},
	{"23-transfer-review", func(j *journey) {
		j.rig.Printer().SetFaults(sim.PrinterFaults{})
		j.rig.Printer().LoadPaper()
		j.Tap("继续过户")
		j.WaitShows("确认提交")
	}},
	{"24-transfer-result", func(j *journey) {
		j.Tap("确认提交")
		j.WaitFor("the result", func() bool { return j.Shell.Current() == "apply-result" })
	}},
	// The other services, from the catalogue.
	{"25-catalog", func(j *journey) { j.Tap("首页"); j.Tap("更多服务") }},
	{"26-catalog-form", func(j *journey) {
		j.TapPrefixSeeking("临电租赁")
		j.WaitFor("the form", func() bool { return j.Shell.Current() == "form" })
	}},
	// Public information and the hall's guide.
	{"27-info", func(j *journey) { j.Tap("首页"); j.Tap("信息公开") }},
	{"28-info-tariffs", func(j *journey) { j.TapSeeking("电价") }},
	// Ten commitments in one panel, taller than a page with a citizen in the header: the
	// pager shows them row by row.
	{"28-info-commitments", func(j *journey) { j.Tap("返回"); j.TapSeeking("供电服务承诺") }},
	{"29-guide", func(j *journey) { j.Tap("首页"); j.Tap("大厅指南") }},
	// 张三 rates a finished application: its timeline holds the rating button as well.
	{"30-timeline-done", func(j *journey) {
		j.nextCitizen(0, "进度查询")
		j.WaitFor("the list", func() bool { return !j.Shows("正在查询办件") })
		j.TapFirstRow()
		j.WaitShows("评价本次服务")
	}},
	{"30-rate", func(j *journey) { j.Tap("评价本次服务") }},
	{"31-rate-reasons", func(j *journey) { j.Tap("不满意"); j.Tap("办理太慢") }},
	{"32-rate-done", func(j *journey) { j.Tap("提交评价"); j.WaitShows("评价已提交") }},
	// Without a card: an account by its number.
	{"33-lookup", func(j *journey) { j.Tap("退出办理"); j.Tap("账户与账单") }},
	// The way by number is on the first page, in 大字模式 too.
	{"34-lookup-keypad", func(j *journey) { j.Tap(j.K.UtilityName(utility.Water)) }},
	// An expired card is refused, with what to do.
	{"35-card-expired", func(j *journey) {
		j.Tap("首页")
		if err := j.rig.PlaceFixture("resident_expired"); err != nil {
			j.T.Fatal(err)
		}
		j.WaitShows("您的证件已过有效期")
	}},
	// The refused card still lies on the reader: home asks its holder to take it.
	{"36-take-card", func(j *journey) { j.Tap("知道了"); j.WaitShows("请取回您的身份证") }},
	// Staff open maintenance mode: the devices, the card left on the reader, what waits.
	{"37-maintenance", func(j *journey) { j.OpenMaintenance(staffpin.DemoPIN) }},
	{"38-maintenance-journal", func(j *journey) { j.Tap("操作记录") }},
	// The gas company has pushed a signed bundle: staff see its version, and may roll back.
	{"39-maintenance-content", func(j *journey) {
		j.pushGasBundle()
		j.Tap("返回")
		j.Tap("内容版本")
	}},
	// Staff check each utility's API where the kiosk's calls go (the demo's simulators).
	{"40-maintenance-utilities", func(j *journey) {
		j.Tap("返回")
		j.Tap("单位接口")
		j.WaitFor("four utilities answering", func() bool { return strings.Count(j.Markup(), "正常 ") == 4 })
	}},
}

// pushGasBundle applies a bundle of the gas company's (its information, retitled),
// signed with its demo key, as it would arrive over the hall network.
func (j *journey) pushGasBundle() {
	j.T.Helper()
	data, err := os.ReadFile("../../assets/info/gas.toml")
	j.must(err)
	data = bytes.Replace(data, []byte(`title = "`), []byte(`title = "新版`), 1)
	now := time.Now()
	b, err := bundle.Sign(bundle.DemoKey(utility.Gas), bundle.Manifest{Utility: utility.Gas, Version: 20261126, Created: now,
		Expires: now.Add(72 * time.Hour), Note: "二档气价调整"}, map[string][]byte{bundle.InfoFile: data})
	j.must(err)
	_, err = j.K.ApplyBundle(b, "network 10.0.3.21")
	j.must(err)
}

// checkBothLanguages checks the screen (touch targets, fit, one weight; with dir set
// its picture goes there as name.png), then the same screen in the other language —
// longer words, same room — and switches back.
func (j *journey) checkBothLanguages(dir, name string) {
	j.T.Helper()
	j.Check(dir, name)
	j.Shell.ToggleLanguage()
	j.Check("", name+"-en")
	j.Shell.ToggleLanguage()
}

// nextCitizen ends the visit on screen; the i-th demo citizen places their card and
// taps a tile of the home screen.
func (j *journey) nextCitizen(i int, tile string) {
	j.Tap("退出办理")
	j.card(i)
	j.Tap("首页")
	j.Tap(tile)
}

// modeName names a screenshot's mode: normal, or elderly (大字模式).
func modeName(elderly bool) string { return map[bool]string{false: "normal", true: "elderly"}[elderly] }

func TestTour(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		mode := modeName(elderly)
		t.Run(mode, func(t *testing.T) {
			j := newJourney(t)
			if elderly {
				j.Tap("大字模式")
			}
			for _, st := range tour {
				st.to(j)
				if elderly && !j.K.Elderly() {
					j.Tap("大字模式") // a new visit starts from the hall's default
				}
				j.checkBothLanguages(*screenshotDir, st.name+"-"+mode)
			}
		})
	}
}
