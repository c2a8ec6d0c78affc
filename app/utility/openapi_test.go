package utility_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/utility"
	sim "github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// docPath is the prose beside the YAML: its tables of calls and of error statuses are
// held to the YAML and to the simulator too.
const docPath = "../../docs/utility-api.md"

// notUsed are the operations of the YAML the kiosk does not call, each with the reason;
// any other operation must be exercised by TestOpenAPIConformance.
var notUsed = map[string]string{}

// kindOp is the operation a submission of each kind is posted to: what a submission
// record's response is checked against.
var kindOp = map[utility.Kind]string{
	utility.KindApplication:   "createApplication",
	utility.KindTransfer:      "createTransfer",
	utility.KindEvaluation:    "createEvaluation",
	utility.KindPayment:       "createPayment",
	utility.KindCancelPayment: "cancelPayment",
}

// Header formats the YAML's security schemes and Idempotency-Key describe in prose.
var headerFormat = map[string]*regexp.Regexp{
	"x-kiosk-timestamp": regexp.MustCompile(`^[0-9]{1,19}$`),
	"x-kiosk-signature": regexp.MustCompile(`^KIOSK-HMAC-SHA256 [0-9a-f]{64}$`),
	"idempotency-key":   regexp.MustCompile(`^"[\x21\x23-\x5b\x5d-\x7e]{1,255}"$`),
}

type exchange struct {
	step         string
	method, path string
	header       http.Header
	body         []byte
	status       int
	respHeader   http.Header
	respBody     []byte
}

// recorder sees every request the reference client sends and every answer it gets, as
// they cross the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	step string
	got  []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	r.mu.Lock()
	r.got = append(r.got, exchange{step: r.step, method: req.Method, path: req.URL.EscapedPath(), header: req.Header.Clone(),
		body: body, status: resp.StatusCode, respHeader: resp.Header.Clone(), respBody: data})
	r.mu.Unlock()
	return resp, nil
}

// world is what the scenario's steps share: clients per utility and what earlier steps
// learnt.
type world struct {
	s       *sim.Server
	c       map[string]*utility.HTTPClient
	bad     *utility.HTTPClient // signs with the wrong secret
	limited *utility.HTTPClient // electricity of a simulator that allows payments up to 1 fen
	bills   map[string][]utility.Bill
	payment string
	app     string
	toRate  string
}

var (
	li    = sim.DemoIdentities[1] // unpaid electricity and water bills
	zhang = sim.DemoIdentities[0] // a finished application to rate
	chen  = sim.DemoIdentities[5] // no accounts
)

func num(id string, person int) string { return sim.AccountNumber(id, person) }

func unpaidOf(bills []utility.Bill) (ids []string, total utility.Fen) {
	for _, b := range bills {
		if !b.Paid {
			ids, total = append(ids, b.ID), total+b.Amount
		}
	}
	return ids, total
}

func (w *world) bill(id string, person int) (utility.Bill, error) {
	bills, err := w.c[id].Bills(context.Background(), num(id, person))
	if err == nil && len(bills) == 0 {
		err = errors.New("no bills")
	}
	w.bills[id] = bills
	if err != nil {
		return utility.Bill{}, err
	}
	return bills[0], nil
}

func newApplication(ref string) utility.Application {
	return utility.Application{KioskRef: ref, Service: "new_connection",
		Applicant: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone},
		Address:   chen.Address, Fields: map[string]string{"voltage": "low", "capacity_kw": "12"}, JointRef: "J" + ref}
}

// step drives one client method; want is the error kind it must end in (nil: success),
// status the HTTP status of that error when it matters.
type step struct {
	name   string
	method string // of utility.Client
	run    func(ctx context.Context, w *world) error
	want   error
	status int
}

var steps = []step{
	{name: "accounts of a person", method: "AccountsByIdentity", run: func(ctx context.Context, w *world) error {
		accs, err := w.c[utility.Electricity].AccountsByIdentity(ctx, utility.Identity{IDNumber: li.IDNumber, Name: li.Name})
		if err == nil && len(accs) != 1 {
			err = fmt.Errorf("%d accounts", len(accs))
		}
		return err
	}},
	{name: "no accounts", method: "AccountsByIdentity", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Water].AccountsByIdentity(ctx, utility.Identity{IDNumber: chen.IDNumber})
		return err
	}},
	{name: "accounts of a wrong ID number", method: "AccountsByIdentity", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Gas].AccountsByIdentity(ctx, utility.Identity{IDNumber: "420702198506150011"})
		return err
	}},
	{name: "account by number", method: "Account", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Broadband].Account(ctx, num(utility.Broadband, 0))
		return err
	}},
	{name: "unknown account", method: "Account", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].Account(ctx, "3100999999")
		return err
	}},
	{name: "electricity bills, one with its 能效 detail", method: "Bill", run: func(ctx context.Context, w *world) error {
		b, err := w.bill(utility.Electricity, 1)
		if err != nil {
			return err
		}
		b, err = w.c[utility.Electricity].Bill(ctx, num(utility.Electricity, 1), b.ID)
		if err == nil && (b.Efficiency == nil || len(b.Tiers) == 0) {
			err = fmt.Errorf("bill without tiers or 能效 detail: %+v", b)
		}
		return err
	}},
	{name: "water bills, one with its fees", method: "Bills", run: func(ctx context.Context, w *world) error {
		b, err := w.bill(utility.Water, 1)
		if err != nil {
			return err
		}
		b, err = w.c[utility.Water].Bill(ctx, num(utility.Water, 1), b.ID)
		if err == nil && len(b.Fees) == 0 {
			err = fmt.Errorf("water bill without fees: %+v", b)
		}
		return err
	}},
	{name: "unknown bill", method: "Bill", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Gas].Bill(ctx, num(utility.Gas, 1), "G-190001")
		return err
	}},
	{name: "payment of the wrong amount", method: "CreatePayment", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		ids, total := unpaidOf(w.bills[utility.Electricity])
		_, err := w.c[utility.Electricity].CreatePayment(ctx, "pay-0", utility.PaymentRequest{KioskRef: "K260612000001", Account: num(utility.Electricity, 1), Bills: ids, Amount: total + 1})
		return err
	}},
	{name: "payment over the limit", method: "CreatePayment", want: utility.ErrLimitExceeded, status: 422, run: func(ctx context.Context, w *world) error {
		ids, total := unpaidOf(w.bills[utility.Electricity])
		_, err := w.limited.CreatePayment(ctx, "pay-9", utility.PaymentRequest{KioskRef: "K260612000099", Account: num(utility.Electricity, 1), Bills: ids, Amount: total})
		return err
	}},
	{name: "payment order", method: "CreatePayment", run: func(ctx context.Context, w *world) error {
		ids, total := unpaidOf(w.bills[utility.Electricity])
		p, err := w.c[utility.Electricity].CreatePayment(ctx, "pay-1", utility.PaymentRequest{KioskRef: "K260612000002", Account: num(utility.Electricity, 1), Bills: ids, Amount: total})
		w.payment = p.Reference
		return err
	}},
	{name: "payment pending, then paid", method: "Payment", run: func(ctx context.Context, w *world) error {
		c := w.c[utility.Electricity]
		if p, err := c.Payment(ctx, w.payment); err != nil || p.Status != utility.PaymentPending {
			return fmt.Errorf("before paying: %+v, %v", p, err)
		}
		if _, err := w.s.Pay(utility.Electricity, w.payment); err != nil {
			return err
		}
		p, err := c.Payment(ctx, w.payment)
		if err == nil && (p.Status != utility.PaymentPaid || p.ReceiptNo == "" || p.Invoice == "" || p.PaidAt.IsZero()) {
			err = fmt.Errorf("after paying: %+v", p)
		}
		return err
	}},
	{name: "unknown payment", method: "Payment", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Water].Payment(ctx, "ZF26061299999")
		return err
	}},
	{name: "cancel a paid order", method: "CancelPayment", want: utility.ErrRejected, status: 409, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].CancelPayment(ctx, "cancel-0", utility.Cancellation{KioskRef: "K260612000003", Payment: w.payment})
		return err
	}},
	{name: "cancel a pending order", method: "CancelPayment", run: func(ctx context.Context, w *world) error {
		c := w.c[utility.Water]
		ids, total := unpaidOf(w.bills[utility.Water])
		p, err := c.CreatePayment(ctx, "pay-2", utility.PaymentRequest{KioskRef: "K260612000004", Account: num(utility.Water, 1), Bills: ids, Amount: total})
		if err != nil {
			return err
		}
		p, err = c.CancelPayment(ctx, "cancel-1", utility.Cancellation{KioskRef: "K260612000005", Payment: p.Reference})
		if err == nil && p.Status != utility.PaymentCancelled {
			err = fmt.Errorf("after cancelling: %+v", p)
		}
		return err
	}},
	{name: "transfer refused for unpaid bills", method: "SubmitTransfer", want: utility.ErrUnpaidBills, status: 409, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Water].SubmitTransfer(ctx, "tr-0", utility.Transfer{KioskRef: "K260612000006", Account: num(utility.Water, 1),
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: "鄂(2019)梁子湖区不动产权第" + sim.PropertyCert(1) + "号"})
		if utility.Owed(err) <= 0 {
			return fmt.Errorf("no amount owed: %w", err)
		}
		return err
	}},
	{name: "transfer", method: "SubmitTransfer", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Gas].SubmitTransfer(ctx, "tr-1", utility.Transfer{KioskRef: "K260612000007", Account: num(utility.Gas, 1),
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: sim.PropertyCert(1), JointRef: "J1"})
		return err
	}},
	{name: "transfer naming another home's certificate", method: "SubmitTransfer", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Gas].SubmitTransfer(ctx, "tr-2", utility.Transfer{KioskRef: "K260612000027", Account: num(utility.Gas, 0),
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: sim.PropertyCert(1)})
		return err
	}},
	{name: "transfer judged before its bills are paid", method: "CheckTransfer", run: func(ctx context.Context, w *world) error {
		// 李四's water account has unpaid bills: the check does not judge them.
		return w.c[utility.Water].CheckTransfer(ctx, utility.Transfer{Account: num(utility.Water, 1),
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: sim.PropertyCert(1)})
	}},
	{name: "transfer judged: another home's certificate", method: "CheckTransfer", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		err := w.c[utility.Water].CheckTransfer(ctx, utility.Transfer{Account: num(utility.Water, 1),
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: sim.PropertyCert(0)})
		if utility.Problem(err) != utility.ProblemCertificate || utility.Own(err) == "" {
			return fmt.Errorf("not a refusal of the certificate in the utility's words: %w", err)
		}
		return err
	}},
	{name: "transfer judged: another under way", method: "CheckTransfer", want: utility.ErrRejected, status: 409, run: func(ctx context.Context, w *world) error {
		// Gas account 1 was transferred (accepted) by the step "transfer".
		return w.c[utility.Gas].CheckTransfer(ctx, utility.Transfer{Account: num(utility.Gas, 1),
			NewHolder: utility.Contact{Name: zhang.Name, IDNumber: zhang.IDNumber, Phone: zhang.Phone}, PropertyCert: sim.PropertyCert(1)})
	}},
	{name: "transfer judged: unknown account", method: "CheckTransfer", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		return w.c[utility.Electricity].CheckTransfer(ctx, utility.Transfer{Account: "3100999999",
			NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}, PropertyCert: sim.PropertyCert(1)})
	}},
	{name: "new connection", method: "SubmitApplication", run: func(ctx context.Context, w *world) error {
		a, err := w.c[utility.Electricity].SubmitApplication(ctx, "app-1", newApplication("K260612000008"))
		w.app = a.Reference
		return err
	}},
	{name: "capacity change of an account", method: "SubmitApplication", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].SubmitApplication(ctx, "app-2", utility.Application{KioskRef: "K260612000009", Service: "capacity_change",
			Applicant: utility.Contact{Name: li.Name, IDNumber: li.IDNumber, Phone: li.Phone}, Account: num(utility.Electricity, 1),
			Fields: map[string]string{"voltage": "low", "capacity_kw": "16"}})
		return err
	}},
	{name: "application the utility refuses", method: "SubmitApplication", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		a := newApplication("K260612000010")
		a.Fields = map[string]string{"voltage": "high", "capacity_kva": "50000"}
		_, err := w.c[utility.Electricity].SubmitApplication(ctx, "app-3", a)
		return err
	}},
	{name: "progress", method: "Progress", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].Progress(ctx, w.app)
		return err
	}},
	{name: "unknown application", method: "Progress", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].Progress(ctx, "DL26061299999")
		return err
	}},
	{name: "applications of a person", method: "Applications", run: func(ctx context.Context, w *world) error {
		list, err := w.c[utility.Electricity].Applications(ctx, utility.Identity{IDNumber: zhang.IDNumber, Name: zhang.Name})
		for _, p := range list {
			if p.State == utility.StateDone && !p.Evaluated {
				w.toRate = p.Reference
			}
		}
		if err == nil && w.toRate == "" {
			err = fmt.Errorf("nothing to rate in %+v", list)
		}
		return err
	}},
	{name: "rating", method: "SubmitEvaluation", run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].SubmitEvaluation(ctx, "ev-1", utility.Evaluation{KioskRef: "K260612000011", Application: w.toRate,
			Level: utility.Dissatisfied, Reasons: []string{"办理时间长"}, Comment: "等了很久"})
		return err
	}},
	{name: "second rating", method: "SubmitEvaluation", want: utility.ErrRejected, status: 409, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].SubmitEvaluation(ctx, "ev-2", utility.Evaluation{KioskRef: "K260612000012", Application: w.toRate, Level: utility.VerySatisfied})
		return err
	}},
	{name: "forward a stored application", method: "Forward", run: func(ctx context.Context, w *world) error {
		body, _ := json.Marshal(newApplication("K260612000013"))
		_, err := w.c[utility.Water].Forward(ctx, utility.Submission{Kind: utility.KindApplication, KioskRef: "K260612000013", Key: "fw-1", Body: body})
		return err
	}},
	{name: "forward another body under the same key", method: "Forward", want: utility.ErrRejected, status: 422, run: func(ctx context.Context, w *world) error {
		body, _ := json.Marshal(newApplication("K260612000014"))
		_, err := w.c[utility.Water].Forward(ctx, utility.Submission{Kind: utility.KindApplication, KioskRef: "K260612000014", Key: "fw-1", Body: body})
		return err
	}},
	{name: "look up an accepted application", method: "Lookup", run: func(ctx context.Context, w *world) error {
		a, err := w.c[utility.Electricity].Lookup(ctx, "K260612000008", "app-1")
		if err == nil && a.Reference != w.app {
			err = fmt.Errorf("looked up %s, want %s", a.Reference, w.app)
		}
		return err
	}},
	{name: "look up a paid payment and a rating", method: "Lookup", run: func(ctx context.Context, w *world) error {
		if _, err := w.c[utility.Electricity].Lookup(ctx, "K260612000002", "pay-1"); err != nil {
			return err
		}
		_, err := w.c[utility.Electricity].Lookup(ctx, "K260612000011", "ev-1")
		return err
	}},
	{name: "look up a cancellation and a transfer", method: "Lookup", run: func(ctx context.Context, w *world) error {
		if _, err := w.c[utility.Water].Lookup(ctx, "K260612000005", "cancel-1"); err != nil {
			return err
		}
		_, err := w.c[utility.Gas].Lookup(ctx, "K260612000007", "tr-1")
		return err
	}},
	{name: "look up a refused transfer", method: "Lookup", want: utility.ErrUnpaidBills, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Water].Lookup(ctx, "K260612000006", "tr-0")
		return err
	}},
	{name: "look up what never arrived", method: "Lookup", want: utility.ErrNotFound, status: 404, run: func(ctx context.Context, w *world) error {
		_, err := w.c[utility.Electricity].Lookup(ctx, "K260612999999", "never")
		return err
	}},
	{name: "utility under maintenance", method: "Bills", want: utility.ErrUnavailable, status: 503, run: func(ctx context.Context, w *world) error {
		if err := w.s.SetFaults(utility.Gas, sim.Faults{ErrorRate: 1}); err != nil {
			return err
		}
		defer w.s.SetFaults(utility.Gas, sim.Faults{})
		_, err := w.c[utility.Gas].Bills(ctx, num(utility.Gas, 1))
		return err
	}},
	{name: "wrong signing secret", method: "Account", want: utility.ErrAuth, status: 401, run: func(ctx context.Context, w *world) error {
		_, err := w.bad.Account(ctx, num(utility.Electricity, 0))
		return err
	}},
}

// TestOpenAPIConformance drives every method of the reference client against the
// simulator and holds each request and answer on the wire to docs/utility-api.yaml.
func TestOpenAPIConformance(t *testing.T) {
	s := loadSpec(t)
	clk := clock.NewManual(time.Date(2026, 6, 12, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)))
	const kioskID = "LZH-TEST-01"
	kiosks := map[string]sim.Secrets{kioskID: nil}
	srv, err := sim.Start(sim.Options{Dir: t.TempDir(), Clock: clk, Kiosks: kiosks})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	rec := &recorder{next: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(rec.next.(*http.Transport).CloseIdleConnections)
	client := func(id string, secret []byte) *utility.HTTPClient {
		c, err := utility.NewHTTP(utility.Options{Utility: id, BaseURL: srv.BaseURL(id), KioskID: kioskID, Secret: secret,
			Timeout: 5 * time.Second, Clock: clk, Transport: rec})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w := &world{s: srv, c: map[string]*utility.HTTPClient{}, bills: map[string][]utility.Bill{},
		bad: client(utility.Electricity, []byte("not-the-secret-not-the-secret-not-the-secret"))}
	strict, err := sim.Start(sim.Options{Dir: t.TempDir(), Clock: clk, Kiosks: kiosks, Limits: sim.Limits{PerPayment: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { strict.Close() })
	w.limited, err = utility.NewHTTP(utility.Options{Utility: utility.Electricity, BaseURL: strict.BaseURL(utility.Electricity), KioskID: kioskID,
		Secret: utility.DemoSecret(utility.Electricity), Clock: clk, Transport: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sim.Utilities {
		w.c[id] = client(id, utility.DemoSecret(id))
		if got := strings.TrimPrefix(srv.BaseURL(id), "http://"); !strings.HasSuffix(got, s.base) || strings.Count(got, "/") != 1 {
			t.Fatalf("%s: base URL %s, the YAML's servers end in %s", id, srv.BaseURL(id), s.base)
		}
	}

	ctx := context.Background()
	driven := map[string]bool{}
	for _, st := range steps {
		rec.mu.Lock()
		rec.step = st.name
		rec.mu.Unlock()
		driven[st.method] = true
		err := st.run(ctx, w)
		var e *utility.Error
		switch {
		case st.want == nil && err != nil:
			t.Errorf("%s: %v", st.name, err)
		case st.want != nil && !errors.Is(err, st.want):
			t.Errorf("%s: %v, want %v", st.name, err, st.want)
		case st.status != 0 && (!errors.As(err, &e) || e.Status != st.status):
			t.Errorf("%s: %v, want HTTP %d", st.name, err, st.status)
		}
	}

	statuses := docStatuses(t)
	seen := map[string]map[string]bool{}
	for _, x := range rec.got {
		op := checkExchange(t, s, statuses, x)
		if op == nil {
			continue
		}
		if seen[op.id] == nil {
			seen[op.id] = map[string]bool{}
		}
		_, key := op.response(x.status)
		seen[op.id][key] = true
	}

	for _, op := range s.ops {
		why, skip := notUsed[op.id]
		switch {
		case skip && seen[op.id] != nil:
			t.Errorf("%s is listed as not used by the kiosk (%s), yet the client called it", op.id, why)
		case skip:
		case seen[op.id] == nil:
			t.Errorf("%s %s (%s) is documented but no client method calls it: implement it, or list it in notUsed with the reason", op.method, op.path, op.id)
		default:
			for code := range op.responses {
				if code != "default" && !seen[op.id][code] {
					t.Errorf("%s: the declared answer %s was never seen; add a step that gets it", op.id, code)
				}
			}
		}
	}
	for id := range notUsed {
		if s.op(id) == nil {
			t.Errorf("notUsed names %s, which the YAML does not have", id)
		}
	}
	ct := reflect.TypeFor[utility.Client]()
	for i := range ct.NumMethod() {
		if name := ct.Method(i).Name; name != "ID" && !driven[name] {
			t.Errorf("Client.%s is driven by no step: add one, so that its requests are checked", name)
		}
	}
}

// checkExchange reports where one request or its answer departs from the YAML; it
// returns the operation, nil when none matches.
func checkExchange(t *testing.T, s *spec, statuses map[string][]int, x exchange) *operation {
	t.Helper()
	errorf := func(format string, a ...any) {
		t.Errorf("%s: %s %s: %s", x.step, x.method, x.path, fmt.Sprintf(format, a...))
	}
	path, ok := strings.CutPrefix(x.path, s.base+"/")
	if !ok {
		errorf("not under the servers' base path %s", s.base)
		return nil
	}
	op, vars := s.find(x.method, "/"+path)
	if op == nil {
		errorf("no operation of the YAML matches")
		return nil
	}

	for _, p := range op.params {
		name := str(p["name"])
		switch str(p["in"]) {
		case "path":
			for _, e := range s.check(m(p["schema"]), vars[name], "path parameter "+name) {
				errorf("%s", e)
			}
		case "query":
			errorf("query parameter %s: the client sends no query", name)
		}
	}
	for _, h := range op.headers {
		if x.header.Get(h) == "" {
			errorf("required header %s is missing", h)
		}
	}
	for h, re := range headerFormat {
		if v := x.header.Get(h); v != "" && !re.MatchString(v) {
			errorf("header %s: %q is not of the documented form", h, v)
		}
	}
	if key := x.header.Get("Idempotency-Key") != ""; key != op.hasKey {
		errorf("Idempotency-Key sent: %v, declared by %s: %v", key, op.id, op.hasKey)
	}

	switch {
	case op.body == nil && len(x.body) > 0:
		errorf("a body, but %s declares none", op.id)
	case op.body != nil && len(x.body) == 0 && op.bodyRequired:
		errorf("no body, but %s requires one", op.id)
	case op.body != nil && len(x.body) > 0:
		if mt, _, _ := mime.ParseMediaType(x.header.Get("Content-Type")); mt != "application/json" {
			errorf("request Content-Type %q", x.header.Get("Content-Type"))
		}
		v, err := decodeJSON(x.body)
		if err != nil {
			errorf("request body: %v", err)
			break
		}
		for _, e := range s.check(op.body, v, "request") {
			errorf("%s", e)
		}
	}

	sch, key := op.response(x.status)
	switch {
	case key == "":
		errorf("answer %d is not declared by %s", x.status, op.id)
		return op
	case sch == nil:
		// Declared without content (204): nothing to read.
		if len(x.respBody) > 0 {
			errorf("answer %d has a body, which %s declares without content", x.status, op.id)
		}
		return op
	}
	if mt, _, _ := mime.ParseMediaType(x.respHeader.Get("Content-Type")); mt != "application/json" {
		errorf("answer Content-Type %q", x.respHeader.Get("Content-Type"))
	}
	v, err := decodeJSON(x.respBody)
	if err != nil {
		errorf("answer %d: %v", x.status, err)
		return op
	}
	for _, e := range s.check(sch, v, fmt.Sprintf("answer %d (%s)", x.status, key)) {
		errorf("%s", e)
	}
	if code := str(m(m(v)["error"])["code"]); code != "" && !slices.Contains(statuses[code], x.status) {
		errorf("error %s with status %d; docs/utility-api.md gives it %v", code, x.status, statuses[code])
	}
	if msg, ok := m(m(v)["error"])["message"].(string); ok && !citizenText(msg) {
		errorf("error message %q: the YAML wants Chinese text for the citizen, at most 200 characters", msg)
	}
	if op.id == "getSubmission" && x.status/100 == 2 {
		for _, e := range checkRecorded(s, v) {
			errorf("%s", e)
		}
	}
	return op
}

// citizenText is what ErrorBody's message promises: Chinese, shown as it is, so
// without control characters and at most 200 characters.
func citizenText(s string) bool {
	han := false
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
		han = han || unicode.Is(unicode.Han, r)
	}
	return han && utf8.RuneCountInString(s) <= 200
}

// checkRecorded holds the answer a submission record keeps to the operation its kind
// names: the answer of that operation for the recorded status.
func checkRecorded(s *spec, v any) []string {
	r := m(v)
	id, ok := kindOp[utility.Kind(str(r["kind"]))]
	if !ok {
		return []string{fmt.Sprintf("record of kind %v, which the test does not know", r["kind"])}
	}
	status, err := r["status"].(json.Number).Int64()
	if err != nil {
		return []string{fmt.Sprintf("record status %v", r["status"])}
	}
	sch, key := s.op(id).response(int(status))
	if sch == nil {
		return []string{fmt.Sprintf("record of %s with status %d, which %s does not declare", r["kind"], status, id)}
	}
	return s.check(sch, r["response"], fmt.Sprintf("record.response (%s %s)", id, key))
}

// TestOpenAPIKinds ties the kinds of submission to the YAML: each posts to an operation
// with an Idempotency-Key, a submission record names it, and no other operation takes a
// key.
func TestOpenAPIKinds(t *testing.T) {
	s := loadSpec(t)
	rec := s.resolve(s.pointer("#/components/schemas/SubmissionRecord"))
	var enum []string
	for _, e := range list(m(m(rec["properties"])["kind"])["enum"]) {
		enum = append(enum, str(e))
	}
	var kinds []string
	for _, k := range utility.Kinds {
		kinds = append(kinds, string(k))
		if s.op(kindOp[k]) == nil {
			t.Errorf("kind %s: no operation %q in the YAML", k, kindOp[k])
		}
	}
	slices.Sort(enum)
	slices.Sort(kinds)
	if !slices.Equal(enum, kinds) {
		t.Errorf("SubmissionRecord.kind is %v, the client's kinds are %v", enum, kinds)
	}
	for _, op := range s.ops {
		keyed := slices.Contains(slices.Collect(mapValues(kindOp)), op.id)
		if op.hasKey != keyed {
			t.Errorf("%s: Idempotency-Key declared %v, state-changing (a kind of submission) %v", op.id, op.hasKey, keyed)
		}
		if keyed && op.method != http.MethodPost {
			t.Errorf("%s: a submission is posted, not %s", op.id, op.method)
		}
	}

	codes := []string{utility.CodeValidation, utility.CodeNotFound, utility.CodeUnpaidBills, utility.CodeLimitExceeded,
		utility.CodeAlreadyDone, utility.CodeBadSignature, utility.CodeKeyMissing, utility.CodeKeyReused,
		utility.CodeInProgress, utility.CodeRateLimited, utility.CodeUnavailable, utility.CodeInternal}
	eb := s.resolve(s.pointer("#/components/schemas/ErrorBody"))
	var declared []string
	for _, e := range list(m(m(m(m(eb["properties"])["error"])["properties"])["code"])["enum"]) {
		declared = append(declared, str(e))
	}
	slices.Sort(codes)
	slices.Sort(declared)
	if !slices.Equal(codes, declared) {
		t.Errorf("ErrorBody's codes are %v, the client's %v", declared, codes)
	}
}

// modelOf is the Go type of each component schema the client encodes or decodes. The
// client's own list wrappers, error body and submission record are unexported: a
// utility answering from the YAML alone checks them (TestOpenAPIYAMLUtility).
var modelOf = map[string]reflect.Type{
	"Identity":          reflect.TypeFor[utility.Identity](),
	"Account":           reflect.TypeFor[utility.Account](),
	"TierLine":          reflect.TypeFor[utility.TierLine](),
	"FeeLine":           reflect.TypeFor[utility.FeeLine](),
	"Efficiency":        reflect.TypeFor[utility.Efficiency](),
	"Bill":              reflect.TypeFor[utility.Bill](),
	"PaymentRequest":    reflect.TypeFor[utility.PaymentRequest](),
	"Payment":           reflect.TypeFor[utility.Payment](),
	"Cancellation":      reflect.TypeFor[utility.Cancellation](),
	"Contact":           reflect.TypeFor[utility.Contact](),
	"Application":       reflect.TypeFor[utility.Application](),
	"Step":              reflect.TypeFor[utility.Step](),
	"Acceptance":        reflect.TypeFor[utility.Acceptance](),
	"Progress":          reflect.TypeFor[utility.Progress](),
	"Transfer":          reflect.TypeFor[utility.Transfer](),
	"Evaluation":        reflect.TypeFor[utility.Evaluation](),
	"EvaluationReceipt": reflect.TypeFor[utility.EvaluationReceipt](),
}

var scalarOf = map[reflect.Type]string{
	reflect.TypeFor[utility.Fen]():      "Fen",
	reflect.TypeFor[utility.Quantity](): "Milli",
	reflect.TypeFor[utility.Price]():    "Price",
}

var unmodelled = map[string]string{
	"ErrorBody":        "the client's errorBody is unexported; TestOpenAPIYAMLUtility and the simulator's errors check it",
	"SubmissionRecord": "the client's submissionRecord is unexported; TestOpenAPIYAMLUtility checks it",
	"IDNumber":         "a string (Identity's and Contact's id_number); the simulator holds it to the pattern (ValidIDNumber)",
}

// TestOpenAPIModel holds the model's JSON fields to the schemas one for one: a field the
// client sends or reads that the YAML does not declare, or the other way round, is drift.
func TestOpenAPIModel(t *testing.T) {
	s := loadSpec(t)
	schemas := m(m(s.root["components"])["schemas"])
	for _, name := range sortedKeys(schemas) {
		typ, ok := modelOf[name]
		if !ok {
			if !slices.Contains(slices.Collect(mapValues(scalarOf)), name) && unmodelled[name] == "" {
				t.Errorf("schema %s has no Go type in modelOf", name)
			}
			continue
		}
		sch := s.resolve(m(schemas[name]))
		props := m(sch["properties"])
		fields := jsonFields(typ)
		for _, f := range sortedKeys(fields) {
			p, ok := props[f]
			if !ok {
				t.Errorf("%s.%s (Go %s) is not declared in the YAML", name, f, typ.Name())
				continue
			}
			if err := s.goMatches(fields[f].typ, m(p)); err != nil {
				t.Errorf("%s.%s: %v", name, f, err)
			}
		}
		for _, p := range sortedKeys(props) {
			if _, ok := fields[p]; !ok {
				t.Errorf("%s.%s is declared in the YAML but the Go type %s has no such field", name, p, typ.Name())
			}
		}
		for _, r := range list(sch["required"]) {
			if f, ok := fields[str(r)]; ok && f.omit {
				t.Errorf("%s.%s is required, but Go omits it when empty", name, str(r))
			}
		}
	}
	for name := range modelOf {
		if schemas[name] == nil {
			t.Errorf("modelOf names %s, which the YAML does not have", name)
		}
	}
}

func mapValues[K comparable, V any](mp map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range mp {
			if !yield(v) {
				return
			}
		}
	}
}

type goField struct {
	typ  reflect.Type
	omit bool
}

func jsonFields(t reflect.Type) map[string]goField {
	out := map[string]goField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = goField{typ: f.Type, omit: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")}
	}
	return out
}

// goMatches says whether a Go field's type encodes as the property's schema: the same
// JSON type, the model's own schema for a nested type, Fen/Milli/Price for money and
// quantities.
func (s *spec) goMatches(t reflect.Type, p obj) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ref := refName(p)
	r := s.resolve(p)
	typ := str(r["type"])
	if want, ok := scalarOf[t]; ok && ref != want {
		return fmt.Errorf("Go %s, schema $ref %q, want %s", t.Name(), ref, want)
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		if typ != "string" || str(r["format"]) != "date-time" {
			return fmt.Errorf("a time, declared %s %s", typ, str(r["format"]))
		}
		return nil
	case t.Kind() == reflect.Struct:
		if modelOf[ref] != t {
			return fmt.Errorf("Go %s, schema $ref %q", t.Name(), ref)
		}
		return nil
	case t.Kind() == reflect.Slice:
		if typ != "array" {
			return fmt.Errorf("a list, declared %q", typ)
		}
		return s.goMatches(t.Elem(), m(r["items"]))
	case t.Kind() == reflect.Map:
		ap := m(r["additionalProperties"])
		if typ != "object" || ap == nil {
			return fmt.Errorf("a map, declared %q without additionalProperties", typ)
		}
		return s.goMatches(t.Elem(), ap)
	case t.Kind() == reflect.String:
		if typ != "string" {
			return fmt.Errorf("a string, declared %q", typ)
		}
	case t.Kind() == reflect.Bool:
		if typ != "boolean" {
			return fmt.Errorf("a boolean, declared %q", typ)
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		if typ != "integer" {
			return fmt.Errorf("an integer, declared %q", typ)
		}
	default:
		return fmt.Errorf("Go kind %s is not checked", t.Kind())
	}
	return nil
}

// example is a value of a schema written from the YAML alone: the required fields only,
// or every declared field (full), with the first enum value, the example, or a plain value.
func (s *spec) example(p obj, full bool) any {
	r := s.resolve(p)
	if ex, ok := r["example"]; ok && str(r["type"]) != "object" && str(r["type"]) != "array" {
		return ex
	}
	if enum := list(r["enum"]); len(enum) > 0 {
		return enum[0]
	}
	switch str(r["type"]) {
	case "object":
		out := map[string]any{}
		props := m(r["properties"])
		for _, k := range sortedKeys(props) {
			if full || slices.Contains(list(r["required"]), any(k)) {
				out[k] = s.example(m(props[k]), full)
			}
		}
		if ap := m(r["additionalProperties"]); ap != nil && full {
			out["k"] = s.example(ap, full)
		}
		return out
	case "array":
		return []any{s.example(m(r["items"]), full)}
	case "string":
		if str(r["format"]) == "date-time" {
			return "2026-06-12T09:30:00+08:00"
		}
		return "A1"
	case "integer", "number":
		if min, ok := number(r["minimum"]); ok {
			return min
		}
		return 1
	case "boolean":
		return true
	}
	return nil
}

var yamlCalls = map[string]func(ctx context.Context, c *utility.HTTPClient) error{
	"searchAccounts": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.AccountsByIdentity(ctx, utility.Identity{IDNumber: li.IDNumber})
		return err
	},
	"getAccount": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.Account(ctx, "3100001001")
		return err
	},
	"listBills": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.Bills(ctx, "3100001001")
		return err
	},
	"getBill": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.Bill(ctx, "3100001001", "E-202605")
		return err
	},
	"createPayment": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.CreatePayment(ctx, "k1", utility.PaymentRequest{KioskRef: "K1", Account: "3100001001", Bills: []string{"E-202605"}, Amount: 1})
		return err
	},
	"getPayment": func(ctx context.Context, c *utility.HTTPClient) error { _, err := c.Payment(ctx, "ZF1"); return err },
	"cancelPayment": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.CancelPayment(ctx, "k2", utility.Cancellation{KioskRef: "K2", Payment: "ZF1"})
		return err
	},
	"createApplication": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.SubmitApplication(ctx, "k3", newApplication("K3"))
		return err
	},
	"searchApplications": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.Applications(ctx, utility.Identity{IDNumber: li.IDNumber})
		return err
	},
	"getApplication": func(ctx context.Context, c *utility.HTTPClient) error { _, err := c.Progress(ctx, "DL1"); return err },
	"createTransfer": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.SubmitTransfer(ctx, "k4", utility.Transfer{KioskRef: "K4", Account: "3100001001", NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}})
		return err
	},
	"checkTransfer": func(ctx context.Context, c *utility.HTTPClient) error {
		return c.CheckTransfer(ctx, utility.Transfer{Account: "3100001001", NewHolder: utility.Contact{Name: chen.Name, IDNumber: chen.IDNumber, Phone: chen.Phone}})
	},
	"createEvaluation": func(ctx context.Context, c *utility.HTTPClient) error {
		_, err := c.SubmitEvaluation(ctx, "k5", utility.Evaluation{KioskRef: "K5", Application: "DL1", Level: utility.VerySatisfied})
		return err
	},
	"getSubmission": func(ctx context.Context, c *utility.HTTPClient) error {
		for _, k := range utility.Kinds {
			if _, err := c.Lookup(ctx, "K-"+string(k), yamlKey); err != nil {
				return fmt.Errorf("record of a %s: %w", k, err)
			}
		}
		return nil
	},
}

const yamlKey = "k6"

// TestOpenAPIYAMLUtility is a utility written from the YAML alone: it answers every
// operation with the least the YAML requires, then with everything it declares. The
// reference client must take both: it may not need a field the YAML leaves optional,
// nor trip on a declared field's type.
func TestOpenAPIYAMLUtility(t *testing.T) {
	s := loadSpec(t)
	for _, full := range []bool{false, true} {
		t.Run(map[bool]string{false: "required fields", true: "every field"}[full], func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				op, vars := s.find(r.Method, strings.TrimPrefix(r.URL.EscapedPath(), s.base))
				if op == nil {
					http.Error(w, "no such operation", http.StatusNotFound)
					return
				}
				var asked map[string]any
				_ = json.NewDecoder(r.Body).Decode(&asked)
				if _, ok := op.responses["204"]; ok {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				var v any = s.example(op.responses["200"], full)
				// The answer is about what was asked, as the YAML says: the account, bill,
				// order or application asked about, the order cancelled, the account, bills
				// and amount paid, the service applied for, the request's own kiosk_ref.
				answer, _ := v.(map[string]any)
				switch op.id {
				case "getAccount":
					about(answer, "number", vars["number"])
				case "listBills":
					for _, b := range list(answer["bills"]) {
						about(m(b), "account", vars["number"])
					}
				case "getBill":
					about(answer, "id", vars["bill"], "account", vars["number"])
				case "getPayment", "getApplication":
					about(answer, "reference", vars["ref"])
				case "cancelPayment":
					about(answer, "reference", asked["payment"])
				case "createPayment":
					about(answer, "account", asked["account"], "bills", asked["bills"], "amount_fen", asked["amount_fen"])
				case "createApplication":
					about(answer, "service", asked["service"])
				case "getSubmission":
					// The record's response is the answer of the kind's operation, which
					// its schema (any object) cannot say.
					kind := strings.TrimPrefix(vars["kiosk_ref"], "K-")
					response := s.example(s.op(kindOp[utility.Kind(kind)]).responses["200"], full).(map[string]any)
					about(response, "kiosk_ref", vars["kiosk_ref"])
					rec := map[string]any{"kind": kind, "status": 200, "response": response}
					if full {
						rec["idempotency_key"] = yamlKey
					}
					v = rec
				}
				if op.id != "cancelPayment" {
					about(answer, "kiosk_ref", asked["kiosk_ref"])
				}
				body, _ := json.Marshal(v)
				dv, _ := decodeJSON(body)
				for _, e := range s.check(op.responses["200"], dv, op.id+" example") {
					t.Errorf("the test's own example does not fit the YAML: %s", e)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer ts.Close()
			c, err := utility.NewHTTP(utility.Options{Utility: utility.Electricity, BaseURL: ts.URL + s.base, KioskID: "LZH-TEST-01",
				Secret: utility.DemoSecret(utility.Electricity), Transport: ts.Client().Transport})
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range s.ops {
				call, ok := yamlCalls[op.id]
				if !ok {
					if _, skip := notUsed[op.id]; !skip {
						t.Errorf("%s: no call in yamlCalls", op.id)
					}
					continue
				}
				if err := call(context.Background(), c); err != nil {
					t.Errorf("%s: the client refused an answer the YAML allows: %v", op.id, err)
				}
			}
			// The outbox forwards stored bodies and reads only the reference back.
			for _, k := range utility.Kinds {
				_, err := c.Forward(context.Background(), utility.Submission{Kind: k, KioskRef: "K7", Key: "k7", Body: []byte(`{"kiosk_ref":"K7"}`)})
				if err != nil {
					t.Errorf("forward a %s: the client refused an answer the YAML allows: %v", k, err)
				}
			}
		})
	}
}

// about sets, in an example answer, each field of fieldValues (field, value, field,
// value, …) that the answer has to the value asked, and leaves out what it has not: an
// answer about what was asked, with no more fields than the example's.
func about(answer map[string]any, fieldValues ...any) {
	for i := 0; i+1 < len(fieldValues); i += 2 {
		k := fieldValues[i].(string)
		if _, ok := answer[k]; ok && fieldValues[i+1] != nil {
			answer[k] = fieldValues[i+1]
		}
	}
}

// TestOpenAPIDocTable holds the table of calls in docs/utility-api.md to the YAML's
// operations: the same methods and paths, state-changing exactly where a key is declared.
func TestOpenAPIDocTable(t *testing.T) {
	s := loadSpec(t)
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\|[^|]*\\| `(GET|POST|PUT|PATCH|DELETE) (/[^` ]*)`[^|]*\\| (yes|no) \\|$")
	documented := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		mt := row.FindStringSubmatch(strings.TrimSpace(line))
		if mt == nil {
			continue
		}
		op, _ := s.find(mt[1], mt[2])
		if op == nil || op.path != mt[2] {
			t.Errorf("docs/utility-api.md: %s %s is not an operation of the YAML", mt[1], mt[2])
			continue
		}
		documented[op.id] = true
		if op.hasKey != (mt[3] == "yes") {
			t.Errorf("docs/utility-api.md: %s %s state-changing %q, the YAML declares a key: %v", mt[1], mt[2], mt[3], op.hasKey)
		}
	}
	for _, op := range s.ops {
		if !documented[op.id] {
			t.Errorf("%s %s is in the YAML but not in docs/utility-api.md's table of calls", op.method, op.path)
		}
	}
}

// docStatuses reads the statuses docs/utility-api.md gives each error code: its table of
// answers and errors, and its table of idempotency answers.
func docStatuses(t *testing.T) map[string][]int {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	errRow := regexp.MustCompile("^\\| ((?:`[a-z_]+`(?:, )?)+) \\| ([0-9][0-9 ,()]*) \\|")
	keyRow := regexp.MustCompile("^\\|[^|]*\\| `([0-9]{3})` `([a-z_]+)` \\|$")
	word := regexp.MustCompile("[a-z_]+|[0-9]{3}")
	out := map[string][]int{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if mt := keyRow.FindStringSubmatch(line); mt != nil {
			var n int
			fmt.Sscan(mt[1], &n)
			out[mt[2]] = append(out[mt[2]], n)
			continue
		}
		mt := errRow.FindStringSubmatch(line)
		if mt == nil {
			continue
		}
		codes := word.FindAllString(mt[1], -1)
		var nums []int
		for _, w := range word.FindAllString(mt[2], -1) {
			var n int
			fmt.Sscan(w, &n)
			nums = append(nums, n)
		}
		// "`a`, `b` | 409, 429" pairs them; "`a` | 503 (502, 504)" allows them all.
		pairs := len(codes) > 1 && len(codes) == len(nums)
		for i, c := range codes {
			if pairs {
				out[c] = append(out[c], nums[i])
			} else {
				out[c] = append(out[c], nums...)
			}
		}
	}
	return out
}

// TestOpenAPIErrorCodes: every error code of the YAML has its statuses in
// docs/utility-api.md, and the docs name no other code.
func TestOpenAPIErrorCodes(t *testing.T) {
	s := loadSpec(t)
	eb := s.resolve(s.pointer("#/components/schemas/ErrorBody"))
	var declared []string
	for _, e := range list(m(m(m(m(eb["properties"])["error"])["properties"])["code"])["enum"]) {
		declared = append(declared, str(e))
	}
	statuses := docStatuses(t)
	for _, c := range declared {
		if len(statuses[c]) == 0 {
			t.Errorf("error code %s has no status in docs/utility-api.md", c)
		}
	}
	for c := range statuses {
		if !slices.Contains(declared, c) {
			t.Errorf("docs/utility-api.md gives a status to %s, which the YAML's ErrorBody does not declare", c)
		}
	}
}

// TestOpenAPIExamples: every example in the YAML fits the schema it illustrates.
func TestOpenAPIExamples(t *testing.T) {
	s := loadSpec(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ex, ok := x["example"]; ok && x["type"] != nil {
				data, err := json.Marshal(ex)
				if err != nil {
					t.Fatalf("%s: example: %v", at, err)
				}
				jv, _ := decodeJSON(data)
				for _, e := range s.check(x, jv, at+".example") {
					t.Error(e)
				}
			}
			for _, k := range sortedKeys(x) {
				walk(x[k], at+"."+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
	walk(s.root, "$")
}
