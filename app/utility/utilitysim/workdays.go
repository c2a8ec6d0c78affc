package utilitysim

import (
	"time"

	"github.com/liangzihu/kiosk/app/workdays"
)

// before goes back n working days from t (to seed applications in the past).
func before(c *workdays.Calendar, t time.Time, n int) time.Time {
	d := t
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// cst is China Standard Time; utilities count days in it.
var cst = workdays.CST
