package utility

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/smallfile"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		q    Quantity
		p    Price
		want Fen
	}{
		{240000, 5380, 12912}, // 240 kWh × 0.538
		{12500, 34500, 4313},  // 12.5 m³ × 3.45 = 43.125 → 43.13
		{1, 5380, 0},          // 0.001 kWh: rounds to 0 fen
		{10000, 5385, 539},    // 10 × 0.5385 = 5.385 → 5.39 (half up)
		{3000, 16667, 500},    // 3 × 1.6667 = 5.0001 → 5.00
		{3000, 16665, 500},    // 4.9995 → 5.00 (half up)
	}
	for _, tt := range tests {
		if got := Cost(tt.q, tt.p); got != tt.want {
			t.Errorf("Cost(%v, %v) = %d, want %d", tt.q, tt.p, got, tt.want)
		}
	}
	for f, want := range map[Fen]string{0: "0.00", 5: "0.05", 12345: "123.45", -250: "-2.50"} {
		if f.String() != want {
			t.Errorf("%d fen = %q, want %q", f, f.String(), want)
		}
	}
	for q, want := range map[Quantity]string{12500: "12.5", 230000: "230", 1: "0.001", -12500: "-12.5", -500: "-0.5", -3000: "-3"} {
		if q.String() != want {
			t.Errorf("%d = %q, want %q", q, q.String(), want)
		}
	}
	for p, want := range map[Price]string{5380: "0.5380", 0: "0.0000", 12345: "1.2345", -5380: "-0.5380", -500: "-0.0500"} {
		if p.String() != want {
			t.Errorf("price %d = %q, want %q", p, p.String(), want)
		}
	}
	if VerySatisfied.String() != "非常满意" || Level(0).Valid() {
		t.Error("level formatting")
	}
}

// The golden signature documented in docs/utility-api.md.
func TestSignGolden(t *testing.T) {
	got := Sign([]byte("kiosk-demo-secret/electricity/not-for-production"), "POST", "/v1/applications", 1781254800, "LZH-DEMO-01",
		"3f1e2d4c-0000-4000-8000-000000000001", []byte(`{"kiosk_ref":"K260612000001"}`))
	want := "KIOSK-HMAC-SHA256 " + goldenSignature
	if got != want {
		t.Fatalf("signature\n got %s\nwant %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1781254800, 0)
	body := []byte(`{"a":1}`)
	mk := func(mod func(r *http.Request)) *http.Request {
		r := httptest.NewRequest("POST", "/v1/payments?x=1", nil)
		r.Header.Set(HeaderKioskID, "K1")
		r.Header.Set(HeaderTimestamp, "1781254800")
		r.Header.Set(HeaderIdempotencyKey, `"key-1"`)
		r.Header.Set(HeaderSignature, Sign(secret, "POST", "/v1/payments?x=1", 1781254800, "K1", "key-1", body))
		if mod != nil {
			mod(r)
		}
		return r
	}
	secrets := func(id string) []byte {
		switch id {
		case "K1":
			return secret
		case "K2":
			return []byte("K2's own secret, not K1's secret")
		}
		return nil
	}
	tests := []struct {
		name string
		mod  func(r *http.Request)
		body []byte
		now  time.Time
		want error
	}{
		{"good", nil, body, now, nil},
		{"within window", nil, body, now.Add(4 * time.Minute), nil},
		{"replayed later", nil, body, now.Add(6 * time.Minute), ErrSignatureStale},
		{"from the future", nil, body, now.Add(-6 * time.Minute), ErrSignatureStale},
		{"other body", nil, []byte(`{"a":2}`), now, ErrSignatureInvalid},
		{"other key", func(r *http.Request) { r.Header.Set(HeaderIdempotencyKey, "key-2") }, body, now, ErrSignatureInvalid},
		{"other kiosk", func(r *http.Request) { r.Header.Set(HeaderKioskID, "K2") }, body, now, ErrSignatureInvalid},
		{"K2's ID, signed with K1's secret", func(r *http.Request) {
			r.Header.Set(HeaderKioskID, "K2")
			r.Header.Set(HeaderSignature, Sign(secret, "POST", "/v1/payments?x=1", 1781254800, "K2", "key-1", body))
		}, body, now, ErrSignatureInvalid},
		{"unknown kiosk", func(r *http.Request) { r.Header.Set(HeaderKioskID, "K9") }, body, now, ErrKioskUnknown},
		{"other path", func(r *http.Request) { r.URL.Path = "/v1/transfers" }, body, now, ErrSignatureInvalid},
		{"no signature", func(r *http.Request) { r.Header.Del(HeaderSignature) }, body, now, ErrSignatureMissing},
	}
	for _, tt := range tests {
		_, err := Verify(mk(tt.mod), tt.body, tt.now, DefaultReplayWindow, secrets)
		if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if tt.want != ErrKioskUnknown && errors.Is(err, ErrKioskUnknown) {
			t.Errorf("%s: a known kiosk taken for an unknown one: %v", tt.name, err)
		}
	}
}

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    error
		message string
	}{
		{"ok", 200, `{"reference":"A1","status":"pending"}`, nil, ""},
		{"ok without reference", 200, `{"status":"pending"}`, ErrBadResponse, ""},
		{"not JSON", 200, `<html>`, ErrBadResponse, ""},
		{"too long", 200, `{"reference":"` + strings.Repeat("x", 300) + `"}`, ErrBadResponse, ""},
		{"validation", 422, `{"error":{"code":"validation","message":"联系电话格式不正确","field":"applicant.phone"}}`, ErrRejected, "联系电话格式不正确"},
		{"unpaid", 409, `{"error":{"code":"unpaid_bills","message":"尚有未缴电费","amount_fen":12345}}`, ErrUnpaidBills, "尚有未缴电费"},
		{"limit", 422, `{"error":{"code":"limit_exceeded","message":"单笔缴费不能超过50000元"}}`, ErrLimitExceeded, "单笔缴费不能超过50000元"},
		{"in progress", 409, `{"error":{"code":"request_in_progress"}}`, ErrBusy, ""},
		{"bad signature", 401, `{"error":{"code":"bad_signature"}}`, ErrAuth, ""},
		{"down", 503, ``, ErrUnavailable, ""},
		{"gateway", 502, `<html>bad gateway</html>`, ErrUnavailable, ""},
		{"internal", 500, `{"error":{"code":"internal"}}`, ErrServer, ""},
		{"the API's not found", 404, `{"error":{"code":"not_found","message":"未找到该缴费单"}}`, ErrNotFound, "未找到该缴费单"},
		{"plain 404", 404, `not found`, ErrNotAPI, ""},
		{"404 with a code the protocol has not", 404, `{"error":{"code":"no_route"}}`, ErrNotAPI, ""},
		{"plain 400", 400, ``, ErrRejected, ""},
		{"redirect", 302, ``, ErrBadResponse, ""},
		{"control characters", 422, `{"error":{"code":"validation","message":"地址\u0000不能\n为空"}}`, ErrRejected, "地址不能为空"},
		{"formatting characters", 422, `{"error":{"code":"validation","message":"\u202e地址\u200b不能为空\u2066"}}`, ErrRejected, "地址不能为空"},
	}
	for _, tt := range tests {
		var p Payment
		err := DecodeResponse(tt.status, []byte(tt.body), 256, &p)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			continue
		}
		var e *Error
		if errors.As(err, &e) && e.Message != tt.message {
			t.Errorf("%s: message %q, want %q", tt.name, e.Message, tt.message)
		}
		if tt.message != "" && Own(err) != tt.message {
			t.Errorf("%s: citizen reads %q, want the utility's own words", tt.name, Own(err))
		}
	}
}

// What a citizen is told about an error: the utility's own words where it gave any,
// else the kind of problem the kiosk words in the citizen's language.
func TestProblem(t *testing.T) {
	tests := []struct {
		err     error
		problem string
		own     string
		owed    Fen
	}{
		{&Error{Kind: ErrUnavailable}, ProblemUnreachable, "", 0},
		{&Error{Kind: ErrTimeout}, ProblemUnreachable, "", 0},
		{&Error{Kind: ErrServer, Message: "internal"}, ProblemUnreachable, "", 0},
		{&Error{Kind: ErrUnpaidBills, Amount: 12345}, ProblemUnpaid, "", 12345},
		{&Error{Kind: ErrUnpaidBills, Message: "尚有未缴电费"}, ProblemUnpaid, "尚有未缴电费", 0},
		{&Error{Kind: ErrLimitExceeded}, ProblemLimit, "", 0},
		{&Error{Kind: ErrRejected, Message: "联系电话格式不正确"}, ProblemRejected, "联系电话格式不正确", 0},
		{&Error{Kind: ErrRejected, Field: "applicant.phone", Message: "联系电话格式不正确"}, ProblemRejected, "联系电话格式不正确", 0},
		{fmt.Errorf("outbox: %w", &Error{Kind: ErrRejected, Field: "property_cert", Message: "不动产权证号与户号登记的房屋不符"}), ProblemCertificate, "不动产权证号与户号登记的房屋不符", 0},
		{&Error{Kind: ErrAuth}, ProblemAuth, "", 0},
		{&Error{Kind: ErrBusy}, ProblemBusy, "", 0},
		{&Error{Kind: ErrBusy, Status: 409, Code: CodeInProgress}, ProblemBusy, "", 0},
		{&Error{Kind: ErrBusy, Status: 429}, ProblemRateLimited, "", 0},
		{fmt.Errorf("lookup: %w", &Error{Kind: ErrBusy, Status: 503, Code: CodeRateLimited}), ProblemRateLimited, "", 0},
		{&Error{Kind: ErrNotFound}, ProblemNotFound, "", 0},
		{fmt.Errorf("outbox: %w", &Error{Kind: ErrNotFound, Message: "未找到该办件"}), ProblemNotFound, "未找到该办件", 0},
		{errors.New("other"), ProblemOther, "", 0},
	}
	for _, tt := range tests {
		if got := Problem(tt.err); got != tt.problem {
			t.Errorf("Problem(%v) = %q, want %q", tt.err, got, tt.problem)
		}
		if got := Own(tt.err); got != tt.own {
			t.Errorf("Own(%v) = %q, want %q", tt.err, got, tt.own)
		}
		if got := Owed(tt.err); got != tt.owed {
			t.Errorf("Owed(%v) = %v, want %v", tt.err, got, tt.owed)
		}
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("  "+strings.Repeat("s", 40)+"\n"), 0o600)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abc"), 0o600)
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte(strings.Repeat("s", 40)), 0o644)
	group := filepath.Join(dir, "group")
	os.WriteFile(group, []byte(strings.Repeat("s", 40)), 0o600)
	os.Chmod(group, 0o660) // past the umask
	long := filepath.Join(dir, "long")
	os.WriteFile(long, []byte(strings.Repeat("s", smallfile.MaxSecret+1)), 0o600)
	tests := []struct {
		path string
		demo bool
		ok   bool
	}{
		{"", true, true}, {"", false, false}, {good, false, true}, {short, false, false},
		{open, false, false}, {group, false, false}, {filepath.Join(dir, "none"), true, false},
		{long, false, false},
	}
	for _, tt := range tests {
		s, err := LoadSecret(tt.path, "gas", tt.demo)
		if (err == nil) != tt.ok {
			t.Errorf("LoadSecret(%q, demo=%v): %v", tt.path, tt.demo, err)
		}
		if tt.ok && tt.path == good && string(s) != strings.Repeat("s", 40) {
			t.Errorf("secret %q", s)
		}
	}
	if string(DemoSecret("gas")) != "kiosk-demo-secret/gas/not-for-production" {
		t.Error("the demo secret changed; docs/utility-api.md names it")
	}
}

func TestBillQR(t *testing.T) {
	q, err := ParseBillQR(FormatBillQR(Water, "42070210", "W-2026-05"))
	if err != nil || q.Utility != Water || q.Account != "42070210" || q.Bill != "W-2026-05" {
		t.Fatalf("round trip: %+v, %v", q, err)
	}
	for _, bad := range []string{"", "UBILL:1:water", "UBILL:1:heat:12345678", "UBILL:1:water:12ab5678", "UBILL:1:water:12345678:a:b", "https://x"} {
		if _, err := ParseBillQR(bad); !errors.Is(err, ErrNotBillQR) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A real HTTP server on loopback plays a misbehaving utility.
func TestClientTransportFailures(t *testing.T) {
	var mode atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		case "cut":
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			io.WriteString(w, `{"reference":`)
			panic(http.ErrAbortHandler)
		case "huge":
			w.WriteHeader(200)
			io.WriteString(w, `{"reference":"`+strings.Repeat("x", 2<<20)+`"}`)
		case "echo-key":
			if r.Header.Get(HeaderIdempotencyKey) != `"k-1"` || r.Header.Get(HeaderSignature) == "" {
				w.WriteHeader(400)
				return
			}
			io.WriteString(w, `{"reference":"P1","status":"pending"}`)
		}
	}))
	defer srv.Close()
	c, err := NewHTTP(Options{Utility: Gas, BaseURL: srv.URL + "/v1", KioskID: "K", Secret: DemoSecret(Gas), Timeout: 300 * time.Millisecond, Clock: clock.System()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	tests := []struct {
		mode string
		want error
	}{
		{"slow", ErrTimeout}, {"cut", ErrUnavailable}, {"huge", ErrBadResponse}, {"echo-key", nil},
	}
	for _, tt := range tests {
		mode.Store(tt.mode)
		_, err := c.CreatePayment(ctx, "k-1", PaymentRequest{KioskRef: "K1", Account: "1234567", Amount: 100})
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.mode, err, tt.want)
		}
		if tt.want != nil && !Temporary(err) {
			t.Errorf("%s: %v is not temporary", tt.mode, err)
		}
	}
	srv.Close()
	if _, err := c.Account(ctx, "1234567"); !errors.Is(err, ErrUnavailable) || !Unreachable(err) {
		t.Errorf("server gone: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Account(cctx, "1234567"); !errors.Is(err, context.Canceled) || Temporary(err) {
		t.Errorf("cancelled: %v", err)
	}
}

// A reference goes into the URL as one path segment, escaped once: a slash, a space or a
// dot cannot change the path the utility (or a proxy before it) sees.
func TestClientPathSegments(t *testing.T) {
	seen := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.RequestURI
		w.WriteHeader(404)
		io.WriteString(w, `{"error":{"code":"not_found"}}`)
	}))
	defer srv.Close()
	c, err := NewHTTP(Options{Utility: Gas, BaseURL: srv.URL + "/v1", KioskID: "K", Secret: DemoSecret(Gas), Timeout: time.Second, Clock: clock.System()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	for _, tc := range []struct{ ref, uri string }{
		{"RQ2026-7", "/v1/applications/RQ2026-7"},
		{"a/b", "/v1/applications/a%2Fb"},
		{"A 1", "/v1/applications/A%201"},
		{"..", "/v1/applications/%2E%2E"},
	} {
		if _, err := c.Progress(context.Background(), tc.ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("%q: %v", tc.ref, err)
		}
		if got := <-seen; got != tc.uri {
			t.Errorf("%q reached the utility as %s, want %s", tc.ref, got, tc.uri)
		}
	}
}

// Only the API's own not_found means "not found": a 404 without it came from something
// else on the way (a proxy's page, a wrong path) and is retried as an outage, so that a
// submission is never taken for one that did not arrive, nor a misrouted one for a
// refusal.
func TestNotFoundOnlyFromTheAPI(t *testing.T) {
	nginx := "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n" +
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	for _, tc := range []struct {
		name, contentType, body string
		want                    error
	}{
		{"the API's not_found", "application/json", `{"error":{"code":"not_found","message":"未收到该业务"}}`, ErrNotFound},
		{"nginx's page", "text/html", nginx, ErrNotAPI},
		{"no body", "", "", ErrNotAPI},
		{"JSON with a code the protocol has not", "application/json", `{"error":{"code":"route_not_found","message":"no Route matched"}}`, ErrNotAPI},
		{"JSON of another framework", "application/json", `{"status":404,"error":"Not Found","path":"/v1/submissions/K260612000001"}`, ErrNotAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := waterClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, tc.body)
			})
			ctx := context.Background()
			_, lookup := c.Lookup(ctx, "K260612000001", "key-1")
			_, account := c.Account(ctx, "42001001")
			_, forward := c.Forward(ctx, Submission{Kind: KindPayment, KioskRef: "K260612000001", Key: "key-1", Body: []byte(`{"kiosk_ref":"K260612000001"}`)})
			for call, err := range map[string]error{"lookup": lookup, "account": account, "forward": forward} {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: %v, want %v", call, err, tc.want)
				}
				if tc.want != ErrNotAPI {
					if Temporary(err) {
						t.Errorf("%s: %v is retried", call, err)
					}
					continue
				}
				if errors.Is(err, ErrNotFound) || !errors.Is(err, ErrUnavailable) || !Temporary(err) || !Unreachable(err) {
					t.Errorf("%s: %v is not retried as an outage", call, err)
				}
				if p := Problem(err); p != ProblemUnreachable {
					t.Errorf("%s: the citizen is told %q", call, p)
				}
			}
		})
	}
}

// A 404 the utility answered a submission with when it arrived, which the lookup serves
// again, is a refusal: not "never arrived", which would send it again.
func TestLookupOfARefusalNotFound(t *testing.T) {
	for _, tc := range []struct{ name, response, message string }{
		{"with its code", `{"error":{"code":"not_found","message":"户号不存在"}}`, "户号不存在"},
		{"without", `{}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := waterClient(t, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"kind":"payment","status":404,"response":`+tc.response+`,"idempotency_key":"key-1"}`)
			})
			_, err := c.Lookup(context.Background(), "K260612000001", "key-1")
			var e *Error
			if !errors.Is(err, ErrRejected) || errors.Is(err, ErrNotFound) || Temporary(err) || !errors.As(err, &e) || e.Status != http.StatusNotFound {
				t.Fatalf("%v, want the refusal", err)
			}
			if Own(err) != tc.message {
				t.Errorf("the utility's words %q, want %q", Own(err), tc.message)
			}
		})
	}
}

// A utility that does not offer POST /transfers/check says so by its router's answers
// (404 or 405 without the protocol's error body, 501): ErrNotOffered, which the kiosk
// goes on from as before. Its own answers keep their meaning: a refusal stays a refusal,
// the API's not_found a not found, an outage an outage. The check carries no key.
func TestCheckTransferNotOffered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"no route", http.StatusNotFound, "404 page not found\n", ErrNotOffered},
		{"no such method", http.StatusMethodNotAllowed, "", ErrNotOffered},
		{"not implemented", http.StatusNotImplemented, `{"error":{"code":"internal","message":"暂不支持"}}`, ErrNotOffered},
		{"the API's not_found", http.StatusNotFound, `{"error":{"code":"not_found","message":"未找到该户号"}}`, ErrNotFound},
		{"the API's refusal", http.StatusUnprocessableEntity, `{"error":{"code":"validation","message":"不动产权证号不符","field":"property_cert"}}`, ErrRejected},
		{"an outage", http.StatusServiceUnavailable, "", ErrUnavailable},
		{"no objection", http.StatusNoContent, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var path, key string
			c := waterClient(t, func(w http.ResponseWriter, r *http.Request) {
				path, key = r.Method+" "+r.URL.Path, r.Header.Get(HeaderIdempotencyKey)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			err := c.CheckTransfer(context.Background(), Transfer{Account: "42001001"})
			if path != "POST /v1/transfers/check" || key != "" {
				t.Errorf("sent %s with key %q", path, key)
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("%v, want no objection", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
			if tc.want != ErrNotOffered && errors.Is(err, ErrNotOffered) {
				t.Errorf("%v is taken as not offered", err)
			}
		})
	}
}

// waterClient is water's reference client of a test server answering with h, closed
// with the test.
func waterClient(t *testing.T, h http.HandlerFunc) *HTTPClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewHTTP(Options{Utility: Water, BaseURL: srv.URL + "/v1", KioskID: "K", Secret: DemoSecret(Water), Timeout: time.Second, Clock: clock.System()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestNewIdempotencyKey(t *testing.T) {
	a, b := NewIdempotencyKey(), NewIdempotencyKey()
	if a == b || !ValidKey(a) || len(a) != 36 || a[14] != '4' {
		t.Errorf("keys %q %q", a, b)
	}
	for _, bad := range []string{"", `a"b`, "a b", strings.Repeat("k", 256), "键"} {
		if ValidKey(bad) {
			t.Errorf("%q is valid", bad)
		}
	}
}

func TestBillOverdue(t *testing.T) {
	due := time.Date(2026, 11, 25, 23, 59, 59, 0, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		name string
		bill Bill
		now  time.Time
		want bool
	}{
		{"unpaid, before its due time", Bill{Due: due}, due.Add(-time.Second), false},
		{"unpaid, at its due time", Bill{Due: due}, due, false},
		{"unpaid, past its due time", Bill{Due: due}, due.Add(time.Second), true},
		{"paid late", Bill{Due: due, Paid: true}, due.Add(time.Hour), false},
		{"no due time", Bill{}, due, false},
	} {
		if got := tc.bill.Overdue(tc.now); got != tc.want {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.want)
		}
	}
}
