package touch

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	ft "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// Paragraph is wrapping text that breaks its lines where Chinese text may break: between
// any two Han characters, but never before ，。、）” nor after （“, and at spaces, as the
// Unicode line-breaking algorithm (UAX #14) says. Fyne's own wrapping breaks only at
// spaces, so a Chinese sentence ran on to its last space and left the line short: “…两个
// 环节，2” over “个工作日内…”. The paragraph takes as few lines as Fyne would, breaks
// them where they read best (wrapLines) and hands Fyne's rich text its one segment with
// the line breaks in place.
type Paragraph struct {
	widget.RichText
	text string
	// key is what the lines were last broken for: Fyne lays a screen out again as it
	// paints it, and breaking and refreshing from there every time would paint twice.
	key wrapKey
}

type wrapKey struct {
	width, size float32
	style       fyne.TextStyle
}

// NewParagraph returns wrapping text in a style: its colour, size, alignment.
func NewParagraph(text string, style widget.RichTextStyle) *Paragraph {
	p := &Paragraph{}
	p.init(text, style)
	p.ExtendBaseWidget(p)
	return p
}

// init sets a paragraph up; a widget that embeds one then extends the base widget.
func (p *Paragraph) init(text string, style widget.RichTextStyle) {
	style.Inline = true
	p.text = text
	p.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text, Style: style}}
	p.Wrapping = fyne.TextWrapWord
	p.Scroll = container.ScrollNone
}

// ColorOf is the colour Fyne's label gives text of an importance.
func ColorOf(imp widget.Importance) fyne.ThemeColorName {
	switch imp {
	case widget.LowImportance:
		return ft.ColorNameDisabled
	case widget.HighImportance:
		return ft.ColorNamePrimary
	case widget.DangerImportance:
		return ft.ColorNameError
	case widget.WarningImportance:
		return ft.ColorNameWarning
	case widget.SuccessImportance:
		return ft.ColorNameSuccess
	}
	return ft.ColorNameForeground
}

func (p *Paragraph) segment() *widget.TextSegment { return p.Segments[0].(*widget.TextSegment) }

// SetText changes the text.
func (p *Paragraph) SetText(text string) {
	if text != p.text {
		p.text = text
		p.key = wrapKey{}
	}
	p.Refresh()
}

// String returns the text as set, without the line breaks the width put in.
func (p *Paragraph) String() string { return p.text }

// Resize breaks the lines for the new width before they are laid out.
func (p *Paragraph) Resize(size fyne.Size) {
	if p.rewrap(size.Width) && size == p.Size() {
		p.RichText.Refresh()
	}
	p.RichText.Resize(size)
}

// Refresh breaks the lines again should the text or its size have changed (大字模式).
func (p *Paragraph) Refresh() {
	p.rewrap(p.Size().Width)
	p.RichText.Refresh()
}

// rewrap breaks the text for a width w and reports whether its lines changed.
func (p *Paragraph) rewrap(w float32) bool {
	th := p.Theme()
	seg := p.segment()
	name := seg.Style.SizeName
	if name == "" {
		name = ft.SizeNameText
	}
	key := wrapKey{width: w - 2*th.Size(ft.SizeNameInnerPadding), size: th.Size(name), style: seg.Style.TextStyle}
	if key == p.key {
		return false
	}
	p.key = key
	text := p.text
	if key.width > 0 {
		text = wrapLines(p.text, key.width, func(s string) float32 {
			return fyne.MeasureText(s, key.size, key.style).Width
		})
	}
	if text == seg.Text {
		return false
	}
	seg.Text = text
	return true
}

// wrapLines breaks each paragraph of text into as few lines of at most width as the
// break opportunities of UAX #14 allow (pieces), and among the ways of doing so picks
// the one that reads best (lineCost): lines ending after punctuation rather than inside
// a phrase, no character alone on the last line, and a short text of two or three lines
// balanced, not one full line over a stub (“查询水、电、气、网账户和 / 账单” becomes “查询水、
// 电、气、/ 网账户和账单”). Spaces at a break or at a paragraph's end are dropped; a piece
// too wide for a line alone (a long number) keeps a line of its own, where Fyne breaks
// it further.
func wrapLines(text string, width float32, measure func(string) float32) string {
	var out strings.Builder
	var seg segmenter.Segmenter
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		ps := pieces(&seg, para)
		for j, line := range breakLines(ps, width, measure) {
			if j > 0 {
				out.WriteByte('\n')
			}
			// Trailing spaces too: Fyne would measure them and break the line there.
			out.WriteString(strings.TrimRight(strings.Join(ps[line[0]:line[1]], ""), " "))
		}
	}
	return out.String()
}

// Costs of a way of breaking a paragraph, in units of a line's empty part squared: a
// line 30 % short costs 0.09.
const (
	// midPhrase is the cost of a break that is not after punctuation or a space (nor
	// before an opening bracket): between two characters of a phrase, as “装表接 / 电”.
	// A long text would rather fill a line than leave a fifth of it empty for a better
	// break; a short one, balanced, has room to spare and breaks where it reads best.
	midPhrase, midPhraseBalanced = 0.02, 0.1
	// lone is the cost of a last line that is one character (with its punctuation).
	lone = 1
	// balanced is the most lines a paragraph is balanced over; a longer one fills its
	// lines and leaves its last line as it falls.
	balanced = 3
	// chosenLines is the most lines whose breaks are chosen; more are filled in turn.
	// Choosing costs time and memory in lines × pieces, and a paragraph that long on a
	// screen is one squeezed to a few characters a line while Fyne lays it out.
	chosenLines = 30
)

// breakLines returns the lines of a paragraph as ranges of its pieces: as many as filling
// each line in turn gives, broken where their lineCost adds up least.
func breakLines(ps []string, width float32, measure func(string) float32) [][2]int {
	n := len(ps)
	if n == 0 {
		return [][2]int{{0, 0}}
	}
	// A line's width is its pieces' widths added, the last without its spaces (a break
	// comes after spaces, so shaping does not join two pieces); the lines chosen are
	// measured whole at the end.
	sum, bare := make([]float32, n+1), make([]float32, n)
	for i, p := range ps {
		w := measure(p)
		sum[i+1] = sum[i] + w
		bare[i] = w
		if t := strings.TrimRight(p, " "); t != p {
			bare[i] = measure(t)
		}
	}
	lineWidth := func(i, j int) float32 { return sum[j-1] - sum[i] + bare[j-1] }
	fits := func(i, j int) bool { return j == i+1 || lineWidth(i, j) <= width }
	good, single := make([]bool, n), make([]bool, n)
	for j, p := range ps {
		if j > 0 {
			good[j] = goodBreak(ps[j-1], p)
		}
		// One character and its punctuation is one piece: UAX #14 does not break
		// before closing punctuation.
		t := strings.TrimRight(p, " "+closing)
		single[j] = utf8.RuneCountInString(t) == 1 && t[0] >= utf8.RuneSelf
	}
	whole := func(i, j int) bool {
		return j == i+1 || measure(strings.TrimRight(strings.Join(ps[i:j], ""), " ")) <= width
	}

	lines := greedy(n, fits)
	if len(lines) == 1 || len(lines) > chosenLines {
		return lines
	}
	// best[k][j]: the least cost of pieces [0, j) in k lines, and where its last line starts.
	type choice struct {
		cost  float64
		start int
	}
	nl := len(lines)
	best := make([][]choice, nl+1)
	for k := range best {
		best[k] = make([]choice, n+1)
		for j := range best[k] {
			best[k][j] = choice{cost: math.Inf(1), start: -1}
		}
	}
	best[0][0].cost = 0
	for k := 1; k <= nl; k++ {
		// Each line before and after has a piece at least.
		for j := k; j <= n-(nl-k); j++ {
			for i := j - 1; i >= k-1 && fits(i, j); i-- {
				if math.IsInf(best[k-1][i].cost, 1) {
					continue
				}
				c := best[k-1][i].cost + lineCost(good, single, i, j, n, nl, width, lineWidth(i, j))
				if c < best[k][j].cost {
					best[k][j] = choice{cost: c, start: i}
				}
			}
		}
	}
	if best[nl][n].start < 0 {
		return lines
	}
	chosen := make([][2]int, nl)
	for k, j := nl, n; k > 0; k-- {
		i := best[k][j].start
		chosen[k-1] = [2]int{i, j}
		j = i
	}
	for _, l := range chosen {
		if !whole(l[0], l[1]) {
			// Kerning across a break made a line wider than its pieces: fill the
			// lines by their whole widths instead.
			return greedy(n, whole)
		}
	}
	return chosen
}

// greedy fills each line in turn with as many pieces as fit.
func greedy(n int, fits func(i, j int) bool) [][2]int {
	var lines [][2]int
	for i := 0; i < n; {
		j := i + 1
		for j < n && fits(i, j+1) {
			j++
		}
		lines = append(lines, [2]int{i, j})
		i = j
	}
	return lines
}

// lineCost is the cost of the line of pieces [i, j) of n, in a paragraph of nl lines:
// its empty part squared, and the break after it (good[j]: a break before piece j
// reads well; single[i]: piece i is one character).
func lineCost(good, single []bool, i, j, n, nl int, width, w float32) float64 {
	slack := float64(width-w) / float64(width)
	if slack < 0 { // a piece too wide for any line
		slack = 0
	}
	if j < n {
		c := slack * slack
		switch {
		case good[j]:
		case nl <= balanced:
			c += midPhraseBalanced
		default:
			c += midPhrase
		}
		return c
	}
	var c float64
	if nl <= balanced {
		// The last line counts too, a little less, so that of two equal ways the
		// fuller first line wins.
		c = 0.9 * slack * slack
	}
	if j == i+1 && single[i] {
		c += lone
	}
	return c
}

// goodBreak reports whether a line may end well between two pieces: after a space or
// punctuation that closes, or before an opening bracket or quote. Not after the space
// between a word and the number it names (户号 3100001002, 本机编号 K2611…): the line
// would end on the word, its number on the next.
func goodBreak(before, after string) bool {
	if strings.HasSuffix(before, " ") {
		return !namesNumber(strings.TrimRight(before, " "), after)
	}
	last, _ := utf8.DecodeLastRuneInString(before)
	first, _ := utf8.DecodeRuneInString(after)
	return strings.ContainsRune(closing, last) || strings.ContainsRune(opening, first)
}

// namesNumber reports whether word, ending in a Han character, is followed by a number
// or a reference (letters and digits): what it names.
func namesNumber(word, after string) bool {
	last, _ := utf8.DecodeLastRuneInString(word)
	first, _ := utf8.DecodeRuneInString(after)
	isASCIIAlnum := first < utf8.RuneSelf && (unicode.IsDigit(first) || unicode.IsLetter(first))
	return unicode.Is(unicode.Han, last) && isASCIIAlnum && strings.ContainsAny(after, "0123456789")
}

// Punctuation that ends a phrase, and that opens one.
const (
	closing = "，。、；：！？）」』”’》〉】,.;:!?)]"
	opening = "（「『“‘《〈【(["
)

// unitsAfterNumbers are the Chinese units and counters a number is read with (2026年,
// 5个, 220 千瓦): a line does not break between the number and them, as UAX #14 would.
const unitsAfterNumbers = "年月日时分秒个项元角号天周次栋层室户位度千万百亿"

// pieces cuts a paragraph at its break opportunities: UAX #14's, but for those between a
// number and its unit, and after the spaces that start a paragraph (a line of spaces
// alone would show as an empty one).
func pieces(seg *segmenter.Segmenter, para string) []string {
	seg.InitWithString(para)
	var out []string
	for it := seg.LineIterator(); it.Next(); {
		piece := string(it.Line().Text)
		if n := len(out); n > 0 {
			prev := strings.TrimRight(out[n-1], " ")
			first, _ := utf8.DecodeRuneInString(piece)
			if prev == "" || prev[len(prev)-1] >= '0' && prev[len(prev)-1] <= '9' && strings.ContainsRune(unitsAfterNumbers, first) {
				out[n-1] += piece
				continue
			}
		}
		out = append(out, piece)
	}
	return out
}
