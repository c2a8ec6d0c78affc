// Package report sums up a stretch of the kiosk's journal, usually a day (业务量统计):
// the visits; per utility the payments made and their amount, the payment orders
// made, the applications, transfers and ratings sent, and what was set aside for staff;
// the receipts printed. It counts what the kiosk knew, from its journal alone: the
// utilities' books are theirs.
package report

import (
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
)

// Summary is what happened at the kiosk from From (included) to To (excluded).
type Summary struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Visits are the citizens' visits begun with an ID card; VisitsNoCard those without
	// one (an account, an application or a bill looked up by its number or its QR code),
	// but for one that placed a card later on, which counts with a card.
	Visits       int `json:"visits"`
	VisitsNoCard int `json:"visits_no_card"`
	// Utilities holds one entry per utility asked for, in that order, then any other
	// the journal names.
	Utilities []Utility `json:"utilities"`
	// Printed and NotPrinted count the receipts printed for citizens at their visit and
	// those that did not print whole (paper out, a jam); Reprinted those staff printed
	// again (补打). Staff's test pages are not receipts.
	Printed    int `json:"printed"`
	NotPrinted int `json:"not_printed"`
	Reprinted  int `json:"reprinted"`
}

// Utility is one utility's share of a Summary.
type Utility struct {
	ID string `json:"utility"`
	// Paid counts the payment orders paid, Amount their total.
	Paid   int         `json:"paid"`
	Amount utility.Fen `json:"amount_fen"`
	// Orders counts the payment orders made (pay QR codes shown).
	Orders       int `json:"orders"`
	Applications int `json:"applications"`
	Transfers    int `json:"transfers"`
	Ratings      int `json:"ratings"`
	// ToStaff counts the requests set aside for staff: refused for good, or not
	// delivered after every attempt.
	ToStaff int `json:"to_staff"`
}

// Of sums up the events from from to to, each utility of ids first. A payment journaled
// twice (the kiosk stopped before it forgot the order) counts once.
func Of(events []journal.Event, from, to time.Time, ids []string) Summary {
	s := Summary{From: from, To: to}
	at := map[string]int{}
	for _, id := range ids {
		at[id] = len(s.Utilities)
		s.Utilities = append(s.Utilities, Utility{ID: id})
	}
	of := func(id string) *Utility {
		i, ok := at[id]
		if !ok {
			i = len(s.Utilities)
			at[id] = i
			s.Utilities = append(s.Utilities, Utility{ID: id})
		}
		return &s.Utilities[i]
	}
	paid := map[string]bool{}
	noCard := map[string]bool{}
	for _, e := range events {
		if e.Time.Before(from) || !e.Time.Before(to) {
			continue
		}
		switch e.Kind {
		case journal.SessionStart:
			switch {
			case e.Detail == journal.Anonymous:
				noCard[e.Session] = true
				s.VisitsNoCard++
			case noCard[e.Session]:
				// A visit without a card taken on by the citizen's card (a card held while
				// its payment was open): one visit, with a card.
				delete(noCard, e.Session)
				s.VisitsNoCard--
				s.Visits++
			default:
				s.Visits++
			}
		case journal.SessionEnd:
			// A card placed during a visit without one ends it as replaced: the same
			// citizen goes on with their card, a visit counted once.
			if noCard[e.Session] && e.Detail == string(session.ReasonReplaced) {
				s.VisitsNoCard--
			}
		case journal.Print:
			if e.Session != "" {
				s.Printed++
			}
		case journal.PrintFailed:
			if e.Session != "" {
				s.NotPrinted++
			}
		case journal.StaffReprint:
			s.Reprinted++
		case journal.PaymentPaid:
			if !paid[e.Ref] {
				paid[e.Ref] = true
				u := of(e.Utility)
				u.Paid++
				u.Amount += utility.Fen(e.Amount)
			}
		case journal.RequestDead:
			of(e.Utility).ToStaff++
		case journal.RequestSubmitted:
			u := of(e.Utility)
			switch utility.Kind(e.Detail) {
			case utility.KindPayment:
				u.Orders++
			case utility.KindApplication:
				u.Applications++
			case utility.KindTransfer:
				u.Transfers++
			case utility.KindEvaluation:
				u.Ratings++
			}
		}
	}
	return s
}

// Total is the utilities' entries added up (its ID is empty).
func (s Summary) Total() Utility {
	var t Utility
	for _, u := range s.Utilities {
		t.add(u)
	}
	return t
}

func (t *Utility) add(u Utility) {
	t.Paid += u.Paid
	t.Amount += u.Amount
	t.Orders += u.Orders
	t.Applications += u.Applications
	t.Transfers += u.Transfers
	t.Ratings += u.Ratings
	t.ToStaff += u.ToStaff
}

// Sum adds up summaries of the same stretch of time (several kiosks' days): the first
// one's From and To, each utility once, in the order they first appear.
func Sum(ss ...Summary) Summary {
	var out Summary
	at := map[string]int{}
	for i, s := range ss {
		if i == 0 {
			out.From, out.To = s.From, s.To
		}
		out.Visits += s.Visits
		out.VisitsNoCard += s.VisitsNoCard
		out.Printed += s.Printed
		out.NotPrinted += s.NotPrinted
		out.Reprinted += s.Reprinted
		for _, u := range s.Utilities {
			j, ok := at[u.ID]
			if !ok {
				j = len(out.Utilities)
				at[u.ID] = j
				out.Utilities = append(out.Utilities, Utility{ID: u.ID})
			}
			out.Utilities[j].add(u)
		}
	}
	return out
}

// Day is the local day that t falls in, midnight to midnight in t's location (a day
// of 23 or 25 hours where clocks change).
func Day(t time.Time) (from, to time.Time) {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location()), time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}
