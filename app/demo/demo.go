// Package demo is the kiosk's demo rig: the device emulators of devices/sim on
// pseudo-terminals, started in-process and wired into the configuration, so that demo
// mode drives the same drivers over the same serial code as a real kiosk. The screens
// reach it through app.Kiosk.Demo ("模拟刷卡", "模拟扫码").
package demo

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/mask"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/app/workdays"
	"github.com/liangzihu/kiosk/devices/sim"
)

// Rig holds the running emulators.
type Rig struct {
	reader  *sim.IDCardReader
	scanner *sim.Scanner
	printer *sim.Printer
	cards   []sim.IDCard
	// utilities are the simulated utilities whose citizens' papers ScanChoices offers.
	utilities *utilitysim.Server
}

// Start starts the emulators with their ports as symlinks in dir (the data folder's
// "dev" subfolder, say), the way /dev/serial/by-id names real devices.
func Start(dir string) (*Rig, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	r := &Rig{cards: sim.DemoCards()}
	var err error
	if r.reader, err = sim.StartIDCardReader(sim.IDCardReaderOptions{Link: filepath.Join(dir, "idcard")}); err != nil {
		return nil, fmt.Errorf("demo: ID card reader: %w", err)
	}
	if r.scanner, err = sim.StartScanner(sim.ScannerOptions{Link: filepath.Join(dir, "scanner")}); err != nil {
		r.Close()
		return nil, fmt.Errorf("demo: scanner: %w", err)
	}
	// A Chinese 80 mm printer with a 4 KiB buffer and XON/XOFF, printing at 200 mm/s.
	if r.printer, err = sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(dir, "printer"), XonXoff: true,
		Speed: 200, ChineseAtPowerOn: true}); err != nil {
		r.Close()
		return nil, fmt.Errorf("demo: printer: %w", err)
	}
	return r, nil
}

// Apply points the configuration's devices at the emulators.
func (r *Rig) Apply(c *config.Config) {
	c.Devices.IDCard.Port = r.reader.Path()
	c.Devices.Scanner.Port = r.scanner.Path()
	c.Devices.Printer.Port = r.printer.Path()
	c.Devices.Printer.Paper = "80mm"
	// The emulators share the machine with the kiosk (and, in tests, with many more):
	// a reply late by a busy scheduler is not a reader fault.
	c.Devices.IDCard.CommandTimeout.Duration = 2 * time.Second
}

// Cards returns the labels of the cards that can be placed, in order, in English or
// Chinese.
func (r *Rig) Cards(english bool) []string {
	labels := make([]string, len(r.cards))
	for i, c := range r.cards {
		name, label := c.Name, c.Label
		if name == "" {
			name = c.EnglishName
		}
		if english && c.LabelEN != "" {
			label = c.LabelEN
		}
		labels[i] = label + " · " + mask.Name(name)
	}
	return labels
}

// PlaceCard puts the i-th demo card on the reader (lifting any card already there).
func (r *Rig) PlaceCard(i int) error {
	if i < 0 || i >= len(r.cards) {
		return fmt.Errorf("demo: no card %d", i)
	}
	return r.reader.Place(r.cards[i])
}

// PlaceFixture puts a named fixture card on the reader (tests use the failure cases,
// e.g. "resident_expired").
func (r *Rig) PlaceFixture(name string) error {
	c, ok := sim.IDCardFixture(name)
	if !ok {
		return fmt.Errorf("demo: no fixture %q", name)
	}
	return r.reader.Place(c)
}

// RemoveCard lifts the card off the reader.
func (r *Rig) RemoveCard() { r.reader.Remove() }

// Scan makes the scanner read code, as if a QR code were held under it.
func (r *Rig) Scan(code string) error { return r.scanner.Scan(code) }

// UseUtilities tells the rig the simulated utilities the kiosk talks to: their
// citizens' paper bills and receipts are what ScanChoices offers. Call it before the
// kiosk starts.
func (r *Rig) UseUtilities(s *utilitysim.Server) { r.utilities = s }

// ErrNoUtilities means the rig was given no simulated utilities (UseUtilities).
var ErrNoUtilities = errors.New("demo: no simulated utilities")

// ScanChoices lists the papers of a kind a visitor can hold to the scanner, with their
// QR codes, labelled in the kiosk's language: a paper bill of each demo citizen (one
// they owe, if any), or the receipt of every application the demo citizens have, seeded
// or made in this run, newest first. Only the utilities the kiosk has enabled are
// asked: another's code would find nothing here.
func (r *Rig) ScanChoices(k *app.Kiosk, paper app.Paper) ([]app.ScanChoice, error) {
	if r.utilities == nil {
		return nil, ErrNoUtilities
	}
	switch paper {
	case app.PaperBill:
		return r.bills(k)
	case app.PaperReceipt:
		return r.receipts(k)
	}
	return nil, fmt.Errorf("demo: no paper %d", paper)
}

func (r *Rig) bills(k *app.Kiosk) ([]app.ScanChoice, error) {
	var out []app.ScanChoice
	for i, p := range utilitysim.DemoIdentities {
		var pick utility.Bill
		at := ""
		for _, c := range k.Utilities {
			bills, err := r.utilities.Bills(c.ID(), utilitysim.AccountNumber(c.ID(), i))
			if err != nil {
				return nil, fmt.Errorf("demo: bills: %w", err)
			}
			// Each list is newest first: the first bill seen, unless a later one is owed.
			for _, b := range bills {
				if at == "" || !b.Paid && pick.Paid {
					pick, at = b, c.ID()
				}
			}
		}
		if at == "" {
			continue // no account at an enabled utility
		}
		state := k.Text.T("bills.unpaid")
		if pick.Paid {
			state = k.Text.T("bills.paid")
		}
		label := k.Text.T("demo.bill."+at, workdays.FormatMonth(pick.Period, k.Text.Lang())) + " · " + state + " · " + mask.Name(p.Name)
		out = append(out, app.ScanChoice{Label: label, Code: pick.QR})
	}
	return out, nil
}

func (r *Rig) receipts(k *app.Kiosk) ([]app.ScanChoice, error) {
	type receipt struct {
		utility.Progress
		utilityID, name string
	}
	var all []receipt
	for _, p := range utilitysim.DemoIdentities {
		for _, c := range k.Utilities {
			apps, err := r.utilities.Applications(c.ID(), p.IDNumber)
			if err != nil {
				return nil, fmt.Errorf("demo: applications: %w", err)
			}
			for _, a := range apps {
				all = append(all, receipt{a, c.ID(), p.Name})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b receipt) int { return b.AcceptedAt.Compare(a.AcceptedAt) })
	out := make([]app.ScanChoice, 0, len(all))
	for _, a := range all {
		code, err := k.TrackURL(a.Reference)
		if err != nil {
			return nil, fmt.Errorf("demo: receipt of %s: %w", a.Reference, err)
		}
		// No service name: in English in 大字模式 a long one would run past the button.
		label := k.Text.T("apply.utility."+a.utilityID) + " · " + k.StateName(a.Progress) + " · " + mask.Name(a.name)
		out = append(out, app.ScanChoice{Label: label, Code: code})
	}
	return out, nil
}

// Reader is the emulated ID card reader, for tests that inject faults.
func (r *Rig) Reader() *sim.IDCardReader { return r.reader }

// Scanner is the emulated QR scanner, for tests that unplug it.
func (r *Rig) Scanner() *sim.Scanner { return r.scanner }

// Printer is the emulated receipt printer: tests inject faults, staff see its paper.
func (r *Rig) Printer() *sim.Printer { return r.printer }

// LastReceipt is a picture of the last receipt the printer cut.
func (r *Rig) LastReceipt() (image.Image, error) {
	outs := r.printer.Printouts()
	if len(outs) == 0 {
		return nil, sim.ErrNoPrintout
	}
	return outs[len(outs)-1].Image, nil
}

// Close stops the emulators.
func (r *Rig) Close() error {
	var errs []error
	if r.reader != nil {
		errs = append(errs, r.reader.Close())
	}
	if r.scanner != nil {
		errs = append(errs, r.scanner.Close())
	}
	if r.printer != nil {
		errs = append(errs, r.printer.Close())
	}
	return errors.Join(errs...)
}
