package tomlpos

import "testing"

// The scanner must never panic or loop on any input, and every line it reports must
// exist in the text.
func FuzzBuild(f *testing.F) {
	f.Add([]byte(doc))
	f.Add([]byte("a = [\n{ b = '''x\n''' }, \"\\\"\" ]\n[[x.y]]\n[x]\n"))
	f.Add([]byte("[[a]]\n[[a.b]]\nc = { d = [1, 2, {e = 3}] }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix := Build(data)
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		for p, l := range ix.lines {
			if l < 1 || l > lines {
				t.Fatalf("path %q on line %d of %d", p, l, lines)
			}
		}
		var v map[string]any
		_, _, _ = Decode(data, "fuzz.toml", &v)
	})
}
