package config

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/assets"
)

func TestDefaultsAreDemo(t *testing.T) {
	c, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo {
		t.Fatal("no configuration must mean demo mode")
	}
	if c.Kiosk.IdleTimeout.Duration != 60*time.Second || c.Kiosk.IdleCountdown.Duration != 10*time.Second {
		t.Fatalf("idle defaults: %v / %v", c.Kiosk.IdleTimeout, c.Kiosk.IdleCountdown)
	}
	nums := []string{}
	for _, h := range c.Hotlines {
		nums = append(nums, h.Number)
	}
	if strings.Join(nums, ",") != "95598,12398" {
		t.Fatalf("hotlines: %v", nums)
	}
	if s := c.Staff; s.PINHash != "" || s.MaxFailures != 5 || s.Lockout.Duration != 15*time.Minute {
		t.Fatalf("staff defaults: %+v", s)
	}
}

func TestExampleIsValid(t *testing.T) {
	c, err := Parse(assets.ExampleConfig, "kiosk.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo || !c.Kiosk.Fullscreen || c.Devices.Printer.Paper != "80mm" {
		t.Fatalf("unexpected example values: %+v", c.Kiosk)
	}
	if c.Staff.PINHash == "" {
		t.Fatal("the example has no staff.pin_hash")
	}
	// The city's ACL (deploy/mosquitto/kiosk.acl) lets a kiosk publish under its user
	// name only: another name and the broker drops its statuses without a word.
	if c.Fleet.Username != c.Kiosk.ID {
		t.Fatalf("the example's fleet.username %q is not its kiosk.id %q", c.Fleet.Username, c.Kiosk.ID)
	}
}

func TestFileOverridesDefaults(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "k.toml")
	src := `
[kiosk]
id = "HALL-7"
idle_timeout = "2m"
demo = true

[[hotlines]]
number = "95598"
label = "供电"

[[hotlines]]
number = "12398"
label = "监管"
`
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk.ID != "HALL-7" || c.Kiosk.IdleTimeout.Duration != 2*time.Minute {
		t.Fatalf("override lost: %+v", c.Kiosk)
	}
	if c.Kiosk.HallName == "" || c.Kiosk.IdleCountdown.Duration != 10*time.Second {
		t.Fatal("defaults lost for keys the file does not set")
	}
	if len(c.Hotlines) != 2 || c.Hotlines[0].Label != "供电" {
		t.Fatalf("a file's list must replace the default list: %+v", c.Hotlines)
	}
	if len(c.Home.Tiles) == 0 {
		t.Fatal("tiles not defaulted")
	}
	if !c.Demo {
		t.Fatal("kiosk.demo = true not honoured")
	}
}

// Each kind of bad value is refused with a message naming the key and the line.
func TestBadConfigurationIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // substrings of the error
	}{
		{"unknown key", "[kiosk]\nid = \"A\"\nidle_timout = \"60s\"\n", []string{":3:", "kiosk.idle_timout", "unknown key"}},
		{"unknown table", "[kiosk]\nid = \"A\"\n\n[printer]\nbaud = 9600\n", []string{":4:", "printer", "unknown table"}},
		{"wrong type", "[kiosk]\nid = \"A\"\nfullscreen = \"yes\"\n", []string{":3:", "kiosk.fullscreen", "wrong type"}},
		{"wrong type int", "[devices.printer]\nbaud = \"fast\"\n", []string{":2:", "devices.printer.baud", "wrong type"}},
		{"bad duration", "[kiosk]\n\nidle_timeout = \"soon\"\n", []string{":3:", "kiosk.idle_timeout", "not a duration"}},
		{"idle too short", "[kiosk]\nidle_timeout = \"5s\"\n", []string{":2:", "kiosk.idle_timeout", "out of range"}},
		{"countdown too long", "[kiosk]\nidle_countdown = \"10m\"\n", []string{":2:", "kiosk.idle_countdown", "out of range"}},
		{"bad language", "[kiosk]\nlanguage = \"fr\"\n", []string{":2:", "kiosk.language", "use \"zh\" or \"en\""}},
		{"bad renderer", "[kiosk]\nrenderer = \"vulkan\"\n", []string{":2:", "kiosk.renderer", "\"vulkan\" is not a renderer"}},
		{"empty id", "[kiosk]\nid = \"  \"\n", []string{":2:", "kiosk.id", "must not be empty"}},
		{"bad ref code", "[kiosk]\nref_code = \"17\"\n", []string{":2:", "kiosk.ref_code", "not three digits"}},
		{"ref code not digits", "[kiosk]\nref_code = \"A17\"\n", []string{":2:", "kiosk.ref_code", "not three digits"}},
		{"bad baud", "[devices.idcard]\nbaud = 12345\n", []string{":2:", "devices.idcard.baud", "not a supported baud"}},
		{"port required", "[kiosk]\ndemo = false\n[devices.idcard]\nenabled = false\n[devices.scanner]\nenabled = false\n[devices.printer]\nenabled = true\nport = \"\"\n", []string{":9:", "devices.printer.port", "port is required"}},
		{"paper", "[kiosk]\ndemo = true\n[devices.printer]\npaper = \"A4\"\n", []string{":4:", "devices.printer.paper"}},
		{"cut", "[kiosk]\ndemo = true\n[devices.printer]\ncut = \"half\"\n", []string{":4:", "devices.printer.cut"}},
		{"charset", "[kiosk]\ndemo = true\n[devices.printer]\ncharset = \"big5\"\n", []string{":4:", "devices.printer.charset"}},
		{"buffer", "[kiosk]\ndemo = true\n[devices.printer]\nbuffer = 64\n", []string{":4:", "devices.printer.buffer", "128 bytes to 1 MiB"}},
		{"poll interval", "[kiosk]\ndemo = true\n[devices.idcard]\npoll_interval = \"1ms\"\n", []string{":4:", "poll_interval", "out of range"}},
		{"http not loopback", "[kiosk]\ndemo = true\n[utilities.water]\nbase_url = \"http://water.example.cn/v1\"\n", []string{":4:", "utilities.water.base_url", "https"}},
		{"http to a name that starts like loopback", "[kiosk]\ndemo = true\n[utilities.water]\nbase_url = \"http://127.0.0.1.nip.io/v1\"\n", []string{":4:", "utilities.water.base_url", "https"}},
		{"not a url", "[kiosk]\ndemo = true\n[utilities.gas]\nbase_url = \"gas-server\"\n", []string{":4:", "utilities.gas.base_url", "not an http(s) URL"}},
		{"api name", "[kiosk]\ndemo = true\n[utilities.gas]\napi = \"Gas API\"\n", []string{":4:", "utilities.gas.api", "not an API's name"}},
		{"api adapter moved by bundles", "[kiosk]\ndemo = true\n[utilities.gas]\napi = \"gasco\"\nendpoint_hosts = [\"*.gas.example.cn\"]\n", []string{":5:", "utilities.gas.endpoint_hosts", "through the gasco adapter"}},
		{"utility timeout", "[kiosk]\ndemo = true\n[utilities.gas]\ntimeout = \"10ms\"\n", []string{":4:", "utilities.gas.timeout"}},
		{"utility timeout past the idle time", "[kiosk]\ndemo = true\nidle_timeout = \"20s\"\n[utilities.gas]\ntimeout = \"20s\"\n", []string{":5:", "utilities.gas.timeout", "not shorter than kiosk.idle_timeout (20s)"}},
		{"none enabled", "[kiosk]\ndemo = true\n[utilities.water]\nenabled = false\n[utilities.gas]\nenabled = false\n[utilities.electricity]\nenabled = false\n[utilities.broadband]\nenabled = false\n",
			[]string{"utilities", "at least one utility"}},
		{"unknown tile", "[kiosk]\ndemo = true\n[home]\ntiles = [\"guide\", \"casino\"]\n", []string{":4:", "home.tiles", "unknown tile \"casino\""}},
		{"duplicate tile", "[kiosk]\ndemo = true\n[home]\ntiles = [\"guide\", \"guide\"]\n", []string{":4:", "listed twice"}},
		{"hotline number", "[kiosk]\ndemo = true\n[[hotlines]]\nnumber = \"abc\"\nlabel = \"x\"\n", []string{":4:", "hotlines[0].number"}},
		{"required hotline", "[kiosk]\ndemo = true\n[[hotlines]]\nnumber = \"95598\"\nlabel = \"供电\"\n[[hotlines]]\nnumber = \"12345\"\nlabel = \"政务\"\n",
			[]string{":3:", "hotlines", "12398 is missing"}},
		{"hotline label", "[kiosk]\ndemo = true\n[[hotlines]]\nnumber = \"95598\"\nlabel = \"a\"\n[[hotlines]]\nnumber = \"12398\"\nlabel = \"\"\n", []string{":8:", "hotlines[1].label"}},
		{"log size", "[kiosk]\ndemo = true\n[data]\nlog_max_bytes = 10\n", []string{":4:", "data.log_max_bytes"}},
		{"personal data days", "[kiosk]\ndemo = true\n[data]\npersonal_data_days = 0\n", []string{":4:", "data.personal_data_days", "1 to 3650"}},
		{"journal days", "[kiosk]\ndemo = true\n[data]\njournal_days = 7\n", []string{":4:", "data.journal_days", "30 to 3650"}},
		{"journal shorter than personal data", "[kiosk]\ndemo = true\n[data]\npersonal_data_days = 400\njournal_days = 365\n",
			[]string{":5:", "data.journal_days", "shorter than data.personal_data_days"}},
		{"template", "[kiosk]\ndemo = true\n[receipt]\ntrack_url = \"https://t.example.cn/a\"\n", []string{":4:", "receipt.track_url", "{ref}"}},
		{"a utility's template", "[kiosk]\ndemo = true\n[utilities.gas]\npayment_url = \"ftp://e.example.cn/{ref}\"\n", []string{":4:", "utilities.gas.payment_url", "not an http(s) URL template"}},
		{"pin hash not a hash", "[kiosk]\ndemo = true\n[staff]\npin_hash = \"123456\"\n", []string{":4:", "staff.pin_hash", "must start with pbkdf2-sha256$", "kioskctl staff pin-hash"}},
		{"pin hash cheap", "[kiosk]\ndemo = true\n[staff]\npin_hash = \"pbkdf2-sha256$1000$oYCEzcB22sWM2cXo7QTTzw$zUeHfO6hQ/6c2WJmglXsPHiQ/NoCP+yW8A2fANQZOTc\"\n", []string{":4:", "staff.pin_hash", "1000 is out of range"}},
		{"pin hash cut short", "[kiosk]\ndemo = true\n[staff]\npin_hash = \"pbkdf2-sha256$600000$oYCEzcB22sWM2cXo7QTTzw$zUeHfO6hQ/6c2WJmglXsPHiQ/NoC\"\n", []string{":4:", "staff.pin_hash", "key is 21 bytes, it must be 32"}},
		{"max failures none", "[kiosk]\ndemo = true\n[staff]\nmax_failures = 0\n", []string{":4:", "staff.max_failures", "1 to 20"}},
		{"member and shared PIN", "[kiosk]\ndemo = true\n[staff]\npin_hash = \"" + staffpin.DemoHash + "\"\n[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \"" + staffpin.DemoHash + "\"\n", []string{"staff.members", "not both"}},
		{"member id letters", "[kiosk]\ndemo = true\n[[staff.members]]\nid = \"A17\"\nname = \"王芳\"\npin_hash = \"" + staffpin.DemoHash + "\"\n", []string{":4:", "staff.members[0].id", "1 to 12 digits"}},
		{"member no name", "[kiosk]\ndemo = true\n[[staff.members]]\nid = \"0417\"\nname = \"\"\npin_hash = \"" + staffpin.DemoHash + "\"\n", []string{":5:", "staff.members[0].name"}},
		{"member bad hash", "[kiosk]\ndemo = true\n[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \"123456\"\n", []string{":6:", "staff.members[0].pin_hash", "pbkdf2-sha256$"}},
		{"member twice", "[kiosk]\ndemo = true\n[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \"" + staffpin.DemoHash + "\"\n[[staff.members]]\nid = \"0417\"\nname = \"李建国\"\npin_hash = \"" + staffpin.DemoHash + "\"\n", []string{":8:", "staff.members[1].id", "工号 0417 is given twice"}},
		{"bundle key not a key", "[kiosk]\ndemo = true\n[utilities.gas]\nbundle_key = \"abc\"\n", []string{":4:", "utilities.gas.bundle_key", "ed25519:", "kioskctl bundle keygen"}},
		{"bundle key short", "[kiosk]\ndemo = true\n[utilities.gas]\nbundle_key = \"ed25519:AAAA\"\n", []string{":4:", "utilities.gas.bundle_key", "kioskctl bundle keygen"}},
		{"endpoint host with a scheme", "[kiosk]\ndemo = true\n[utilities.gas]\nendpoint_hosts = [\"https://gas.example.cn\"]\n", []string{":4:", "utilities.gas.endpoint_hosts", `"https://gas.example.cn" is not a host name`}},
		{"endpoint host with a port", "[kiosk]\ndemo = true\n[utilities.gas]\nendpoint_hosts = [\"gas.example.cn:443\"]\n", []string{"utilities.gas.endpoint_hosts", `"gas.example.cn:443"`}},
		{"endpoint host an IPv6 address", "[kiosk]\ndemo = true\n[utilities.gas]\nendpoint_hosts = [\"::1\"]\n", []string{":4:", "utilities.gas.endpoint_hosts", "or an IPv4 address"}},
		{"endpoint hosts a wildcard inside", "[kiosk]\ndemo = true\n[utilities.gas]\nendpoint_hosts = [\"api.*.example.cn\"]\n", []string{"utilities.gas.endpoint_hosts", `"api.*.example.cn"`}},
		{"application number not a regexp", "[kiosk]\ndemo = true\n[utilities.gas]\napplication_number = \"^RQ[0-9{11}$\"\n",
			[]string{":4:", "utilities.gas.application_number", `"^RQ[0-9{11}$" is not a regular expression for the application numbers of gas (梁子湖区燃气公司)`, "missing closing ]"}},
		// Wrapped to match the whole number, it would compile: ^(?:RQ)(GH)$.
		{"application number unbalanced", "[kiosk]\ndemo = true\n[utilities.water]\nname = \"城东水务\"\napplication_number = \"RQ)(GH\"\n",
			[]string{":5:", "utilities.water.application_number", "of water (城东水务)", "unexpected )"}},
		{"fleet broker over http", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"https://mqtt.example.cn\"\n", []string{":4:", "fleet.broker", "mqtts://host:port"}},
		{"fleet broker without a port", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtts://mqtt.example.cn\"\n", []string{":4:", "fleet.broker", "mqtts://host:port"}},
		{"fleet password in the clear", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtt://mqtt.example.cn:1883\"\nusername = \"k7\"\npassword_file = \"/etc/kiosk/pw\"\n", []string{":4:", "fleet.broker", "must use mqtts with a password"}},
		{"fleet user without password", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\nusername = \"k7\"\n", []string{"fleet.password_file", "go together"}},
		{"fleet prefix wildcard", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\nprefix = \"city/#\"\n", []string{":5:", "fleet.prefix", "not a topic prefix"}},
		{"fleet prefix ends with a slash", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\nprefix = \"city/\"\n", []string{"fleet.prefix"}},
		{"fleet kiosk id with a slash", "[kiosk]\ndemo = true\nid = \"hall/7\"\n[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\n", []string{":3:", "kiosk.id", "cannot name the kiosk's topics"}},
		{"fleet status every second", "[kiosk]\ndemo = true\n[fleet]\nbroker = \"mqtt://127.0.0.1:1883\"\nstatus_every = \"1s\"\n", []string{":5:", "fleet.status_every", "out of range"}},
		{"bundles listen no port", "[kiosk]\ndemo = true\n[bundles]\nlisten = \"0.0.0.0\"\n", []string{":4:", "bundles.listen", "host:port"}},
		{"bundles listen port out of range", "[kiosk]\ndemo = true\n[bundles]\nlisten = \":70000\"\n", []string{":4:", "bundles.listen", "host:port"}},
		{"max failures many", "[kiosk]\ndemo = true\n[staff]\nmax_failures = 21\n", []string{":4:", "staff.max_failures", "1 to 20"}},
		{"lockout short", "[kiosk]\ndemo = true\n[staff]\nlockout = \"30s\"\n", []string{":4:", "staff.lockout", "out of range (1m0s to 24h0m0s)"}},
		{"lockout long", "[kiosk]\ndemo = true\n[staff]\nlockout = \"25h\"\n", []string{":4:", "staff.lockout", "out of range"}},
		{"socket group unknown", "[kiosk]\ndemo = true\n[staff]\nsocket_dir = \"/run/kiosk\"\nsocket_group = \"kiosk-staff-no-such-group\"\n", []string{":5:", "staff.socket_group", `no group "kiosk-staff-no-such-group" on this machine`, "groupadd"}},
		{"socket group without a folder", "[kiosk]\ndemo = true\n[staff]\nsocket_group = \"kiosk-staff\"\n", []string{":4:", "staff.socket_group", "needs staff.socket_dir"}},
		{"socket folder in the data folder", "[kiosk]\ndemo = true\n[data]\ndir = \"/var/lib/kiosk\"\n[staff]\nsocket_dir = \"/var/lib/kiosk/staff\"\n", []string{":6:", "staff.socket_dir", "inside it or around it"}},
		{"socket folder the data folder", "[kiosk]\ndemo = true\n[data]\ndir = \"/var/lib/kiosk\"\n[staff]\nsocket_dir = \"/var/lib/kiosk/\"\n", []string{":6:", "staff.socket_dir", "stays the kiosk user's alone"}},
		{"socket folder around the data folder", "[kiosk]\ndemo = true\n[data]\ndir = \"/var/lib/kiosk\"\n[staff]\nsocket_dir = \"/var/lib\"\n", []string{":6:", "staff.socket_dir"}},
		{"syntax", "[kiosk\nid = 1\n", []string{":2:", "table name"}},
		{"not utf8", "[kiosk]\nid = \"\xff\xfe\"\n", []string{"not UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "k.toml")
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.src)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: k.toml") {
				t.Errorf("message does not name the file: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

// The staff socket is in the data folder unless staff.socket_dir names another; a
// group the machine has (this process's own) is taken, and a folder beside the data
// folder whose name begins like it is not inside it.
func TestStaffSocket(t *testing.T) {
	c, err := Parse([]byte("[kiosk]\ndemo = true\n[data]\ndir = \"/var/lib/kiosk\"\n"), "k.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StaffSocketDir(); got != "/var/lib/kiosk" {
		t.Errorf("socket folder %q, want the data folder", got)
	}
	g, err := user.LookupGroupId(fmt.Sprint(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	c, err = Parse([]byte("[kiosk]\ndemo = true\n[data]\ndir = \"/var/lib/kiosk\"\n[staff]\nsocket_dir = \"/var/lib/kiosk-staff\"\nsocket_group = \""+g.Name+"\"\n"), "k.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StaffSocketDir(); got != "/var/lib/kiosk-staff" {
		t.Errorf("socket folder %q, want /var/lib/kiosk-staff", got)
	}
	if gid, err := SocketGID(c.Staff.SocketGroup); err != nil || gid != os.Getgid() {
		t.Errorf("group %s: %d, %v, want %d", g.Name, gid, err, os.Getgid())
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

// A file longer than any configuration, or a device, a pipe or a folder named by mistake
// (one never ends, one waits for a writer), is refused at once, not read until the memory
// runs out or for ever.
func TestFileTooLong(t *testing.T) {
	long := filepath.Join(t.TempDir(), "long.toml")
	if err := os.WriteFile(long, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(long, maxFile+1); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		long:        "more than 1 MiB: not a configuration file",
		"/dev/zero": "a device or a pipe, not a configuration file",
		t.TempDir(): "a folder, a device or a pipe, not a configuration file",
	} {
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}

// The documentation lists every key the example sets, with its default.
func TestEveryKeyDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	table := ""
	for _, line := range strings.Split(string(assets.ExampleConfig), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(line, "[] ")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key := table + "." + strings.TrimSpace(strings.SplitN(line, "=", 2)[0])
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("docs/configuration.md does not document %q", key)
		}
	}
}

// Every default docs/configuration.md gives as one TOML value is the kiosk's default.
func TestDocumentedDefaults(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z_.*]+)` \\| `([^`]+)` \\|")
	defaults := reflect.ValueOf(*Defaults())
	checked := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil || strings.Contains(m[2], "…") { // "…" abbreviates a long default
			continue
		}
		keys := []string{m[1]}
		if strings.Contains(m[1], "*") {
			keys = nil
			for _, u := range tomlNames(reflect.TypeOf(Utilities{})) {
				keys = append(keys, strings.Replace(m[1], "*", u, 1))
			}
		}
		for _, key := range keys {
			field, ok := fieldByKey(defaults, key)
			if !ok {
				t.Errorf("docs/configuration.md documents %q, which the configuration does not have", key)
				continue
			}
			// The documented value, decoded into a value of the field's type.
			holder := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: field.Type(), Tag: `toml:"v"`}}))
			if _, err := toml.Decode("v = "+m[2], holder.Interface()); err != nil {
				t.Errorf("%s: documented default %s: %v", key, m[2], err)
				continue
			}
			if doc := holder.Elem().Field(0).Interface(); !reflect.DeepEqual(doc, field.Interface()) {
				t.Errorf("%s: documented default %s, the kiosk's is %v", key, m[2], field.Interface())
			}
			checked++
		}
	}
	if checked < 40 {
		t.Fatalf("only %d documented defaults checked: has the table's layout changed?", checked)
	}
}

// fieldByKey finds the field a dotted key names, by the fields' toml tags.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	for _, name := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		i := slices.Index(tomlNames(v.Type()), name)
		if i < 0 {
			return reflect.Value{}, false
		}
		v = v.Field(i)
	}
	return v, true
}

// tomlNames lists a struct's fields by their toml names ("" for a field without one).
func tomlNames(t reflect.Type) []string {
	names := make([]string, t.NumField())
	for i := range names {
		names[i], _, _ = strings.Cut(t.Field(i).Tag.Get("toml"), ",")
	}
	return names
}

// A utility's own payment QR page comes first; without one, the hall's
// receipt.payment_url counts, the one in the site's file, not the default.
func TestPaymentURL(t *testing.T) {
	c, err := Parse([]byte("[kiosk]\ndemo = true\n[receipt]\npayment_url = \"https://einvoice.hall.gov.cn/r/{ref}\"\n"+
		"[utilities.gas]\npayment_url = \"https://gas.example.cn/e/{ref}\"\n"), "kiosk.toml")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"electricity": "https://einvoice.hall.gov.cn/r/{ref}", "gas": "https://gas.example.cn/e/{ref}"} {
		if got := c.PaymentURL(id); got != want {
			t.Errorf("PaymentURL(%s) = %q, want %q", id, got, want)
		}
	}
}

// A kiosk's code in its references is ref_code when given, otherwise derived from its ID:
// the same ID always gives the same code (32-bit FNV-1a of the ID, modulo 1000), and
// other IDs (very likely) another.
func TestKioskCode(t *testing.T) {
	for _, c := range []struct {
		kiosk Kiosk
		want  string
	}{
		{Kiosk{ID: "LZH-TAIHE-01", RefCode: "017"}, "017"},
		{Kiosk{ID: "LZH-TAIHE-01"}, "819"},
		{Kiosk{ID: "LZH-TAIHE-02"}, "438"},
		{Kiosk{ID: "LZH-DEMO-01"}, "245"},
	} {
		if got := c.kiosk.Code(); got != c.want {
			t.Errorf("%+v: code %q, want %q", c.kiosk, got, c.want)
		}
	}
}

// A declared application-number format matches whole numbers, letters in either case;
// a utility that declares none has none (NumberFormat nil: it is asked of every
// number). The defaults' formats are the simulator's: a file in demo mode keeps them, a
// hall's file has only those it gives.
func TestApplicationNumber(t *testing.T) {
	u := Utility{ApplicationNumber: "DL[0-9]{4}"}
	f, err := u.NumberFormat()
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"DL2611": true, "dl2611": true, "DL26110": false, "XDL2611": false, "DL261": false, "": false} {
		if got := f.MatchString(n); got != want {
			t.Errorf("%q matches %q: %v, want %v", u.ApplicationNumber, n, got, want)
		}
	}
	if f, err := (&Utility{}).NumberFormat(); f != nil || err != nil {
		t.Errorf("no format declared: %v, %v", f, err)
	}
	hall := "[kiosk]\ndemo = false\n[devices.idcard]\nport = \"/dev/ttyUSB0\"\n[devices.printer]\nport = \"/dev/ttyUSB1\"\n[devices.scanner]\nenabled = false\n"
	for _, id := range UtilityIDs {
		hall += "[utilities." + id + "]\nbase_url = \"https://" + id + ".example.cn/v1\"\n"
	}
	for _, tc := range []struct {
		name, src string
		want      map[string]string
	}{
		{"defaults", "", map[string]string{"electricity": "^DL(GH)?[0-9]{11}$", "water": "^SS(GH)?[0-9]{11}$", "gas": "^RQ(GH)?[0-9]{11}$", "broadband": "^KD(GH)?[0-9]{11}$"}},
		{"a file in demo mode", "[kiosk]\ndemo = true\n[utilities.gas]\napplication_number = \"^RQ[0-9]{3}$\"\n",
			map[string]string{"electricity": "^DL(GH)?[0-9]{11}$", "gas": "^RQ[0-9]{3}$"}},
		{"a hall's file", strings.Replace(hall, "[utilities.water]\n", "[utilities.water]\napplication_number = \"^SW[0-9]{10}$\"\n", 1),
			map[string]string{"electricity": "", "water": "^SW[0-9]{10}$", "gas": "", "broadband": ""}},
	} {
		c := Defaults()
		if tc.src != "" {
			if c, err = Parse([]byte(tc.src), "k.toml"); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		for id, want := range tc.want {
			if u, _ := c.Utilities.ByID(id); u.ApplicationNumber != want {
				t.Errorf("%s: %s's application_number %q, want %q", tc.name, id, u.ApplicationNumber, want)
			}
		}
	}
}

func TestEndpointAllowed(t *testing.T) {
	u := Utility{EndpointHosts: []string{"Kiosk-API2.power.example.cn", "*.dc2.power.example.cn", "10.0.3.9"}}
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"kiosk-api.power.example.cn", true}, // the configured host, on any port
		{"KIOSK-API.power.example.cn.", true},
		{"kiosk-api2.power.example.cn", true},
		{"a.dc2.power.example.cn", true},
		{"x.y.dc2.power.example.cn", true},
		{"dc2.power.example.cn", false}, // *. is the hosts under the domain, not the domain
		{"evil-dc2.power.example.cn", false},
		{"power.example.cn", false},
		{"kiosk-api.power.example.cn.evil.cn", false},
		{"10.0.3.9", true},
		{"10.0.3.90", false},
	} {
		if got := u.EndpointAllowed(tc.host, "kiosk-api.power.example.cn"); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.host, got, tc.want)
		}
	}
	if (&Utility{}).EndpointAllowed("kiosk-api2.power.example.cn", "kiosk-api.power.example.cn") {
		t.Error("with no endpoint_hosts, another host of the same domain is allowed")
	}
}
