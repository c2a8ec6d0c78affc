// Command utilitysim serves simulated back ends of the four utilities (electricity,
// water, gas, broadband) on loopback for demos and tests: each under its own base URL,
// speaking the protocol of docs/utility-api.md, with seeded citizens, bills, payments,
// applications, transfers and evaluations, and an admin API for fault injection.
//
//	utilitysim -dir /tmp/sim -port 8701 -auto-pay 5s -auto-advance 1m
//
// serves electricity on 8701, water 8702, gas 8703, broadband 8704 and the admin API
// on 8705. With -port 0 every port is picked free; the URLs are printed at start.
//
// The utilities keep one secret per kiosk and refuse any other kiosk: -kiosk names the
// kiosks they know (repeat it; by default the kiosk.id of the default configuration,
// demo mode's), and -secrets a folder with one folder per kiosk, named by its ID, of
// <utility>.key files (without it, the public demo secrets):
//
//	utilitysim -kiosk LZH-TAIHE-01 -kiosk LZH-TAIHE-02 -secrets /etc/utilitysim/secrets
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "utilitysim:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("utilitysim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "utilitysim-data", "folder of the state file (created and seeded on first start)")
	host := fs.String("host", "127.0.0.1", "address to listen on (loopback only: this is a simulator)")
	port := fs.Int("port", 0, "first port: electricity, water, gas, broadband, admin follow in order; 0 picks free ports")
	autoPay := fs.Duration("auto-pay", 0, "pay pending payments automatically after this long (demo); 0: only via the admin API")
	autoAdvance := fs.Duration("auto-advance", 0, "advance open applications one step this often (demo); 0: only via the admin API")
	oldestFirst := fs.Bool("oldest-first", false, "refuse a payment order that leaves an older unpaid bill of the account out (bills paid oldest first)")
	var ids []string
	fs.Func("kiosk", "ID of a kiosk the utilities know (its kiosk.id); repeat for more (default "+config.Defaults().Kiosk.ID+", demo mode's)",
		func(v string) error {
			ids = append(ids, v)
			return nil
		})
	secrets := fs.String("secrets", "", "folder of a folder per kiosk, named by its ID, of <utility>.key secret files; empty: the public demo secrets")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(ids) == 0 {
		ids = []string{config.Defaults().Kiosk.ID}
	}
	kiosks, err := loadKiosks(ids, *secrets)
	if err != nil {
		return err
	}
	o := utilitysim.Options{Dir: *dir, Host: *host, AutoPay: *autoPay, AutoAdvance: *autoAdvance, OldestFirst: *oldestFirst,
		Logger: slog.New(slog.NewJSONHandler(stderr, nil)), Ports: map[string]int{}, Kiosks: kiosks}
	if *port != 0 {
		for i, id := range append(append([]string{}, utilitysim.Utilities...), "admin") {
			o.Ports[id] = *port + i
		}
	}
	s, err := utilitysim.Start(o)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, id := range utilitysim.Utilities {
		fmt.Fprintf(stdout, "%-12s %s\n", id, s.BaseURL(id))
	}
	fmt.Fprintf(stdout, "%-12s %s\n", "admin", s.AdminURL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return s.Shutdown(context.Background())
}

// loadKiosks gives the kiosks ids their secrets: from dir/<kiosk ID>/<utility>.key, or
// with dir empty the demo secrets.
func loadKiosks(ids []string, dir string) (map[string]utilitysim.Secrets, error) {
	kiosks := map[string]utilitysim.Secrets{}
	for _, kiosk := range ids {
		// The ID names a folder: it may not lead out of dir.
		if kiosk == "" || !filepath.IsLocal(kiosk) || strings.ContainsAny(kiosk, `/\`) {
			return nil, fmt.Errorf("-kiosk %q: not a kiosk ID", kiosk)
		}
		if _, dup := kiosks[kiosk]; dup {
			return nil, fmt.Errorf("-kiosk %s: given twice", kiosk)
		}
		own := utilitysim.Secrets{}
		if dir != "" {
			for _, id := range utilitysim.Utilities {
				s, err := utility.LoadSecret(filepath.Join(dir, kiosk, id+".key"), id, false)
				if err != nil {
					return nil, fmt.Errorf("kiosk %s: %w", kiosk, err)
				}
				own[id] = s
			}
		}
		kiosks[kiosk] = own
	}
	return kiosks, nil
}
