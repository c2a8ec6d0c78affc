package printer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
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
	'\u2002': ' ',      // en, em, thin and narrow no-break spaces → space
	'\u2003': ' ',
	'\u2009': ' ',
	'\u202F': ' ',
	'\u2212': '-',      // minus sign → hyphen-minus
	'\u301C': '\uFF5E', // wave dash 〜 → ～ (A1 AB): 9:00〜17:00
	'\u00B2': '2',      // superscript two and three → digits: m² → m2, m³ → m3
	'\u00B3': '3',
}

// joiner is U+2060 WORD JOINER: Keep puts it where a line must not break.
const joiner = '\u2060'

// zeroWidth reports a format character that takes no room on paper and has no 2-byte
// GB code: the word joiner Keep inserts, and zero-width spaces, joiners, a byte-order
// mark or a soft hyphen copied into a utility's words. They are dropped, not printed.
func zeroWidth(r rune) bool {
	switch r {
	case joiner, '\u200B', '\u200C', '\u200D', '\uFEFF', '\u00AD':
		return true
	}
	return false
}

// Keep marks a name or a phrase that reads as one (a hotline's name, 燃气公司服务及抢修
// 热线; a utility's; a service's) so that Wrap does not break it between two of its
// letters, digits or Han characters, unless it alone is wider than a line. It may still
// break at its spaces and punctuation: before （24小时）, after “·”. The marks (U+2060
// WORD JOINER) take no room and are never sent to the printer.
func Keep(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 && wordRune(prev) && wordRune(r) {
			b.WriteRune(joiner)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// wordRune: a letter (a Han character is one), a digit, or the * that stands for one
// hidden (app/mask: 138****5678, *单元, ***室), which Keep holds to the letters beside it.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' }

// dropZeroWidth returns s without its zero-width characters, and the byte offsets in the
// result before which a word joiner stood (nil when none did).
func dropZeroWidth(s string) (string, map[int]bool) {
	if !strings.ContainsFunc(s, zeroWidth) {
		return s, nil
	}
	var b strings.Builder
	joins := map[int]bool{}
	for i, r := range s {
		switch {
		case r == joiner:
			joins[b.Len()] = true
		case !zeroWidth(r):
			// The bytes as they are: an invalid one stays itself, not U+FFFD.
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
		}
	}
	return b.String(), joins
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
// other character becomes two bytes. The replacements documented on Doc are made first (and
// zero-width characters dropped); any other character without a 2-byte code yields an
// *UnprintableError, so that neither 0x1A nor a 4-byte GB18030 sequence ever reaches the
// printer.
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
	if zeroWidth(r) {
		return 0
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
	// at[i] is the position in text of the clean text's character i, where characters
	// were dropped (zeroWidth); nil while none was.
	var at []int
	for _, r := range text {
		if zeroWidth(r) {
			if at == nil {
				at = make([]int, 0, len(text))
				for i := range idx {
					at = append(at, i)
				}
			}
			idx++
			continue
		}
		if rep, ok := replacements[r]; ok {
			r = rep
		}
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) {
			return dst, &UnprintableError{Rune: r, Index: idx}
		}
		b.WriteRune(r)
		if at != nil {
			at = append(at, idx)
		}
		idx++
	}
	clean := b.String()
	orig := func(i int) int {
		if at != nil {
			return at[i]
		}
		return i
	}
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
			return dst, &UnprintableError{Rune: r, Index: orig(idx)}
		default:
			if cs == CharsetGB2312 && !(c >= 0xA1 && c <= 0xF7 && enc[i+1] >= 0xA1) {
				return dst, &UnprintableError{Rune: r, Index: orig(idx)}
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

// Wrap breaks text into lines of at most width columns (see Width), as few as the rules
// of Chinese line breaking (禁则) allow, and among those the ones that read best:
//
//   - no line starts with closing punctuation (，。、；：！？）” …) and none ends with
//     opening punctuation (（“《 …) or a currency sign (￥);
//   - a number stays with its unit (2026年, 8千瓦, 2个工作日, 24小时), a date is one piece
//     (2026年11月27日, with its weekday: （周五）), and a short remark in brackets
//     (（24小时）, （凭本机编号查询）: no punctuation inside, at most maxRemark columns) is
//     not broken, unless one of them alone is wider than a line;
//   - ASCII words are kept whole unless a word alone is too long;
//   - a line rather ends after punctuation or at a space, or before an opening bracket,
//     than inside a phrase, and rather not inside brackets (breakCost), where that costs
//     no more than some room at the line's end;
//   - the last line does not hold one character alone (“…答复供电方” over “案”) where the
//     line before can give it company;
//   - what Keep marked (a hotline's name) is not broken inside, unless it alone is wider
//     than a line.
//
// Spaces at a break are dropped. An empty text gives one empty line.
func Wrap(text string, width int) []string {
	if width < 2 {
		width = 2
	}
	if Width(text) <= width && !strings.ContainsRune(text, '\n') {
		text, _ = dropZeroWidth(text)
		return []string{text}
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapPara(para, width)...)
	}
	return lines
}

// token is a unit of wrapping: an ASCII word, one non-ASCII character, or a run of
// spaces.
type token struct {
	s     string
	w     int
	space bool
	// glued: the token holds on to the one before, as a unit to its number, a date's
	// parts, a remark's characters; broken apart only when nothing else will do (glue).
	glued bool
}

// unitWords are the units and counters a number is read with, longest first where one
// begins another: the line does not break between the number and them.
var unitWords = []string{
	"个工作日", "工作日", "个月", "小时", "分钟", "千伏安", "千瓦时", "千瓦", "千伏", "千克", "立方米", "平方米",
	"公里", "公斤", "年", "月", "日", "时", "分", "秒", "个", "项", "元", "角", "号", "天", "周", "次", "栋",
	"层", "室", "户", "位", "度", "千", "万", "百", "亿", "兆", "米", "吨", "伏", "瓦", "岁", "条", "张", "份",
	"页", "笔", "台", "套", "件", "间", "处", "名", "人", "家", "期", "块", "只", "辆",
}

// unitAt returns the unit word s starts with, "" for none.
func unitAt(s string) string {
	for _, u := range unitWords {
		if strings.HasPrefix(s, u) {
			return u
		}
	}
	return ""
}

// numberWithUnit measures a number at the start of s (ASCII digits, with . , : - /
// inside) and the unit after it, and after a 年 or 月 the rest of the date (11月27日),
// after a date its weekday in brackets (（周五）), after another unit what it is per
// (元/月): the length in bytes, 0 when s does not start with a number that has a unit.
func numberWithUnit(s string) int {
	n := 0
	for {
		j := n
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || j > n && strings.IndexByte(".,:-/", s[j]) >= 0 && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
			j++
		}
		if j == n {
			return n
		}
		u := unitAt(s[j:])
		if u == "" && j+1 < len(s) && s[j] == ' ' {
			// 220 千瓦, 2 个工作日: the space between is kept, and the break is not there.
			if u = unitAt(s[j+1:]); u != "" {
				j++
			}
		}
		if u == "" {
			return n
		}
		n = j + len(u)
		if u != "年" && u != "月" || n == len(s) || s[n] < '0' || s[n] > '9' {
			break
		}
	}
	if strings.HasSuffix(s[:n], "日") && strings.Contains(s[:n], "月") {
		if r, _ := remark(s[n:]); r > 0 {
			n += r
		}
	} else if n+1 < len(s) && s[n] == '/' {
		// A rate: 79.00元/月, 5000.00元/台.
		if u := unitAt(s[n+1:]); u != "" {
			n += 1 + len(u)
		}
	}
	return n
}

// tokenize cuts s into tokens; with glue, a number holds on to its unit and a short
// remark's characters to each other.
func tokenize(s string, glue bool) []token {
	var toks []token
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if glue {
			// A word that only ends in digits (DL2026 before 年) is no number.
			k := numberWithUnit(s[i:])
			if k == 0 && r == '（' {
				k, _ = remark(s[i:])
			}
			if k > 0 {
				group := tokenize(s[i:i+k], false)
				for j := 1; j < len(group); j++ {
					group[j].glued = true
				}
				toks = append(toks, group...)
				i += k
				continue
			}
		}
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

// maxRemark is the widest a bracketed remark may be, brackets included, to be kept on
// one line: （凭本机编号查询）, （24小时）.
const maxRemark = 18

// remark measures a short remark at the start of s, （ to ）, with no punctuation inside
// (a longer aside breaks after its own commas): its length in bytes and its width; 0
// when s does not start with one.
func remark(s string) (n, w int) {
	for i, r := range s {
		if i > 0 && r == '）' {
			return i + len("）"), w + runeWidth(r)
		}
		w += runeWidth(r)
		if i > 0 && (strings.ContainsRune(noLineStart+noLineEnd, r) && r != '.' && r != ':') || r == utf8.RuneError || w > maxRemark-2 {
			return 0, 0
		}
	}
	return 0, 0
}

// noLineStart is punctuation that must not begin a line, and noLineEnd what must not
// end one (禁则): a currency sign stays with its amount, an opening bracket with its text.
const (
	noLineStart = "，。、；：！？）》」』】〕”’,.;:!?)]%"
	noLineEnd   = "￥$（《「『【〔“‘(["
)

// Brackets and quotes that open and close an aside: a break between them costs more.
const (
	asideOpen  = "（《「『【〔“"
	asideClose = "）》」』】〕”"
)

// Costs of a way of breaking a paragraph. Fewer lines come first (line); among as many
// lines, the least cost: the empty part of each line but the last, squared, as a share
// of the width (a line 30 % short costs 0.09), plus each break's (breakCost), plus lone
// when the last line is one character.
const (
	line = 1000
	// forbidden: a line that starts with closing punctuation or ends with opening
	// punctuation, taken only when nothing else fits (a line of commas).
	forbidden = 1e6
	// midPhrase: between two Han characters, as “装表接 / 电”; midWord between a Han
	// character and a number or Latin word (最迟 / 2026年). Either rather than leave a
	// fifth (midPhrase) of a line empty for a break after punctuation.
	midPhrase, midWord = 0.04, 0.02
	// inAside is added to a break inside brackets or quotes but after punctuation:
	// （已受理2项，等待受 / 理1项） is worse than a break after the comma, or before the
	// bracket.
	inAside = 0.1
	// glue: inside a number with its unit, a date, a remark or a word, when keeping it
	// whole would start or end a line with what may not (（预计）。 on 8 columns: “（预计”
	// over “）。”) or it is wider than a line alone; a line more costs less.
	glue = 10 * line
	// lone: the last line is one character (with its punctuation): rather leave some
	// 45 % of the line before empty.
	lone = 0.2
)

// wrapPara breaks a paragraph into the lines of least cost (see the constants above):
// each way of ending a line at each token is costed once, from the best way of
// reaching the start of that line.
func wrapPara(s string, width int) []string {
	// A line narrower than one Han character could hold nothing: a wide character would
	// be split into itself again and again.
	width = max(width, 2)
	s, joins := dropZeroWidth(s)
	toks := tokenize(s, true)
	if joins != nil {
		// A token after a word joiner (Keep) holds on to the one before.
		at := 0
		for i := range toks {
			if joins[at] {
				toks[i].glued = true
			}
			at += len(toks[i].s)
		}
	}
	toks = fit(toks, width)
	n := len(toks)
	if n == 0 {
		return []string{""}
	}
	// depth[i]: how many asides are open before token i.
	depth := make([]int, n+1)
	for i, t := range toks {
		d := depth[i]
		for _, r := range t.s {
			switch {
			case strings.ContainsRune(asideOpen, r):
				d++
			case strings.ContainsRune(asideClose, r) && d > 0:
				d--
			}
		}
		depth[i+1] = d
	}
	// span is the line of tokens [i, j): its leading spaces are dropped (but the
	// paragraph's own, at its start), and its trailing ones.
	span := func(i, j int) (a, b int) {
		for i > 0 && i < j && toks[i].space {
			i++
		}
		for j > i && toks[j-1].space {
			j--
		}
		return i, j
	}
	sum := make([]int, n+1)
	for i, t := range toks {
		sum[i+1] = sum[i] + t.w
	}
	best := make([]float64, n+1)
	from := make([]int, n+1)
	for j := 1; j <= n; j++ {
		best[j] = math.Inf(1)
		for i := j - 1; i >= 0; i-- {
			a, b := span(i, j)
			w := sum[b] - sum[a]
			if w > width && j > i+1 {
				break
			}
			if math.IsInf(best[i], 1) || (i > 0 && a == b && j < n) {
				continue
			}
			c := best[i] + line
			if i > 0 {
				c += breakCost(toks, depth, i)
			}
			if j < n {
				slack := float64(width-w) / float64(width)
				c += slack * slack
			} else if b-a >= 1 && lonely(toks[a:b]) {
				c += lone
			}
			if c < best[j] {
				best[j], from[j] = c, i
			}
		}
	}
	var lines []string
	for j := n; j > 0; j = from[j] {
		a, b := span(from[j], j)
		var l strings.Builder
		for _, t := range toks[a:b] {
			l.WriteString(t.s)
		}
		lines = append(lines, l.String())
	}
	slices.Reverse(lines)
	return lines
}

// fit splits the words wider than a line into their characters.
func fit(toks []token, width int) []token {
	var out []token
	for _, t := range toks {
		if t.w <= width || t.space {
			out = append(out, t)
			continue
		}
		for j, c := range chars(t.s) {
			c.glued = t.glued || j > 0
			out = append(out, c)
		}
	}
	return out
}

// lonely reports whether a last line is one CJK character, with its punctuation.
func lonely(toks []token) bool {
	t := ""
	for _, tok := range toks {
		t += tok.s
	}
	t = strings.TrimRight(t, " "+noLineStart)
	r, n := utf8.DecodeRuneInString(t)
	return n > 0 && n == len(t) && r >= utf8.RuneSelf
}

// breakCost is the cost of a line break before token i.
func breakCost(toks []token, depth []int, i int) float64 {
	// The tokens on either side, spaces aside.
	p, q := i-1, i
	for p > 0 && toks[p].space {
		p--
	}
	for q < len(toks)-1 && toks[q].space {
		q++
	}
	before, after := toks[p].s, toks[q].s
	last, _ := utf8.DecodeLastRuneInString(before)
	first, _ := utf8.DecodeRuneInString(after)
	if strings.ContainsRune(noLineStart, first) || strings.ContainsRune(noLineEnd, last) {
		return forbidden
	}
	c := 0.0
	if toks[i].glued || toks[q].glued {
		c = glue
	}
	atPunct := strings.ContainsRune(noLineStart, last) || strings.ContainsRune(noLineEnd, first)
	if depth[i] > 0 && !atPunct {
		c += inAside
	}
	switch {
	case toks[i-1].space || toks[i].space, atPunct:
		return c
	case last < utf8.RuneSelf || first < utf8.RuneSelf:
		return c + midWord
	}
	return c + midPhrase
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
