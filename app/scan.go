package app

import "github.com/liangzihu/kiosk/devices/scanner"

// OnScan registers a listener for codes read by the QR scanner. The screen on top
// decides what a code means (a bill's QR, a receipt's tracking QR). Codes may be
// personal data: they are never logged.
func (k *Kiosk) OnScan(f func(code string)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.scanListeners = append(k.scanListeners, f)
}

func (k *Kiosk) runScanner(s *scanner.Scanner) {
	for e := range s.Events() {
		switch e.Kind {
		case scanner.EventScan:
			k.Touch()
			k.mu.Lock()
			ls := append([]func(string){}, k.scanListeners...)
			k.mu.Unlock()
			for _, f := range ls {
				f(e.Code)
			}
		case scanner.EventDropped:
			k.Log.Info("scan dropped", "reason", e.Err)
		case scanner.EventState:
			ok := e.State == scanner.StateReady
			// The scanner's own error (a port's path, the system's words) is in its log;
			// staff read the state.
			ev := DeviceEvent{Device: "scanner", OK: ok}
			if !ok {
				ev.Detail = e.State.Chinese()
			}
			k.emitDevice(ev)
		}
	}
}

// CanScan reports whether the QR scanner is configured and working: the screens invite
// a citizen to scan a bill or a receipt only then.
func (k *Kiosk) CanScan() bool {
	if !k.Config.Devices.Scanner.Enabled {
		return false
	}
	st, ok := k.DeviceState("scanner")
	return ok && st.OK
}

// Paper is what a screen invites a citizen to hold under the scanner.
type Paper int

const (
	// PaperBill is a utility's paper bill, whose QR code names its account
	// (utility.ParseBillQR): the account lookup without a card.
	PaperBill Paper = iota
	// PaperReceipt is a receipt whose QR code tracks an application (RefFromQR): 进度查询.
	PaperReceipt
)

// ScanChoice is a code demo mode can have the scanner read ("模拟扫码"): what it is, in
// words a visitor recognises, and the code itself.
type ScanChoice struct {
	Label string
	Code  string
}
