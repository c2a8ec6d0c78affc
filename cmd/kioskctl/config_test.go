package main

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/devices/sim"
)

// `config check` passes a machine ready for its configuration and names each thing that
// is not: a serial device not there, a secret file missing or open to others, a data
// key lost after the first start; a configuration the kiosk would refuse is refused.
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	reader, err := sim.OpenPTY(filepath.Join(dir, "reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	secrets := filepath.Join(dir, "secrets")
	os.MkdirAll(secrets, 0o700)
	secret := strings.Repeat("k", 32)
	os.WriteFile(filepath.Join(secrets, "power.key"), []byte(secret), 0o600)
	os.WriteFile(filepath.Join(secrets, "water.key"), []byte(secret), 0o644)
	data := filepath.Join(dir, "data")
	// The staff socket's group: the test's own primary group, whose members the group
	// file names.
	group, err := user.LookupGroupId(strconv.Itoa(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	groupFile = filepath.Join(dir, "group")
	defer func() { groupFile = "/etc/group" }()
	if err := os.WriteFile(groupFile, []byte("other:x:4242:staff9\n"+group.Name+":x:"+group.Gid+":staff1,staff2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hall := func(printerPort, waterSecret string) string {
		return `[kiosk]
id = "LZH-TAIHE-01"
ref_code = "017"
demo = false
[devices.idcard]
port = "` + filepath.Join(dir, "reader") + `"
[devices.printer]
port = "` + printerPort + `"
[devices.scanner]
enabled = false
[utilities.electricity]
base_url = "https://kiosk-api.power.example.cn/v1"
secret_file = "` + filepath.Join(secrets, "power.key") + `"
endpoint_hosts = ["*.power.example.cn"]
[utilities.water]
base_url = "https://kiosk-api.water.example.cn/v1"
secret_file = "` + waterSecret + `"
[utilities.gas]
enabled = false
[utilities.broadband]
enabled = false
[data]
dir = "` + data + `"
`
	}
	for _, tc := range []struct {
		name   string
		config string
		before func()
		code   int
		out    []string // lines or parts of lines
		err    string
	}{
		{name: "demo", config: write("demo.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+data+"\"\n"),
			out: []string{"configuration " + dir + "/demo.toml: valid", "kiosk LZH-DEMO-01, reference code 245", "demo mode", "utility water: 梁子湖区自来水公司 (simulated), application numbers ^SS(GH)?[0-9]{11}$",
				"content bundles: from every utility, signed with its demo key, through kioskctl", "maintenance mode on the screen: the demo PIN 123456",
				"staff socket " + data + "/kiosk.sock, in the data folder: the kiosk's user and root alone (0600); staff's own accounts reach none (staff.socket_dir, staff.socket_group): ok",
				"data " + data + ": ok", "ready"}},
		{name: "a hall with a device unplugged and a secret open to others", config: write("hall.toml", hall("/dev/serial/by-id/usb-none-if00", filepath.Join(secrets, "water.key"))),
			code: 1,
			out: []string{"kiosk LZH-TAIHE-01, reference code 017", "device idcard " + dir + "/reader: ok",
				"device printer /dev/serial/by-id/usb-none-if00: PROBLEM: no such device", "device scanner: not used",
				"utility electricity: 国网梁子湖区供电公司 at https://kiosk-api.power.example.cn/v1, secret " + secrets + "/power.key, its bundles may move its calls to *.power.example.cn: ok",
				"utility water: 梁子湖区自来水公司 at https://kiosk-api.water.example.cn/v1, secret " + secrets + "/water.key: PROBLEM: utility water: secret file",
				"utility gas: not used"},
			err: "2 problem(s)"},
		{name: "a hall ready", config: write("ready.toml", hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key"))),
			out: []string{"device printer " + dir + "/reader: ok", "utility water: 梁子湖区自来水公司 at https://kiosk-api.water.example.cn/v1, secret " + secrets + "/power.key: ok",
				"content bundles: from none (no bundle_key)", "fleet: no broker (fleet.broker)", "maintenance mode on the screen: off (no staff.pin_hash", "ready"}},
		{name: "a utility that declares its application numbers' format", config: write("numbers.toml", strings.Replace(hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key")),
			"[utilities.water]", "[utilities.water]\napplication_number = \"^SS[0-9]{13}$\"", 1)),
			out: []string{"utility water: 梁子湖区自来水公司 at https://kiosk-api.water.example.cn/v1, secret " + secrets + "/power.key, application numbers ^SS[0-9]{13}$: ok",
				"utility electricity: 国网梁子湖区供电公司 at https://kiosk-api.power.example.cn/v1, secret " + secrets + "/power.key, its bundles may move its calls to *.power.example.cn: ok", "ready"}},
		{name: "a utility's CA file missing", config: write("ca.toml", strings.Replace(hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key")),
			`endpoint_hosts = ["*.power.example.cn"]`, `endpoint_hosts = ["*.power.example.cn"]`+"\nca_file = \""+filepath.Join(dir, "power-ca.pem")+"\"", 1)),
			code: 1, out: []string{"trusted under " + dir + "/power-ca.pem, its bundles may move its calls to *.power.example.cn: PROBLEM: utility electricity: ca_file: stat " + dir + "/power-ca.pem: no such file or directory"},
			err: "1 problem(s)"},
		{name: "a utility on an API this build has no adapter for", config: write("api.toml", strings.Replace(hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key")),
			"[utilities.water]", "[utilities.water]\napi = \"waterco-v2\"", 1)),
			code: 1, out: []string{"utility water: 梁子湖区自来水公司 at https://kiosk-api.water.example.cn/v1, secret " + secrets + "/power.key, through the waterco-v2 adapter: PROBLEM: utility: unknown api \"waterco-v2\"; this build knows [kiosk-v1]"},
			err: "1 problem(s)"},
		{name: "a hall's broker with a password open to others", config: write("fleet.toml", hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key"))+
			"[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\nusername = \"LZH-TAIHE-01\"\npassword_file = \""+filepath.Join(secrets, "water.key")+"\"\n"),
			code: 1, out: []string{"fleet: broker mqtts://mqtt.example.cn:8883, topics kiosk/…/LZH-TAIHE-01, as LZH-TAIHE-01 (password in " + secrets + "/water.key): PROBLEM: fleet: password file " + secrets + "/water.key is open to other users"},
			err: "1 problem(s)"},
		{name: "a hall's broker user not the kiosk's ID", config: write("fleet-user.toml", hall(filepath.Join(dir, "reader"), filepath.Join(secrets, "power.key"))+
			"[fleet]\nbroker = \"mqtts://mqtt.example.cn:8883\"\nusername = \"LZH-0107\"\npassword_file = \""+filepath.Join(secrets, "power.key")+"\"\n"),
			out: []string{"as LZH-0107 (password in " + secrets + "/power.key): ok",
				`fleet: WARNING: the user name "LZH-0107" is not kiosk.id "LZH-TAIHE-01"`, "ready"}},
		{name: "a hall whose data key was lost", config: filepath.Join(dir, "ready.toml"),
			before: func() {
				st, err := store.Open(store.Options{Dir: data})
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				os.Remove(filepath.Join(data, "data.key"))
			},
			code: 1, out: []string{"data " + data + ": PROBLEM: store: the data key file is missing"}, err: "1 problem(s)"},
		// Before, the check said ok, and the kiosk started and failed at each
		// operation that needed the bucket.
		{name: "a database without one of its buckets", config: write("bucket.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "bucket-data")+"\"\n"),
			before: func() { storetest.FileWithoutBucket(t, filepath.Join(dir, "bucket-data"), store.BucketReprints) },
			code:   1, out: []string{"data " + filepath.Join(dir, "bucket-data") + ": PROBLEM: store: the database file is damaged: " + filepath.Join(dir, "bucket-data", "kiosk.db") +
				": at schema " + strconv.Itoa(store.CurrentSchema()) + ` it lacks the bucket "reprints", which every file at schema 2 or later holds (receipts kept for reprinting); it was left as it is: restore it from a backup`},
			err: "1 problem(s)"},
		{name: "staff with PINs of their own", config: write("members.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "members-data")+"\"\n"+
			"[[staff.members]]\nid = \"0417\"\nname = \"王芳\"\npin_hash = \""+staffpin.DemoHash+"\"\n"),
			out: []string{"maintenance mode on the screen: 1 staff members, each with a 工号 and a PIN of their own", "ready"}},
		{name: "staff with accounts of their own", config: write("group.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "group-data")+"\"\n"+
			"[staff]\nsocket_dir = \""+filepath.Join(dir, "run")+"\"\nsocket_group = \""+group.Name+"\"\n"),
			out: []string{"staff socket " + filepath.Join(dir, "run", "kiosk.sock") + ": the kiosk's user, root and group " + group.Name + " (gid " + group.Gid + "; 0660, its folder 0750): " +
				"its members staff1, staff2 (" + groupFile + "), and the accounts whose primary group it is, each as themselves with kioskctl … --socket " + filepath.Join(dir, "run", "kiosk.sock") + ": ok", "ready"}},
		{name: "a socket folder of the kiosk's own", config: write("sockdir.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "sockdir-data")+"\"\n"+
			"[staff]\nsocket_dir = \""+filepath.Join(dir, "run")+"\"\n"),
			out: []string{"staff socket " + filepath.Join(dir, "run", "kiosk.sock") + ": the kiosk's user and root alone (0600, its folder 0700): ok", "ready"}},
		{name: "a socket path too long to connect to", config: write("longsock.toml", "[kiosk]\ndemo = true\n[data]\ndir = \""+filepath.Join(dir, "longsock-data")+"\"\n"+
			"[staff]\nsocket_dir = \""+filepath.Join(dir, strings.Repeat("s", 120))+"\"\n"),
			code: 1, out: []string{"its folder 0700): PROBLEM: staff: socket path " + filepath.Join(dir, strings.Repeat("s", 120), "kiosk.sock")}, err: "1 problem(s)"},
		{name: "a configuration the kiosk refuses", config: write("bad.toml", "[kiosk]\nidle_timeout = \"5s\"\n"),
			code: 1, err: "kiosk.idle_timeout: 5s is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			code, out, errs := kioskctl(t, "config", "check", "--config", tc.config)
			if code != tc.code || !strings.Contains(errs, tc.err) || tc.err == "" && errs != "" {
				t.Fatalf("exit %d, stderr %q; want %d, %q\n%s", code, errs, tc.code, tc.err, out)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
		})
	}
}
