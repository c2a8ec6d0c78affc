package utility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
func (c *HTTPClient) AccountsByIdentity(ctx context.Context, id Identity) ([]Account, error) {
	var l accountList
	err := c.call(ctx, "accounts.search", http.MethodPost, "/accounts/search", "", id, &l)
	return l.Accounts, err
}

// Account implements Client.
func (c *HTTPClient) Account(ctx context.Context, number string) (Account, error) {
	var a Account
	err := c.call(ctx, "accounts.get", http.MethodGet, "/accounts/"+seg(number), "", nil, &a)
	return a, err
}

// Bills implements Client.
func (c *HTTPClient) Bills(ctx context.Context, account string) ([]Bill, error) {
	var l billList
	err := c.call(ctx, "bills.list", http.MethodGet, "/accounts/"+seg(account)+"/bills", "", nil, &l)
	return l.Bills, err
}

// Bill implements Client.
func (c *HTTPClient) Bill(ctx context.Context, account, billID string) (Bill, error) {
	var b Bill
	err := c.call(ctx, "bills.get", http.MethodGet, "/accounts/"+seg(account)+"/bills/"+seg(billID), "", nil, &b)
	return b, err
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
	var out Payment
	op := "payments.get"
	if err := c.call(ctx, op, http.MethodGet, "/payments/"+seg(reference), "", nil, &out); err != nil {
		return out, err
	}
	if out.Reference != reference {
		return Payment{}, &Error{Utility: c.o.Utility, Op: op, Status: http.StatusOK, Kind: ErrBadResponse,
			Err: fmt.Errorf("the answer is about order %q, not the one asked about", out.Reference)}
	}
	return out, nil
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

// Progress implements Client.
func (c *HTTPClient) Progress(ctx context.Context, reference string) (Progress, error) {
	var out Progress
	err := c.call(ctx, "applications.get", http.MethodGet, "/applications/"+seg(reference), "", nil, &out)
	return out, err
}

// Applications implements Client.
func (c *HTTPClient) Applications(ctx context.Context, id Identity) ([]Progress, error) {
	var l progressList
	err := c.call(ctx, "applications.search", http.MethodPost, "/applications/search", "", id, &l)
	return l.Applications, err
}

// SubmitTransfer implements Client.
func (c *HTTPClient) SubmitTransfer(ctx context.Context, key string, t Transfer) (Acceptance, error) {
	var out Acceptance
	err := c.submit(ctx, "transfers.create", KindTransfer, key, t, &out)
	return out, err
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

// asked is what a state change's answer must be about: the request's kiosk reference,
// and the order a cancellation cancels.
type asked struct {
	KioskRef string `json:"kiosk_ref"`
	Payment  string `json:"payment"`
}

// askedIn is what the request body asks about.
func askedIn(body []byte) asked {
	var a asked
	_ = json.Unmarshal(body, &a) // every request type has kiosk_ref; a body without is checked less
	return a
}

// ownAnswer decodes raw, the 200 answer to a request of kind about a, into out, unless
// it is about another request: it names another kiosk reference, or a cancellation's
// answer another order (the order keeps the kiosk reference that created it). A utility,
// or a cache before it, that mixed up its answers would otherwise bind another request's
// number to this one, which may never have been applied. It is a bad answer, and the
// request is asked again later.
func (c *HTTPClient) ownAnswer(op string, kind Kind, a asked, raw json.RawMessage, out any) error {
	var about struct {
		Reference string `json:"reference"`
		KioskRef  string `json:"kiosk_ref"`
	}
	err := DecodeResponse(http.StatusOK, raw, c.o.MaxResponse, &about)
	var other error
	switch {
	case err != nil:
	case kind == KindCancelPayment:
		if a.Payment != "" && about.Reference != a.Payment {
			other = fmt.Errorf("the answer is about order %q, not the one cancelled: another request's", about.Reference)
		}
	case about.KioskRef != "" && about.KioskRef != a.KioskRef:
		other = fmt.Errorf("the answer is for request %s, not %s: another request's", about.KioskRef, a.KioskRef)
	}
	if other != nil {
		err = &Error{Status: http.StatusOK, Kind: ErrBadResponse, Err: other}
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
