package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/fleet"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

func init() {
	register("config", "the kiosk's configuration: check it before the kiosk starts on it", "check", &subcommand{
		usage:   "check [--config FILE]",
		summary: "check a configuration as the kiosk does at start, and that its serial devices, utilities' secrets and data key are in place",
		run:     configCheck,
	})
}

// errProblems is what config check returns when the configuration is valid but the
// machine is not ready for it.
var errProblems = errors.New("the kiosk would not start on this machine, or would start without the devices named")

// configCheck checks what the kiosk checks at start, without starting it: the file
// itself, the utilities' secret files, the data folder's key against its database, and
// what it cannot check before it runs: that each serial device is there.
func configCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config check")
	cfgPath := fs.String("config", "", "the configuration to check (none: the demo defaults)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configuration %s: valid\n", cfg.Source)
	fmt.Fprintf(stdout, "kiosk %s, reference code %s, %s\n", cfg.Kiosk.ID, cfg.Kiosk.Code(), cfg.Kiosk.HallName)
	problems := 0
	report := func(what string, err error) {
		if err != nil {
			problems++
			fmt.Fprintf(stdout, "%s: PROBLEM: %v\n", what, err)
			return
		}
		fmt.Fprintf(stdout, "%s: ok\n", what)
	}
	if cfg.Demo {
		fmt.Fprintln(stdout, "demo mode: the devices and utilities are simulated")
	} else {
		d := cfg.Devices
		for _, dev := range []struct {
			name, port string
			enabled    bool
		}{
			{"idcard", d.IDCard.Port, d.IDCard.Enabled},
			{"printer", d.Printer.Port, d.Printer.Enabled},
			{"scanner", d.Scanner.Port, d.Scanner.Enabled},
		} {
			if !dev.enabled {
				fmt.Fprintf(stdout, "device %s: not used\n", dev.name)
				continue
			}
			report(fmt.Sprintf("device %s %s", dev.name, dev.port), serialDevice(dev.port))
		}
	}
	for _, id := range config.UtilityIDs {
		u, _ := cfg.Utilities.ByID(id)
		switch {
		case !u.Enabled:
			fmt.Fprintf(stdout, "utility %s: not used\n", id)
		case cfg.Demo:
			fmt.Fprintf(stdout, "utility %s: %s (simulated)%s\n", id, u.Name, numbersOf(u))
		default:
			err := utility.CheckAPI(u.API)
			if err == nil {
				_, err = utility.LoadSecret(u.SecretFile, id, false)
			}
			if err == nil {
				_, err = utility.LoadCAs(u.CAFile, id)
			}
			desc := fmt.Sprintf("utility %s: %s at %s, secret %s", id, u.Name, u.BaseURL, u.SecretFile)
			if api := utility.ConfiguredAPI(cfg, nil, id); api != utility.APIReference {
				desc += ", through the " + api + " adapter"
			}
			if u.CAFile != "" {
				desc += ", trusted under " + u.CAFile
			}
			if len(u.EndpointHosts) > 0 {
				desc += ", its bundles may move its calls to " + strings.Join(u.EndpointHosts, ", ")
			}
			desc += numbersOf(u)
			report(desc, err)
		}
	}
	var from []string
	for _, id := range config.UtilityIDs {
		if u, _ := cfg.Utilities.ByID(id); u.BundleKey != "" {
			from = append(from, id)
		}
	}
	bundles := "from none (no bundle_key)"
	switch {
	case len(from) > 0:
		bundles = "from " + strings.Join(from, ", ")
	case cfg.Demo:
		bundles = "from every utility, signed with its demo key"
	}
	if cfg.Bundles.Listen != "" {
		bundles += ", over the hall network on " + cfg.Bundles.Listen + " and through kioskctl"
	} else if len(from) > 0 || cfg.Demo {
		bundles += ", through kioskctl"
	}
	fmt.Fprintln(stdout, "content bundles: "+bundles)
	if f := cfg.Fleet; f.Broker != "" {
		_, err := fleet.BrokerOf(f, cfg.Kiosk.ID)
		desc := fmt.Sprintf("fleet: broker %s, topics %s/…/%s", f.Broker, f.Prefix, cfg.Kiosk.ID)
		if f.Username != "" {
			desc += ", as " + f.Username + " (password in " + f.PasswordFile + ")"
		}
		if f.CAFile != "" {
			desc += ", trusted under " + f.CAFile
		}
		report(desc, err)
		if f.Username != "" && f.Username != cfg.Kiosk.ID {
			// deploy/mosquitto/kiosk.acl: pattern write kiosk/status/%u.
			fmt.Fprintf(stdout, "fleet: WARNING: the user name %q is not kiosk.id %q: the city's ACL lets a kiosk publish on its own "+
				"user name's topics only, and the broker drops the statuses and alarms of this one without a word (the link is made all the same)\n",
				f.Username, cfg.Kiosk.ID)
		}
	} else {
		fmt.Fprintln(stdout, "fleet: no broker (fleet.broker)")
	}
	switch {
	case len(cfg.Staff.Members) > 0:
		fmt.Fprintf(stdout, "maintenance mode on the screen: %d staff members, each with a 工号 and a PIN of their own\n", len(cfg.Staff.Members))
	case cfg.Staff.PINHash != "":
		fmt.Fprintln(stdout, "maintenance mode on the screen: staff PIN set")
	case cfg.Demo:
		fmt.Fprintln(stdout, "maintenance mode on the screen: the demo PIN 123456")
	default:
		fmt.Fprintln(stdout, "maintenance mode on the screen: off (no staff.pin_hash; kioskctl staff pin-hash makes one)")
	}
	report(staffSocket(cfg))
	err = store.Check(store.Options{Dir: cfg.Data.Dir, KeyFile: cfg.Data.KeyFile})
	if errors.Is(err, store.ErrInUse) {
		fmt.Fprintf(stdout, "data %s: in use by the running kiosk, which opened it with its key\n", cfg.Data.Dir)
	} else {
		report("data "+cfg.Data.Dir, err)
	}
	if problems > 0 {
		return fmt.Errorf("%d problem(s): %w", problems, errProblems)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// serialDevice checks that a serial device's path names a character device: a reader
// unplugged, or a by-id name copied wrong, has no file there.
func serialDevice(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no such device: unplugged, or another name (see ls %s)", filepath.Dir(path))
	}
	if err != nil {
		return err
	}
	if st.Mode()&os.ModeCharDevice == 0 {
		return errors.New("not a serial device (a character device)")
	}
	return nil
}

// groupFile is where the machine lists its groups' members (tests move it).
var groupFile = "/etc/group"

// staffSocket says where the kiosk of cfg serves staff (kioskctl's way into it) and who
// may connect: the kiosk's user and root, and the members of staff.socket_group where it
// names one. The error is a socket path no client could connect to.
func staffSocket(cfg *config.Config) (string, error) {
	path := staff.SocketPath(cfg.StaffSocketDir())
	s := cfg.Staff
	var desc string
	switch {
	case s.SocketDir == "":
		desc = fmt.Sprintf("staff socket %s, in the data folder: the kiosk's user and root alone (0600); staff's own accounts reach none (staff.socket_dir, staff.socket_group)", path)
	case s.SocketGroup == "":
		desc = fmt.Sprintf("staff socket %s: the kiosk's user and root alone (0600, its folder 0700)", path)
	default:
		gid, _ := config.SocketGID(s.SocketGroup) // config.Load has checked it
		who := "the accounts whose primary group it is, and its members (getent group " + s.SocketGroup + ")"
		if ms, ok := groupMembers(s.SocketGroup); ok && len(ms) > 0 {
			who = "its members " + strings.Join(ms, ", ") + " (" + groupFile + "), and the accounts whose primary group it is"
		} else if ok {
			who = "the accounts whose primary group it is (" + groupFile + " lists no member)"
		}
		desc = fmt.Sprintf("staff socket %s: the kiosk's user, root and group %s (gid %d; 0660, its folder 0750): %s, each as themselves with kioskctl … --socket %s",
			path, s.SocketGroup, gid, who, path)
	}
	return desc, staff.CheckPath(path)
}

// groupMembers is the accounts the group file names as the group's members; false where
// it has no line for the group (one from a directory service) or cannot be read.
func groupMembers(group string) ([]string, bool) {
	b, err := os.ReadFile(groupFile)
	if err != nil {
		return nil, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) != 4 || f[0] != group {
			continue
		}
		var ms []string
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				ms = append(ms, m)
			}
		}
		return ms, true
	}
	return nil, false
}

// numbersOf tells the utility's declared application-number format (tracking by number
// asks it only of numbers of that form); "" when it declares none (it is asked of every
// number).
func numbersOf(u *config.Utility) string {
	if u.ApplicationNumber == "" {
		return ""
	}
	return ", application numbers " + u.ApplicationNumber
}
