package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/workdays"
)

// The bundle commands that act on a kiosk: apply a bundle, list what it shows, roll one
// back (keygen, sign and inspect, the utility's side, are in bundle.go).
func init() {
	register("bundle", bundleSummary, "apply", &subcommand{
		usage:   "apply --actor STAFF_NO [--config FILE | --socket PATH] BUNDLE_FILE",
		summary: "apply a utility's signed bundle on the running kiosk (shown at once)",
		run:     bundleApply,
	})
	register("bundle", bundleSummary, "list", &subcommand{
		usage:   "list [--config FILE | --socket PATH]",
		summary: "the content each utility shows: its bundle's version, or the kiosk's own",
		run:     bundleList,
	})
	register("bundle", bundleSummary, "rollback", &subcommand{
		usage:   "rollback --actor STAFF_NO [--config FILE | --socket PATH] UTILITY",
		summary: "go back to the content a utility's bundle replaced, on the running kiosk",
		run:     bundleRollback,
	})
	register("bundle", bundleSummary, "drop", &subcommand{
		usage:   "drop --actor STAFF_NO [--config FILE | --socket PATH] UTILITY",
		summary: "drop the bundle a utility sent by mistake, held to take effect later, on the running kiosk: it never takes effect, and that version is refused if sent again",
		run:     bundleDrop,
	})
}

func bundleApply(args []string, stdout, stderr io.Writer) error {
	return argAction("bundle apply", "applies it", "the bundle's file", args, stderr, func(d *kioskData, file, actor string) error {
		data, err := readInput(file)
		if err != nil {
			return err
		}
		b, err := d.ApplyBundle(context.Background(), data, actor)
		if err != nil {
			return err
		}
		if sent, err := bundle.Parse(data); err == nil && b.Held == sent.Manifest.Version {
			fmt.Fprintf(stdout, "%s: version %d held, to be applied at %s\n", b.Utility, b.Held, hallTime(*b.Effective))
			return nil
		}
		fmt.Fprintf(stdout, "%s: version %d applied and shown\n", b.Utility, b.Version)
		return nil
	})
}

func bundleRollback(args []string, stdout, stderr io.Writer) error {
	return argAction("bundle rollback", "rolls it back", "the utility (electricity, water, gas, broadband)", args, stderr, func(d *kioskData, utility, actor string) error {
		if err := d.RollbackBundle(context.Background(), utility, actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: rolled back\n", utility)
		return nil
	})
}

func bundleDrop(args []string, stdout, stderr io.Writer) error {
	return argAction("bundle drop", "drops it", "the utility (electricity, water, gas, broadband)", args, stderr, func(d *kioskData, utility, actor string) error {
		b, err := d.DropBundle(context.Background(), utility, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: version %d, held for later, dropped: it will not take effect, and that version is refused if sent again (the utility sends a newer one)\n",
			b.Utility, b.Dropped)
		return nil
	})
}

func bundleList(args []string, stdout, stderr io.Writer) error {
	return kioskAction("bundle list", args, stderr, func(d *kioskData) error {
		list, err := d.Bundles(context.Background())
		if err != nil {
			return err
		}
		by := map[string]staff.Bundle{}
		for _, b := range list {
			by[b.Utility] = b
		}
		for _, id := range config.UtilityIDs {
			b := by[id]
			if b.Version == 0 {
				fmt.Fprintf(stdout, "%-11s the kiosk's own content (newest version applied: %s)\n", id, seen(b.Seen))
				continue
			}
			back := "the kiosk's own content"
			if b.Previous > 0 {
				back = fmt.Sprintf("version %d, then ", b.Previous)
				for _, v := range b.Older {
					back += fmt.Sprintf("%d, then ", v)
				}
				back += "the kiosk's own content"
			}
			fmt.Fprintf(stdout, "%-11s version %d, applied %s by %s; a rollback goes to %s\n", id, b.Version,
				chinaTime(*b.AppliedAt), b.By, back)
			if b.Note != "" {
				fmt.Fprintf(stdout, "%-11s %s\n", "", b.Note)
			}
			if b.Endpoint != "" {
				fmt.Fprintf(stdout, "%-11s calls go to %s\n", "", b.Endpoint)
			}
			if b.LeftOut != "" {
				fmt.Fprintf(stdout, "%-11s left out: %s; the kiosk shows its own content\n", "", b.LeftOut)
			}
		}
		for _, id := range config.UtilityIDs {
			if b := by[id]; b.Held > 0 {
				fmt.Fprintf(stdout, "%-11s version %d held, to be applied at %s (received %s from %s)\n", id, b.Held,
					hallTime(*b.Effective), chinaTime(*b.ReceivedAt), b.HeldBy)
				if b.HeldNote != "" {
					fmt.Fprintf(stdout, "%-11s %s\n", "", b.HeldNote)
				}
			}
			if b := by[id]; b.Dropped > b.Seen && b.Dropped > b.Held {
				fmt.Fprintf(stdout, "%-11s version %d dropped by staff while held: a bundle sent again must be newer\n", id, b.Dropped)
			}
		}
		return nil
	})
}

// hallTime writes when a bundle takes effect as the halls and the utilities' notices
// say it: in China Standard Time, and says so.
func hallTime(t time.Time) string { return chinaTime(t) + " (UTC+8)" }

// chinaTime writes a time to the minute as the hall reads it, the screen, the receipts
// and the journal's reports: in China Standard Time, whatever the zone of the shell
// kioskctl runs in (a server's is often UTC).
func chinaTime(t time.Time) string { return t.In(workdays.CST).Format("2006-01-02 15:04") }

func seen(v uint64) string {
	if v == 0 {
		return "none"
	}
	return fmt.Sprint(v)
}
