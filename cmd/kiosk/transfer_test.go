package main

import (
	"context"
	"testing"

	"github.com/liangzihu/kiosk/app/catalog"
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
