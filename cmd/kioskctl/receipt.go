package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/smallfile"
	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/sim"
)

const receiptSummary = "receipts: sample byte streams and pictures, render, print, printer status, 补打 of citizens' receipts"

func init() {
	register("receipt", receiptSummary, "sample", &subcommand{
		usage:   "sample payment|acceptance|progress|testpage (--escpos FILE and/or --png FILE) [--profile 80mm|58mm] [--raster-qr] [--cut full|partial|none] [--config FILE]",
		summary: "write a sample receipt as the printer's bytes and as the emulator's picture",
		run:     receiptSample,
	})
	register("receipt", receiptSummary, "render", &subcommand{
		usage:   "render --escpos IN --png OUT [--profile 80mm|58mm]",
		summary: "draw a captured ESC/POS byte stream as the printer would print it",
		run:     receiptRender,
	})
	register("receipt", receiptSummary, "print", &subcommand{
		usage:   "print --port PATH (--escpos FILE | --sample KIND) [--baud N] [--profile 80mm|58mm] [--raster-qr] [--cut full|partial|none] [--config FILE]",
		summary: "send a receipt to a printer on a serial port, checking its status before and after",
		run:     receiptPrint,
	})
	register("receipt", receiptSummary, "status", &subcommand{
		usage:   "status --port PATH [--baud N]",
		summary: "read a printer's real-time status (DLE EOT 1–4)",
		run:     receiptStatus,
	})
}

// profileFlags are the flags that select a printer profile.
type profileFlags struct {
	paper, cut string
	baud       int
	rasterQR   bool
}

func (pf *profileFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&pf.paper, "profile", "80mm", "paper width: 80mm (576 dots, 48 columns) or 58mm (384 dots, 32 columns)")
	fs.BoolVar(&pf.rasterQR, "raster-qr", false, "send QR codes as raster images (GS v 0) instead of GS ( k")
	fs.StringVar(&pf.cut, "cut", "partial", "cutter: full, partial or none")
	fs.IntVar(&pf.baud, "baud", 115200, "serial rate")
}

// profile is the profile the flags select; flags that select none are a usage error.
func (pf *profileFlags) profile() (printer.Profile, error) {
	p, err := receipt.Profile(config.Printer{Paper: pf.paper, Cut: pf.cut, Baud: pf.baud, NativeQR: !pf.rasterQR})
	if err != nil {
		return p, usageError("%v", err)
	}
	return p, nil
}

// parseWithKind parses flags around at most one argument (the receipt kind).
func parseWithKind(fs *flag.FlagSet, args []string) (string, error) {
	if err := parse(fs, args); err != nil {
		return "", err
	}
	switch fs.NArg() {
	case 0:
		return "", nil
	case 1:
		return fs.Arg(0), nil
	}
	return "", errUsage
}

// sampleJob builds one of the sample receipts with the configuration's receipt settings,
// hotlines and kiosk ID.
func sampleJob(kind, configPath string, prof printer.Profile) (*printer.Job, error) {
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, err
	}
	b, err := receipt.New(receipt.FromConfig(cfg), prof)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "payment":
		return b.Payment(receipt.SamplePayment().ForConfig(cfg))
	case "acceptance":
		return b.Acceptance(receipt.SampleAcceptance().ForConfig(cfg))
	case "progress":
		return b.Progress(receipt.SampleProgress().ForConfig(cfg))
	case "testpage":
		return b.TestPage(receipt.SampleTestPage())
	}
	return nil, fmt.Errorf("%w: unknown sample %q (payment, acceptance, progress, testpage)", errUsage, kind)
}

func receiptSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receipt sample")
	var pf profileFlags
	pf.add(fs)
	escposOut := fs.String("escpos", "", "write the printer's byte stream to this file")
	pngOut := fs.String("png", "", "write the emulator's picture to this file")
	configPath := fs.String("config", "", "kiosk configuration (receipt title and QR URL templates); default: built-in defaults")
	kind, err := parseWithKind(fs, args)
	if err != nil {
		return err
	}
	if kind == "" {
		return usageError("which sample: payment, acceptance, progress or testpage")
	}
	if *escposOut == "" && *pngOut == "" {
		return usageError("--escpos FILE, --png FILE or both")
	}
	prof, err := pf.profile()
	if err != nil {
		return err
	}
	job, err := sampleJob(kind, *configPath, prof)
	if err != nil {
		return err
	}
	if *escposOut != "" {
		if err := os.WriteFile(*escposOut, job.Data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d bytes (%s at 9600 baud, %s at 115200)\n", *escposOut, len(job.Data),
			sim.WireTime(len(job.Data), 9600).Round(time.Millisecond), sim.WireTime(len(job.Data), 115200).Round(time.Millisecond))
	}
	if *pngOut != "" {
		return writePictures(job.Data, prof.Dots, *pngOut, stdout)
	}
	return nil
}

func receiptRender(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receipt render")
	in := fs.String("escpos", "", "the byte stream (a capture, or a file written by kioskctl receipt sample --escpos)")
	out := fs.String("png", "", "the picture to write; further receipts in the stream go to OUT-2.png, ...")
	paper := fs.String("profile", "80mm", "paper width: 80mm or 58mm")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("escpos", *in), required("png", *out), noArgs(fs)); err != nil {
		return err
	}
	prof, err := printer.ProfileFor(*paper)
	if err != nil {
		return usageError("%v", err)
	}
	data, err := readStream(*in)
	if err != nil {
		return err
	}
	return writePictures(data, prof.Dots, *out, stdout)
}

// maxStream bounds a byte stream read to be drawn or printed: more than the emulator
// draws (32 printouts of 8000 dot rows, each row 72 bytes of raster at most).
const maxStream = 32 << 20

// readStream reads a byte stream from the file at path, of at most maxStream bytes.
func readStream(path string) ([]byte, error) {
	data, err := smallfile.Read(path, maxStream)
	if _, long := errors.AsType[*smallfile.TooLargeError](err); long || errors.Is(err, smallfile.ErrNotFile) {
		return nil, fmt.Errorf("%w: no receipt's byte stream", err)
	}
	return data, err
}

// writePictures renders a stream and writes one PNG per receipt in it.
func writePictures(data []byte, dots int, out string, stdout io.Writer) error {
	imgs := sim.RenderESCPOS(data, dots, false)
	if len(imgs) == 0 {
		return errors.New("the stream prints nothing")
	}
	for i, img := range imgs {
		name := out
		if i > 0 {
			name = strings.TrimSuffix(out, ".png") + fmt.Sprintf("-%d.png", i+1)
		}
		b, err := sim.EncodePNG(img)
		if err != nil {
			return err
		}
		// A captured stream is a citizen's receipt (masked name, ID number and phone,
		// their account and payment): its picture is for the user who drew it only.
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d×%d dots\n", name, img.Bounds().Dx(), img.Bounds().Dy())
	}
	return nil
}

// openPrinter opens a serial port at a baud rate and puts a driver on it.
func openPrinter(path string, prof printer.Profile) (*printer.Printer, func() error, error) {
	port, err := serial.Open(path, &serial.Mode{BaudRate: prof.Baud})
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	p, err := printer.New(port, prof, printer.Options{})
	if err != nil {
		port.Close()
		return nil, nil, err
	}
	return p, port.Close, nil
}

func receiptPrint(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receipt print")
	var pf profileFlags
	pf.add(fs)
	portPath := fs.String("port", "", "the printer's serial port")
	in := fs.String("escpos", "", "a byte stream to send as it is")
	sample := fs.String("sample", "", "a sample receipt to print: payment, acceptance, progress or testpage")
	configPath := fs.String("config", "", "kiosk configuration for samples")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("port", *portPath), noArgs(fs)); err != nil {
		return err
	}
	if (*in == "") == (*sample == "") {
		return usageError("--escpos FILE or --sample KIND, one of the two")
	}
	prof, err := pf.profile()
	if err != nil {
		return err
	}
	var job *printer.Job
	if *in != "" {
		data, err := readStream(*in)
		if err != nil {
			return err
		}
		job = printer.RawJob(data)
	} else if job, err = sampleJob(*sample, *configPath, prof); err != nil {
		return err
	}
	p, closePort, err := openPrinter(*portPath, prof)
	if err != nil {
		return err
	}
	defer closePort()
	res, err := p.Print(context.Background(), job)
	fmt.Fprintf(stdout, "before: %s\n", res.Before)
	if err != nil {
		if advice := printer.Advice(err); advice != "" {
			fmt.Fprintf(stdout, "%s\n", advice)
		}
		return err
	}
	fmt.Fprintf(stdout, "printed %d bytes; after: %s\n", res.Sent, res.After)
	return nil
}

func receiptStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receipt status")
	portPath := fs.String("port", "", "the printer's serial port")
	baud := fs.Int("baud", 115200, "serial rate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := errors.Join(required("port", *portPath), noArgs(fs)); err != nil {
		return err
	}
	prof, err := printer.ProfileFor("80mm")
	if err != nil {
		return err
	}
	prof.Baud = *baud
	p, closePort, err := openPrinter(*portPath, prof)
	if err != nil {
		return err
	}
	defer closePort()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (DLE EOT 1–4: % X)\n", st, st.Raw)
	if err := st.Err(); err != nil {
		fmt.Fprintln(stdout, printer.Advice(err))
		return err
	}
	return nil
}
