package app

import (
	"maps"
	"sync"

	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/devices/idcard"
	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/said"
	"github.com/liangzihu/kiosk/devices/scanner"
)

// The devices and the kiosk say what is wrong with a device or a receipt in Chinese,
// for hall staff: a device's state (DeviceEvent.Detail, staff.Device), why a receipt was
// not printed (PrintResult.Detail, the journal). The journal and the staff socket keep
// the Chinese; a maintenance screen in English says it with the English each one gives
// beside its Chinese, so that staff who switched to English do not read half-English
// rows (读卡器未连接 under "ID card reader … Fault").

// The kiosk's own words about the printer and receipts.
var (
	saidBusy       = said.Said{ZH: "打印机正忙：上一张凭条仍在打印", EN: "Printer busy: the last receipt is still printing"}
	saidNoPrinter  = said.Said{ZH: "未配置打印机", EN: "No printer configured"}
	saidVisitEnded = said.Said{ZH: "办理人已离开或下一位已开始办理，凭条未打印，留待补打", EN: "Citizen gone or next one begun: not printed, kept for reprinting"}
	saidClosing    = said.Said{ZH: "自助终端正在关闭，凭条未打印", EN: "Kiosk shutting down: receipt not printed"}
	saidNearEnd    = said.Said{ZH: "纸将用尽，请尽快更换纸卷", EN: "Paper nearly out: load a new roll soon"}
	// Why a paid order's receipt was kept rather than printed: the payer paid on their
	// phone after leaving the screen. (An order made before a restart is kept for
	// saidPrintUnknown since; the words stay, as receipts kept by earlier releases say
	// them.)
	saidUnprinted = said.Said{ZH: "缴费人离开或自助终端重启后才支付成功，凭条未打印",
		EN: "Paid after the payer left or while the kiosk restarted: receipt not printed"}
	// Why a paid order's receipt is kept when the kiosk cannot know whether it printed:
	// the order was made before this start, and the last run may have printed it while
	// its data file took no writes (it could write neither the receipt nor the order's
	// end, and what it knew went with it), or the payer paid after leaving or while the
	// kiosk was down. Staff ask the payer before printing it again.
	saidPrintUnknown = said.Said{ZH: "支付成功时自助终端已重启或数据无法写入，无法确认凭条是否已打印，补打前请向缴费人核实",
		EN: "Paid while the kiosk restarted or could not save data: not known whether the receipt printed; ask the payer before reprinting"}
	// Why a receipt the kiosk was printing when it stopped (a crash, a power cut) is kept:
	// its citizen may have none, or half of one.
	saidInterrupted = said.Said{ZH: "打印时自助终端中断（重启或断电），凭条可能未打印或不完整",
		EN: "Kiosk stopped while printing (restart or power cut): receipt may be missing or incomplete"}
)

// Why the kiosk closed a payment order's dead letter itself (outbox.CloseFollowed): the
// settling pass learnt from the utility how the order ended, and nothing is left for
// staff to do with it. Staff read them in the dead letter's close reason (kioskctl
// outbox list --state closed) and the journal (request.closed).
var (
	saidFollowedPaidKept = said.Said{ZH: "终端已向单位核实：订单已支付，凭条留待补打",
		EN: "Checked with the utility by the kiosk: paid; receipt kept for reprinting"}
	saidFollowedPaid      = said.Said{ZH: "终端已向单位核实：订单已支付", EN: "Checked with the utility by the kiosk: paid"}
	saidFollowedCancelled = said.Said{ZH: "终端已向单位核实：订单已取消，未扣款", EN: "Checked with the utility by the kiosk: order cancelled, nothing charged"}
	saidFollowedExpired   = said.Said{ZH: "终端已向单位核实：订单已过期，未扣款", EN: "Checked with the utility by the kiosk: order expired, nothing charged"}
	saidFollowedFailed    = said.Said{ZH: "终端已向单位核实：支付未成功，未扣款", EN: "Checked with the utility by the kiosk: payment failed, nothing charged"}
	saidFollowedNotMade   = said.Said{ZH: "终端已向单位核实：单位未生成订单", EN: "Checked with the utility by the kiosk: no order was made"}
	saidFollowedUnknown   = said.Said{ZH: "终端已向单位核实：单位查无此订单", EN: "Checked with the utility by the kiosk: the utility has no such order"}
	saidFollowedNoNumber  = said.Said{ZH: "单位答复时未给出订单号，终端无法跟进此订单，请向单位核实",
		EN: "The utility answered without the order's number: the kiosk cannot follow the order; check with the utility"}
)

// staffWords are every known staff text, Chinese to English.
var staffWords = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, s := range []said.Said{saidBusy, saidNoPrinter, saidVisitEnded, saidClosing, saidNearEnd, saidUnprinted, saidPrintUnknown, saidInterrupted, saidNotWritten, saidLowSpace, saidUntrusted,
		saidFollowedPaidKept, saidFollowedPaid, saidFollowedCancelled, saidFollowedExpired, saidFollowedFailed, saidFollowedNotMade, saidFollowedUnknown, saidFollowedNoNumber} {
		out[s.ZH] = s.EN
	}
	maps.Copy(out, printer.Words())
	maps.Copy(out, idcard.Words())
	maps.Copy(out, scanner.Words())
	return out
})

// StaffWords is what a device or a receipt's printing says (a device's detail, why a
// receipt was not printed) in the kiosk's language: in English the English the devices
// and the kiosk give for their Chinese; a text they do not know of, as it is.
func (k *Kiosk) StaffWords(detail string) string {
	if k.Text.Lang() == i18n.EN {
		if en, ok := staffWords()[detail]; ok {
			return en
		}
	}
	return detail
}
