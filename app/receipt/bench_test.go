package receipt

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"go.bug.st/serial"

	"github.com/liangzihu/kiosk/devices/printer"
	"github.com/liangzihu/kiosk/devices/sim"
)

// BenchmarkSamplePayment builds the sample payment receipt: build time, bytes on the
// wire, and the time those bytes take on the serial line at 9600 and 115200 baud (8N1,
// 10 bits a byte).
func BenchmarkSamplePayment(b *testing.B) {
	for _, v := range variants {
		b.Run(v.String(), func(b *testing.B) {
			bl := builder(b, v)
			p := SamplePayment()
			n := 0
			for b.Loop() {
				job, err := bl.Payment(p)
				if err != nil {
					b.Fatal(err)
				}
				n = len(job.Data)
			}
			b.ReportMetric(float64(n), "bytes")
			b.ReportMetric(float64(sim.WireTime(n, 9600).Milliseconds()), "ms@9600")
			b.ReportMetric(float64(sim.WireTime(n, 115200).Microseconds())/1000, "ms@115200")
		})
	}
}

// BenchmarkPrintSamplePayment sends the sample payment receipt through the driver and a
// pty to the emulator, both pacing at the baud rate: the link time of a real print,
// status queries and GS r barriers included (the emulator prints instantly, so paper
// motion is not counted).
func BenchmarkPrintSamplePayment(b *testing.B) {
	for _, v := range []variant{{"80mm", false}, {"80mm", true}} {
		for _, baud := range []int{9600, 115200} {
			b.Run(fmt.Sprintf("%s/%d", v, baud), func(b *testing.B) {
				bl := builder(b, v)
				bl.prof.Baud = baud
				job, err := bl.Payment(SamplePayment())
				if err != nil {
					b.Fatal(err)
				}
				sp, err := sim.StartPrinter(sim.PrinterOptions{Link: filepath.Join(b.TempDir(), "ttyPRN"), Baud: baud})
				if err != nil {
					b.Fatal(err)
				}
				defer sp.Close()
				port, err := serial.Open(sp.Path(), &serial.Mode{BaudRate: baud})
				if err != nil {
					b.Fatal(err)
				}
				defer port.Close()
				drv, err := printer.New(port, bl.prof, printer.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				i := 0
				for b.Loop() {
					if _, err := drv.Print(context.Background(), job); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.StopTimer()
				if err := sp.WaitCuts(context.Background(), i); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(job.Data)), "bytes")
			})
		}
	}
}
