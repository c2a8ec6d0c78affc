// Command kioskctl is the command line of hall staff and utilities: check a configuration,
// look at and act on the running kiosk (status, screen, restart, dead letters, 补打, the
// journal and its reports, backups), make the maintenance PIN's hash, sign, send and
// apply utilities' content bundles, watch the city's fleet, and decode, read, render and
// print on the serial devices. Each command group lives in its own file and registers
// itself.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/liangzihu/kiosk/app/staff"
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
	out, errs := newTextOut(stdout), newTextOut(stderr)
	defer out.flush()
	defer errs.flush()
	return runText(args, in, out, errs)
}

// runText is run, its output already made safe for a terminal (textOut).
func runText(args []string, in io.Reader, stdout, stderr io.Writer) int {
	stdin = in
	if len(args) == 0 || isHelp(args[0]) {
		usage(stdout)
		return 0
	}
	if args[0] == "--version" {
		args = []string{"version", "show"}
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
	if isHelp(args[1]) {
		groupUsage(stdout, g)
		return 0
	}
	sc, ok := g.subs[args[1]]
	if !ok {
		fmt.Fprintf(stderr, "kioskctl %s: unknown subcommand %q\n", g.name, args[1])
		groupUsage(stderr, g)
		return 2
	}
	err := sc.run(args[2:], stdout, stderr)
	if errors.Is(err, staff.ErrUnknownActor) {
		// The running kiosk refused the --actor: a command-line mistake, as where
		// kioskctl checks it itself (acting).
		err = usageError("--actor: no member of the hall's staff has that 工号 ([[staff.members]] of the running kiosk's configuration)")
	}
	var help helpError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprintf(stdout, "usage: kioskctl %s %s\n\n%s\n", g.name, sc.usage, sc.summary)
		help.fs.SetOutput(stdout)
		help.fs.PrintDefaults()
		return 0
	case errors.Is(err, errUsage):
		if err != errUsage {
			for _, line := range strings.Split(err.Error(), "\n") {
				fmt.Fprintf(stderr, "kioskctl %s %s: %s\n", g.name, args[1], strings.TrimPrefix(line, errUsage.Error()+": "))
			}
		}
		fmt.Fprintf(stderr, "usage: kioskctl %s %s\n", g.name, sc.usage)
		return 2
	}
	fmt.Fprintf(stderr, "kioskctl %s %s: %v\n", g.name, args[1], err)
	return 1
}

func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

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

// newFlags returns a flag set that reports errors instead of exiting or printing: parse
// turns them into the command's help or a usage error, which run prints.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses a command's flags, before or after its arguments (staff type
// "decode reply.hex --reveal" as readily as the other way round; after "--" all are
// arguments): -h or --help asks for its help (a helpError), a flag unknown or given a
// bad value is a usage error in the flag package's words.
func parse(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return helpError{fs}
			}
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	// Parsed again with the arguments alone, so that fs.Args holds them.
	return fs.Parse(append([]string{"--"}, positional...))
}

// usageError is a command-line mistake described: printed before the usage line.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// required is a usage error when a required flag is empty.
func required(flagName, value string) error {
	if strings.TrimSpace(value) == "" {
		return usageError("--%s is required", flagName)
	}
	return nil
}

// notNegative is a usage error for a count below 0 (0 means all: -5 is no count at all,
// not "all").
func notNegative(flagName string, n int) error {
	if n < 0 {
		return usageError("--%s must be 0 (all) or more", flagName)
	}
	return nil
}

// noArgs is a usage error when arguments follow the flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// oneArg is a usage error unless exactly one argument (what) follows the flags.
func oneArg(fs *flag.FlagSet, what string) error {
	if fs.NArg() != 1 {
		return usageError("give %s, once", what)
	}
	return nil
}

// helpError asks run to print a command's usage and flags.
type helpError struct{ fs *flag.FlagSet }

func (helpError) Error() string        { return "help requested" }
func (helpError) Is(target error) bool { return target == flag.ErrHelp }
