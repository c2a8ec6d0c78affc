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
