package app_test

import (
	"testing"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/utility"
)

// What staff are told of a utility's check: a 404 that is not the API's own is a wrong
// address, though the outbox waits on it as on an outage.
func TestUtilityCheckProblem(t *testing.T) {
	answer := func(status int, body string) error { return utility.DecodeResponse(status, []byte(body), 1<<10, nil) }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"the API's not_found", nil, ""},
		{"down", answer(503, `{"error":{"code":"unavailable"}}`), app.CheckUnreachable},
		{"no answer in time", &utility.Error{Kind: utility.ErrTimeout}, app.CheckUnreachable},
		{"signature refused", answer(401, `{"error":{"code":"bad_signature"}}`), app.CheckSignature},
		{"a proxy's 404", answer(404, `<html><body><h1>404 Not Found</h1></body></html>`), app.CheckNotAPI},
		{"a 404 with a code the protocol has not", answer(404, `{"error":{"code":"no_route"}}`), app.CheckNotAPI},
		{"another answer", answer(400, ``), app.CheckNotAPI},
	} {
		if got := (app.UtilityCheck{Err: tc.err}).Problem(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
