package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/smallfile"
	"github.com/liangzihu/kiosk/devices/sim"
)

func init() {
	register("idcard", &device{
		summary: "二代身份证 reader (GA 467 frames); place and remove cards on stdin",
		run:     runIDCard,
	})
}

const idcardHelp = `control lines (stdin, or --control FILE/FIFO):
  place NAME           put a fixture card on the reader (see "list"); a card
                       already there is lifted, the new one lands 300 ms later
  place @FILE.json     put the card described in a JSON file (fields as in "show NAME")
  remove               lift the card off the reader
  fault KIND [COUNT] [COMMAND]
                       misbehave: KIND is checksum, truncate, noise, silence,
                       status=HEX (e.g. status=60, SAM self-test failure) or
                       delay=DURATION; COUNT replies (default: until "clear");
                       COMMAND limits it to one command, e.g. 3001 (read card)
  clear                remove every fault
  unplug | replug      close the port (the link disappears) / bring it back
  list                 list the fixture cards
  show NAME            print a fixture card as JSON (a template for place @FILE)
  quit                 stop
`

func runIDCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim idcard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("link", "", "create the port as a symlink at this path (stable across unplug/replug)")
	baud := fs.Int("baud", 115200, "baud rate the replies are paced at")
	card := fs.String("card", "", "fixture card on the reader at start")
	latency := fs.Duration("latency", 0, "the reader's own processing time per command")
	findActive := fs.Bool("find-while-active", false, "keep answering find for a card already read")
	control := fs.String("control", "", "read control lines from this file or FIFO instead of stdin")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: devsim idcard [flags]")
		fs.PrintDefaults()
		fmt.Fprint(stderr, idcardHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	r, err := sim.StartIDCardReader(sim.IDCardReaderOptions{Link: *link, Baud: *baud, Latency: *latency, FindWhileActive: *findActive})
	if err != nil {
		return err
	}
	defer r.Close()
	if *card != "" {
		if err := placeCard(r, *card); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "idcard reader on %s (%d baud)\n", r.Path(), *baud)
	return serveControl(ctx, *control, stdout, func(cmd, rest string) error {
		return idcardControl(r, stdout, cmd, strings.Fields(rest))
	})
}

func idcardControl(r *sim.IDCardReader, stdout io.Writer, cmd string, args []string) error {
	need := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %d argument(s)", cmd, n)
		}
		return nil
	}
	switch cmd {
	case "place":
		if err := need(1); err != nil {
			return err
		}
		return placeCard(r, args[0])
	case "remove":
		r.Remove()
	case "fault":
		f, err := parseFault(args)
		if err != nil {
			return err
		}
		r.Inject(f)
	case "clear":
		r.ClearFaults()
	case "unplug":
		return r.Unplug()
	case "replug":
		return r.Replug()
	case "list":
		for _, n := range sim.IDCardFixtureNames() {
			c, _ := sim.IDCardFixture(n)
			fmt.Fprintf(stdout, "%-20s %s\n", n, c.Label)
		}
	case "show":
		if err := need(1); err != nil {
			return err
		}
		c, ok := sim.IDCardFixture(args[0])
		if !ok {
			return fmt.Errorf("no fixture card %q", args[0])
		}
		b, _ := json.MarshalIndent(c, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	case "quit":
		return errQuit
	case "help":
		fmt.Fprint(stdout, idcardHelp)
	default:
		return errors.New(`unknown command (try "help")`)
	}
	return nil
}

// placeCard places a fixture by name, or the card in a JSON file given as @FILE.
func placeCard(r *sim.IDCardReader, what string) error {
	if path, ok := strings.CutPrefix(what, "@"); ok {
		b, err := smallfile.Read(path, 1<<20)
		if err != nil {
			return err
		}
		var c sim.IDCard
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return r.Place(c)
	}
	c, ok := sim.IDCardFixture(what)
	if !ok {
		return fmt.Errorf("no fixture card %q (try \"list\")", what)
	}
	return r.Place(c)
}

// parseFault reads "KIND [COUNT] [COMMAND]".
func parseFault(args []string) (sim.IDCardFault, error) {
	var f sim.IDCardFault
	if len(args) < 1 || len(args) > 3 {
		return f, errors.New("fault KIND [COUNT] [COMMAND]")
	}
	kind, val, _ := strings.Cut(args[0], "=")
	switch kind {
	case "checksum":
		f.Kind = sim.FaultBadChecksum
	case "truncate":
		f.Kind = sim.FaultTruncate
	case "noise":
		f.Kind = sim.FaultNoise
	case "silence":
		f.Kind = sim.FaultSilence
	case "status":
		v, err := strconv.ParseUint(val, 16, 8)
		if err != nil {
			return f, fmt.Errorf("status=%q: want a hex byte such as 60", val)
		}
		f.Kind, f.Status = sim.FaultStatus, byte(v)
	case "delay":
		d, err := time.ParseDuration(val)
		if err != nil {
			return f, fmt.Errorf("delay=%q: want a duration such as 500ms", val)
		}
		f.Kind, f.Delay = sim.FaultDelay, d
	default:
		return f, fmt.Errorf("unknown fault %q", kind)
	}
	if len(args) > 1 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 0 {
			return f, fmt.Errorf("count %q", args[1])
		}
		f.Count = n
	}
	if len(args) > 2 {
		c, err := strconv.ParseUint(args[2], 16, 16)
		if err != nil {
			return f, fmt.Errorf("command %q: want 4 hex digits such as 3001", args[2])
		}
		f.Command = uint16(c)
	}
	return f, nil
}
