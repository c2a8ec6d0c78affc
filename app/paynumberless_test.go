package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/orders"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/session"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// numberless is an adapter whose utility makes a payment order and answers it without
// the order's number (its API names it elsewhere, or not at all), in the answer to the
// order and, with lookUp set, in its record of the request too. The reference client
// refuses such an answer; an adapter (utility.RegisterAdapter) may hand it on.
type numberless struct {
	utility.Client
	lookUp atomic.Bool
}

func (n *numberless) Forward(ctx context.Context, s utility.Submission) (utility.Answer, error) {
	ans, err := n.Client.Forward(ctx, s)
	if err == nil && s.Kind == utility.KindPayment {
		ans = withoutNumber(ans)
	}
	return ans, err
}

func (n *numberless) Lookup(ctx context.Context, kioskRef, key string) (utility.Answer, error) {
	ans, err := n.Client.Lookup(ctx, kioskRef, key)
	if err == nil && n.lookUp.Load() {
		ans = withoutNumber(ans)
	}
	return ans, err
}

// withoutNumber is a, the order's number left out.
func withoutNumber(a utility.Answer) utility.Answer {
	var body map[string]any
	if json.Unmarshal(a.Body, &body) == nil {
		delete(body, "reference")
		a.Body, _ = json.Marshal(body)
	}
	a.Reference = ""
	return a
}

func init() {
	utility.RegisterAdapter("test-numberless", func(o utility.Options) (utility.Client, error) {
		c, err := utility.NewHTTP(o)
		if err != nil {
			return nil, err
		}
		return &numberless{Client: c}, nil
	})
}

// An order request answered (Done) without the order's number — a late one, which the
// citizen was told was busy, kept as asked — cannot be followed by its number. The
// settling pass asks the utility's record of the request by the kiosk's reference, the
// one question it can ask: when that names the order, it is followed as any other (a
// pending one cancelled); when it names none either, the order is journaled as not
// followed and forgotten, at once, and the pass reports no error then or after
// (before, it failed on it every minute until the order was pruned).
func TestPayOrderAnsweredWithoutNumber(t *testing.T) {
	for _, tc := range []struct {
		name       string
		numberless bool // the utility's record of the request gives no number either
	}{
		{name: "its record names the order"},
		{name: "no number anywhere", numberless: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const id = utility.Electricity
			k, sims, c := numberlessKiosk(t)
			c.lookUp.Store(tc.numberless)
			account, owed := numberlessBills(t, sims)
			total := payTotal(owed)
			// As StartPayment asks it: the order kept as asked in the request's transaction.
			o := orders.Order{Utility: id, Account: account, Bills: payBillIDs(owed), Amount: total, Session: "s1", Created: time.Now()}
			res, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: id, Kind: utility.KindPayment, Order: account, Session: "s1",
				Body: utility.PaymentRequest{Account: account, Bills: payBillIDs(owed), Amount: total}, With: k.Orders.Asking(o, nil)}, 5*time.Second)
			if err != nil || !res.Answered() || res.UtilityRef != "" {
				t.Fatalf("the order request: %+v, %v; want answered without the order's number", res, err)
			}
			made := received(t, sims, id, utility.KindPayment)
			if len(made) != 1 {
				t.Fatalf("the utility received %d orders", len(made))
			}

			for pass := 1; pass <= 2; pass++ {
				if err := k.SettleOrders(context.Background()); err != nil {
					t.Fatalf("settling pass %d: %v", pass, err)
				}
			}
			if n := payOrders(t, k); n != 0 {
				t.Fatalf("%d orders kept after settling", n)
			}
			detail := payJournalDetail(t, k, res.KioskRef, journal.PaymentSettled)
			cancels := len(received(t, sims, id, utility.KindCancelPayment))
			if tc.numberless {
				if !strings.Contains(detail, "without the order's number") || cancels != 0 {
					t.Fatalf("journal %q, %d cancellations sent", detail, cancels)
				}
				return
			}
			if detail != utility.PaymentCancelled || cancels != 1 {
				t.Fatalf("journal %q, %d cancellations sent; want the order cancelled once", detail, cancels)
			}
		})
	}
}

// numberlessKiosk is a kiosk whose electricity is reached through the numberless adapter.
func numberlessKiosk(t *testing.T) (*app.Kiosk, *utilitysim.Server, *numberless) {
	t.Helper()
	sims := startSims(t)
	const id = utility.Electricity
	urls := maps.Clone(sims.BaseURLs())
	delete(urls, id) // electricity is at its configured URL, through the adapter
	cfg := testConfig(t)
	cfg.Utilities.Electricity.API = "test-numberless"
	cfg.Utilities.Electricity.BaseURL = sims.BaseURL(id)
	k, err := app.New(cfg, app.Options{UtilityURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	c, _ := k.Client(id)
	return k, sims, c.(*numberless)
}

// numberlessBills are the account and the payable electricity bills of citizen 1 (李四).
func numberlessBills(t *testing.T, sims *utilitysim.Server) (string, []utility.Bill) {
	t.Helper()
	account := utilitysim.AccountNumber(utility.Electricity, 1)
	bills, err := sims.Bills(utility.Electricity, account)
	if err != nil {
		t.Fatal(err)
	}
	var owed []utility.Bill
	for _, b := range bills {
		if b.Payable() {
			owed = append(owed, b)
		}
	}
	return account, owed
}

// An order answered at once without its number shows no pay QR: a flow could follow it
// by no number (its status asked of an empty one, its cancellation naming none). The
// payer is told the utility did not confirm the order (ErrPaymentUnconfirmed), and the
// settling pass finds the order by its request's record and cancels it.
func TestPayStartAnsweredWithoutNumber(t *testing.T) {
	t.Parallel()
	k, sims, _ := numberlessKiosk(t)
	s := k.Sessions.Start()
	p := utilitysim.DemoIdentities[1]
	s.SetIdentity(session.Identity{Name: p.Name, IDNumber: p.IDNumber, CardType: "resident"})
	account, owed := numberlessBills(t, sims)
	flow, err := k.StartPayment(context.Background(), utility.Electricity, account, owed)
	if !errors.Is(err, app.ErrPaymentUnconfirmed) || flow != nil {
		t.Fatalf("StartPayment answered without the order's number: flow %v, err %v; want ErrPaymentUnconfirmed", flow != nil, err)
	}
	if err := k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := payOrders(t, k); n != 0 {
		t.Fatalf("%d orders kept after settling", n)
	}
	if n := len(received(t, sims, utility.Electricity, utility.KindCancelPayment)); n != 1 {
		t.Fatalf("%d cancellations sent, want the order cancelled once", n)
	}
}
