package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// stuckOrders is a gateway in front of a utility's simulator whose payment orders are
// stuck while it is: every order request and every look-up of one is answered 409
// request_in_progress. With made, the first order request reaches the utility, which
// makes the order; its answer is lost.
type stuckOrders struct {
	mu    sync.Mutex
	stuck bool
	made  bool
	order string // the reference of the order made
}

func (g *stuckOrders) heal() {
	g.mu.Lock()
	g.stuck = false
	g.mu.Unlock()
}

func (g *stuckOrders) reference() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.order
}

// gateway serves a gateway in front of sim, a utility's simulator (its base URL), that
// answers each request with serve; proxy passes one on to the simulator.
func gateway(t *testing.T, sim string, serve func(w http.ResponseWriter, r *http.Request, proxy http.Handler)) *httptest.Server {
	u, err := url.Parse(sim)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, proxy) }))
	t.Cleanup(srv.Close)
	return srv
}

func (g *stuckOrders) serve(t *testing.T, sim string) *httptest.Server {
	return gateway(t, sim, func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		order := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/payments")
		lookUp := r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/submissions/") && !strings.HasSuffix(r.URL.Path, "/K000000000000")
		g.mu.Lock()
		stuck, make := g.stuck, g.made && g.order == "" && order
		g.mu.Unlock()
		if !stuck || !order && !lookUp {
			proxy.ServeHTTP(w, r)
			return
		}
		if make {
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			var p struct {
				Reference string `json:"reference"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Reference == "" {
				t.Errorf("the order made: %d %s", rec.Code, rec.Body)
			}
			g.mu.Lock()
			g.order = p.Reference
			g.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"error":{"code":"request_in_progress","message":"订单处理中"}}`))
	})
}

// A payment order whose request ends a dead letter after its attempts ran out on
// answers that say nothing of the outcome (the utility kept saying it was still
// processing it) may have been made at the utility, though no pay QR was shown. The
// citizen is told so, in both languages: no QR, nothing charged, an order made is
// cancelled. The order stays kept for the settling pass, which, once the utility
// answers, asks its record of the request: an order made and paid meanwhile (on the
// utility's own channels) is journaled paid, its receipt kept for staff (补打); a
// request that never arrived made no order, which is journaled and forgotten. It used to
// be forgotten as soon as the request went dead, and an order made there was never
// asked about.
func TestPayOrderUnansweredIsFollowed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		made, paid bool
		// closed is why the kiosk closes the dead letter, once it knows.
		closed string
	}{
		{"made and paid", true, true, "终端已向单位核实：订单已支付，凭条留待补打"},
		{"made, not paid", true, false, "终端已向单位核实：订单已取消，未扣款"},
		{"never arrived", false, false, "终端已向单位核实：单位未生成订单"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := clock.NewManual(time.Now())
			long := func(cfg *config.Config) {
				// The visit outlasts the attempts' back-off on the kiosk's clock.
				cfg.Kiosk.IdleTimeout.Duration, cfg.Kiosk.PayIdleTimeout.Duration = 12*time.Hour, 12*time.Hour
			}
			f := newFlowsAt(t, utilitysim.Options{PaymentTTL: 24 * time.Hour}, long, c)
			g := &stuckOrders{stuck: true, made: tc.made}
			number, bills := f.payingThrough(g.serve(t, f.sims.BaseURL(utility.Electricity)))
			// The citizen is told the utility is busy while the request goes on.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := f.k.StartPayment(ctx, utility.Electricity, number, bills)
			cancel()
			if err != app.ErrPaymentBusy {
				t.Fatalf("the order while the utility is stuck: %v, want busy", err)
			}
			pending, err := f.k.Outbox.List(outbox.Pending, 0)
			if err != nil || len(pending) != 1 {
				t.Fatalf("pending %+v, %v", pending, err)
			}
			ref := pending[0].KioskRef
			if st := attemptsRunOut(t, f.k, c, ref); st.State != outbox.Dead || st.NotApplied {
				t.Fatalf("the order request: %+v", st)
			}
			if tc.paid {
				if _, err := f.sims.Pay(utility.Electricity, g.reference()); err != nil {
					t.Fatal(err)
				}
			}
			// The citizen taps 缴费 again: told what is true.
			_, err = f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
			payToldUnconfirmed(t, f.k, err)
			f.k.Exit()
			awaitCond(t, "the order left to the settling pass", func() bool { return payOrders(t, f.k) == 1 })

			g.heal()
			if err := f.k.SettleOrders(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := payOrders(t, f.k); n != 0 {
				t.Fatalf("%d orders kept once the utility answered", n)
			}
			payDeadLetterFollowed(t, f.k, ref, g.reference(), tc.closed)
			settled := payJournalEvents(t, f.k, ref, journal.PaymentSettled)
			paid := payJournalEvents(t, f.k, ref, journal.PaymentPaid)
			kept, err := f.k.Reprints.List()
			if err != nil {
				t.Fatal(err)
			}
			if !tc.paid {
				want := "not made at the utility"
				if tc.made {
					want = utility.PaymentCancelled
					if p := payAtUtility(t, f.k, utility.Electricity, g.reference()); p.Status != utility.PaymentCancelled {
						t.Fatalf("the order made: %s at the utility, want cancelled", p.Status)
					}
				}
				if len(settled) != 1 || settled[0].Detail != want || len(paid) != 0 || len(kept) != 0 {
					t.Fatalf("settled %+v, paid %+v, receipts kept %+v", settled, paid, kept)
				}
				return
			}
			if len(settled) != 1 || !strings.HasPrefix(settled[0].Detail, "paid") || len(paid) != 1 || paid[0].UtilityRef == "" {
				t.Fatalf("settled %+v, paid %+v", settled, paid)
			}
			if len(kept) != 1 || kept[0].Ref != ref {
				t.Fatalf("receipts kept for staff: %+v", kept)
			}
		})
	}
}

// attemptsRunOut is the status of request ref once it is no longer pending, the
// kiosk's clock c moved on to each of its attempts in turn.
func attemptsRunOut(t *testing.T, k *app.Kiosk, c *clock.Manual, ref string) outbox.Status {
	t.Helper()
	var st outbox.Status
	var err error
	for st.State = outbox.Pending; st.State == outbox.Pending; {
		awaitCond(t, "the next attempt scheduled", func() bool {
			st, err = k.Outbox.Status(ref)
			return err == nil && (st.State != outbox.Pending || st.NextAt.After(c.Now()) && st.Tries > 0)
		})
		if st.State == outbox.Pending {
			c.Advance(st.NextAt.Sub(c.Now()))
		}
	}
	return st
}

// payDeadLetterFollowed fails t unless the dead letter that order request ref left is
// closed by the kiosk for why, and journaled so, with the utility's order number (order,
// "" when none was made): staff find it among the closed requests, no longer among the
// dead letters waiting for them.
func payDeadLetterFollowed(t *testing.T, k *app.Kiosk, ref, order, why string) {
	t.Helper()
	st, err := k.Outbox.Status(ref)
	if err != nil || st.State != outbox.Closed || st.ClosedBy != outbox.ClosedByKiosk || st.CloseReason != why || st.UtilityRef != order {
		t.Fatalf("the dead letter once its order is settled: %s by %q for %q, order %q (%v); want closed by the kiosk for %q, order %q",
			st.State, st.ClosedBy, st.CloseReason, st.UtilityRef, err, why, order)
	}
	closed := payJournalEvents(t, k, ref, journal.RequestClosed)
	if len(closed) != 1 || closed[0].Detail != why || closed[0].Actor != "" || closed[0].UtilityRef != order {
		t.Fatalf("request.closed entries %+v", closed)
	}
	l := &staff.Local{Store: k.Store, Journal: k.Journal, Outbox: k.Outbox}
	if dead, err := l.Requests(context.Background(), outbox.Dead, 0); err != nil || len(dead) != 0 {
		t.Fatalf("dead letters for staff: %+v, %v", dead, err)
	}
	listed, err := l.Requests(context.Background(), outbox.Closed, 0)
	if err != nil || len(listed) != 1 || listed[0].KioskRef != ref || listed[0].Why != "kiosk: "+why {
		t.Fatalf("closed requests for staff: %+v, %v", listed, err)
	}
}

// payingThrough restarts the kiosk with its power utility behind gate, and opens the
// first citizen's visit: their account and its unpaid bills.
func (f *flows) payingThrough(gate *httptest.Server) (string, []utility.Bill) {
	f.t.Helper()
	if err := f.k.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.moved = map[string]string{utility.Electricity: gate.URL + "/v1"}
	f.k = f.start()
	f.citizen(1)
	return payUnpaidBills(f.t, f.k, utility.Electricity, 1)
}

// payToldUnconfirmed fails t unless err, a start of an electricity payment, is worded
// for the payer, in both languages, as an order the utility did not confirm: no pay QR
// shown, nothing charged, an order made cancelled by the kiosk.
func payToldUnconfirmed(t *testing.T, k *app.Kiosk, err error) {
	t.Helper()
	if !errors.Is(err, app.ErrPaymentUnconfirmed) {
		t.Errorf("the start: %v, want %v", err, app.ErrPaymentUnconfirmed)
	}
	said := k.PaymentStartFailure(err, utility.Electricity)
	u, _ := k.Config.Utilities.ByID(utility.Electricity)
	for l, text := range map[i18n.Lang]string{i18n.ZH: said.ZH, i18n.EN: said.EN} {
		name := map[i18n.Lang]string{i18n.ZH: u.Name, i18n.EN: u.NameEN}[l]
		if want := k.Text.In(l, "pay.unconfirmed", name); text != want {
			t.Errorf("the payer is told (%s) %q (%v), want %q", l, text, err, want)
		}
	}
}

// A new payment order that the utility made, and answered, in words the kiosk cannot
// take as the order it asked for: here its expiry time in a form the API does not have
// (a utility's bug; an answer that names another account, other bills or another
// amount than asked is not even taken by the outbox, which asks again under the same
// key and, answered so until its attempts run out, leaves a dead letter the settling
// pass follows). No pay QR is shown, but the order exists at the utility under this
// request's key, holding the bills and payable on the utility's own channels. The payer
// is told what is true (no QR, nothing charged, an order made is cancelled), and the
// order is kept for the settling pass, which cancels it at the utility by the
// reference the outbox kept. It used to be forgotten at once, left pending at the
// utility.
func TestPayOrderAnswerNotTakenIsFollowed(t *testing.T) {
	t.Parallel()
	f := newFlows(t, utilitysim.Options{PaymentTTL: 24 * time.Hour})
	var mu sync.Mutex
	made := "" // the reference of the order the utility made
	gate := gateway(t, f.sims.BaseURL(utility.Electricity), func(w http.ResponseWriter, r *http.Request, proxy http.Handler) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/payments") {
			proxy.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		var order map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &order); err != nil || rec.Code != http.StatusOK {
			t.Errorf("the order made: %d %s", rec.Code, rec.Body)
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		mu.Lock()
		made, _ = order["reference"].(string)
		mu.Unlock()
		order["expires_at"] = "2026-11-28 10:30:00"
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(order); err != nil {
			t.Error(err)
		}
	})
	number, bills := f.payingThrough(gate)
	_, err := f.k.StartPayment(context.Background(), utility.Electricity, number, bills)
	payToldUnconfirmed(t, f.k, err)
	mu.Lock()
	order := made
	mu.Unlock()
	if p := payAtUtility(t, f.k, utility.Electricity, order); p.Status != utility.PaymentPending {
		t.Fatalf("the order at the utility: %s, want pending", p.Status)
	}
	done, err := f.k.Outbox.List(outbox.Done, 0)
	if err != nil || len(done) != 1 || done[0].Kind != utility.KindPayment || done[0].UtilityRef != order {
		t.Fatalf("the order request answered: %+v, %v", done, err)
	}
	ref := done[0].KioskRef
	f.k.Exit()
	awaitCond(t, "the order left to the settling pass", func() bool { return payOrders(t, f.k) == 1 })

	if err := f.k.SettleOrders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := payAtUtility(t, f.k, utility.Electricity, order); p.Status != utility.PaymentCancelled {
		t.Fatalf("the order at the utility after the settling pass: %s, want cancelled", p.Status)
	}
	if n := payOrders(t, f.k); n != 0 {
		t.Fatalf("%d orders kept once cancelled", n)
	}
	if d := payJournalDetail(t, f.k, ref, journal.PaymentSettled); d != utility.PaymentCancelled {
		t.Fatalf("journaled as settled: %q", d)
	}
	if logged := f.warned.String(); strings.Contains(logged, number) {
		t.Fatalf("the warnings name the account: %s", logged)
	}
}
