package receipt

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.bug.st/serial"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// variant is a printer set-up the receipts are checked on.
type variant struct {
	paper  string
	raster bool
}

func (v variant) String() string {
	if v.raster {
		return v.paper + "-raster"
	}
	return v.paper
}

var variants = []variant{{"80mm", false}, {"80mm", true}, {"58mm", false}, {"58mm", true}}

func builder(t testing.TB, v variant) *Builder {
	t.Helper()
	cfg := config.Defaults()
	cfg.Devices.Printer.Paper = v.paper
	cfg.Devices.Printer.NativeQR = !v.raster
	prof, err := Profile(cfg.Devices.Printer)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(FromConfig(cfg), prof)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sample is one sample receipt, its job and the URLs its QR codes must hold, top to
// bottom.
type sample struct {
	name string
	job  func(*Builder) (*printer.Job, error)
	urls func(*Builder) ([]string, error)
}

var samples = []sample{
	{"payment", func(b *Builder) (*printer.Job, error) { return b.Payment(SamplePayment()) },
		func(b *Builder) ([]string, error) { return urls(b.PaymentURL, SamplePayment().TxnID) }},
	// A joint application: a QR in each section, for the part's own reference (the
	// utility's number, the kiosk's for the part not answered yet), none for the 联办编号.
	{"acceptance", func(b *Builder) (*printer.Job, error) { return b.Acceptance(SampleAcceptance()) },
		func(b *Builder) ([]string, error) {
			return urls(b.TrackURL, "DL202611250088", "SS20261125-017", SampleGasRef)
		}},
	{"progress", func(b *Builder) (*printer.Job, error) { return b.Progress(SampleProgress()) },
		func(b *Builder) ([]string, error) { return urls(b.TrackURL, SampleProgress().Ref) }},
	// The test page prints its QR natively and as a raster image; as a raster image only
	// where QR codes are sent so.
	{"testpage", func(b *Builder) (*printer.Job, error) { return b.TestPage(SampleTestPage()) },
		func(b *Builder) ([]string, error) {
			if b.prof.NativeQR {
				return urls(b.TrackURL, "TEST-20261125173012", "TEST-20261125173012")
			}
			return urls(b.TrackURL, "TEST-20261125173012")
		}},
}

// urls are the URLs url makes of refs.
func urls(url func(string) (string, error), refs ...string) ([]string, error) {
	out := make([]string, len(refs))
	for i, ref := range refs {
		u, err := url(ref)
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

// The byte stream of every receipt on every printer set-up is fixed by a golden file.
func TestGoldenStreams(t *testing.T) {
	for _, s := range samples {
		for _, v := range variants {
			job, err := s.job(builder(t, v))
			if err != nil {
				t.Fatalf("%s %s: %v", s.name, v, err)
			}
			simtest.GoldenBytes(t, filepath.Join("testdata", fmt.Sprintf("%s-%s.escpos", s.name, v)), job.Data, *update)
			if !bytes.HasPrefix(job.Data, []byte{0x1B, 0x40, 0x1C, 0x26}) {
				t.Errorf("%s %s: does not start with ESC @ FS &", s.name, v)
			}
		}
	}
}

// The sample payment receipt says exactly what issue 4 lists, in that order.
func TestSamplePaymentContent(t *testing.T) {
	job, err := builder(t, variant{"80mm", false}).Payment(SamplePayment())
	if err != nil {
		t.Fatal(err)
	}
	text := printedText(t, job.Data)
	want := []string{
		"梁子湖区", "水电气网联办自助服务", "缴费凭条", strings.Repeat("-", 48),
		"业务类型  电费缴纳", "收款单位  国网梁子湖区供电公司", "户号      3100123456", "户名      张*",
		"账期      2026年10月", "缴费金额  ￥128.50", "支付方式  扫码支付", "交易流水  20261125173012000123",
		"时间      2026-11-25 17:30:12", "终端编号  LZH-DEMO-01", "本机编号  K261125245629450",
		strings.Repeat("-", 48), "https://pay.example.cn/r/20261125173012000123", "扫码查看电子发票和缴费记录",
		// The footer's words (供电服务, 能源监管: assets/kiosk.default.toml), one a line:
		// the three do not fit one.
		"供电服务 95598", "能源监管 12398", "政务服务便民热线 12345",
	}
	if strings.Join(text, "\n") != strings.Join(want, "\n") {
		t.Fatalf("printed\n%s\nwant\n%s", strings.Join(text, "\n"), strings.Join(want, "\n"))
	}
	if !bytes.HasSuffix(job.Data, []byte{0x1D, 0x56, 0x42, 0x00}) {
		t.Fatal("no feed-and-cut at the end")
	}
}

// printedText decodes a job's text lines and its native QR data, skipping commands.
func printedText(t *testing.T, b []byte) []string {
	t.Helper()
	var lines []string
	var cur []byte
	flush := func() {
		s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(cur)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) > 0 {
			lines = append(lines, string(s))
		}
		cur = cur[:0]
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case 0x0A:
			flush()
		case 0x1B, 0x1C:
			i += map[byte]int{0x40: 1, 0x26: 1, 0x61: 2, 0x45: 2, 0x2D: 2, 0x64: 2, 0x32: 1, 0x33: 2}[b[i+1]]
		case 0x1D:
			switch b[i+1] {
			case 0x21:
				i += 2
			case 0x56:
				i += 3
			case 0x28: // GS ( k: the store function's data is the QR content
				n := int(b[i+3]) | int(b[i+4])<<8
				if b[i+6] == 0x50 {
					lines = append(lines, string(b[i+8:i+5+n]))
				}
				i += 4 + n
			case 0x76: // GS v 0 raster band
				i += 7 + (int(b[i+4])|int(b[i+5])<<8)*(int(b[i+6])|int(b[i+7])<<8)
			default:
				t.Fatalf("unexpected GS %02X at %d", b[i+1], i)
			}
		default:
			cur = append(cur, b[i])
		}
	}
	flush()
	return lines
}

// Personal data never reaches paper whole: not the name, not the birth date in the ID
// number, not the phone number.
func TestPersonalDataMasked(t *testing.T) {
	a := SampleAcceptance()
	p := SamplePayment()
	gb := func(s string) []byte { b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); return b }
	for _, v := range variants {
		b := builder(t, v)
		for _, s := range samples {
			job, err := s.job(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{p.Name, a.Applicant, a.IDNumber, "19900315", a.Phone, SampleAddress.Unit, SampleAddress.Room, "602"} {
				if bytes.Contains(job.Data, gb(secret)) {
					t.Errorf("%s %s prints %q", s.name, v, secret)
				}
			}
		}
	}
	job, _ := builder(t, variants[0]).Acceptance(a)
	text := squeeze(strings.Join(printedText(t, job.Data), "\n"))
	for _, masked := range []string{"张*", "420704********1234", "138****5678", "金域花园1栋*单元***室"} {
		if !strings.Contains(text, masked) {
			t.Errorf("acceptance lacks %q", masked)
		}
	}
}

// The one-time notification: one section per utility, each with time limit, fees,
// documents, hotline and next steps.
func TestAcceptanceSections(t *testing.T) {
	job, err := builder(t, variants[0]).Acceptance(SampleAcceptance())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(printedText(t, job.Data), "\n")
	for _, want := range []string{
		"一次性告知书", "一、供电 · 国网梁子湖区供电公司", "二、供水 · 梁子湖区自来水公司", "三、供气 · 梁子湖区燃气公司",
		"共涉及3项业务（已受理2项，等待受理1项）",
		"身份证号码  420704********1234",
		"2个工作日，最迟2026年11月27日（周五）办结", "5个工作日，最迟2026年12月2日（周三）办结",
		"4个工作日，最迟2026年12月1日（周二）办结（预计）",
		"零费用", "水表及安装 ￥380.00",
		"无需提交纸质材料", "咨询电话  国网供电服务热线（24小时） 95598\n            能源监管热线 12398",
		"1.  供电公司现场勘查并答复供电方案", "※ 承诺时限按工作日计算：受理当日不计入，遇法定节假日顺延。",
		"供电服务 95598  能源监管 12398  政务服务便民热线 12345",
	} {
		if !strings.Contains(squeeze(text), squeeze(want)) {
			t.Errorf("acceptance lacks %q", want)
		}
	}
	// 零资料 is told when no section needs a document.
	if strings.Contains(text, "零资料办理") {
		t.Error("零资料 told on a receipt whose gas section needs a document")
	}
	a0 := SampleAcceptance()
	a0.Sections[2].Documents = nil
	job, err = builder(t, variants[0]).Acceptance(a0)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(printedText(t, job.Data), "\n"); !strings.Contains(squeeze(text), squeeze("※ 零资料办理：凭本人有效身份证件即可，无需提交纸质材料。")) {
		t.Errorf("零资料 not told: %s", text)
	}
	if _, err := builder(t, variants[0]).Acceptance(Acceptance{Ref: "X"}); err == nil {
		t.Error("an acceptance without sections was accepted")
	}
	// A date the citizen chose, later than the committed time, is the time limit.
	a := SampleAcceptance()
	a.Sections[0].ChosenDate, a.Sections[0].Deadline = true, time.Date(2026, 12, 10, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	job, err = builder(t, variants[0]).Acceptance(a)
	if err != nil {
		t.Fatal(err)
	}
	if text := squeeze(strings.Join(printedText(t, job.Data), "\n")); !strings.Contains(text, squeeze("承诺时限  按您选择的日期，2026年12月10日（周四）办理")) ||
		strings.Contains(text, squeeze("最迟2026年12月10日（周四）")) {
		t.Errorf("a chosen date as the time limit:\n%s", text)
	}
}

// A time limit says what the screens say (2个工作日，最迟…办结), and its date, with its
// weekday, is on one line on either paper, ten working days and more too: a date wrapped
// in two is read wrong.
func TestTimeLimitDateOnOneLine(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	a := SampleAcceptance()
	a.Sections[1].WorkingDays, a.Sections[1].Deadline = 20, time.Date(2026, 12, 23, 0, 0, 0, 0, cst)
	a.Sections[2].ChosenDate, a.Sections[2].Deadline = true, time.Date(2026, 12, 30, 0, 0, 0, 0, cst)
	for _, v := range []variant{{"80mm", false}, {"58mm", false}} {
		job, err := builder(t, v).Acceptance(a)
		if err != nil {
			t.Fatal(err)
		}
		lines := printedText(t, job.Data)
		for _, date := range []string{"2026年11月27日（周五）", "2026年12月23日（周三）", "2026年12月30日（周三）"} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, date) }) {
				t.Errorf("%s: %s is not on one line:\n%s", v, date, strings.Join(lines, "\n"))
			}
		}
		text := squeeze(strings.Join(lines, "\n"))
		for _, want := range []string{"承诺时限2个工作日，最迟2026年11月27日（周五）办结", "承诺时限20个工作日，最迟2026年12月23日（周三）办结",
			"承诺时限按您选择的日期，2026年12月30日（周三）"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: lacks %s", v, want)
			}
		}
	}
}

// A joint application's 联办编号 is not tracked: each section carries its own tracking
// QR under its number, and a queued part prints the kiosk's number to type in.
func TestJointAcceptance(t *testing.T) {
	a := SampleAcceptance()
	job, err := builder(t, variants[0]).Acceptance(a)
	if err != nil {
		t.Fatal(err)
	}
	lines := printedText(t, job.Data)
	text := strings.Join(lines, "\n")
	for _, want := range []string{"联办编号  " + SampleJointRef, "待分配（本机编号" + SampleGasRef + "）", "各项业务可分别扫码"} {
		if !strings.Contains(squeeze(text), squeeze(want)) {
			t.Errorf("joint acceptance lacks %q:\n%s", want, text)
		}
	}
	// Each section's QR follows its number, and is told as the part's own.
	var sections []string
	for i, l := range lines {
		if strings.HasPrefix(l, "https://") {
			sections = append(sections, l)
			if i+1 == len(lines) || lines[i+1] != "扫码查询本项办理进度" {
				t.Errorf("the QR of %s is not told as its part's own", l)
			}
		}
	}
	want := []string{"https://track.example.cn/a/DL202611250088", "https://track.example.cn/a/SS20261125-017",
		"https://track.example.cn/a/" + SampleGasRef}
	if !slices.Equal(sections, want) {
		t.Errorf("QR codes %q, want %q", sections, want)
	}
	for i, sec := range strings.Split(text, "扫码查询本项办理进度")[:3] {
		if number := strings.TrimPrefix(want[i], "https://track.example.cn/a/"); !strings.Contains(sec[strings.LastIndex(sec, "、"):], number) {
			t.Errorf("section %d's QR %s is not under its own number", i+1, number)
		}
	}
	if strings.Contains(text, "本机编号  J") || strings.Contains(text, "track.example.cn/a/J") || strings.Contains(text, "凭本机编号查询") {
		t.Errorf("the joint reference is offered for tracking:\n%s", text)
	}
	a.Sections[0].Track = ""
	if _, err := builder(t, variants[0]).Acceptance(a); err == nil {
		t.Error("a joint acceptance with an untracked section was accepted")
	}
}

// squeeze drops white space, line ends included: a receipt's rows are padded to align
// and its long lines wrap where the paper ends.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// The address the citizen chose is printed, masked (the unit's and room's numbers
// hidden, app/mask): once at the top, under the applicant, when every part has the same;
// else in each part's section, under its own label (临电's 用电地点); not at all when
// no part asks for one.
func TestAcceptanceAddress(t *testing.T) {
	const masked = "地址梁子湖区太和镇正街社区金域花园1栋*单元***室"
	for _, v := range []variant{{"80mm", false}, {"58mm", false}} {
		text := func(a Acceptance) string {
			job, err := builder(t, v).Acceptance(a)
			if err != nil {
				t.Fatal(err)
			}
			return squeeze(strings.Join(printedText(t, job.Data), "\n"))
		}
		// One address for all three parts: once, above 申请事项.
		all := text(SampleAcceptance())
		if strings.Count(all, masked) != 1 || !strings.Contains(all, "138****5678"+masked+"申请事项") {
			t.Errorf("%s: a common address not told once at the top:\n%s", v, all)
		}
		// Each part its own: in its section, after its number.
		a := SampleAcceptance()
		a.Sections[1].Address = Address{Label: "用电地点", Place: []string{"梁子湖区", "太和镇", "正街社区"}}
		a.Sections[2].Address = Address{}
		each := text(a)
		for _, want := range []string{"DL202611250088" + masked, "SS20261125-017用电地点梁子湖区太和镇正街社区"} {
			if !strings.Contains(each, want) {
				t.Errorf("%s: no %q in its section:\n%s", v, want, each)
			}
		}
		if strings.Count(each, "地址") != 1 || strings.Contains(each, "138****5678地址") {
			t.Errorf("%s: an address printed where no part has it:\n%s", v, each)
		}
		// None asked: none printed.
		a = SampleAcceptance()
		for i := range a.Sections {
			a.Sections[i].Address = Address{}
		}
		if none := text(a); strings.Contains(none, "地址") || strings.Contains(none, "金域花园") {
			t.Errorf("%s: an address printed for parts that have none:\n%s", v, none)
		}
	}
}

// A part a utility refused is on the receipt too, with the utility's reason and whom to
// call, and no number, time limit or QR of its own; the others stand.
func TestAcceptanceRefusedPart(t *testing.T) {
	a := SampleAcceptance()
	a.Sections[2].Refused, a.Sections[2].Track = "该地址暂未通燃气管道，无法开户", ""
	job, err := builder(t, variants[0]).Acceptance(a)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(printedText(t, job.Data), "\n")
	for _, want := range []string{"共涉及3项业务（已受理2项，未受理1项）", "三、供气 · 梁子湖区燃气公司", "结果  未受理",
		"原因  该地址暂未通燃气管道，无法开户"} {
		if !strings.Contains(squeeze(text), squeeze(want)) {
			t.Errorf("the receipt lacks %q:\n%s", want, text)
		}
	}
	gas := text[strings.Index(text, "三、供气"):]
	if strings.Contains(gas, "承诺时限") || strings.Contains(gas, "扫码查询本项") {
		t.Errorf("the refused part has a time limit or a QR:\n%s", gas)
	}
}

func TestQRURL(t *testing.T) {
	b := builder(t, variants[0])
	for _, tc := range []struct {
		ref, want string
		err       bool
	}{
		{"20261125173012000123", "https://pay.example.cn/r/20261125173012000123", false},
		{"A B/C", "https://pay.example.cn/r/A%20B%2FC", false},
		{"", "", true},
		{strings.Repeat("9", MaxQRLength), "", true},
	} {
		got, err := b.PaymentURL(tc.ref)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("PaymentURL(%q) = %q, %v", tc.ref, got, err)
		}
		if err != nil && !errors.Is(err, ErrQRURL) {
			t.Errorf("PaymentURL(%q): %v is not ErrQRURL", tc.ref, err)
		}
	}
	noURL, err := New(Settings{Title: "x"}, mustProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noURL.Payment(SamplePayment()); !errors.Is(err, ErrQRURL) {
		t.Errorf("payment without a URL template: %v", err)
	}
	if _, err := New(Settings{}, mustProfile(t)); err == nil {
		t.Error("a builder without a title was made")
	}
}

func mustProfile(t *testing.T) printer.Profile {
	p, err := printer.ProfileFor("80mm")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMoney(t *testing.T) {
	for fen, want := range map[int64]string{12850: "￥128.50", 0: "￥0.00", 5: "￥0.05", -1999: "-￥19.99", 100000000: "￥1000000.00"} {
		if got := Money(fen); got != want {
			t.Errorf("Money(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestProfileFromConfig(t *testing.T) {
	p, err := Profile(config.Printer{Paper: "58mm", Cut: "none", Baud: 9600, NativeQR: false, Buffer: 256, Charset: "gb2312"})
	if err != nil || p.Dots != 384 || p.Columns != 32 || p.Cut != printer.CutNone || p.Baud != 9600 || p.NativeQR || p.Buffer != 256 ||
		p.Charset != printer.CharsetGB2312 {
		t.Fatalf("%+v %v", p, err)
	}
	for _, bad := range []config.Printer{{Paper: "76mm", Cut: "full", Baud: 9600}, {Paper: "80mm", Cut: "half", Baud: 9600}, {Paper: "80mm", Cut: "full", Baud: 1}, {Paper: "80mm", Cut: "full", Baud: 9600, Charset: "utf8"}} {
		if _, err := Profile(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// Done means: every receipt goes through the driver and a real pty to the emulator, and
// comes out as a picture whose QR codes, every one, decode to the intended URLs in order
// (a joint acceptance's one a section), for native and raster QR on 80 and 58 mm paper;
// and that matches its golden picture: on either paper with native QR codes, and the
// payment receipt with raster ones too.
func TestPrintThroughPTY(t *testing.T) {
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			b := builder(t, v)
			sp, err := sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(t.TempDir(), "ttyPRN"), Dots: b.prof.Dots})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			port, err := serial.Open(sp.Path(), &serial.Mode{BaudRate: b.prof.Baud})
			if err != nil {
				t.Fatal(err)
			}
			defer port.Close()
			drv, err := printer.New(port, b.prof, printer.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range samples {
				job, err := s.job(b)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				res, err := drv.Print(ctx, job)
				if err == nil {
					err = sp.WaitCuts(ctx, i+1)
				}
				cancel()
				if err != nil || !res.Complete {
					t.Fatalf("%s: %v (%+v)", s.name, err, res)
				}
				img := sp.Printouts()[i].Image
				if !v.raster || s.name == "payment" {
					simtest.Golden(t, filepath.Join("testdata", fmt.Sprintf("%s-%s.png", s.name, v)), img, *update)
				}
				want, err := s.urls(b)
				if err != nil {
					t.Fatal(err)
				}
				if got := simtest.DecodeQRs(img); !slices.Equal(got, want) {
					t.Fatalf("%s: QR codes decode to %q, want %q", s.name, got, want)
				}
			}
		})
	}
}

func TestReprintMarked(t *testing.T) {
	for _, v := range variants {
		p := SamplePayment()
		p.Reprint = true
		job, err := builder(t, v).Payment(p)
		if err != nil {
			t.Fatal(err)
		}
		if text := printedText(t, job.Data); !slices.Contains(text[:4], "缴费凭条（补打）") {
			t.Errorf("%s: %q", v, text[:4])
		}
	}
}

// A character the printer cannot print (in a name, or in a utility's words) is printed as
// □, the documented replacement, and counted: never a silent 0x1A or a 4-byte sequence,
// and the citizen still gets the receipt.
func TestUnprintableName(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Payment)
		want string
	}{
		{"a utility's words", func(p *Payment) { p.Business = "电费😀" }, "电费□"},
		// Masked to 𠀀*: the first character stays, and has no GBK code.
		{"a name", func(p *Payment) { p.Name = "𠀀三" }, "□*"},
	} {
		p := SamplePayment()
		tc.edit(&p)
		job, err := builder(t, variants[0]).Payment(p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if job.Substituted != 1 || !strings.Contains(strings.Join(printedText(t, job.Data), "\n"), tc.want) {
			t.Errorf("%s: %d substituted, printed:\n%s", tc.name, job.Substituted, strings.Join(printedText(t, job.Data), "\n"))
		}
		if bytes.IndexByte(job.Data, 0x1A) >= 0 {
			t.Errorf("%s: 0x1A in the stream", tc.name)
		}
	}
}

// On either paper, what reads as one name or one figure is on one printed line: a
// hotline's name (燃气公司服务及抢修热线 was printed 燃气公司服务及抢 over 修热线 on 58 mm),
// its number, a utility's long name, a fee's name and its amount, a count with what it
// counts (未受理1项, 2笔), a date with its weekday; and a fee list is one fee a line.
func TestNamesAndFiguresNotBroken(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	a := SampleAcceptance()
	a.Sections[1].Utility = "供水 · 梁子湖区自来水有限责任公司"
	a.Sections[1].Fees = []Fee{{"水表及安装", 38000}, {"管道接驳", 123456789}}
	a.Sections[1].Deadline, a.Sections[1].WorkingDays = time.Date(2026, 12, 23, 0, 0, 0, 0, cst), 20
	a.Sections[2].Refused, a.Sections[2].Track = "户号42001002尚有2笔未缴费用共90.28元，请先缴清后再办理过户", ""
	a.Sections = append(a.Sections, Section{Utility: "宽带 · 梁子湖区宽带运营商", Number: "KD26112800006", Track: "KD26112800006",
		Business: "新装", WorkingDays: 2, Deadline: time.Date(2026, 11, 27, 0, 0, 0, 0, cst),
		FeesText: "初装费：免费\n光猫（租用）：免费\n月资费：79.00元/月", Hotlines: []Hotline{{"宽带客服热线", "10000"}}})
	prog := SampleProgress()
	prog.Items[0].Utility = "供气 · 梁子湖区燃气有限责任公司"
	pay := SamplePayment()
	pay.Amount = 1234567890
	pay.Hotlines = FooterHotlines(config.Defaults().Hotlines, SampleGasHotlines, SampleCommonHotlines)
	whole := map[string][]string{
		"acceptance": {"国网供电服务热线", "能源监管热线 12398", "自来水公司服务热线", "燃气公司服务及抢修热线", "0711-5987654",
			"梁子湖区自来水有限责任公司", "水表及安装 ￥380.00", "管道接驳 ￥1234567.89", "合计 ￥1234947.89",
			"已受理3项", "未受理1项", "2笔", "90.28元", "2026年12月23日（周三）", "初装费：免费", "光猫（租用）：免费",
			"79.00元/月", "宽带客服热线 10000", "一次告知如下",
			"太和镇", "正街社区", "金域花园1栋", "*单元", "***室"},
		"progress": {"梁子湖区燃气有限责任公司", "2026年12月1日（周二）"},
		"payment":  {"￥12345678.90", "燃气公司服务及抢修热线", "0711-5987654", "政务服务便民热线 12345"},
	}
	for _, v := range []variant{{"80mm", false}, {"58mm", false}} {
		b := builder(t, v)
		jobs := map[string]func() (*printer.Job, error){
			"acceptance": func() (*printer.Job, error) { return b.Acceptance(a) },
			"progress":   func() (*printer.Job, error) { return b.Progress(prog) },
			"payment":    func() (*printer.Job, error) { return b.Payment(pay) },
		}
		for kind, job := range jobs {
			j, err := job()
			if err != nil {
				t.Fatalf("%s %s: %v", v, kind, err)
			}
			lines := printedText(t, j.Data)
			for _, w := range whole[kind] {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, w) }) {
					t.Errorf("%s %s: %q is broken across lines:\n%s", v, kind, w, strings.Join(lines, "\n"))
				}
			}
		}
	}
}

// Zero-width characters in a utility's words (a byte-order mark, a zero-width space
// pasted in) print as nothing, not as □; the receipt lines up as without them.
func TestZeroWidthInUtilityWords(t *testing.T) {
	p := SamplePayment()
	p.Business = "\ufeff电费\u200b缴纳"
	job, err := builder(t, variants[0]).Payment(p)
	if err != nil {
		t.Fatal(err)
	}
	if text := printedText(t, job.Data); job.Substituted != 0 || !slices.Contains(text, "业务类型  电费缴纳") {
		t.Errorf("%d substituted, printed:\n%s", job.Substituted, strings.Join(text, "\n"))
	}
}

// A progress item whose state nobody named prints no 当前状态 over nothing; the other
// items of a summary keep theirs.
func TestProgressWithoutState(t *testing.T) {
	p := SampleProgress()
	other := p.Items[0]
	other.Utility, other.Number = "供电 · 国网梁子湖区供电公司", "DL202611250088"
	p.Items = append(p.Items, other)
	p.Items[0].State = ""
	job, err := builder(t, variants[2]).Progress(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := printedText(t, job.Data)
	if n := len(slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return !strings.HasPrefix(l, "当前状态") })); n != 1 {
		t.Errorf("%d 当前状态 rows, want the second item's only:\n%s", n, strings.Join(lines, "\n"))
	}
	if slices.Contains(lines, "当前状态") {
		t.Errorf("a 当前状态 row without its state:\n%s", strings.Join(lines, "\n"))
	}
}

// The sample progress summary is one part's, as the kiosk prints it: named once, under
// the utility's number, which its QR links to; no applicant, no 本机编号.
func TestSampleProgressContent(t *testing.T) {
	job, err := builder(t, variants[0]).Progress(SampleProgress())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(printedText(t, job.Data), "\n")
	for _, want := range []string{"查询时间  2026-11-27 09:15:00", "供气 · 梁子湖区燃气公司", "办件编号  RQ-88017", "当前状态  办理中",
		"4个工作日，最迟2026年12月1日（周二）办结", "√  11-25 17:30 申请受理", "●  入户安检（办理中）", "○  通气（未开始）",
		"https://track.example.cn/a/RQ-88017", "燃气公司服务及抢修热线（24小时） 0711-5987654"} {
		if !strings.Contains(squeeze(text), squeeze(want)) {
			t.Errorf("progress lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "RQ-88017") != 2 || strings.Contains(text, "本机编号") || strings.Contains(text, "申请人") || strings.Contains(text, "申请事项") {
		t.Errorf("not one part under its own number:\n%s", text)
	}
}

// singleAcceptance is the receipt of an application for the sample's electricity
// business alone, as the kiosk prints it: no 联办编号; the part's own reference, the
// utility's number (number) or else the kiosk's, is the receipt's and its section's QR.
func singleAcceptance(number string) Acceptance {
	a := SampleAcceptance()
	s := a.Sections[0]
	s.Number, s.Track = number, number
	if number == "" {
		s.Track = "K261125245630120"
	}
	a.Ref, a.Joint, a.Service, a.Sections = s.Track, false, "供电 · "+s.Business, []Section{s}
	return a
}

// A receipt of one business names it once, under its number (the kiosk's on top while its
// utility has not given one), has the one QR of its section, and says what to type to
// track it, without 各项业务.
func TestSingleBusinessAcceptance(t *testing.T) {
	for _, tc := range []struct {
		number, ref string
		// times is how often ref is printed: in the section (and on top while it is the
		// kiosk's) and in the QR.
		times int
		want  []string
	}{
		{"DL202611250088", "DL202611250088", 2, []string{"办件编号  DL202611250088", "也可在本机“进度查询”输入办件编号查询"}},
		{"", "K261125245630120", 3, []string{"本机编号  K261125245630120", "办件编号  待分配（本机编号K261125245630120）",
			"也可在本机“进度查询”输入本机编号查询"}},
	} {
		for _, v := range []variant{{"80mm", false}, {"58mm", false}} {
			job, err := builder(t, v).Acceptance(singleAcceptance(tc.number))
			if err != nil {
				t.Fatal(err)
			}
			lines := printedText(t, job.Data)
			text := squeeze(strings.Join(lines, "\n"))
			for _, w := range tc.want {
				if !strings.Contains(text, squeeze(w)) {
					t.Errorf("%s, number %q: lacks %q:\n%s", v, tc.number, w, strings.Join(lines, "\n"))
				}
			}
			if strings.Contains(text, "各项业务") || strings.Contains(text, "联办编号") || strings.Count(text, tc.ref) != tc.times {
				t.Errorf("%s, number %q: not one business under its own number:\n%s", v, tc.number, strings.Join(lines, "\n"))
			}
			qrs := slices.DeleteFunc(lines, func(l string) bool { return !strings.HasPrefix(l, "https://") })
			if !slices.Equal(qrs, []string{"https://track.example.cn/a/" + tc.ref}) {
				t.Errorf("%s, number %q: QR codes %q", v, tc.number, qrs)
			}
		}
	}
}
