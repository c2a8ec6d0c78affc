package utility

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/tomlpos"
)

// Endpoint is where a utility's API is: its base URL and the deadline of each call. The
// configuration gives one (utilities.*.base_url and timeout); a utility that moves its
// API tells the kiosks in a signed content bundle (docs/bundles.md).
type Endpoint struct {
	BaseURL string
	// Timeout bounds each call; 0 keeps the configured one.
	Timeout time.Duration
}

// rawEndpoint is an endpoint file as written.
type rawEndpoint struct {
	Utility string          `toml:"utility"`
	BaseURL string          `toml:"base_url"`
	Timeout config.Duration `toml:"timeout"`
}

// ParseEndpoint reads a content bundle's endpoint file, named name in its messages:
//
//	utility  = "electricity"
//	base_url = "https://kiosk-api2.power.example.cn/v1"
//	timeout  = "8s"   # optional: the configured one otherwise
//
// It returns the file's utility and its endpoint, held to the rules of the
// configuration's own (https, or http on loopback; a timeout in range). Nothing else may
// be in the file: the kiosk's secret for the utility never travels in a bundle.
func ParseEndpoint(data []byte, name string) (string, Endpoint, error) {
	var raw rawEndpoint
	_, ix, err := tomlpos.Decode(data, name, &raw)
	if err != nil {
		return "", Endpoint{}, fmt.Errorf("endpoint: %w", err)
	}
	fail := func(key, format string, args ...any) (string, Endpoint, error) {
		return "", Endpoint{}, fmt.Errorf("endpoint: %w", &tomlpos.Error{File: name, Line: ix.Line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if !slices.Contains(config.UtilityIDs, raw.Utility) {
		return fail("utility", "%q is not a utility; known: %s", raw.Utility, strings.Join(config.UtilityIDs, ", "))
	}
	if raw.BaseURL == "" {
		return fail("base_url", "must be given: the API root, e.g. https://kiosk-api.power.example.cn/v1")
	}
	if err := config.CheckBaseURL(raw.BaseURL); err != nil {
		return fail("base_url", "%v", err)
	}
	t := raw.Timeout.Duration
	if t != 0 && (t < config.MinUtilityTimeout || t > config.MaxUtilityTimeout) {
		return fail("timeout", "%s is out of range (%s to %s)", t, config.MinUtilityTimeout, config.MaxUtilityTimeout)
	}
	return raw.Utility, Endpoint{BaseURL: raw.BaseURL, Timeout: t}, nil
}

// BundleEndpoint is the endpoint a content bundle gives its utility, if it holds a
// valid one (an applied bundle's endpoint file was checked when it was applied).
func BundleEndpoint(b *bundle.Bundle) (Endpoint, bool) {
	data, ok := b.Files[bundle.EndpointFile]
	if !ok {
		return Endpoint{}, false
	}
	_, e, err := ParseEndpoint(data, bundle.EndpointFile)
	return e, err == nil
}

// probeRef is a kiosk reference no request can have: its date is 00-00-00.
const probeRef = "K000000000000"

// Probe asks the API at e (nil: the endpoint the client was made with), as this client
// would ask it, what became of a request that cannot exist. A server that speaks this API
// and holds this kiosk's secret answers not_found; anything else (no answer, a refused
// signature, a 404 that is not the API's own, as from a wrong path) is an error saying
// what came back. A kiosk probes a new endpoint before it sends citizens' requests there.
// Answers are not signed: this catches mistakes, not a server that means to deceive (the
// hall's endpoint_hosts and ca_file bound where the calls may go).
func (c *HTTPClient) Probe(ctx context.Context, e *Endpoint) error {
	t, err := c.newTarget(c.orOwn(e))
	if err != nil {
		return err
	}
	p := &HTTPClient{o: c.o}
	p.cur.Store(t)
	defer p.closeIdle(t)
	_, err = p.Lookup(ctx, probeRef, "")
	var ue *Error
	if err == nil || errors.As(err, &ue) && ue.Code == CodeNotFound {
		return nil
	}
	return fmt.Errorf("%s does not answer as the utility's API: %w", t.base, err)
}
