package app_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// relay is an adapter as a utility with its own API would have one, reduced to what the
// kiosk must do with it: it counts the calls that reach it and passes them to the
// simulator's reference API. It embeds the Client interface, not the reference client,
// so it is no more than an adapter is (no endpoint a bundle could move).
type relay struct {
	utility.Client
	calls, forwards atomic.Int64
}

func (r *relay) Account(ctx context.Context, number string) (utility.Account, error) {
	r.calls.Add(1)
	return r.Client.Account(ctx, number)
}

func (r *relay) Forward(ctx context.Context, s utility.Submission) (utility.Answer, error) {
	r.forwards.Add(1)
	return r.Client.Forward(ctx, s)
}

func (r *relay) Lookup(ctx context.Context, kioskRef, key string) (utility.Answer, error) {
	r.calls.Add(1)
	return r.Client.Lookup(ctx, kioskRef, key)
}

func init() {
	utility.RegisterAdapter("test-relay", func(o utility.Options) (utility.Client, error) {
		c, err := utility.NewHTTP(o)
		if err != nil {
			return nil, err
		}
		return &relay{Client: c}, nil
	})
}

// A utility whose API is not the kiosk's own is called through the adapter that
// utilities.*.api names, for everything: lookups, the outbox's submissions, staff's check
// of its API. A bundle cannot move its calls (the adapter knows where its API is), and a
// kiosk configured with an adapter it lacks does not start.
func TestUtilityThroughAnAdapter(t *testing.T) {
	t.Parallel()
	sims := startSims(t)
	const id = utility.Water
	urls := sims.BaseURLs()
	delete(urls, id) // water is at its configured URL, through the adapter
	cfg := contentConfig(t, t.TempDir())
	cfg.Utilities.Water.API = "test-relay"
	cfg.Utilities.Water.BaseURL = sims.BaseURL(id)
	k, err := app.New(cfg, app.Options{UtilityURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	c, err := k.Client(id)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := c.(*relay)
	if !ok {
		t.Fatalf("water's client is %T", c)
	}
	if err := lookUp(k, id); err != nil || r.calls.Load() != 1 {
		t.Fatalf("an account lookup: %v, %d calls through the adapter", err, r.calls.Load())
	}

	res, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: id, Kind: utility.KindEvaluation, Order: utilitysim.AccountNumber(id, 0),
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}, Session: "s1"}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.forwards.Load() == 0 {
		t.Fatalf("the outbox's submission did not go through the adapter: %+v", res)
	}

	check, err := k.CheckUtility(context.Background(), id)
	if err != nil || check.Problem() != "" || check.Endpoint != cfg.Utilities.Water.BaseURL || check.FromBundle {
		t.Fatalf("staff's check: %+v, %v", check, err)
	}

	now := time.Now()
	_, err = k.ApplyBundle(signed(t, bundle.DemoKey(id), id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, sims.BaseURL(id))}), "工号0107")
	if !errors.Is(err, bundle.ErrScope) || !strings.Contains(err.Error(), "through the test-relay adapter") {
		t.Fatalf("a bundle moving an adapter's calls: %v", err)
	}

	cfg = contentConfig(t, t.TempDir())
	cfg.Utilities.Water.API = "waterco-v2"
	cfg.Utilities.Water.BaseURL = sims.BaseURL(id)
	if k, err := app.New(cfg, app.Options{UtilityURLs: urls}); !errors.Is(err, utility.ErrUnknownAPI) || !strings.Contains(err.Error(), "utilities.water.api") {
		if err == nil {
			k.Close()
		}
		t.Fatalf("a kiosk on an API it has no adapter for: %v", err)
	}
}
