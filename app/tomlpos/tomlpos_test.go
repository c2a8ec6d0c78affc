package tomlpos

import (
	"errors"
	"strings"
	"testing"
)

const doc = `# a catalogue
utility = "electricity"
name = """多行
文本"""

[[service]]
id = "a"
when = [
  { field = "x", is = "1" },
  { field = "y",
    max = 2 },
]

  [[service.field]]
  id = "f0"

  [[service.field]]
  id = "f1"
  'quoted key' = 1
  dotted.key = 2

[[service]]
id = "b"

  [[service.field]]
  id = "g0"
  options = [{ value = "a" }, { value = "b" }]

[meta]
t = 1979-05-27 07:32:00
`

func TestIndexLines(t *testing.T) {
	ix := Build([]byte(doc))
	for path, want := range map[string]int{
		"utility":                              2,
		"name":                                 3,
		"service[0]":                           6,
		"service[0].id":                        7,
		"service[0].when":                      8,
		"service[0].when[0]":                   9,
		"service[0].when[0].is":                9,
		"service[0].when[1].field":             10,
		"service[0].when[1].max":               11,
		"service[0].field[0].id":               15,
		"service[0].field[1]":                  17,
		"service[0].field[1].quoted key":       19,
		"service[0].field[1].dotted.key":       20,
		"service[1].id":                        23,
		"service[1].field[0].id":               26,
		"service[1].field[0].options[1]":       27,
		"service[1].field[0].options[1].value": 27,
		"meta.t":                               30,
		// Missing keys fall back to their table.
		"service[1].field[0].type": 25,
		"service[0].when[1].min":   10,
		"nothing":                  0,
	} {
		if got := ix.Line(path); got != want {
			t.Errorf("Line(%q) = %d, want %d", path, got, want)
		}
	}
	if got := ix.LineOfKey([]string{"service", "field", "options"}); got != 27 {
		t.Errorf("LineOfKey = %d, want 27", got)
	}
}

type svc struct {
	ID    string `toml:"id"`
	Field []struct {
		ID string `toml:"id"`
	} `toml:"field"`
}

type file struct {
	Utility string `toml:"utility"`
	Service []svc  `toml:"service"`
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown key", "utility = \"x\"\n[[service]]\nid = \"a\"\n[[service.field]]\nidd = \"b\"\n", "f.toml:5: service.field.idd: unknown key"},
		{"unknown table", "utility = \"x\"\n[servic]\nid = 1\n", "f.toml:2: servic: unknown table"},
		{"wrong type", "utility = 3\n", "f.toml:1: utility: wrong type"},
		{"wrong type nested", "[[service]]\nid = 3\n", "f.toml:2: service.id: wrong type"},
		{"syntax", "utility = \"x\n", "f.toml:1:"},
		{"not utf-8", "utility = \"\xff\"\n", "f.toml: the file is not UTF-8 text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f file
			_, _, err := Decode([]byte(tc.src), "f.toml", &f)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestDecodeOK(t *testing.T) {
	var f file
	src := "utility = \"e\"\n[[service]]\nid = \"a\"\n[[service.field]]\nid = \"f\"\n[[service]]\nid = \"b\"\n"
	_, ix, err := Decode([]byte(src), "f.toml", &f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Utility != "e" || len(f.Service) != 2 || f.Service[0].Field[0].ID != "f" || f.Service[1].ID != "b" {
		t.Fatalf("decoded %+v", f)
	}
	if ix.Line("service[1].id") != 7 {
		t.Fatalf("line of service[1].id: %d", ix.Line("service[1].id"))
	}
}
