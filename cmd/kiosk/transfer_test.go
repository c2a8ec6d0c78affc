package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// payOpenOrder pays, as the citizen's phone would, the one payment order the kiosk
// follows.
func (j *journey) payOpenOrder(utilityID string) {
	j.T.Helper()
	j.WaitShows("请用微信或支付宝扫码支付")
	orders, err := j.K.Orders.List()
	if err != nil || len(orders) != 1 {
		j.T.Fatalf("orders %+v, %v", orders, err)
	}
	if _, err := j.sims.Pay(utilityID, orders[0].Reference); err != nil {
		j.T.Fatal(err)
	}
}

// payElsewhere pays an account's unpaid bills as a counter or a phone would, the
// kiosk not told.
func (j *journey) payElsewhere(utilityID, account string) {
	j.T.Helper()
	bills, err := j.K.Bills(context.Background(), utilityID, account)
	if err != nil {
		j.T.Fatal(err)
	}
	for _, b := range bills {
		if !b.Paid {
			j.must(j.sims.PayElsewhere(utilityID, account, b.ID))
		}
	}
}

// settling waits for the settle page to list exactly the accounts of owed (by number)
// and no other of all.
func (j *journey) settling(owed []string, all ...string) {
	j.T.Helper()
	j.WaitFor("the settle page", func() bool {
		if j.Shell.Current() != "settle" || j.Shows("正在查询") {
			return false
		}
		for _, n := range all {
			want := false
			for _, o := range owed {
				want = want || o == n
			}
			if j.Shows("户号 "+n) != want {
				return false
			}
		}
		return true
	})
}

// 过户 of two accounts with unpaid bills, each settled on the spot its own way. A pay
// QR given up (取消缴费) leaves the bills owed: the settle page still lists them, and
// 已缴清，继续办理 does not lead on. One paid, the citizen goes 返回 from its result
// rather than 继续过户: the settle page checks again and does not offer the paid bills
// a second time. The other's order withdrawn by its utility (the bills paid elsewhere
// while the QR was shown): 返回 checks again and, nothing owed, leads to the review.
func TestTransferSettleEachWay(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast}) // payments are paid by hand
	j.card(5)
	elec, water := utilitysim.AccountNumber(utility.Electricity, 1), utilitysim.AccountNumber(utility.Water, 1)
	j.apply(catalog.JointTransfer, []string{utility.Electricity, utility.Water}, map[string]string{"electricity.account": elec,
		"electricity.unchanged": "yes", "water.account": water})
	j.settling([]string{elec, water}, elec, water)

	j.TapPrefix(j.K.UtilityName(utility.Water))
	j.WaitShows("请用微信或支付宝扫码支付")
	j.Tap("取消缴费")
	j.WaitShows("已取消缴费")
	if j.CanTap("继续过户") {
		t.Fatalf("an order cancelled offers to go on with the transfer:\n%s", j.Markup())
	}
	j.Tap("返回")
	j.settling([]string{elec, water}, elec, water)
	j.Tap("已缴清，继续办理")
	j.settling([]string{elec, water}, elec, water)

	j.TapPrefix(j.K.UtilityName(utility.Electricity))
	j.payOpenOrder(utility.Electricity)
	j.WaitShows("缴费成功")
	j.Tap("返回")
	j.settling([]string{water}, elec, water)

	j.TapPrefix(j.K.UtilityName(utility.Water))
	j.WaitShows("请用微信或支付宝扫码支付")
	j.payElsewhere(utility.Water, water)
	j.WaitShows("缴费已被撤销")
	j.Tap("返回")
	j.WaitFor("the review", func() bool { return j.Shell.Current() == "review" })
	if !j.Shows("户号 "+elec+"，原户主 李*") || !j.Shows("户号 "+water+"，原户主 李*") {
		t.Fatalf("the review:\n%s", j.Markup())
	}
	r := j.submit()
	for _, p := range r.Answers {
		if p.Reference == "" {
			t.Fatalf("parts %+v", r.Answers)
		}
	}
}

// The bills paid elsewhere while the settle page is shown: the utility refuses the
// order (账单已缴清), and the page, under its notice, checks again and leads to the
// review.
func TestTransferSettledElsewhere(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast})
	j.card(5)
	gas := utilitysim.AccountNumber(utility.Gas, 3) // 赵堃's gas bill is unpaid
	j.apply(catalog.JointTransfer, []string{utility.Gas}, map[string]string{"gas.account": gas})
	j.settling([]string{gas}, gas)
	j.payElsewhere(utility.Gas, gas)
	j.TapPrefix(j.K.UtilityName(utility.Gas))
	j.WaitShows("账单已缴清")
	j.Tap("知道了")
	j.WaitFor("the review", func() bool { return j.Shell.Current() == "review" })
	if !j.Shows("户号 " + gas + "，原户主 赵*") {
		t.Fatalf("the review:\n%s", j.Markup())
	}
}

// A 过户 at four utilities that ends four ways: the water account is being transferred
// already (the citizen's own earlier request: the water company, which offers no check
// before submission, refuses a second when it is submitted, in plain words, on screen
// and on the receipt, in both languages), the gas company is down
// (its part waits, marked as unchecked, and is bound to its number when it is back), the
// power company and the broadband operator accept. The receipt has a tracking QR for
// each part but the refused one; the new holder finds the transfers by card and by
// number, and rates one once it is done.
func TestTransferPartlyAccepted(t *testing.T) {
	j := newJourney(t)
	j.card(5) // 陈建国 buys 张三's home: her bills are all paid
	number := func(u string) string { return utilitysim.AccountNumber(u, 0) }
	j.apply(catalog.JointTransfer, []string{utility.Water}, map[string]string{"water.account": number(utility.Water)})
	first := j.submit()
	if first.Counts() != (app.PartCounts{Accepted: 1}) {
		t.Fatalf("the first water transfer: %+v", first.Answers)
	}
	j.must(j.sims.SetFaults(utility.Gas, utilitysim.Faults{Down: true}))
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{NoTransferCheck: true}))
	j.apply(catalog.JointTransfer, allFour, map[string]string{"electricity.account": number(utility.Electricity),
		"electricity.unchanged": "yes", "water.account": number(utility.Water), "gas.account": number(utility.Gas),
		"broadband.account": number(utility.Broadband)})
	j.WaitShows("户号 " + number(utility.Gas) + "，暂时无法核对")
	r := j.submit()
	byU := map[string]app.PartAnswer{}
	for _, p := range r.Answers {
		byU[p.Utility] = p
	}
	if r.Counts() != (app.PartCounts{Accepted: 2, Waiting: 1, Refused: 1}) || r.JointRef == "" {
		t.Fatalf("parts %+v", r.Answers)
	}
	water, gas := byU[utility.Water], byU[utility.Gas]
	if !strings.Contains(water.Refused, "已有过户申请正在办理") || strings.Contains(water.Refused, first.Answers[0].Reference) {
		t.Fatalf("water's refusal: %q", water.Refused)
	}
	if !gas.Unchecked || gas.Reference != "" || gas.KioskRef == "" {
		t.Fatalf("gas: %+v", gas)
	}
	if !j.Shows("已受理2项，等待受理1项，未受理1项") || !j.ShowsOnAnyPage("已有过户申请正在办理") {
		t.Fatalf("the result:\n%s", j.Markup())
	}
	// In English: the kiosk's own words first, then the water company's.
	if !strings.Contains(water.RefusedEN, "did not accept this request") || !strings.Contains(water.RefusedEN, "(in its own words: 户号") {
		t.Errorf("the refusal in English: %q", water.RefusedEN)
	}
	j.Tap("大字模式")
	j.checkBothLanguages("", "transfer-partly-elderly")
	j.Tap("大字模式：开")

	// One QR a part that may be followed: the accepted ones by their number, the
	// waiting one by the kiosk's reference (bound to the gas company's number later).
	codes := j.trackingQRs()
	want := []string{byU[utility.Electricity].Reference, byU[utility.Broadband].Reference, gas.KioskRef}
	if len(codes) != len(want) {
		t.Errorf("receipt QR codes %q, want one for each of %q", codes, want)
	}
	for _, w := range want {
		if !slices.Contains(codes, "https://track.example.cn/a/"+w) {
			t.Errorf("receipt lacks the QR of %s (has %q)", w, codes)
		}
	}

	j.must(j.sims.SetFaults(utility.Gas, utilitysim.Faults{}))
	j.K.Outbox.Resume(utility.Gas)
	j.lateNumber(utility.Gas)
	gasRef := ""
	if got, _ := j.application().Result(); got.Counts() == (app.PartCounts{Accepted: 3, Refused: 1}) {
		for _, p := range got.Answers {
			if p.Utility == utility.Gas {
				gasRef = p.Reference
			}
		}
	}
	if !strings.HasPrefix(gasRef, "RQGH") {
		t.Fatalf("gas bound to %q", gasRef)
	}

	// By card: the new holder's transfers, the first water one and the three accepted.
	j.Tap("退出办理")
	j.card(5)
	j.Tap("首页")
	j.Tap("进度查询")
	j.WaitFor("the transfers", func() bool {
		for j.CanTap("上一页") {
			j.Tap("上一页")
		}
		return !j.ShowsOnAnyPage("正在查询办件")
	})
	// The list names each by its utility and business: two water ones, the refused one
	// by the kiosk's reference.
	if m := j.Markup(); strings.Count(m, "供水 · 过户") != 2 || !j.Shows("供电 · 过户") || !j.Shows("供气 · 过户") ||
		!j.Shows("宽带 · 过户") || !j.Shows("本机编号 "+water.KioskRef) || strings.Count(m, ">未受理<") != 1 || strings.Count(m, ">已受理<") != 4 {
		t.Errorf("the transfers by card:\n%s", m)
	}
	// By number, done, rated.
	elec := byU[utility.Electricity].Reference
	if _, err := j.sims.Advance(utility.Electricity, elec); err != nil {
		t.Fatal(err)
	}
	j.Tap("退出办理")
	j.Tap("进度查询")
	j.Tap("输入办件编号")
	j.typeIn(elec)
	j.WaitFor("the timeline", func() bool { return j.Shell.Current() == "timeline" })
	j.WaitShows("过户办结")
	j.Tap("评价本次服务")
	j.Tap("非常满意")
	j.Tap("提交评价")
	j.WaitShows("评价已提交")
}

// transfers counts the transfer requests in the kiosk's outbox, whatever their state.
func (j *journey) transfers() (n int) {
	j.T.Helper()
	for _, state := range []outbox.State{outbox.Pending, outbox.Done, outbox.Closed, outbox.Dead, outbox.Expired} {
		list, err := j.K.Outbox.List(state, 0)
		j.must(err)
		for _, r := range list {
			if r.Kind == utility.KindTransfer {
				n++
			}
		}
	}
	return n
}

// A 过户 left half-way — 退出办理 at the pay QR of its unpaid bills, or at the review
// with the card taken back — submits nothing, and the order given up is cancelled at the utility and
// forgotten (no order left for the settling pass); the next citizen starts afresh.
func TestTransferLeftHalfWay(t *testing.T) {
	j := startJourney(t, journeyOptions{poll: pollFast})
	j.card(5)
	elec := utilitysim.AccountNumber(utility.Electricity, 1)
	j.apply(catalog.JointTransfer, []string{utility.Electricity}, map[string]string{"electricity.account": elec,
		"electricity.unchanged": "yes"})
	j.settling([]string{elec}, elec)
	j.TapPrefix(j.K.UtilityName(utility.Electricity))
	j.WaitShows("请用微信或支付宝扫码支付")
	j.Tap("退出办理")
	j.WaitFor("the order cancelled and forgotten", func() bool { o, err := j.K.Orders.List(); return err == nil && len(o) == 0 })
	if j.K.Sessions.Current() != nil || j.transfers() != 0 {
		t.Fatalf("after 退出办理 at the pay QR: session %v, %d transfers", j.K.Sessions.Current() != nil, j.transfers())
	}
	j.rig.RemoveCard()

	j.card(5)
	gas := utilitysim.AccountNumber(utility.Gas, 0)
	j.apply(catalog.JointTransfer, []string{utility.Gas}, map[string]string{"gas.account": gas})
	j.WaitFor("the review", func() bool { return j.Shell.Current() == "review" })
	a := j.application()
	j.rig.RemoveCard() // taken back: the visit goes on until 退出办理 or the idle time
	j.Tap("退出办理")
	j.WaitFor("the visit's end", func() bool { return j.K.Sessions.Current() == nil })
	if _, err := a.Submit(context.Background()); err == nil || j.transfers() != 0 {
		t.Fatalf("the form of a visit ended was submitted (%v), %d transfers", err, j.transfers())
	}
}

// findsAccount waits for the visit's accounts, every utility answered, and reports
// whether the account number is among them.
func (j *journey) findsAccount(number string) bool {
	j.T.Helper()
	j.WaitFor("the accounts", func() bool {
		return j.Shell.Current() == "accounts" && !j.Shows(j.K.Text.T("accounts.loading"))
	})
	return j.ShowsOnAnyPage("户号 " + number)
}

// reads reports whether the screen's text holds s, its wrapped lines joined (spaces
// left out of both: a line wraps at a space, or between two Chinese characters).
func (j *journey) reads(s string) bool {
	var b strings.Builder
	for _, m := range shownText.FindAllStringSubmatch(j.Markup(), -1) {
		b.WriteString(m[1])
	}
	return strings.Contains(strings.ReplaceAll(b.String(), " ", ""), strings.ReplaceAll(s, " ", ""))
}

// 过户 as the utility does it: the 不动产权证 of another home is refused in the water
// company's own words, on the result page in Chinese and, in English, after the kiosk's
// own sentence, by a utility that does not judge it before (no POST /transfers/check:
// one that does refuses it before the review, screens' TestTransferCertificateRefused-
// BeforePayment); the right one is accepted, and once the utility has done its steps the
// account is the buyer's: their ID card finds it, with none of the seller's bills, and
// the seller's card no longer does.
func TestTransferMovesAccount(t *testing.T) {
	j := newJourney(t)
	j.card(5) // 陈建国 buys 张三's home
	water := utilitysim.AccountNumber(utility.Water, 0)
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{NoTransferCheck: true}))
	j.apply(catalog.JointTransfer, []string{utility.Water}, map[string]string{"water.account": water,
		"property_cert": utilitysim.PropertyCert(1)}) // 李四's home's
	r := j.submit()
	j.must(j.sims.SetFaults(utility.Water, utilitysim.Faults{}))
	own := "不动产权证号与户号" + water + "登记的房屋不符，请核对不动产权证书后重新办理"
	if r.Counts() != (app.PartCounts{Refused: 1}) || r.Answers[0].Refused != own {
		t.Fatalf("another home's certificate: %+v", r.Answers)
	}
	if !j.reads(own) {
		t.Fatalf("the utility's words are not on the result page:\n%s", j.Markup())
	}
	// In English the kiosk says what to do about it first: the certificate, not a
	// counter.
	j.Do(j.Shell.ToggleLanguage)
	if !j.reads(own) || !j.reads("did not accept the property certificate number") || j.reads("service counter") {
		t.Errorf("the refusal in English:\n%s", j.Markup())
	}
	j.Do(j.Shell.ToggleLanguage)
	// The longer words fit, in both modes.
	j.checkBothLanguages("", "transfer-wrong-cert")
	j.Tap("大字模式")
	j.checkBothLanguages("", "transfer-wrong-cert-elderly")
	j.Tap("大字模式：开")

	j.apply(catalog.JointTransfer, []string{utility.Water}, map[string]string{"water.account": water,
		"property_cert": utilitysim.PropertyCert(0)})
	r = j.submit()
	if r.Counts() != (app.PartCounts{Accepted: 1}) {
		t.Fatalf("the right certificate: %+v", r.Answers)
	}
	ref := r.Answers[0].Reference
	j.Tap("退出办理")
	j.card(5)
	if j.findsAccount(water) {
		t.Fatalf("the account is the buyer's before the transfer is done:\n%s", j.Markup())
	}
	for range 2 { // 抄表结算, 过户办结
		if _, err := j.sims.Advance(utility.Water, ref); err != nil {
			t.Fatal(err)
		}
	}
	j.Tap("退出办理")
	j.card(5)
	if !j.findsAccount(water) {
		t.Fatalf("the buyer's card does not find the account taken over:\n%s", j.Markup())
	}
	bills, err := j.K.Bills(context.Background(), utility.Water, water)
	if err != nil || len(bills) != 0 {
		t.Errorf("the buyer is shown the seller's bills: %+v, %v", bills, err)
	}
	j.Tap("退出办理")
	j.card(0)
	if j.findsAccount(water) || !j.ShowsOnAnyPage("户号 "+utilitysim.AccountNumber(utility.Electricity, 0)) {
		t.Errorf("the seller's accounts after the transfer:\n%s", j.Markup())
	}
}
