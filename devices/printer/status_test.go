package printer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/devices/serialport"
)

// Replies from escpos.md §5.1 and §9.
func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies []byte
		want    error
		check   func(Status) bool
		text    string
	}{
		{"all clear", []byte{0x12, 0x12, 0x12, 0x12}, nil, func(s Status) bool { return s.Known && s.Online }, "正常"},
		{"drawer pin high", []byte{0x16, 0x12, 0x12, 0x12}, nil, func(s Status) bool { return s.Online }, "正常"},
		{"offline", []byte{0x1A, 0x12, 0x12, 0x12}, ErrOffline, func(s Status) bool { return !s.Online }, "脱机"},
		{"cover open", []byte{0x1A, 0x16, 0x12, 0x12}, ErrCoverOpen, func(s Status) bool { return s.CoverOpen }, "纸仓盖打开"},
		{"paper end stop", []byte{0x1A, 0x32, 0x12, 0x72}, ErrPaperOut, func(s Status) bool { return s.PaperEnd && !s.PaperNearEnd }, "缺纸"},
		{"paper end (roll sensor only)", []byte{0x12, 0x12, 0x12, 0x72}, ErrPaperOut, func(s Status) bool { return s.PaperEnd }, "缺纸"},
		{"near end and end", []byte{0x1A, 0x32, 0x12, 0x7E}, ErrPaperOut, func(s Status) bool { return s.PaperEnd && s.PaperNearEnd }, "缺纸、纸将尽"},
		{"near end only", []byte{0x12, 0x12, 0x12, 0x1E}, nil, func(s Status) bool { return s.PaperNearEnd && !s.PaperEnd }, "纸将尽"},
		{"feed button", []byte{0x12, 0x1A, 0x12, 0x12}, nil, func(s Status) bool { return s.FeedButton }, "正在走纸"},
		{"cutter", []byte{0x1A, 0x52, 0x1A, 0x12}, ErrCutter, func(s Status) bool { return s.CutterError }, "切刀故障"},
		{"unrecoverable", []byte{0x1A, 0x52, 0x32, 0x12}, ErrUnrecoverable, func(s Status) bool { return s.Unrecoverable }, "不可恢复故障"},
		{"overheat", []byte{0x1A, 0x52, 0x52, 0x12}, ErrOverheat, func(s Status) bool { return s.Overheat }, "打印头过热"},
		{"cover and paper", []byte{0x1A, 0x36, 0x12, 0x72}, ErrCoverOpen, func(s Status) bool { return s.CoverOpen && s.PaperEnd }, "纸仓盖打开、缺纸"},
		// No answer is unknown, never paper out.
		{"no answer", nil, ErrNoAnswer, func(s Status) bool { return !s.Known }, "状态未知（无应答）"},
		{"answers stop after two", []byte{0x12, 0x12}, ErrNoAnswer, func(s Status) bool { return !s.Known && !s.PaperEnd }, "状态未知（无应答）"},
		{"XON is not a reply", []byte{0x11, 0x12, 0x12, 0x12}, ErrNoAnswer, func(s Status) bool { return !s.Known }, "状态未知（无应答）"},
		{"XOFF is not a reply", []byte{0x12, 0x13, 0x12, 0x12}, ErrNoAnswer, func(s Status) bool { return !s.Known }, "状态未知（无应答）"},
		{"GS r reply is not a DLE EOT reply", []byte{0x12, 0x12, 0x12, 0x0C}, ErrNoAnswer, func(s Status) bool { return !s.Known && !s.PaperEnd }, "状态未知（无应答）"},
	} {
		s := ParseStatus(tc.replies)
		if err := s.Err(); err != tc.want {
			t.Errorf("%s: Err() = %v, want %v", tc.name, err, tc.want)
		}
		if !tc.check(s) {
			t.Errorf("%s: %+v", tc.name, s)
		}
		if s.String() != tc.text {
			t.Errorf("%s: String() = %q, want %q", tc.name, s.String(), tc.text)
		}
	}
}

func TestIsStatusReply(t *testing.T) {
	for b := 0; b < 256; b++ {
		want := b&0x80 == 0 && b&0x10 != 0 && b&0x02 != 0 && b&0x01 == 0
		if got := IsStatusReply(byte(b)); got != want {
			t.Errorf("%02X: %v", b, got)
		}
	}
	if IsStatusReply(0x11) || IsStatusReply(0x13) {
		t.Error("XON/XOFF taken for a status reply")
	}
}

func TestAdvice(t *testing.T) {
	if Advice(nil) != "" {
		t.Error("advice for no error")
	}
	_, unplugged := serialport.Open(filepath.Join(t.TempDir(), "ttyUSB0"), serialport.Mode{})
	errs := []error{ErrNoAnswer, ErrGarbled, ErrOffline, ErrStalled, ErrPaperOut, ErrCoverOpen, ErrCutter, ErrUnrecoverable,
		ErrOverheat, ErrUnprintable, ErrQRTooLarge, unplugged, errors.New("x")}
	seen := map[string]error{}
	for _, err := range errs {
		wrapped := &JobError{Result: Result{Sent: 10}, Err: fmt.Errorf("ctx: %w", err)}
		if Advice(wrapped) == "" || Advice(wrapped) != Advice(err) {
			t.Errorf("%v: %q", err, Advice(wrapped))
		}
		// Each error has its own advice: staff do something different for each.
		if other, ok := seen[Advice(err)]; ok {
			t.Errorf("%v is advised as %v: %q", err, other, Advice(err))
		}
		seen[Advice(err)] = err
	}
	for _, tc := range []struct {
		err  error
		says string
	}{
		{unplugged, "未连接"},
		{ErrGarbled, "devices.printer.baud"},
	} {
		if !strings.Contains(Advice(tc.err), tc.says) {
			t.Errorf("%v: %q does not say %q", tc.err, Advice(tc.err), tc.says)
		}
	}
}

// A status whose replies came garbled is unknown, as one unanswered, and says why.
func TestGarbledStatus(t *testing.T) {
	s := Status{Garbled: true}
	if err := s.Err(); err != ErrGarbled || !errors.Is(err, ErrNoAnswer) || s.String() != "状态未知（应答无法识别）" {
		t.Fatalf("Err() = %v, String() = %q", err, s.String())
	}
}

func TestJobError(t *testing.T) {
	partial := &JobError{Result: Result{Sent: 100, Confirmed: 40}, Err: ErrPaperOut}
	if !errors.Is(partial, ErrPaperOut) || !errors.Is(partial, ErrPartial) || !partial.Result.Partial() {
		t.Fatalf("partial: %v", partial)
	}
	before := &JobError{Err: ErrCoverOpen}
	if !errors.Is(before, ErrCoverOpen) || errors.Is(before, ErrPartial) || before.Result.Partial() {
		t.Fatalf("not started: %v", before)
	}
}

func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		paper         string
		dots, columns int
	}{{"80mm", 576, 48}, {"58mm", 384, 32}} {
		p, err := ProfileFor(tc.paper)
		if err != nil || p.Dots != tc.dots || p.Columns != tc.columns || !p.NativeQR || p.Cut != CutPartial {
			t.Errorf("%s: %+v %v", tc.paper, p, err)
		}
	}
	if _, err := ProfileFor("76mm"); err == nil {
		t.Error("76mm accepted")
	}
	for in, want := range map[string]Cut{"full": CutFull, "partial": CutPartial, "none": CutNone} {
		if c, err := ParseCut(in); err != nil || c != want || c.String() != in {
			t.Errorf("ParseCut(%q) = %v %v", in, c, err)
		}
	}
	if _, err := ParseCut("half"); err == nil {
		t.Error("half accepted")
	}
	good, _ := ProfileFor("80mm")
	for name, f := range map[string]func(*Profile){
		"dots":    func(p *Profile) { p.Dots = 100 },
		"columns": func(p *Profile) { p.Columns = 100 },
		"qr":      func(p *Profile) { p.QRMaxData = 8000 },
		"cut":     func(p *Profile) { p.Cut = 7 },
		"baud":    func(p *Profile) { p.Baud = 12345 },
		"buffer":  func(p *Profile) { p.Buffer = 8 },
		"charset": func(p *Profile) { p.Charset = 9 },
	} {
		p := good
		f(&p)
		if p.Validate() == nil {
			t.Errorf("%s: invalid profile accepted", name)
		}
	}
}
