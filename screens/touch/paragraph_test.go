package touch

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// columns is a measure for the tests: a Han character or full-width sign is two columns,
// anything else one.
func columns(s string) int {
	n := 0
	for _, r := range s {
		if utf8.RuneLen(r) > 1 && r != '–' {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func measureColumns(s string) float32 { return float32(columns(s)) }

func TestWrapLines(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  string
	}{
		{"Han characters in balanced lines", "低压客户办电只需两个环节", 10, "低压客户\n办电只需\n两个环节"},
		{"no comma at a line's start", "两个环节，二个工作日", 8, "两个环\n节，二个\n工作日"},
		{"a line ends at punctuation rather than inside a phrase", "装表接电。零费用", 8, "装表接\n电。\n零费用"},
		{"a short text is balanced, broken after punctuation", "查询水、电、气、网账户和账单", 24, "查询水、电、气、\n网账户和账单"},
		{"of two breaks after punctuation the fuller first line", "扫码缴纳水费、电费、燃气费、宽带费", 24, "扫码缴纳水费、电费、\n燃气费、宽带费"},
		{"a quotation is not broken when a comma can be",
			"还有 4项需要填写或更正：点“填写下一项”逐项填写，或点任一项修改", 62, "还有 4项需要填写或更正：点“填写下一项”\n逐项填写，或点任一项修改"},
		{"a long text breaks after punctuation where it costs little of a line", "低压客户办电只需“申请受理、装表接电”两个环节，2 个工作日内装表接电。", 20,
			"低压客户办电只需“申\n请受理、装表接电”\n两个环节，2 个工作日\n内装表接电。"},
		{"and leaves no character alone on its last line", "伏安及以下高压客户5个工作日内装表接电。", 10, "伏安及以\n下高压客\n户5个工作\n日内装表\n接电。"},
		{"no opening quote at a line's end", "只需两“申请", 8, "只需两\n“申请"},
		{"no opening bracket at a line's end", "每千瓦（含税）", 8, "每千瓦\n（含税）"},
		{"a number stays with its unit's space", "内 2 个工作日内装表接电", 12, "内 2 个工作\n日内装表接电"},
		{"a number stays with its unit", "最迟2026年12月1日办结", 9, "最迟\n2026年\n12月1日\n办结"},
		{"and with one after a space", "低压 220 千瓦", 9, "低压\n220 千瓦"},
		{"a number stays with the word that names it", "国网梁子湖区供电公司 户号 3100001002，共2笔账单", 34,
			"国网梁子湖区供电公司\n户号 3100001002，共2笔账单"},
		{"English breaks at spaces, which go", "Pay your bill here today", 10, "Pay your\nbill here\ntoday"},
		{"the space between two words counts", "ab cd", 4, "ab\ncd"},
		{"a line break of the text is kept", "地址\n梁子湖区太和镇", 8, "地址\n梁子湖区\n太和镇"},
		{"a number too long for a line keeps its own", "电话0711-5123456", 6, "电话\n0711-5123456"},
		{"a text that fits is left alone", "首页", 10, "首页"},
		{"spaces at the end go", "首页  ", 10, "首页"},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapLines(tt.text, float32(tt.width), measureColumns)
			if got != tt.want {
				t.Errorf("wrapLines(%q, %d) =\n%s\nwant\n%s", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

func TestParagraphBreaksLinesAtItsWidth(t *testing.T) {
	for _, text := range []string{
		"低压客户办电只需“申请受理、装表接电”两个环节，2 个工作日内装表接电；2000 千伏安及以下高压客户 5 个工作日内装表接电。",
		"Low-voltage connections take two steps only, application and connection, within 2 working days; phone and address are partly hidden for your privacy.",
	} {
		t.Run(text[:12], func(t *testing.T) { testParagraphBreaks(t, text) })
	}
}

// filledLines is how many lines text takes when each is filled in turn (the line count
// the kiosk keeps while it chooses its breaks).
func filledLines(text string, fits func(string) bool) int {
	var seg segmenter.Segmenter
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n++
		line := ""
		for _, piece := range pieces(&seg, para) {
			if kept := strings.TrimRight(line, " "); kept != "" && !fits(strings.TrimRight(line+piece, " ")) {
				n++
				line = ""
			}
			line += piece
		}
	}
	return n
}

func testParagraphBreaks(t *testing.T, text string) {
	test.NewTempApp(t)
	p := NewParagraph(text, widget.RichTextStyle{})
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(400, 600))
	p.Resize(fyne.NewSize(400, 100))

	lines := strings.Split(p.segment().Text, "\n")
	if len(lines) < 3 {
		t.Fatalf("at 400 wide the paragraph is %d lines: %q", len(lines), p.segment().Text)
	}
	size := p.Theme().Size("text")
	width := 400 - 2*p.Theme().Size("innerPadding")
	fits := func(s string) bool { return fyne.MeasureText(s, size, fyne.TextStyle{}).Width <= width }
	for i, l := range lines {
		if !fits(l) {
			t.Errorf("line %d %q is wider than the label's %.0f", i, l, width)
		}
	}
	if n := filledLines(text, fits); len(lines) != n {
		t.Errorf("%d lines, where filling each would take %d:\n%s", len(lines), n, p.segment().Text)
	}
	squeeze := strings.NewReplacer("\n", "", " ", "")
	if squeeze.Replace(p.segment().Text) != squeeze.Replace(text) {
		t.Errorf("the lines lost text: %q", p.segment().Text)
	}
	if p.String() != text {
		t.Errorf("String() = %q, want the text as set", p.String())
	}
	h := p.MinSize().Height

	p.Resize(fyne.NewSize(800, 100))
	if n := strings.Count(p.segment().Text, "\n") + 1; n >= len(lines) {
		t.Errorf("at 800 wide still %d lines", n)
	}
	if p.MinSize().Height >= h {
		t.Errorf("at 800 wide the paragraph is %.0f high, not less than %.0f at 400", p.MinSize().Height, h)
	}

	p.SetText("首页")
	if p.segment().Text != "首页" || p.String() != "首页" {
		t.Errorf("after SetText the label reads %q", p.segment().Text)
	}
}

// BenchmarkParagraphRewrap is the cost of breaking a long commitment's lines at a new
// width (a screen's first layout, or 大字模式), measured as Fyne's test driver measures.
func BenchmarkParagraphRewrap(b *testing.B) {
	test.NewTempApp(b)
	p := NewParagraph("低压客户办电只需“申请受理、装表接电”两个环节，2 个工作日内装表接电；2000 千伏安及以下高压客户 5 个工作日内装表接电。", widget.RichTextStyle{})
	widths := []float32{400, 600}
	for i := 0; b.Loop(); i++ {
		p.Resize(fyne.NewSize(widths[i%2], 100))
	}
}

// FuzzWrapLines: whatever the text (a utility's notice, a catalogue's help), the lines
// lose nothing but spaces at the breaks, are as many as filling each would make, and a
// line wider than the width is one piece that cannot be broken (pieces).
func FuzzWrapLines(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string, width int) {
		// Text reaches a screen decoded from TOML or JSON: valid UTF-8.
		if width < 1 || width > 200 || len(text) > 2000 || !utf8.ValidString(text) {
			return
		}
		got := wrapLines(text, float32(width), measureColumns)
		fits := func(s string) bool { return columns(s) <= width }
		if n, want := strings.Count(got, "\n")+1, filledLines(text, fits); n != want {
			t.Fatalf("wrapLines(%q, %d) = %d lines, where filling each would take %d: %q", text, width, n, want, got)
		}
		squeeze := strings.NewReplacer("\n", "", " ", "")
		if squeeze.Replace(got) != squeeze.Replace(text) {
			t.Fatalf("wrapLines(%q, %d) lost text: %q", text, width, got)
		}
		if strings.Count(got, "\n") < strings.Count(text, "\n") {
			t.Fatalf("wrapLines(%q, %d) dropped a line break of the text: %q", text, width, got)
		}
		for _, line := range strings.Split(got, "\n") {
			if columns(line) <= width {
				continue
			}
			// Spaces that start a paragraph stay with its first piece (or are all of it).
			piece := strings.TrimLeft(line, " ")
			var seg segmenter.Segmenter
			all := pieces(&seg, piece)
			if len(all) == 0 {
				continue
			}
			if first := all[0]; strings.TrimRight(first, " ") != piece && first != piece {
				t.Fatalf("wrapLines(%q, %d): line %q is wider than %d but breakable after %q", text, width, line, width, first)
			}
		}
	})
}
