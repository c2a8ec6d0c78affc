package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/store"
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

// Every card type decodes to the JSON the issue specifies, masked by default; in full
// with --reveal, and with --actor each card so shown journaled in the kiosk's journal
// first.
func TestIDCardDecode(t *testing.T) {
	cfg, _ := kioskWithDeadLetters(t)
	var numbers []string
	for _, name := range []string{"resident", "resident_longterm", "resident_bad_number", "gat_residence", "foreign_2017", "foreign_2023"} {
		in := fixtureFrame(t, name)
		code, out, errOut := runCmd(in, "idcard", "decode")
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errOut)
		}
		checkGolden(t, "decode_"+name+".json", out)
		// A frame's file holds the card in clear: --reveal alone shows it, as the issue
		// has it; with --actor and the kiosk, journaled first.
		code, out, errOut = runCmd(in, "idcard", "decode", "--reveal")
		if code != 0 || errOut != "" {
			t.Fatalf("%s --reveal: exit %d, %q", name, code, errOut)
		}
		checkGolden(t, "decode_"+name+"_reveal.json", out)
		code, out, errOut = runCmd(in, "idcard", "decode", "--reveal", "--actor", "staff-7", "--config", cfg)
		if code != 0 {
			t.Fatalf("%s --reveal --actor: exit %d, %q", name, code, errOut)
		}
		checkGolden(t, "decode_"+name+"_reveal.json", out)
		c, _ := sim.IDCardFixture(name)
		numbers = append(numbers, c.IDNumber)
	}
	checkRevealed(t, cfg, "idcard decode", "staff-7", numbers)
}

// checkRevealed checks that the kiosk of cfg journaled each card shown in full, in turn,
// as staff.reveal by actor (and kioskctl's own account) with the command and the card's
// holder as the keyed hash its visits are journaled under, and that its journal holds
// none of their numbers.
func checkRevealed(t *testing.T, cfg, cmd, actor string, numbers []string) {
	t.Helper()
	st, err := store.Open(store.Options{Dir: filepath.Join(filepath.Dir(cfg), "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j := journal.New(st, nil)
	evs, err := j.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []journal.Event
	for _, e := range evs {
		if e.Kind == journal.StaffReveal {
			got = append(got, e)
		}
	}
	if len(got) != len(numbers) {
		t.Fatalf("%d cards journaled as shown in full, want %d: %+v", len(got), len(numbers), got)
	}
	for i, e := range got {
		if e.Subject != j.Subject("id", numbers[i]) || !strings.HasPrefix(e.Detail, cmd+": ") || e.Actor != actingHere(actor, false) {
			t.Errorf("card %d journaled as %+v, want its holder's subject, %q and %q", i, e, cmd, actingHere(actor, false))
		}
	}
	all, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range numbers {
		if strings.Contains(string(all), n) {
			t.Errorf("the journal holds the number %s", n)
		}
	}
}

// --reveal --actor names who sees the card and the kiosk that journals it; where it
// cannot be journaled, the card is not shown at all. A kiosk named without an actor is
// refused, as --actor without --reveal.
func TestIDCardRevealJournaled(t *testing.T) {
	in := fixtureFrame(t, "resident")
	c, _ := sim.IDCardFixture("resident")
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--reveal", "--config", filepath.Join(t.TempDir(), "none.toml")}, 2, "needs --actor"},
		{[]string{"--actor", "staff-7"}, 2, "go with --reveal"},
		{[]string{"--reveal", "--actor", "staff-7", "--config", filepath.Join(t.TempDir(), "none.toml")}, 1, "none.toml"},
		{[]string{"--reveal", "--actor", "staff-7", "--socket", filepath.Join(t.TempDir(), "kiosk.sock")}, 1, "no kiosk"},
	} {
		code, out, errOut := runCmd(in, append([]string{"idcard", "decode"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.err) || strings.Contains(out, c.IDNumber) || strings.Contains(out, c.Name) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q and nothing shown", tc.args, code, out, errOut, tc.code, tc.err)
		}
	}
	// A kiosk that does not journal it (its disk full) has the card shown masked nowhere
	// and in full nowhere.
	sock := filepath.Join(t.TempDir(), staff.SocketName)
	l, err := staff.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := staff.Server(unjournaled{}, slog.New(slog.DiscardHandler))
	go srv.Serve(l) //nolint:errcheck // closed below
	defer srv.Close()
	code, out, errOut := runCmd(in, "idcard", "decode", "--reveal", "--actor", "staff-7", "--socket", sock)
	if code != 1 || out != "" || !strings.Contains(errOut, "the card is not shown in full, as the kiosk did not journal it: staff: no space left on device") {
		t.Errorf("not journaled: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// unjournaled is a running kiosk whose journal cannot be written.
type unjournaled struct{ staff.Service }

func (unjournaled) Status(context.Context) (staff.Status, error) {
	return staff.Status{Running: true}, nil
}
func (unjournaled) Kiosk(context.Context) (staff.Identity, error) {
	return staff.Identity{ID: "LZH-TEST-07"}, nil
}
func (unjournaled) Reveal(context.Context, string, string, string) error {
	return errors.New("staff: no space left on device")
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
	// On a bench (a test card, no kiosk): in full, and told that it is journaled nowhere.
	if code, out, errOut = runCmd("", "idcard", "read", "--port", link, "--reveal"); code != 0 || !strings.Contains(out, c.IDNumber) || !strings.Contains(errOut, "journaled nowhere") {
		t.Fatalf("--reveal without --actor: exit %d, %q, %q", code, out, errOut)
	}
	r.Remove()
	r.Place(c)
	cfg, _ := kioskWithDeadLetters(t)
	if code, out, errOut = runCmd("", "idcard", "read", "--port", link, "--reveal", "--actor", "staff-7", "--config", cfg); code != 0 || !strings.Contains(out, c.AppendedAddress) {
		t.Fatalf("--reveal: exit %d\n%s%s", code, out, errOut)
	}
	checkRevealed(t, cfg, "idcard read", "staff-7", []string{c.IDNumber})

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
