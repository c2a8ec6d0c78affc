package utilitysim

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/liangzihu/kiosk/app/utility"
)

// PayURL is the content of a payment's pay QR: a page on the admin listener where the
// payment can be confirmed by hand in a browser (the demo's stand-in for a phone wallet).
func (s *Server) PayURL(utilityID, ref string) string {
	s.admin.mu.Lock()
	defer s.admin.mu.Unlock()
	return "http://" + s.admin.addr + "/pay/" + utilityID + "/" + ref
}

// Pay marks a pending payment as paid, with its bills (the tests' and demo's wallet).
func (s *Server) Pay(utilityID, ref string) (utility.Payment, error) {
	u, err := s.api(utilityID)
	if err != nil {
		return utility.Payment{}, err
	}
	var out paymentRec
	err = u.update(func(b ubk) error {
		if !b.get(bPayments, ref, &out) {
			return fmt.Errorf("utilitysim: no payment %s", ref)
		}
		out = u.settle(out)
		switch out.Status {
		case utility.PaymentPaid:
			return nil
		case utility.PaymentPending:
			var err error
			out, err = u.markPaid(b, out)
			return err
		}
		return fmt.Errorf("utilitysim: payment %s is %s", ref, out.Status)
	})
	return out.Payment, err
}

// PayElsewhere marks an unpaid bill paid as a utility's counter, or its app on a
// phone, would between the kiosk listing the bills and the citizen paying them: an
// order for them is then refused (validation, 账单已缴清), and a pending order holding
// the bill is cancelled, as the utility takes no bill's payment twice.
func (s *Server) PayElsewhere(utilityID, account, billID string) error {
	return s.changeUnpaidBill(utilityID, account, billID, func(u *uapi, b ubk, bill utility.Bill) error {
		bill.Paid, bill.PaidAt = true, u.now()
		if err := b.put(bBills, account+"/"+billID, bill); err != nil {
			return err
		}
		var held []paymentRec
		_ = b.sub(bPayments).ForEach(func(_, v []byte) error {
			var x paymentRec
			if json.Unmarshal(v, &x) == nil && x.Account == account && slices.Contains(x.Bills, billID) {
				if x = u.settle(x); x.Status == utility.PaymentPending {
					held = append(held, x)
				}
			}
			return nil
		})
		for _, x := range held {
			x.Status = utility.PaymentCancelled
			if err := b.put(bPayments, x.Reference, x); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetBillAmount changes what an unpaid bill asks, as a utility's correction would (a
// reading corrected, a 减免 granted, a refund set against it): ￥0.00, or less (a credit),
// makes a bill that is not paid and has nothing to pay, which the kiosk must not offer
// for payment. An order asked for it afterwards is checked against the new amount.
func (s *Server) SetBillAmount(utilityID, account, billID string, amount utility.Fen) error {
	return s.changeUnpaidBill(utilityID, account, billID, func(_ *uapi, b ubk, bill utility.Bill) error {
		bill.Amount = amount
		return b.put(bBills, account+"/"+billID, bill)
	})
}

// changeUnpaidBill runs change on the bill billID of account at a utility, in one
// transaction: the admin hooks change a bill only while it is unpaid, and refuse one
// that is missing or paid.
func (s *Server) changeUnpaidBill(utilityID, account, billID string, change func(*uapi, ubk, utility.Bill) error) error {
	u, err := s.api(utilityID)
	if err != nil {
		return err
	}
	return u.update(func(b ubk) error {
		var bill utility.Bill
		if !b.get(bBills, account+"/"+billID, &bill) {
			return fmt.Errorf("utilitysim: no bill %s of account %s", billID, account)
		}
		if bill.Paid {
			return fmt.Errorf("utilitysim: bill %s is paid already", billID)
		}
		return change(u, b, bill)
	})
}

// Advance completes the current step of an application (as the utility's staff would).
func (s *Server) Advance(utilityID, ref string) (utility.Progress, error) {
	u, err := s.api(utilityID)
	if err != nil {
		return utility.Progress{}, err
	}
	var a appRec
	err = u.update(func(b ubk) error {
		if !b.get(bApplications, ref, &a) {
			return fmt.Errorf("utilitysim: no application %s", ref)
		}
		u.progress(&a)
		if !advance(&a, u.now()) {
			return fmt.Errorf("utilitysim: application %s is already finished", ref)
		}
		u.progress(&a)
		return u.save(b, a)
	})
	return a.Progress, err
}

// Applications lists a citizen's applications at a utility, newest first, as the API's
// search answers them: the demo offers their receipts' tracking QR codes to scan.
func (s *Server) Applications(utilityID, idNumber string) ([]utility.Progress, error) {
	u, err := s.api(utilityID)
	if err != nil {
		return nil, err
	}
	return u.applicationsOf(idNumber)
}

// Bills lists an account's bills at a utility, newest first (none for an account it
// does not have): the demo offers the paper bills' QR codes to scan.
func (s *Server) Bills(utilityID, account string) ([]utility.Bill, error) {
	u, err := s.api(utilityID)
	if err != nil {
		return nil, err
	}
	if err := u.catchUp(); err != nil {
		return nil, err
	}
	var bills []utility.Bill
	err = u.view(func(b ubk) error { bills = u.bills(b, account); return nil })
	return bills, err
}

// api is one utility's side of the simulator, for the methods tests and the demo call.
func (s *Server) api(utilityID string) (*uapi, error) {
	if _, ok := s.ends[utilityID]; !ok {
		return nil, fmt.Errorf("utilitysim: unknown utility %q", utilityID)
	}
	return &uapi{s: s, id: utilityID}, nil
}

func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/identities", func(w http.ResponseWriter, r *http.Request) { writeValue(w, DemoIdentities) })
	mux.HandleFunc("GET /admin/urls", func(w http.ResponseWriter, r *http.Request) { writeValue(w, s.BaseURLs()) })
	mux.HandleFunc("GET /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]Faults{}
		for _, id := range Utilities {
			out[id] = s.Faults(id)
		}
		writeValue(w, out)
	})
	mux.HandleFunc("PUT /admin/faults/{utility}", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&f); err != nil {
			writeErr(w, invalid("", "faults: "+err.Error()))
			return
		}
		if err := s.SetFaults(r.PathValue("utility"), f); err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		writeValue(w, f)
	})
	mux.HandleFunc("POST /admin/payments/{utility}/{ref}/pay", func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Pay(r.PathValue("utility"), r.PathValue("ref"))
		if err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		writeValue(w, p)
	})
	mux.HandleFunc("POST /admin/bills/{utility}/{account}/{bill}/pay-elsewhere", func(w http.ResponseWriter, r *http.Request) {
		if err := s.PayElsewhere(r.PathValue("utility"), r.PathValue("account"), r.PathValue("bill")); err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /admin/bills/{utility}/{account}/{bill}/amount", func(w http.ResponseWriter, r *http.Request) {
		var v struct {
			Amount *utility.Fen `json:"amount_fen"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&v); err != nil || v.Amount == nil {
			writeErr(w, invalid("amount_fen", fmt.Sprintf("amount: %v (want {\"amount_fen\": n})", err)))
			return
		}
		if err := s.SetBillAmount(r.PathValue("utility"), r.PathValue("account"), r.PathValue("bill"), *v.Amount); err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /admin/applications/{utility}/{ref}/advance", func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Advance(r.PathValue("utility"), r.PathValue("ref"))
		if err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		writeValue(w, p)
	})
	mux.HandleFunc("GET /admin/received/{utility}", func(w http.ResponseWriter, r *http.Request) {
		l, err := s.Received(r.PathValue("utility"))
		if err != nil {
			writeErr(w, invalid("", err.Error()))
			return
		}
		writeValue(w, l)
	})
	mux.HandleFunc("GET /pay/{utility}/{ref}", func(w http.ResponseWriter, r *http.Request) {
		u := &uapi{s: s, id: r.PathValue("utility")}
		if _, ok := s.ends[u.id]; !ok {
			http.NotFound(w, r)
			return
		}
		p, found, err := u.payment(r.PathValue("ref"))
		if err != nil || !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = payPage.Execute(w, map[string]any{"P": p.Payment, "Amount": p.Amount.Yuan(), "Expires": p.ExpiresAt.In(cst).Format(time.DateTime)})
	})
	mux.HandleFunc("POST /pay/{utility}/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.Pay(r.PathValue("utility"), r.PathValue("ref")); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	})
	return mux
}

var payPage = template.Must(template.New("pay").Parse(`<!doctype html><meta charset="utf-8"><title>模拟支付</title>
<h1>模拟支付（演示）</h1><p>订单 {{.P.Reference}}，户号 {{.P.Account}}，金额 {{.Amount}}，状态 {{.P.Status}}，有效期至 {{.Expires}}</p>
{{if eq .P.Status "pending"}}<form method="post"><button>确认支付</button></form>{{end}}`))
