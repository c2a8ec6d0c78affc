package printer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
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
		// Zero-width format characters are dropped; spaces, minus, superscripts replaced.
		{in: "燃\u2060气\u200b\ufeff", want: "C8BCC6F8"},
		{in: "\u00ad\u200c\u200d", want: ""},
		{in: "a\u2009b\u2003c\u202fd\u2002e", want: "612062206320642065"},
		{in: "\u22125 m\u00b2 m\u00b3", want: "2D35206D32206D33"},
		{in: "9:00\u301c17:00", want: "393A3030A1AB31373A3030"},
		{in: "\u2060\u2060张😀", bad: 0x1F600}, // named at its index in the text, the joiners counted
	} {
		got, err := Encode(tc.in, tc.cs)
		if tc.bad != 0 {
			var ue *UnprintableError
			if !errors.As(err, &ue) || ue.Rune != tc.bad || !errors.Is(err, ErrUnprintable) {
				t.Errorf("Encode(%q): err %v, want U+%04X unprintable", tc.in, err, tc.bad)
			}
			if ue != nil && tc.in == "\u2060\u2060张😀" && ue.Index != 3 {
				t.Errorf("Encode(%q): index %d, want 3 (zero-width characters count)", tc.in, ue.Index)
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
	for in, want := range map[string]int{"": 0, "A1": 2, "张三": 4, "户号 3100123456": 15, "￥¥": 4, "\u00a0": 1,
		Keep("抢修热线"): 8, "a\u200bb\ufeff": 2, "m\u00b2": 2} {
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
		{"前办结（预计）。", 8, "前办结|（预|计）。"}, // no line starts with ）。: the remark breaks
		{"一\n二", 10, "一|二"},
		{"x 水电", 3, "x|水|电"},
		{"供电公司现场勘查并答复供电方案", 28, "供电公司现场勘查并答复供电|方案"},   // no character alone on the last line
		{"燃气公司受理后短信告知办件编号。", 28, "燃气公司受理后短信告知办件|编号。"}, // nor one with its full stop
		{"装表接电。", 8, "装表|接电。"},                        // the line before gives it company
		{"一二三装表接电。", 8, "一二三装|表接电。"},
		{"。", 8, "。"},
	} {
		if got := strings.Join(Wrap(tc.in, tc.width), "|"); got != tc.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// The rules of Chinese line breaking on paper, rule by rule; each case breaks where a
// wrapper filling each line in turn would not.
func TestWrapRules(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		in    string
		width int
		want  string // lines joined by |
	}{
		// 禁则: no line starts with closing punctuation, none ends with opening.
		{"no ， at a line's start", "一二三四五六，七八", 12, "一二三四五|六，七八"},
		{"no 。 at a line's start", "一二三四五六。七八", 12, "一二三四五|六。七八"},
		{"no ） at a line's start", "一二三四五六）七八", 12, "一二三四五|六）七八"},
		{"no ： at a line's start", "甲乙丙丁戊己：庚", 12, "甲乙丙丁戊|己：庚"},
		{"no （ at a line's end", "一二三四五（六七八九十）", 14, "一二三四五|（六七八九十）"},
		{"no “ at a line's end", "一二三四五“六七”", 12, "一二三四五|“六七”"},
		{"no ￥ at a line's end", "合计金额 ￥380.00", 12, "合计金额|￥380.00"},
		{"no 、 at a line's start", "甲乙丙丁戊己、庚辛", 12, "甲乙丙丁戊|己、庚辛"},
		// A number keeps its unit.
		{"3项", "您的申请共涉及3项业务", 16, "您的申请共涉及|3项业务"},
		{"8千瓦", "低压居民新装8千瓦", 16, "低压居民新装|8千瓦"},
		{"2个工作日", "承诺办结时限为2个工作日", 16, "承诺办结时限为|2个工作日"},
		{"220 千瓦", "低压容量在 220 千瓦及以下", 14, "低压容量在|220 千瓦及以下"},
		{"a date", "最迟2026年11月27日", 16, "最迟|2026年11月27日"},
		{"a date with its weekday", "2个工作日，最迟2026年11月27日（周五）", 22, "2个工作日，最迟|2026年11月27日（周五）"},
		{"a date wider than a line", "2026年11月27日", 10, "2026年11月|27日"},
		{"no unit: a word's digits", "编号DL2026年", 8, "编号|DL2026年"},
		{"no unit: a phone number", "电话 0711-5123456 年", 14, "电话|0711-5123456|年"},
		{"2笔", "户号3100001002尚有2笔未缴费用共475.26元，请先缴清", 22, "户号3100001002尚有2笔|未缴费用共475.26元，|请先缴清"},
		{"a rate: 元/月", "月费79.00元/月", 12, "月费|79.00元/月"},
		{"a rate: 元/台", "箱式变压器押金：5000.00元/台", 24, "箱式变压器押金：|5000.00元/台"},
		// What Keep marks is not broken inside, but at its punctuation and spaces.
		{"a hotline's name", Keep("燃气公司服务及抢修热线（24小时） 0711-5987654"), 22, "燃气公司服务及抢修热线|（24小时）|0711-5987654"},
		{"a hotline's name after others", "咨询 " + Keep("燃气公司服务及抢修热线"), 24, "咨询|燃气公司服务及抢修热线"},
		{"a name at its ·", Keep("二、供水 · 梁子湖区自来水有限责任公司"), 32, "二、供水 ·|梁子湖区自来水有限责任公司"},
		{"a name wider than a line", Keep("梁子湖区自来水有限责任公司"), 12, "梁子湖区自来|水有限责任|公司"},
		// A masked word is a word: its * hold to the letters beside them.
		{"a masked unit and room", Keep("金域花园1栋") + Keep("*单元") + Keep("***室"), 20, "金域花园1栋*单元|***室"},
		{"a masked room after a unit", Keep("金域花园1栋") + Keep("*单元") + Keep("***室"), 14, "金域花园1栋|*单元***室"},
		// A short remark in brackets stays whole.
		{"（24小时）", "国网供电服务热线（24小时） 95598", 22, "国网供电服务热线|（24小时） 95598"},
		{"（凭本机编号查询）", "待分配（凭本机编号查询）", 22, "待分配|（凭本机编号查询）"},
		{"（8千瓦）", "低压居民新装（8千瓦）", 16, "低压居民新装|（8千瓦）"},
		{"a remark wider than a line", "（凭本机编号查询）", 10, "（凭本机编|号查询）"},
		// A break rather after punctuation, and not inside brackets.
		{"after the comma inside brackets", "共涉及3项业务（已受理2项，等待受理1项）。各项情况一次告知如下：", 38,
			"共涉及3项业务（已受理2项，|等待受理1项）。各项情况一次告知如下："},
		{"after a comma rather than a line's last column", "※ 承诺时限按工作日计算：受理当日不计入，遇法定节假日顺延。", 48,
			"※ 承诺时限按工作日计算：受理当日不计入，|遇法定节假日顺延。"},
		{"before an opening bracket", "您的申请已提交，共涉及3项业务（已受理2项，等待受理1项）。", 32,
			"您的申请已提交，共涉及3项业务|（已受理2项，等待受理1项）。"},
		// The last line is not one character alone.
		{"no character alone", "供电公司现场勘查并答复供电方案", 28, "供电公司现场勘查并答复供电|方案"},
		{"nor with its full stop", "燃气公司受理后短信告知办件编号。", 28, "燃气公司受理后短信告知办件|编号。"},
	} {
		got := strings.Join(Wrap(tc.in, tc.width), "|")
		if got != tc.want {
			t.Errorf("%s: Wrap(%q, %d) = %q, want %q", tc.rule, tc.in, tc.width, got, tc.want)
		}
		for _, l := range strings.Split(got, "|") {
			if Width(l) > tc.width {
				t.Errorf("%s: line %q wider than %d", tc.rule, l, tc.width)
			}
		}
	}
}

// No line but a paragraph's first starts with closing punctuation and none but its last
// ends with opening punctuation, at any width of a receipt's columns (from 12: narrower,
// a number and the comma after it may not fit a line together).
func TestWrapNeverBreaksForbidden(t *testing.T) {
	texts := []string{
		"您的申请已提交，共涉及3项业务（已受理2项，等待受理1项）。各项情况一次告知如下：",
		"※ 零资料办理：凭本人有效身份证件即可，无需提交纸质材料。身份信息由证件读取，房屋产权等信息由部门间数据共享核验。",
		"国网供电服务热线（24小时） 95598、能源监管热线 12398；“零费用”接电：电能表、表箱及接入工程均由供电公司投资。",
		"费用：水表及安装 ￥380.00；合计 ￥380.00（含税）。",
	}
	for _, s := range texts {
		for w := 12; w <= 48; w++ {
			lines := Wrap(s, w)
			for i, l := range lines {
				first, _ := utf8.DecodeRuneInString(l)
				last, _ := utf8.DecodeLastRuneInString(l)
				if i > 0 && strings.ContainsRune(noLineStart, first) {
					t.Errorf("Wrap(%q, %d): line %d starts with %q: %q", s, w, i+1, first, lines)
				}
				if i < len(lines)-1 && strings.ContainsRune(noLineEnd, last) {
					t.Errorf("Wrap(%q, %d): line %d ends with %q: %q", s, w, i+1, last, lines)
				}
			}
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
		// Only spaces, line breaks and zero-width characters may be lost. Dropped byte by
		// byte, again and again: lines joined may make two stray bytes a soft hyphen.
		drop := strings.NewReplacer(" ", "", "\n", "", "\u2060", "", "\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "", "\u00ad", "")
		strip := func(x string) string {
			for y := drop.Replace(x); y != x; y = drop.Replace(x) {
				x = y
			}
			return x
		}
		if strip(all.String()) != strip(s) {
			t.Fatalf("Wrap(%q) lost text: %q", s, lines)
		}
	})
}
