// Package config loads the kiosk's TOML configuration: embedded defaults, then the
// operator's file on top, then validation. A kiosk never starts half-configured:
// unknown keys, wrong types and out-of-range values are refused with an error that
// names the key and the line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/liangzihu/kiosk/app/smallfile"
	"github.com/liangzihu/kiosk/assets"
)

// Config is the whole kiosk configuration. Every key is documented in
// docs/configuration.md; assets/kiosk.example.toml shows them all.
type Config struct {
	Kiosk     Kiosk     `toml:"kiosk"`
	Hotlines  []Hotline `toml:"hotlines"`
	Home      Home      `toml:"home"`
	Devices   Devices   `toml:"devices"`
	Utilities Utilities `toml:"utilities"`
	Data      Data      `toml:"data"`
	Receipt   Receipt   `toml:"receipt"`
	Staff     Staff     `toml:"staff"`
	Bundles   Bundles   `toml:"bundles"`
	Fleet     Fleet     `toml:"fleet"`

	// Demo is true when the kiosk runs with simulated devices and utilities.
	// It is set by kiosk.demo, and always when no configuration file is given.
	Demo bool `toml:"-"`
	// Source names where the configuration came from, for the log.
	Source string `toml:"-"`
	// File is the file it was read from; empty for the embedded defaults.
	File string `toml:"-"`
}

// Kiosk describes this machine and its hall.
type Kiosk struct {
	ID             string   `toml:"id"`
	HallName       string   `toml:"hall_name"`
	HallNameEN     string   `toml:"hall_name_en"`
	Address        string   `toml:"address"`
	AddressEN      string   `toml:"address_en"`
	OpeningHours   []string `toml:"opening_hours"`
	OpeningHoursEN []string `toml:"opening_hours_en"`
	Language       string   `toml:"language"`
	Fullscreen     bool     `toml:"fullscreen"`
	// Renderer paints the screen: "opengl" (Fyne's driver), "software" (the kiosk's
	// own painter, no OpenGL) or "auto": software where the machine has no GPU.
	Renderer      string   `toml:"renderer"`
	IdleTimeout   Duration `toml:"idle_timeout"`
	IdleCountdown Duration `toml:"idle_countdown"`
	// PayIdleTimeout is the idle time while the pay QR is on screen: paying with a
	// phone takes many citizens longer than IdleTimeout.
	PayIdleTimeout Duration `toml:"pay_idle_timeout"`
	Demo           bool     `toml:"demo"`
	// ElderlyDefault starts every session in 大字模式.
	ElderlyDefault bool `toml:"elderly_default"`
	// RefCode is three digits naming this kiosk in the references it gives citizens;
	// empty: derived from ID (see Code).
	RefCode string `toml:"ref_code"`
}

// Code is the three digits that name this kiosk in its references (kiosk.ref_code), so
// that a reference typed at another kiosk is told apart. Without ref_code it is derived
// from the kiosk's ID: two kiosks share one by chance once in a thousand pairs, and then
// only a reference made in the same tenth of a second is mistaken.
func (k *Kiosk) Code() string {
	if k.RefCode != "" {
		return k.RefCode
	}
	h := fnv.New32a()
	h.Write([]byte(k.ID))
	return fmt.Sprintf("%03d", h.Sum32()%1000)
}

// Hotline is a telephone number shown in the footer of every screen.
type Hotline struct {
	Number  string `toml:"number"`
	Label   string `toml:"label"`
	LabelEN string `toml:"label_en"`
}

// Home lists the service tiles of the home screen, in order.
type Home struct {
	Tiles []string `toml:"tiles"`
}

// Devices holds the serial devices' settings.
type Devices struct {
	IDCard  IDCardReader `toml:"idcard"`
	Printer Printer      `toml:"printer"`
	Scanner Scanner      `toml:"scanner"`
}

// IDCardReader is the 二代身份证 reader.
type IDCardReader struct {
	Enabled      bool     `toml:"enabled"`
	Port         string   `toml:"port"`
	Baud         int      `toml:"baud"`
	PollInterval Duration `toml:"poll_interval"`
	// CommandTimeout bounds each reply to find, select and the other short commands;
	// readers differ (vendor code uses 100 ms to 1 s).
	CommandTimeout Duration `toml:"command_timeout"`
	// SkipAppendedAddress leaves out the read of the appended address (追加住址), for a
	// reader that fails it: each card read would wait for that failure.
	SkipAppendedAddress bool `toml:"skip_appended_address"`
}

// Printer is the ESC/POS receipt printer.
type Printer struct {
	Enabled  bool   `toml:"enabled"`
	Port     string `toml:"port"`
	Baud     int    `toml:"baud"`
	Paper    string `toml:"paper"` // "80mm" or "58mm"
	NativeQR bool   `toml:"native_qr"`
	Cut      string `toml:"cut"` // "full", "partial" or "none"
	// Charset is the printer's font ROM: "gbk" (GB18030 printers) or "gb2312" (older
	// firmware; a name's rare character is then printed as a replacement).
	Charset string `toml:"charset"`
	// Buffer is the printer's receive buffer in bytes (its manual says): the kiosk never
	// sends more ahead of the printer than this, so that a printer that drops what
	// overflows its buffer loses nothing.
	Buffer int `toml:"buffer"`
	// CheckEvery is how often the kiosk asks the idle printer for its state, so that
	// staff hear of the paper running out before a citizen does.
	CheckEvery Duration `toml:"check_every"`
}

// Scanner is the line-oriented QR / barcode scanner.
type Scanner struct {
	Enabled bool   `toml:"enabled"`
	Port    string `toml:"port"`
	Baud    int    `toml:"baud"`
}

// Utilities holds one back end per utility.
type Utilities struct {
	Water       Utility `toml:"water"`
	Electricity Utility `toml:"electricity"`
	Gas         Utility `toml:"gas"`
	Broadband   Utility `toml:"broadband"`
}

// Utility is one utility company's back end.
type Utility struct {
	Enabled bool   `toml:"enabled"`
	Name    string `toml:"name"`
	NameEN  string `toml:"name_en"`
	BaseURL string `toml:"base_url"`
	// API names how the utility's back end is called: empty (or "kiosk-v1") for the
	// protocol of docs/utility-api.md, otherwise an adapter linked into the kiosk
	// (utility.RegisterAdapter).
	API string `toml:"api"`
	// SecretFile holds this kiosk's HMAC secret for the utility (not the secret itself).
	SecretFile string `toml:"secret_file"`
	// CAFile holds the certificate authorities (PEM) the utility's API is trusted under,
	// instead of the system's; empty: the system's.
	CAFile  string   `toml:"ca_file"`
	Timeout Duration `toml:"timeout"`
	Hotline string   `toml:"hotline"`
	// PaymentURL is the template of this utility's payment receipt QR (its e-invoice
	// page; {ref} its receipt number, which only it can tell apart); empty: the
	// receipt's payment_url.
	PaymentURL string `toml:"payment_url"`
	// BundleKey is the utility's public key ("ed25519:…"), which its content bundles
	// (its public information, service catalogue and endpoint) must be signed with;
	// empty: the kiosk takes no bundle from it (docs/bundles.md).
	BundleKey string `toml:"bundle_key"`
	// EndpointHosts are the hosts besides base_url's own that the utility's bundles may
	// move its calls to: "kiosk-api2.power.example.cn", or "*.power.example.cn" for any
	// host under that domain. What reaches a utility's API holds citizens' ID numbers:
	// the hall, not the utility's key alone, decides where it may go.
	EndpointHosts []string `toml:"endpoint_hosts"`
	// ApplicationNumber is the format of the utility's application numbers, a regular
	// expression (Go's RE2 syntax) that the whole number must match, letters without
	// regard to case: "^DL[0-9]{12}$". A number typed or scanned to track an application
	// is asked of the utilities whose format it matches and of those that declare none
	// (NumberFormat); empty: none declared, the utility is asked for every number.
	ApplicationNumber string `toml:"application_number"`
}

// NumberFormat is the utility's declared application-number format (ApplicationNumber)
// compiled to match a whole number, letters without regard to case; nil when it declares
// none.
func (u *Utility) NumberFormat() (*regexp.Regexp, error) {
	if u.ApplicationNumber == "" {
		return nil, nil
	}
	// Compiled alone first: a pattern with an unbalanced ")" could compile once wrapped.
	if _, err := regexp.Compile(u.ApplicationNumber); err != nil {
		return nil, err
	}
	return regexp.Compile(`(?i)^(?:` + u.ApplicationNumber + `)$`)
}

// EndpointAllowed reports whether a bundle of the utility may send its calls to host,
// the calls going to configuredHost without one: that same host (on any port), or one
// that EndpointHosts lists.
func (u *Utility) EndpointAllowed(host, configuredHost string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == strings.ToLower(configuredHost) {
		return true
	}
	for _, p := range u.EndpointHosts {
		p = strings.ToLower(p)
		if host == p || strings.HasPrefix(p, "*.") && strings.HasSuffix(host, p[1:]) {
			return true
		}
	}
	return false
}

// PaymentURL is the template of a utility's payment receipt QR: its own, or the
// receipt's payment_url.
func (c *Config) PaymentURL(utilityID string) string {
	if u, ok := c.Utilities.ByID(utilityID); ok && u.PaymentURL != "" {
		return u.PaymentURL
	}
	return c.Receipt.PaymentURL
}

// Data says where the kiosk keeps its files.
type Data struct {
	Dir         string `toml:"dir"`
	KeyFile     string `toml:"key_file"`
	LogMaxBytes int64  `toml:"log_max_bytes"`
	LogFiles    int    `toml:"log_files"`
	// PersonalDataDays is how long a finished request keeps its sealed personal data.
	PersonalDataDays int `toml:"personal_data_days"`
	// JournalDays is how long journal entries and finished requests are kept.
	JournalDays int `toml:"journal_days"`
}

// Receipt holds what receipts print beyond the transaction itself.
type Receipt struct {
	Title string `toml:"title"`
	// TrackURL and PaymentURL are templates; {ref} is replaced by the reference.
	TrackURL   string `toml:"track_url"`
	PaymentURL string `toml:"payment_url"`
}

// Staff guards maintenance mode on the touchscreen (a hidden gesture, then the staff
// PIN; app/staffpin).
type Staff struct {
	// PINHash is the staff PIN's hash, made by `kioskctl staff pin-hash`, never the PIN.
	// Empty: maintenance mode cannot be opened on the screen, except in demo mode, where
	// the demo PIN opens it.
	PINHash string `toml:"pin_hash"`
	// Members are the hall's staff, each with a 工号 and a PIN of their own, instead of
	// one shared PIN: the journal then names who did what in maintenance mode.
	Members []StaffMember `toml:"members"`
	// MaxFailures is how many wrong PINs in a row lock maintenance mode.
	MaxFailures int `toml:"max_failures"`
	// Lockout is how long it stays locked after the last of them.
	Lockout Duration `toml:"lockout"`
	// SocketDir is the folder of the staff socket (kioskctl's way into the running
	// kiosk); empty: the data folder. Given, it is a folder of the socket's own, the
	// kiosk user's, apart from data.dir: the kiosk sets its mode (0700, 0750 with
	// SocketGroup) and its group.
	SocketDir string `toml:"socket_dir"`
	// SocketGroup is the OS group whose members may use the staff socket as well as the
	// kiosk's user (socket 0660, its folder 0750, both of that group), so that staff run
	// kioskctl as themselves and the journal names each one; empty: the kiosk's user
	// alone (0600). It needs SocketDir: the data folder stays the kiosk user's alone.
	SocketGroup string `toml:"socket_group"`
}

// StaffSocketDir is the folder of the staff socket: staff.socket_dir, or the data
// folder.
func (c *Config) StaffSocketDir() string {
	if c.Staff.SocketDir != "" {
		return c.Staff.SocketDir
	}
	return c.Data.Dir
}

// StaffMember is one of the hall's staff who may open maintenance mode on the screen.
type StaffMember struct {
	// ID is the 工号 typed before the PIN: 1 to 12 digits.
	ID string `toml:"id"`
	// Name is the member's name, journaled beside the 工号.
	Name string `toml:"name"`
	// PINHash is the member's PIN's hash (kioskctl staff pin-hash).
	PINHash string `toml:"pin_hash"`
}

// Bundles is how utilities' content bundles reach the kiosk besides kioskctl.
type Bundles struct {
	// Listen is the address ("host:port") on the hall network where the kiosk takes
	// bundles over HTTP (POST /v1/bundles); empty: none, kioskctl only. A bundle is
	// applied only with its utility's signature, whoever sends it.
	Listen string `toml:"listen"`
}

// Fleet is the kiosk's link to the city's message broker (MQTT, docs/fleet.md): its
// status and devices' alarms go out to the fleet's staff, and utilities' bundles come in.
type Fleet struct {
	// Broker is the broker's URL: mqtts://host:8883 (TLS), or mqtt://host:1883 (plain:
	// on loopback, or without a password); empty: no broker.
	Broker string `toml:"broker"`
	// Prefix begins every topic: <prefix>/status/<kiosk.id>, <prefix>/alarms/<kiosk.id>,
	// <prefix>/bundles/<utility>.
	Prefix string `toml:"prefix"`
	// Username and the file that holds the password (mode 0600, kept out of this file);
	// both empty: none.
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	// CAFile holds the certificate authorities (PEM) the broker is trusted under; empty:
	// the system's.
	CAFile string `toml:"ca_file"`
	// StatusEvery is how often the kiosk publishes its status when nothing changes.
	StatusEvery Duration `toml:"status_every"`
}

// UtilityIDs lists the utilities in display order.
var UtilityIDs = []string{"electricity", "water", "gas", "broadband"}

// ByID returns the utility with the given ID (see UtilityIDs).
func (u *Utilities) ByID(id string) (*Utility, bool) {
	switch id {
	case "water":
		return &u.Water, true
	case "electricity":
		return &u.Electricity, true
	case "gas":
		return &u.Gas, true
	case "broadband":
		return &u.Broadband, true
	}
	return nil, false
}

// Enabled lists the IDs of the enabled utilities, in display order.
func (u *Utilities) Enabled() []string {
	var out []string
	for _, id := range UtilityIDs {
		if x, _ := u.ByID(id); x.Enabled {
			out = append(out, id)
		}
	}
	return out
}

// Defaults returns the embedded default configuration, the kiosk's demo set-up.
func Defaults() *Config {
	c, err := parse(assets.DefaultConfig, "defaults")
	if err != nil {
		// The defaults are part of the binary and covered by tests.
		panic(fmt.Sprintf("config: embedded defaults are invalid: %v", err))
	}
	return c
}

// Load reads the configuration. With path empty it returns the defaults in demo mode.
// Otherwise the file's keys override the defaults and the result is validated.
func Load(path string) (*Config, error) {
	if path == "" {
		c := Defaults()
		c.Demo = true
		c.Source = "defaults (demo)"
		return c, nil
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	c, err := parse(data, path)
	if err != nil {
		return nil, err
	}
	c.Source, c.File = path, path
	return c, nil
}

// maxFile bounds a configuration file: the example, every key set and commented, has
// under 10 KiB.
const maxFile = 1 << 20

// readFile reads the configuration file at path, a file of at most maxFile bytes.
func readFile(path string) ([]byte, error) {
	data, err := smallfile.Read(path, maxFile)
	var tl *smallfile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &Error{File: path, Msg: fmt.Sprintf("more than %s: not a configuration file", smallfile.Size(maxFile))}
	case errors.Is(err, smallfile.ErrNotFile):
		return nil, &Error{File: path, Msg: "a folder, a device or a pipe, not a configuration file"}
	case err != nil:
		return nil, fmt.Errorf("config: %w", err)
	}
	return data, nil
}

// Parse reads a configuration from TOML text (name is used in messages).
func Parse(data []byte, name string) (*Config, error) { return parse(data, name) }

func parse(data []byte, name string) (*Config, error) {
	c := &Config{}
	if name != "defaults" {
		c = Defaults()
		// A file that names its own lists replaces the defaults' lists rather than appending.
		c.Hotlines = nil
		c.Home.Tiles = nil
		c.Kiosk.OpeningHours = nil
		c.Kiosk.OpeningHoursEN = nil
	}
	if !isUTF8(data) {
		return nil, &Error{File: name, Msg: "the file is not UTF-8 text"}
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(c)
	if err != nil {
		return nil, decodeError(name, data, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		msg := "unknown key"
		if md.Type(und[0]...) == "Hash" {
			msg = "unknown table"
		}
		return nil, &Error{File: name, Key: k, Line: lineOf(data, k), Msg: msg}
	}
	if name != "defaults" && !md.IsDefined("hotlines") {
		c.Hotlines = Defaults().Hotlines
	}
	if name != "defaults" && !md.IsDefined("home", "tiles") {
		c.Home.Tiles = Defaults().Home.Tiles
	}
	if name != "defaults" && !md.IsDefined("kiosk", "opening_hours") {
		c.Kiosk.OpeningHours = Defaults().Kiosk.OpeningHours
	}
	if name != "defaults" && !md.IsDefined("kiosk", "opening_hours_en") {
		c.Kiosk.OpeningHoursEN = Defaults().Kiosk.OpeningHoursEN
	}
	if name != "defaults" && !c.Kiosk.Demo {
		// The defaults' application-number formats are the simulator's, which answers in
		// demo mode alone: a hall's utility has the format its file gives it, or none.
		for _, id := range UtilityIDs {
			if !md.IsDefined("utilities", id, "application_number") {
				u, _ := c.Utilities.ByID(id)
				u.ApplicationNumber = ""
			}
		}
	}
	if err := c.validate(name == "defaults" || c.Kiosk.Demo); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = name
			if ce.Line == 0 {
				ce.Line = lineOf(data, ce.Key)
			}
		}
		return nil, err
	}
	c.Demo = c.Kiosk.Demo
	return c, nil
}

// Error is a configuration problem. Its message names the file, the line and the key.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error reads "config: FILE:LINE: KEY: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func decodeError(name string, data []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if strings.Contains(msg, "incompatible types") {
			msg = "wrong type: " + strings.TrimPrefix(msg, "incompatible types: ")
		}
		key := pe.LastKey
		line := pe.Position.Line
		if line == 0 {
			line = lineOf(data, key)
		}
		return &Error{File: name, Line: line, Key: key, Msg: msg}
	}
	// Type mismatches on struct fields come back as plain errors of the form
	// `toml: line N (last key "a.b"): incompatible types: ...`.
	msg := err.Error()
	e := &Error{File: name, Msg: msg}
	if i := strings.Index(msg, `(last key "`); i >= 0 {
		rest := msg[i+len(`(last key "`):]
		if j := strings.Index(rest, `")`); j >= 0 {
			e.Key = rest[:j]
			e.Msg = strings.TrimPrefix(strings.TrimSpace(rest[j+2:]), ": ")
		}
	}
	e.Msg = strings.Replace(e.Msg, "incompatible types: ", "wrong type: ", 1)
	if e.Key != "" {
		e.Line = lineOf(data, e.Key)
	}
	return e
}

func isUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }
