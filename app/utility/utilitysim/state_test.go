package utilitysim

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/store/storetest"
	"github.com/liangzihu/kiosk/app/utility"
)

// damages are the buckets a state file may lack: a utility's, and each of its own.
func damages() []struct {
	name string
	drop func(tx *bolt.Tx) error
} {
	out := []struct {
		name string
		drop func(tx *bolt.Tx) error
	}{{`"electricity"`, func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(utility.Electricity)) }}}
	for _, sub := range subBuckets {
		out = append(out, struct {
			name string
			drop func(tx *bolt.Tx) error
		}{fmt.Sprintf("%q in %q", sub, utility.Electricity), func(tx *bolt.Tx) error {
			return tx.Bucket([]byte(utility.Electricity)).DeleteBucket(sub)
		}})
	}
	return out
}

// A state file seeded before that lacks a bucket is refused at start, naming it (it
// was made again, empty: the demo citizens' accounts, bills and applications gone
// without a word).
func TestStartDamagedState(t *testing.T) {
	for _, d := range damages() {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Start(Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(d.drop)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			s, err = Start(Options{Dir: dir})
			if err == nil {
				s.Close()
				t.Fatal("started on a damaged state file")
			}
			if !errors.Is(err, errDamaged) || !contains(err.Error(), "no bucket "+d.name, filepath.Join(dir, FileName)) {
				t.Errorf("start: %v, want errDamaged naming bucket %s and the file", err, d.name)
			}
			// Reseed starts anew.
			s, err = Start(Options{Dir: dir, Reseed: true})
			if err != nil {
				t.Fatalf("reseed: %v", err)
			}
			s.Close()
		})
	}
}

// A bucket gone under the running simulator makes each call that needs it an error
// (the API's 500 internal, a method's error naming the bucket), never a panic: before,
// each handler dereferenced the missing bucket (net/http's recovery dropped the
// connection) and each method panicked.
func TestDamagedStateWhileRunning(t *testing.T) {
	holder := DemoIdentities[0]
	account := AccountNumber(utility.Electricity, 0)
	for _, d := range damages() {
		t.Run(d.name, func(t *testing.T) {
			r := newRig(t, Options{})
			bills, err := r.s.Bills(utility.Electricity, account)
			if err != nil || len(bills) == 0 {
				t.Fatalf("bills: %v, %v", bills, err)
			}
			apps, err := r.s.Applications(utility.Electricity, holder.IDNumber)
			if err != nil || len(apps) == 0 {
				t.Fatalf("applications: %v, %v", apps, err)
			}
			if err := r.s.db.Update(d.drop); err != nil {
				t.Fatal(err)
			}
			c := r.clients[utility.Electricity]
			api := []struct {
				name string
				call func() error
			}{
				{"accounts by identity", func() error {
					_, err := c.AccountsByIdentity(ctx, utility.Identity{IDNumber: holder.IDNumber, Name: holder.Name})
					return err
				}},
				{"account", func() error { _, err := c.Account(ctx, account); return err }},
				{"bills", func() error { _, err := c.Bills(ctx, account); return err }},
				{"bill", func() error { _, err := c.Bill(ctx, account, bills[0].ID); return err }},
				{"payment", func() error { _, err := c.Payment(ctx, "DLP-none"); return err }},
				{"progress", func() error { _, err := c.Progress(ctx, apps[0].Reference); return err }},
				{"applications", func() error {
					_, err := c.Applications(ctx, utility.Identity{IDNumber: holder.IDNumber, Name: holder.Name})
					return err
				}},
				{"create payment", func() error {
					_, err := c.CreatePayment(ctx, utility.NewIdempotencyKey(), utility.PaymentRequest{KioskRef: "K1", Account: account, Bills: []string{bills[0].ID}, Amount: bills[0].Amount})
					return err
				}},
			}
			for _, a := range api {
				err := storetest.NoPanic(t, a.name, a.call)
				var ue *utility.Error
				if !errors.As(err, &ue) || ue.Status != 500 || ue.Code != utility.CodeInternal {
					t.Errorf("%s: %v, want the utility's 500 internal", a.name, err)
				}
			}
			methods := []struct {
				name string
				call func() error
			}{
				{"Received", func() error { _, err := r.s.Received(utility.Electricity); return err }},
				{"Bills", func() error { _, err := r.s.Bills(utility.Electricity, account); return err }},
				{"Applications", func() error { _, err := r.s.Applications(utility.Electricity, holder.IDNumber); return err }},
				{"Pay", func() error { _, err := r.s.Pay(utility.Electricity, "DLP-none"); return err }},
				{"Advance", func() error { _, err := r.s.Advance(utility.Electricity, apps[0].Reference); return err }},
				{"PayElsewhere", func() error { return r.s.PayElsewhere(utility.Electricity, account, bills[0].ID) }},
			}
			for _, m := range methods {
				if err := storetest.NoPanic(t, m.name, m.call); !errors.Is(err, errDamaged) || !contains(err.Error(), "no bucket "+d.name) {
					t.Errorf("%s: %v, want errDamaged naming %s", m.name, err, d.name)
				}
			}
		})
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
