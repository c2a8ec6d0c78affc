package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// A day's report, from the journal of a kiosk that is not running: the requests set
// aside by kioskWithDeadLetters, and a payment and a receipt journaled as the kiosk
// journals them. Other days are empty; a day to come or not a date is refused.
func TestJournalReport(t *testing.T) {
	cfg, _ := kioskWithDeadLetters(t)
	st, err := store.Open(store.Options{Dir: strings.TrimSuffix(cfg, "kiosk.toml") + "data"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	j := journal.New(st, nil)
	for _, e := range []journal.Event{
		{Time: now, Kind: journal.SessionStart, Session: "s1"},
		{Time: now, Kind: journal.PaymentPaid, Utility: utility.Electricity, Ref: "K2611270170001", UtilityRef: "R1", Amount: 47526},
		{Time: now, Kind: journal.Print, Session: "s1", Ref: "K2611270170001", Detail: "payment"},
		{Time: now, Kind: journal.Print, Detail: "打印机测试页"},
		{Time: now, Kind: journal.SessionStart, Session: "a1", Detail: journal.Anonymous},
	} {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	day := now.In(workdays.CST).Format(time.DateOnly)
	code, out, errs := kioskctl(t, "journal", "report", "--config", cfg, "--day", day)
	if code != 0 || errs != "" {
		t.Fatalf("report: %d %q %q", code, out, errs)
	}
	for _, want := range []string{day, "kiosk LZH-DEMO-01, visits with an ID card: 1, without one: 1",
		"electricity  1     ￥475.26", "water        0     ￥0.00    0           0             0          2        2",
		"all          1     ￥475.26", "receipts: 1 printed, 0 not printed whole, 0 printed again (补打)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	code, out, _ = kioskctl(t, "journal", "report", "--config", cfg, "--day", day, "--json")
	var s report.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 || s.Total().Amount != 47526 || s.Total().Ratings != 2 || len(s.Utilities) != 4 {
		t.Fatalf("report --json: %d %q %v", code, out, err)
	}
	if code, out, _ := kioskctl(t, "journal", "report", "--config", cfg, "--day", "2026-01-01"); code != 0 || !strings.Contains(out, "visits with an ID card: 0, without one: 0") || !strings.Contains(out, "all          0     ￥0.00") {
		t.Errorf("a day without events: %d %q", code, out)
	}
	// The month holds the day.
	month := now.In(workdays.CST).Format("2006-01")
	if code, out, errs := kioskctl(t, "journal", "report", "--config", cfg, "--month", month); code != 0 || !strings.Contains(out, month+" (the month), kiosk LZH-DEMO-01, visits with an ID card: 1, without one: 1") ||
		!strings.Contains(out, "all          1     ￥475.26") {
		t.Errorf("--month %s: %d %q %q", month, code, out, errs)
	}
	for _, bad := range [][]string{{"--day", now.AddDate(0, 0, 2).In(workdays.CST).Format(time.DateOnly)}, {"--day", "27/11/2026"},
		{"--month", "2026-13"}, {"--month", now.AddDate(0, 2, 0).In(workdays.CST).Format("2006-01")}, {"--day", day, "--month", month}} {
		if code, _, errs := kioskctl(t, append([]string{"journal", "report", "--config", cfg}, bad...)...); code != 2 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: %d %q", bad, code, errs)
		}
	}
}
