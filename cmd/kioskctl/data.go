package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The staff's side of the kiosk's records: requests the outbox set aside (dead
// letters) to see, send again or close; the journal (记录留痕); an export; the kiosk at
// a glance. While the kiosk runs they go through its staff socket (app/staff); while it
// is stopped they open its database. Nothing they print holds personal data.

const (
	outboxSummary  = "requests waiting for a utility or for staff: list, retry, close or withdraw"
	journalSummary = "the journal of key events (记录留痕), by time or by reference"
	dataSummary    = "the kiosk's database: export a copy for staff"
	kioskSummary   = "the kiosk at a glance: running or not, devices, requests waiting, its screen"
)

func init() {
	register("outbox", outboxSummary, "list", &subcommand{
		usage:   "list [--config FILE | --socket PATH] [--state dead|pending|done|closed|expired] [--limit N]",
		summary: "list requests in a state (dead letters by default), oldest first",
		run:     outboxList,
	})
	register("outbox", outboxSummary, "retry", &subcommand{
		usage:   "retry --actor STAFF_NO [--config FILE | --socket PATH] REF",
		summary: "queue a dead letter again, with the same key (sent at once if the kiosk runs)",
		run:     outboxRetry,
	})
	register("outbox", outboxSummary, "close", &subcommand{
		usage:   "close --actor STAFF_NO --reason offline|withdrawn|duplicate [--config FILE | --socket PATH] REF",
		summary: "close a dead letter, or withdraw a request still waiting to be sent, for good, saying why",
		run:     outboxClose,
	})
	register("journal", journalSummary, "list", &subcommand{
		usage:   "list [--config FILE | --socket PATH] [--since DURATION] [--ref REF] [--limit N]",
		summary: "print journal events as JSON lines, oldest first",
		run:     journalList,
	})
	register("journal", journalSummary, "report", &subcommand{
		usage:   "report [--config FILE | --socket PATH] [--day YYYY-MM-DD | --month YYYY-MM] [--json]",
		summary: "a day's or a month's business at the kiosk (业务量统计): visits, payments and their amount, requests sent, receipts printed",
		run:     journalReport,
	})
	register("data", dataSummary, "backup", &subcommand{
		usage:   "backup --out FILE --actor STAFF_NO [--force] [--config FILE | --socket PATH]",
		summary: "copy the database (sealed as it is: the copy needs the same key file) to a new file outside the data folder",
		run:     dataBackup,
	})
	register("receipt", receiptSummary, "failed", &subcommand{
		usage:   "failed [--config FILE | --socket PATH]",
		summary: "list the citizens' receipts that did not print (paper out, jam), kept for 补打",
		run:     receiptFailed,
	})
	register("receipt", receiptSummary, "reprint", &subcommand{
		usage:   "reprint --actor STAFF_NO [--config FILE | --socket PATH] REF",
		summary: "print a receipt that did not print again, marked （补打）, on the running kiosk's printer",
		run:     receiptReprint,
	})
	register("kiosk", kioskSummary, "status", &subcommand{
		usage:   "status [--config FILE | --socket PATH]",
		summary: "whether the kiosk runs, its devices, the requests waiting per utility",
		run:     kioskStatus,
	})
	register("kiosk", kioskSummary, "restart", &subcommand{
		usage:   "restart --actor STAFF_NO [--force] [--config FILE | --socket PATH]",
		summary: "restart the running kiosk between visits (its window, devices and outbox start anew); --force while staff work in its maintenance mode",
		run:     kioskRestart,
	})
	register("kiosk", kioskSummary, "utilities", &subcommand{
		usage:   "utilities [--config FILE | --socket PATH]",
		summary: "check each utility's API from the running kiosk, where its calls go now: exit 1 unless all answer",
		run:     kioskUtilities,
	})
	register("kiosk", kioskSummary, "screen", &subcommand{
		usage:   "screen --out FILE --actor STAFF_NO [--force] [--config FILE | --socket PATH]",
		summary: "save a picture (PNG) of what the running kiosk's screen shows, between visits only",
		run:     kioskScreen,
	})
}

// errKioskRunning means the database is held by another process, a kiosk that does not
// answer on its staff socket (still starting, or stuck).
var errKioskRunning = errors.New("the database is in use but no kiosk answers on its staff socket: wait for the kiosk to start, or stop it (systemctl stop kiosk)")

// defaultSocket is the staff socket where docs/deployment.md's drop-in puts it
// (staff.socket_dir = "/run/kiosk"): kioskctl points there a member of staff whose
// account may not read the configuration. Tests move it.
var defaultSocket = "/run/kiosk/" + staff.SocketName

// kioskData is a kiosk as staff reach it.
type kioskData struct {
	staff.Service
	running bool           // through the running kiosk's socket
	id      staff.Identity // this machine, as its configuration names it
	source  string         // where id comes from, for messages
	data    store.Options  // its data folder and key file
	close   func() error   // releases the database when it was opened here
}

// reach is how a command reaches the kiosk: --config, the kiosk's configuration (its
// staff socket where that puts it, or its database while it is stopped), or --socket,
// the running kiosk's staff socket alone, no configuration read: the file holds the
// staff PINs' hashes and stays closed to staff's own accounts.
type reach struct {
	name           string // the command ("kiosk status"), for advice
	config, socket *string
}

// reachFlags adds --config and --socket to fs.
func reachFlags(fs *flag.FlagSet) reach {
	return reach{name: fs.Name(),
		config: fs.String("config", "", "the kiosk's configuration (none: the demo defaults)"),
		socket: fs.String("socket", "", "instead of --config, the running kiosk's staff socket (<staff.socket_dir>/kiosk.sock, e.g. "+defaultSocket+"): "+
			"nothing is read from the configuration, which staff's own accounts may not read; the kiosk must be running"),
	}
}

// open reaches the kiosk: through its staff socket when it runs, else by opening its
// database (--config only).
func (r reach) open() (*kioskData, error) {
	if *r.socket != "" {
		if *r.config != "" {
			return nil, usageError("--config and --socket: give one (--socket reaches the running kiosk without reading its configuration)")
		}
		return openSocket(*r.socket)
	}
	cfg, err := config.Load(*r.config)
	if err != nil {
		return nil, r.closed(err)
	}
	return openKiosk(cfg)
}

// closed says what to do when the configuration is closed to this account (an error
// other than permission denied is returned as it is): staff's own accounts go through
// the running kiosk's socket; its database, while it is stopped, is the kiosk user's.
func (r reach) closed(err error) error {
	if !errors.Is(err, fs.ErrPermission) {
		return err
	}
	database := "commands on its database while it is stopped need the kiosk user's rights (sudo -u kiosk kioskctl … --config " + *r.config + ")"
	if _, derr := staff.Dial(context.Background(), defaultSocket); derr == nil {
		return fmt.Errorf("%w: the configuration is closed to this account (it holds the staff PINs' hashes); the running kiosk answers on %s: run kioskctl %s --socket %s instead of --config; %s",
			err, defaultSocket, r.name, defaultSocket, database)
	}
	return fmt.Errorf("%w: the configuration is closed to this account (it holds the staff PINs' hashes); reach the running kiosk with --socket <staff.socket_dir>/kiosk.sock instead of --config (no kiosk answers on %s); %s",
		err, defaultSocket, database)
}

// acting is open for a staff action by actor (--actor), and who the journal names for
// it: the actor, followed by the operating system's account that acts
// (journal.Acting). Where each member of the hall's staff has a 工号 ([[staff.members]]),
// actor must be one of them ("0107" or "工号0107"), named as maintenance mode on the
// screen names them: a mistyped 工号 would leave the journal naming nobody. The running
// kiosk checks that itself (and tells nobody its staff's names and 工号): kioskctl
// checks it only where it read the configuration (on the database, while the kiosk is
// stopped).
func (r reach) acting(actor string) (*kioskData, string, error) {
	d, err := r.open()
	if err != nil {
		return nil, "", err
	}
	who, err := d.id.Actor(actor)
	if err != nil {
		d.close()
		return nil, "", usageError("--actor %s: no member of the hall's staff has that 工号 ([[staff.members]] of %s)", actor, d.source)
	}
	if !d.running {
		// The running kiosk adds who connected to its socket; on the database itself,
		// kioskctl names its own account.
		who = journal.Acting(who, staff.Self())
	}
	return d, who, nil
}

// openSocket reaches the kiosk running on the staff socket at path.
func openSocket(path string) (*kioskData, error) {
	c, err := staff.Dial(context.Background(), path)
	if errors.Is(err, staff.ErrNotRunning) {
		return nil, fmt.Errorf("%w; --socket reaches a running kiosk only: while it is stopped, commands on its database need --config and the kiosk user's rights (sudo -u kiosk kioskctl … --config /etc/kiosk/kiosk.toml)", err)
	}
	if err != nil {
		return nil, err
	}
	return running(c, "the running kiosk's configuration", nil)
}

// running is the kiosk answering c, which says which it is (rather than the
// configuration file: the same answer whether kioskctl read it or not). A kiosk that
// cannot say (one started before kioskctl was updated) is the configuration's, where
// kioskctl has read it (cfg), and refused otherwise.
func running(c *staff.Client, source string, cfg *config.Config) (*kioskData, error) {
	id, err := c.Kiosk(context.Background())
	switch {
	case err != nil && cfg != nil:
		id = staff.IdentityOf(cfg)
	case err != nil:
		return nil, fmt.Errorf("the running kiosk does not say which it is (one started before kioskctl was updated? restart it, or give --config as its user): %w", err)
	}
	return &kioskData{Service: c, running: true, id: id, source: source, data: store.Options{Dir: id.DataDir, KeyFile: id.KeyFile},
		close: func() error { return nil }}, nil
}

// openKiosk reaches the kiosk of cfg: through its staff socket when it runs, else by
// opening its database.
func openKiosk(cfg *config.Config) (*kioskData, error) {
	opts := store.Options{Dir: cfg.Data.Dir, KeyFile: cfg.Data.KeyFile, LockTimeout: time.Second}
	c, err := staff.Dial(context.Background(), staff.SocketPath(cfg.StaffSocketDir()))
	if err == nil {
		return running(c, cfg.Source, cfg)
	}
	if !errors.Is(err, staff.ErrNotRunning) {
		return nil, err
	}
	db := filepath.Join(cfg.Data.Dir, store.FileName)
	if _, err := os.Stat(db); err != nil {
		// Never create a database here: a wrong folder would look like an empty kiosk.
		return nil, fmt.Errorf("no kiosk running and no kiosk database at %s (data.dir of %s): run kioskctl in the kiosk's working folder or give the kiosk's configuration with --config: %w", db, cfg.Source, err)
	}
	st, err := store.Open(opts)
	if errors.Is(err, store.ErrInUse) {
		return nil, errKioskRunning
	}
	if err != nil {
		return nil, err
	}
	j := journal.New(st, nil)
	// Forwarders are named but never started: a retried request waits for the kiosk.
	fwd := map[string]utility.Forwarder{}
	for _, id := range config.UtilityIDs {
		fwd[id] = nil
	}
	ob, err := outbox.New(st, j, fwd, outbox.Options{KioskCode: cfg.Kiosk.Code()})
	if err != nil {
		st.Close()
		return nil, err
	}
	id := staff.IdentityOf(cfg)
	return &kioskData{Service: &staff.Local{Store: st, Journal: j, Outbox: ob, Identity: id}, id: id, source: cfg.Source, data: opts,
		close: func() error { return errors.Join(ob.Close(), st.Close()) }}, nil
}

func outboxList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("outbox list")
	at := reachFlags(fs)
	state := fs.String("state", string(outbox.Dead), "dead, pending, done, closed or expired")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	if !slices.Contains(staff.States, outbox.State(*state)) {
		return fmt.Errorf("%w: no state %q", errUsage, *state)
	}
	if err := notNegative("limit", *limit); err != nil {
		return err
	}
	d, err := at.open()
	if err != nil {
		return err
	}
	defer d.close()
	reqs, err := d.Requests(context.Background(), outbox.State(*state), *limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIOSK REF\tUTILITY\tKIND\tSTATE\tCREATED\tTRIES\tUTILITY REF\tWHY")
	for _, r := range reqs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.KioskRef, r.Utility, r.Kind, r.State,
			chinaTime(r.Created), r.Tries, dash(r.UtilityRef), dash(flat(r.Why)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d %s\n", len(reqs), *state)
	return nil
}

// kioskAction runs a staff command that takes nothing but --config on the kiosk's data.
func kioskAction(name string, args []string, stderr io.Writer, act func(d *kioskData) error) error {
	fs := newFlags(name)
	at := reachFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	d, err := at.open()
	if err != nil {
		return err
	}
	defer d.close()
	return act(d)
}

// refAction runs a staff action on one reference: it takes --config, --actor (who does
// it, for the journal) and the reference, and reaches the kiosk's data.
func refAction(name, doing string, args []string, stderr io.Writer, act func(d *kioskData, ref, actor string) error) error {
	return argAction(name, doing, "the kiosk reference", args, stderr, act)
}

// argAction is refAction for an argument that is what (a file, a utility).
func argAction(name, doing, what string, args []string, stderr io.Writer, act func(d *kioskData, arg, actor string) error) error {
	fs := newFlags(name)
	at := reachFlags(fs)
	actor := fs.String("actor", "", "your staff number (工号): who "+doing+", for the journal")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("actor", *actor), oneArg(fs, what)); err != nil {
		return err
	}
	d, who, err := at.acting(*actor)
	if err != nil {
		return err
	}
	defer d.close()
	return act(d, fs.Arg(0), who)
}

func outboxRetry(args []string, stdout, stderr io.Writer) error {
	return refAction("outbox retry", "retries", args, stderr, func(d *kioskData, ref, actor string) error {
		if err := d.Retry(context.Background(), ref, actor); err != nil {
			return err
		}
		if d.running {
			fmt.Fprintf(stdout, "%s queued again; the kiosk is sending it\n", ref)
		} else {
			fmt.Fprintf(stdout, "%s queued again; the kiosk sends it when it starts\n", ref)
		}
		return nil
	})
}

// closeReasonCodes lists the reasons a dead letter is closed for, as typed, with their
// phrases: "offline (已在窗口线下办理), …".
func closeReasonCodes() string {
	var rs []string
	for _, r := range staff.CloseReasons {
		rs = append(rs, r.Code+" ("+r.Text+")")
	}
	return strings.Join(rs, ", ")
}

func outboxClose(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("outbox close")
	at := reachFlags(fs)
	actor := fs.String("actor", "", "your staff number (工号): who closes it, for the journal")
	reason := fs.String("reason", "", "why: "+closeReasonCodes()+" (the journal keeps the phrase, never free text)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("actor", *actor), required("reason", *reason), oneArg(fs, "the kiosk reference")); err != nil {
		return err
	}
	d, who, err := at.acting(*actor)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.Close(context.Background(), fs.Arg(0), who, *reason); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s closed\n", fs.Arg(0))
	return nil
}

func receiptFailed(args []string, stdout, stderr io.Writer) error {
	return kioskAction("receipt failed", args, stderr, func(d *kioskData) error {
		list, err := d.Reprints(context.Background())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REF\tKIND\tFAILED\tWHY")
		for _, e := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Ref, e.Kind, chinaTime(e.Time), dash(flat(e.Reason)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d to reprint\n", len(list))
		return nil
	})
}

func receiptReprint(args []string, stdout, stderr io.Writer) error {
	return refAction("receipt reprint", "reprints", args, stderr, func(d *kioskData, ref, actor string) error {
		p, err := d.Reprint(context.Background(), ref, actor)
		if err != nil {
			return err
		}
		if !p.OK {
			return fmt.Errorf("%s did not print again, still kept: %s", ref, p.Detail)
		}
		fmt.Fprintf(stdout, "%s printed again (补打)\n", ref)
		return nil
	})
}

func journalList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("journal list")
	at := reachFlags(fs)
	since := fs.Duration("since", 24*time.Hour, "events of this last stretch of time")
	ref := fs.String("ref", "", "only the events naming this kiosk or utility reference (any time)")
	limit := fs.Int("limit", 0, "only the latest this many, still printed oldest first (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *since <= 0 {
		return usageError("--since must be a positive duration, e.g. 24h")
	}
	if err := notNegative("limit", *limit); err != nil {
		return err
	}
	d, err := at.open()
	if err != nil {
		return err
	}
	defer d.close()
	evs, err := d.Events(context.Background(), staff.Query{Since: *since, Ref: *ref, Limit: *limit})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, e := range evs {
		e.Time = e.Time.In(workdays.CST) // kept in UTC; the hall's time, as chinaTime
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// fileAction runs a staff action that writes a file: it takes --config, --out, --force
// and --actor (who does it, for the journal), reaches the kiosk's data and saves, with
// replace set by --force. It never writes over the kiosk's own files (its database,
// its data folder, its key file), and over another file only with --force.
func fileAction(name, file, doing string, args []string, stderr io.Writer, save func(d *kioskData, path, actor string, replace bool) (int64, error)) (string, int64, error) {
	fs := newFlags(name)
	at := reachFlags(fs)
	out := fs.String("out", "", file+"; never in the kiosk's data folder (data.dir) or its key file")
	force := fs.Bool("force", false, "replace the file at --out if there is one")
	actor := fs.String("actor", "", "your staff number (工号): who "+doing+", for the journal")
	if err := parse(fs, args); err != nil {
		return "", 0, err
	}
	if err := errors.Join(required("out", *out), required("actor", *actor), noArgs(fs)); err != nil {
		return "", 0, err
	}
	d, who, err := at.acting(*actor)
	if err != nil {
		return "", 0, err
	}
	defer d.close()
	if err := d.data.CheckExport(*out); err != nil {
		return "", 0, usageError("--out %s: write it elsewhere, e.g. on a USB stick", strings.TrimPrefix(err.Error(), "store: "))
	}
	if _, err := os.Lstat(*out); err == nil && !*force {
		return "", 0, usageError("--out %s exists: give --force to replace it", *out)
	}
	n, err := save(d, *out, who, *force)
	return *out, n, err
}

func dataBackup(args []string, stdout, stderr io.Writer) error {
	path, n, err := fileAction("data backup", "the copy's file (created 0600)", "exports", args, stderr,
		func(d *kioskData, path, actor string, replace bool) (int64, error) {
			return staff.BackupFile(context.Background(), d, path, actor, replace)
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes (opens only with the same data key file)\n", path, n)
	return nil
}

func kioskScreen(args []string, stdout, stderr io.Writer) error {
	path, n, err := fileAction("kiosk screen", "the picture's file (PNG)", "looks", args, stderr,
		func(d *kioskData, path, actor string, replace bool) (int64, error) {
			return store.WriteFile(path, replace, func(w io.Writer) (int64, error) { return d.Screen(context.Background(), w, actor) })
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", path, n)
	return nil
}

// actorAction runs a staff action that takes --config, --actor (who does it, for the
// journal) and the flags more adds (more may be nil), on the kiosk's data.
func actorAction(name, doing string, args []string, more func(*flag.FlagSet), act func(d *kioskData, actor string) error) error {
	fs := newFlags(name)
	at := reachFlags(fs)
	actor := fs.String("actor", "", "your staff number (工号): who "+doing+", for the journal")
	if more != nil {
		more(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("actor", *actor), noArgs(fs)); err != nil {
		return err
	}
	d, who, err := at.acting(*actor)
	if err != nil {
		return err
	}
	defer d.close()
	return act(d, who)
}

func kioskRestart(args []string, stdout, stderr io.Writer) error {
	var force *bool
	more := func(fs *flag.FlagSet) {
		force = fs.Bool("force", false, "restart it even while staff work in maintenance mode on its screen (it closes under them)")
	}
	return actorAction("kiosk restart", "restarts it", args, more, func(d *kioskData, actor string) error {
		if err := d.Restart(context.Background(), actor, *force); err != nil {
			if errors.Is(err, staff.ErrMaintenanceOpen) {
				return fmt.Errorf("%w; ask them first, or give --force", err)
			}
			return err
		}
		fmt.Fprintf(stdout, "kiosk %s: restarting (kioskctl kiosk status tells when it is back)\n", d.id.ID)
		return nil
	})
}

func kioskUtilities(args []string, stdout, stderr io.Writer) error {
	return kioskAction("kiosk utilities", args, stderr, func(d *kioskData) error {
		list, err := d.Utilities(context.Background())
		if err != nil {
			return err
		}
		failed := 0
		for _, u := range list {
			from := "configuration"
			if u.FromBundle {
				from = "the utility's bundle"
			}
			state := fmt.Sprintf("ok, %d ms", u.TookMS)
			if u.Problem != "" {
				state, failed = "NOT OK: "+u.Problem, failed+1
			}
			fmt.Fprintf(stdout, "%-11s %s; calls go to %s (%s)\n", u.Utility, state, u.Endpoint, from)
			if u.Error != "" {
				fmt.Fprintf(stdout, "%-11s %s\n", "", u.Error)
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d utilities do not answer as their API", failed, len(list))
		}
		return nil
	})
}

func kioskStatus(args []string, stdout, stderr io.Writer) error {
	return kioskAction("kiosk status", args, stderr, func(d *kioskData) error {
		st, err := d.Status(context.Background())
		if err != nil {
			return err
		}
		state := "stopped"
		if st.Running {
			state = "running"
		}
		fmt.Fprintf(stdout, "kiosk: %s (%s, reference code %s)\n", state, d.id.ID, d.id.Code)
		for _, dev := range st.Devices {
			state := "ok"
			if !dev.OK {
				state = "NOT OK: " + dash(dev.Detail)
			}
			fmt.Fprintf(stdout, "device %-8s %s\n", dev.Name, state)
		}
		for _, id := range config.UtilityIDs {
			fmt.Fprintf(stdout, "waiting for %-11s %d\n", id, st.Pending[id])
		}
		for _, f := range st.Failing {
			fmt.Fprintf(stdout, "utility %s FAILING since %s (%s): its requests wait, their attempts kept; %s\n",
				f.Utility, chinaTime(f.Since), f.Problem, f.Error)
		}
		fmt.Fprintf(stdout, "dead letters (for staff): %d\n", st.Dead)
		fmt.Fprintf(stdout, "receipts to reprint (补打): %d\n", st.Reprints)
		fmt.Fprintf(stdout, "payment orders being settled: %d\n", st.Unsettled)
		if st.PINLockedUntil != nil {
			fmt.Fprintf(stdout, "maintenance PIN locked until %s after too many wrong PINs: someone may be guessing (kioskctl staff unlock ends it)\n", chinaTime(*st.PINLockedUntil))
		}
		if st.CardLeftSince != nil {
			fmt.Fprintf(stdout, "ID card left on the reader since %s: keep it for its holder\n", chinaTime(*st.CardLeftSince))
		}
		if m := st.Maintenance; m != nil {
			fmt.Fprintf(stdout, "maintenance mode open on the screen by %s since %s\n", m.Actor, chinaTime(m.Since))
		}
		fmt.Fprintln(stdout, todayLine(st.Today))
		if f := st.Fleet; f != nil && f.Linked {
			fmt.Fprintf(stdout, "fleet: linked to %s\n", f.Broker)
		} else if f != nil {
			fmt.Fprintf(stdout, "fleet: NOT linked to %s: the kiosk keeps trying (its log says why)\n", f.Broker)
		}
		return nil
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// flat keeps a table row on one line.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }
