package printer

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func mustProfile(t testing.TB, paper string) Profile {
	t.Helper()
	p, err := ProfileFor(paper)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The anchor of escpos.md §9: init, Chinese mode, centred double-size 缴费凭证, then a
// bold amount with ¥ replaced by ￥ (A3 A4).
func TestDocAnchor(t *testing.T) {
	d := NewDoc(mustProfile(t, "80mm"))
	d.Align(Center)
	d.Size(2, 2)
	d.Line("缴费凭证")
	d.Size(1, 1)
	d.Align(Left)
	d.Bold(true)
	d.Line("金额：¥100.00")
	d.Bold(false)
	got, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "1B40 1C26 1B6101 1D2111 BDC9B7D1C6BED6A4 0A 1D2100 1B6100 1B4501 BDF0B6EEA3BAA3A4 3130302E3030 0A 1B4500")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % X\nwant % X", got, want)
	}
}

// Styles are sent only when they change; Reset returns to the defaults.
func TestDocStyles(t *testing.T) {
	d := NewDoc(mustProfile(t, "80mm"))
	d.Bold(true)
	d.Bold(true)
	d.Underline(2)
	d.Size(1, 2)
	d.Align(Right)
	d.LineSpacing(56)
	d.LineSpacing(56)
	d.Feed(3)
	d.Reset()
	d.Reset()
	got, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "1B40 1C26 1B4501 1B2D02 1D2101 1B6102 1B3338 1B6403 1B6100 1B4500 1B2D00 1D2100 1B32")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % X\nwant % X", got, want)
	}
}

func TestDocBadArguments(t *testing.T) {
	for name, f := range map[string]func(d *Doc){
		"size 0":       func(d *Doc) { d.Size(0, 1) },
		"size 9":       func(d *Doc) { d.Size(1, 9) },
		"underline 3":  func(d *Doc) { d.Underline(3) },
		"feed 256":     func(d *Doc) { d.Feed(256) },
		"spacing 256":  func(d *Doc) { d.LineSpacing(256) },
		"spacing -1":   func(d *Doc) { d.LineSpacing(-1) },
		"align 3":      func(d *Doc) { d.Align(3) },
		"unprintable":  func(d *Doc) { d.Line("😀") },
		"control char": func(d *Doc) { d.Line("a\x1bb") },
		"qr empty":     func(d *Doc) { d.QR("", QROptions{}) },
		"qr non-ascii": func(d *Doc) { d.QR("https://例子.cn", QROptions{}) },
		"qr module 17": func(d *Doc) { d.QR("x", QROptions{Module: 17}) },
		"qr too long":  func(d *Doc) { d.QR(strings.Repeat("a", 2954), QROptions{EC: ECL, MinModule: 1}) },
	} {
		d := NewDoc(mustProfile(t, "80mm"))
		f(d)
		d.Line("after the error nothing is added")
		if _, err := d.Job(); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := d.Bytes(); err == nil {
			t.Errorf("%s: Bytes gave no error", name)
		}
	}
	if _, err := NewDoc(Profile{}).Job(); err == nil {
		t.Error("an invalid profile must fail the document")
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		cut  Cut
		want string
	}{{CutPartial, "1D564200"}, {CutFull, "1D564100"}, {CutNone, "1B6404"}} {
		p := mustProfile(t, "58mm")
		p.Cut = tc.cut
		d := NewDoc(p)
		d.Cut()
		got, _ := d.Bytes()
		if want := unhex(t, "1B401C26"+tc.want); !bytes.Equal(got, want) {
			t.Errorf("%v: % X, want % X", tc.cut, got, want)
		}
	}
}

// textLines decodes a document made only of text lines (and style commands, which are
// skipped) back into its lines.
func textLines(t *testing.T, d *Doc) []string {
	t.Helper()
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var text []byte
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case 0x1B, 0x1C, 0x1D:
			i += map[byte]int{0x40: 1, 0x26: 1, 0x61: 2, 0x45: 2, 0x2D: 2, 0x21: 2}[b[i+1]]
		default:
			text = append(text, b[i])
		}
	}
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(text)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(s), "\n"), "\n")
}

func TestRowsAlignByDisplayWidth(t *testing.T) {
	d := NewDoc(mustProfile(t, "58mm"))
	d.Rows(
		Row{"业务类型", "电费缴纳"},
		Row{"户号", "3100123456"},
		Row{"ID", "x"},
		Row{"地址", "梁子湖区太和镇政务服务中心一楼东侧自助服务区"},
		Row{"交易流水", "20261125173012000123456789"},
	)
	got := textLines(t, d)
	want := []string{
		"业务类型  电费缴纳",
		"户号      3100123456",
		"ID        x",
		"地址      梁子湖区太和镇政务服务",
		"          中心一楼东侧自助服务区",
		"交易流水  2026112517301200012345",
		"          6789",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if Width(l) > 32 {
			t.Errorf("%q is wider than 32 columns", l)
		}
	}
}

// Rows too narrow for two columns (8× wide: 4 columns on 58 mm paper, 2 on the
// narrowest profile Validate accepts) put each label above its value, never two
// columns jumbled or a negative padding.
func TestRowsTooNarrowStack(t *testing.T) {
	narrow := mustProfile(t, "58mm")
	narrow.Dots, narrow.Columns = 128, 16
	if err := narrow.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Profile{mustProfile(t, "58mm"), narrow} {
		d := NewDoc(p)
		d.Size(8, 1)
		d.Rows(Row{"户号", "31"}, Row{"金额", "元"})
		got := textLines(t, d)
		want := []string{"户", "号", "31", "金", "额", "元"}
		if p.Columns == 32 {
			want = []string{"户号", "31", "金额", "元"}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%d columns: got %q, want %q", p.Columns, got, want)
		}
	}
}

// A centred double-size title is broken into lines of nearly equal width.
func TestCentredTitleBalanced(t *testing.T) {
	for _, tc := range []struct {
		paper string
		want  []string
	}{
		{"80mm", []string{"梁子湖区水电气", "网联办自助服务"}},
		{"58mm", []string{"梁子湖区水电气", "网联办自助服务"}},
	} {
		d := NewDoc(mustProfile(t, tc.paper))
		d.Align(Center)
		d.Size(2, 2)
		d.Line("梁子湖区水电气网联办自助服务")
		if got := textLines(t, d); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %q", tc.paper, got)
		}
	}
}

func TestRuleKeepsStyle(t *testing.T) {
	d := NewDoc(mustProfile(t, "58mm"))
	d.Bold(true)
	d.Size(2, 2)
	d.LineSpacing(56)
	d.Rule()
	got, _ := d.Bytes()
	want := unhex(t, "1B40 1C26 1B4501 1D2111 1B3338 1B4500 1D2100 1B32"+strings.Repeat("2D", 32)+"0A 1B4501 1D2111 1B3338")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % X\nwant % X", got, want)
	}
}

// A document told to Substitute prints what the printer cannot print as □ (a control
// character as a space), keeps the columns aligned, and counts them; without it the same
// text fails the job.
func TestSubstitute(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
		n                int
	}{
		{"all printable", "张* 户号 3100001002 ￥12.00", "张* 户号 3100001002 ￥12.00", 0},
		{"a character outside GBK (Extension B)", "𠮷田 申请", "□田 申请", 1},
		{"an emoji", "谢谢😀", "谢谢□", 1},
		{"a control character", "a\x01b", "a b", 1},
		{"not UTF-8", "a\xffb", "a□b", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDoc(mustProfile(t, "80mm"))
			d.Substitute()
			d.Rows(Row{Label: "姓名", Value: tc.text})
			job, err := d.Job()
			if err != nil {
				t.Fatal(err)
			}
			want := NewDoc(mustProfile(t, "80mm"))
			want.Rows(Row{Label: "姓名", Value: tc.want})
			wb, err := want.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(job.Data, wb) || job.Substituted != tc.n {
				t.Errorf("printed %q (%d substituted), want %q (%d)", job.Data, job.Substituted, wb, tc.n)
			}
			if tc.n > 0 {
				strict := NewDoc(mustProfile(t, "80mm"))
				strict.Rows(Row{Label: "姓名", Value: tc.text})
				if _, err := strict.Job(); !errors.Is(err, ErrUnprintable) {
					t.Errorf("without Substitute: %v", err)
				}
			}
		})
	}
}
