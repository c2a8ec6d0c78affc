package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/liangzihu/kiosk/devices/sim"
)

func init() {
	register("scanner", &device{
		summary: "line-oriented QR / barcode scanner; scan codes typed on stdin",
		run:     runScanner,
	})
}

const scannerHelp = `control lines (stdin, or --control FILE/FIFO):
  scan TEXT            the scanner reads a code: TEXT (the rest of the line) and the suffix
  raw HEX              send bytes as they are (noise, half a code), e.g. raw F8 80 0D 0A
  unplug | replug      close the port (the link disappears) / bring it back
  quit                 stop
`

// suffixes are the names --suffix accepts besides a quoted string.
var suffixes = map[string]string{"crlf": "\r\n", "cr": "\r", "lf": "\n", "tab": "\t", "none": ""}

func runScanner(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim scanner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("link", "", "create the port as a symlink at this path (stable across unplug/replug)")
	baud := fs.Int("baud", 9600, "baud rate the output is paced at")
	suffix := fs.String("suffix", "crlf", `terminator after each code: crlf, cr, lf, tab, none, or a Go-quoted string such as "\x03"`)
	control := fs.String("control", "", "read control lines from this file or FIFO instead of stdin")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: devsim scanner [flags]")
		fs.PrintDefaults()
		fmt.Fprint(stderr, scannerHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	sfx, ok := suffixes[*suffix]
	if !ok {
		var err error
		if sfx, err = strconv.Unquote(`"` + *suffix + `"`); err != nil {
			return fmt.Errorf("--suffix %q: %w", *suffix, err)
		}
	}
	s, err := sim.StartScanner(sim.ScannerOptions{Link: *link, Baud: *baud, Suffix: []byte(sfx)})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "scanner on %s (%d baud, suffix %q)\n", s.Path(), *baud, sfx)
	return serveControl(ctx, *control, stdout, func(cmd, rest string) error {
		switch cmd {
		case "scan":
			if rest == "" {
				return errors.New("scan TEXT")
			}
			return s.Scan(rest)
		case "raw":
			b, err := hex.DecodeString(strings.Join(strings.Fields(rest), ""))
			if err != nil || len(b) == 0 {
				return errors.New("raw HEX, e.g. raw F8 80 0D 0A")
			}
			return s.WriteRaw(b)
		case "unplug":
			return s.Unplug()
		case "replug":
			return s.Replug()
		case "quit":
			return errQuit
		case "help":
			fmt.Fprint(stdout, scannerHelp)
			return nil
		}
		return errors.New(`unknown command (try "help")`)
	})
}
