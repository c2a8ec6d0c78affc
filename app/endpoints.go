package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/utility"
)

// Where each utility's calls go: the configured endpoint or the one its bundle gives,
// within the hosts the hall allows, checked before the calls move there; and the staff's
// check of each utility's API (docs/bundles.md, "The endpoint file").

// ErrBundleEndpoint means a bundle would send a utility's calls where its API does not
// answer (down, a wrong URL, a server not given this kiosk's secret); the message says what
// came back. The same bundle may be sent again once the endpoint answers.
var ErrBundleEndpoint = errors.New("app: the bundle's endpoint is refused")

// endpointInScope refuses, wrapping bundle.ErrScope, an endpoint whose host the hall
// does not let id's bundles send its calls to: the configured endpoint's host, or one
// that utilities.<id>.endpoint_hosts lists. A leaked key must not be able to send
// citizens' ID numbers to a server of its holder's. Nil e is the configured endpoint.
func (k *Kiosk) endpointInScope(id string, e *utility.Endpoint) error {
	if e == nil {
		return nil
	}
	u, _ := k.Config.Utilities.ByID(id)
	if api := utility.ConfiguredAPI(k.Config, k.utilityURLs, id); api != utility.APIReference {
		return fmt.Errorf("%w: the bundle would move %s's calls, which go through the %s adapter: a bundle can move those of a utility on the kiosk's own protocol only",
			bundle.ErrScope, id, api)
	}
	own := ""
	if p, err := url.Parse(utility.ConfiguredURL(k.Config, k.utilityURLs, id)); err == nil {
		own = p.Hostname()
	}
	p, err := url.Parse(e.BaseURL)
	if err == nil && u.EndpointAllowed(p.Hostname(), own) {
		return nil
	}
	allowed := strings.Join(append([]string{own}, u.EndpointHosts...), ", ")
	return fmt.Errorf("%w: the bundle would send %s's calls to %s; this kiosk lets them go to %s only (utilities.%s.endpoint_hosts)",
		bundle.ErrScope, id, e.BaseURL, allowed, id)
}

// endpointer is a client whose endpoint a bundle can move (utility.HTTPClient).
type endpointer interface {
	ID() string
	UseEndpoint(*utility.Endpoint) error
	Probe(context.Context, *utility.Endpoint) error
	Moves(*utility.Endpoint) bool
	Endpoint() utility.Endpoint
}

// probeEndpoint checks, when next would send id's calls to another base URL than now,
// that the API answers there: a bundle that moves a utility's endpoint, or a later one
// that drops it (back to the configured endpoint), is refused rather than cut the kiosk
// off from the utility. Staff's rollback is not probed: it is how they undo a mistake.
func (k *Kiosk) probeEndpoint(id string, next *content) error {
	cl, ok := k.clients[id].(endpointer)
	to := next.endpoint(id)
	if !ok || !cl.Moves(to) {
		return nil
	}
	// Bounded below what staff's kioskctl waits for an answer (30 s).
	ctx, cancel := context.WithTimeout(k.life, 15*time.Second)
	defer cancel()
	if err := cl.Probe(ctx, to); err != nil {
		return fmt.Errorf("%w: %v", ErrBundleEndpoint, err)
	}
	return nil
}

// UtilityCheck is what a check of a utility's API came to.
type UtilityCheck struct {
	Utility string
	// Endpoint is where the utility's calls go; FromBundle says a bundle put them there
	// (otherwise the configuration did).
	Endpoint   string
	FromBundle bool
	// Took is how long the check took; Err why the API did not answer as itself (nil:
	// it did; Problem sorts it).
	Took time.Duration
	Err  error
}

// What a utility's check comes to (UtilityCheck.Problem): the API answered as itself
// (""), or one of these.
const (
	// CheckUnreachable: nothing answered there in time (the network, or the utility down).
	CheckUnreachable = "unreachable"
	// CheckSignature: the API refused the kiosk's signature (its secret, or its clock).
	CheckSignature = "signature"
	// CheckNotAPI: what answered there is not the utility's API (a wrong address).
	CheckNotAPI = "not_api"
)

// Problem is what the check came to: "" when the API answered as itself, otherwise
// CheckUnreachable, CheckSignature or CheckNotAPI.
func (c UtilityCheck) Problem() string {
	switch {
	case c.Err == nil:
		return ""
	case errors.Is(c.Err, utility.ErrNotAPI):
		// Before Unreachable, which it also is for the outbox: an answer came, from
		// something else than the API.
		return CheckNotAPI
	case utility.Unreachable(c.Err):
		return CheckUnreachable
	case errors.Is(c.Err, utility.ErrAuth):
		return CheckSignature
	}
	return CheckNotAPI
}

// CheckUtility asks a utility's API, where its calls go now, what became of a request
// that cannot exist (utility.HTTPClient.Probe, or utility.Check through an adapter):
// whether it answers as the API, with this kiosk's credentials accepted, and how fast.
// It changes nothing anywhere.
func (k *Kiosk) CheckUtility(ctx context.Context, id string) (UtilityCheck, error) {
	c, err := k.Client(id)
	if err != nil {
		return UtilityCheck{}, err
	}
	return k.check(ctx, c), nil
}

// check is CheckUtility of a client.
func (k *Kiosk) check(ctx context.Context, cl utility.Client) UtilityCheck {
	id := cl.ID()
	c := UtilityCheck{Utility: id}
	start := time.Now()
	if e, ok := cl.(endpointer); ok {
		at := e.Endpoint()
		c.Endpoint, c.FromBundle = at.BaseURL, k.content.Load().endpoint(id) != nil
		c.Err = e.Probe(ctx, &at)
	} else {
		c.Endpoint = utility.ConfiguredURL(k.Config, k.utilityURLs, id)
		c.Err = utility.Check(ctx, cl)
	}
	c.Took = time.Since(start)
	if c.Err == nil {
		k.Outbox.Reached(id) // staff found it back: what its outage held goes now
	}
	return c
}

// useEndpoints sends each utility's calls where c says; the requests waiting in the
// outbox for a utility whose calls move are sent there at once.
func (k *Kiosk) useEndpoints(c *content) {
	for id, cl := range k.clients {
		e, ok := cl.(endpointer)
		if !ok {
			continue
		}
		to := c.endpoint(id)
		moves := e.Moves(to)
		if err := e.UseEndpoint(to); err != nil {
			// compose parsed it: only a change of the rules between releases gets here.
			k.Log.Error("utility endpoint not used: calls go to the one before", "utility", id, "err", err)
			continue
		}
		if !moves {
			continue
		}
		k.Log.Info("utility calls go to a new endpoint", "utility", id, "endpoint", e.Endpoint().BaseURL, "from_bundle", to != nil)
		if k.Outbox != nil { // nil while the kiosk starts: nothing has waited, nothing was moved
			k.record(journal.Event{Kind: journal.EndpointMoved, Utility: id, Detail: e.Endpoint().BaseURL})
			k.Outbox.Resume(id)
		}
	}
}
