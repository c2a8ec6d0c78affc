package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/store"
)

// A kiosk that stopped without closing (killed, or the power cut) during a visit left
// the visit started in the journal; the next start ends it there as interrupted, so that
// every visit's record has its end.
func TestVisitInterruptedByCrashEndedAtStart(t *testing.T) {
	cfg := testConfig(t)
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	// What the killed kiosk left: a visit journaled as started, never as ended.
	st, err := store.Open(store.Options{Dir: cfg.Data.Dir, KeyFile: cfg.Data.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	if err := journal.New(st, nil).Record(journal.Event{Kind: journal.SessionStart, Session: "s-killed"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	defer k.Close()
	events, err := k.Journal.Range(time.Unix(0, 0), time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	ended := 0
	for _, e := range events {
		if e.Kind == journal.SessionEnd && e.Session == "s-killed" && e.Detail == journal.Interrupted {
			ended++
		}
	}
	if ended != 1 {
		t.Fatalf("the killed kiosk's visit ended %d times in the journal, want once as interrupted: %+v", ended, events)
	}
}
