package workdays

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/tomlpos"
)

type rawCalendar struct {
	Year []struct {
		Year    int    `toml:"year"`
		Status  string `toml:"status"`
		Source  string `toml:"source"`
		URL     string `toml:"url"`
		Holiday []struct {
			Name     string `toml:"name"`
			NameEN   string `toml:"name_en"`
			From     date   `toml:"from"`
			To       date   `toml:"to"`
			Workdays []date `toml:"workdays"`
		} `toml:"holiday"`
	} `toml:"year"`
}

// longestHoliday bounds a holiday period: the longest so far (春节 2026) is 9 days.
const longestHoliday = 15

// Parse reads a calendar from TOML text (name is used in messages). Malformed or
// contradictory data is refused with an error naming the file, the line and the key:
// a day that is both a holiday and a make-up workday, a make-up workday on a weekday,
// a holiday that ends before it starts, a date far from its year, a year given twice.
func Parse(data []byte, name string) (*Calendar, error) {
	var raw rawCalendar
	_, ix, err := tomlpos.Decode(data, name, &raw)
	if err != nil {
		return nil, fmt.Errorf("workdays: %w", err)
	}
	fail := func(path, format string, args ...any) error {
		return fmt.Errorf("workdays: %w", &tomlpos.Error{File: name, Line: ix.Line(path), Key: path, Msg: fmt.Sprintf(format, args...)})
	}
	c := &Calendar{official: map[int]bool{}, off: map[day]*Holiday{}, on: map[day]*Holiday{}}
	if len(raw.Year) == 0 {
		return nil, fail("year", "the calendar has no [[year]]")
	}
	seenYear := map[int]bool{}
	for yi, ry := range raw.Year {
		yp := fmt.Sprintf("year[%d]", yi)
		if ry.Year < 2000 || ry.Year > 2100 {
			return nil, fail(yp+".year", "%d is not a plausible year (2000 to 2100)", ry.Year)
		}
		if seenYear[ry.Year] {
			return nil, fail(yp+".year", "year %d is given twice", ry.Year)
		}
		seenYear[ry.Year] = true
		y := Year{Year: ry.Year, Status: Status(ry.Status), Source: strings.TrimSpace(ry.Source), URL: ry.URL}
		switch y.Status {
		case Official, Statutory:
		default:
			return nil, fail(yp+".status", "%q is not a status; use \"official\" (the State Council's notice) or \"statutory\" (the law's holidays only)", ry.Status)
		}
		if y.Source == "" {
			return nil, fail(yp+".source", "say where the dates come from (the notice's title and date)")
		}
		// A holiday period may start in late December or end in early January.
		lo := dayOf(time.Date(ry.Year-1, 12, 1, 0, 0, 0, 0, CST))
		hi := dayOf(time.Date(ry.Year+1, 1, 31, 0, 0, 0, 0, CST))
		for hi2, rh := range ry.Holiday {
			hp := fmt.Sprintf("%s.holiday[%d]", yp, hi2)
			if strings.TrimSpace(rh.Name) == "" || strings.TrimSpace(rh.NameEN) == "" {
				return nil, fail(hp+".name", "a holiday needs name and name_en")
			}
			h := &Holiday{Name: rh.Name, NameEN: rh.NameEN}
			check := func(path string, dt date) (day, error) {
				t := dt.Time
				if t.IsZero() {
					return 0, fail(path, "a date is required (write it like 2026-10-01)")
				}
				if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
					return 0, fail(path, "%s is not a date; write a date without a time, like 2026-10-01", t.Format(time.RFC3339))
				}
				d := day(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
				if d < lo || d > hi {
					return 0, fail(path, "%s is not in or next to year %d", d.time().Format(time.DateOnly), ry.Year)
				}
				return d, nil
			}
			from, err := check(hp+".from", rh.From)
			if err != nil {
				return nil, err
			}
			to, err := check(hp+".to", rh.To)
			if err != nil {
				return nil, err
			}
			if to < from {
				return nil, fail(hp+".to", "%s (%s) ends before it starts (%s)", rh.Name, to.time().Format(time.DateOnly), from.time().Format(time.DateOnly))
			}
			if to-from+1 > longestHoliday {
				return nil, fail(hp+".to", "%s lasts %d days; no holiday is longer than %d", rh.Name, to-from+1, longestHoliday)
			}
			h.From, h.To = from.time(), to.time()
			for d := from; d <= to; d++ {
				if other, ok := c.off[d]; ok {
					return nil, fail(hp+".from", "%s is already a day off of %s", d.time().Format(time.DateOnly), other.Name)
				}
				c.off[d] = h
			}
			if y.Status == Statutory && len(rh.Workdays) > 0 {
				return nil, fail(hp+".workdays", "a \"statutory\" year has no make-up workdays: they come only with the State Council's notice (make the year \"official\")")
			}
			for wi, w := range rh.Workdays {
				wp := fmt.Sprintf("%s.workdays[%d]", hp, wi)
				d, err := check(wp, w)
				if err != nil {
					return nil, err
				}
				if !d.weekend() {
					return nil, fail(wp, "%s is a %s, already a working day; a make-up workday is a Saturday or Sunday", d.time().Format(time.DateOnly), d.weekday())
				}
				if _, ok := c.on[d]; ok {
					return nil, fail(wp, "%s is given twice as a make-up workday", d.time().Format(time.DateOnly))
				}
				c.on[d] = h
				h.Workdays = append(h.Workdays, d.time())
			}
			y.Holidays = append(y.Holidays, *h)
		}
		c.years = append(c.years, y)
		c.official[y.Year] = y.Status == Official
	}
	// A day cannot be both off and worked. Checked once all years are read, as a
	// make-up workday may belong to next year's holiday.
	for d, h := range c.on {
		if other, ok := c.off[d]; ok {
			return nil, fail(holidayPath(raw, h.Name, d), "%s is a make-up workday of %s and a day off of %s", d.time().Format(time.DateOnly), h.Name, other.Name)
		}
	}
	for d := range c.on {
		c.onSorted = append(c.onSorted, d)
	}
	for d := range c.off {
		if !d.weekend() {
			c.offWeek = append(c.offWeek, d)
		}
	}
	sort.Slice(c.onSorted, func(i, j int) bool { return c.onSorted[i] < c.onSorted[j] })
	sort.Slice(c.offWeek, func(i, j int) bool { return c.offWeek[i] < c.offWeek[j] })
	sort.Slice(c.years, func(i, j int) bool { return c.years[i].Year < c.years[j].Year })
	return c, nil
}

// holidayPath finds the key of make-up workday d of the holiday named name, for messages.
func holidayPath(raw rawCalendar, name string, d day) string {
	for yi, y := range raw.Year {
		for hi, h := range y.Holiday {
			if h.Name != name {
				continue
			}
			for wi, w := range h.Workdays {
				if w.Year() == d.time().Year() && w.YearDay() == d.time().YearDay() {
					return fmt.Sprintf("year[%d].holiday[%d].workdays[%d]", yi, hi, wi)
				}
			}
		}
	}
	return "year"
}

// date is a TOML local date. Decoding refuses anything else with a message a person can act on.
type date struct{ time.Time }

// UnmarshalTOML accepts a TOML date (2026-10-01), not a string.
func (d *date) UnmarshalTOML(v any) error {
	t, ok := v.(time.Time)
	if !ok {
		return fmt.Errorf("write a date like 2026-10-01 (without quotes), not %T %v", v, v)
	}
	d.Time = t
	return nil
}
