package tomlpos

import (
	"strings"
	"testing"
)

// LongText names the first text over its key's limit by the path Index takes, through
// tables, lists of tables, lists of strings and lists of lists; each case is one
// earlier in the file than those before it.
func TestLongText(t *testing.T) {
	type row struct {
		Name  string     `toml:"name"`
		Items []string   `toml:"items"`
		Rows  [][]string `toml:"rows"`
		Note  *string    `toml:"note"`
	}
	var v struct {
		Title string            `toml:"title"`
		Row   []row             `toml:"row"`
		Joint map[string]row    `toml:"joint"`
		Other map[string]string `toml:"-"`
	}
	limit := func(key string) int {
		if key == "items" {
			return 6
		}
		return 3
	}
	long, short := strings.Repeat("长", 7), "短"
	v.Title = short
	v.Row = []row{{Name: short, Items: []string{short}}, {Name: short, Items: []string{short, strings.Repeat("长", 6)}}}
	v.Other = map[string]string{"x": long}
	if p, n, most := LongText(&v, limit); p != "" {
		t.Fatalf("within the limits: %s %d/%d", p, n, most)
	}
	for _, tc := range []struct {
		set  func()
		want string
		n    int
	}{
		{func() { v.Joint = map[string]row{"connection": {Name: long}} }, "joint.connection.name", 7},
		{func() { v.Row[1].Rows = [][]string{{short}, {short, "长长长长"}} }, "row[1].rows[1][1]", 4},
		{func() { v.Row[1].Items[1] = long }, "row[1].items[1]", 7},
		{func() { v.Row[0].Note = &long }, "row[0].note", 7},
		{func() { v.Title = "长长长长" }, "title", 4},
	} {
		tc.set()
		if p, n, _ := LongText(&v, limit); p != tc.want || n != tc.n {
			t.Errorf("%s (%d characters), want %s (%d)", p, n, tc.want, tc.n)
		}
	}
}
