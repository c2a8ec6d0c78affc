// Command kioskctl is the command line of hall staff and utilities: decode a captured
// serial frame, read a device, render a receipt, and (in later parts) manage keys and
// configuration bundles. Each command group lives in its own file and registers itself.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// group is a command group: `kioskctl <name> <sub> [flags] [args]`.
type group struct {
	name    string
	summary string
	subs    map[string]*subcommand
}

type subcommand struct {
	usage   string // e.g. "decode [FILE]"
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var groups = map[string]*group{}

// register adds a subcommand to a group, creating the group on first use.
func register(groupName, groupSummary, name string, sc *subcommand) {
	g, ok := groups[groupName]
	if !ok {
		g = &group{name: groupName, summary: groupSummary, subs: map[string]*subcommand{}}
		groups[groupName] = g
	}
	g.subs[name] = sc
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// stdin is swapped by tests.
var stdin io.Reader = os.Stdin

func run(args []string, in io.Reader, stdout, stderr io.Writer) int {
	stdin = in
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	g, ok := groups[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kioskctl: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if len(args) < 2 {
		groupUsage(stderr, g)
		return 2
	}
	sc, ok := g.subs[args[1]]
	if !ok {
		fmt.Fprintf(stderr, "kioskctl %s: unknown subcommand %q\n", g.name, args[1])
		groupUsage(stderr, g)
		return 2
	}
	if err := sc.run(args[2:], stdout, stderr); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "usage: kioskctl %s %s\n", g.name, sc.usage)
			return 2
		}
		fmt.Fprintf(stderr, "kioskctl %s %s: %v\n", g.name, args[1], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kioskctl <command> <subcommand> [flags] [args]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g := groups[n]
		fmt.Fprintf(w, "  %-10s %s\n", n, g.summary)
		subs := make([]string, 0, len(g.subs))
		for s := range g.subs {
			subs = append(subs, s)
		}
		sort.Strings(subs)
		for _, s := range subs {
			fmt.Fprintf(w, "      %-40s %s\n", g.subs[s].usage, g.subs[s].summary)
		}
	}
}

func groupUsage(w io.Writer, g *group) {
	names := make([]string, 0, len(g.subs))
	for s := range g.subs {
		names = append(names, s)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, s := range names {
		fmt.Fprintf(&b, "  kioskctl %s %s\n", g.name, g.subs[s].usage)
	}
	fmt.Fprintf(w, "usage:\n%s", b.String())
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
