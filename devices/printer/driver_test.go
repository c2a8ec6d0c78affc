package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/devices/serialport"
	"github.com/liangzihu/kiosk/devices/sim"
)

// go.bug.st/serial's port is a Port.
var _ Port = serial.Port(nil)

// rig is the driver on one end of a pty and the emulated printer on the other.
type rig struct {
	sim *sim.Printer
	drv *Printer
}

func newRig(t *testing.T, so sim.PrinterOptions, prof Profile, opt Options) *rig {
	t.Helper()
	return newRigOver(t, openSerial, so, prof, opt)
}

// A way to open the printer's port: go.bug.st/serial directly (as kioskctl does), or
// devices/serialport through OverSerialPort (as the kiosk does).
type openPort func(t *testing.T, path string, baud int) Port

func openSerial(t *testing.T, path string, baud int) Port {
	t.Helper()
	port, err := serial.Open(path, &serial.Mode{BaudRate: baud})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return port
}

func openKioskPort(t *testing.T, path string, baud int) Port {
	t.Helper()
	port, err := serialport.Open(path, serialport.Mode{Baud: baud})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return OverSerialPort(port)
}

func newRigOver(t *testing.T, open openPort, so sim.PrinterOptions, prof Profile, opt Options) *rig {
	t.Helper()
	so.Link = filepath.Join(t.TempDir(), "ttyPRN")
	so.Dots = prof.Dots
	sp, err := sim.StartPrinter(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	port := open(t, sp.Path(), prof.Baud)
	if opt.StallTimeout == 0 {
		opt.StallTimeout = time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	drv, err := New(port, prof, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{sim: sp, drv: drv}
}

// longJob is about 4 KB: numbered lines of mixed text, a native QR and a cut.
func longJob(t *testing.T, prof Profile, lines int) *Job {
	t.Helper()
	d := NewDoc(prof)
	d.Align(Center)
	d.Size(2, 2)
	d.Line("流控测试")
	d.Reset()
	for i := 1; i <= lines; i++ {
		if i%10 == 0 {
			d.Bold(true)
		}
		d.Rows(Row{fmt.Sprintf("第%03d行", i), "水电气网联办 ABCdef 0123456789"})
		d.Bold(false)
	}
	d.QR("https://track.example.cn/a/FLOW-TEST", QROptions{})
	d.Cut()
	job, err := d.Job()
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// samePicture compares the emulator's printout with the offline rendering of the job.
func samePicture(t *testing.T, got *image.Paletted, job *Job, dots int) {
	t.Helper()
	want := sim.RenderESCPOS(job.Data, dots, false)
	if len(want) != 1 {
		t.Fatalf("offline rendering gives %d pictures", len(want))
	}
	if !got.Bounds().Eq(want[0].Bounds()) || !bytes.Equal(got.Pix, want[0].Pix) {
		t.Fatalf("printed picture %v differs from the job's rendering %v", got.Bounds(), want[0].Bounds())
	}
}

func TestStatusThroughPTY(t *testing.T) {
	prof := mustProfile(t, "80mm")
	r := newRig(t, sim.PrinterOptions{}, prof, Options{})
	for _, tc := range []struct {
		name  string
		state sim.PrinterState
		want  error
		check func(Status) bool
	}{
		{"ready", sim.PrinterState{}, nil, func(s Status) bool { return s.Known && s.Online }},
		{"near end", sim.PrinterState{PaperNearEnd: true}, nil, func(s Status) bool { return s.PaperNearEnd }},
		{"paper out", sim.PrinterState{PaperEnd: true}, ErrPaperOut, func(s Status) bool { return !s.Online }},
		{"cover open", sim.PrinterState{CoverOpen: true}, ErrCoverOpen, func(s Status) bool { return !s.Online }},
		{"cutter", sim.PrinterState{CutterError: true}, ErrCutter, nil},
		{"unrecoverable", sim.PrinterState{Unrecoverable: true}, ErrUnrecoverable, nil},
		{"overheat", sim.PrinterState{Overheat: true}, ErrOverheat, nil},
		{"offline", sim.PrinterState{Offline: true}, ErrOffline, nil},
	} {
		r.sim.SetState(tc.state)
		st, err := r.drv.Ready(ctxT(t, 5*time.Second))
		if err != tc.want {
			t.Errorf("%s: %v, want %v (%s)", tc.name, err, tc.want, st)
		}
		if tc.check != nil && !tc.check(st) {
			t.Errorf("%s: %+v", tc.name, st)
		}
	}
	r.sim.SetState(sim.PrinterState{})
	r.sim.SetFaults(sim.PrinterFaults{NoAnswer: true})
	st, err := r.drv.Ready(ctxT(t, 5*time.Second))
	if !errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrPaperOut) || st.Known {
		t.Fatalf("no answer: %v %+v", err, st)
	}
}

func TestPrintRoundTrip(t *testing.T) {
	for _, paper := range []string{"80mm", "58mm"} {
		t.Run(paper, func(t *testing.T) {
			prof := mustProfile(t, paper)
			r := newRig(t, sim.PrinterOptions{}, prof, Options{})
			job := longJob(t, prof, 12)
			res, err := r.drv.Print(ctxT(t, 20*time.Second), job)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Complete || res.Partial() || res.Sent != len(job.Data) || res.Confirmed != len(job.Data) {
				t.Fatalf("result %+v", res)
			}
			if err := r.sim.WaitCuts(ctxT(t, 5*time.Second), 1); err != nil {
				t.Fatal(err)
			}
			samePicture(t, r.sim.Printouts()[0].Image, job, prof.Dots)
		})
	}
}

// A printer that is not ready gets no job bytes at all.
func TestNotReadyNothingSent(t *testing.T) {
	prof := mustProfile(t, "80mm")
	r := newRig(t, sim.PrinterOptions{Capture: true}, prof, Options{})
	r.sim.SetState(sim.PrinterState{CoverOpen: true})
	res, err := r.drv.Print(ctxT(t, 10*time.Second), longJob(t, prof, 3))
	if !errors.Is(err, ErrCoverOpen) || errors.Is(err, ErrPartial) || res.Sent != 0 {
		t.Fatalf("err %v, result %+v", err, res)
	}
	time.Sleep(50 * time.Millisecond) // let the emulator take in anything stray
	got := r.sim.Accepted()
	want := []byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4}
	if !bytes.Equal(got, want) {
		t.Fatalf("printer received % X, want only the status queries", got)
	}
}

func TestNoAnswerIsNotPaperOut(t *testing.T) {
	prof := mustProfile(t, "80mm")
	r := newRig(t, sim.PrinterOptions{}, prof, Options{})
	r.sim.SetFaults(sim.PrinterFaults{NoAnswer: true})
	res, err := r.drv.Print(ctxT(t, 10*time.Second), longJob(t, prof, 3))
	if !errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrPaperOut) || res.Sent != 0 || res.Before.Known {
		t.Fatalf("err %v, result %+v", err, res)
	}
}

// Paper runs out in the middle of a job: the job fails with ErrPaperOut and is known to
// be partial. With a new roll the printer finishes the old tail, and the reprint that
// follows goes through whole.
func TestPaperOutMidJob(t *testing.T) {
	for _, xon := range []bool{false, true} {
		t.Run(fmt.Sprintf("xonxoff=%v", xon), func(t *testing.T) {
			prof := mustProfile(t, "80mm")
			prof.Buffer = 512
			r := newRig(t, sim.PrinterOptions{Buffer: 1024, XonXoff: xon, Speed: 400}, prof, Options{JobTimeout: 10 * time.Second})
			r.sim.SetFaults(sim.PrinterFaults{PaperOutAfterLines: 15})
			job := longJob(t, prof, 60)
			res, err := r.drv.Print(ctxT(t, 20*time.Second), job)
			if !errors.Is(err, ErrPaperOut) || !errors.Is(err, ErrPartial) {
				t.Fatalf("err %v, want ErrPaperOut and ErrPartial", err)
			}
			var je *JobError
			if !errors.As(err, &je) || !je.Result.Partial() || res.Confirmed >= len(job.Data) || res.Sent == 0 {
				t.Fatalf("result %+v", res)
			}
			if res.After.Err() != ErrPaperOut {
				t.Fatalf("status after: %s", res.After)
			}
			if n := r.sim.Stats().Cuts; n != 0 {
				t.Fatalf("%d cuts on a job that ran out of paper", n)
			}
			// The staff loads paper; the kiosk reprints (补打). The driver first cuts off
			// the tail of the broken job, which the printer resumes on the new roll.
			r.sim.LoadPaper()
			res, err = r.drv.Print(ctxT(t, 20*time.Second), job)
			if err != nil {
				t.Fatalf("reprint: %v (%+v)", err, res)
			}
			if err := r.sim.WaitCuts(ctxT(t, 10*time.Second), 2); err != nil {
				t.Fatal(err)
			}
			// The printouts: the start of the receipt, torn off with the old roll; its
			// tail, cut off by the driver; the reprint.
			outs := r.sim.Printouts()
			if len(outs) != 3 || !outs[0].Torn || outs[1].Torn || outs[2].Torn {
				t.Fatalf("%d printouts, want the torn start, the tail and the reprint", len(outs))
			}
			samePicture(t, outs[2].Image, job, prof.Dots)
			if st := r.sim.Stats(); st.Dropped != 0 {
				t.Fatalf("%d bytes dropped", st.Dropped)
			}
		})
	}
}

// A printer that takes no more data while its status reports no error (it holds XOFF,
// or its barriers are lost to a receive buffer smaller than the profile says) fails the
// job with ErrStalled once it has made no progress for StuckTimeout, not after the
// whole JobTimeout; while it holds XOFF between jobs it is not ready. Status replies
// garbled on the line are no answer: nothing is sent.
func TestStalledPrinter(t *testing.T) {
	prof := mustProfile(t, "80mm")
	for _, tc := range []struct {
		name   string
		so     sim.PrinterOptions
		buffer int                // the profile's, 0: as it is
		stall  func(*sim.Printer) // once the job is under way
		want   error
		sent   bool // some of the job was sent
	}{
		{"XOFF held", sim.PrinterOptions{XonXoff: true, Speed: 100}, 0,
			func(p *sim.Printer) { p.SetFaults(sim.PrinterFaults{HoldXOFF: true}) }, ErrStalled, true},
		{"buffer overrun", sim.PrinterOptions{Buffer: 256, Speed: 20}, 4096, nil, ErrStalled, true},
		{"garbled status", sim.PrinterOptions{}, 0, nil, ErrGarbled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prof := prof
			if tc.buffer != 0 {
				prof.Buffer = tc.buffer
			}
			// A job of a minute would end well; a stalled one must not take that long.
			r := newRig(t, tc.so, prof, Options{JobTimeout: time.Minute})
			if tc.name == "garbled status" {
				r.sim.SetFaults(sim.PrinterFaults{GarbledStatus: true})
			}
			done := make(chan error, 1)
			go func() {
				_, err := r.drv.Print(ctxT(t, 40*time.Second), longJob(t, prof, 70))
				done <- err
			}()
			if tc.stall != nil {
				for start := time.Now(); r.sim.Stats().Accepted < 500; time.Sleep(time.Millisecond) {
					if time.Since(start) > 10*time.Second {
						t.Fatal("the job did not start")
					}
				}
				tc.stall(r.sim)
			}
			err := <-done
			if !errors.Is(err, tc.want) || errors.Is(err, ErrPartial) != tc.sent || errors.Is(err, ErrPaperOut) {
				t.Fatalf("err %v, want %v (partial %v)", err, tc.want, tc.sent)
			}
			if _, err := r.drv.Ready(ctxT(t, 5*time.Second)); !errors.Is(err, tc.want) && tc.name != "buffer overrun" {
				t.Fatalf("ready: %v, want %v", err, tc.want)
			}
			r.sim.SetFaults(sim.PrinterFaults{})
			for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
				if _, err := r.drv.Ready(ctxT(t, 5*time.Second)); err == nil {
					break
				} else if time.Since(start) > 10*time.Second {
					t.Fatalf("the fault cleared, the printer is not ready: %v", err)
				}
			}
		})
	}
}

// A jammed cutter after the last line: the receipt printed but was not cut off.
func TestCutterJam(t *testing.T) {
	prof := mustProfile(t, "80mm")
	r := newRig(t, sim.PrinterOptions{}, prof, Options{})
	r.sim.SetFaults(sim.PrinterFaults{CutterJam: true})
	res, err := r.drv.Print(ctxT(t, 10*time.Second), longJob(t, prof, 3))
	if !errors.Is(err, ErrCutter) || !res.Partial() {
		t.Fatalf("err %v, result %+v", err, res)
	}
}

// The flow-control proof: a long job through a slow printer with a small buffer that
// drops bytes on overflow. With the driver's window at the printer's buffer size, or
// with the printer sending XON/XOFF, not one byte is lost and the receipt prints
// exactly as built. Without either, the same printer loses bytes (the control case:
// this test can fail). It runs over go.bug.st/serial directly and over the kiosk's
// devices/serialport adapter, whose deadlines must still let the driver read XOFF
// without waiting.
func TestSlowSmallBufferLosesNothing(t *testing.T) {
	for _, port := range []struct {
		name string
		open openPort
	}{
		{"serial", openSerial},
		{"serialport", openKioskPort},
	} {
		t.Run(port.name, func(t *testing.T) { slowSmallBuffer(t, port.open) })
	}
}

func slowSmallBuffer(t *testing.T, open openPort) {
	for _, tc := range []struct {
		name    string
		xonxoff bool
		window  int
		lossy   bool
		baud    int
		speed   int // mm/s
		lines   int
	}{
		{"window", false, 256, false, 115200, 250, 70},
		// XON/XOFF is checked at 19200 baud: the emulated printer's receive goroutine
		// must keep up with the line for its XOFF to be as timely as a UART's, and a
		// busy CI machine delays it less in bytes at a lower rate.
		{"xonxoff", true, 4096, false, 19200, 50, 40},
		{"no flow control", false, 4096, true, 115200, 250, 70},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prof := mustProfile(t, "80mm")
			prof.Buffer = tc.window
			prof.Baud = tc.baud
			so := sim.PrinterOptions{Buffer: 256, Speed: tc.speed, XonXoff: tc.xonxoff, Capture: true, Baud: tc.baud}
			opt := Options{JobTimeout: 10 * time.Second}
			if tc.lossy {
				opt.JobTimeout = 3 * time.Second // barriers get lost too: the job cannot end well
			}
			r := newRigOver(t, open, so, prof, opt)
			job := longJob(t, prof, tc.lines)
			if len(job.Data) < 6*so.Buffer {
				t.Fatalf("job of %d bytes is not long for a %d-byte buffer", len(job.Data), so.Buffer)
			}
			res, err := r.drv.Print(ctxT(t, 30*time.Second), job)
			dropped := r.sim.Stats().Dropped
			if tc.lossy {
				if dropped == 0 {
					t.Fatalf("no byte dropped without flow control (err %v): the test cannot tell", err)
				}
				return
			}
			if err != nil || !res.Complete {
				t.Fatalf("err %v, result %+v", err, res)
			}
			if dropped != 0 {
				t.Fatalf("%d bytes dropped", dropped)
			}
			if xoffs := r.sim.Stats().XOFFs; tc.xonxoff && xoffs == 0 {
				t.Fatal("the printer never sent XOFF: the test shows nothing")
			}
			if err := r.sim.WaitCuts(ctxT(t, 10*time.Second), 1); err != nil {
				t.Fatal(err)
			}
			if !isSubsequence(job.Data, r.sim.Accepted()) {
				t.Fatal("the printer did not receive the job's bytes in order")
			}
			samePicture(t, r.sim.Printouts()[0].Image, job, prof.Dots)
		})
	}
}

func isSubsequence(sub, s []byte) bool {
	i := 0
	for _, b := range s {
		if i < len(sub) && sub[i] == b {
			i++
		}
	}
	return i == len(sub)
}

// Unplugging the printer mid-job is a port error, not a hang.
func TestUnplugged(t *testing.T) {
	prof := mustProfile(t, "80mm")
	r := newRig(t, sim.PrinterOptions{Speed: 100}, prof, Options{})
	done := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctxT(t, 20*time.Second), longJob(t, prof, 40))
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	r.sim.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a job to an unplugged printer succeeded")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the job hangs after the printer was unplugged")
	}
}
