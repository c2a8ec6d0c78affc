package app

import (
	"github.com/liangzihu/kiosk/app/catalog"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The utility API (docs/utility-api.yaml) requires only reference in a Progress and an
// Acceptance: a utility may leave out the committed working days, the deadline and
// whether the time limit is kept. What it leaves out the kiosk reads from what it knows
// itself, so that a missing field is never told as a fact (0个工作日, a deadline in year 1,
// every application 已超出承诺时限). What the utility does say binds.

// completeProgress fills in what a utility left out of an application's progress:
//   - working_days: counted from accepted_at to the utility's deadline on the kiosk's
//     working-day calendar; without a deadline, the catalogue's days for the service;
//   - deadline: that many working days after accepted_at, on the calendar;
//   - on_time: whether the deadline was kept by done_at, or, while the application is
//     open, is still kept today.
//
// What cannot be worked out stays unset: a zero Deadline (no date is shown) and a nil
// OnTime (nothing is said of keeping the time limit).
func (k *Kiosk) completeProgress(utilityID string, p utility.Progress) utility.Progress {
	if p.Utility == "" {
		p.Utility = utilityID
	}
	accepted := !p.AcceptedAt.IsZero()
	if p.WorkingDays <= 0 {
		switch {
		case accepted && !p.Deadline.IsZero():
			p.WorkingDays = max(k.Calendar.Count(p.AcceptedAt, p.Deadline), 0)
		default:
			if svc, ok := k.Catalog().Service(p.Utility, p.Service); ok {
				p.WorkingDays = svc.Days
			}
		}
	}
	if p.Deadline.IsZero() && accepted && p.WorkingDays > 0 {
		p.Deadline = k.Calendar.Deadline(p.AcceptedAt, p.WorkingDays)
	}
	if p.OnTime == nil && !p.Deadline.IsZero() {
		switch {
		case !p.DoneAt.IsZero():
			kept := workdays.Kept(p.Deadline, p.DoneAt)
			p.OnTime = &kept
		case p.State != utility.StateDone: // done, but not said when: nothing to say
			kept := workdays.Kept(p.Deadline, k.Clock.Now())
			p.OnTime = &kept
		}
	}
	return p
}

// completeAcceptance fills in what a utility left out of its acceptance of a part, from
// the kiosk's own reading of the rules for the citizen's answers (o, the catalogue's):
// the acceptance time, the committed working days and the deadline (the day the citizen
// chose, when later). The receipt's 一次性告知书 and the screen then tell the same time
// limit.
func (k *Kiosk) completeAcceptance(acc utility.Acceptance, o *catalog.Outcome) utility.Acceptance {
	if acc.AcceptedAt.IsZero() {
		acc.AcceptedAt = o.Accepted
	}
	switch {
	case acc.WorkingDays <= 0 && acc.Deadline.IsZero():
		acc.WorkingDays, acc.Deadline = o.Days, o.Deadline
	case acc.WorkingDays <= 0:
		acc.WorkingDays = o.Days
	case acc.Deadline.IsZero():
		acc.Deadline = k.Calendar.Deadline(acc.AcceptedAt, acc.WorkingDays)
		if o.ChosenDate && o.Deadline.After(acc.Deadline) {
			acc.Deadline = o.Deadline
		}
	}
	return acc
}
