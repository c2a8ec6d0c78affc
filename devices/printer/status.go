package printer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liangzihu/kiosk/devices/said"
	"github.com/liangzihu/kiosk/devices/serialport"
)

// Errors a caller decides on with errors.Is. Status.Err maps a status to them; Print
// returns them wrapped in a *JobError.
var (
	// ErrNoAnswer: the printer did not answer a status query. Its state is unknown: it
	// may be off, unplugged, or a model that does not answer DLE EOT. Never read this as
	// "out of paper".
	ErrNoAnswer = errors.New("printer: no answer (state unknown)")
	// ErrGarbled: bytes came back, but none of them a status reply: the line's settings
	// (most often the baud rate) do not match the printer's. The state is unknown, as
	// with ErrNoAnswer, which errors.Is finds too.
	ErrGarbled = fmt.Errorf("printer: answers are not status replies (baud rate or port settings wrong?): %w", ErrNoAnswer)
	// ErrOffline: the printer is off line for a reason it does not report.
	ErrOffline = errors.New("printer: off line")
	// ErrPaperOut: the paper roll has run out.
	ErrPaperOut = errors.New("printer: out of paper")
	// ErrCoverOpen: the paper cover is open.
	ErrCoverOpen = errors.New("printer: cover open")
	// ErrCutter: the cutter is jammed; staff must clear it.
	ErrCutter = errors.New("printer: cutter error")
	// ErrUnrecoverable: the printer needs a power cycle.
	ErrUnrecoverable = errors.New("printer: unrecoverable error")
	// ErrOverheat: the head is too hot (an error that clears by itself).
	ErrOverheat = errors.New("printer: head overheated")
	// ErrStalled: the printer takes no data (it holds XOFF, or leaves its barriers
	// unanswered) though its status reports no error: a mechanism stalled without
	// saying so, or bytes lost to a receive buffer smaller than the profile's.
	ErrStalled = errors.New("printer: takes no data, though it reports no error")
	// ErrPartial: a job stopped after part of it was sent; the receipt is incomplete and
	// should be reprinted (补打) once the printer is ready.
	ErrPartial = errors.New("printer: job incomplete")
)

// Status is the printer's state from the real-time status queries DLE EOT 1–4.
type Status struct {
	// Known is false when the printer did not answer all four queries; the other flags
	// then say only what the answers that came tell.
	Known bool
	// Garbled: not Known, and what came back instead of a status reply was bytes that
	// mean nothing (a wrong baud rate), not silence.
	Garbled bool
	// Online is true when the printer accepts data (DLE EOT 1, bit 3 clear).
	Online bool
	// CoverOpen (DLE EOT 2, bit 2).
	CoverOpen bool
	// FeedButton: paper is being fed with the FEED button (DLE EOT 2, bit 3).
	FeedButton bool
	// PaperEnd: out of paper (DLE EOT 2 bit 5, printing stopped; or DLE EOT 4 bits 5–6).
	PaperEnd bool
	// PaperNearEnd: the near-end sensor sees little paper left (DLE EOT 4 bits 2–3).
	// Not an error: printing goes on; staff should change the roll soon.
	PaperNearEnd bool
	// CutterError: the autocutter is jammed (DLE EOT 3, bit 3).
	CutterError bool
	// Unrecoverable: a power cycle is needed (DLE EOT 3, bit 5).
	Unrecoverable bool
	// Overheat: an automatically recoverable error, normally head temperature
	// (DLE EOT 3, bit 6).
	Overheat bool
	// Raw holds the replies to DLE EOT 1–4; 0 where none came.
	Raw [4]byte
}

// IsStatusReply reports whether b has the fixed bits of a DLE EOT reply (0xx1xx10).
// XON (11) and XOFF (13) never do.
func IsStatusReply(b byte) bool { return b&0x93 == 0x12 }

// ParseStatus builds a Status from the replies to DLE EOT 1, 2, 3 and 4, in that order.
// A missing or malformed reply (0, or fewer than four) leaves the status not Known.
func ParseStatus(replies []byte) Status {
	var s Status
	s.Known = len(replies) >= 4
	s.Online = true
	for i := range min(len(replies), 4) {
		b := replies[i]
		if !IsStatusReply(b) {
			s.Known = false
			continue
		}
		s.Raw[i] = b
		switch i {
		case 0:
			s.Online = b&0x08 == 0
		case 1:
			s.CoverOpen = b&0x04 != 0
			s.FeedButton = b&0x08 != 0
			s.PaperEnd = s.PaperEnd || b&0x20 != 0
		case 2:
			s.CutterError = b&0x08 != 0
			s.Unrecoverable = b&0x20 != 0
			s.Overheat = b&0x40 != 0
		case 3:
			s.PaperNearEnd = b&0x0C != 0
			s.PaperEnd = s.PaperEnd || b&0x60 != 0
		}
	}
	if s.Raw[0] == 0 {
		s.Online = false
	}
	return s
}

// Err says whether the printer can print: nil, or the most specific of ErrGarbled,
// ErrNoAnswer, ErrUnrecoverable, ErrCutter, ErrCoverOpen, ErrPaperOut, ErrOverheat and
// ErrOffline (ErrStalled is the driver's finding, not the status's).
// A paper near end is not an error.
func (s Status) Err() error {
	switch {
	case !s.Known && s.Garbled:
		return ErrGarbled
	case !s.Known:
		return ErrNoAnswer
	case s.Unrecoverable:
		return ErrUnrecoverable
	case s.CutterError:
		return ErrCutter
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperEnd:
		return ErrPaperOut
	case s.Overheat:
		return ErrOverheat
	case !s.Online:
		return ErrOffline
	}
	return nil
}

// String describes the status in Chinese for staff, e.g. "正常", "缺纸", "纸将尽",
// "状态未知（无应答）".
func (s Status) String() string {
	if !s.Known && s.Garbled {
		return "状态未知（应答无法识别）"
	}
	if !s.Known {
		return "状态未知（无应答）"
	}
	var parts []string
	add := func(on bool, text string) {
		if on {
			parts = append(parts, text)
		}
	}
	add(s.Unrecoverable, "不可恢复故障")
	add(s.CutterError, "切刀故障")
	add(s.CoverOpen, "纸仓盖打开")
	add(s.PaperEnd, "缺纸")
	add(s.Overheat, "打印头过热")
	add(s.FeedButton, "正在走纸")
	add(!s.Online && len(parts) == 0, "脱机")
	add(s.PaperNearEnd, "纸将尽")
	if len(parts) == 0 {
		return "正常"
	}
	return strings.Join(parts, "、")
}

// Advice is what staff should do about a printer error, in Chinese; "" for nil.
func Advice(err error) string { return adviceOf(err).ZH }

// AdviceEN is Advice in English, for a maintenance screen in English.
func AdviceEN(err error) string { return adviceOf(err).EN }

// Words are the advices Advice gives, Chinese to English: a screen in English shows
// with them what was kept in Chinese (a journal entry, a device's state).
func Words() map[string]string {
	out := map[string]string{adviceOther.ZH: adviceOther.EN}
	for _, a := range advices {
		out[a.ZH] = a.EN
	}
	return out
}

// advices are the advices by error, first match first.
var advices = []struct {
	is func(error) bool
	said.Said
}{
	{serialport.IsGone, said.Said{ZH: "打印机未连接：检查USB/串口线是否插好", EN: "Printer not connected: check its cable"}},
	{is(ErrGarbled), said.Said{ZH: "打印机应答无法识别：波特率或端口设置可能不对（配置项 devices.printer.baud）", EN: "Printer answers unreadable: check the baud rate (devices.printer.baud)"}},
	{is(ErrNoAnswer), said.Said{ZH: "打印机无应答：检查电源、串口线和端口设置；状态未知，不代表缺纸", EN: "Printer not answering: check power, cable, port; state unknown, not paper out"}},
	{is(ErrUnrecoverable), said.Said{ZH: "打印机出现不可恢复故障：请关闭电源后重新开机", EN: "Printer fault: switch it off and on again"}},
	{is(ErrCutter), said.Said{ZH: "切刀卡纸：打开纸仓清除卡纸后合上，再补打凭条", EN: "Cutter jammed: clear it, close the cover, reprint"}},
	{is(ErrCoverOpen), said.Said{ZH: "纸仓盖未合上：请合上纸仓盖", EN: "Paper cover open: close it"}},
	{is(ErrPaperOut), said.Said{ZH: "打印纸用完：请更换纸卷，再补打凭条", EN: "Paper out: load a new roll and reprint"}},
	{is(ErrOverheat), said.Said{ZH: "打印头过热：稍候自动恢复", EN: "Print head too hot: it recovers shortly"}},
	{is(ErrOffline), said.Said{ZH: "打印机脱机：检查打印机面板指示灯", EN: "Printer off line: check its panel lights"}},
	{is(ErrStalled), said.Said{ZH: "打印机不接收数据（自检无错）：检查打印机和纸路，必要时关闭电源后重新开机，再补打凭条", EN: "Printer takes no data: check it and the paper path, restart it if need be, reprint"}},
	{is(ErrUnprintable), said.Said{ZH: "凭条含打印机无法打印的字符", EN: "Receipt has characters the printer cannot print"}},
	{is(ErrQRTooLarge), said.Said{ZH: "二维码过大，超出纸宽", EN: "QR code wider than the paper"}},
}

// adviceOther is the advice for an error of no known kind.
var adviceOther = said.Said{ZH: "打印机通信错误：检查串口线和端口设置", EN: "Printer communication error: check cable and port settings"}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func adviceOf(err error) said.Said {
	if err == nil {
		return said.Said{}
	}
	for _, a := range advices {
		if a.is(err) {
			return a.Said
		}
	}
	return adviceOther
}
