package main

import (
	"flag"
	"testing"

	"github.com/liangzihu/kiosk/app/utility"
	utilitysim "github.com/liangzihu/kiosk/cmd/utilitysim/sim"
)

var screenshotDir = flag.String("screenshots", "", "write a PNG of every screen of the tour, both modes, into this folder")

// stop is one screen of the tour: how to get there from the previous stop.
type stop struct {
	name string
	to   func(j *journey)
}

// tour visits every screen of the citizen journeys in order, against the simulators.
// Each screen must keep its touch targets and fit 1280×800 without scrolling, in
// normal and in 大字模式; with -screenshots the pictures go to docs/screenshots.
var tour = []stop{
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
	{"05-pay-qr", func(j *journey) {
		j.TapPrefix("缴费（")
		j.WaitShows("请用微信或支付宝扫码支付")
	}},
	{"06-pay-result", func(j *journey) { j.WaitShows("缴费成功"); j.WaitShows("请取走凭条") }},
	{"07-receipt", func(j *journey) { j.Tap("查看打印的凭条（演示）") }},
	{"08-track", func(j *journey) {
		j.Tap("首页")
		j.Tap("进度查询")
		j.WaitFor("the list", func() bool { return !j.Shows("正在查询办件") })
	}},
	{"09-track-keypad", func(j *journey) { j.Tap("输入办件编号") }},
	{"10-apply-choose", func(j *journey) {
		j.Tap("首页")
		j.Tap("联动报装")
		for _, u := range allFour {
			j.TapSeeking(j.K.UtilityName(u))
		}
	}},
	{"11-form", func(j *journey) { j.TapPrefix("下一步") }},
	{"12-editor-keypad", func(j *journey) { j.TapPrefixSeeking("联系电话") }},
	{"13-editor-address", func(j *journey) {
		j.Tap("返回")
		j.TapPrefixSeeking("地址")
		j.TapFirstRow()
	}},
	{"14-editor-choice", func(j *journey) {
		j.Tap("返回")
		j.TapPrefixSeeking("电压等级")
	}},
	{"15-review", func(j *journey) {
		j.Tap("返回")
		j.fillForm(map[string]string{"electricity.voltage": "low"})
		j.Tap("核对并提交")
		j.WaitShows("确认提交")
	}},
	{"16-apply-result", func(j *journey) {
		j.Tap("确认提交")
		j.WaitFor("the result", func() bool { return j.Shell.Current() == "apply-result" })
	}},
	{"17-catalog", func(j *journey) { j.Tap("首页"); j.Tap("更多服务") }},
	{"18-transfer", func(j *journey) { j.Tap("首页"); j.Tap("过户") }},
	{"19-info", func(j *journey) { j.Tap("首页"); j.Tap("信息公开") }},
	{"20-info-tariffs", func(j *journey) { j.TapSeeking("电价") }},
	{"21-guide", func(j *journey) { j.Tap("首页"); j.Tap("办事指南") }},
	{"22-lookup", func(j *journey) { j.Tap("退出办理"); j.Tap("账户与账单") }},
	{"23-account-keypad", func(j *journey) { j.Tap("梁子湖区自来水公司") }},
}

func TestTour(t *testing.T) {
	for _, elderly := range []bool{false, true} {
		mode := map[bool]string{false: "normal", true: "elderly"}[elderly]
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
				j.Check(*screenshotDir, st.name+"-"+mode)
			}
		})
	}
}
