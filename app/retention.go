package app

import (
	"context"
	"fmt"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
)

// pruneEvery is how often the kiosk applies its retention; the first run waits
// pruneFirst, so that reading the whole outbox does not compete with start-up.
const (
	pruneEvery = 24 * time.Hour
	pruneFirst = time.Minute
)

// Prune applies the retention of the configuration: a finished request's personal data
// is erased data.personal_data_days after it finished, and so are a receipt kept for
// reprinting and a payment order never settled; journal entries and finished requests
// are removed after data.journal_days. What it did is journaled and logged (counts
// only). The kiosk runs it a minute after start and then daily.
func (k *Kiosk) Prune() error {
	now := k.Clock.Now()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	d := k.Config.Data
	p, err := k.Outbox.Prune(days(d.PersonalDataDays), days(d.JournalDays))
	if err != nil {
		return err
	}
	n, err := k.Journal.Prune(days(d.JournalDays))
	if err != nil {
		return err
	}
	r, err := k.Reprints.Prune(days(d.PersonalDataDays))
	if err != nil {
		return err
	}
	o, err := k.Orders.Prune(days(d.PersonalDataDays))
	if err != nil {
		return err
	}
	if p.Erased+p.Removed+n+r+o == 0 {
		return nil
	}
	k.Log.Info("retention applied", "requests_erased", p.Erased, "requests_removed", p.Removed, "journal_removed", n,
		"reprints_removed", r, "orders_removed", o)
	return k.Journal.Record(journal.Event{Kind: journal.Retention,
		Detail: fmt.Sprintf("personal data of %d requests erased; %d requests, %d journal entries, %d receipts kept for reprinting and %d unsettled payment orders removed",
			p.Erased, p.Removed, n, r, o)})
}

// prunePeriodically runs Prune pruneFirst after start and every pruneEvery after that,
// until ctx ends.
func (k *Kiosk) prunePeriodically(ctx context.Context) {
	k.periodically(ctx, pruneFirst, pruneEvery, func() {
		if err := k.Prune(); err != nil {
			k.Log.Error("retention", "err", err)
		}
	})
}

// periodically runs fn first after start (at once when 0) and every every after that,
// on the kiosk's clock, until ctx ends.
func (k *Kiosk) periodically(ctx context.Context, first, every time.Duration, fn func()) {
	wait := first
	for {
		if wait > 0 {
			wake := make(chan struct{})
			t := k.Clock.AfterFunc(wait, func() { close(wake) })
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-wake:
			}
		}
		fn()
		wait = every
	}
}
