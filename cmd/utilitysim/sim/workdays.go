package sim

import "time"

// cst is China Standard Time; utilities count days in it.
var cst = time.FixedZone("CST", 8*3600)

// workdays counts working days: Monday to Friday, less holidays, plus make-up workdays
// (调休), both as "2006-01-02".
type workdays struct {
	holidays map[string]bool
	makeup   map[string]bool
}

func newWorkdays(holidays, makeup []string) workdays {
	w := workdays{holidays: map[string]bool{}, makeup: map[string]bool{}}
	for _, d := range holidays {
		w.holidays[d] = true
	}
	for _, d := range makeup {
		w.makeup[d] = true
	}
	return w
}

func (w workdays) working(t time.Time) bool {
	d := t.In(cst).Format("2006-01-02")
	if w.makeup[d] {
		return true
	}
	if w.holidays[d] {
		return false
	}
	wd := t.In(cst).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// deadline is the end (23:59:59 CST) of the n-th working day after the day of t: the
// day of acceptance does not count.
func (w workdays) deadline(t time.Time, n int) time.Time {
	d := t.In(cst)
	d = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, cst)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if w.working(d) {
			n--
		}
	}
	return d
}

// before goes back n working days from t (for seeding past applications).
func (w workdays) before(t time.Time, n int) time.Time {
	d := t
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if w.working(d) {
			n--
		}
	}
	return d
}
