package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/devices/sim"
)

// The payment's crash windows, each closed with a real kill: a child process (this test
// binary again, TestPayCrashChild) runs a kiosk on the flows' data folder and the
// simulator over loopback, walks a payment to a point and says so on its stdout; the
// parent SIGKILLs it there, starts a kiosk on the same bbolt file and checks what the
// utility and the kiosk have of the payment.
const (
	envPayCrash    = "KIOSK_PAY_CRASH_CHILD"
	envPayCrashDir = "KIOSK_PAY_CRASH_DIR"
	envPayCrashURL = "KIOSK_PAY_CRASH_URLS"
	// envPayCrashPrinter is the emulated printer's port (the parent's rig), for the
	// scenarios that print.
	envPayCrashPrinter = "KIOSK_PAY_CRASH_PRINTER"
)

// The child's scenarios.
const (
	// crashAnswered: the utility made the order and the outbox stored its answer, but no
	// flow has kept it yet. Reached here as the citizen told 缴费系统繁忙 sees it (the
	// answer came after the start gave up, the visit goes on); the data file is the same
	// as after a kill in the milliseconds between the answer's commit and the flow
	// keeping the order in the ordinary start.
	crashAnswered = "answered"
	// crashCancelStored: 取消缴费 with the utility unreachable: the cancellation is
	// stored in the outbox, its answer not come.
	crashCancelStored = "cancel-stored"
	// crashPaidPrinting: the utility said the order is paid, the kiosk journaled it and
	// sent its receipt to the printer, which holds XOFF (takes no data): the receipt is
	// on its way to the paper, none of it printed.
	crashPaidPrinting = "paid-printing"
)

// TestPayCrashChild is the child's side: it never runs on its own.
func TestPayCrashChild(t *testing.T) {
	scenario := os.Getenv(envPayCrash)
	if scenario == "" {
		t.Skip("runs only as a payment crash test's child process")
	}
	var urls map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(envPayCrashURL)), &urls); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Data.Dir = os.Getenv(envPayCrashDir)
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	if scenario == crashPaidPrinting {
		cfg.Devices.Printer.Enabled, cfg.Devices.Printer.Port, cfg.Devices.Printer.Paper = true, os.Getenv(envPayCrashPrinter), "80mm"
	}
	k, err := app.New(cfg, app.Options{UtilityURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	p := utilitysim.DemoIdentities[1]
	k.Sessions.Start().SetIdentity(session.Identity{Name: p.Name, IDNumber: p.IDNumber, CardType: "resident"})
	number, bills := payUnpaidBills(t, k, utility.Electricity, 1)
	say := func(format string, a ...any) { fmt.Printf(format+"\n", a...) }
	stored := func(kind utility.Kind, state outbox.State) outbox.Status {
		var found outbox.Status
		pollUntil(t, flowPatience, string(kind)+" "+string(state), func() bool {
			list, err := k.Outbox.List(state, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range list {
				if st.Kind == kind {
					found = st
					return true
				}
			}
			return false
		})
		return found
	}
	switch scenario {
	case crashAnswered:
		// The simulator answers late (the parent set its latency): the start gives up.
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := k.StartPayment(ctx, utility.Electricity, number, bills)
		cancel()
		if !errors.Is(err, app.ErrPaymentBusy) {
			t.Fatalf("start with a slow utility: %v, want ErrPaymentBusy", err)
		}
		st := stored(utility.KindPayment, outbox.Done)
		say("AT %s %s", st.KioskRef, st.UtilityRef)
	case crashCancelStored:
		flow, err := k.StartPayment(context.Background(), utility.Electricity, number, bills)
		if err != nil {
			t.Fatal(err)
		}
		say("QR %s %s", flow.KioskRef, flow.Payment().Reference)
		// The parent takes the utility down, then says go.
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		go func() { _ = flow.Cancel(context.Background()) }()
		st := stored(utility.KindCancelPayment, outbox.Pending)
		say("AT %s %s", flow.KioskRef, st.KioskRef)
	case crashPaidPrinting:
		flow, err := k.StartPayment(context.Background(), utility.Electricity, number, bills)
		if err != nil {
			t.Fatal(err)
		}
		flow.Watch(context.Background(), func(*app.PaymentFlow) {})
		say("QR %s %s", flow.KioskRef, flow.Payment().Reference)
		// The parent holds the printer's XOFF and pays the order, then the Watch sees it
		// paid: the payment is journaled before its receipt goes to the printer, which
		// the job then holds while the XOFF lasts.
		pollUntil(t, flowPatience, "the payment journaled", func() bool {
			evs, err := k.Journal.ByRef(flow.KioskRef)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Kind == journal.PaymentPaid {
					return true
				}
			}
			return false
		})
		pollUntil(t, flowPatience, "the receipt printing", func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return k.PrinterReady(ctx) == app.PrinterBusy
		})
		say("AT %s", flow.KioskRef)
	default:
		t.Fatalf("no scenario %q", scenario)
	}
	select {} // until killed
}

// payCrashChild is a running child of a scenario.
type payCrashChild struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines *bufio.Scanner
}

// startPayCrashChild runs scenario in a child on f's data folder and simulator; f's
// kiosk must be closed (the child holds the data file).
func (f *flows) startPayCrashChild(scenario string) *payCrashChild {
	f.t.Helper()
	urls, err := json.Marshal(f.sims.BaseURLs())
	if err != nil {
		f.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPayCrashChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envPayCrash+"="+scenario, envPayCrashDir+"="+f.dir, envPayCrashURL+"="+string(urls),
		envPayCrashPrinter+"="+f.rig.Printer().Path())
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	c := &payCrashChild{t: f.t, cmd: cmd, in: in, lines: bufio.NewScanner(out)}
	f.t.Cleanup(func() { c.kill() })
	return c
}

// await returns the fields after word of the child's first line that starts with it;
// the test fails if the child ends first (its output says why).
func (c *payCrashChild) await(word string) []string {
	c.t.Helper()
	var seen []string
	for c.lines.Scan() {
		f := strings.Fields(c.lines.Text())
		if len(f) > 0 && f[0] == word {
			return f[1:]
		}
		seen = append(seen, c.lines.Text())
	}
	c.t.Fatalf("the child ended before %s: %q", word, seen)
	return nil
}

// kill is kill -9: nothing of the child's runs after it.
func (c *payCrashChild) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
}

// The kiosk is killed once the utility has made an order and the outbox has stored its
// answer, before any flow kept the order (the QR never shown). The next start knows
// the order, from the record stored with the request before the utility was called,
// and cancels it at the utility: no order the kiosk asked for is left payable and
// forgotten, holding the bills. One order was made, and one cancellation sent.
func TestPayCrashOrderAnsweredNotKept(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	mustDo(t, f.k.Close())
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{LatencyMS: 1500})
	child := f.startPayCrashChild(crashAnswered)
	at := child.await("AT")
	child.kill()
	kref, uref := at[0], at[1]
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	f.k = f.start()
	pollUntil(t, 30*time.Second, "the order made before the kill settled", func() bool {
		return payAtUtility(t, f.k, utility.Electricity, uref).Status != utility.PaymentPending && payOrders(t, f.k) == 0
	})
	if st := payAtUtility(t, f.k, utility.Electricity, uref).Status; st != utility.PaymentCancelled {
		t.Fatalf("the order made before the kill is %s at the utility, want cancelled", st)
	}
	if n := len(received(t, f.sims, utility.Electricity, utility.KindPayment)); n != 1 {
		t.Fatalf("%d orders made, want 1", n)
	}
	if n := len(received(t, f.sims, utility.Electricity, utility.KindCancelPayment)); n != 1 {
		t.Fatalf("%d cancellations reached the utility, want 1", n)
	}
	if d := payJournalDetail(t, f.k, kref, journal.PaymentSettled); d != utility.PaymentCancelled {
		t.Fatalf("journal: %q, want the order settled as cancelled", d)
	}
}

// The kiosk is killed while a cancellation (取消缴费, the utility unreachable) waits in
// the outbox. The order's record says a cancellation is on its way, written in the
// same transaction as the cancellation: the next start's settling pass, finding the
// order still pending, does not send a second one with a key of its own. Once the
// utility is back, the one cancellation reaches it, and the order is settled.
func TestPayCrashCancelStored(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	mustDo(t, f.k.Close())
	child := f.startPayCrashChild(crashCancelStored)
	qr := child.await("QR")
	kref, uref := qr[0], qr[1]
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{Down: true})
	if _, err := io.WriteString(child.in, "go\n"); err != nil {
		t.Fatal(err)
	}
	child.await("AT")
	child.kill()
	f.k = f.start()
	o, ok, err := f.k.Orders.Get(kref)
	if err != nil || !ok {
		t.Fatalf("the order after the kill: kept %v, %v", ok, err)
	}
	if !o.CancelSent {
		t.Fatal("a cancellation is stored in the outbox, and the order's record does not know it: the next pass sends another")
	}
	setFaults(t, f.sims, utility.Electricity, utilitysim.Faults{})
	ctx, cancel := context.WithTimeout(context.Background(), outageWait)
	defer cancel()
	pollUntil(t, outageWait, "the cancellation delivered", func() bool {
		// The pass runs as it does every minute; the outbox delivers the stored one.
		if err := f.k.SettleOrders(ctx); err != nil {
			return false
		}
		return payAtUtility(t, f.k, utility.Electricity, uref).Status == utility.PaymentCancelled && payOrders(t, f.k) == 0
	})
	if n := len(received(t, f.sims, utility.Electricity, utility.KindCancelPayment)); n != 1 {
		t.Fatalf("%d cancellations reached the utility, want 1", n)
	}
}

// The kiosk is killed after the utility said the order is paid and the kiosk journaled
// it, while its receipt is on its way to the printer (the printer holds XOFF: none of it
// printed). The next start knows the payment's end: the order is neither asked for
// again nor settled a second time (one order made, the payment journaled once), and
// nothing is printed at start, lest the receipt come out into the next citizen's hands.
// The journal says the receipt's print was cut short by the stop, and the receipt is
// kept for staff with that reason; staff print it once, and it is then gone.
func TestPayCrashPaidPrinting(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{})
	mustDo(t, f.k.Close())
	p := f.rig.Printer()
	child := f.startPayCrashChild(crashPaidPrinting)
	qr := child.await("QR")
	kref, uref := qr[0], qr[1]
	p.SetFaults(sim.PrinterFaults{HoldXOFF: true})
	if _, err := f.sims.Pay(utility.Electricity, uref); err != nil {
		t.Fatal(err)
	}
	child.await("AT")
	child.kill()
	if st := p.Stats(); st.Cuts != 0 || len(p.Printouts()) != 0 {
		t.Fatalf("a receipt printed before the kill: %d cuts", st.Cuts)
	}
	p.SetFaults(sim.PrinterFaults{})
	f.k = f.start()
	ctx, cancel := context.WithTimeout(context.Background(), flowPatience)
	defer cancel()
	// A settling pass over what the last run left, as the one at start does.
	mustDo(t, f.k.SettleOrders(ctx))
	if n := payOrders(t, f.k); n != 0 {
		t.Fatalf("%d orders kept after the restart, want none: the payment's end is known", n)
	}
	if n := len(received(t, f.sims, utility.Electricity, utility.KindPayment)); n != 1 {
		t.Fatalf("%d orders made, want 1", n)
	}
	if n := len(payJournalEvents(t, f.k, kref, journal.PaymentPaid)); n != 1 {
		t.Fatalf("the payment journaled as paid %d times, want once", n)
	}
	failed := payJournalEvents(t, f.k, kref, journal.PrintFailed)
	if len(failed) != 1 || !strings.Contains(failed[0].Detail, "interrupted") || failed[0].Session == "" {
		t.Fatalf("journal: print failures %+v, want one saying the print was interrupted, in the payer's visit", failed)
	}
	list, err := f.k.Reprints.List()
	if err != nil || len(list) != 1 || list[0].Ref != kref || list[0].Kind != reprint.Payment || list[0].Printing ||
		!strings.Contains(list[0].Reason, "中断") {
		t.Fatalf("kept for reprinting: %+v, %v", list, err)
	}
	if st := p.Stats(); st.Cuts != 0 || len(p.Printouts()) != 0 {
		t.Fatalf("the restarted kiosk printed: %d cuts", st.Cuts)
	}
	if r, err := f.k.Reprint(ctx, kref, "staff-7"); err != nil || !r.OK {
		t.Fatalf("reprint: %+v, %v", r, err)
	}
	mustDo(t, p.WaitCuts(ctx, 1))
	if _, err := f.k.Reprint(ctx, kref, "staff-7"); !errors.Is(err, reprint.ErrNotFound) {
		t.Fatalf("a second reprint: %v, want reprint.ErrNotFound", err)
	}
	if n := len(p.Printouts()); n != 1 {
		t.Fatalf("%d printouts, want the one reprint", n)
	}
}
