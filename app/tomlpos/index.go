package tomlpos

import (
	"regexp"
	"strconv"
	"strings"
)

// Index maps the key paths of a TOML document to the lines where they are set.
// It is built by a tolerant scanner: on text that is not valid TOML it records what it
// can and never fails, so it can be used to locate the decoder's own errors.
type Index struct {
	lines map[string]int // path with indices → line
	first map[string]int // path without indices → first line
}

// Line returns the line on which path (with indices, as in the package comment) is set.
// When path itself is not in the text (a key left out, say) it returns the line of its
// nearest ancestor: the table or array element the key belongs in. It returns 0 when
// nothing matches.
func (ix *Index) Line(path string) int {
	if ix == nil {
		return 0
	}
	for path != "" {
		if l, ok := ix.lines[path]; ok {
			return l
		}
		path = parent(path)
	}
	return 0
}

// LineOfKey returns the first line on which a key given without array indices (as the
// TOML decoder reports undecoded keys) is set, or 0.
func (ix *Index) LineOfKey(key []string) int {
	if ix == nil {
		return 0
	}
	for k := len(key); k > 0; k-- {
		if l, ok := ix.first[strings.Join(key[:k], ".")]; ok {
			return l
		}
	}
	return 0
}

// parent strips the last segment of a path: "a[1].b" → "a[1]" → "a" → "".
func parent(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i > 0 {
			return p[:i]
		}
		return ""
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// Build scans a TOML document.
func Build(data []byte) *Index {
	s := &scanner{src: data, line: 1, ix: &Index{lines: map[string]int{}, first: map[string]int{}}, arrays: map[string]int{}}
	s.document()
	return s.ix
}

type scanner struct {
	src    []byte
	pos    int
	line   int
	ix     *Index
	table  string         // the current table's path
	arrays map[string]int // array-of-tables path → elements seen
}

func (s *scanner) record(path string, line int) {
	if path == "" {
		return
	}
	if _, ok := s.ix.lines[path]; !ok {
		s.ix.lines[path] = line
	}
	bare := indexRE.ReplaceAllString(path, "")
	if _, ok := s.ix.first[bare]; !ok {
		s.ix.first[bare] = line
	}
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

func (s *scanner) peek(off int) byte {
	if s.pos+off >= len(s.src) {
		return 0
	}
	return s.src[s.pos+off]
}

func (s *scanner) advance() {
	if s.src[s.pos] == '\n' {
		s.line++
	}
	s.pos++
}

// skip passes spaces and tabs, and with newlines set also line ends and comments.
func (s *scanner) skip(newlines bool) {
	for !s.eof() {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case newlines && c == '\n':
			s.advance()
		case newlines && c == '#':
			s.toLineEnd()
		default:
			return
		}
	}
}

func (s *scanner) toLineEnd() {
	for !s.eof() && s.src[s.pos] != '\n' {
		s.pos++
	}
}

func (s *scanner) document() {
	for {
		s.skip(true)
		if s.eof() {
			return
		}
		start := s.pos
		if s.src[s.pos] == '[' {
			s.header()
		} else {
			s.keyValue(s.table)
		}
		if s.pos == start {
			// Not TOML we understand: give up on this line rather than loop.
			s.toLineEnd()
		}
		s.skip(false)
		if !s.eof() && s.src[s.pos] == '#' {
			s.toLineEnd()
		}
	}
}

func (s *scanner) header() {
	line := s.line
	array := s.peek(1) == '['
	s.pos++
	if array {
		s.pos++
	}
	s.skip(false)
	keys := s.key()
	if len(keys) == 0 {
		return
	}
	path := s.resolve(keys[:len(keys)-1])
	path = join(path, keys[len(keys)-1])
	if array {
		n := s.arrays[path]
		s.arrays[path] = n + 1
		path += "[" + strconv.Itoa(n) + "]"
	}
	s.table = path
	s.record(path, line)
	s.toLineEnd()
}

// resolve turns a dotted key into a path, indexing every segment that names an array of
// tables by its current (last) element.
func (s *scanner) resolve(keys []string) string {
	p := ""
	for _, k := range keys {
		p = join(p, k)
		if n := s.arrays[p]; n > 0 {
			p += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return p
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// key reads a possibly dotted, possibly quoted key.
func (s *scanner) key() []string {
	var keys []string
	for !s.eof() {
		s.skip(false)
		if s.eof() {
			return keys
		}
		var k string
		switch c := s.src[s.pos]; {
		case c == '"' || c == '\'':
			start := s.pos
			s.basicString(c)
			raw := string(s.src[start:s.pos])
			if u, err := strconv.Unquote(raw); err == nil && c == '"' {
				k = u
			} else {
				k = strings.Trim(raw, string(c))
			}
		default:
			start := s.pos
			for !s.eof() && isBare(s.src[s.pos]) {
				s.pos++
			}
			if s.pos == start {
				return keys
			}
			k = string(s.src[start:s.pos])
		}
		keys = append(keys, k)
		s.skip(false)
		if s.eof() || s.src[s.pos] != '.' {
			return keys
		}
		s.pos++
	}
	return keys
}

func isBare(c byte) bool {
	return c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func (s *scanner) keyValue(table string) {
	line := s.line
	keys := s.key()
	if len(keys) == 0 {
		return
	}
	path := table
	for _, k := range keys {
		path = join(path, k)
	}
	s.record(path, line)
	s.skip(false)
	if s.eof() || s.src[s.pos] != '=' {
		return
	}
	s.pos++
	s.skip(false)
	s.value(path)
}

func (s *scanner) value(path string) {
	if s.eof() {
		return
	}
	switch c := s.src[s.pos]; c {
	case '"', '\'':
		if s.peek(1) == c && s.peek(2) == c {
			s.multiline(c)
		} else {
			s.basicString(c)
		}
	case '[':
		s.array(path)
	case '{':
		s.inlineTable(path)
	default:
		// A number, boolean or date (dates may contain one space).
		for !s.eof() {
			c := s.src[s.pos]
			if c == ',' || c == ']' || c == '}' || c == '\n' || c == '#' {
				break
			}
			s.pos++
		}
	}
}

func (s *scanner) basicString(q byte) {
	s.pos++ // opening quote
	for !s.eof() {
		c := s.src[s.pos]
		if c == '\n' {
			return // unterminated: let the decoder complain
		}
		s.pos++
		if c == '\\' && q == '"' && !s.eof() && s.src[s.pos] != '\n' {
			s.pos++
			continue
		}
		if c == q {
			return
		}
	}
}

func (s *scanner) multiline(q byte) {
	s.pos += 3
	for !s.eof() {
		if s.src[s.pos] == '\\' && q == '"' && s.pos+1 < len(s.src) && s.src[s.pos+1] != '\n' {
			s.pos += 2
			continue
		}
		if s.src[s.pos] == q && s.peek(1) == q && s.peek(2) == q {
			s.pos += 3
			// Up to two more quotes may belong to the content.
			for i := 0; i < 2 && !s.eof() && s.src[s.pos] == q; i++ {
				s.pos++
			}
			return
		}
		s.advance()
	}
}

func (s *scanner) array(path string) {
	s.pos++ // [
	for i := 0; ; i++ {
		s.skip(true)
		if s.eof() {
			return
		}
		if s.src[s.pos] == ']' {
			s.pos++
			return
		}
		start := s.pos
		elem := path + "[" + strconv.Itoa(i) + "]"
		s.record(elem, s.line)
		s.value(elem)
		s.skip(true)
		if !s.eof() && s.src[s.pos] == ',' {
			s.pos++
		} else if s.pos == start || (!s.eof() && s.src[s.pos] != ']') {
			return // not an array we understand
		}
	}
}

func (s *scanner) inlineTable(path string) {
	s.pos++ // {
	for {
		s.skip(true)
		if s.eof() {
			return
		}
		if s.src[s.pos] == '}' {
			s.pos++
			return
		}
		start := s.pos
		s.keyValue(path)
		s.skip(true)
		if !s.eof() && s.src[s.pos] == ',' {
			s.pos++
		} else if s.pos == start || (!s.eof() && s.src[s.pos] != '}') {
			return
		}
	}
}
