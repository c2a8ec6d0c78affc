// Package stafftest holds utilities for tests of the staff tools: they leave requests
// in the states staff deal with.
package stafftest

import (
	"context"

	"github.com/liangzihu/kiosk/app/utility"
)

// Refusal is Refuser's message; it holds a mobile number, which staff tools must mask.
const Refusal = "户号 42001003 已销户，联系电话 13800001234"

// Refuser is a utility that refuses every request for good: each becomes a dead letter.
type Refuser struct{}

// Forward refuses.
func (Refuser) Forward(context.Context, utility.Submission) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: Refusal}
}

// Lookup finds nothing.
func (Refuser) Lookup(context.Context, string, string) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404}
}

// Down is a utility that cannot be reached: its requests stay pending.
type Down struct{}

// Forward fails, to be tried again later.
func (Down) Forward(context.Context, utility.Submission) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrUnavailable}
}

// Lookup fails, to be tried again later.
func (Down) Lookup(context.Context, string, string) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrUnavailable}
}
