package touch

import (
	"strings"
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
// 环节，2” over “个工作日内…”. The paragraph fills each line instead and hands Fyne's
// rich text its one segment with the line breaks in place.
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
		text = wrapLines(p.text, func(line string) bool {
			return fyne.MeasureText(line, key.size, key.style).Width <= key.width
		})
	}
	if text == seg.Text {
		return false
	}
	seg.Text = text
	return true
}

// wrapLines puts a line break before each piece of text that would not fit on the line,
// at the break opportunities of UAX #14. Spaces at a break or at a paragraph's end are
// dropped; a piece too wide for a line alone (a long number) keeps a line of its own,
// where Fyne breaks it further.
func wrapLines(text string, fits func(line string) bool) string {
	var out strings.Builder
	var seg segmenter.Segmenter
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		line := ""
		for _, piece := range pieces(&seg, para) {
			if kept := strings.TrimRight(line, " "); kept != "" && !fits(strings.TrimRight(line+piece, " ")) {
				out.WriteString(kept)
				out.WriteByte('\n')
				line = ""
			}
			line += piece
		}
		// Trailing spaces too: Fyne would measure them and break the line there.
		out.WriteString(strings.TrimRight(line, " "))
	}
	return out.String()
}

// unitsAfterNumbers are the Chinese units and counters a number is read with (2026年,
// 5个, 220 千瓦): a line does not break between the number and them, as UAX #14 would.
const unitsAfterNumbers = "年月日时分秒个项元角号天周次栋层室户位度千万百亿"

// pieces cuts a paragraph at its break opportunities: UAX #14's, but for those between a
// number and its unit.
func pieces(seg *segmenter.Segmenter, para string) []string {
	seg.InitWithString(para)
	var out []string
	for it := seg.LineIterator(); it.Next(); {
		piece := string(it.Line().Text)
		if n := len(out); n > 0 {
			prev := strings.TrimRight(out[n-1], " ")
			first, _ := utf8.DecodeRuneInString(piece)
			if prev != "" && prev[len(prev)-1] >= '0' && prev[len(prev)-1] <= '9' && strings.ContainsRune(unitsAfterNumbers, first) {
				out[n-1] += piece
				continue
			}
		}
		out = append(out, piece)
	}
	return out
}
