package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, n := range []string{"common.toml", "addresses.toml", "electricity.toml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fixture", n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = string(b)
	}
	return files
}

func load(files map[string]string) (*Catalog, error) {
	var fs []File
	for _, n := range []string{"common.toml", "addresses.toml", "electricity.toml", "water.toml", "electricity2.toml"} {
		if s, ok := files[n]; ok {
			fs = append(fs, File{Name: n, Data: []byte(s)})
		}
	}
	return Load(fs)
}

func TestFixtureLoads(t *testing.T) {
	c, err := load(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.Service("electricity", "new_connection")
	if !ok || len(s.Fields) != 2 || len(s.Common) != 4 || len(s.Rules) != 1 || s.Fields[1].ShowIf[0].Field != "voltage" {
		t.Fatalf("service: %+v", s)
	}
}

const secondService = `
[[service]]
id = "other"
name = "其他"
name_en = "Other"
description = "其他"
description_en = "Other"
category = "apply"
common = ["applicant_name", "id_number"]
days = 1

  [[service.step]]
  id = "accept"
  name = "申请受理"
  name_en = "Accepted"

  [service.notice]
  next = "等待"
  next_en = "Wait"
`

const stepBlocks = `  [[service.step]]
  id = "accept"
  name = "申请受理"
  name_en = "Accepted"

  [[service.step]]
  id = "connect"
  name = "装表接电"
  name_en = "Connected"
`

// One case per kind of mistake: the definition is refused with a message that names the
// file, the line, the service and the field.
func TestBadDefinitions(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		old  string // replaced by new; "" appends new to the file
		new  string
		// want is in the message; at is text on the line the message must name ("" for
		// no line), looked up in the changed file.
		want string
		at   string
	}{
		{"unknown field type", "electricity.toml", `type = "number"`, `type = "numbr"`,
			`service "new_connection": field "capacity_kw": unknown field type "numbr"; known types: text, digits`, `type = "numbr"`},
		{"misspelt key in a field", "electricity.toml", `type = "choice"`, `type = "choice"
  options_ = 1`, `unknown key`, `options_ = 1`},
		{"choice with one option", "electricity.toml", "    { value = \"high\", label = \"高压\", label_en = \"High\" },\n", "",
			`service "new_connection": field "voltage": a choice needs at least two options (it has 1)`, `options = [`},
		{"choice with no options at all", "electricity.toml", "  options = [\n    { value = \"low\", label = \"低压\", label_en = \"Low\" },\n    { value = \"high\", label = \"高压\", label_en = \"High\" },\n  ]\n", "",
			`service "new_connection": field "voltage": a choice needs at least two options (it has 0)`, "[[service.field]]\n  id = \"voltage\""},
		{"duplicate option", "electricity.toml", `{ value = "high"`, `{ value = "low"`,
			`field "voltage": option value "low" is used twice`, `{ value = "low", label = "高压"`},
		{"rule names a missing field", "electricity.toml", `{ field = "capacity_kw", max = 220 }`, `{ field = "capacity", max = 220 }`,
			`service "new_connection": field "capacity": rule "zero_cost": the condition names field "capacity", which the service does not have`, `{ field = "capacity", max = 220 }`},
		{"rule names a missing step", "electricity.toml", `steps = ["accept", "connect"]`, `steps = ["accept", "wire"]`,
			`rule "zero_cost": names step "wire", which the service does not have`, `steps = ["accept", "wire"]`},
		{"rule without conditions", "electricity.toml", `when = [{ field = "voltage", is = "low" }, { field = "capacity_kw", max = 220 }]`, `when = []`,
			`rule "zero_cost": a rule needs conditions`, `when = []`},
		{"rule without effect", "electricity.toml", "  zero_cost = true\n  steps = [\"accept\", \"connect\"]\n  days = 2\n", "",
			`rule "zero_cost": the rule has no effect`, "[[service.rule]]\n  id = \"zero_cost\""},
		{"rule value not an option", "electricity.toml", `when = [{ field = "voltage", is = "low" }`, `when = [{ field = "voltage", is = "medium" }`,
			`rule "zero_cost": "medium" is not an option of "voltage"`, `is = "medium"`},
		{"numeric test on a choice", "electricity.toml", `show_if = [{ field = "voltage", is = "low" }]`, `show_if = [{ field = "voltage", min = 1 }]`,
			`field "capacity_kw": show_if: min, max, above and below apply to number fields; "voltage" is a choice field`, `min = 1 }]`},
		{"condition that can never hold", "electricity.toml", `{ field = "capacity_kw", max = 220 }`, `{ field = "capacity_kw", min = 300, max = 220 }`,
			`the condition on "capacity_kw" can never hold`, `min = 300, max = 220`},
		{"condition that tests nothing", "electricity.toml", `{ field = "capacity_kw", max = 220 }`, `{ field = "capacity_kw" }`,
			`the condition on "capacity_kw" tests nothing`, `{ field = "capacity_kw" }`},
		{"show_if on itself", "electricity.toml", `show_if = [{ field = "voltage", is = "low" }]`, `show_if = [{ field = "capacity_kw", min = 1 }]`,
			`field "capacity_kw": show_if: a field cannot be shown depending on itself`, `show_if = [{ field = "capacity_kw"`},
		{"show_if cycle", "electricity.toml", "  type = \"choice\"\n", "  type = \"choice\"\n  show_if = [{ field = \"capacity_kw\", answered = true }]\n",
			`field "voltage": show_if conditions go round in a circle (voltage → capacity_kw → voltage)`, `show_if = [{ field = "capacity_kw"`},
		{"a label too long for the screen", "electricity.toml", `label = "容量"`, `label = "` + strings.Repeat("容", 81) + `"`,
			`service "new_connection": field "capacity_kw": service[0].field[1].label: 81 characters, at most 80: a text this long cannot be shown on the kiosk's screen; shorten it`, `label = "容容`},
		{"a huge service name", "electricity.toml", `name = "新装"`, `name = "` + strings.Repeat("新装", 50000) + `"`,
			`service "new_connection": service[0].name: 100000 characters, at most 80`, `name = "新装新装`},
		{"a utility's name too long", "electricity.toml", `name = "供电"`, `name = "` + strings.Repeat("电", 81) + `"`, `: name: 81 characters, at most 80`, `name = "电电`},
		{"duplicate field", "electricity.toml", `id = "capacity_kw"`, `id = "voltage"`,
			`service "new_connection": field "voltage": the field ID is used twice`, `id = "voltage"
  label = "容量"`},
		{"field reuses a common ID", "electricity.toml", `id = "capacity_kw"`, `id = "phone"`,
			`field "phone": the ID is a common field's`, `id = "phone"`},
		{"min greater than max", "electricity.toml", `min = 1`, `min = 600`,
			`service "new_connection": field "capacity_kw": min 600 is greater than max 500`, `min = 600`},
		{"min_len greater than max_len", "electricity.toml", `unit = "千瓦"
  unit_en = "kW"
  min = 1
  max = 500`, `min_len = 9
  max_len = 3`, `field "capacity_kw": min_len/max_len does not apply to a number field`, `min_len = 9`},
		{"attribute of another type", "electricity.toml", `unit = "千瓦"`, `options = [{ value = "a", label = "甲", label_en = "A" }]
  unit = "千瓦"`, `field "capacity_kw": options does not apply to a number field`, `options = [{ value = "a"`},
		{"default not an option", "electricity.toml", "  type = \"choice\"\n", "  type = \"choice\"\n  default = \"medium\"\n",
			`field "voltage": default "medium" is not a valid answer: Choose Voltage from the list`, `default = "medium"`},
		{"default on a date", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  min = 1\n  max = 5\n  default = \"2026-12-01\"\n\n  [[service.rule]]",
			`field "day": a date field has no default`, `default = "2026-12-01"`},
		{"date range", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  min = 1\n  max = 90\n\n  [[service.rule]]",
			`field "day": min and max are whole working days from today, 0 ≤ min ≤ max ≤ 60`, `min = 1
  max = 90`},
		{"earliest and min", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  earliest = \"time_limit\"\n  min = 1\n  max = 30\n\n  [[service.rule]]",
			`field "day": min and earliest both say where the dates start: give one`, `min = 1
  max = 30`},
		{"earliest unknown", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  earliest = \"today\"\n  max = 30\n\n  [[service.rule]]",
			`field "day": earliest = "today": the only one is "time_limit"`, `earliest = "today"`},
		{"earliest without max", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  earliest = \"time_limit\"\n\n  [[service.rule]]",
			`field "day": a date field needs max`, "[[service.field]]\n  id = \"day\""},
		{"earliest beyond max", "electricity.toml", "  [[service.rule]]", "  [[service.field]]\n  id = \"day\"\n  label = \"日期\"\n  label_en = \"Date\"\n  type = \"date\"\n  earliest = \"time_limit\"\n  max = 10\n\n  [[service.rule]]",
			`field "day": max = 10: the time limit the dates start from may be 22 working days`, `max = 10`},
		{"earliest on a number", "electricity.toml", `unit = "千瓦"`, "earliest = \"time_limit\"\n  unit = \"千瓦\"",
			`field "capacity_kw": earliest does not apply to a number field`, `earliest = "time_limit"`},
		{"earliest on a common field", "common.toml", "[[field]]\nid = \"phone\"", "[[field]]\nid = \"day\"\nlabel = \"日期\"\nlabel_en = \"Date\"\ntype = \"date\"\nearliest = \"time_limit\"\nmax = 30\n\n[[field]]\nid = \"phone\"",
			`field "day": a common field belongs to no service`, `earliest = "time_limit"`},
		{"service without steps", "electricity.toml", stepBlocks, "",
			`service "new_connection": the service has no steps`, `[[service]]`},
		{"duplicate step", "electricity.toml", `id = "connect"`, `id = "accept"`,
			`step "accept": the step ID is used twice`, `id = "accept"
  name = "装表接电"`},
		{"duplicate service", "electricity.toml", "", strings.Replace(secondService, `id = "other"`, `id = "new_connection"`, 1),
			`service "new_connection": the service ID is used twice`, `id = "new_connection"
name = "其他"`},
		{"unknown category", "electricity.toml", `category = "apply"`, `category = "aply"`,
			`service "new_connection": unknown category "aply"`, `category = "aply"`},
		{"unknown common field", "electricity.toml", `"phone", "address"]`, `"phone", "adress"]`,
			`service "new_connection": field "adress": unknown common field`, `"adress"]`},
		{"unknown joint", "electricity.toml", `joint = "connection"`, `joint = "joint"`,
			`service "new_connection": unknown joint application "joint"`, `joint = "joint"`},
		{"two services in one joint", "electricity.toml", "", strings.Replace(secondService, `days = 1`, "days = 1\njoint = \"connection\"", 1),
			`service "other": service "new_connection" already takes part in the joint "connection"`, "joint = \"connection\"\n\n  [[service.step]]"},
		{"no applicant", "electricity.toml", "", strings.Replace(secondService, `["applicant_name", "id_number"]`, `["phone"]`, 1),
			`service "other": the service must ask for the applicant`, `common = ["phone"]`},
		{"transfer without account", "electricity.toml", "", strings.Replace(secondService, `days = 1`, "days = 1\njoint = \"transfer\"", 1),
			`service "other": a transfer (or settle_first) service needs an account field`, `[[service]]
id = "other"`},
		{"days out of range", "electricity.toml", `days = 22`, `days = 0`,
			`service "new_connection": days = 0: the committed time is 1 to 365 working days`, `days = 0`},
		{"no notice", "electricity.toml", "  [service.notice]\n  next = \"等待电话\"\n  next_en = \"Wait for a call\"\n", "",
			`service "new_connection": the 一次性告知书 needs [service.notice] next and next_en`, `[[service]]`},
		{"no English name", "electricity.toml", `name_en = "New connection"`, `name_en = ""`,
			`service "new_connection": a service needs name, name_en`, `[[service]]`},
		{"fee both free and amount", "electricity.toml", `free = true`, `free = true
  amount = "10.00"`, `service "new_connection": fee "meter": give exactly one of amount`, "[[service.fee]]\n  id = \"meter\""},
		{"bad amount", "electricity.toml", `free = true`, `amount = "10.005"`,
			`fee "meter": "10.005" is not an amount in yuan`, `amount = "10.005"`},
		{"bad pattern", "electricity.toml", `unit = "千瓦"
  unit_en = "kW"
  min = 1
  max = 500`, "", `electricity.toml`, ``},
		{"unknown utility", "electricity.toml", `utility = "electricity"`, `utility = "power"`,
			`electricity.toml:1: utility: "power" is not a utility; known: electricity, water, gas, broadband`, `utility = "power"`},
		{"bad hotline", "electricity.toml", `number = "95598"`, `number = "9559八"`,
			`hotline[0].number: "9559八" is not a telephone number`, `number = "9559八"`},
		{"typo in a key", "electricity.toml", `  required = true`, `  requird = true`,
			`service.field.requird: unknown key`, `requird = true`},
		{"TOML syntax", "electricity.toml", `days = 22`, `days = = 22`,
			`electricity.toml:`, `days = = 22`},
		{"wrong value type", "electricity.toml", `days = 22`, `days = "22"`,
			`service.days: wrong type`, `days = "22"`},
		{"idcard without source", "common.toml", `source = "name"`, ``,
			`common.toml`, ``},
		{"unknown role", "common.toml", `role = "phone"`, `role = "mobile"`,
			`field "phone": unknown role "mobile"`, `role = "mobile"`},
		{"duplicate role", "electricity.toml", `  type = "choice"`, "  role = \"phone\"\n  type = \"choice\"",
			`service "new_connection": field "voltage": role "phone" is already the role of field "phone"`, `[[service]]`},
		{"unknown tile", "common.toml", `tile = "transfer"`, `tile = "transfers"`,
			`category[1].tile: unknown tile "transfers"`, `tile = "transfers"`},
		{"joint not described", "common.toml", "[joint.transfer]", "[joint.transfers]",
			`joint.transfer: the joint application "transfer" must be described`, ``},
		{"street of an unknown district", "addresses.toml", `district = "lzh"`, `district = "lzx"`,
			`street[0].district: street "taihe" belongs to unknown district "lzx"`, `district = "lzx"`},
		{"building without rooms", "addresses.toml", `houses = 12`, `houses = 0`,
			`building "g3" needs floors and rooms_per_floor`, `{ id = "g3"`},
		{"duplicate building", "addresses.toml", `{ id = "g3"`, `{ id = "b1"`,
			`building "b1" is defined twice in community "zhengjie"`, `{ id = "b1", name = "3组"`},
		{"community without buildings", "addresses.toml", "buildings = [\n  { id = \"b1\", name = \"1栋\", name_en = \"Bldg 1\", units = 2, floors = 6, rooms_per_floor = 2 },\n  { id = \"g3\", name = \"3组\", name_en = \"Group 3\", houses = 12 },\n]", "buildings = []",
			`community "zhengjie" has no buildings`, `buildings = []`},
		{"duplicate utility", "electricity2.toml", "", "",
			`utility "electricity" is already defined by electricity.toml`, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := fixture(t)
			if tc.file == "electricity2.toml" {
				files[tc.file] = files["electricity.toml"]
			} else if tc.old == "" {
				files[tc.file] += tc.new
			} else {
				if !strings.Contains(files[tc.file], tc.old) {
					t.Fatalf("the fixture has no %q", tc.old)
				}
				files[tc.file] = strings.Replace(files[tc.file], tc.old, tc.new, 1)
			}
			if tc.name == "bad pattern" {
				files[tc.file] = strings.Replace(files[tc.file], `type = "number"`, "type = \"digits\"\n  pattern = \"[0-9\"", 1)
				tc.want, tc.at = `field "capacity_kw": the pattern does not compile`, `pattern = "[0-9"`
			}
			if tc.name == "idcard without source" {
				tc.want, tc.at = `field "applicant_name": an idcard field needs source`, "[[field]]\nid = \"applicant_name\""
			}
			_, err := load(files)
			if err == nil {
				t.Fatal("the broken definition was accepted")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a *catalog.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error\n  %s\ndoes not contain\n  %s", err, tc.want)
			}
			if tc.at != "" {
				want := fmt.Sprintf("catalog: %s:%d: ", tc.file, lineOf(files[tc.file], tc.at))
				if !strings.HasPrefix(err.Error(), want) {
					t.Fatalf("error\n  %s\ndoes not start with\n  %s", err, want)
				}
			}
		})
	}
}

// lineOf is the line on which text starts.
func lineOf(s, text string) int {
	i := strings.Index(s, text)
	if i < 0 {
		return 0
	}
	return strings.Count(s[:i], "\n") + 1
}

func TestMissingFiles(t *testing.T) {
	for _, tc := range []struct{ drop, want string }{
		{"common.toml", "the catalogue needs its common file"},
		{"addresses.toml", "the catalogue needs its address lists"},
		{"electricity.toml", "no utility file"},
	} {
		files := fixture(t)
		delete(files, tc.drop)
		if _, err := load(files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("without %s: %v", tc.drop, err)
		}
	}
}

func TestReplaceUtility(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	files := fixture(t)
	pushed := strings.Replace(files["electricity.toml"], `version = "1"`, `version = "2026.12.01"`, 1)
	c2, err := c.ReplaceUtility(File{Name: "pushed-electricity.toml", Data: []byte(pushed)})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := c2.Utility("electricity")
	if u.Version != "2026.12.01" || len(u.Services) != 1 || len(c2.Utilities) != 4 {
		t.Fatalf("after the push: %s with %d services, %d utilities", u.Version, len(u.Services), len(c2.Utilities))
	}
	if old, _ := c.Utility("electricity"); old.Version == "2026.12.01" {
		t.Fatal("the old catalogue changed")
	}
	// A broken push is refused and changes nothing.
	if _, err := c2.ReplaceUtility(File{Name: "bad.toml", Data: []byte(strings.Replace(pushed, `days = 22`, `days = 0`, 1))}); err == nil {
		t.Fatal("a broken push was accepted")
	}
	// And a second push replaces the first.
	c3, err := c2.ReplaceUtility(File{Name: "again.toml", Data: []byte(pushed)})
	if err != nil || len(c3.Utilities) != 4 {
		t.Fatalf("second push: %v", err)
	}
}

// The shipped catalogue bounds each utility's account numbers as its bills print them
// (the account keypad says and checks it); a utility without account fields has none.
func TestAccountLength(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		utility string
		lo, hi  int
	}{
		{"electricity", 10, 10},
		{"water", 8, 8},
		{"gas", 9, 9},
		{"broadband", 11, 11},
		{"heating", 0, 0},
	} {
		if lo, hi := c.AccountLength(tc.utility); lo != tc.lo || hi != tc.hi {
			t.Errorf("%s: %d–%d digits, want %d–%d", tc.utility, lo, hi, tc.lo, tc.hi)
		}
	}
	// Services that disagree bound nothing.
	odd := &Catalog{Utilities: []*Utility{{ID: "water", Services: []*Service{{Fields: []*Field{
		{Role: RoleAccount, MinLen: 8, MaxLen: 8}, {Role: RoleAccount, MinLen: 10, MaxLen: 10}}}}}}}
	if lo, hi := odd.AccountLength("water"); lo != 0 || hi != 0 {
		t.Errorf("disagreeing services: %d–%d digits", lo, hi)
	}
}
