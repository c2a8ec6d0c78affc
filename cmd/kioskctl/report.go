package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/workdays"
)

// todayLine is a day's summary on one line, as kiosk status and fleet status print it.
func todayLine(s report.Summary) string {
	t := s.Total()
	return fmt.Sprintf("%s: %d visits with an ID card, %d without; %d paid, %s; %d applications, %d transfers, %d ratings sent; %d set aside for staff; %d receipts printed, %d not whole",
		s.From.In(workdays.CST).Format(time.DateOnly), s.Visits, s.VisitsNoCard, t.Paid, t.Amount.Yuan(), t.Applications, t.Transfers, t.Ratings, t.ToStaff, s.Printed, s.NotPrinted)
}

// journalReport prints a day's or a month's business at the kiosk from its journal:
// what staff report to the hall and the utilities (业务量统计, 月报), and check against
// the utilities' own figures.
func journalReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("journal report")
	at := reachFlags(fs)
	dayFlag := fs.String("day", "", "the day, as YYYY-MM-DD, midnight to midnight China time as the receipts' (none: today)")
	monthFlag := fs.String("month", "", "the month instead, as YYYY-MM")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	now := time.Now().In(workdays.CST)
	from, to := report.Day(now)
	switch {
	case *dayFlag != "" && *monthFlag != "":
		return usageError("--day and --month: give one")
	case *dayFlag != "":
		day, err := time.ParseInLocation(time.DateOnly, *dayFlag, workdays.CST)
		if err != nil {
			return usageError("--day %q is not a date like %s", *dayFlag, now.Format(time.DateOnly))
		}
		from, to = report.Day(day)
	case *monthFlag != "":
		month, err := time.ParseInLocation("2006-01", *monthFlag, workdays.CST)
		if err != nil {
			return usageError("--month %q is not a month like %s", *monthFlag, now.Format("2006-01"))
		}
		from, to = month, month.AddDate(0, 1, 0)
	}
	title := from.Format("2006-01-02 (Monday)")
	if *monthFlag != "" {
		title = from.Format("2006-01") + " (the month)"
	}
	if from.After(now) {
		return usageError("--day or --month: %s has not begun", from.Format(time.DateOnly))
	}
	d, err := at.open()
	if err != nil {
		return err
	}
	defer d.close()
	evs, err := d.Events(context.Background(), staff.Query{Since: now.Sub(from) + time.Second})
	if err != nil {
		return err
	}
	s := report.Of(evs, from, to, d.id.Enabled)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(s)
	}
	fmt.Fprintf(stdout, "%s, kiosk %s, visits with an ID card: %d, without one: %d\n", title, d.id.ID, s.Visits, s.VisitsNoCard)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UTILITY\tPAID\tAMOUNT\tPAY ORDERS\tAPPLICATIONS\tTRANSFERS\tRATINGS\tTO STAFF")
	row := func(name string, u report.Utility) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\n", name, u.Paid, u.Amount.Yuan(), u.Orders, u.Applications, u.Transfers, u.Ratings, u.ToStaff)
	}
	for _, u := range s.Utilities {
		row(u.ID, u)
	}
	row("all", s.Total())
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "receipts: %d printed, %d not printed whole, %d printed again (补打)\n", s.Printed, s.NotPrinted, s.Reprinted)
	return nil
}
