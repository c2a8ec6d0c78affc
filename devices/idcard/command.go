package idcard

import "fmt"

// Command is a CMD, PARA pair.
type Command struct {
	Code, Param byte
}

// The commands the kiosk uses (GA 467 business-terminal interface).
var (
	CmdReset           = Command{0x10, 0xFF} // 复位SAM
	CmdSAMStatus       = Command{0x11, 0xFF} // SAM状态检测
	CmdSAMID           = Command{0x12, 0xFF} // 读SAM管理信息 (module number)
	CmdFind            = Command{0x20, 0x01} // 寻找证/卡
	CmdSelect          = Command{0x20, 0x02} // 选取证/卡
	CmdRead            = Command{0x30, 0x01} // 读固定信息: text + photo
	CmdReadFingerprint = Command{0x30, 0x10} // text + photo + fingerprint
	CmdReadAddress     = Command{0x30, 0x03} // 读追加住址
)

var commandNames = map[Command]string{
	CmdReset:           "reset SAM",
	CmdSAMStatus:       "SAM status",
	CmdSAMID:           "read SAM ID",
	CmdFind:            "find card",
	CmdSelect:          "select card",
	CmdRead:            "read card",
	CmdReadFingerprint: "read card with fingerprint",
	CmdReadAddress:     "read appended address",
}

// String names the command, e.g. "find card", or "command 60 00" when unknown.
func (c Command) String() string {
	if n, ok := commandNames[c]; ok {
		return n
	}
	return fmt.Sprintf("command %02X %02X", c.Code, c.Param)
}

// Frame is the command's complete host→reader frame.
func (c Command) Frame() []byte { return EncodeCommand(c.Code, c.Param, nil) }

// success is the SW3 that means the command worked.
func (c Command) success() Status {
	if c == CmdFind {
		return StatusFound
	}
	return StatusOK
}

// dataLen is the number of data bytes in the command's success reply, or -1 when it
// varies (the card reads, checked by their parser).
func (c Command) dataLen() int {
	switch c {
	case CmdFind:
		return 4
	case CmdSelect:
		return 8
	case CmdSAMID:
		return 16
	case CmdReset, CmdSAMStatus:
		return 0
	}
	return -1
}

// maxReply is the largest reply LEN a command can have, to size its timeout.
func (c Command) maxReply() int {
	switch c {
	case CmdRead:
		return 0x0508
	case CmdReadFingerprint:
		return 0x090A
	case CmdReadAddress:
		return 0x004A
	case CmdSAMID:
		return 0x0014
	case CmdSelect:
		return 0x000C
	case CmdFind:
		return 0x0008
	}
	return minReplyLen
}
