package utility

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Sentinel errors. Every error of a Client matches one of them with errors.Is.
var (
	// ErrUnavailable: the utility cannot be reached or says it is down (connection
	// refused or cut, 502, 503, 504). The outcome of a state-changing request is unknown.
	ErrUnavailable = errors.New("utility: unavailable")
	// ErrTimeout: no answer within the configured timeout. Outcome unknown.
	ErrTimeout = errors.New("utility: timeout")
	// ErrServer: the utility failed internally (500). Outcome unknown.
	ErrServer = errors.New("utility: server error")
	// ErrBusy: the same request is still being processed (409), or too many requests (429).
	ErrBusy = errors.New("utility: busy")
	// ErrBadResponse: the answer could not be understood (malformed, too large).
	ErrBadResponse = errors.New("utility: bad response")
	// ErrAuth: the utility refused the kiosk's signature (wrong secret or clock). Staff must act.
	ErrAuth = errors.New("utility: authentication refused")
	// ErrRejected: the utility refused the request for good; Error.Message says why, in the
	// utility's own words, and is shown to the citizen as it is.
	ErrRejected = errors.New("utility: rejected")
	// ErrNotFound: no such account, bill, payment, application or submission.
	ErrNotFound = errors.New("utility: not found")
	// ErrLimitExceeded: a payment limit (per payment, per day, per month) would be passed.
	ErrLimitExceeded = errors.New("utility: limit exceeded")
	// ErrUnpaidBills: a 过户 is refused while the account has unpaid bills (Error.Amount).
	ErrUnpaidBills = errors.New("utility: unpaid bills")
)

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
	Kind   error
	Err    error // the cause (a network error, say)
}

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

// CitizenMessage is what a citizen reads about err, in Chinese. A utility's own
// refusal is shown as the utility worded it; otherwise a plain sentence that names the
// utility (name, e.g. "国网梁子湖区供电公司") and says what to do.
func CitizenMessage(err error, name string) string {
	var e *Error
	msg := ""
	if errors.As(err, &e) {
		msg = e.Message
	}
	switch {
	case errors.Is(err, ErrRejected), errors.Is(err, ErrLimitExceeded), errors.Is(err, ErrUnpaidBills):
		if msg != "" {
			return msg
		}
		switch {
		case errors.Is(err, ErrLimitExceeded):
			return "已超过自助缴费的限额，请到人工窗口办理。"
		case errors.Is(err, ErrUnpaidBills):
			amount := ""
			if e != nil && e.Amount > 0 {
				amount = "（" + e.Amount.Yuan() + "）"
			}
			return "该户尚有未缴费用" + amount + "，请先缴清后再办理过户。"
		}
		return name + "未受理此项业务，请到人工窗口咨询。"
	case errors.Is(err, ErrNotFound):
		if msg != "" {
			return msg
		}
		return "未查询到相关信息，请核对后重试。"
	case errors.Is(err, ErrBusy):
		return name + "正在处理您的业务，请稍候再试。"
	case errors.Is(err, ErrAuth):
		return name + "暂时无法办理，请联系大厅工作人员。"
	case errors.Is(err, ErrTimeout), errors.Is(err, ErrUnavailable), errors.Is(err, ErrServer), errors.Is(err, ErrBadResponse):
		return name + "系统暂时无法连接，请稍后再试。"
	}
	return name + "暂时无法办理，请稍后再试或联系大厅工作人员。"
}

// maxMessage bounds a utility's message shown to citizens.
const maxMessage = 200

// cleanMessage keeps a utility's text as it is, except control characters and length.
func cleanMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
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
