package app

import (
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/devices/scanner"
)

// ScanKind is what a scan is to the kiosk.
type ScanKind int

const (
	// ScanUnusable: nothing the kiosk can act on. Either the scanner's line was dropped
	// (garbled, too long, not UTF-8 such as a bill's QR sent in GBK, cut short), or the
	// code is neither a bill's QR nor a tracking QR of this kiosk's receipts. The
	// citizen is told, or they scan again and again at a kiosk that seems deaf.
	ScanUnusable ScanKind = iota
	// ScanTracking: a receipt's tracking QR; Scan.Ref is its application number.
	ScanTracking
	// ScanBill: a paper bill's QR; Scan.Bill names its account.
	ScanBill
	// ScanPaymentReceipt: the QR of one of this kiosk's payment receipts (its e-invoice
	// or payment record, receipt.payment_url or a utility's payment_url). It is for the
	// citizen's phone; the kiosk has nothing to open for it, but says what it is rather
	// than that it cannot be read: a citizen who just paid holds the receipt they were
	// given to the scanner they were told to use.
	ScanPaymentReceipt
)

// Scan is a code read by the QR scanner, as the kiosk understands it.
type Scan struct {
	Kind ScanKind
	Ref  string
	Bill utility.BillQR
}

// OnScan registers a listener for what the QR scanner reads. The screen on top decides
// what to do with it (open an application, an account, or tell the citizen the code
// cannot be used). Codes may be personal data: they are never logged.
func (k *Kiosk) OnScan(f func(Scan)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.scanListeners = append(k.scanListeners, f)
}

// ReadScan says what a scanned code is: a receipt's tracking QR, a bill's QR, or
// neither.
func (k *Kiosk) ReadScan(code string) Scan {
	if ref, ok := k.RefFromQR(code); ok {
		return Scan{Kind: ScanTracking, Ref: ref}
	}
	if q, err := utility.ParseBillQR(code); err == nil {
		return Scan{Kind: ScanBill, Bill: q}
	}
	if k.paymentReceiptQR(code) {
		return Scan{Kind: ScanPaymentReceipt}
	}
	return Scan{Kind: ScanUnusable}
}

// paymentReceiptQR reports whether code is what a payment receipt of this kiosk's
// utilities carries (Config.PaymentURL of any of them).
func (k *Kiosk) paymentReceiptQR(code string) bool {
	templates := []string{k.Config.Receipt.PaymentURL}
	for _, c := range k.Utilities {
		templates = append(templates, k.Config.PaymentURL(c.ID()))
	}
	for _, t := range templates {
		if _, ok := refFromURL(t, code); ok {
			return true
		}
	}
	return false
}

func (k *Kiosk) runScanner(s *scanner.Scanner) {
	for e := range s.Events() {
		switch e.Kind {
		case scanner.EventScan:
			k.emitScan(k.ReadScan(e.Code))
		case scanner.EventDropped:
			// A citizen held something to the scanner that it could not read.
			k.Log.Info("scan dropped", "reason", e.Err)
			k.emitScan(Scan{Kind: ScanUnusable})
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

func (k *Kiosk) emitScan(sc Scan) {
	// The countdown on screen means nobody touched it for the idle time: whoever holds a
	// code to the scanner now is most likely the next citizen, not the visit's. A tap
	// answers the countdown (继续办理); a scan does not, and what it opens must not come
	// under the last visit's name, with 返回 into its accounts. The visit ends as the
	// countdown would have ended it, and the scan is served in a visit of its own.
	if k.Sessions.Expire() {
		k.Log.Info("a scan during the idle countdown: the visit ended first")
	}
	k.Touch()
	k.mu.Lock()
	ls := append([]func(Scan){}, k.scanListeners...)
	k.mu.Unlock()
	for _, f := range ls {
		f(sc)
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
