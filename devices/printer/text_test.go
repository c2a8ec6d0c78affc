package printer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cs   Charset
		want string // hex; empty with bad set means an error
		bad  rune
	}{
		{in: "A1 b", want: "41312062"},
		{in: "缴费凭证", want: "BDC9B7D1C6BED6A4"},
		{in: "水电气", want: "CBAEB5E7C6F8"},
		{in: "啊", want: "B0A1"},
		{in: "￥", want: "A3A4"},
		{in: "¥128.50", want: "A3A43132382E3530"}, // documented replacement
		{in: "a\u00a0b\tc", want: "6120622063"},   // no-break space, tab → space
		{in: "•", want: "A1A4"},                   // → ·
		{in: "€", want: "A2E3"},                   // GB18030, not CP936's 0x80
		{in: "·—①：，", want: "A1A4A1AAA2D9A3BAA3AC"},
		{in: "堃喆", want: "88D286B4"},
		{in: "堃", cs: CharsetGB2312, bad: '堃'},
		{in: "张𠀀", bad: 0x20000},
		{in: "ok😀", bad: 0x1F600},
		{in: "a\x1b@", bad: 0x1B},
		{in: "a\nb", bad: '\n'},
		{in: "\u0085", bad: 0x85},
		{in: "a\x7f", bad: 0x7F},
	} {
		got, err := Encode(tc.in, tc.cs)
		if tc.bad != 0 {
			var ue *UnprintableError
			if !errors.As(err, &ue) || ue.Rune != tc.bad || !errors.Is(err, ErrUnprintable) {
				t.Errorf("Encode(%q): err %v, want U+%04X unprintable", tc.in, err, tc.bad)
			}
			if ue != nil && strings.Contains(err.Error(), string(tc.in)) {
				t.Errorf("Encode(%q): the error repeats the text: %v", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Encode(%q): %v", tc.in, err)
			continue
		}
		if !bytes.Equal(got, unhex(t, tc.want)) {
			t.Errorf("Encode(%q) = % X, want %s", tc.in, got, tc.want)
		}
	}
	if _, err := Encode("a\xffb", CharsetGBK); !errors.Is(err, ErrUnprintable) {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

// Whatever the input, the output is ASCII or 2-byte GB codes: never 0x1A, never a
// 4-byte GB18030 sequence, and its length is its display width. Seeds:
// testdata/fuzz/FuzzEncode.
func FuzzEncode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Encode(s, CharsetGBK)
		if err != nil {
			return
		}
		if len(b) != Width(s) {
			t.Fatalf("%q: %d bytes, width %d", s, len(b), Width(s))
		}
		for i := 0; i < len(b); i++ {
			switch {
			case b[i] < 0x20 || b[i] == 0x7F:
				t.Fatalf("%q: control byte % X", s, b[i])
			case b[i] >= 0x80:
				if i+1 >= len(b) || b[i+1] < 0x40 {
					t.Fatalf("%q: bad GB code at %d: % X", s, i, b)
				}
				i++
			}
		}
	})
}

func TestWidth(t *testing.T) {
	for in, want := range map[string]int{"": 0, "A1": 2, "张三": 4, "户号 3100123456": 15, "￥¥": 4, "\u00a0": 1} {
		if got := Width(in); got != want {
			t.Errorf("Width(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string // lines joined by |
	}{
		{"", 10, ""},
		{"short", 10, "short"},
		{"hello world again", 11, "hello world|again"},
		{"hello   world", 7, "hello|world"},
		{"水电气网联办自助服务", 8, "水电气网|联办自助|服务"},
		{"缴费金额 ￥128.50 元", 12, "缴费金额|￥128.50 元"},
		{"abcdefghijkl", 5, "abcde|fghij|kl"},
		{"您的申请已受理，共涉及", 14, "您的申请已受|理，共涉及"},
		{"金额（含税）", 4, "金额|（含|税）"},
		{"前办结（预计）", 10, "前办结|（预计）"}, // a short remark stays whole
		{"（一二三四）", 8, "（一二|三四）"},    // a longer one may break, not before its last character
		{"a（注（b）", 20, "a（注（b）"},    // brackets that do not pair
		{"办结（预计）尚未答复", 12, "办结（预计）|尚未答复"},
		{"（预计）", 6, "（预|计）"},          // a remark wider than the line: by the rules
		{"前办结（预计）。", 8, "前办结|（预计|）。"}, // no line starts with 。
		{"一\n二", 10, "一|二"},
		{"x 水电", 3, "x|水|电"},
		{"供电公司现场勘查并答复供电方案", 28, "供电公司现场勘查并答复供电|方案"},   // no character alone on the last line
		{"燃气公司受理后短信告知办件编号。", 28, "燃气公司受理后短信告知办件|编号。"}, // nor one with its full stop
		{"装表接电。", 8, "装表接|电。"},                        // unless a quarter of the line would not do
		{"。", 8, "。"},
	} {
		if got := strings.Join(Wrap(tc.in, tc.width), "|"); got != tc.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// A line too narrow for a Han character is taken as two columns wide: the character is
// not split into itself for ever (a hang FuzzWrap found).
func TestWrapParaTooNarrow(t *testing.T) {
	for _, in := range []string{"水", "\xa2\x06\xb3", "（一）"} {
		lines := wrapPara(in, 1)
		if strings.Join(lines, "") != in {
			t.Errorf("wrapPara(%q, 1) = %q", in, lines)
		}
	}
}

// A centred text is balanced over the lines it needs, breaking after punctuation or a
// word where some balanced width allows it.
func TestBalance(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string // lines joined by |
	}{
		{"梁子湖区水电气网联办自助服务", 10, "梁子湖区水|电气网联办|自助服务"},
		{"梁子湖区水电气网联办自助服务", 24, "梁子湖区水电气|网联办自助服务"},
		{"也可在本机“进度查询”输入本机编号查询", 32, "也可在本机“进度查询”|输入本机编号查询"},
		{"Liangzihu District Joint Utility Service Hall", 32, "Liangzihu District Joint|Utility Service Hall"},
		{"扫码查询办理进度", 32, "扫码查询办理进度"},
	} {
		if got := strings.Join(balance(tc.in, tc.width), "|"); got != tc.want {
			t.Errorf("balance(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// Wrapped lines fit their width and lose nothing but spaces. Seeds: testdata/fuzz/FuzzWrap.
func FuzzWrap(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 2 || width > 100 || len(s) > 1000 {
			return
		}
		lines := Wrap(s, width)
		var all strings.Builder
		for _, l := range lines {
			if Width(l) > width {
				t.Fatalf("line %q wider than %d", l, width)
			}
			all.WriteString(l)
		}
		// Only spaces and line breaks may be lost.
		strip := func(x string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(x) }
		if strip(all.String()) != strip(s) {
			t.Fatalf("Wrap(%q) lost text: %q", s, lines)
		}
	})
}
