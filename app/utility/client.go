package utility

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
)

// DefaultMaxResponse bounds a response body; a longer one is ErrBadResponse.
const DefaultMaxResponse = 1 << 20

// Options configure an HTTPClient.
type Options struct {
	// Utility is the utility's ID; Name its name for messages.
	Utility string
	Name    string
	// BaseURL is the API root, e.g. https://kiosk-api.power.example.cn/v1.
	BaseURL string
	// KioskID identifies this kiosk (config kiosk.id); Secret is its signing secret.
	KioskID string
	Secret  []byte
	// Timeout bounds each call (config utilities.*.timeout); default 5 s.
	Timeout time.Duration
	// MaxResponse bounds a response body; default DefaultMaxResponse.
	MaxResponse int64
	// Clock stamps requests; default the system clock.
	Clock clock.Clock
	// Transport replaces the default keep-alive transport (tests).
	Transport http.RoundTripper
	// RootCAs are the only authorities the API's certificate is trusted under (LoadCAs);
	// nil: the system's.
	RootCAs *x509.CertPool
}

// HTTPClient is the reference Client: JSON over HTTPS, signed requests, idempotency keys.
// It is safe for concurrent use and keeps connections alive.
type HTTPClient struct {
	o   Options
	cur atomic.Pointer[target]
}

// target is an endpoint made ready for calls: its parsed base URL, deadline and
// connections. Calls take the current one; UseEndpoint puts another in its place.
type target struct {
	base    *url.URL
	timeout time.Duration
	http    *http.Client
}

var _ Client = (*HTTPClient)(nil)

// NewHTTP returns a client for one utility.
func NewHTTP(o Options) (*HTTPClient, error) {
	if len(o.Secret) == 0 {
		return nil, fmt.Errorf("utility %s: no signing secret", o.Utility)
	}
	if o.KioskID == "" {
		return nil, fmt.Errorf("utility %s: no kiosk ID", o.Utility)
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MaxResponse <= 0 {
		o.MaxResponse = DefaultMaxResponse
	}
	if o.Clock == nil {
		o.Clock = clock.System()
	}
	if o.Name == "" {
		o.Name = o.Utility
	}
	c := &HTTPClient{o: o}
	t, err := c.newTarget(Endpoint{BaseURL: o.BaseURL})
	if err != nil {
		return nil, err
	}
	c.cur.Store(t)
	return c, nil
}

// newTarget makes e ready for calls; a zero Timeout is the configured one.
func (c *HTTPClient) newTarget(e Endpoint) (*target, error) {
	u, err := c.baseURL(e)
	if err != nil {
		return nil, err
	}
	timeout := c.timeoutOf(e)
	rt := c.o.Transport
	if rt == nil {
		rt = &http.Transport{
			Proxy:                 nil, // the hall network is configured, not discovered
			DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          128,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: c.o.RootCAs},
			// HTTP/2 carries every call on one connection, and a call that times out
			// leaves it open: one whose peer has vanished without a word (a NAT or
			// firewall that forgot it, a hung load balancer) took every later call to
			// its deadline, for ever. Pinged when silent for a deadline, it is dropped
			// when the ping goes unanswered for another.
			HTTP2: &http.HTTP2Config{SendPingTimeout: timeout, PingTimeout: timeout},
		}
	}
	return &target{base: u, timeout: timeout, http: &http.Client{Transport: rt, CheckRedirect: noRedirect}}, nil
}

// timeoutOf is e's call deadline: its own, or the configured one.
func (c *HTTPClient) timeoutOf(e Endpoint) time.Duration {
	if e.Timeout > 0 {
		return e.Timeout
	}
	return c.o.Timeout
}

// baseURL is e's base URL, parsed, without a final slash.
func (c *HTTPClient) baseURL(e Endpoint) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(e.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("utility %s: %q is not an http(s) base URL", c.o.Utility, e.BaseURL)
	}
	return u, nil
}

// Moves reports whether UseEndpoint(e) would send the client's calls to another base
// URL than now (a new deadline alone does not move them).
func (c *HTTPClient) Moves(e *Endpoint) bool {
	u, err := c.baseURL(c.orOwn(e))
	return err != nil || u.String() != c.cur.Load().base.String()
}

// UseEndpoint sends the client's calls to e from now on (nil: the endpoint it was made
// with). Calls under way finish where they began; the same endpoint again keeps the
// connections.
func (c *HTTPClient) UseEndpoint(e *Endpoint) error {
	to := c.orOwn(e)
	u, err := c.baseURL(to)
	if err != nil {
		return err
	}
	if now := c.cur.Load(); now.base.String() == u.String() && now.timeout == c.timeoutOf(to) {
		return nil // as every content change asks: no new connections for nothing
	}
	t, err := c.newTarget(to)
	if err != nil {
		return err
	}
	c.closeIdle(c.cur.Swap(t))
	return nil
}

// orOwn is e, or for nil the endpoint the client was made with.
func (c *HTTPClient) orOwn(e *Endpoint) Endpoint {
	if e == nil {
		return Endpoint{BaseURL: c.o.BaseURL}
	}
	return *e
}

// Endpoint is where the client's calls go now.
func (c *HTTPClient) Endpoint() Endpoint {
	t := c.cur.Load()
	return Endpoint{BaseURL: t.base.String(), Timeout: t.timeout}
}

// closeIdle drops t's kept-alive connections, unless they are a transport the client
// was given (Options.Transport), which is not the client's to close.
func (c *HTTPClient) closeIdle(t *target) {
	if c.o.Transport == nil {
		t.http.CloseIdleConnections()
	}
}

// A signed request is not followed to another place.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// ConfiguredURL is the base URL a utility's client is made with: utilities.*.base_url,
// or its override in baseURLs (demo mode passes the simulator's URLs).
func ConfiguredURL(cfg *config.Config, baseURLs map[string]string, id string) string {
	if v := baseURLs[id]; v != "" {
		return v
	}
	u, _ := cfg.Utilities.ByID(id)
	return u.BaseURL
}

// ConfiguredAPI is the API a utility's client speaks: utilities.*.api, APIReference when
// that is empty or baseURLs overrides the utility's URL (the demo's simulator speaks the
// reference protocol).
func ConfiguredAPI(cfg *config.Config, baseURLs map[string]string, id string) string {
	u, _ := cfg.Utilities.ByID(id)
	if u.API == "" || baseURLs[id] != "" {
		return APIReference
	}
	return u.API
}

// FromConfig builds a client for every enabled utility of cfg, at its ConfiguredURL:
// the reference HTTPClient, or the adapter of its ConfiguredAPI (RegisterAdapter).
// Secrets come from utilities.*.secret_file, or DemoSecret in demo mode when that is
// empty.
func FromConfig(cfg *config.Config, baseURLs map[string]string) (map[string]Client, error) {
	out := map[string]Client{}
	for _, id := range config.UtilityIDs {
		u, _ := cfg.Utilities.ByID(id)
		if !u.Enabled {
			continue
		}
		api := ConfiguredAPI(cfg, baseURLs, id)
		a, err := adapter(api)
		if err != nil {
			return nil, fmt.Errorf("utility %s: utilities.%s.api: %w", id, id, err)
		}
		secret, err := LoadSecret(u.SecretFile, id, cfg.Demo)
		if err != nil {
			return nil, err
		}
		cas, err := LoadCAs(u.CAFile, id)
		if err != nil {
			return nil, err
		}
		o := Options{Utility: id, Name: u.Name, BaseURL: ConfiguredURL(cfg, baseURLs, id), KioskID: cfg.Kiosk.ID, Secret: secret, Timeout: u.Timeout.Duration, RootCAs: cas}
		if a == nil {
			c, err := NewHTTP(o)
			if err != nil {
				return nil, err
			}
			out[id] = c
			continue
		}
		c, err := a(o)
		if err == nil && (c == nil || c.ID() != id) {
			err = errors.New("no client for this utility")
		}
		if err != nil {
			return nil, fmt.Errorf("utility %s: the %s adapter: %w", id, api, err)
		}
		out[id] = c
	}
	return out, nil
}

// ID is the utility's ID.
func (c *HTTPClient) ID() string { return c.o.Utility }

// Name is the utility's name.
func (c *HTTPClient) Name() string { return c.o.Name }

// CloseIdleConnections drops kept-alive connections.
func (c *HTTPClient) CloseIdleConnections() { c.cur.Load().http.CloseIdleConnections() }

// call sends one signed request and decodes a 2xx answer into out.
func (c *HTTPClient) call(ctx context.Context, op, method, path, key string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("utility %s: %s: %w", c.o.Utility, op, err)
		}
	}
	return c.callRaw(ctx, op, method, path, key, body, out)
}

func (c *HTTPClient) callRaw(ctx context.Context, op, method, path, key string, body []byte, out any) error {
	t := c.cur.Load()
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	// path is escaped (seg): sent as it is, not escaped again.
	plain, err := url.PathUnescape(path)
	if err != nil {
		return fmt.Errorf("utility %s: %s: path %q: %w", c.o.Utility, op, path, err)
	}
	u := *t.base
	u.Path, u.RawPath = t.base.Path+plain, t.base.EscapedPath()+path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("utility %s: %s: %w", c.o.Utility, op, err)
	}
	ts := c.o.Clock.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(HeaderKioskID, c.o.KioskID)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(ts))
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, FormatIdempotencyKey(key))
	}
	req.Header.Set(HeaderSignature, Sign(c.o.Secret, method, requestPath(req), ts, c.o.KioskID, key, body))
	resp, err := t.http.Do(req)
	if err != nil {
		return c.transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxResponse+1))
	if err != nil {
		return c.transportError(ctx, op, err)
	}
	if err := DecodeResponse(resp.StatusCode, data, c.o.MaxResponse, out); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Utility, e.Op = c.o.Utility, op
			c.explain(e, resp, ts)
		}
		return err
	}
	return nil
}

// explain adds to e, an error answer to a request stamped ts, what its headers tell:
// the wait its Retry-After asks for, where a redirect pointed, and for a refused
// signature how far the kiosk's clock is from the utility's.
func (c *HTTPClient) explain(e *Error, resp *http.Response, ts int64) {
	date, dated := serverDate(resp)
	now := date
	if !dated {
		now = c.o.Clock.Now()
	}
	e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && e.Err == nil:
		// Not followed (noRedirect): staff read where the API says it is now.
		to := "nowhere"
		if loc, err := resp.Location(); err == nil {
			to = loc.Scheme + "://" + loc.Host
		}
		e.Err = fmt.Errorf("redirected to %s, not followed: a signed request goes only to the configured base URL "+
			"(the utility's bundle moves it)", to)
	case errors.Is(e.Kind, ErrAuth) && dated && e.Err == nil:
		if off := time.Unix(ts, 0).Sub(date); off > skewTold || off < -skewTold {
			e.Err = &ClockSkew{Off: off}
		}
	}
}

// serverDate is the time of the answer by the utility's clock (its Date header).
func serverDate(resp *http.Response) (time.Time, bool) {
	t, err := http.ParseTime(resp.Header.Get("Date"))
	return t, err == nil
}

// retryAfter is the wait a Retry-After header asks for, in seconds or until a date
// reckoned from now (the answer's own Date when it has one, so that the kiosk's clock
// does not count), at most MaxRetryAfter; 0 for none, a past date or nonsense.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		if n > uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(n) * time.Second
	} else if errors.Is(err, strconv.ErrRange) {
		return MaxRetryAfter
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(at.Sub(now), 0), MaxRetryAfter)
}

// transportError classifies a failure to get an answer at all.
func (c *HTTPClient) transportError(ctx context.Context, op string, err error) error {
	kind := ErrUnavailable
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		kind = ErrTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		kind = ErrTimeout
	}
	if errors.Is(err, context.Canceled) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// The caller gave up (the kiosk is shutting down): not the utility's fault.
		return fmt.Errorf("utility %s: %s: %w", c.o.Utility, op, context.Canceled)
	}
	return &Error{Utility: c.o.Utility, Op: op, Kind: kind, Err: stripURL(err)}
}

// stripURL drops the URL from a *url.Error: it is long and adds nothing for staff.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errorBody is the protocol's error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Amount  Fen    `json:"amount_fen"`
	} `json:"error"`
}

// validator is implemented by answers that can tell whether they are complete.
type validator interface{ validate() error }

// DecodeResponse turns a status and body into out (2xx) or an *Error. It never panics,
// whatever the bytes; a body longer than max is ErrBadResponse. An error's code decides
// its kind, else its status; a 404 is ErrNotFound only with the code not_found, and
// without a code of the protocol ErrUnavailable caused by ErrNotAPI.
func DecodeResponse(status int, body []byte, max int64, out any) error {
	if int64(len(body)) > max {
		return &Error{Status: status, Kind: ErrBadResponse, Err: fmt.Errorf("answer longer than %d bytes", max)}
	}
	if status >= 200 && status < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return &Error{Status: status, Kind: ErrBadResponse, Err: jsonProblem(err)}
		}
		if v, ok := out.(validator); ok {
			if err := v.validate(); err != nil {
				return &Error{Status: status, Kind: ErrBadResponse, Err: err}
			}
		}
		return nil
	}
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // a non-JSON error body still has its status
	e := &Error{Status: status, Code: eb.Error.Code, Message: cleanMessage(eb.Error.Message), Field: eb.Error.Field, Amount: eb.Error.Amount}
	e.Kind = kindOfCode(e.Code)
	if e.Kind == nil && status == http.StatusNotFound {
		// Only the API's own not_found says that something does not exist. A 404 without
		// a code of the protocol came from something else on the way (a proxy's page, a
		// wrong path): taken for "not found", a submission would be sent again.
		e.Kind, e.Err = ErrUnavailable, ErrNotAPI
	}
	if e.Kind == nil {
		e.Kind = kindOfStatus(status)
	}
	return e
}

// jsonProblem keeps the decoder's message short and free of the body's content.
func jsonProblem(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("field %q has the wrong type", te.Field)
	}
	return errors.New("malformed JSON")
}

// kindOfCode is the kind of error a code of the protocol names; nil for no code or one
// the protocol does not have.
func kindOfCode(code string) error {
	switch code {
	case CodeUnpaidBills:
		return ErrUnpaidBills
	case CodeLimitExceeded:
		return ErrLimitExceeded
	case CodeNotFound:
		return ErrNotFound
	case CodeBadSignature:
		return ErrAuth
	case CodeInProgress, CodeRateLimited:
		return ErrBusy
	case CodeValidation, CodeAlreadyDone, CodeKeyMissing, CodeKeyReused:
		return ErrRejected
	case CodeUnavailable:
		return ErrUnavailable
	case CodeInternal:
		return ErrServer
	}
	return nil
}

// kindOfStatus is the kind of an error answer without a code of the protocol, other
// than a 404 (which DecodeResponse decides).
func kindOfStatus(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case status == http.StatusConflict || status == http.StatusTooManyRequests:
		return ErrBusy
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return ErrUnavailable
	case status == http.StatusRequestTimeout:
		return ErrTimeout
	case status >= 400 && status < 500:
		return ErrRejected
	case status >= 500:
		return ErrServer
	}
	// 1xx and 3xx are not part of the protocol.
	return ErrBadResponse
}
