package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/info"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The examples in docs/catalog.md are valid: every ```toml block that starts with
// "# file: NAME" is loaded as that file.
func TestDocsExamples(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "catalog.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, part := range strings.Split(string(md), "```toml\n")[1:] {
		body, _, _ := strings.Cut(part, "```")
		first, _, _ := strings.Cut(body, "\n")
		if name, ok := strings.CutPrefix(first, "# file: "); ok {
			blocks[name] = body
		}
	}
	var files []File
	for _, n := range []string{"common.toml", "addresses.toml", "electricity.toml", "water.toml", "gas.toml", "broadband.toml"} {
		b, ok := blocks[n]
		if !ok {
			t.Fatalf("docs/catalog.md has no example of %s", n)
		}
		files = append(files, File{Name: n, Data: []byte(b)})
	}
	c, err := Load(files)
	if err != nil {
		t.Fatalf("the catalogue examples: %v", err)
	}
	if len(c.JointServices(JointConnection)) != 4 {
		t.Fatal("the examples make a joint connection of four utilities")
	}
	f, err := c.NewForm(env(t, now), c.JointServices(JointConnection)...)
	if err != nil {
		t.Fatal(err)
	}
	a := answers(f)
	a["address"] = "lzh/taihe/th-zhengjie/jy1/2/602"
	a["broadband.bandwidth"] = "1000m"
	if ps := f.Validate(a); len(ps) != 0 {
		t.Fatalf("a full answer to the examples: %v", ps)
	}
	if o := f.Evaluate(a, now)[0]; !o.ZeroCost || o.Days != 2 {
		t.Fatalf("the example's seed rules: %+v", o)
	}
	if _, err := info.Parse([]byte(blocks["info/electricity.toml"]), "info/electricity.toml"); err != nil {
		t.Fatalf("the information example: %v", err)
	}
	if _, err := workdays.Parse([]byte(blocks["calendar.toml"]), "calendar.toml"); err != nil {
		t.Fatalf("the calendar example: %v", err)
	}
}
