package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/liangzihu/kiosk/devices/sim"
)

func init() {
	register("printer", &device{
		summary: "ESC/POS receipt printer: draws each receipt to a PNG; faults on demand (type help)",
		run:     runPrinter,
	})
}

// printerCommands are the control lines devsim printer reads.
const printerCommands = `control lines (stdin, or --control FILE/FIFO):
  status                 show the printer's state, faults and byte counters
  paper-out [N]          the roll ends now, or after N more lines
  near-end [on|off]      the near-end sensor
  load                   load a new roll (clears paper end and near end)
  cover open|close       open or close the cover
  jam                    the next cut jams the cutter; "clear" frees it
  no-answer on|off       stop or resume answering status queries
  garbled on|off         answer status queries with garbage (line noise, a wrong baud rate)
  xoff on|off            hold XOFF while reporting that all is well (a stalled mechanism)
  offline on|off         take the printer off line
  unplug | replug        pull the data cable out (the printer prints on) and plug it back
  clear                  clear every error
  save FILE              write the last receipt as a PNG
  quit                   stop
`

func runPrinter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim printer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("link", "", "create this symlink to the port (e.g. /tmp/ttyPRN)")
	paper := fs.String("paper", "80mm", "paper width: 80mm (576 dots) or 58mm (384 dots)")
	baud := fs.Int("baud", 115200, "line rate the emulator paces to")
	buffer := fs.Int("buffer", 4096, "receive buffer in bytes; bytes beyond it are dropped")
	xonxoff := fs.Bool("xonxoff", false, "send XOFF/XON when the buffer fills or the printer goes off line")
	speed := fs.Int("speed", 150, "paper speed in mm/s (0: instant)")
	chinese := fs.Bool("chinese", false, "start in Chinese mode (as many Chinese printers do)")
	out := fs.String("out", "", "write each cut receipt as DIR/receipt-NNNN.png")
	paperOut := fs.Int("paper-out-after", 0, "the roll ends after this many lines (0: never)")
	noAnswer := fs.Bool("no-answer", false, "do not answer status queries")
	control := fs.String("control", "", "read control lines from this file or FIFO instead of stdin")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: devsim printer [flags]")
		fs.PrintDefaults()
		fmt.Fprint(stderr, printerCommands)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	dots := map[string]int{"80mm": 576, "58mm": 384}[*paper]
	if dots == 0 || fs.NArg() > 0 {
		return fmt.Errorf("usage: devsim printer [--link PATH] [--paper 80mm|58mm] [--baud N] [--buffer N] [--xonxoff] [--speed MM/S] [--out DIR] [--chinese] [--paper-out-after N] [--no-answer] [--control FILE]")
	}
	if *out != "" {
		// A receipt is a citizen's (masked) name, ID number and phone, their account and
		// what they paid: for the user who runs the emulator only, as the kiosk's own
		// files are.
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	n := 0
	opt := sim.PrinterOptions{
		Link: *link, Dots: dots, Baud: *baud, Buffer: *buffer, XonXoff: *xonxoff, Speed: *speed, ChineseAtPowerOn: *chinese,
		OnPrintout: func(po sim.Printout) {
			mu.Lock()
			defer mu.Unlock()
			n++
			if *out == "" {
				fmt.Fprintf(stdout, "receipt %d cut (%d dots long)\n", n, po.Image.Bounds().Dy())
				return
			}
			name := filepath.Join(*out, fmt.Sprintf("receipt-%04d.png", n))
			b, err := sim.EncodePNG(po.Image)
			if err == nil {
				err = os.WriteFile(name, b, 0o600)
			}
			if err != nil {
				fmt.Fprintf(stderr, "devsim printer: %v\n", err)
				return
			}
			fmt.Fprintf(stdout, "receipt %d: %s\n", n, name)
		},
	}
	p, err := sim.StartPrinter(opt)
	if err != nil {
		return err
	}
	defer p.Close()
	p.SetFaults(sim.PrinterFaults{PaperOutAfterLines: *paperOut, NoAnswer: *noAnswer})
	fmt.Fprintf(stdout, "printer (%s, %d baud) on %s\n", *paper, *baud, p.Path())
	fmt.Fprint(stdout, printerCommands)

	return serveControl(ctx, *control, stdout, func(cmd, rest string) error {
		if cmd == "quit" {
			return errQuit
		}
		return printerCommand(p, cmd+" "+rest, stdout)
	})
}

// printerCommand applies one control line to the emulated printer.
func printerCommand(p *sim.Printer, line string, stdout io.Writer) error {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	st := p.State()
	on := len(f) < 2 || f[1] == "on" || f[1] == "open"
	// A fault set here leaves the others in force: "no-answer on" after "paper-out 20"
	// is a silent printer whose roll still ends.
	fault := func(set func(*sim.PrinterFaults)) error {
		old := p.Faults()
		fs := old
		set(&fs)
		if fs != old { // SetFaults starts the roll's counters again
			p.SetFaults(fs)
		}
		return nil
	}
	switch f[0] {
	case "status":
		s := p.Stats()
		fmt.Fprintf(stdout, "state %+v; faults %+v; accepted %d, dropped %d, cut %d\n", st, p.Faults(), s.Accepted, s.Dropped, s.Cuts)
		return nil
	case "paper-out":
		if len(f) == 2 {
			var n int
			if _, err := fmt.Sscan(f[1], &n); err != nil || n < 1 {
				return fmt.Errorf("paper-out: %q is not a number of lines", f[1])
			}
			return fault(func(fs *sim.PrinterFaults) { fs.PaperOutAfterLines = n })
		}
		st.PaperEnd, st.PaperNearEnd = true, true
	case "near-end":
		st.PaperNearEnd = on
	case "load":
		p.LoadPaper()
		return nil
	case "cover":
		st.CoverOpen = on
	case "jam":
		return fault(func(fs *sim.PrinterFaults) { fs.CutterJam = true })
	case "no-answer":
		return fault(func(fs *sim.PrinterFaults) { fs.NoAnswer = on })
	case "garbled":
		return fault(func(fs *sim.PrinterFaults) { fs.GarbledStatus = on })
	case "xoff":
		return fault(func(fs *sim.PrinterFaults) { fs.HoldXOFF = on })
	case "offline":
		st.Offline = on
	case "unplug":
		return p.Unplug()
	case "replug":
		return p.Replug()
	case "clear":
		// The line's faults clear; the roll's counters run on (load a roll to reset them).
		fault(func(fs *sim.PrinterFaults) {
			fs.NoAnswer, fs.GarbledStatus, fs.HoldXOFF, fs.CutterJam = false, false, false, false
		})
		st = sim.PrinterState{PaperNearEnd: st.PaperNearEnd, PaperEnd: st.PaperEnd}
	case "save":
		if len(f) != 2 {
			return fmt.Errorf("save FILE")
		}
		b, err := p.LastReceiptPNG()
		if err != nil {
			return err
		}
		return os.WriteFile(f[1], b, 0o600)
	case "help":
		fmt.Fprint(stdout, printerCommands)
		return nil
	default:
		return fmt.Errorf("unknown command %q (help lists them)", f[0])
	}
	p.SetState(st)
	return nil
}
