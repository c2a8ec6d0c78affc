package idcard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
)

// Every documented status: a typed error for errors.Is, with its Chinese meaning.
func TestEveryStatus(t *testing.T) {
	want := map[Status]string{
		0x90: "操作成功", 0x9F: "寻找证/卡成功", 0x91: "证/卡中此项无内容",
		0x10: "接收业务终端数据的校验和错", 0x11: "接收业务终端数据的长度错",
		0x21: "接收业务终端的命令错误（含数值或逻辑搭配错误）", 0x23: "越权操作", 0x24: "无法识别的错误",
		0x31: "证/卡认证SAM_V失败", 0x32: "SAM_V认证证/卡失败", 0x33: "信息验证错误",
		0x37: "指纹信息验证错误", 0x3F: "信息长度错误", 0x40: "无法识别的证/卡类型",
		0x41: "读证/卡操作失败", 0x47: "取随机数失败", 0x60: "SAM_V自检失败，不能接收命令",
		0x66: "SAM_V没经过授权，无法使用", 0x80: "寻找证/卡失败", 0x81: "选取证/卡失败", 0xFF: "通信故障",
	}
	if len(Statuses()) != len(want) {
		t.Fatalf("Statuses lists %d codes, want %d", len(Statuses()), len(want))
	}
	for _, s := range Statuses() {
		if s.Meaning() != want[s] || !s.Known() {
			t.Errorf("%02X: meaning %q, want %q", byte(s), s.Meaning(), want[s])
		}
		err := fmt.Errorf("wrapped: %w", &StatusError{Command: CmdRead, Status: s})
		if !errors.Is(err, s) {
			t.Errorf("%02X: errors.Is fails", byte(s))
		}
		for _, other := range Statuses() {
			if other != s && errors.Is(err, other) {
				t.Errorf("%02X matches %02X", byte(s), byte(other))
			}
		}
		if got := errors.Is(err, ErrSAMFault); got != (s == 0x60 || s == 0x66) {
			t.Errorf("%02X: ErrSAMFault %t", byte(s), got)
		}
		if errors.Is(err, ErrUnknownStatus) {
			t.Errorf("%02X counted unknown", byte(s))
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("read card: status %02X (%s)", byte(s), want[s])) {
			t.Errorf("%02X: message %q", byte(s), err)
		}
		if !strings.Contains(StaffMessage(err), want[s]) {
			t.Errorf("%02X: staff message %q", byte(s), StaffMessage(err))
		}
	}
	// The named errors are the codes.
	for s, code := range map[Status]byte{
		ErrNoCard: 0x80, ErrSelectFailed: 0x81, ErrReadFailed: 0x41, ErrCmdChecksum: 0x10,
		ErrCmdLength: 0x11, ErrBadCommand: 0x21, ErrSAMSelfTest: 0x60, ErrSAMUnlicensed: 0x66,
		ErrSAMAuthCard: 0x32, ErrCardAuthSAM: 0x31, ErrNoContent: 0x91, ErrUnknownCardType: 0x40,
	} {
		if byte(s) != code {
			t.Errorf("%v is %02X, want %02X", s, byte(s), code)
		}
	}
}

func TestUnknownStatus(t *testing.T) {
	err := error(&StatusError{Command: CmdFind, Status: 0x55, SW1: 0x6A, SW2: 0x82})
	if !errors.Is(err, ErrUnknownStatus) || !errors.Is(err, Status(0x55)) {
		t.Fatalf("unknown status not typed: %v", err)
	}
	if got := err.Error(); got != "idcard: find card: status 55 (未知状态码), card SW1 SW2 6A 82" {
		t.Fatalf("message %q", got)
	}
	if Status(0x55).Known() {
		t.Fatal("0x55 known")
	}
	if got := Status(0x80).Error(); got != "状态码 80：寻找证/卡失败" {
		t.Fatalf("Status.Error %q", got)
	}
}

// Staff read a Chinese sentence for every kind of failure.
func TestStaffMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "正常"},
		{fmt.Errorf("x: %w", ErrReplyChecksum), "校验和"},
		{fmt.Errorf("x: %w", ErrReplyLength), "长度"},
		{fmt.Errorf("x: %w", ErrNotReply), "不是身份证读卡器应答"},
		{fmt.Errorf("x: %w", ErrTimeout), "无应答"},
		{fmt.Errorf("x: %w", ErrBadText), "格式错误"},
		{fmt.Errorf("x: %w", ErrNoReader), "未连接"},
		{errors.New("other"), "通信故障"},
	} {
		got := StaffMessage(tc.err)
		if !strings.Contains(got, tc.want) || !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
