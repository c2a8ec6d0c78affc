package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/devices/sim"
	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

func kioskctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// `receipt sample` writes the same bytes as the receipt package's golden file, says how
// many, and draws a picture whose QR codes decode to the receipt's URLs: the payment's
// one; the joint acceptance's one a section, for the part's own number, or the kiosk's
// for the part not answered yet (gas), and none for the 联办编号.
func TestReceiptSample(t *testing.T) {
	pay := []string{"https://pay.example.cn/r/20261125173012000123"}
	accept := []string{"https://track.example.cn/a/DL202611250088", "https://track.example.cn/a/SS20261125-017",
		"https://track.example.cn/a/" + receipt.SampleGasRef}
	for _, tc := range []struct {
		kind   string
		args   []string
		golden string
		qr     []string
	}{
		{"payment", nil, "payment-80mm", pay},
		{"payment", []string{"--profile", "58mm", "--raster-qr"}, "payment-58mm-raster", pay},
		{"payment", []string{"--profile", "80mm", "--raster-qr"}, "payment-80mm-raster", pay},
		{"acceptance", nil, "acceptance-80mm", accept},
		{"acceptance", []string{"--profile", "58mm"}, "acceptance-58mm", accept},
	} {
		dir := t.TempDir()
		bin, pic := filepath.Join(dir, "r.bin"), filepath.Join(dir, "r.png")
		args := append([]string{"receipt", "sample", tc.kind, "--escpos", bin, "--png", pic}, tc.args...)
		code, out, errs := kioskctl(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s%s", tc.golden, code, out, errs)
		}
		got, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "app", "receipt", "testdata", tc.golden+".escpos"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || !strings.Contains(out, fmt.Sprintf(": %d bytes", len(want))) {
			t.Fatalf("%s: %d bytes, golden %d (%s)", tc.golden, len(got), len(want), out)
		}
		f, err := os.Open(pic)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if qr := simtest.DecodeQRs(img); !slices.Equal(qr, tc.qr) {
			t.Fatalf("%s: QR %q, want %q", tc.golden, qr, tc.qr)
		}
	}
}

func TestReceiptUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"receipt", "sample", "payment"},
		{"receipt", "sample", "--png", filepath.Join(dir, "x.png")},
		{"receipt", "sample", "invoice", "--png", filepath.Join(dir, "x.png")},
		{"receipt", "render", "--escpos", "x"},
		{"receipt", "print", "--sample", "payment"},
		{"receipt", "status"},
	} {
		if code, _, _ := kioskctl(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A flag's value that names nothing is a mistake on the command line too.
	if code, _, errs := kioskctl(t, "receipt", "sample", "payment", "--png", filepath.Join(dir, "x.png"), "--profile", "76mm"); code != 2 || !strings.Contains(errs, "76mm") {
		t.Errorf("bad profile: exit %d, want 2 (%q)", code, errs)
	}
}

// `receipt render` draws a stream with two receipts as two pictures, the same as
// `receipt sample` drew them.
func TestReceiptRender(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"payment", "progress"} {
		if code, out, errs := kioskctl(t, "receipt", "sample", kind, "--escpos", filepath.Join(dir, kind+".bin"), "--png", filepath.Join(dir, kind+".png")); code != 0 {
			t.Fatalf("exit %d: %s%s", code, out, errs)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "payment.bin"))
	b, _ := os.ReadFile(filepath.Join(dir, "progress.bin"))
	os.WriteFile(filepath.Join(dir, "both.bin"), append(a, b...), 0o644)
	out := filepath.Join(dir, "both.png")
	if code, o, errs := kioskctl(t, "receipt", "render", "--escpos", filepath.Join(dir, "both.bin"), "--png", out); code != 0 {
		t.Fatalf("exit %d: %s%s", code, o, errs)
	}
	for _, pair := range [][2]string{{out, "payment.png"}, {filepath.Join(dir, "both-2.png"), "progress.png"}} {
		got, _ := os.ReadFile(pair[0])
		want, _ := os.ReadFile(filepath.Join(dir, pair[1]))
		if len(got) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s", pair[0], pair[1])
		}
		// A capture is a citizen's receipt: others may not read its pictures.
		if st, err := os.Stat(pair[0]); err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: others may read it (%v)", pair[0], err)
		}
	}
}

// A stream longer than any receipt's (a device or a pipe named by mistake, which never
// ends, or waits for a writer) is refused at once, not read until the memory runs out.
func TestReceiptStreamTooLong(t *testing.T) {
	long := filepath.Join(t.TempDir(), "long.bin")
	if err := os.WriteFile(long, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(long, maxStream+1); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"receipt", "render", "--escpos", long, "--png", filepath.Join(t.TempDir(), "x.png")},
		{"receipt", "render", "--escpos", "/dev/zero", "--png", filepath.Join(t.TempDir(), "x.png")},
		{"receipt", "print", "--escpos", long, "--port", "/dev/null"},
	} {
		if code, _, errs := kioskctl(t, args...); code != 1 || !strings.Contains(errs, "no receipt's byte stream") {
			t.Errorf("%v: exit %d, want 1: %q", args, code, errs)
		}
	}
}

// `receipt status` and `receipt print` talk to a printer on a serial port: here the
// emulator on a pty.
func TestReceiptPrintAndStatus(t *testing.T) {
	p, err := sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(t.TempDir(), "ttyPRN")})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if code, out, errs := kioskctl(t, "receipt", "status", "--port", p.Path()); code != 0 || !strings.Contains(out, "正常") {
		t.Fatalf("status: exit %d: %s%s", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "receipt", "print", "--port", p.Path(), "--sample", "testpage"); code != 0 {
		t.Fatalf("print: exit %d: %s%s", code, out, errs)
	}
	if n := p.Stats().Cuts; n != 1 {
		t.Fatalf("%d receipts printed", n)
	}
	p.SetState(sim.PrinterState{CoverOpen: true})
	code, out, _ := kioskctl(t, "receipt", "status", "--port", p.Path())
	if code != 1 || !strings.Contains(out, "纸仓盖打开") || !strings.Contains(out, "请合上纸仓盖") {
		t.Fatalf("cover open: exit %d: %s", code, out)
	}
	code, out, _ = kioskctl(t, "receipt", "print", "--port", p.Path(), "--sample", "payment")
	if code != 1 || !strings.Contains(out, "纸仓盖") {
		t.Fatalf("print with the cover open: exit %d: %s", code, out)
	}
}
