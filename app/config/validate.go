package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/staffpin"
)

// Duration is a time.Duration written in TOML as a string such as "60s" or "1m30s".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it like \"60s\" or \"1m30s\")", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration in Go's notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// RequiredHotlines are the numbers every kiosk's footer publishes (the seed document):
// 95598, the power service, and 12398, the energy regulator's complaints line.
var RequiredHotlines = []string{"95598", "12398"}

// Tiles a home screen may show. Later features add theirs here.
var KnownTiles = []string{"guide", "accounts", "pay", "track", "info", "apply", "transfer", "catalog"}

// Baud rates the kiosk's serial devices may use.
var KnownBauds = []int{9600, 19200, 38400, 57600, 115200}

// refCodePattern is a kiosk.ref_code: three digits.
var refCodePattern = regexp.MustCompile(`^[0-9]{3}$`)

// validate checks every value. With lenient set (the embedded defaults, which are a demo
// set-up) ports and URLs may be empty: demo mode provides them.
func (c *Config) validate(lenient bool) error {
	k := &c.Kiosk
	if strings.TrimSpace(k.ID) == "" {
		return &Error{Key: "kiosk.id", Msg: "must not be empty"}
	}
	if k.RefCode != "" && !refCodePattern.MatchString(k.RefCode) {
		return &Error{Key: "kiosk.ref_code", Msg: fmt.Sprintf("%q is not three digits (e.g. \"017\")", k.RefCode)}
	}
	if strings.TrimSpace(k.HallName) == "" {
		return &Error{Key: "kiosk.hall_name", Msg: "must not be empty"}
	}
	if k.Language != "zh" && k.Language != "en" {
		return &Error{Key: "kiosk.language", Msg: fmt.Sprintf("%q is not a language; use \"zh\" or \"en\"", k.Language)}
	}
	if err := CheckRenderer(k.Renderer); err != nil {
		return err
	}
	if err := inRange("kiosk.idle_timeout", k.IdleTimeout.Duration, 15*time.Second, 30*time.Minute); err != nil {
		return err
	}
	if err := inRange("kiosk.pay_idle_timeout", k.PayIdleTimeout.Duration, 15*time.Second, 30*time.Minute); err != nil {
		return err
	}
	if err := inRange("kiosk.idle_countdown", k.IdleCountdown.Duration, 3*time.Second, 2*time.Minute); err != nil {
		return err
	}
	numbers := map[string]bool{}
	for i, h := range c.Hotlines {
		key := fmt.Sprintf("hotlines[%d]", i)
		if h.Number == "" || strings.Trim(h.Number, "0123456789-") != "" {
			return &Error{Key: key + ".number", Msg: fmt.Sprintf("%q is not a telephone number", h.Number)}
		}
		if strings.TrimSpace(h.Label) == "" {
			return &Error{Key: key + ".label", Msg: "must not be empty"}
		}
		numbers[h.Number] = true
	}
	for _, n := range RequiredHotlines {
		if !numbers[n] {
			return &Error{Key: "hotlines", Msg: fmt.Sprintf("%s is missing: every kiosk's footer publishes %s", n, strings.Join(RequiredHotlines, " and "))}
		}
	}
	if len(c.Home.Tiles) == 0 {
		return &Error{Key: "home.tiles", Msg: "at least one tile is required"}
	}
	seen := map[string]bool{}
	for _, t := range c.Home.Tiles {
		if !slices.Contains(KnownTiles, t) {
			return &Error{Key: "home.tiles", Msg: fmt.Sprintf("unknown tile %q; known tiles: %s", t, strings.Join(KnownTiles, ", "))}
		}
		if seen[t] {
			return &Error{Key: "home.tiles", Msg: fmt.Sprintf("tile %q is listed twice", t)}
		}
		seen[t] = true
	}
	if err := c.validateDevices(lenient); err != nil {
		return err
	}
	if err := c.validateUtilities(lenient); err != nil {
		return err
	}
	d := &c.Data
	if strings.TrimSpace(d.Dir) == "" {
		return &Error{Key: "data.dir", Msg: "must not be empty"}
	}
	if d.LogMaxBytes < 64<<10 || d.LogMaxBytes > 1<<30 {
		return &Error{Key: "data.log_max_bytes", Msg: fmt.Sprintf("%d is out of range (65536 to 1073741824)", d.LogMaxBytes)}
	}
	if d.LogFiles < 1 || d.LogFiles > 50 {
		return &Error{Key: "data.log_files", Msg: fmt.Sprintf("%d is out of range (1 to 50)", d.LogFiles)}
	}
	if d.PersonalDataDays < 1 || d.PersonalDataDays > 3650 {
		return &Error{Key: "data.personal_data_days", Msg: fmt.Sprintf("%d is out of range (1 to 3650)", d.PersonalDataDays)}
	}
	if d.JournalDays < 30 || d.JournalDays > 3650 {
		return &Error{Key: "data.journal_days", Msg: fmt.Sprintf("%d is out of range (30 to 3650)", d.JournalDays)}
	}
	if d.JournalDays < d.PersonalDataDays {
		return &Error{Key: "data.journal_days", Msg: fmt.Sprintf("%d is shorter than data.personal_data_days (%d): a request would be removed before its personal data is due to go", d.JournalDays, d.PersonalDataDays)}
	}
	if err := c.validateStaff(); err != nil {
		return err
	}
	if err := c.validateBundles(); err != nil {
		return err
	}
	if err := c.validateFleet(); err != nil {
		return err
	}
	for _, t := range []struct{ key, v string }{{"receipt.track_url", c.Receipt.TrackURL}, {"receipt.payment_url", c.Receipt.PaymentURL}} {
		if err := checkTemplate(t.key, t.v); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateDevices(lenient bool) error {
	type dev struct {
		name    string
		enabled bool
		port    string
		baud    int
	}
	d := &c.Devices
	for _, x := range []dev{
		{"devices.idcard", d.IDCard.Enabled, d.IDCard.Port, d.IDCard.Baud},
		{"devices.printer", d.Printer.Enabled, d.Printer.Port, d.Printer.Baud},
		{"devices.scanner", d.Scanner.Enabled, d.Scanner.Port, d.Scanner.Baud},
	} {
		if !slices.Contains(KnownBauds, x.baud) {
			return &Error{Key: x.name + ".baud", Msg: fmt.Sprintf("%d is not a supported baud rate (%s)", x.baud, joinInts(KnownBauds))}
		}
		// In demo mode the simulators provide the ports.
		if x.enabled && !lenient && strings.TrimSpace(x.port) == "" {
			return &Error{Key: x.name + ".port", Msg: "a port is required when the device is enabled (e.g. /dev/serial/by-id/...)"}
		}
	}
	if err := inRange("devices.idcard.poll_interval", d.IDCard.PollInterval.Duration, 20*time.Millisecond, 5*time.Second); err != nil {
		return err
	}
	if err := inRange("devices.idcard.command_timeout", d.IDCard.CommandTimeout.Duration, 50*time.Millisecond, 5*time.Second); err != nil {
		return err
	}
	if d.Printer.Paper != "80mm" && d.Printer.Paper != "58mm" {
		return &Error{Key: "devices.printer.paper", Msg: fmt.Sprintf("%q is not a paper width; use \"80mm\" or \"58mm\"", d.Printer.Paper)}
	}
	if !slices.Contains([]string{"full", "partial", "none"}, d.Printer.Cut) {
		return &Error{Key: "devices.printer.cut", Msg: fmt.Sprintf("%q is not a cut mode; use \"full\", \"partial\" or \"none\"", d.Printer.Cut)}
	}
	if !slices.Contains([]string{"gbk", "gb2312"}, d.Printer.Charset) {
		return &Error{Key: "devices.printer.charset", Msg: fmt.Sprintf("%q is not a font charset; use \"gbk\" or \"gb2312\"", d.Printer.Charset)}
	}
	if b := d.Printer.Buffer; b < 128 || b > 1<<20 {
		return &Error{Key: "devices.printer.buffer", Msg: fmt.Sprintf("%d bytes is out of range (128 bytes to 1 MiB)", b)}
	}
	return inRange("devices.printer.check_every", d.Printer.CheckEvery.Duration, time.Second, 10*time.Minute)
}

// apiName is what utilities.*.api may hold: an adapter's name.
var apiName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// APIReference names the kiosk's own protocol (docs/utility-api.md), which an empty
// utilities.*.api means too.
const APIReference = "kiosk-v1"

// endpointHost is an entry of utilities.*.endpoint_hosts: a host name, optionally "*."
// before it (any host under that domain), or an IPv4 address; no scheme, port or path.
var endpointHost = regexp.MustCompile(`^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// The bounds of a utility's call deadline (utilities.*.timeout).
const (
	MinUtilityTimeout = 500 * time.Millisecond
	MaxUtilityTimeout = time.Minute
)

func (c *Config) validateUtilities(lenient bool) error {
	enabled := 0
	for _, id := range UtilityIDs {
		u, _ := c.Utilities.ByID(id)
		key := "utilities." + id
		if strings.TrimSpace(u.Name) == "" {
			return &Error{Key: key + ".name", Msg: "must not be empty"}
		}
		if err := inRange(key+".timeout", u.Timeout.Duration, MinUtilityTimeout, MaxUtilityTimeout); err != nil {
			return err
		}
		if idle := c.Kiosk.IdleTimeout.Duration; u.Timeout.Duration >= idle {
			// The idle timer runs while the citizen waits on the screen for an answer.
			return &Error{Key: key + ".timeout", Msg: fmt.Sprintf("%s is not shorter than kiosk.idle_timeout (%s): a citizen waiting for the utility's answer would have the visit wiped before it came", u.Timeout.Duration, idle)}
		}
		if err := checkTemplate(key+".payment_url", u.PaymentURL); err != nil {
			return err
		}
		if u.API != "" && !apiName.MatchString(u.API) {
			return &Error{Key: key + ".api", Msg: fmt.Sprintf("%q is not an API's name: lower-case letters, digits and - (empty: the kiosk's own protocol, %s)", u.API, APIReference)}
		}
		if u.API != "" && u.API != APIReference && len(u.EndpointHosts) > 0 {
			return &Error{Key: key + ".endpoint_hosts", Msg: fmt.Sprintf("a bundle can move the calls of a utility on the kiosk's own protocol (%s) only; this one's go through the %s adapter", APIReference, u.API)}
		}
		for _, h := range u.EndpointHosts {
			if !endpointHost.MatchString(h) {
				return &Error{Key: key + ".endpoint_hosts", Msg: fmt.Sprintf("%q is not a host name (kiosk-api.power.example.cn), a domain's hosts (*.power.example.cn) or an IPv4 address", h)}
			}
		}
		if _, err := u.NumberFormat(); err != nil {
			return &Error{Key: key + ".application_number", Msg: fmt.Sprintf("%q is not a regular expression for the application numbers of %s (%s): %s; write it as, e.g., \"^DL[0-9]{12}$\", or leave it empty", u.ApplicationNumber, id, u.Name, strings.TrimPrefix(err.Error(), "error parsing regexp: "))}
		}
		if u.BundleKey != "" {
			if _, err := bundle.ParsePublicKey(u.BundleKey); err != nil {
				return &Error{Key: key + ".bundle_key", Msg: strings.TrimPrefix(err.Error(), "bundle: ") + "; the utility's engineer makes the key with kioskctl bundle keygen"}
			}
		}
		if !u.Enabled {
			continue
		}
		enabled++
		if u.BaseURL == "" && lenient {
			continue // demo mode points enabled utilities at the simulator
		}
		if err := CheckBaseURL(u.BaseURL); err != nil {
			return &Error{Key: key + ".base_url", Msg: err.Error()}
		}
	}
	if enabled == 0 {
		return &Error{Key: "utilities", Msg: "at least one utility must be enabled"}
	}
	return nil
}

// CheckBaseURL checks a utility API's base URL: http(s) with a host, and https unless the
// host is on loopback (a simulator on the kiosk itself).
func CheckBaseURL(raw string) error {
	p, err := url.Parse(raw)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if p.Scheme == "http" && !isLoopback(p.Hostname()) {
		return errors.New("must use https (plain http is allowed on loopback only)")
	}
	return nil
}

func (c *Config) validateBundles() error {
	l := c.Bundles.Listen
	if l == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(l)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		return &Error{Key: "bundles.listen", Msg: fmt.Sprintf("%q is not host:port (for example \"0.0.0.0:8780\", or \":8780\")", l)}
	}
	return nil
}

// topicPart is what a topic level of the kiosk's may hold: no MQTT wildcard, no level
// separator, nothing a broker's access rules would read otherwise.
var topicPart = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (c *Config) validateFleet() error {
	f := &c.Fleet
	if f.Broker == "" {
		return nil
	}
	if err := CheckFleet(*f); err != nil {
		return err
	}
	if !topicPart.MatchString(c.Kiosk.ID) {
		return &Error{Key: "kiosk.id", Msg: fmt.Sprintf("%q cannot name the kiosk's topics on the broker: letters, digits, '_', '.' and '-' only", c.Kiosk.ID)}
	}
	return inRange("fleet.status_every", f.StatusEvery.Duration, 10*time.Second, time.Hour)
}

// CheckFleet checks how the broker of f is reached (its URL, TLS with a password off
// loopback, the prefix, the user with a password file): the kiosk's [fleet] and
// kioskctl's broker flags alike.
func CheckFleet(f Fleet) error {
	p, err := url.Parse(f.Broker)
	if err != nil || p.Host == "" || p.Port() == "" || (p.Scheme != "mqtt" && p.Scheme != "mqtts") || p.Path != "" || p.User != nil {
		return &Error{Key: "fleet.broker", Msg: fmt.Sprintf("%q is not mqtts://host:port or mqtt://host:port", f.Broker)}
	}
	if p.Scheme == "mqtt" && f.PasswordFile != "" && !isLoopback(p.Hostname()) {
		return &Error{Key: "fleet.broker", Msg: "must use mqtts with a password (plain mqtt would carry it in the clear; allowed on loopback only)"}
	}
	if p.Scheme == "mqtt" && f.CAFile != "" {
		return &Error{Key: "fleet.ca_file", Msg: "is for mqtts: the broker's certificate is checked only over TLS"}
	}
	for _, level := range strings.Split(f.Prefix, "/") {
		if !topicPart.MatchString(level) {
			return &Error{Key: "fleet.prefix", Msg: fmt.Sprintf("%q is not a topic prefix: levels of letters, digits, '_', '.' and '-', separated by '/'", f.Prefix)}
		}
	}
	if (f.Username == "") != (f.PasswordFile == "") {
		return &Error{Key: "fleet.password_file", Msg: "fleet.username and fleet.password_file go together"}
	}
	return nil
}

func (c *Config) validateStaff() error {
	s := &c.Staff
	if s.PINHash != "" {
		if err := staffpin.CheckHash(s.PINHash); err != nil {
			return &Error{Key: "staff.pin_hash", Msg: strings.TrimPrefix(err.Error(), "staffpin: ") + "; make one with kioskctl staff pin-hash"}
		}
	}
	if s.PINHash != "" && len(s.Members) > 0 {
		return &Error{Key: "staff.members", Msg: "one shared PIN (staff.pin_hash) or a PIN for each member, not both"}
	}
	ids := map[string]bool{}
	for i, m := range s.Members {
		key := fmt.Sprintf("staff.members[%d]", i)
		if field, err := (staffpin.Member{ID: m.ID, Name: m.Name, Hash: m.PINHash}).Check(); err != nil {
			return &Error{Key: key + "." + field, Msg: strings.TrimPrefix(err.Error(), "staffpin: ")}
		}
		if ids[m.ID] {
			return &Error{Key: key + ".id", Msg: fmt.Sprintf("工号 %s is given twice", m.ID)}
		}
		ids[m.ID] = true
	}
	if s.MaxFailures < 1 || s.MaxFailures > 20 {
		return &Error{Key: "staff.max_failures", Msg: fmt.Sprintf("%d is out of range (1 to 20)", s.MaxFailures)}
	}
	if err := inRange("staff.lockout", s.Lockout.Duration, time.Minute, 24*time.Hour); err != nil {
		return err
	}
	return c.validateSocket()
}

// validateSocket checks where the staff socket goes and whom it is open to: a folder
// of its own apart from the data folder (which holds the database and its key, and
// stays the kiosk user's alone), and a group the machine has.
func (c *Config) validateSocket() error {
	s := &c.Staff
	if s.SocketDir != "" {
		dir, err := filepath.Abs(s.SocketDir)
		if err != nil {
			return &Error{Key: "staff.socket_dir", Msg: err.Error()}
		}
		data, err := filepath.Abs(c.Data.Dir)
		if err != nil {
			return &Error{Key: "data.dir", Msg: err.Error()}
		}
		if within(dir, data) || within(data, dir) {
			return &Error{Key: "staff.socket_dir", Msg: fmt.Sprintf("%q is data.dir %q, inside it or around it: the socket's folder is one of its own (e.g. \"/run/kiosk\"), as the data folder holds the database and its key and stays the kiosk user's alone", s.SocketDir, c.Data.Dir)}
		}
	}
	if s.SocketGroup == "" {
		return nil
	}
	if s.SocketDir == "" {
		return &Error{Key: "staff.socket_group", Msg: "needs staff.socket_dir, a folder of the socket's own (e.g. \"/run/kiosk\"): staff reach no socket in the data folder, which stays the kiosk user's alone"}
	}
	if _, err := SocketGID(s.SocketGroup); err != nil {
		return &Error{Key: "staff.socket_group", Msg: err.Error()}
	}
	return nil
}

// within reports whether path is dir or inside it (both absolute and clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// SocketGID is the id of the OS group named by staff.socket_group.
func SocketGID(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		var unknown user.UnknownGroupError
		if errors.As(err, &unknown) {
			return 0, fmt.Errorf("no group %q on this machine: create it (groupadd %s) and add the staff's accounts and the kiosk's user to it, or leave staff.socket_group empty", name, name)
		}
		return 0, fmt.Errorf("group %q: %w", name, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return 0, fmt.Errorf("group %q has id %q, not a number", name, g.Gid)
	}
	return gid, nil
}

// isLoopback reports whether host is this machine: "localhost" or a loopback address
// (not a name that merely starts with 127.).
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func checkTemplate(key, v string) error {
	if v == "" {
		return nil
	}
	if !strings.Contains(v, "{ref}") {
		return &Error{Key: key, Msg: "the template must contain {ref}"}
	}
	p, err := url.Parse(strings.ReplaceAll(v, "{ref}", "X"))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return &Error{Key: key, Msg: fmt.Sprintf("%q is not an http(s) URL template", v)}
	}
	// A receipt QR must stay small enough for a 58 mm printer at a readable module size.
	if len(v) > 120 {
		return &Error{Key: key, Msg: fmt.Sprintf("the template is %d bytes long; at most 120 fit a receipt QR", len(v))}
	}
	return nil
}

func inRange(key string, v, lo, hi time.Duration) error {
	if v < lo || v > hi {
		return &Error{Key: key, Msg: fmt.Sprintf("%s is out of range (%s to %s)", v, lo, hi)}
	}
	return nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// lineOf finds the line on which a dotted key is set, by following table headers.
// It returns 0 when it cannot tell (the key comes from the defaults, say).
func lineOf(data []byte, key string) int {
	if key == "" {
		return 0
	}
	// Array indices in our own keys ("hotlines[1].number") map to the n-th [[hotlines]].
	wantTable, leaf, index := splitKey(key)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	table, count, line := "", map[string]int{}, 0
	tableLine := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(s, "[["):
			table = strings.TrimSpace(strings.Trim(strings.SplitN(s, "#", 2)[0], "[] \t"))
			count[table]++
			tableLine = line
		case strings.HasPrefix(s, "["):
			table = strings.TrimSpace(strings.Trim(strings.SplitN(s, "#", 2)[0], "[] \t"))
			tableLine = line
		default:
			eq := strings.Index(s, "=")
			if eq <= 0 || strings.HasPrefix(s, "#") {
				continue
			}
			k := strings.Trim(strings.TrimSpace(s[:eq]), `"`)
			full := k
			if table != "" {
				full = table + "." + k
			}
			if index >= 0 && table == wantTable && count[table] == index+1 && (leaf == "" || k == leaf) {
				if leaf == "" {
					return tableLine
				}
				return line
			}
			if index < 0 && full == key {
				return line
			}
		}
	}
	if index < 0 {
		// A whole table (e.g. "utilities") named by its header, an array of tables
		// ("hotlines") by its first.
		return headerLine(data, key)
	}
	return 0
}

func splitKey(key string) (table, leaf string, index int) {
	i := strings.Index(key, "[")
	if i < 0 {
		return "", "", -1
	}
	j := strings.Index(key, "]")
	if j < i {
		return "", "", -1
	}
	fmt.Sscanf(key[i+1:j], "%d", &index)
	return key[:i], strings.TrimPrefix(key[j+1:], "."), index
}

func headerLine(data []byte, key string) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "["+key+"]" || s == "[["+key+"]]" || strings.HasPrefix(s, "["+key+".") {
			return line
		}
	}
	return 0
}

// CheckRenderer checks a value of kiosk.renderer (also given as --renderer).
func CheckRenderer(r string) error {
	if r != "auto" && r != "opengl" && r != "software" {
		return &Error{Key: "kiosk.renderer", Msg: fmt.Sprintf("%q is not a renderer; use \"auto\", \"opengl\" or \"software\"", r)}
	}
	return nil
}
