package utility

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// Sentinel errors. Every error of a Client matches one of them with errors.Is.
var (
	// ErrUnavailable: the utility cannot be reached or says it is down (connection
	// refused or cut, 502, 503, 504), or the answer is not its API's (ErrNotAPI). The
	// outcome of a state-changing request is unknown.
	ErrUnavailable = errors.New("utility: unavailable")
	// ErrTimeout: no answer within the configured timeout. Outcome unknown.
	ErrTimeout = errors.New("utility: timeout")
	// ErrServer: the utility failed internally (500). Outcome unknown.
	ErrServer = errors.New("utility: server error")
	// ErrBusy: the same request is still being processed (409), or too many requests (429).
	ErrBusy = errors.New("utility: busy")
	// ErrBadResponse: the answer could not be understood (malformed, too large), or is
	// about another request, account, bill, order, application or utility than the one
	// asked (docs/utility-api.md, "An answer must be about what was asked").
	ErrBadResponse = errors.New("utility: bad response")
	// ErrAuth: the utility refused the kiosk's signature (wrong secret or clock). Staff must act.
	ErrAuth = errors.New("utility: authentication refused")
	// ErrRejected: the utility refused the request for good; Error.Message says why, in the
	// utility's own words, and is shown to the citizen as it is.
	ErrRejected = errors.New("utility: rejected")
	// ErrNotFound: no such account, bill, payment, application or submission, as the
	// API's own error code not_found says (a 404 without it is ErrNotAPI).
	ErrNotFound = errors.New("utility: not found")
	// ErrLimitExceeded: a payment limit (per payment, per day, per month) would be passed.
	ErrLimitExceeded = errors.New("utility: limit exceeded")
	// ErrUnpaidBills: a 过户 is refused while the account has unpaid bills (Error.Amount).
	ErrUnpaidBills = errors.New("utility: unpaid bills")
	// ErrNotOffered: the utility does not offer the call (POST /transfers/check answered
	// 501, or 404 or 405 without the protocol's error code). Nothing was judged.
	ErrNotOffered = errors.New("utility: not offered")
)

// ErrNotAPI is the cause of an ErrUnavailable whose answer did not come from the
// utility's API: a 404 without a code of the protocol, such as a proxy's error page or a
// wrong path or base URL. The API was not asked, as when it cannot be reached.
var ErrNotAPI = errors.New("not the API's answer: a 404 without its error code (a proxy, or a wrong path)")

// Error codes of the protocol's error body (docs/utility-api.md).
const (
	CodeValidation    = "validation"
	CodeNotFound      = "not_found"
	CodeUnpaidBills   = "unpaid_bills"
	CodeLimitExceeded = "limit_exceeded"
	CodeAlreadyDone   = "already_done"
	CodeBadSignature  = "bad_signature"
	CodeKeyMissing    = "idempotency_key_missing"
	CodeKeyReused     = "idempotency_key_reused"
	CodeInProgress    = "request_in_progress"
	CodeRateLimited   = "rate_limited"
	CodeUnavailable   = "unavailable"
	CodeInternal      = "internal"
)

// Error is a failed call. Kind is one of the sentinel errors.
type Error struct {
	Utility string
	Op      string // "accounts.search", "payments.create", …
	Status  int    // HTTP status, 0 when there was no answer
	Code    string // the protocol's error code
	// Message is the utility's own text for the citizen (may be empty).
	Message string
	// Field names the request field a validation message is about.
	Field string
	// Amount is the unpaid amount of ErrUnpaidBills.
	Amount Fen
	// RetryAfter is how long the utility asked the kiosk to wait before it asks again
	// (its Retry-After, at most MaxRetryAfter); 0 when it did not say.
	RetryAfter time.Duration
	Kind       error
	Err        error // the cause (a network error, say)
}

// Error names the utility, the operation, the kind of error, the HTTP status and code,
// and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "utility %s: %s: %s", e.Utility, e.Op, strings.TrimPrefix(e.Kind.Error(), "utility: "))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Code != "" {
			fmt.Fprintf(&b, ", %s", e.Code)
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is see both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// MaxRetryAfter bounds the wait a utility's Retry-After asks for: a longer one (a
// mistake, or a server that means harm) is taken as this long.
const MaxRetryAfter = time.Hour

// RetryAfter is how long the utility asked the kiosk to wait before it asks again with
// err (its Retry-After); 0 when it did not say.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ClockSkew is the cause of a refused signature (ErrAuth) when the kiosk's clock and
// the utility's, as its answer's Date header gives it, are further apart than
// skewTold: the likely reason, since a utility refuses a timestamp more than 5
// minutes from its clock. Staff set the kiosk's clock.
type ClockSkew struct {
	// Off is the kiosk's clock minus the utility's: positive when the kiosk is ahead.
	Off time.Duration
}

// skewTold is how far apart the clocks must be for a refused signature to name them:
// a kiosk kept by NTP is within a second of the utility, and a Date header is to the
// second.
const skewTold = time.Minute

func (c *ClockSkew) Error() string {
	way, off := "ahead of", c.Off
	if off < 0 {
		way, off = "behind", -off
	}
	return fmt.Sprintf("the kiosk's clock is %s %s the utility's (its Date header), and a signature more than %s "+
		"off is refused: set the kiosk's clock (timedatectl; is NTP reachable?)", off.Round(time.Second), way, DefaultReplayWindow)
}

// Temporary reports whether sending the same request again later may succeed.
func Temporary(err error) bool {
	for _, k := range []error{ErrUnavailable, ErrTimeout, ErrServer, ErrBusy, ErrBadResponse, ErrAuth} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// Unreachable reports whether err says the utility could not be reached at all (down, or
// no answer in time), as opposed to an answer that was an error.
func Unreachable(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrTimeout)
}

// Own returns a utility's own words about err (a refusal, a limit, what it did not
// find), shown to citizens as the utility put them; "" when it gave none.
func Own(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return ""
	}
	switch {
	case errors.Is(err, ErrRejected), errors.Is(err, ErrLimitExceeded), errors.Is(err, ErrUnpaidBills),
		errors.Is(err, ErrNotFound):
		return e.Message
	}
	return ""
}

// Problems a citizen is told about, by what they can do about them; the kiosk's message
// catalogue words each one (key "utility." + Problem).
const (
	ProblemRejected = "rejected" // refused: ask at a counter
	// ProblemCertificate: a 过户 refused for its 不动产权证 number (validation on
	// property_cert): check it against the certificate and apply again.
	ProblemCertificate = "rejected_property_cert"
	ProblemLimit       = "limit"        // over a self-service limit: pay at a counter
	ProblemUnpaid      = "unpaid"       // unpaid bills to settle first
	ProblemNotFound    = "not_found"    // nothing found
	ProblemBusy        = "busy"         // the same request is still being processed
	ProblemRateLimited = "rate_limited" // too many requests at the utility: try shortly
	ProblemAuth        = "auth"         // the kiosk is not let in: staff must act
	ProblemUnreachable = "unreachable"  // down, slow or failing: try later
	ProblemOther       = "other"
)

// Problem classifies err for the citizen's message.
func Problem(err error) string {
	switch {
	case errors.Is(err, ErrLimitExceeded):
		return ProblemLimit
	case errors.Is(err, ErrUnpaidBills):
		return ProblemUnpaid
	case errors.Is(err, ErrRejected) && field(err) == "property_cert":
		return ProblemCertificate
	case errors.Is(err, ErrRejected):
		return ProblemRejected
	case errors.Is(err, ErrNotFound):
		return ProblemNotFound
	case errors.Is(err, ErrBusy) && rateLimited(err):
		return ProblemRateLimited
	case errors.Is(err, ErrBusy):
		return ProblemBusy
	case errors.Is(err, ErrAuth):
		return ProblemAuth
	case errors.Is(err, ErrTimeout), errors.Is(err, ErrUnavailable), errors.Is(err, ErrServer), errors.Is(err, ErrBadResponse):
		return ProblemUnreachable
	}
	return ProblemOther
}

// field is the request field a utility's validation message is about ("" when it does
// not say).
func field(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// rateLimited reports whether err, a busy utility's answer, says the kiosk asks too
// often (429, rate_limited) rather than that this request is still being processed.
func rateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == CodeRateLimited || e.Status == http.StatusTooManyRequests)
}

// Owed is the amount a refusal for unpaid bills names; 0 when it names none.
func Owed(err error) Fen {
	var e *Error
	if errors.As(err, &e) && errors.Is(err, ErrUnpaidBills) {
		return e.Amount
	}
	return 0
}

// maxMessage bounds a utility's message shown to citizens.
const maxMessage = 200

// cleanMessage keeps a utility's text as it is, except control and formatting
// characters and length. The text reaches the citizen's screen and staff's terminal
// (kioskctl outbox list): a direction override there turned the rest of the line round.
func cleanMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cc, unicode.Cf) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxMessage {
		s = string(r[:maxMessage]) + "…"
	}
	return s
}
