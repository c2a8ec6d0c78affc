package utility

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
)

// The tests of this file play utilities that misbehave on purpose, on real loopback
// servers: what the kiosk's client makes of each, and that none of them holds a call
// beyond its deadline, carries the kiosk's credentials elsewhere, or passes another
// request's answer off as this one's.

// hostileTimeout is the deadline of every call in these tests: short, so that a
// misbehaving server costs a test a fraction of a second.
const hostileTimeout = 300 * time.Millisecond

// hostileClient is a gas client of base with hostileTimeout; o's other fields as given.
func hostileClient(t *testing.T, base string, o Options) *HTTPClient {
	t.Helper()
	o.Utility, o.BaseURL, o.KioskID, o.Secret, o.Timeout = Gas, base, "K", DemoSecret(Gas), hostileTimeout
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	c, err := NewHTTP(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// serve starts h on loopback until the test ends; its own complaints about the
// connections the client gives up on are not the test's output.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// A server that sends its headers at once and then its body a byte at a time is held to
// the call's deadline, body included: the call ends a timeout, retried later, not a
// call that lasts as long as the server likes.
func TestTrickledBodyEndsAtTheDeadline(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		body := `{"reference":"` + strings.Repeat("x", 200) + `","status":"paid"}`
		// Long after the deadline it ends the body: a client still reading by then
		// would take the whole answer and the test would see no timeout.
		for i := 0; i < len(body); i++ {
			if _, err := io.WriteString(w, body[i:i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	c := hostileClient(t, srv.URL+"/v1", Options{})
	_, err := c.Payment(context.Background(), "P1")
	if !errors.Is(err, ErrTimeout) || !Temporary(err) || !Unreachable(err) {
		t.Fatalf("%v, want a timeout", err)
	}
	if p := Problem(err); p != ProblemUnreachable {
		t.Errorf("the citizen is told %q", p)
	}
}

// silentListener accepts connections and never says a word on them.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// A server that takes the connection and never answers, neither the TLS handshake nor
// a plain request, is a timeout.
func TestSilentServer(t *testing.T) {
	addr := silentListener(t)
	for _, scheme := range []string{"https", "http"} {
		c := hostileClient(t, scheme+"://"+addr+"/v1", Options{})
		_, err := c.Forward(context.Background(), Submission{Kind: KindApplication, KioskRef: "K1", Key: "key-1", Body: []byte(`{"kiosk_ref":"K1"}`)})
		if !errors.Is(err, ErrTimeout) || !Temporary(err) {
			t.Errorf("%s: %v, want a timeout", scheme, err)
		}
	}
}

// A redirect is not followed: the signed request, with its body, goes to no other host
// or scheme, and to no other path of the same host. Staff read where it pointed.
func TestRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		io.WriteString(w, `{"reference":"STOLEN"}`)
	})
	var target atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/") {
			elsewhere.Add(1)
			io.WriteString(w, `{"reference":"MOVED"}`)
			return
		}
		http.Redirect(w, r, target.Load().(string)+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := hostileClient(t, srv.URL+"/v1", Options{})
	for _, to := range []string{other.URL, strings.Replace(srv.URL, "http://", "https://", 1), srv.URL + "/v2"} {
		target.Store(to)
		_, err := c.Forward(context.Background(), Submission{Kind: KindApplication, KioskRef: "K1", Key: "key-1", Body: []byte(`{"kiosk_ref":"K1"}`)})
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusTemporaryRedirect || !Temporary(err) {
			t.Fatalf("redirected to %s: %v", to, err)
		}
		host := strings.TrimPrefix(strings.TrimPrefix(to, "http://"), "https://")
		host, _, _ = strings.Cut(host, "/")
		if !strings.Contains(err.Error(), host) {
			t.Errorf("staff are not told where it pointed: %v", err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the request was followed %d times", n)
	}
}

// An answer that names another request or thing than the one asked about is not taken
// for this one's: a submission's answer for another kiosk reference, a lookup's record
// of another, a payment's status for another order; an account, bill or application
// other than the one asked for, a list holding another account's bill or another
// utility's account or application, a payment order for another account, other bills or
// another amount, an acceptance of another service. Each is a bad answer, asked again
// later, whose error names the method but not what the answer was about, and nothing of
// it is handed on. Answers that leave the names out, or write a reference in another
// case, are taken.
func TestAnswerForAnotherRequest(t *testing.T) {
	var answer atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, answer.Load().(string))
	})
	c := hostileClient(t, srv.URL+"/v1", Options{}) // gas
	ctx := context.Background()
	const ref, acct, bill = "K260612000001", "3100001001", "G-202605"
	sub := Submission{Kind: KindApplication, KioskRef: ref, Key: "key-1", Body: []byte(`{"kiosk_ref":"K260612000001"}`)}
	pay := PaymentRequest{KioskRef: ref, Account: acct, Bills: []string{"G-202604", bill}, Amount: 12345}
	payBody, _ := json.Marshal(pay)
	order := func(account, bills, amount string) string {
		return `{"reference":"P1","status":"pending","kiosk_ref":"K260612000001","account":"` + account + `","bills":` + bills + `,"amount_fen":` + amount + `}`
	}
	forward := func() (any, error) { return c.Forward(ctx, sub) }
	forwardPay := func() (any, error) {
		return c.Forward(ctx, Submission{Kind: KindPayment, KioskRef: ref, Key: "key-2", Body: payBody})
	}
	createPay := func() (any, error) { return c.CreatePayment(ctx, "key-2", pay) }
	apply := func() (any, error) {
		return c.SubmitApplication(ctx, "key-1", Application{KioskRef: ref, Service: "new_connection"})
	}
	lookup := func() (any, error) { return c.Lookup(ctx, ref, "key-1") }
	payment := func() (any, error) { return c.Payment(ctx, "P1") }
	accounts := func() (any, error) { return c.AccountsByIdentity(ctx, Identity{IDNumber: "420702198506150010"}) }
	account := func() (any, error) { return c.Account(ctx, acct) }
	bills := func() (any, error) { return c.Bills(ctx, acct) }
	oneBill := func() (any, error) { return c.Bill(ctx, acct, bill) }
	progress := func() (any, error) { return c.Progress(ctx, "SQ260612001") }
	applications := func() (any, error) { return c.Applications(ctx, Identity{IDNumber: "420702198506150010"}) }
	for _, tc := range []struct {
		name, answer string
		call         func() (any, error)
		// op is the method a bad answer's error names; other what the answer was about
		// instead, which it does not name.
		op, other string
	}{
		{"forward: its own", `{"reference":"SQ1","kiosk_ref":"K260612000001"}`, forward, "", ""},
		{"forward: none named", `{"reference":"SQ1"}`, forward, "", ""},
		{"forward: a payment's fields unknown to an acceptance", `{"reference":"SQ1","account":12,"bills":"x","amount_fen":"y"}`, forward, "", ""},
		{"forward: another's", `{"reference":"SQ2","kiosk_ref":"K260612000002"}`, forward, "application.forward", "K260612000002"},
		{"submit: another's", `{"reference":"SQ2","kiosk_ref":"K260612000002"}`, apply, "applications.create", "K260612000002"},
		{"submit: its own service", `{"reference":"SQ1","kiosk_ref":"K260612000001","service":"new_connection"}`, apply, "", ""},
		{"submit: another service", `{"reference":"SQ2","service":"capacity_change"}`, apply, "applications.create", "capacity_change"},
		{"lookup: its own", `{"kind":"application","status":200,"response":{"reference":"SQ1","kiosk_ref":"K260612000001"},"idempotency_key":"key-1"}`, lookup, "", ""},
		{"lookup: another's answer under its reference", `{"kind":"application","status":200,"response":{"reference":"SQ2","kiosk_ref":"K260612000002"},"idempotency_key":"key-1"}`, lookup, "submissions.get", "K260612000002"},
		{"payment: its own", `{"reference":"P1","status":"paid"}`, payment, "", ""},
		{"payment: another order", `{"reference":"P2","status":"paid"}`, payment, "payments.get", "P2"},

		{"create payment: its own, bills in another order", order(acct, `["G-202605","G-202604"]`, "12345"), createPay, "", ""},
		{"create payment: none named", `{"reference":"P1","status":"pending"}`, createPay, "", ""},
		{"create payment: another account", order("3100001002", `["G-202604","G-202605"]`, "12345"), createPay, "payments.create", "3100001002"},
		{"create payment: other bills", order(acct, `["G-202603","G-202605"]`, "12345"), createPay, "payments.create", "G-202603"},
		{"create payment: another amount", order(acct, `["G-202604","G-202605"]`, "54321"), createPay, "payments.create", "543"},
		{"forward payment: its own", order(acct, `["G-202604","G-202605"]`, "12345"), forwardPay, "", ""},
		{"forward payment: another account", order("3100001002", `["G-202604","G-202605"]`, "12345"), forwardPay, "payment.forward", "3100001002"},

		{"accounts: its own", `{"accounts":[{"utility":"gas","number":"3100001001"},{"number":"3100001003"}]}`, accounts, "", ""},
		{"accounts: another utility's among them", `{"accounts":[{"utility":"gas","number":"3100001001"},{"utility":"water","number":"3100002002"}]}`, accounts, "accounts.search", "3100002002"},
		{"account: its own", `{"utility":"gas","number":"3100001001"}`, account, "", ""},
		{"account: another", `{"utility":"gas","number":"3100001002"}`, account, "accounts.get", "3100001002"},
		{"account: another utility's", `{"utility":"water","number":"3100001001"}`, account, "accounts.get", "water"},
		{"bills: their own", `{"bills":[{"id":"G-202605","account":"3100001001"},{"id":"G-202604"}]}`, bills, "", ""},
		{"bills: another account's among them", `{"bills":[{"id":"G-202605","account":"3100001001"},{"id":"G-202604","account":"3100001002"}]}`, bills, "bills.list", "3100001002"},
		{"bill: its own", `{"id":"G-202605","account":"3100001001"}`, oneBill, "", ""},
		{"bill: another", `{"id":"G-202604","account":"3100001001"}`, oneBill, "bills.get", "G-202604"},
		{"bill: another account's", `{"id":"G-202605","account":"3100001002"}`, oneBill, "bills.get", "3100001002"},
		{"progress: its own", `{"reference":"SQ260612001","utility":"gas"}`, progress, "", ""},
		{"progress: its own in another case", `{"reference":"sq260612001"}`, progress, "", ""},
		{"progress: another application", `{"reference":"SQ260612002","utility":"gas"}`, progress, "applications.get", "SQ260612002"},
		{"progress: another utility's", `{"reference":"SQ260612001","utility":"water"}`, progress, "applications.get", "water"},
		{"applications: their own", `{"applications":[{"reference":"SQ1","utility":"gas"},{"reference":"SQ2"}]}`, applications, "", ""},
		{"applications: another utility's among them", `{"applications":[{"reference":"SQ1","utility":"gas"},{"reference":"DL2","utility":"electricity"}]}`, applications, "applications.search", "DL2"},
	} {
		answer.Store(tc.answer)
		v, err := tc.call()
		if tc.op == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrBadResponse) || !Temporary(err) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want a bad answer", tc.name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.op+":") || strings.Contains(msg, tc.other) {
			t.Errorf("%s: %q should name %s and not the answer's %q", tc.name, msg, tc.op, tc.other)
		}
		if !reflect.ValueOf(v).IsZero() {
			t.Errorf("%s: the answer was handed on: %+v", tc.name, v)
		}
	}
}

// Answers that are too big once unpacked, nested without end, cut short or longer than
// they say are bad answers or cut connections, never a panic or an answer; and the
// connection after them is sound.
func TestMalformedAnswers(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"reference":"`))
	zw.Write(bytes.Repeat([]byte("0"), 16<<20))
	zw.Close()
	var mode atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case "gzip bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		case "nested":
			io.WriteString(w, strings.Repeat("[", 1<<19))
		case "shorter than it says":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"reference":"P1","status":"paid"}`)
		case "duplicate keys":
			io.WriteString(w, `{"reference":"P1","status":"pending","status":"paid"}`)
		default:
			io.WriteString(w, `{"reference":"P1","status":"pending"}`)
		}
	})
	if bomb.Len() > DefaultMaxResponse/8 {
		t.Fatalf("the bomb is %d bytes packed", bomb.Len())
	}
	c := hostileClient(t, srv.URL+"/v1", Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		mode string
		want error
	}{
		{"gzip bomb", ErrBadResponse}, {"nested", ErrBadResponse}, {"shorter than it says", ErrUnavailable},
	} {
		mode.Store(tc.mode)
		if _, err := c.Payment(ctx, "P1"); !errors.Is(err, tc.want) || !Temporary(err) {
			t.Errorf("%s: %v, want %v", tc.mode, err, tc.want)
		}
		mode.Store("")
		if p, err := c.Payment(ctx, "P1"); err != nil || p.Status != PaymentPending {
			t.Errorf("after %s: %+v, %v", tc.mode, p, err)
		}
	}
	// Duplicate keys: the last one counts, as encoding/json reads them (docs/utility-api.md).
	mode.Store("duplicate keys")
	if p, err := c.Payment(ctx, "P1"); err != nil || p.Status != PaymentPaid {
		t.Errorf("duplicate keys: %+v, %v", p, err)
	}
}

// A server that says a shorter Content-Length than it sends leaves the rest on the
// connection: the answer is cut to what it said, and the rest is never read as the next
// call's answer.
func TestContentLengthLie(t *testing.T) {
	// net/http logs the rest it finds on the idle connection ("Unsolicited response")
	// to the standard logger: that is the finding, not the test's output.
	defer log.SetOutput(log.Writer())
	log.SetOutput(io.Discard)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var served atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					body := `{"reference":"P1","status":"pending"}`
					if served.Add(1) == 1 {
						// 12 bytes said, then another whole answer after them.
						fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n%s"+
							"HTTP/1.1 200 OK\r\nContent-Length: 35\r\n\r\n{\"reference\":\"P1\",\"status\":\"paid\"}", body)
						continue
					}
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				}
			}()
		}
	}()
	c := hostileClient(t, "http://"+ln.Addr().String()+"/v1", Options{})
	ctx := context.Background()
	if _, err := c.Payment(ctx, "P1"); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("cut to its Content-Length: %v", err)
	}
	p, err := c.Payment(ctx, "P1")
	if err != nil || p.Status != PaymentPending {
		t.Fatalf("the next call got %+v, %v: the rest of the lie was taken for its answer", p, err)
	}
}

// A 429 or 503 with Retry-After carries it, in seconds or as a date (reckoned from the
// answer's own Date, whatever the kiosk's clock says), for the outbox to wait that
// long; nonsense is no wait.
func TestRetryAfter(t *testing.T) {
	var status atomic.Int32
	var retryAfter atomic.Value
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAfter.Load().(string))
		w.WriteHeader(int(status.Load()))
		io.WriteString(w, `{"error":{"code":"rate_limited"}}`)
	})
	// The kiosk's clock is an hour off: a date is still reckoned against the server's.
	c := hostileClient(t, srv.URL+"/v1", Options{Clock: clock.NewManual(time.Now().Add(time.Hour))})
	for _, tc := range []struct {
		status int
		header string
		// want is the wait, to the second.
		want time.Duration
	}{
		{429, "120", 120 * time.Second},
		{503, "7", 7 * time.Second},
		{429, time.Now().UTC().Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{429, "-5", 0},
		{429, "soon", 0},
		{429, time.Now().UTC().Add(-time.Hour).Format(http.TimeFormat), 0},
		{429, "99999999999999999999", MaxRetryAfter},
	} {
		status.Store(int32(tc.status))
		retryAfter.Store(tc.header)
		_, err := c.Payment(context.Background(), "P1")
		got := RetryAfter(err)
		if d := got - tc.want; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("%d Retry-After %q: wait %s, want %s", tc.status, tc.header, got, tc.want)
		}
	}
}

// A utility that refuses the signature while its clock and the kiosk's are apart says
// so to staff: how far, which way, and to set the kiosk's clock. The refusal stays a
// signature refusal, tried again later; a refusal without a clock apart says nothing
// of clocks.
func TestClockSkewIsTold(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, err := Verify(r, nil, time.Now(), DefaultReplayWindow, func(string) []byte { return DemoSecret(Gas) })
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"bad_signature"}}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"code":"not_found"}}`)
	})
	for _, tc := range []struct {
		name   string
		off    time.Duration
		secret []byte
		want   string // "" for no word of the clock
	}{
		{"kiosk behind", -7 * time.Minute, DemoSecret(Gas), "behind"},
		{"kiosk ahead", 2 * time.Hour, DemoSecret(Gas), "ahead"},
		{"wrong secret, clock right", 0, DemoSecret(Water), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := hostileClient(t, srv.URL+"/v1", Options{Clock: clock.NewManual(time.Now().Add(tc.off))})
			c.o.Secret = tc.secret
			_, err := c.Progress(context.Background(), "A1")
			if !errors.Is(err, ErrAuth) || !Temporary(err) || Problem(err) != ProblemAuth {
				t.Fatalf("%v, want a refused signature", err)
			}
			var skew *ClockSkew
			if tc.want == "" {
				if errors.As(err, &skew) || strings.Contains(err.Error(), "clock") {
					t.Fatalf("%v speaks of the clock", err)
				}
				return
			}
			if !errors.As(err, &skew) {
				t.Fatalf("%v does not tell the clock", err)
			}
			if d := skew.Off - tc.off; d < -3*time.Second || d > 3*time.Second {
				t.Errorf("off by %s, want %s", skew.Off, tc.off)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "set the kiosk's clock") {
				t.Errorf("staff read %q", err)
			}
		})
	}
}

// blackhole is a TCP relay to a server that can make every connection through it so far
// go silent, both ways, without closing it: the peer has vanished (a NAT or firewall
// forgot the connection, a load balancer's backend hung). Connections made afterwards
// pass.
type blackhole struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	dead   []*atomic.Bool
	conns  []net.Conn
}

func newBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln, target: target}
	go b.run()
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range b.conns {
			c.Close()
		}
	})
	return b
}

func (b *blackhole) run() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", b.target)
		if err != nil {
			c.Close()
			continue
		}
		dead := new(atomic.Bool)
		b.mu.Lock()
		b.dead = append(b.dead, dead)
		b.conns = append(b.conns, c, u)
		b.mu.Unlock()
		relay := func(dst, src net.Conn) {
			buf := make([]byte, 32<<10)
			for {
				n, err := src.Read(buf)
				if err != nil {
					dst.Close()
					return
				}
				if !dead.Load() {
					dst.Write(buf[:n])
				}
			}
		}
		go relay(u, c)
		go relay(c, u)
	}
}

// silence makes every connection so far go silent.
func (b *blackhole) silence() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.dead {
		d.Store(true)
	}
}

// A kept-alive connection whose peer has vanished without a word is not used for ever:
// the calls on it time out, and soon the client drops it and answers come again on a
// new one, over HTTP/2 (one connection for every call) as over HTTP/1.1.
func TestDeadConnectionIsDropped(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("http2=%v", h2), func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if (r.ProtoMajor == 2) != h2 {
					t.Errorf("asked over %s", r.Proto)
				}
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"error":{"code":"not_found"}}`)
			}))
			srv.EnableHTTP2 = h2
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			defer srv.Close()
			relay := newBlackhole(t, srv.Listener.Addr().String())
			cas := x509.NewCertPool()
			cas.AddCert(srv.Certificate())
			c := hostileClient(t, "https://"+relay.ln.Addr().String()+"/v1", Options{RootCAs: cas})
			ctx := context.Background()
			if _, err := c.Progress(ctx, "A1"); !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
			relay.silence()
			_, err := c.Progress(ctx, "A1")
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("on the silent connection: %v", err)
			}
			// Twenty deadlines: on a connection kept for ever they all pass.
			for i := 0; ; i++ {
				_, err = c.Progress(ctx, "A1")
				if errors.Is(err, ErrNotFound) {
					break
				}
				if i == 20 {
					t.Fatalf("still on the dead connection: %v", err)
				}
			}
		})
	}
}
