package sim

import (
	"bytes"
	"context"
	"flag"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"go.bug.st/serial"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/liangzihu/kiosk/devices/sim/simtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Stream builders, written out by hand so that the emulator is checked against the
// ESC/POS reference, not against the project's own document builder.

func gb(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	escInit    = []byte{0x1B, 0x40}
	fsChinese  = []byte{0x1C, 0x26}
	lf         = []byte{0x0A}
	cutPartial = []byte{0x1D, 0x56, 0x42, 0x00}
)

func nativeQR(data string, module, ec byte) []byte {
	n := len(data) + 3
	return cat(
		[]byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00},
		[]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, module},
		[]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, ec},
		[]byte{0x1D, 0x28, 0x6B, byte(n), byte(n >> 8), 0x31, 0x50, 0x30}, []byte(data),
		[]byte{0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30},
	)
}

func rasterQR(t *testing.T, data string, module int) []byte {
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	w := len(bm) * module
	bpr := (w + 7) / 8
	out := []byte{0x1D, 0x76, 0x30, 0x00, byte(bpr), byte(bpr >> 8), byte(w), byte(w >> 8)}
	for y := 0; y < w; y++ {
		row := make([]byte, bpr)
		for x := 0; x < w; x++ {
			if bm[y/module][x/module] {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		out = append(out, row...)
	}
	return out
}

// featureStream uses every command the kiosk's receipts send, plus a few they do not.
func featureStream(t *testing.T) []byte {
	return cat(escInit, fsChinese,
		[]byte{0x1B, 0x61, 0x01, 0x1D, 0x21, 0x11}, gb("水电气网"), lf,
		[]byte{0x1D, 0x21, 0x01, 0x1B, 0x45, 0x01}, gb("缴费凭条"), lf,
		[]byte{0x1D, 0x21, 0x00, 0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00}, []byte(strings.Repeat("-", 48)), lf,
		gb("户名      张*"), lf,
		gb("缴费金额  ￥128.50"), lf,
		[]byte{0x1B, 0x2D, 0x01}, []byte("Underline 0123456789 gjpqy"), lf, []byte{0x1B, 0x2D, 0x00},
		[]byte{0x1B, 0x45, 0x01}, []byte("Bold ABC"), []byte{0x1B, 0x45, 0x00}, []byte(" normal"), lf,
		[]byte{0x1B, 0x61, 0x02}, gb("右对齐"), lf,
		[]byte{0x1D, 0x42, 0x01}, gb(" 反白 "), []byte{0x1D, 0x42, 0x00}, lf,
		[]byte{0x1B, 0x21, 0x38}, []byte("ESC!"), []byte{0x1B, 0x21, 0x00}, lf,
		[]byte{0x1B, 0x61, 0x01}, lf, nativeQR("https://pay.example.cn/r/20261125173012000123", 6, 0x31), lf,
		rasterQR(t, "https://track.example.cn/a/LZH1", 4), lf,
		[]byte{0x1B, 0x64, 0x02},
		gb("生僻：堃喆 缺字：\u4DB5"), lf,
		cutPartial,
	)
}

func TestRenderFeatures(t *testing.T) {
	imgs := RenderESCPOS(featureStream(t), 576, false)
	if len(imgs) != 1 {
		t.Fatalf("%d printouts", len(imgs))
	}
	simtest.Golden(t, filepath.Join("testdata", "render-features-80mm.png"), imgs[0], *update)
	got := simtest.DecodeQRs(imgs[0])
	want := []string{"https://pay.example.cn/r/20261125173012000123", "https://track.example.cn/a/LZH1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("decoded %q, want %q", got, want)
	}
}

func TestNativeQRDecodes(t *testing.T) {
	for _, dots := range []int{576, 384} {
		for _, ec := range []byte{0x30, 0x31, 0x32, 0x33} {
			for _, module := range []byte{3, 6, 8} {
				data := "https://track.example.cn/a/LZH20261125000123"
				imgs := RenderESCPOS(cat(escInit, []byte{0x1B, 0x61, 0x01}, lf, nativeQR(data, module, ec), lf, cutPartial), dots, false)
				if got := simtest.DecodeQRs(imgs[0]); len(got) != 1 || got[0] != data {
					t.Errorf("%d dots, EC %c, module %d: decoded %q", dots, ec, module, got)
				}
			}
		}
	}
}

// A printer prints nothing for a QR code wider than the paper, with no data, or of a
// model it does not draw; the emulator too.
func TestNativeQRPrintsNothing(t *testing.T) {
	long := strings.Repeat("a", 600) // version 19 at M: 93 modules
	for name, s := range map[string][]byte{
		"too wide": nativeQR(long, 5, 0x31), // 465 dots > 384
		"no data":  {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30},
		"model 1":  cat([]byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x31, 0x00}, nativeQR("x", 4, 0x30)[9:]),
	} {
		imgs := RenderESCPOS(cat(escInit, s, cutPartial), 384, false)
		if len(imgs) != 1 || !blank(imgs[0]) {
			t.Errorf("%s: something was printed", name)
		}
	}
	// The same long symbol fits 576 dots.
	imgs := RenderESCPOS(cat(escInit, nativeQR(long, 5, 0x31), cutPartial), 576, false)
	if blank(imgs[0]) {
		t.Error("a 465-dot symbol did not print on 576 dots")
	}
}

func blank(img *image.Paletted) bool {
	for _, p := range img.Pix {
		if p != 0 {
			return false
		}
	}
	return true
}

// Every command the emulator does not draw is skipped by its length: text after it
// prints exactly as if it were not there.
func TestUnknownCommandsSkipped(t *testing.T) {
	base := RenderESCPOS(cat(escInit, fsChinese, []byte("AB"), gb("水"), lf, cutPartial), 576, false)[0]
	for name, cmd := range map[string][]byte{
		"ESC * 24-dot image":     cat([]byte{0x1B, 0x2A, 33, 3, 0}, bytes.Repeat([]byte{0x41}, 9)),
		"GS ( L graphics":        cat([]byte{0x1D, 0x28, 0x4C, 5, 0}, []byte("ABCDE")),
		"GS 8 L graphics":        cat([]byte{0x1D, 0x38, 0x4C, 3, 0, 0, 0}, []byte("ABC")),
		"GS k barcode (NUL)":     cat([]byte{0x1D, 0x6B, 0x04}, []byte("ABC123"), []byte{0}),
		"GS k barcode (length)":  cat([]byte{0x1D, 0x6B, 0x49, 4}, []byte("{B12")),
		"GS ( k PDF417":          cat([]byte{0x1D, 0x28, 0x6B, 4, 0, 0x30, 0x41, 0x41, 0x41}),
		"FS q NV image":          cat([]byte{0x1C, 0x71, 1, 1, 0, 1, 0}, bytes.Repeat([]byte{0x41}, 8)),
		"FS 2 user hanzi":        cat([]byte{0x1C, 0x32, 0xFE, 0xA1}, bytes.Repeat([]byte{0x41}, 72)),
		"ESC D tabs":             {0x1B, 0x44, 8, 16, 0},
		"ESC & user chars":       cat([]byte{0x1B, 0x26, 3, 0x41, 0x42, 2}, bytes.Repeat([]byte{0x41}, 6), []byte{1, 0x41, 0x41, 0x41}),
		"DLE DC4 clear":          {0x10, 0x14, 0x08, 1, 3, 20, 1, 6, 2, 8},
		"DLE EOT in stream":      {0x10, 0x04, 0x01},
		"GS r":                   {0x1D, 0x72, 0x01},
		"GS a ASB":               {0x1D, 0x61, 0xFF},
		"ESC c 5 panel":          {0x1B, 0x63, 0x35, 0x01},
		"ESC p drawer":           {0x1B, 0x70, 0, 50, 50},
		"ESC t code page":        {0x1B, 0x74, 0x10},
		"FS ( A":                 cat([]byte{0x1C, 0x28, 0x41, 2, 0, 0x30, 0x41}),
		"unknown ESC":            {0x1B, 0x01},
		"GS * downloaded image":  cat([]byte{0x1D, 0x2A, 1, 1}, bytes.Repeat([]byte{0x41}, 8)),
		"GS ( H process ID":      cat([]byte{0x1D, 0x28, 0x48, 6, 0, 0x30, 0x30}, []byte("ABCD")),
		"stray control bytes":    {0x00, 0x07, 0x0D, 0x7F},
		"QR settings, no print":  {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x05},
		"bad QR size is ignored": {0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x40},
	} {
		s := cat(escInit, fsChinese, []byte("A"), cmd, []byte("B"), gb("水"), lf, cutPartial)
		got := RenderESCPOS(s, 576, false)
		if len(got) != 1 || !simtest.SameImage(got[0], base) {
			t.Errorf("%s: the text around it printed differently", name)
		}
	}
}

// Without FS & after ESC @ the emulator (in single-byte mode at power-on) prints the
// GB bytes as code-page characters, as a printer in that mode would.
func TestChineseModeRequired(t *testing.T) {
	with := RenderESCPOS(cat(escInit, fsChinese, gb("水电"), lf, cutPartial), 576, false)[0]
	without := RenderESCPOS(cat(escInit, gb("水电"), lf, cutPartial), 576, false)[0]
	if simtest.SameImage(with, without) {
		t.Fatal("Chinese mode makes no difference")
	}
	poweredOn := RenderESCPOS(cat(escInit, gb("水电"), lf, cutPartial), 576, true)[0]
	if !simtest.SameImage(with, poweredOn) {
		t.Fatal("a printer in Chinese mode at power-on should print hanzi without FS &")
	}
}

// openEmulated starts an emulated printer and opens its port like a driver would.
func openEmulated(t *testing.T, opt PrinterOptions) (*Printer, serial.Port) {
	t.Helper()
	opt.Link = filepath.Join(t.TempDir(), "ttyPRN")
	p, err := StartPrinter(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	port, err := serial.Open(p.Path(), &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return p, port
}

// readN collects what the printer sends until n bytes came or d passed.
func readN(t *testing.T, port serial.Port, n int, d time.Duration) []byte {
	t.Helper()
	port.SetReadTimeout(20 * time.Millisecond)
	var out []byte
	buf := make([]byte, 64)
	for end := time.Now().Add(d); len(out) < n && time.Now().Before(end); {
		k, err := port.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:k]...)
	}
	return out
}

func TestEmulatorStatusReplies(t *testing.T) {
	p, port := openEmulated(t, PrinterOptions{})
	query := []byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4}
	for _, tc := range []struct {
		name  string
		state PrinterState
		want  []byte
	}{
		{"ready", PrinterState{}, []byte{0x12, 0x12, 0x12, 0x12}},
		{"cover open", PrinterState{CoverOpen: true}, []byte{0x1A, 0x16, 0x12, 0x12}},
		{"paper end", PrinterState{PaperEnd: true, PaperNearEnd: true}, []byte{0x1A, 0x32, 0x12, 0x7E}},
		{"near end", PrinterState{PaperNearEnd: true}, []byte{0x12, 0x12, 0x12, 0x1E}},
		{"cutter", PrinterState{CutterError: true}, []byte{0x1A, 0x52, 0x1A, 0x12}},
		{"unrecoverable", PrinterState{Unrecoverable: true}, []byte{0x1A, 0x52, 0x32, 0x12}},
		{"overheat", PrinterState{Overheat: true}, []byte{0x1A, 0x52, 0x52, 0x12}},
	} {
		p.SetState(tc.state)
		if _, err := port.Write(query); err != nil {
			t.Fatal(err)
		}
		got := readN(t, port, len(tc.want), 5*time.Second)
		got = append(got, readN(t, port, 1, 50*time.Millisecond)...) // nothing more
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: % X, want % X", tc.name, got, tc.want)
		}
	}
	p.SetState(PrinterState{})
	// GS r is answered in turn, after what precedes it is printed.
	port.Write(cat(escInit, []byte("x"), lf, []byte{0x1D, 0x72, 0x01}))
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x00}) {
		t.Errorf("GS r 1: % X", got)
	}
	p.SetFaults(PrinterFaults{NoAnswer: true})
	port.Write(cat(query, []byte{0x1D, 0x72, 0x01}))
	if got := readN(t, port, 1, 300*time.Millisecond); len(got) != 0 {
		t.Errorf("no-answer fault answered % X", got)
	}
}

// A printer off line with a full buffer drops what it cannot hold, sends XOFF when it
// goes off line and XON when it takes data again, and then prints what it kept.
func TestEmulatorBufferAndXonXoff(t *testing.T) {
	p, port := openEmulated(t, PrinterOptions{Buffer: 64, XonXoff: true})
	p.SetState(PrinterState{CoverOpen: true})
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x13}) {
		t.Fatalf("going off line sent % X, want XOFF", got)
	}
	data := cat(escInit, bytes.Repeat([]byte("0123456789"), 10))
	port.Write(data)
	deadline := time.Now().Add(2 * time.Second)
	for st := p.Stats(); st.Accepted+st.Dropped < len(data); st = p.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := p.Stats(); st.Accepted != 64 || st.Dropped != len(data)-64 {
		t.Fatalf("stats %+v", st)
	}
	p.SetState(PrinterState{})
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x11}) {
		t.Fatalf("coming back on line sent % X, want XON", got)
	}
	port.Write([]byte{0x0A, 0x1D, 0x56, 0x42, 0x00})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.WaitCuts(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := p.LastReceiptPNG(); err != nil {
		t.Fatal(err)
	}
}

// Paper runs out after N lines: those print, the rest waits in the buffer; with new
// paper it prints on. Current shows the unfinished receipt.
func TestEmulatorPaperOut(t *testing.T) {
	p, port := openEmulated(t, PrinterOptions{})
	if _, err := p.LastReceiptPNG(); err != ErrNoPrintout {
		t.Fatalf("before any receipt: %v", err)
	}
	p.SetFaults(PrinterFaults{PaperOutAfterLines: 3, NearEndAfterLines: 2})
	port.Write(cat(escInit, bytes.Repeat([]byte("line\n"), 6), cutPartial))
	deadline := time.Now().Add(2 * time.Second)
	for !p.State().PaperEnd {
		if time.Now().After(deadline) {
			t.Fatal("paper did not run out")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s := p.State(); !s.PaperNearEnd {
		t.Fatalf("state %+v", s)
	}
	deadline = time.Now().Add(2 * time.Second)
	for p.Current().Bounds().Dy() != 3*30+48 {
		if time.Now().After(deadline) {
			t.Fatalf("unfinished receipt is %d dots long, want 3 lines", p.Current().Bounds().Dy())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p.Stats().Cuts != 0 {
		t.Fatal("cut without paper")
	}
	p.LoadPaper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.WaitCuts(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The old roll's three lines are torn off; the other three print on the new roll.
	outs := p.Printouts()
	if len(outs) != 2 || !outs[0].Torn || outs[1].Torn {
		t.Fatalf("%d printouts", len(outs))
	}
	for _, po := range outs {
		if got := po.Image.Bounds().Dy(); got != 3*30+48 {
			t.Fatalf("printout is %d dots long, want 3 lines", got)
		}
	}
}

// Close returns while a driver still holds the port open, and leaves no goroutine behind.
func TestEmulatorCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 3 {
		p, err := StartPrinter(PrinterOptions{Speed: 10})
		if err != nil {
			t.Fatal(err)
		}
		port, err := serial.Open(p.Path(), &serial.Mode{BaudRate: 115200})
		if err != nil {
			t.Fatal(err)
		}
		port.Write(cat(escInit, bytes.Repeat([]byte("slow line\n"), 20)))
		time.Sleep(20 * time.Millisecond)
		done := make(chan error, 1)
		go func() { done <- p.Close() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close hangs")
		}
		port.Close()
	}
	for end := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(end) {
			t.Fatalf("%d goroutines before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Faults of the line rather than the paper: status replies garbled (no fixed bits, so
// a driver can tell them from any reply), and XOFF held by a printer whose status says
// it is well; it still prints what it holds, and sends XON once the fault clears.
func TestEmulatorLineFaults(t *testing.T) {
	p, port := openEmulated(t, PrinterOptions{XonXoff: true})
	p.SetFaults(PrinterFaults{GarbledStatus: true})
	port.Write([]byte{0x10, 0x04, 1, 0x10, 0x04, 4})
	got := readN(t, port, 2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("garbled status: % X, want two bytes", got)
	}
	for _, b := range got {
		if b&0x93 == 0x12 || b&0x90 == 0 || b == 0x11 || b == 0x13 {
			t.Fatalf("garbled status byte %02X reads as a reply", b)
		}
	}
	p.SetFaults(PrinterFaults{HoldXOFF: true})
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x13}) {
		t.Fatalf("holding XOFF sent % X", got)
	}
	port.Write(cat(escInit, []byte("x"), lf, cutPartial, []byte{0x10, 0x04, 1}))
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x12}) {
		t.Fatalf("status while holding XOFF: % X, want on line", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.WaitCuts(ctx, 1); err != nil {
		t.Fatalf("holding XOFF, the printer stopped printing: %v", err)
	}
	if f := p.Faults(); !f.HoldXOFF {
		t.Fatalf("faults %+v", f)
	}
	p.SetFaults(PrinterFaults{})
	if got := readN(t, port, 1, 5*time.Second); !bytes.Equal(got, []byte{0x11}) {
		t.Fatalf("releasing XOFF sent % X", got)
	}
}

// Unplugged, the printer's link goes and the driver's port fails; the printer prints
// on what it holds. Plugged back in at the same link it answers again, and sends XOFF
// again if it still cannot take data.
func TestEmulatorUnplugReplug(t *testing.T) {
	p, port := openEmulated(t, PrinterOptions{XonXoff: true, Speed: 50})
	link := p.Path()
	port.Write(cat(escInit, bytes.Repeat([]byte("line\n"), 10), cutPartial))
	for start := time.Now(); p.Stats().Accepted == 0; time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the printer took nothing")
		}
	}
	if err := p.Unplug(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("the link is still there: %v", err)
	}
	port.SetReadTimeout(time.Second)
	if _, err := port.Read(make([]byte, 8)); err == nil {
		if _, err := port.Write([]byte{0x10, 0x04, 1}); err == nil {
			t.Fatal("the port still works once the printer is unplugged")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.WaitCuts(ctx, 1); err != nil {
		t.Fatalf("unplugged, the printer stopped printing: %v", err)
	}
	p.SetState(PrinterState{CoverOpen: true})
	if err := p.Replug(); err != nil {
		t.Fatal(err)
	}
	port2, err := serial.Open(link, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port2.Close()
	// The XOFF sent as it came back may be lost if it came before the port opened.
	port2.Write([]byte{0x10, 0x04, 2})
	got := readN(t, port2, 2, 5*time.Second)
	got = bytes.TrimPrefix(got, []byte{0x13})
	if len(got) == 0 || got[0] != 0x16 {
		t.Fatalf("status after replug: % X, want cover open", got)
	}
}
