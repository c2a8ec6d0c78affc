package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// The kiosk shut down while a receipt prints (SIGTERM, or a test's cleanup): the
// receipt finishes, the port closes once, and a print asked for afterwards fails
// without opening the port again. Run with -race: closing and printing once raced on
// the port.
func TestCloseWhilePrinting(t *testing.T) {
	f := newFlows(t, utilitysim.Options{})
	job, err := f.k.Receipts().TestPage(receipt.TestPage{Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	printed := make(chan bool)
	go func() { printed <- f.k.Print(context.Background(), "test page", "", job).OK }()
	// The job is under way once the printer has taken some of it.
	for start := time.Now(); f.rig.Printer().Stats().Accepted == 0; time.Sleep(time.Millisecond) {
		if time.Since(start) > flowPatience {
			t.Fatal("the printer took nothing of the job")
		}
	}
	if err := f.k.Close(); err != nil {
		t.Fatal(err)
	}
	if !<-printed {
		t.Error("the receipt being printed at shutdown did not finish")
	}
	after := f.rig.Printer().Stats().Accepted
	if r := f.k.Print(context.Background(), "test page", "", job); r.OK || r.Detail == "" {
		t.Errorf("a print after Close: %+v", r)
	}
	if got := f.rig.Printer().Stats().Accepted; got != after {
		t.Errorf("the printer received %d bytes after Close", got-after)
	}
}
