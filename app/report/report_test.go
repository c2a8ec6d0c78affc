package report

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var cst = time.FixedZone("CST", 8*3600)

// at is 27 November 2026 at hh:mm in China.
func at(hh, mm int) time.Time { return time.Date(2026, 11, 27, hh, mm, 0, 0, cst) }

// day is a day's journal as the kiosk writes it, with events of the days around it.
var day = []journal.Event{
	{Time: at(0, 0).Add(-time.Second), Kind: journal.SessionStart, Session: "yesterday"},
	{Time: at(0, 0), Kind: journal.SessionStart, Session: "s1"},
	{Time: at(9, 1), Kind: journal.RequestSubmitted, Utility: utility.Electricity, Ref: "K1", Detail: "payment"},
	{Time: at(9, 1), Kind: journal.RequestAnswered, Utility: utility.Electricity, Ref: "K1"},
	{Time: at(9, 2), Kind: journal.PaymentPaid, Utility: utility.Electricity, Ref: "K1", UtilityRef: "R1", Amount: 47526},
	{Time: at(9, 2), Kind: journal.Print, Session: "s1", Ref: "K1", Detail: "payment"},
	// The kiosk stopped before it forgot the order, and learnt of the payment again.
	{Time: at(9, 30), Kind: journal.PaymentPaid, Utility: utility.Electricity, Ref: "K1", UtilityRef: "R1", Amount: 47526},
	{Time: at(10, 0), Kind: journal.SessionStart, Session: "s2"},
	{Time: at(10, 1), Kind: journal.RequestSubmitted, Utility: utility.Water, Ref: "K2", Detail: "payment"},
	{Time: at(10, 3), Kind: journal.PaymentSettled, Utility: utility.Water, Ref: "K2", Detail: "expired"},
	{Time: at(10, 5), Kind: journal.RequestSubmitted, Utility: utility.Water, Ref: "K3", Detail: "application"},
	{Time: at(10, 5), Kind: journal.RequestSubmitted, Utility: utility.Gas, Ref: "K4", Detail: "application"},
	{Time: at(10, 5), Kind: journal.RequestSubmitted, Utility: utility.Broadband, Ref: "K5", Detail: "application"},
	{Time: at(10, 6), Kind: journal.PrintFailed, Session: "s2", Ref: "J1", Detail: "acceptance: 缺纸"},
	{Time: at(10, 20), Kind: journal.StaffReprint, Ref: "J1", Actor: "0107", Detail: "acceptance"},
	{Time: at(10, 20), Kind: journal.Print, Ref: "J1", Detail: "acceptance 补打"},
	{Time: at(10, 25), Kind: journal.Print, Detail: "打印机测试页"},
	{Time: at(11, 0), Kind: journal.RequestSubmitted, Utility: utility.Water, Ref: "K6", Detail: "transfer"},
	{Time: at(11, 0), Kind: journal.RequestRejected, Utility: utility.Water, Ref: "K6", Detail: "unpaid_bills"},
	{Time: at(11, 0), Kind: journal.RequestDead, Utility: utility.Water, Ref: "K6"},
	// A visit without a card; another that placed one, counted once, with its card.
	{Time: at(12, 0), Kind: journal.SessionStart, Session: "a1", Detail: journal.Anonymous},
	{Time: at(12, 3), Kind: journal.SessionEnd, Session: "a1", Detail: "idle"},
	{Time: at(13, 0), Kind: journal.SessionStart, Session: "a2", Detail: journal.Anonymous},
	{Time: at(13, 2), Kind: journal.SessionEnd, Session: "a2", Detail: "replaced"},
	{Time: at(13, 2), Kind: journal.SessionStart, Session: "s4", Detail: "resident"},
	{Time: at(13, 9), Kind: journal.SessionEnd, Session: "s4", Detail: "replaced"},
	{Time: at(14, 0), Kind: journal.SessionStart, Session: "s3"},
	{Time: at(14, 2), Kind: journal.RequestSubmitted, Utility: utility.Electricity, Ref: "K7", Detail: "evaluation"},
	{Time: at(14, 3), Kind: journal.RequestSubmitted, Utility: utility.Electricity, Ref: "K8", Detail: "payment_cancel"},
	{Time: at(15, 0), Kind: journal.StaffLogin, Actor: "0107"},
	{Time: at(0, 0).AddDate(0, 0, 1), Kind: journal.SessionStart, Session: "tomorrow"},
}

func TestOf(t *testing.T) {
	from, to := Day(at(16, 45))
	if !from.Equal(at(0, 0)) || !to.Equal(at(0, 0).AddDate(0, 0, 1)) {
		t.Fatalf("the day is %v to %v", from, to)
	}
	s := Of(day, from, to, []string{utility.Electricity, utility.Water, utility.Gas})
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/day.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got\n%s\nwant (%s)\n%s", got, golden, want)
	}
	if s.Visits != 4 || s.VisitsNoCard != 1 {
		t.Errorf("%d visits with a card, %d without; want 4 and 1", s.Visits, s.VisitsNoCard)
	}
	total := s.Total()
	if total.Paid != 1 || total.Amount != 47526 || total.Orders != 2 || total.Applications != 3 || total.Transfers != 1 ||
		total.Ratings != 1 || total.ToStaff != 1 || total.ID != "" {
		t.Errorf("total %+v", total)
	}
}

// Two kiosks' days add up utility by utility; a utility only one kiosk serves is there
// once.
func TestSum(t *testing.T) {
	from, to := Day(at(12, 0))
	a := Of(day, from, to, []string{utility.Electricity, utility.Water})
	b := Of(day[:6], from, to, []string{utility.Water, utility.Gas})
	s := Sum(a, b)
	var ids []string
	for _, u := range s.Utilities {
		ids = append(ids, u.ID)
	}
	if fmt.Sprint(ids) != "[electricity water gas broadband]" || !s.From.Equal(from) || !s.To.Equal(to) {
		t.Fatalf("utilities %v, %v to %v", ids, s.From, s.To)
	}
	if s.Visits != a.Visits+b.Visits || s.VisitsNoCard != a.VisitsNoCard+b.VisitsNoCard || s.Printed != 2 || s.Total().Paid != 2 || s.Total().Amount != 2*47526 || s.Total().Applications != 3 {
		t.Errorf("sum %+v, total %+v", s, s.Total())
	}
	if z := Sum(); z.Visits != 0 || len(z.Utilities) != 0 {
		t.Errorf("the sum of nothing: %+v", z)
	}
}

func TestOfNothing(t *testing.T) {
	from, to := Day(at(8, 0))
	s := Of(nil, from, to, []string{utility.Water})
	if s.Visits != 0 || len(s.Utilities) != 1 || s.Utilities[0] != (Utility{ID: utility.Water}) || s.Total() != (Utility{}) {
		t.Errorf("an empty day: %+v", s)
	}
}

// A visit without a card taken on by the citizen's card (placed while its payment was
// open, then read once the payment ended) is one visit, with a card, as one a card
// replaced is.
func TestVisitTakenOnByCardCountedOnce(t *testing.T) {
	from, to := Day(at(12, 0))
	s := Of([]journal.Event{
		{Time: at(12, 0), Kind: journal.SessionStart, Session: "a1", Detail: journal.Anonymous},
		{Time: at(12, 4), Kind: journal.SessionStart, Session: "a1", Detail: "resident"},
		{Time: at(12, 9), Kind: journal.SessionEnd, Session: "a1", Detail: "exit"},
		{Time: at(13, 0), Kind: journal.SessionStart, Session: "a2", Detail: journal.Anonymous},
		{Time: at(13, 2), Kind: journal.SessionEnd, Session: "a2", Detail: "idle"},
	}, from, to, nil)
	if s.Visits != 1 || s.VisitsNoCard != 1 {
		t.Errorf("%d visits with a card, %d without; want 1 and 1", s.Visits, s.VisitsNoCard)
	}
}
