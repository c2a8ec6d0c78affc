// Package utility is how the kiosk talks to each utility's back end: the Client
// interface the flows use, the model (accounts, bills with tiers and 能效 detail,
// payments, applications and their progress, transfers, 好差评 evaluations; money in
// integer fen), the request signing both sides share, the errors a citizen can be shown,
// and HTTPClient, the reference client for the JSON-over-HTTPS protocol of
// docs/utility-api.md. A utility with another API gets an adapter that implements Client.
package utility

import (
	"context"
	"encoding/json"
	"fmt"
)

// Kind is the kind of a state-changing request.
type Kind string

// Kinds of state-changing requests. Each carries an Idempotency-Key and a kiosk reference.
const (
	KindApplication   Kind = "application"
	KindTransfer      Kind = "transfer"
	KindEvaluation    Kind = "evaluation"
	KindPayment       Kind = "payment"
	KindCancelPayment Kind = "payment_cancel"
)

// Kinds lists every kind.
var Kinds = []Kind{KindApplication, KindTransfer, KindEvaluation, KindPayment, KindCancelPayment}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Submission is a state-changing request as the outbox stores and forwards it.
type Submission struct {
	Kind     Kind
	KioskRef string
	// Key is the Idempotency-Key: the same for every attempt, across restarts.
	Key string
	// Body is the JSON of the typed request (Application, Transfer, Evaluation,
	// PaymentRequest or Cancellation).
	Body []byte
}

// Answer is a utility's successful answer to a Submission.
type Answer struct {
	Kind Kind `json:"kind"`
	// Reference is the utility's own reference: application, transfer, evaluation or
	// payment number.
	Reference string          `json:"reference"`
	Body      json.RawMessage `json:"body"`
}

// Acceptance decodes the answer to an application or a transfer.
func (a Answer) Acceptance() (Acceptance, error) {
	var v Acceptance
	return v, a.decode(&v)
}

// Payment decodes the answer to a payment or its cancellation.
func (a Answer) Payment() (Payment, error) {
	var v Payment
	return v, a.decode(&v)
}

// EvaluationReceipt decodes the answer to an evaluation.
func (a Answer) EvaluationReceipt() (EvaluationReceipt, error) {
	var v EvaluationReceipt
	return v, a.decode(&v)
}

func (a Answer) decode(v any) error {
	if err := json.Unmarshal(a.Body, v); err != nil {
		return fmt.Errorf("utility: answer to %s: %w", a.Kind, err)
	}
	return nil
}

// Forwarder sends stored submissions: what the outbox needs of a utility.
type Forwarder interface {
	// Forward sends s. Sending the same Key and Body again returns the same answer.
	Forward(ctx context.Context, s Submission) (Answer, error)
	// Lookup asks whether the submission with this kiosk reference and Idempotency-Key
	// ever reached the utility, and what it answered. It returns an error matching
	// ErrNotFound when it did not, or when what arrived under that reference carried
	// another key (another request: a kiosk whose database was replaced before its
	// references carried the time numbered its requests afresh), and only then: an
	// error the utility gave the request when it arrived is that error (a refusal), and
	// an answer that is not the API's is not ErrNotFound. The outbox calls it before
	// resending an old request whose key the utility may have forgotten.
	Lookup(ctx context.Context, kioskRef, key string) (Answer, error)
}

// Client is everything the kiosk's flows ask of one utility. Errors match the sentinel
// errors of this package (errors.Is) and CitizenMessage turns them into text. An answer
// is about what was asked: HTTPClient refuses one that names another account, bill,
// order, application, request or utility (ErrBadResponse), and hands nothing of it on.
type Client interface {
	Forwarder
	// ID is the utility's ID (Electricity, Water, Gas, Broadband).
	ID() string

	// AccountsByIdentity finds the citizen's accounts (none is not an error).
	AccountsByIdentity(ctx context.Context, id Identity) ([]Account, error)
	// Account finds an account by its number (户号), typed or from a bill's QR.
	Account(ctx context.Context, number string) (Account, error)
	// Bills lists an account's bills, newest first.
	Bills(ctx context.Context, account string) ([]Bill, error)
	// Bill returns one bill with its tiers, fees and 能效 detail.
	Bill(ctx context.Context, account, billID string) (Bill, error)

	// CreatePayment asks for a payment order and its pay QR.
	CreatePayment(ctx context.Context, key string, p PaymentRequest) (Payment, error)
	// Payment returns a payment order's status (polled while the QR is shown).
	Payment(ctx context.Context, reference string) (Payment, error)
	// CancelPayment cancels a pending order (the citizen pressed 取消 or left).
	CancelPayment(ctx context.Context, key string, c Cancellation) (Payment, error)

	// SubmitApplication submits an application and returns its acceptance.
	SubmitApplication(ctx context.Context, key string, a Application) (Acceptance, error)
	// Progress returns an application's timeline by its number.
	Progress(ctx context.Context, reference string) (Progress, error)
	// Applications lists the citizen's applications, newest first.
	Applications(ctx context.Context, id Identity) ([]Progress, error)
	// SubmitTransfer submits a 过户; it fails with ErrUnpaidBills while bills are unpaid.
	SubmitTransfer(ctx context.Context, key string, t Transfer) (Acceptance, error)
	// CheckTransfer asks whether the utility would accept t but for unpaid bills, before
	// the citizen pays them: nil when it would, its refusal when not (ErrRejected with
	// the utility's words, the Field they are about; ErrNotFound), ErrNotOffered when it
	// does not offer the check. It creates nothing and needs no idempotency key.
	CheckTransfer(ctx context.Context, t Transfer) error
	// SubmitEvaluation submits a 好差评 rating of an application.
	SubmitEvaluation(ctx context.Context, key string, e Evaluation) (EvaluationReceipt, error)
}
