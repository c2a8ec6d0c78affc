package printer

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrUnprintable is returned (wrapped in an *UnprintableError) for text the printer
// cannot print: a character without a 2-byte GB18030 code, a control character, or, with
// CharsetGB2312, a character outside GB2312.
var ErrUnprintable = errors.New("printer: character cannot be printed")

// UnprintableError names the first character of a text that cannot be printed. It gives
// the code point and position only, never the text, which may be personal data.
type UnprintableError struct {
	Rune  rune // the character
	Index int  // its position in the text, counted in characters from 0
}

// Error names the code point and its position.
func (e *UnprintableError) Error() string {
	return fmt.Sprintf("printer: U+%04X (character %d of the text) has no 2-byte GB code the printer can print", e.Rune, e.Index+1)
}

// Is makes errors.Is(err, ErrUnprintable) true.
func (e *UnprintableError) Is(target error) bool { return target == ErrUnprintable }

// replacements are the documented substitutions made before encoding. Each replaces a
// character that has no 2-byte GB18030 code with one that looks the same on paper.
var replacements = map[rune]rune{
	'\u00A5': '\uFFE5', // ¥ (4 bytes in GB18030) → ￥ (A3 A4)
	'\u00A0': ' ',      // no-break space → space
	'\t':     ' ',      // tab → space (tab stops are not used)
	'\u2022': '\u00B7', // • → ·
}

// Charset is the character set of the printer's font ROM.
type Charset int

const (
	// CharsetGBK prints the whole 2-byte area of GB18030 (GBK): the default, and what
	// GB18030 printers sold in China print.
	CharsetGBK Charset = iota
	// CharsetGB2312 prints only GB2312 (lead byte A1–F7, trail byte A1–FE): older firmware.
	CharsetGB2312
)

// ParseCharset reads the configuration spelling: "gbk" or "gb2312".
func ParseCharset(s string) (Charset, error) {
	switch s {
	case "gbk":
		return CharsetGBK, nil
	case "gb2312":
		return CharsetGB2312, nil
	}
	return 0, fmt.Errorf("printer: %q is not a font charset (gbk, gb2312)", s)
}

// Encode converts text to the printer's 2-byte GB encoding: ASCII stays one byte, every
// other character becomes two bytes. The replacements documented on Doc are made first;
// any other character without a 2-byte code yields an *UnprintableError, so that neither
// 0x1A nor a 4-byte GB18030 sequence ever reaches the printer.
func Encode(text string, cs Charset) ([]byte, error) {
	return appendEncoded(nil, text, cs)
}

// Width is the number of Font A columns text occupies: 1 for ASCII, 2 for every other
// character (a hanzi is 24 dots wide, an ASCII character 12).
func Width(text string) int {
	w := 0
	for _, r := range text {
		w += runeWidth(r)
	}
	return w
}

func runeWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	if rep, ok := replacements[r]; ok && rep < utf8.RuneSelf {
		return 1
	}
	return 2
}

func appendEncoded(dst []byte, text string, cs Charset) ([]byte, error) {
	if !utf8.ValidString(text) {
		return dst, fmt.Errorf("printer: text is not valid UTF-8: %w", ErrUnprintable)
	}
	ascii := true
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= utf8.RuneSelf || c < 0x20 || c == 0x7F {
			ascii = false
			break
		}
	}
	if ascii {
		return append(dst, text...), nil
	}
	var b strings.Builder
	b.Grow(len(text))
	idx := 0
	for _, r := range text {
		if rep, ok := replacements[r]; ok {
			r = rep
		}
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) {
			return dst, &UnprintableError{Rune: r, Index: idx}
		}
		b.WriteRune(r)
		idx++
	}
	clean := b.String()
	enc, err := simplifiedchinese.GB18030.NewEncoder().String(clean)
	if err != nil {
		return dst, fmt.Errorf("printer: encode: %w", err)
	}
	// GB18030 encodes rune by rune, so the output can be walked alongside the input:
	// ASCII is 1 byte, the 2-byte area is lead 81–FE + trail 40–FE, and a 4-byte
	// sequence has its second byte in 30–39.
	i := 0
	idx = 0
	for _, r := range clean {
		c := enc[i]
		switch {
		case c < 0x80:
			i++
		case i+1 < len(enc) && enc[i+1] >= 0x30 && enc[i+1] <= 0x39:
			return dst, &UnprintableError{Rune: r, Index: idx}
		default:
			if cs == CharsetGB2312 && !(c >= 0xA1 && c <= 0xF7 && enc[i+1] >= 0xA1) {
				return dst, &UnprintableError{Rune: r, Index: idx}
			}
			i += 2
		}
		idx++
	}
	return append(dst, enc...), nil
}

// printable returns text with each character the printer cannot print as □ (A1 F5), a
// control character as a space (both as wide as what they replace), and how many it
// replaced.
func printable(text string, cs Charset) (string, int) {
	var b strings.Builder
	n := 0
	for _, r := range text {
		if _, err := appendEncoded(nil, string(r), cs); err != nil {
			n++
			if r < utf8.RuneSelf {
				r = ' '
			} else {
				r = '□'
			}
		}
		b.WriteRune(r)
	}
	return b.String(), n
}

// Wrap breaks text into lines of at most width columns (see Width). It breaks at spaces
// and between CJK characters, keeps ASCII words whole unless a word alone is too long,
// and does not start a line with closing punctuation such as ，。、）. Spaces at a
// break are dropped. An empty text gives one empty line.
func Wrap(text string, width int) []string {
	if width < 2 {
		width = 2
	}
	if Width(text) <= width && !strings.ContainsRune(text, '\n') {
		return []string{text}
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, noWidow(para, width)...)
	}
	return lines
}

// noWidow wraps a paragraph, and when its last line would hold one character alone
// (“…答复供电方” over “案”) wraps it narrower, by at most a quarter, for as long as that
// takes no more lines, so that the character has company.
func noWidow(para string, width int) []string {
	lines := wrapPara(para, width)
	for w := width - 1; len(lines) > 1 && widow(lines[len(lines)-1]) && w >= max(2, width*3/4); w-- {
		if try := wrapPara(para, w); len(try) == len(lines) && !widow(try[len(try)-1]) {
			return try
		}
	}
	return lines
}

// widow reports whether a last line is one CJK character, with its punctuation.
func widow(line string) bool {
	t := strings.TrimRight(line, " "+noLineStart)
	r, n := utf8.DecodeRuneInString(t)
	return n > 0 && n == len(t) && r >= utf8.RuneSelf
}

// token is a unit of wrapping: an ASCII word, one non-ASCII character, a short remark in
// full-width brackets (（预计）, at most maxRemark characters inside), or a run of spaces.
type token struct {
	s     string
	w     int
	space bool
}

func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			toks = append(toks, token{s: s[i:j], w: j - i, space: true})
			i = j
		case r < utf8.RuneSelf:
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && s[j] != ' ' {
				j++
			}
			toks = append(toks, token{s: s[i:j], w: j - i})
			i = j
		case r == '（':
			if j, w := remark(s[i:]); j > 0 {
				toks = append(toks, token{s: s[i : i+j], w: w})
				i += j
				continue
			}
			fallthrough
		default:
			toks = append(toks, token{s: s[i : i+n], w: runeWidth(r)})
			i += n
		}
	}
	return toks
}

// chars splits a token's text into one token per character.
func chars(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, token{s: s[i : i+n], w: runeWidth(r)})
		i += n
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// maxRemark is the most characters a bracketed remark holds to be kept on one line.
const maxRemark = 3

// remark measures a short remark at the start of s, （ to ）: its length in bytes and
// its width; 0 when s does not start with one.
func remark(s string) (n, w int) {
	for i, r := range s {
		if i > 0 && r == '）' {
			return i + len("）"), w + runeWidth(r)
		}
		if r == '（' && i > 0 || r == '\n' || r == utf8.RuneError || utf8.RuneCountInString(s[:i]) > maxRemark {
			return 0, 0
		}
		w += runeWidth(r)
	}
	return 0, 0
}

// noLineStart is punctuation that must not begin a line, and noLineEnd what must not
// end one (禁则): a currency sign stays with its amount, an opening bracket with its text.
const (
	noLineStart = "，。、；：！？）》」』】〕”’,.;:!?)]%"
	noLineEnd   = "￥$（《「『【〔“‘(["
)

// inSet reports whether tok is a single character of set.
func inSet(set, tok string) bool {
	r, n := utf8.DecodeRuneInString(tok)
	return n == len(tok) && r != utf8.RuneError && strings.ContainsRune(set, r)
}

func wrapPara(s string, width int) []string {
	// A line narrower than one Han character could hold nothing: a wide character would
	// be split into itself again and again.
	width = max(width, 2)
	var lines []string
	var cur []token
	curW := 0
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1].space {
			curW -= cur[len(cur)-1].w
			cur = cur[:len(cur)-1]
		}
		var b strings.Builder
		for _, t := range cur {
			b.WriteString(t.s)
		}
		lines = append(lines, b.String())
		cur, curW = cur[:0], 0
	}
	toks := tokenize(s)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.space && len(cur) == 0 && len(lines) > 0 {
			continue
		}
		if curW+t.w <= width {
			cur = append(cur, t)
			curW += t.w
			continue
		}
		if t.space {
			flush()
			continue
		}
		if t.w > width && !isASCII(t.s) {
			// A remark wider than a line is its characters again, each wrapped by the
			// rules (禁则) as any.
			toks = append(toks[:i], append(chars(t.s), toks[i+1:]...)...)
			i--
			continue
		}
		if t.w > width {
			// A word longer than a line: fill the current line, then break it hard.
			for _, r := range t.s {
				w := runeWidth(r)
				if curW+w > width {
					flush()
				}
				cur = append(cur, token{s: string(r), w: w})
				curW += w
			}
			continue
		}
		var carry []token
		last := len(cur) - 1
		if r := cur[last]; inSet(noLineStart, t.s) && !isASCII(r.s) && utf8.RuneCountInString(r.s) > 1 {
			// Punctuation after a remark takes the remark's last character along.
			cur = append(cur[:last], chars(r.s)...)
			last = len(cur) - 1
		}
		if len(cur) > 1 && !cur[last].space && cur[last].w+t.w <= width && (inSet(noLineStart, t.s) || inSet(noLineEnd, cur[last].s)) {
			carry = []token{cur[last]}
			curW -= carry[0].w
			cur = cur[:last]
		}
		flush()
		cur = append(cur, carry...)
		cur = append(cur, t)
		for _, c := range cur {
			curW += c.w
		}
	}
	flush()
	return lines
}

// balance re-wraps a text that needs n lines at width into n lines of nearly equal
// width, so that a centred title breaks in the middle rather than leaving one word alone:
// the narrowest that breaks only after punctuation or a word (“也可在本机“进度查询”” over
// “输入本机编号查询”), or else the narrowest.
func balance(text string, width int) []string {
	lines := Wrap(text, width)
	if len(lines) < 2 || strings.ContainsRune(text, '\n') {
		return lines
	}
	// A text without punctuation or spaces (a title) breaks inside a phrase anyway.
	choosy := strings.ContainsAny(text, noLineStart+noLineEnd+" ")
	var first []string
	for w := (Width(text) + len(lines) - 1) / len(lines); w < width; w++ {
		try := Wrap(text, w)
		if len(try) != len(lines) {
			continue
		}
		if !choosy || wellBroken(try) {
			return try
		}
		if first == nil {
			first = try
		}
	}
	if first == nil || wellBroken(lines) {
		return lines
	}
	return first
}

// wellBroken reports whether every line ends after closing punctuation or an ASCII word,
// or its next begins with opening punctuation: no break inside a phrase.
func wellBroken(lines []string) bool {
	for i := 1; i < len(lines); i++ {
		last, _ := utf8.DecodeLastRuneInString(lines[i-1])
		next, _ := utf8.DecodeRuneInString(lines[i])
		if !strings.ContainsRune(noLineStart, last) && !strings.ContainsRune(noLineEnd, next) &&
			(last >= utf8.RuneSelf || next >= utf8.RuneSelf) {
			return false
		}
	}
	return true
}
