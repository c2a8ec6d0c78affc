package app

import "github.com/liangzihu/kiosk/app/bundle"

// BundleLeftOut is bundleLeftOut, for the tests: why staff are told a utility's current
// bundle is not shown.
func (k *Kiosk) BundleLeftOut(id string, a *bundle.Applied) string { return k.bundleLeftOut(id, a) }

// StaffWordsTable is every staff text the kiosk can say in English, Chinese to English.
var StaffWordsTable = staffWords

// PrinterBusy is what PrinterReady says while a receipt is being printed.
var PrinterBusy = printerBusy

// SaidUntrusted is the data fault's detail while the data file is not trusted.
var SaidUntrusted = saidUntrusted.ZH

// SaidPrintUnknown is why a paid order's receipt is kept when the kiosk cannot know
// whether it printed.
var SaidPrintUnknown = saidPrintUnknown.ZH
