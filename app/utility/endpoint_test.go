package utility

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
)

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       Endpoint
		err        string
	}{
		{"https with a timeout", "utility = \"gas\"\nbase_url = \"https://api.gas.example.cn/kiosk/v1\"\ntimeout = \"8s\"\n",
			Endpoint{BaseURL: "https://api.gas.example.cn/kiosk/v1", Timeout: 8 * time.Second}, ""},
		{"http on loopback, the configured timeout", "utility = \"gas\"\nbase_url = \"http://127.0.0.1:8081/v1\"\n",
			Endpoint{BaseURL: "http://127.0.0.1:8081/v1"}, ""},
		{"plain http off loopback", "utility = \"gas\"\nbase_url = \"http://api.gas.example.cn/v1\"\n",
			Endpoint{}, "endpoint: endpoint.toml:2: base_url: must use https (plain http is allowed on loopback only)"},
		{"no base URL", "utility = \"gas\"\ntimeout = \"8s\"\n", Endpoint{}, "endpoint.toml: base_url: must be given"},
		{"not a URL", "utility = \"gas\"\nbase_url = \"api.gas.example.cn\"\n", Endpoint{}, `base_url: "api.gas.example.cn" is not an http(s) URL`},
		{"a timeout out of range", "utility = \"gas\"\nbase_url = \"https://a.example.cn/v1\"\ntimeout = \"2m\"\n",
			Endpoint{}, "endpoint.toml:3: timeout: 2m0s is out of range (500ms to 1m0s)"},
		{"not a utility", "utility = \"heat\"\nbase_url = \"https://a.example.cn/v1\"\n", Endpoint{}, `utility: "heat" is not a utility`},
		{"the secret does not travel", "utility = \"gas\"\nbase_url = \"https://a.example.cn/v1\"\nsecret = \"x\"\n",
			Endpoint{}, "endpoint.toml:3: secret: unknown key"},
		{"not TOML", "utility = \n", Endpoint{}, "endpoint: endpoint.toml:1"},
	} {
		id, got, err := ParseEndpoint([]byte(tc.text), "endpoint.toml")
		switch {
		case tc.err == "" && (err != nil || got != tc.want || id != Gas):
			t.Errorf("%s: %s %+v %v, want %+v", tc.name, id, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
}

// A client sends its calls where UseEndpoint says, with that endpoint's deadline, and
// back to where it was made to go with nil; an endpoint that is not a URL changes nothing.
// Moves tells a new base URL from the same one written otherwise.
func TestUseEndpoint(t *testing.T) {
	hits := make(chan string, 1)
	server := func(name string, delay time.Duration) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits <- name + " " + r.URL.Path
			time.Sleep(delay)
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"code":"not_found"}}`))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := server("a", 0), server("b", 200*time.Millisecond)
	c, err := NewHTTP(Options{Utility: Gas, BaseURL: a.URL + "/v1", KioskID: "K", Secret: DemoSecret(Gas), Timeout: time.Second, Clock: clock.System()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	call := func(want string, is error) {
		t.Helper()
		if _, err := c.Account(context.Background(), "1234567"); !errors.Is(err, is) {
			t.Errorf("call: %v, want %v", err, is)
		}
		if got := <-hits; got != want {
			t.Errorf("the call reached %q, want %q", got, want)
		}
	}
	call("a /v1/accounts/1234567", ErrNotFound)
	if c.Moves(nil) || c.Moves(&Endpoint{BaseURL: a.URL + "/v1/", Timeout: time.Minute}) || !c.Moves(&Endpoint{BaseURL: a.URL + "/v2"}) {
		t.Error("Moves: a new deadline or a final slash moves the calls, or another path does not")
	}
	if err := c.UseEndpoint(&Endpoint{BaseURL: b.URL + "/kiosk/v2/", Timeout: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := c.Endpoint(); got.BaseURL != b.URL+"/kiosk/v2" || got.Timeout != 50*time.Millisecond {
		t.Fatalf("endpoint %+v", got)
	}
	call("b /kiosk/v2/accounts/1234567", ErrTimeout)
	if err := c.UseEndpoint(&Endpoint{BaseURL: "b.example.cn"}); err == nil {
		t.Fatal("an endpoint without a scheme was taken")
	}
	call("b /kiosk/v2/accounts/1234567", ErrTimeout)
	if err := c.UseEndpoint(nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Endpoint(); got.BaseURL != a.URL+"/v1" || got.Timeout != time.Second {
		t.Fatalf("endpoint %+v after going back", got)
	}
	call("a /v1/accounts/1234567", ErrNotFound)
}
