package utility

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/liangzihu/kiosk/app/config"
)

// madeBy is a Client that says which adapter made it and with what.
type madeBy struct {
	Client
	o Options
}

func (m madeBy) ID() string { return m.o.Utility }

func init() {
	RegisterAdapter("test-made-by", func(o Options) (Client, error) { return madeBy{o: o}, nil })
	RegisterAdapter("test-refuses", func(o Options) (Client, error) { return nil, errors.New("no contract number") })
	RegisterAdapter("test-wrong-id", func(o Options) (Client, error) { return madeBy{o: Options{Utility: Gas}}, nil })
}

// utilities.*.api picks the client: the reference, or an adapter given what the
// reference would be given; an API this build lacks, or an adapter that fails, stops
// the kiosk with the key to mend. The demo's simulator speaks the reference whatever api
// says.
func TestFromConfigAPI(t *testing.T) {
	for _, tc := range []struct {
		name, api string
		demoURL   bool
		adapted   bool
		err       string
	}{
		{name: "empty", api: ""},
		{name: "the reference by name", api: APIReference},
		{name: "an adapter", api: "test-made-by", adapted: true},
		{name: "the demo's simulator", api: "test-made-by", demoURL: true},
		{name: "unknown", api: "waterco-v2", err: `utility water: utilities.water.api: utility: unknown api "waterco-v2"; this build knows [kiosk-v1 test-made-by test-refuses test-wrong-id]`},
		{name: "an adapter that fails", api: "test-refuses", err: "utility water: the test-refuses adapter: no contract number"},
		{name: "an adapter of another utility", api: "test-wrong-id", err: "utility water: the test-wrong-id adapter: no client for this utility"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.Demo = true
			cfg.Utilities.Water.API = tc.api
			cfg.Utilities.Water.BaseURL = "https://api.water.example.cn/kiosk"
			urls := map[string]string{Electricity: "http://127.0.0.1:8701/v1", Gas: "http://127.0.0.1:8703/v1", Broadband: "http://127.0.0.1:8704/v1"}
			if tc.demoURL {
				urls[Water] = "http://127.0.0.1:8702/v1"
			}
			clients, err := FromConfig(cfg, urls)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("got %v, want %s", err, tc.err)
				}
				if tc.api == "waterco-v2" && !errors.Is(err, ErrUnknownAPI) {
					t.Error("not ErrUnknownAPI")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, adapted := clients[Water].(madeBy)
			if adapted != tc.adapted {
				t.Fatalf("water's client is %T", clients[Water])
			}
			if _, ok := clients[Electricity].(*HTTPClient); !ok {
				t.Errorf("electricity's client is %T", clients[Electricity])
			}
			if adapted && (m.o.BaseURL != cfg.Utilities.Water.BaseURL || m.o.KioskID != cfg.Kiosk.ID || len(m.o.Secret) == 0 || m.o.Name != cfg.Utilities.Water.Name || m.o.Timeout != cfg.Utilities.Water.Timeout.Duration) {
				t.Errorf("the adapter was given %+v", m.o)
			}
		})
	}
}

func TestRegisterAdapterRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Adapter
	}{
		{"test-made-by", func(Options) (Client, error) { return nil, nil }},
		{APIReference, func(Options) (Client, error) { return nil, nil }},
		{"", func(Options) (Client, error) { return nil, nil }},
		{"test-nil", nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterAdapter(%q) did not panic", tc.name)
				}
			}()
			RegisterAdapter(tc.name, tc.a)
		}()
	}
	if got := APIs(); got[0] != APIReference || !slices.IsSorted(got[1:]) || slices.Contains(got, "test-nil") {
		t.Errorf("APIs() = %v", got)
	}
}

// Check, as maintenance asks an adapter's API: "not found" for a request that cannot
// exist means it is there; a refused signature, no answer or a 404 that is not the
// API's is the error.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"there", http.StatusNotFound, `{"error":{"code":"not_found","message":"未收到该业务"}}`, nil},
		{"signature refused", http.StatusUnauthorized, `{"error":{"code":"bad_signature","message":"签名错误"}}`, ErrAuth},
		{"down", http.StatusServiceUnavailable, `{"error":{"code":"unavailable","message":"维护中"}}`, ErrUnavailable},
		{"a proxy's page", http.StatusNotFound, `<html><body><h1>404 Not Found</h1></body></html>`, ErrNotAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/"+probeRef) {
					t.Errorf("asked %s", r.URL.Path)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := NewHTTP(Options{Utility: Gas, BaseURL: srv.URL + "/v1", KioskID: "K", Secret: DemoSecret(Gas)})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			err = Check(context.Background(), c)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
