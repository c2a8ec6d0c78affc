// Package workdays is the working-day calendar of China (Mainland): Monday to Friday are
// working days, Saturday and Sunday are not, public holidays are not, and make-up
// workdays (调休上班日, a Saturday or Sunday worked in exchange for a longer holiday) are.
// Time limits of utility services are counted in working days, in China Standard Time.
//
// The calendar data is TOML (assets/calendar.toml, embedded), one [[year]] per year with
// its holidays and make-up workdays, as the State Council publishes them each November.
//
// Counting convention (the usual reading of "n 个工作日内"): the day of acceptance does
// not count, whatever time it is and whether or not it is a working day; the limit ends at
// the end of the n-th working day after it. Deadline(accepted, 0) is the acceptance day.
package workdays

import (
	"fmt"
	"sort"
	"time"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/assets"
)

// CST is China Standard Time, UTC+8 all year (China has no daylight saving time since
// 1991), so the kiosk needs no time-zone database.
var CST = time.FixedZone("CST", 8*60*60)

// MaxDays bounds the n of Deadline: no utility commits to more than this.
const MaxDays = 100000

// Status says how a year's data was established.
type Status string

const (
	// Official: the State Council's notice for the year (国务院办公厅关于…年部分节假日安排的通知).
	Official Status = "official"
	// Statutory: the notice is not (yet) known; only the holidays the
	// 全国年节及纪念日放假办法 itself fixes are entered (the lunar ones converted to their
	// dates), without the notice's make-up workdays, so counts in that year are estimates.
	Statutory Status = "statutory"
)

// Year is one year of the calendar.
type Year struct {
	Year     int
	Status   Status
	Source   string
	URL      string
	Holidays []Holiday
}

// Holiday is one holiday period (放假调休) with its make-up workdays.
type Holiday struct {
	Name, NameEN string
	// From and To are the first and last day off (midnight CST).
	From, To time.Time
	// Workdays are the make-up workdays (调休上班日) that go with this holiday.
	Workdays []time.Time
}

// Calendar answers working-day questions. It is immutable and safe for concurrent use.
type Calendar struct {
	years    []Year
	official map[int]bool
	off      map[day]*Holiday // days off that would otherwise be working days, and weekend holiday days
	on       map[day]*Holiday // make-up workdays
	offWeek  []day            // sorted days off that fall on Monday–Friday
	onSorted []day            // sorted make-up workdays
}

// day is a civil date as days since 1970-01-01.
type day int64

func dayOf(t time.Time) day {
	y, m, d := t.In(CST).Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) time() time.Time {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, CST)
}

// weekday: 1970-01-01 was a Thursday.
func (d day) weekday() time.Weekday { return time.Weekday(((int64(d)+4)%7 + 7) % 7) }

func (d day) weekend() bool { w := d.weekday(); return w == time.Saturday || w == time.Sunday }

// Default returns the embedded calendar (assets/calendar.toml).
func Default() (*Calendar, error) { return Parse(assets.Calendar, "calendar.toml") }

// Years returns the calendar's years, oldest first.
func (c *Calendar) Years() []Year { return c.years }

// IsWorkingDay reports whether t's date (in CST) is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.working(dayOf(t)) }

func (c *Calendar) working(d day) bool {
	if _, ok := c.on[d]; ok {
		return true
	}
	if _, ok := c.off[d]; ok {
		return false
	}
	return !d.weekend()
}

// Official reports whether t's year has the State Council's published arrangement. When it
// has not, working days in it are counted from weekends and the law's own holidays only, and a deadline that falls in or beyond it is an estimate the screen should say so.
func (c *Calendar) Official(t time.Time) bool { return c.official[t.In(CST).Year()] }

// OfficialThrough reports whether every date from from to to (inclusive, CST) lies in a year
// with an official arrangement.
func (c *Calendar) OfficialThrough(from, to time.Time) bool {
	a, b := from.In(CST).Year(), to.In(CST).Year()
	if a > b {
		a, b = b, a
	}
	for y := a; y <= b; y++ {
		if !c.official[y] {
			return false
		}
	}
	return true
}

// HolidayName returns the name of the holiday t's date belongs to, in the language
// asked for, for a make-up workday too (e.g. 春节 for 2026-02-14).
func (c *Calendar) HolidayName(t time.Time, lang i18n.Lang) (string, bool) {
	d := dayOf(t)
	h, ok := c.off[d]
	if !ok {
		h, ok = c.on[d]
	}
	if !ok {
		return "", false
	}
	if lang == i18n.EN && h.NameEN != "" {
		return h.NameEN, true
	}
	return h.Name, true
}

// Deadline returns the end of a time limit of n working days for something accepted at
// accepted: the date of the n-th working day after the acceptance day (which does not
// count), as midnight CST at the start of that day. The limit is kept by anything done
// before that day ends (see Kept). n ≤ 0 gives the acceptance day; n is capped at MaxDays.
func (c *Calendar) Deadline(accepted time.Time, n int) time.Time {
	a := dayOf(accepted)
	if n <= 0 {
		return a.time()
	}
	n = min(n, MaxDays)
	// Count is monotone in its second argument: find the first day where it reaches n.
	lo, hi := a, a+day(2*n+60)
	for c.count(a, hi) < n {
		hi += day(2*n + 60)
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.count(a, mid) >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo.time()
}

// Count returns the number of working days after from's date up to and including to's
// date (CST), so that Count(a, Deadline(a, n)) == n. It is negative when to is before from.
func (c *Calendar) Count(from, to time.Time) int {
	a, b := dayOf(from), dayOf(to)
	if b < a {
		return -c.count(b, a)
	}
	return c.count(a, b)
}

// Kept reports whether something done at done is within a time limit ending on deadline's
// date (see Deadline).
func Kept(deadline, done time.Time) bool { return dayOf(done) <= dayOf(deadline) }

// count is the number of working days in (a, b], for a ≤ b, in time proportional to the
// number of holidays, not to b-a.
func (c *Calendar) count(a, b day) int {
	n := weekdaysBefore(b+1) - weekdaysBefore(a+1)
	n += between(c.onSorted, a, b)
	n -= between(c.offWeek, a, b)
	return int(n)
}

// weekdaysBefore counts Monday–Friday days in [0, d) (negative for d < 0).
func weekdaysBefore(d day) int64 {
	weeks := int64(d) / 7
	rem := int64(d) % 7
	if rem < 0 {
		weeks--
		rem += 7
	}
	n := weeks * 5
	for i := range rem {
		if !day(weeks*7 + i).weekend() {
			n++
		}
	}
	return n
}

// between counts the entries of sorted s in (a, b].
func between(s []day, a, b day) int64 {
	i := sort.Search(len(s), func(i int) bool { return s[i] > a })
	j := sort.Search(len(s), func(i int) bool { return s[i] > b })
	return int64(j - i)
}

// FormatDate writes a date for citizens: 2026年11月27日（周五） or Fri 27 Nov 2026.
func FormatDate(t time.Time, lang i18n.Lang) string {
	t = t.In(CST)
	if lang == i18n.EN {
		return t.Format("Mon 2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日（%s）", t.Year(), t.Month(), t.Day(), weekdayZH[t.Weekday()])
}

// FormatDay writes a date without its weekday: 2026年11月24日 or 24 Nov 2026.
func FormatDay(t time.Time, lang i18n.Lang) string {
	t = t.In(CST)
	if lang == i18n.EN {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// FormatMonth writes a bill's period, as the utilities send it (2026-05), for citizens:
// 2026年5月 or May 2026. Anything else is written as it is.
func FormatMonth(period string, lang i18n.Lang) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	if lang == i18n.EN {
		return t.Format("Jan 2006")
	}
	return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
}

var weekdayZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// WeekdayZH is the short Chinese name of a weekday: 周一 … 周日.
func WeekdayZH(w time.Weekday) string { return weekdayZH[w] }
