package workdays

import (
	"testing"
	"time"

	"github.com/liangzihu/kiosk/assets"
)

// Any calendar text is either refused with an error or gives a calendar on which Count
// and Deadline agree.
func FuzzParse(f *testing.F) {
	f.Add(assets.Calendar, int64(0), 2)
	f.Add([]byte(good), int64(86400*20000), 5)
	f.Add([]byte("[[year]]\nyear = 2026\nstatus = \"official\"\nsource = \"x\"\n[[year.holiday]]\nname = \"a\"\nname_en = \"b\"\nfrom = 2026-12-31\nto = 2027-01-03\nworkdays = [2026-12-27]\n"), int64(1798675200), 3)
	f.Fuzz(func(t *testing.T, data []byte, at int64, n int) {
		c, err := Parse(data, "fuzz.toml")
		if err != nil {
			return
		}
		a := time.Unix(at%(1<<36), 0)
		n = n % 400
		dl := c.Deadline(a, n)
		if n > 0 {
			if got := c.Count(a, dl); got != n {
				t.Fatalf("Count(a, Deadline(a, %d)) = %d", n, got)
			}
		}
	})
}
