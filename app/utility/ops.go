package utility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Answers check that what a utility calls success carries what the kiosk needs.
func (a *Account) validate() error { return need(a.Number, "number") }
func (b *Bill) validate() error    { return need(b.ID, "id") }
func (p *Payment) validate() error {
	if err := need(p.Reference, "reference"); err != nil {
		return err
	}
	return need(p.Status, "status")
}
func (a *Acceptance) validate() error        { return need(a.Reference, "reference") }
func (p *Progress) validate() error          { return need(p.Reference, "reference") }
func (r *EvaluationReceipt) validate() error { return need(r.Reference, "reference") }

func (l *accountList) validate() error { return each(l.Accounts) }
func (l *billList) validate() error    { return each(l.Bills) }
func (l *progressList) validate() error {
	return each(l.Applications)
}

func need(v, field string) error {
	if v == "" {
		return fmt.Errorf("answer without %s", field)
	}
	return nil
}

func each[T any, P interface {
	*T
	validator
}](s []T) error {
	for i := range s {
		if err := P(&s[i]).validate(); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

type accountList struct {
	Accounts []Account `json:"accounts"`
}
type billList struct {
	Bills []Bill `json:"bills"`
}
type progressList struct {
	Applications []Progress `json:"applications"`
}

// seg escapes s as one path segment, dots too: a reference can never be "." or "..",
// which a proxy on the way would resolve to another path.
func seg(s string) string { return strings.ReplaceAll(url.PathEscape(s), ".", "%2E") }

// AccountsByIdentity implements Client. The identity goes in the body, never the URL.
// Nothing in the answer names the citizen; an account of another utility is not taken.
func (c *HTTPClient) AccountsByIdentity(ctx context.Context, id Identity) ([]Account, error) {
	l, err := read(ctx, c, "accounts.search", http.MethodPost, "/accounts/search", id, func(l *accountList) []about {
		return aboutEach(l.Accounts, func(a Account) about { return about{"utility", a.Utility, c.o.Utility} })
	})
	return l.Accounts, err
}

// Account implements Client. The answer must be the account asked for, at this utility.
func (c *HTTPClient) Account(ctx context.Context, number string) (Account, error) {
	return read(ctx, c, "accounts.get", http.MethodGet, "/accounts/"+seg(number), nil, func(a *Account) []about {
		return []about{{"account", a.Number, number}, {"utility", a.Utility, c.o.Utility}}
	})
}

// Bills implements Client. Every bill must be the account's asked about.
func (c *HTTPClient) Bills(ctx context.Context, account string) ([]Bill, error) {
	l, err := read(ctx, c, "bills.list", http.MethodGet, "/accounts/"+seg(account)+"/bills", nil, func(l *billList) []about {
		return aboutEach(l.Bills, func(b Bill) about { return about{"account", b.Account, account} })
	})
	return l.Bills, err
}

// Bill implements Client. The answer must be the bill asked for, of the account asked
// about.
func (c *HTTPClient) Bill(ctx context.Context, account, billID string) (Bill, error) {
	return read(ctx, c, "bills.get", http.MethodGet, "/accounts/"+seg(account)+"/bills/"+seg(billID), nil, func(b *Bill) []about {
		return []about{{"bill", b.ID, billID}, {"account", b.Account, account}}
	})
}

// CreatePayment implements Client.
func (c *HTTPClient) CreatePayment(ctx context.Context, key string, p PaymentRequest) (Payment, error) {
	var out Payment
	err := c.submit(ctx, "payments.create", KindPayment, key, p, &out)
	return out, err
}

// Payment implements Client. An answer about another order than reference is a bad
// answer: taken, it would show (and print as paid) someone else's order.
func (c *HTTPClient) Payment(ctx context.Context, reference string) (Payment, error) {
	return read(ctx, c, "payments.get", http.MethodGet, "/payments/"+seg(reference), nil, func(p *Payment) []about {
		return []about{{"order", p.Reference, reference}}
	})
}

// CancelPayment implements Client.
func (c *HTTPClient) CancelPayment(ctx context.Context, key string, x Cancellation) (Payment, error) {
	var out Payment
	err := c.submit(ctx, "payments.cancel", KindCancelPayment, key, x, &out)
	return out, err
}

// SubmitApplication implements Client.
func (c *HTTPClient) SubmitApplication(ctx context.Context, key string, a Application) (Acceptance, error) {
	var out Acceptance
	err := c.submit(ctx, "applications.create", KindApplication, key, a, &out)
	return out, err
}

// Progress implements Client. The answer must be the application asked about, at this
// utility: the kiosk asks every utility for a number typed, and shows the first answer.
func (c *HTTPClient) Progress(ctx context.Context, reference string) (Progress, error) {
	return read(ctx, c, "applications.get", http.MethodGet, "/applications/"+seg(reference), nil, func(p *Progress) []about {
		return []about{{"application", p.Reference, reference}, {"utility", p.Utility, c.o.Utility}}
	})
}

// Applications implements Client. Nothing in the answer names the citizen; an
// application at another utility is not taken.
func (c *HTTPClient) Applications(ctx context.Context, id Identity) ([]Progress, error) {
	l, err := read(ctx, c, "applications.search", http.MethodPost, "/applications/search", id, func(l *progressList) []about {
		return aboutEach(l.Applications, func(p Progress) about { return about{"utility", p.Utility, c.o.Utility} })
	})
	return l.Applications, err
}

// SubmitTransfer implements Client.
func (c *HTTPClient) SubmitTransfer(ctx context.Context, key string, t Transfer) (Acceptance, error) {
	var out Acceptance
	err := c.submit(ctx, "transfers.create", KindTransfer, key, t, &out)
	return out, err
}

// CheckTransfer implements Client: POST /transfers/check, with no Idempotency-Key (it
// creates nothing). A utility that does not offer it (a 404 without the protocol's
// error body, a 405 without it, a 501) fails it with ErrNotOffered.
func (c *HTTPClient) CheckTransfer(ctx context.Context, t Transfer) error {
	err := c.call(ctx, "transfers.check", http.MethodPost, "/transfers/check", "", t, nil)
	var e *Error
	if errors.As(err, &e) && notOffered(e) {
		e.Kind = ErrNotOffered
	}
	return err
}

// notOffered says whether e is the answer of an API that lacks the call: not
// implemented, or a path or method its router does not know (no error code of the
// protocol, which a utility's own refusal carries).
func notOffered(e *Error) bool {
	switch e.Status {
	case http.StatusNotImplemented:
		return true
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return e.Code == ""
	}
	return false
}

// SubmitEvaluation implements Client.
func (c *HTTPClient) SubmitEvaluation(ctx context.Context, key string, e Evaluation) (EvaluationReceipt, error) {
	var out EvaluationReceipt
	err := c.submit(ctx, "evaluations.create", KindEvaluation, key, e, &out)
	return out, err
}

// submit sends a state change of kind; it refuses to go without a valid
// Idempotency-Key, and an answer about another request than in (ownAnswer).
func (c *HTTPClient) submit(ctx context.Context, op string, kind Kind, key string, in, out any) error {
	if !ValidKey(key) {
		return fmt.Errorf("utility %s: %s: a state-changing request needs a valid idempotency key", c.o.Utility, op)
	}
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("utility %s: %s: %w", c.o.Utility, op, err)
	}
	var raw json.RawMessage
	if err := c.callRaw(ctx, op, http.MethodPost, pathOf[kind], key, body, &raw); err != nil {
		return err
	}
	return c.ownAnswer(op, kind, askedIn(body), raw, out)
}

// asked is what a state change asks about, read from its body: the request's kiosk
// reference; the order a cancellation cancels; the account, bills and amount of a
// payment; an application's service.
type asked struct {
	KioskRef string   `json:"kiosk_ref"`
	Payment  string   `json:"payment"`
	Account  string   `json:"account"`
	Bills    []string `json:"bills"`
	Amount   *Fen     `json:"amount_fen"`
	Service  string   `json:"service"`
}

// askedIn is what the request body asks about.
func askedIn(body []byte) asked {
	var a asked
	_ = json.Unmarshal(body, &a) // every request type has kiosk_ref; a body without is checked less
	return a
}

// about is what raw, the answer to a request of kind, says it is about, beside what a
// asked: a payment's order is for the account, bills and amount asked (the citizen would
// pay, and the receipt print, another's), an acceptance for the service applied for;
// every answer names the request's kiosk reference, but a cancellation's, the order
// cancelled, which keeps the kiosk reference that created it. Each kind's answer is read
// for its own fields only: a field of another kind's is unknown to it, and ignored.
func (a asked) about(kind Kind, raw json.RawMessage, max int64) ([]about, error) {
	decode := func(v any) error { return DecodeResponse(http.StatusOK, raw, max, v) }
	switch kind {
	case KindCancelPayment:
		var got struct {
			Reference string `json:"reference"`
		}
		err := decode(&got)
		return []about{{"order", got.Reference, a.Payment}}, err
	case KindPayment:
		var got struct {
			KioskRef string   `json:"kiosk_ref"`
			Account  string   `json:"account"`
			Bills    []string `json:"bills"`
			Amount   *Fen     `json:"amount_fen"`
		}
		err := decode(&got)
		return a.order(got.KioskRef, got.Account, got.Bills, got.Amount), err
	case KindApplication:
		var got struct {
			KioskRef string `json:"kiosk_ref"`
			Service  string `json:"service"`
		}
		err := decode(&got)
		return []about{{"request", got.KioskRef, a.KioskRef}, {"service", got.Service, a.Service}}, err
	}
	var got struct {
		KioskRef string `json:"kiosk_ref"`
	}
	err := decode(&got)
	return []about{{"request", got.KioskRef, a.KioskRef}}, err
}

// order is what a payment order says it is about — the request that created it, the
// account, the bills and the amount (nil when not given) — beside what a asked.
func (a asked) order(kioskRef, account string, bills []string, amount *Fen) []about {
	return []about{{"request", kioskRef, a.KioskRef}, {"account", account, a.Account},
		{"set of bills", setOf(bills), setOf(a.Bills)}, {"amount", fenOf(amount), fenOf(a.Amount)}}
}

// About is nil when the payment order p is the one r asked for, and otherwise an error
// matching ErrBadResponse that names what differs: the request that created it
// (kiosk_ref), the account, the set of bills (in any order) or the amount. It is the
// comparison HTTPClient holds a new order to (CreatePayment, the outbox's Forward); the
// kiosk holds every later answer about the order to it (its status, its cancellation,
// which the client compares with the order asked only), since a status of the right
// order number but another account or amount would be shown, and printed on the
// receipt, as the citizen's. As every answer's check (answerAbout) it compares only
// what both give, without regard to case: a zero Amount is not given. The error names
// no value: an account number is personal.
func (p Payment) About(r PaymentRequest) error {
	a := asked{KioskRef: r.KioskRef, Account: r.Account, Bills: r.Bills, Amount: given(r.Amount)}
	if what := differs(a.order(p.KioskRef, p.Account, p.Bills, given(p.Amount))); what != "" {
		return fmt.Errorf("%w: the order is about another %s than the one asked: not taken", ErrBadResponse, what)
	}
	return nil
}

// given is a Payment's or a PaymentRequest's amount, nil when it is zero: not given.
func given(f Fen) *Fen {
	if f == 0 {
		return nil
	}
	return &f
}

// setOf is the bills of ids in one string, in no particular order.
func setOf(ids []string) string { return strings.Join(slices.Sorted(slices.Values(ids)), "\n") }

// fenOf is an amount as a string, "" when it was left out.
func fenOf(f *Fen) string {
	if f == nil {
		return ""
	}
	return f.String()
}

// ownAnswer decodes raw, the 200 answer to a request of kind about a, into out, unless
// it is about another request (asked.about). A utility, or a cache before it, that mixed
// up its answers would otherwise bind another request's number to this one, which may
// never have been applied. It is a bad answer, and the request is asked again later.
func (c *HTTPClient) ownAnswer(op string, kind Kind, a asked, raw json.RawMessage, out any) error {
	names, err := a.about(kind, raw, c.o.MaxResponse)
	if err == nil {
		err = c.answerAbout(op, names...)
	}
	if err == nil {
		err = DecodeResponse(http.StatusOK, raw, c.o.MaxResponse, out)
	}
	var e *Error
	if errors.As(err, &e) {
		e.Utility, e.Op = c.o.Utility, op
	}
	return err
}

// about is one thing an answer says it is about ("account", "bill", "order",
// "application", "request", "utility", …): the answer's name for it (got) and the one
// asked (asked); "" where the answer or the question left it out, which the API allows.
type about struct{ what, got, asked string }

// aboutEach is f of every item of a list.
func aboutEach[T any](items []T, f func(T) about) []about {
	out := make([]about, len(items))
	for i, v := range items {
		out[i] = f(v)
	}
	return out
}

// answerAbout is nil when a 200 answer to op names what was asked, in every one of
// names that both sides say (without regard to case: a utility may write its references
// in its own case), and otherwise ErrBadResponse: an answer about another account, bill,
// order, application, request or utility than the one asked — a utility's bug, a cache
// or proxy that mixed up its answers — would show a citizen someone else's, print it on
// a receipt, or bind this request to another's number. The error names the method and
// what differed, never the values, which may be personal (an account number).
func (c *HTTPClient) answerAbout(op string, names ...about) error {
	if what := differs(names); what != "" {
		return &Error{Utility: c.o.Utility, Op: op, Status: http.StatusOK, Kind: ErrBadResponse,
			Err: fmt.Errorf("the answer is about another %s than the one asked: not taken", what)}
	}
	return nil
}

// differs is what the first of names that the answer and the question both give differs
// in ("account", "amount", …), without regard to case; "" when none does.
func differs(names []about) string {
	for _, n := range names {
		if n.got != "" && n.asked != "" && !strings.EqualFold(n.got, n.asked) {
			return n.what
		}
	}
	return ""
}

// read sends a read (no idempotency key) of op and decodes its 2xx answer, which it
// hands on only when it is about what was asked (answerAbout of names).
func read[T any](ctx context.Context, c *HTTPClient, op, method, path string, in any, names func(*T) []about) (T, error) {
	var v, none T
	if err := c.call(ctx, op, method, path, "", in, &v); err != nil {
		return none, err
	}
	if err := c.answerAbout(op, names(&v)...); err != nil {
		return none, err
	}
	return v, nil
}

// pathOf is where each kind of submission is posted.
var pathOf = map[Kind]string{
	KindApplication:   "/applications",
	KindTransfer:      "/transfers",
	KindEvaluation:    "/evaluations",
	KindPayment:       "/payments",
	KindCancelPayment: "/payments/cancel",
}

// reference is the part of every answer to a submission that the outbox needs.
type reference struct {
	Reference string `json:"reference"`
}

func (r *reference) validate() error { return need(r.Reference, "reference") }

// Forward implements Forwarder: it posts the stored body as it is, with its key.
func (c *HTTPClient) Forward(ctx context.Context, s Submission) (Answer, error) {
	path, ok := pathOf[s.Kind]
	if !ok {
		return Answer{}, fmt.Errorf("utility %s: unknown kind %q", c.o.Utility, s.Kind)
	}
	if !ValidKey(s.Key) {
		return Answer{}, fmt.Errorf("utility %s: %s: invalid idempotency key", c.o.Utility, s.Kind)
	}
	op := string(s.Kind) + ".forward"
	var raw json.RawMessage
	if err := c.callRaw(ctx, op, http.MethodPost, path, s.Key, s.Body, &raw); err != nil {
		return Answer{}, err
	}
	a := askedIn(s.Body)
	a.KioskRef = s.KioskRef
	return c.answerOf(op, s.Kind, a, raw)
}

// answerOf is the Answer that raw, a 200's body, gives a request of kind about a.
func (c *HTTPClient) answerOf(op string, kind Kind, a asked, raw json.RawMessage) (Answer, error) {
	var r reference
	if err := c.ownAnswer(op, kind, a, raw, &r); err != nil {
		return Answer{}, err
	}
	return Answer{Kind: kind, Reference: r.Reference, Body: raw}, nil
}

// About is nil when a is an answer to s, and otherwise an error matching ErrBadResponse
// that names what differs: the kind of request, or what its body asked, read as the
// client reads an answer to a request of s's kind (asked.about: a payment order's
// request, account, bills and amount, the order a cancellation cancelled, the service
// applied for, the kiosk reference). HTTPClient holds what it forwards to this when it
// is answered; a Lookup is asked by kiosk reference and key only, so the outbox holds
// what one finds to it: a record of another kind (an application's, for a payment)
// would bind the request to another's number. It compares only what both give: an
// answer without a kind or a body names nothing.
func (a Answer) About(s Submission) error {
	names := []about{{"kind of request", string(a.Kind), string(s.Kind)}}
	if len(a.Body) > 0 {
		q := askedIn(s.Body)
		q.KioskRef = s.KioskRef
		more, err := q.about(s.Kind, a.Body, int64(len(a.Body)))
		if e := (*Error)(nil); errors.As(err, &e) && e.Err != nil {
			err = e.Err // what could not be read: the kind is said below
		}
		if err != nil {
			return fmt.Errorf("%w: the answer to a %s request cannot be read: %w", ErrBadResponse, s.Kind, err)
		}
		names = append(names, more...)
	}
	if what := differs(names); what != "" {
		return fmt.Errorf("%w: the answer is about another %s than the %s request: not taken", ErrBadResponse, what, s.Kind)
	}
	return nil
}

// submissionRecord is the answer of GET /submissions/{kiosk_ref}.
type submissionRecord struct {
	Kind     Kind            `json:"kind"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
	// Key is the Idempotency-Key the submission carried ("" from a utility that does
	// not say).
	Key string `json:"idempotency_key,omitempty"`
}

func (s *submissionRecord) validate() error {
	if s.Status == 0 || len(s.Response) == 0 {
		return errors.New("submission record without status or response")
	}
	return nil
}

// Lookup implements Forwarder.
func (c *HTTPClient) Lookup(ctx context.Context, kioskRef, key string) (Answer, error) {
	var rec submissionRecord
	op := "submissions.get"
	if err := c.call(ctx, op, http.MethodGet, "/submissions/"+seg(kioskRef), "", nil, &rec); err != nil {
		return Answer{}, err
	}
	if rec.Key != "" && rec.Key != key {
		return Answer{}, &Error{Kind: ErrNotFound, Utility: c.o.Utility, Op: op,
			Err: fmt.Errorf("what arrived under %s carried another key: another request", kioskRef)}
	}
	if rec.Status < 200 || rec.Status >= 300 {
		err := DecodeResponse(rec.Status, rec.Response, c.o.MaxResponse, nil)
		var e *Error
		if errors.As(err, &e) {
			e.Utility, e.Op = c.o.Utility, op
			if rec.Status == http.StatusNotFound {
				// The request arrived and was answered "not found" (a payment for an
				// account the utility does not know): a refusal. ErrNotFound would say
				// that it never arrived, and it would be sent again.
				e.Kind, e.Err = ErrRejected, nil
			}
		}
		return Answer{}, err
	}
	// A cancellation's record does not say which order it was for: its answer, the
	// order, is taken as it is.
	return c.answerOf(op, rec.Kind, asked{KioskRef: kioskRef}, rec.Response)
}
