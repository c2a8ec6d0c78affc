package idcard

import (
	"errors"
	"fmt"
)

// Status is the reader / SAM status byte SW3 of a reply. A Status is itself an error
// value, so every code can be tested with errors.Is:
//
//	if errors.Is(err, idcard.ErrNoCard) { … }
//
// Its Error text is the code and the Chinese meaning staff read in the maintenance
// screen, e.g. "状态码 80：寻找证/卡失败".
type Status byte

// Success codes.
const (
	StatusOK    Status = 0x90 // 操作成功
	StatusFound Status = 0x9F // 寻找证/卡成功, only in reply to find card
)

// Failure codes (GA 467 SW3), each an error for errors.Is.
const (
	ErrNoContent       Status = 0x91 // 证/卡中此项无内容: normal reply to "read appended address" when there is none
	ErrCmdChecksum     Status = 0x10 // the reader received a command with a bad checksum
	ErrCmdLength       Status = 0x11 // the reader received a command with a bad length
	ErrBadCommand      Status = 0x21 // wrong command or command order (e.g. read without select)
	ErrNotPermitted    Status = 0x23 // 越权操作
	ErrUnrecognized    Status = 0x24 // 无法识别的错误
	ErrCardAuthSAM     Status = 0x31 // the card failed to authenticate the SAM
	ErrSAMAuthCard     Status = 0x32 // the SAM failed to authenticate the card (e.g. a fake card)
	ErrVerify          Status = 0x33 // 信息验证错误
	ErrFingerprint     Status = 0x37 // 指纹信息验证错误
	ErrInfoLength      Status = 0x3F // 信息长度错误
	ErrUnknownCardType Status = 0x40 // not an ID card the SAM knows
	ErrReadFailed      Status = 0x41 // typical when the card is pulled away mid-read
	ErrRandom          Status = 0x47 // 取随机数失败
	ErrSAMSelfTest     Status = 0x60 // the SAM failed its self test: hardware fault
	ErrSAMUnlicensed   Status = 0x66 // the SAM is not authorised
	ErrNoCard          Status = 0x80 // 寻找证/卡失败: no card on the reader
	ErrSelectFailed    Status = 0x81 // 选取证/卡失败
	ErrReaderCommFault Status = 0xFF // 通信故障 (one vendor library only)
)

// Group errors: a StatusError also matches these with errors.Is.
var (
	// ErrSAMFault: the security module cannot work (self test failed, not authorised).
	// The reader needs a technician; polling for cards is pointless.
	ErrSAMFault = errors.New("SAM fault")
	// ErrUnknownStatus: an SW3 code this package does not know.
	ErrUnknownStatus = errors.New("unknown status code")
)

var meanings = map[Status]string{
	StatusOK:           "操作成功",
	StatusFound:        "寻找证/卡成功",
	ErrNoContent:       "证/卡中此项无内容",
	ErrCmdChecksum:     "接收业务终端数据的校验和错",
	ErrCmdLength:       "接收业务终端数据的长度错",
	ErrBadCommand:      "接收业务终端的命令错误（含数值或逻辑搭配错误）",
	ErrNotPermitted:    "越权操作",
	ErrUnrecognized:    "无法识别的错误",
	ErrCardAuthSAM:     "证/卡认证SAM_V失败",
	ErrSAMAuthCard:     "SAM_V认证证/卡失败",
	ErrVerify:          "信息验证错误",
	ErrFingerprint:     "指纹信息验证错误",
	ErrInfoLength:      "信息长度错误",
	ErrUnknownCardType: "无法识别的证/卡类型",
	ErrReadFailed:      "读证/卡操作失败",
	ErrRandom:          "取随机数失败",
	ErrSAMSelfTest:     "SAM_V自检失败，不能接收命令",
	ErrSAMUnlicensed:   "SAM_V没经过授权，无法使用",
	ErrNoCard:          "寻找证/卡失败",
	ErrSelectFailed:    "选取证/卡失败",
	ErrReaderCommFault: "通信故障",
}

var meaningsEN = map[Status]string{
	StatusOK:           "done",
	StatusFound:        "card found",
	ErrNoContent:       "the card has nothing in this field",
	ErrCmdChecksum:     "a command from the kiosk had a bad checksum",
	ErrCmdLength:       "a command from the kiosk had a bad length",
	ErrBadCommand:      "a wrong command from the kiosk (values or order)",
	ErrNotPermitted:    "operation not permitted",
	ErrUnrecognized:    "unrecognised error",
	ErrCardAuthSAM:     "the card failed to authenticate the SAM",
	ErrSAMAuthCard:     "the SAM failed to authenticate the card",
	ErrVerify:          "information check failed",
	ErrFingerprint:     "fingerprint check failed",
	ErrInfoLength:      "information length wrong",
	ErrUnknownCardType: "card type not recognised",
	ErrReadFailed:      "reading the card failed",
	ErrRandom:          "getting a random number failed",
	ErrSAMSelfTest:     "the SAM failed its self test and takes no commands",
	ErrSAMUnlicensed:   "the SAM is not authorised and cannot be used",
	ErrNoCard:          "no card found",
	ErrSelectFailed:    "selecting the card failed",
	ErrReaderCommFault: "communication fault",
}

// Statuses lists every status code this package knows, in ascending order.
func Statuses() []Status {
	return []Status{0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x37, 0x3F, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81, 0x90, 0x91, 0x9F, 0xFF}
}

// Known reports whether s is a documented status code.
func (s Status) Known() bool { _, ok := meanings[s]; return ok }

// Meaning is the Chinese meaning of the code, or "未知状态码" when it is not documented.
func (s Status) Meaning() string {
	if m, ok := meanings[s]; ok {
		return m
	}
	return "未知状态码"
}

// MeaningEN is Meaning in English.
func (s Status) MeaningEN() string {
	if m, ok := meaningsEN[s]; ok {
		return m
	}
	return "unknown status code"
}

// Error is the code and its Chinese meaning.
func (s Status) Error() string { return fmt.Sprintf("状态码 %02X：%s", byte(s), s.Meaning()) }

// StatusError is a reply whose SW3 says the command failed.
type StatusError struct {
	Command  Command
	Status   Status
	SW1, SW2 byte
}

// Error names the command, the status byte and its meaning.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("idcard: %s: status %02X (%s)", e.Command, byte(e.Status), e.Status.Meaning())
	if e.SW1 != 0 || e.SW2 != 0 {
		s += fmt.Sprintf(", card SW1 SW2 %02X %02X", e.SW1, e.SW2)
	}
	return s
}

// Unwrap lets errors.Is match the Status itself and the groups it belongs to.
func (e *StatusError) Unwrap() []error {
	errs := []error{e.Status}
	switch {
	case e.Status == ErrSAMSelfTest || e.Status == ErrSAMUnlicensed:
		errs = append(errs, ErrSAMFault)
	case !e.Status.Known():
		errs = append(errs, ErrUnknownStatus)
	}
	return errs
}

// StaffMessage is a one-line Chinese description of err for the maintenance screen and
// for staff reading a log: the status meaning for reader statuses, plain words for
// frame, timeout and connection problems.
func StaffMessage(err error) string { return staffMessage(err, false) }

// StaffMessageEN is StaffMessage in English, for a maintenance screen in English.
func StaffMessageEN(err error) string { return staffMessage(err, true) }

// problems are the words for errors that are not a reader's status, first match first.
var problems = []struct {
	err    error
	zh, en string
}{
	{ErrReplyChecksum, "读卡器应答校验和错误（线路干扰或波特率不符）", "Reader reply checksum wrong (line noise or baud rate)"},
	{ErrReplyLength, "读卡器应答长度错误（应答不完整或已损坏）", "Reader reply length wrong (cut short or damaged)"},
	{ErrNotReply, "收到的不是身份证读卡器应答（设备型号或协议不符）", "Not an ID card reader's reply (wrong device or protocol)"},
	{ErrTimeout, "读卡器无应答（检查电源、连线和波特率）", "Reader not answering (check power, cable, baud rate)"},
	{ErrBadText, "证件信息格式错误，无法识别", "Card text malformed, cannot be read"},
	{ErrNoReader, "读卡器未连接（检查USB/串口连线）", "Reader not connected (check its cable)"},
}

// commFault is the words for an error of no known kind.
const commFault, commFaultEN = "读卡器通信故障", "Reader communication fault"

func staffMessage(err error, en bool) string {
	pick := func(zh, english string) string {
		if en {
			return english
		}
		return zh
	}
	var se *StatusError
	switch {
	case err == nil:
		return pick("正常", "OK")
	case errors.As(err, &se):
		return statusWords(se.Status, en)
	}
	for _, p := range problems {
		if errors.Is(err, p.err) {
			return pick(p.zh, p.en)
		}
	}
	return pick(commFault, commFaultEN)
}

// statusWords says a reader's status code: "读卡器返回状态码 80：寻找证/卡失败".
func statusWords(s Status, en bool) string {
	if en {
		return fmt.Sprintf("Reader status %02X: %s", byte(s), s.MeaningEN())
	}
	return fmt.Sprintf("读卡器返回状态码 %02X：%s", byte(s), s.Meaning())
}

// Words are what StaffMessage and State.Chinese say, Chinese to English: a screen in
// English shows with them what was kept in Chinese (a device's state).
func Words() map[string]string {
	out := map[string]string{commFault: commFaultEN, "正常": "OK"}
	for _, p := range problems {
		out[p.zh] = p.en
	}
	for _, s := range Statuses() {
		out[statusWords(s, false)] = statusWords(s, true)
	}
	return states.Words(out)
}
