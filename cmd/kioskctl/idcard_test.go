package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/devices/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkGolden compares got with testdata/idcard/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "idcard", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// hexLines formats a frame as a capture tool would: hex pairs, 16 to a line.
func hexLines(b []byte) string {
	var s strings.Builder
	for i, c := range b {
		fmt.Fprintf(&s, "%02X", c)
		if i%16 == 15 {
			s.WriteByte('\n')
		} else {
			s.WriteByte(' ')
		}
	}
	return s.String() + "\n"
}

func runCmd(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func fixtureFrame(t *testing.T, name string) string {
	t.Helper()
	c, ok := sim.IDCardFixture(name)
	if !ok {
		t.Fatalf("no fixture %s", name)
	}
	f, err := c.ReadReplyFrame()
	if err != nil {
		t.Fatal(err)
	}
	return hexLines(f)
}

// Every card type decodes to the JSON the issue specifies, masked by default.
func TestIDCardDecode(t *testing.T) {
	for _, name := range []string{"resident", "resident_longterm", "resident_bad_number", "gat_residence", "foreign_2017", "foreign_2023"} {
		in := fixtureFrame(t, name)
		code, out, errOut := runCmd(in, "idcard", "decode")
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errOut)
		}
		checkGolden(t, "decode_"+name+".json", out)
		code, out, _ = runCmd(in, "idcard", "decode", "--reveal")
		if code != 0 {
			t.Fatalf("%s --reveal: exit %d", name, code)
		}
		checkGolden(t, "decode_"+name+"_reveal.json", out)
	}
}

// The masked output shows no name, number, birth date or address in full.
func TestIDCardDecodeMasks(t *testing.T) {
	for _, name := range sim.IDCardFixtureNames() {
		c, _ := sim.IDCardFixture(name)
		_, out, _ := runCmd(fixtureFrame(t, name), "idcard", "decode")
		for _, secret := range []string{c.Name, c.EnglishName, c.IDNumber, c.Address, c.PassNumber, c.Birth[:4] + "-" + c.Birth[4:6]} {
			if len([]rune(secret)) > 1 && strings.Contains(out, secret) {
				t.Errorf("%s: %q shown masked output:\n%s", name, secret, out)
			}
		}
	}
}

func TestIDCardDecodeFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frame.hex")
	os.WriteFile(path, []byte(fixtureFrame(t, "foreign_2023")), 0o600)
	code, out, _ := runCmd("", "idcard", "decode", path)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	checkGolden(t, "decode_foreign_2023.json", out)
	// A flag after the file counts as one; after "--" everything is an argument.
	if code, out, errOut := runCmd("", "idcard", "decode", path, "--reveal"); code != 0 {
		t.Fatalf("--reveal after the file: exit %d, %q", code, errOut)
	} else {
		checkGolden(t, "decode_foreign_2023_reveal.json", out)
	}
	if code, _, errOut := runCmd("", "idcard", "decode", "--", "--reveal"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("a file named --reveal after --: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCmd("", "idcard", "decode", filepath.Join(t.TempDir(), "none")); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing file: exit %d, %q", code, errOut)
	}
}

// Every bad frame: exit status 1 and one line on stderr saying what is wrong.
func TestIDCardDecodeRefuses(t *testing.T) {
	resident := fixtureFrame(t, "resident")
	fields := strings.Fields(resident)
	withByte := func(i int, v string) string {
		f := append([]string(nil), fields...)
		f[i] = v
		return strings.Join(f, " ")
	}
	malformed, _ := sim.IDCardFixture("resident")
	malformed.Birth, malformed.ValidFrom = "19851315", "2020031"
	badText, err := malformed.ReadReplyFrame()
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, tc := range []struct{ name, in string }{
		{"checksum", withByte(len(fields)-1, "00")},
		{"flipped byte", withByte(100, "FF")},
		{"truncated", strings.Join(fields[:700], " ")},
		{"trailing bytes", resident + " 00"},
		{"LEN zero", "AA AA AA 96 69 00 00 00 00 90 90"},
		{"no card", "AA AA AA 96 69 00 04 00 00 80 84"},
		{"SAM fault", "AA AA AA 96 69 00 04 00 00 60 64"},
		{"unknown status", "AA AA AA 96 69 00 04 00 00 55 51"},
		{"find reply", "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"},
		{"SAM ID reply", "AA AA AA 96 69 00 14 00 00 90 05 00 01 00 A1 B7 32 01 40 E2 01 00 15 CD 5B 07 82"},
		{"other protocol", "02 00 03 32 29 FF E4 03"},
		{"command not reply", "AA AA AA 96 69 00 03 20 01 22"},
		{"not hex", "AA AA AG"},
		{"odd digits", "AA AA A"},
		{"empty", " \n"},
		{"bad text", hexLines(badText)},
	} {
		code, out, errOut := runCmd(tc.in, "idcard", "decode")
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.name, code, out, errOut)
		}
		fmt.Fprintf(&got, "%s: %s", tc.name, errOut)
	}
	checkGolden(t, "decode_errors.golden", got.String())
	if code, _, _ := runCmd("", "idcard", "decode", "a", "b"); code != 2 {
		t.Errorf("two files: exit %d", code)
	}
	if code, _, _ := runCmd("", "idcard", "decode", "--bogus"); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
}

// `idcard read` against the emulated reader on a pty.
func TestIDCardRead(t *testing.T) {
	link := filepath.Join(t.TempDir(), "ttyID")
	r, err := sim.StartIDCardReader(sim.IDCardReaderOptions{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if code, _, errOut := runCmd("", "idcard", "read", "--port", link, "--wait", "0s"); code != 1 || errOut != "kioskctl idcard read: no card on the reader (waited 0s)\n" {
		t.Fatalf("no card: exit %d, %q", code, errOut)
	}
	c, _ := sim.IDCardFixture("resident_moved")
	r.Place(c)
	code, out, errOut := runCmd("", "idcard", "read", "--port", link, "--baud", "115200")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checkGolden(t, "read_resident_moved.json", out)
	r.Remove()
	r.Place(c) // a fresh placement: find answers again
	if code, out, _ = runCmd("", "idcard", "read", "--port", link, "--reveal"); code != 0 || !strings.Contains(out, c.AppendedAddress) {
		t.Fatalf("--reveal: exit %d\n%s", code, out)
	}

	r.Inject(sim.IDCardFault{Kind: sim.FaultStatus, Status: 0x60})
	code, _, errOut = runCmd("", "idcard", "read", "--port", link)
	if code != 1 || !strings.Contains(errOut, "SAM_V自检失败") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("SAM fault: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCmd("", "idcard", "read", "--port", filepath.Join(t.TempDir(), "none"))
	if code != 1 || !strings.Contains(errOut, "读卡器未连接") {
		t.Fatalf("no reader: exit %d, %q", code, errOut)
	}
	for _, args := range [][]string{{}, {"--port"}, {"--port", link, "extra"}, {"--port", link, "--baud", "0"}} {
		if code, _, _ := runCmd("", append([]string{"idcard", "read"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
