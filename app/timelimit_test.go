package app_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
)

// everything but the reference, the only field the API requires of a progress.
var allButReference = []string{"kiosk_ref", "utility", "service", "service_name", "state", "state_name", "accepted_at",
	"steps", "working_days", "deadline", "done_at", "on_time", "evaluated"}

// A utility may leave out of an application's progress all but its reference: what it
// leaves out of the time limit is worked out by the kiosk (the working days counted to
// the utility's deadline, or the catalogue's; the deadline on the kiosk's working-day
// calendar; whether it is kept, from the deadline), the same whether the application is
// listed by ID card or found by its number. What cannot be worked out stays unknown: no
// zero date, and nothing said of keeping the time limit.
func TestProgressFilledIn(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	k := f.k
	sameOnTime := func(t *testing.T, got, full utility.Progress) {
		t.Helper()
		if got.OnTime == nil || full.OnTime == nil || *got.OnTime != *full.OnTime {
			t.Errorf("on time %v, the utility's %v", ptr(got.OnTime), ptr(full.OnTime))
		}
	}
	for _, tc := range []struct {
		name    string
		citizen int // 0: 张三's finished in time; 6: 刘卫东's open and past its deadline
		omit    []string
		check   func(t *testing.T, full, got utility.Progress)
	}{
		{"on_time left out, finished in time", 0, []string{"on_time"}, func(t *testing.T, full, got utility.Progress) {
			sameOnTime(t, got, full)
		}},
		{"on_time left out, open and late", 6, []string{"on_time"}, func(t *testing.T, full, got utility.Progress) {
			sameOnTime(t, got, full)
		}},
		{"working_days left out", 0, []string{"working_days"}, func(t *testing.T, full, got utility.Progress) {
			if got.WorkingDays != full.WorkingDays || !got.Deadline.Equal(full.Deadline) {
				t.Errorf("%d working days to %v, the utility's %d to %v", got.WorkingDays, got.Deadline, full.WorkingDays, full.Deadline)
			}
		}},
		{"deadline and on_time left out", 6, []string{"deadline", "on_time"}, func(t *testing.T, full, got utility.Progress) {
			if want := k.Calendar.Deadline(full.AcceptedAt, full.WorkingDays); got.Deadline.IsZero() || !got.Deadline.Equal(want) {
				t.Errorf("deadline %v, want %v", got.Deadline, want)
			}
			sameOnTime(t, got, full)
		}},
		{"working_days, deadline and on_time left out", 0, []string{"working_days", "deadline", "on_time"}, func(t *testing.T, full, got utility.Progress) {
			svc, ok := k.Catalog().Service(full.Utility, full.Service)
			if !ok {
				t.Fatalf("no catalogue service %s/%s", full.Utility, full.Service)
			}
			deadline := k.Calendar.Deadline(full.AcceptedAt, svc.Days)
			if got.WorkingDays != svc.Days || !got.Deadline.Equal(deadline) {
				t.Errorf("%d working days to %v, want the catalogue's %d to %v", got.WorkingDays, got.Deadline, svc.Days, deadline)
			}
			if kept := workdays.Kept(deadline, full.DoneAt); got.OnTime == nil || *got.OnTime != kept {
				t.Errorf("on time %v, want %v", ptr(got.OnTime), kept)
			}
		}},
		{"all but the reference left out", 6, allButReference, func(t *testing.T, full, got utility.Progress) {
			if !got.Deadline.IsZero() || got.OnTime != nil || got.Late() || got.WorkingDays != 0 || got.Utility != utility.Electricity {
				t.Errorf("progress %+v", got)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.citizen(tc.citizen)
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			full := myApplication(t, k, utility.Electricity).Progress
			if full.OnTime == nil || full.Deadline.IsZero() || full.WorkingDays == 0 {
				t.Fatalf("the simulator's full answer: %+v", full)
			}
			setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Omit: tc.omit})
			defer setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
			listed := myApplication(t, k, utility.Electricity)
			found, err := findOne(k, full.Reference)
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []app.Application{listed, found} {
				if got.Progress.Reference != full.Reference {
					t.Fatalf("got %s, want %s", got.Progress.Reference, full.Reference)
				}
				tc.check(t, full, got.Progress)
			}
		})
	}
}

func ptr(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}

// An acceptance that leaves out the time limit is read with the catalogue's rules for
// the citizen's answers, so that the screen and the printed 一次性告知书 tell the same
// committed working days and deadline; what the utility does give binds.
func TestAcceptanceFilledIn(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	p := capturePrinter(t, f)
	for i, tc := range []struct {
		name string
		omit []string
	}{
		{"working_days left out", []string{"working_days"}},
		{"deadline left out", []string{"deadline"}},
		{"both left out", []string{"working_days", "deadline"}},
		{"both and accepted_at left out", []string{"working_days", "deadline", "accepted_at"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setFaults(t, f.sims, utility.Water, utilitysim.Faults{Omit: tc.omit})
			defer setFaults(t, f.sims, utility.Water, utilitysim.Faults{})
			f.citizen(5)
			a := applyFor(t, f.k, nil, jointOf(t, f.k, catalog.JointConnection, utility.Water)...)
			before := len(p.Accepted())
			r := submitForm(t, a)
			part := r.Answers[0]
			acc, o := part.Acceptance, part.Outcome
			if acc == nil || part.Reference == "" {
				t.Fatalf("water: %+v", part)
			}
			if acc.WorkingDays != o.Days || o.Days == 0 || !acc.Deadline.Equal(o.Deadline) || acc.AcceptedAt.IsZero() {
				t.Errorf("acceptance: %d working days to %v (accepted %v), the rules' %d to %v", acc.WorkingDays, acc.Deadline,
					acc.AcceptedAt, o.Days, o.Deadline)
			}
			printedLast(t, p, i+1)
			raw := p.Accepted()[before:]
			// The row may wrap after the date: its parts, each whole.
			days, day := fmt.Sprintf("%d个工作日，最迟", o.Days), workdays.FormatDate(o.Deadline, i18n.ZH)
			if !bytes.Contains(raw, gb(t, days+day)) {
				t.Errorf("the receipt does not tell the time limit %s%s", days, day)
			}
		})
	}
}
