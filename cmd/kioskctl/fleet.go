package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/fleet"
	"github.com/liangzihu/kiosk/app/report"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The city's side of the fleet (docs/fleet.md): the kiosks' statuses and alarms as the
// broker has them, and a utility's bundle published there for every kiosk.
func init() {
	const summary = "the city's kiosks through its message broker (MQTT): statuses, alarms"
	register("fleet", summary, "status", &subcommand{
		usage:   "status --broker URL [--prefix P] [--username U --password-file FILE] [--ca-file FILE] [--wait DURATION]",
		summary: "each kiosk's status as the broker keeps it: exit 1 if one needs staff (offline, a device out of order …)",
		run:     fleetStatus,
	})
	register("fleet", summary, "watch", &subcommand{
		usage:   "watch --broker URL [--prefix P] [--username U --password-file FILE] [--ca-file FILE] [--for DURATION]",
		summary: "print the kiosks' alarms and changes of state as they come, until Ctrl+C (or --for); connects again when the link drops",
		run:     fleetWatch,
	})
	register("bundle", bundleSummary, "publish", &subcommand{
		usage:   "publish --broker URL [--prefix P] [--username U --password-file FILE] [--ca-file FILE] [--force] BUNDLE_FILE",
		summary: "publish a signed bundle on the city's broker: every kiosk linked to it takes it, now or when it connects (not an expired one; one that takes effect later only with --force)",
		run:     bundlePublish,
	})
}

// brokerFlags are how a command reaches the broker: as a kiosk's [fleet] says it.
type brokerFlags struct{ f config.Fleet }

func (b *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.f.Broker, "broker", "", "the broker: mqtts://host:8883, or mqtt://host:1883")
	fs.StringVar(&b.f.Prefix, "prefix", fleet.DefaultPrefix, "the topics' prefix, as the kiosks' fleet.prefix")
	fs.StringVar(&b.f.Username, "username", "", "the user name on the broker")
	fs.StringVar(&b.f.PasswordFile, "password-file", "", "the file holding the password (mode 0600)")
	fs.StringVar(&b.f.CAFile, "ca-file", "", "the certificate authorities (PEM) the broker is trusted under")
}

// broker is the broker the flags name, checked as a kiosk checks its [fleet].
func (b *brokerFlags) broker() (fleet.Broker, error) {
	if err := required("broker", b.f.Broker); err != nil {
		return fleet.Broker{}, err
	}
	if err := config.CheckFleet(b.f); err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return fleet.Broker{}, usageError("--%s: %s", strings.ReplaceAll(strings.TrimPrefix(ce.Key, "fleet."), "_", "-"), ce.Msg)
		}
		return fleet.Broker{}, err
	}
	return fleet.BrokerOf(b.f, "")
}

// brokerCommand is a fleet command's broker, its topics' prefix and its one argument
// (empty if none).
type brokerCommand struct {
	broker fleet.Broker
	prefix string
	arg    string
}

// parseBroker parses a fleet command's flags, with extra ones registered by more.
func parseBroker(name string, args []string, more func(*flag.FlagSet)) (brokerCommand, error) {
	fs := newFlags(name)
	var bf brokerFlags
	bf.register(fs)
	if more != nil {
		more(fs)
	}
	arg, err := parseWithKind(fs, args)
	if err != nil {
		return brokerCommand{}, err
	}
	b, err := bf.broker()
	return brokerCommand{broker: b, prefix: bf.f.Prefix, arg: arg}, err
}

func fleetStatus(args []string, stdout, stderr io.Writer) error {
	var listen time.Duration
	c, err := parseBroker("fleet status", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&listen, "wait", 2*time.Second, "how long to listen for the statuses the broker keeps")
	})
	if err != nil {
		return err
	}
	if c.arg != "" {
		return usageError("unexpected argument %q", c.arg)
	}
	sts, err := fleet.Statuses(context.Background(), c.broker, c.prefix, listen)
	if err != nil {
		return err
	}
	if len(sts) == 0 {
		// Not a quiet city: a kiosk whose user name is not its kiosk.id publishes where the
		// city's ACL drops its statuses without a word, and is linked all the same.
		return fmt.Errorf("no kiosk has published a status on this broker under %s/status/: check --prefix, that this user may read "+
			"the statuses, and that each kiosk's fleet.username is its kiosk.id (kioskctl config check warns)", c.prefix)
	}
	width := 0
	for id := range sts {
		width = max(width, len(printable(id)))
	}
	attention := 0
	// The city's day so far: the days of the kiosks that run, as each last said.
	from, _ := report.Day(time.Now().In(workdays.CST))
	var days []report.Summary
	for _, id := range slices.Sorted(maps.Keys(sts)) {
		if r, ok := reportOf(sts[id]); ok && r.Today.From.Equal(from) {
			days = append(days, r.Today)
		}
		lines, ok := describe(sts[id])
		fmt.Fprintf(stdout, "%-*s  %s\n", width, printable(id), lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(stdout, "%-*s  %s\n", width, "", l)
		}
		if !ok {
			attention++
		}
	}
	if len(days) > 0 {
		fmt.Fprintf(stdout, "%d kiosks running, %s\n", len(days), todayLine(report.Sum(days...)))
	}
	if attention > 0 {
		return fmt.Errorf("%d of %d kiosks need attention (offline, a device out of order, a utility failing for long, a request for staff, an ID card left behind, the PIN locked)", attention, len(sts))
	}
	return nil
}

// describe is a kiosk's status in lines for staff, and whether it needs no attention:
// it runs or was stopped, its devices work, no request waits for staff, no ID card was
// left on its reader.
func describe(s fleet.Status) ([]string, bool) {
	head := string(s.State)
	if !s.Time.IsZero() {
		head += "  " + s.Time.In(workdays.CST).Format("2006-01-02 15:04:05")
	}
	if s.Hall != "" {
		head += "  " + s.Hall
	}
	lines, ok := []string{head}, s.State != fleet.Offline
	if r, running := reportOf(s); running {
		var devs []string
		for _, d := range r.Devices {
			switch {
			case !d.OK:
				devs = append(devs, d.Name+" OUT OF ORDER: "+d.Detail)
				ok = false
			case d.Detail != "":
				devs = append(devs, d.Name+": "+d.Detail)
			default:
				devs = append(devs, d.Name+" ok")
			}
		}
		if len(devs) > 0 {
			lines = append(lines, "devices: "+strings.Join(devs, "; "))
		}
		var waiting []string
		for _, u := range slices.Sorted(maps.Keys(r.Pending)) {
			if n := r.Pending[u]; n > 0 {
				waiting = append(waiting, fmt.Sprintf("%s %d", u, n))
			}
		}
		if len(waiting) > 0 || r.Dead > 0 || r.Reprints > 0 {
			lines = append(lines, fmt.Sprintf("requests waiting: %s; for staff: %d; receipts to reprint: %d",
				orNone(strings.Join(waiting, ", ")), r.Dead, r.Reprints))
		}
		for _, f := range r.Failing {
			lines = append(lines, fmt.Sprintf("utility %s FAILING since %s (%s): its requests wait", f.Utility,
				f.Since.In(workdays.CST).Format("15:04"), f.Problem))
			// A utility down for long: staff may have to act (the kiosk's clock, its
			// secret) or tell the utility.
			ok = ok && !f.Long
		}
		if r.CardLeftSince != nil {
			lines = append(lines, "an ID card left on the reader since "+r.CardLeftSince.In(workdays.CST).Format("15:04"))
		}
		if r.PINLockedUntil != nil {
			lines = append(lines, "maintenance PIN locked until "+r.PINLockedUntil.In(workdays.CST).Format("15:04")+" after too many wrong PINs")
		}
		if m := r.Maintenance; m != nil {
			lines = append(lines, "maintenance mode open on the screen by "+m.Actor+" since "+m.Since.In(workdays.CST).Format("15:04"))
		}
		if !r.Today.From.IsZero() {
			lines = append(lines, todayLine(r.Today))
		}
		// What only staff can settle: a request the utility refused for good (or that ran
		// out of tries), a citizen's card to keep for them, someone guessing the PIN.
		ok = ok && r.Dead == 0 && r.CardLeftSince == nil && r.PINLockedUntil == nil
	}
	if len(s.Bundles)+len(s.Held) > 0 {
		var bs []string
		for _, u := range slices.Sorted(maps.Keys(s.Bundles)) {
			bs = append(bs, fmt.Sprintf("%s v%d", u, s.Bundles[u]))
		}
		for _, u := range slices.Sorted(maps.Keys(s.Held)) {
			bs = append(bs, fmt.Sprintf("%s v%d held for later", u, s.Held[u]))
		}
		lines = append(lines, "bundles: "+strings.Join(bs, ", "))
	}
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return lines, ok
}

// printable is text from the broker as staff's terminal is to show it: its control and
// formatting characters (escape sequences, line breaks, direction overrides) written as
// \u escapes. Any kiosk's credentials publish a status, and a hall name or a device's
// detail holding an escape sequence could rewrite what the terminal shows (hide an
// alarm) or set its clipboard.
func printable(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\u%04X", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }

// reportOf is the report of a running kiosk's status.
func reportOf(s fleet.Status) (staff.Status, bool) {
	var r staff.Status
	return r, s.State == fleet.Running && json.Unmarshal(s.Report, &r) == nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func fleetWatch(args []string, stdout, stderr io.Writer) error {
	var d time.Duration
	c, err := parseBroker("fleet watch", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&d, "for", 0, "stop after this long (0: at Ctrl+C)")
	})
	if err != nil {
		return err
	}
	if c.arg != "" {
		return usageError("unexpected argument %q", c.arg)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	var mu sync.Mutex
	states := map[string]fleet.State{}
	line := func(at time.Time, kiosk, text string) {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() {
			at = time.Now()
		}
		fmt.Fprintf(stdout, "%s  %s  %s\n", at.In(workdays.CST).Format("2006-01-02 15:04:05"), printable(kiosk), printable(text))
	}
	linked := false
	return fleet.Follow(ctx, c.broker, c.prefix, func(s fleet.Status) {
		mu.Lock()
		was, seen := states[s.Kiosk]
		states[s.Kiosk] = s.State
		mu.Unlock()
		if !seen || was != s.State {
			line(s.Time, s.Kiosk, string(s.State))
		}
	}, func(a fleet.Alarm) {
		switch {
		case !a.OK:
			line(a.Time, a.Kiosk, a.Device+" OUT OF ORDER: "+a.Detail)
		case a.Detail != "":
			line(a.Time, a.Kiosk, a.Device+": "+a.Detail)
		default:
			line(a.Time, a.Kiosk, a.Device+" works again")
		}
	}, func(err error) {
		// The gap is said where the changes are, for whoever reads them later: a kiosk
		// that changed and changed back meanwhile is not seen.
		switch {
		case err != nil:
			line(time.Time{}, "broker", err.Error()+"; connecting again")
		case linked:
			line(time.Time{}, "broker", "connected again")
		}
		linked = true
	})
}

// bundlePublish puts a bundle on the broker, which keeps it in place of the utility's
// bundle before: the one a kiosk that connects later takes. So it refuses a bundle no
// kiosk would apply (one that does not parse, or has expired), and one that takes
// effect later unless --force: kiosks hold that one until then, and a kiosk that
// connects meanwhile without the bundle it replaces on the broker (a new kiosk, one
// offline since) shows its own content until then.
func bundlePublish(args []string, stdout, stderr io.Writer) error {
	var force bool
	c, err := parseBroker("bundle publish", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "publish a bundle that takes effect later, in place of the bundle the broker keeps now")
	})
	if err != nil {
		return err
	}
	if c.arg == "" {
		return usageError("give the bundle FILE")
	}
	// Parsed first: a bundle no kiosk could read is not put before every kiosk of the city.
	bd, err := readBundle(c.arg)
	if err != nil {
		return err
	}
	m, now := bd.Manifest, time.Now()
	if !now.Before(m.Expires) {
		return fmt.Errorf("%s v%d expired at %s: no kiosk would apply it, and the broker would keep it in place of %s's bundle before; sign it again with a new version",
			m.Utility, m.Version, hallTime(m.Expires), m.Utility)
	}
	later := !bd.Due(now)
	what := fmt.Sprintf("%s v%d takes effect at %s: the broker keeps it in place of %s's bundle before, and a kiosk that connects before then without that one (a new kiosk, one offline since it was published) shows its own content until then",
		m.Utility, m.Version, hallTime(m.Effective), m.Utility)
	if later && !force {
		return usageError("%s. Publish it at that time, or send it to the halls now (kioskctl bundle send); to publish it now all the same, give --force", what)
	}
	if err := fleet.PublishBundle(context.Background(), c.broker, c.prefix, m.Utility, bd.Raw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published %s on %s\n", bd, fleet.BundleTopic(c.prefix, m.Utility))
	if later {
		fmt.Fprintf(stderr, "WARNING: %s; kiosks linked now hold it until then\n", what)
		return nil
	}
	fmt.Fprintf(stderr, "the broker keeps it in place of %s's bundle before: kiosks linked to it take it now, the others when they connect (kioskctl fleet status shows which show it)\n", m.Utility)
	return nil
}
