// Command devsim runs the kiosk's device emulators on pseudo-terminals, for a person
// or a script to talk to: `devsim idcard`, `devsim printer`, `devsim scanner`. Each
// prints the path of its port (a stable symlink with --link) and runs until interrupted.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// device is one emulator command.
type device struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var devices = map[string]*device{}

func register(name string, d *device) { devices[name] = d }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	d, ok := devices[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "devsim: unknown device %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := d.run(ctx, args[1:], stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "devsim %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: devsim <device> [flags]")
	names := make([]string, 0, len(devices))
	for n := range devices {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, devices[n].summary)
	}
}
