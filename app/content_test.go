package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/utility"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
)

// own reads one of the kiosk's own content files.
func own(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile("../assets/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// signed is a bundle of utility's, version v, signed with key, made at now.
func signed(t testing.TB, key ed25519.PrivateKey, utility string, v uint64, now time.Time, files map[string][]byte) []byte {
	t.Helper()
	data, err := bundle.Sign(key, bundle.Manifest{Utility: utility, Version: v, Created: now, Expires: now.Add(24 * time.Hour),
		Note: "test"}, files)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newContentKiosk is a demo kiosk without devices on data folder dir, its bundles
// taken over HTTP on a loopback port.
func newContentKiosk(t testing.TB, dir string) *app.Kiosk {
	t.Helper()
	return newContentKioskOf(t, dir, unreachable)
}

// contentConfig is a demo kiosk's configuration without devices, on data folder dir,
// taking bundles over HTTP on a free loopback port.
func contentConfig(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.Data.Dir = dir
	cfg.Devices.IDCard.Enabled, cfg.Devices.Printer.Enabled, cfg.Devices.Scanner.Enabled = false, false, false
	cfg.Bundles.Listen = "127.0.0.1:0"
	return cfg
}

// startSims serves the four utilities' simulated APIs until the test ends, to the test
// kiosks' kiosk ID with the demo secrets, or with secrets where given.
func startSims(t testing.TB, secrets ...utilitysim.Secrets) *utilitysim.Server {
	t.Helper()
	o := utilitysim.Options{Dir: t.TempDir()}
	for _, s := range secrets {
		o.Kiosks = map[string]utilitysim.Secrets{config.Defaults().Kiosk.ID: s}
	}
	s, err := utilitysim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newContentKioskOf is newContentKiosk with the utilities' APIs at urls.
func newContentKioskOf(t testing.TB, dir string, urls map[string]string) *app.Kiosk {
	t.Helper()
	k, err := app.New(contentConfig(t, dir), app.Options{UtilityURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	t.Cleanup(func() { k.Close() })
	return k
}

// post sends a bundle to k over the hall network and returns the answer's status and error.
func post(t testing.TB, k *app.Kiosk, data []byte) (int, string) {
	t.Helper()
	return postFrom(t, k, data, http.DefaultClient)
}

// postFrom sends a bundle as post does, through c (from another address, say).
func postFrom(t testing.TB, k *app.Kiosk, data []byte, c *http.Client) (int, string) {
	t.Helper()
	resp, err := c.Post("http://"+k.BundleAddr()+"/v1/bundles", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("the answer to a bundle: %v", err)
	}
	return resp.StatusCode, answer.Error
}

func tariffTitle(t *testing.T, k *app.Kiosk, utility string) string {
	t.Helper()
	c, ok := k.Info().Utility(utility)
	if !ok {
		t.Fatalf("no information of %s", utility)
	}
	return c.Title.ZH
}

// A utility's signed bundle changes what the kiosk shows of it at once and after a
// restart; an older or replayed version, another utility's key, an expired bundle and
// content the kiosk refuses are refused and journaled (a bundle holding another
// utility's file cannot even be signed: app/bundle's tests refuse a forged one); staff roll back to what it replaced.
func TestBundles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := newContentKiosk(t, dir)
	now := time.Now()
	changed := 0
	k.OnContent(func() { changed++ })
	info := own(t, "info/electricity.toml")
	v2 := bytes.Replace(info, []byte(`title = "`), []byte(`title = "新版`), 1)
	v3 := bytes.Replace(info, []byte(`title = "`), []byte(`title = "第三版`), 1)
	elec := bundle.DemoKey("electricity")
	before := tariffTitle(t, k, "electricity")

	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 2, now, map[string][]byte{bundle.InfoFile: v2}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before || changed != 1 {
		t.Fatalf("title %q after the bundle (%d changes told)", got, changed)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"the same version again", signed(t, elec, "electricity", 2, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrStale},
		{"an older version", signed(t, elec, "electricity", 1, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrStale},
		{"signed with the water key", signed(t, bundle.DemoKey("water"), "electricity", 9, now, map[string][]byte{bundle.InfoFile: v3}), bundle.ErrSignature},
		{"expired", signed(t, elec, "electricity", 9, now.Add(-48*time.Hour), map[string][]byte{bundle.InfoFile: v3}), bundle.ErrExpired},
		{"a catalogue the kiosk refuses", signed(t, elec, "electricity", 9, now, map[string][]byte{bundle.CatalogFile: []byte("utility = \"electricity\"\nname = \"电\"\n")}), app.ErrBundleContent},
		{"not a bundle", []byte("{}"), bundle.ErrMalformed},
	} {
		if _, err := k.ApplyBundle(tc.data, "工号0107"); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before {
		t.Fatalf("a refused bundle changed the content: %q", got)
	}
	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3}), "工号0107"); err != nil {
		t.Fatal(err)
	}

	// Over the hall network: the signature is what counts.
	if code, msg := post(t, k, signed(t, bundle.DemoKey("gas"), "gas", 1, now, map[string][]byte{bundle.InfoFile: own(t, "info/gas.toml")})); code != http.StatusOK {
		t.Fatalf("POST a gas bundle: %d %q", code, msg)
	}
	if code, msg := post(t, k, signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3})); code != http.StatusConflict || !strings.Contains(msg, "not newer") {
		t.Fatalf("POST a replayed bundle: %d %q", code, msg)
	}

	// After a restart the kiosk shows what it applied.
	k.Close()
	k = newContentKiosk(t, dir)
	if got := tariffTitle(t, k, "electricity"); got != "第三版"+before {
		t.Fatalf("after a restart: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != "新版"+before {
		t.Fatalf("after a rollback: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); err != nil {
		t.Fatal(err)
	}
	if got := tariffTitle(t, k, "electricity"); got != before {
		t.Fatalf("after a second rollback: %q", got)
	}
	if err := k.RollbackBundle("electricity", "工号0107"); !errors.Is(err, bundle.ErrNothingToRollBack) {
		t.Fatalf("a third rollback: %v", err)
	}
	// A rollback does not open the way to a replay.
	if _, err := k.ApplyBundle(signed(t, elec, "electricity", 3, now, map[string][]byte{bundle.InfoFile: v3}), "工号0107"); !errors.Is(err, bundle.ErrStale) {
		t.Fatalf("version 3 again after the rollbacks: %v", err)
	}
	sts, err := k.Bundles()
	if err != nil || sts["electricity"].Current != nil || sts["electricity"].Seen != 3 || sts["gas"].Current == nil {
		t.Fatalf("statuses %+v %v", sts, err)
	}
	count := map[journal.Kind]int{}
	evs, _ := k.Journal.Range(now.Add(-time.Hour), time.Now().Add(time.Minute), 0)
	for _, e := range evs {
		count[e.Kind]++
	}
	// Refused: the eight bundles above, and the third rollback.
	if count[journal.BundleApplied] != 3 || count[journal.BundleRefused] != 9 || count[journal.BundleRollback] != 2 {
		t.Fatalf("journaled %v", count)
	}
}

// A kiosk whose configured key for a utility changed leaves out the bundle signed with
// the old one, and shows its own content for that utility.
func TestBundleOfAnOldKeyLeftOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := newContentKiosk(t, dir)
	now := time.Now()
	before := tariffTitle(t, k, "water")
	v2 := bytes.Replace(own(t, "info/water.toml"), []byte(`title = "`), []byte(`title = "新版`), 1)
	if _, err := k.ApplyBundle(signed(t, bundle.DemoKey("water"), "water", 2, now, map[string][]byte{bundle.InfoFile: v2}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	k.Close()
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := contentConfig(t, dir)
	w, _ := cfg.Utilities.ByID("water")
	w.BundleKey = bundle.EncodePublicKey(pub)
	k2, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
	if err != nil {
		t.Fatal(err)
	}
	defer k2.Close()
	if got := tariffTitle(t, k2, "water"); got != before {
		t.Fatalf("shown with a bundle of the old key: %q", got)
	}
	// Staff see it held and not shown.
	sts, err := k2.Bundles()
	if err != nil || sts["water"].Current == nil || k2.BundleShown("water") != 0 {
		t.Fatalf("held %+v (%v), shown version %d", sts["water"], err, k2.BundleShown("water"))
	}
	// A rollback does not bring it back either.
	v3 := bytes.Replace(v2, []byte(`title = "新版`), []byte(`title = "第三版`), 1)
	if _, err := k2.ApplyBundle(signed(t, priv, "water", 3, now, map[string][]byte{bundle.InfoFile: v3}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if err := k2.RollbackBundle("water", "工号0107"); !errors.Is(err, bundle.ErrSignature) || !strings.Contains(err.Error(), "water version 2 cannot be shown again") {
		t.Fatalf("a rollback to the old key's bundle: %v", err)
	}
	if got := tariffTitle(t, k2, "water"); !strings.HasPrefix(got, "第三版") {
		t.Fatalf("after a refused rollback: %q", got)
	}
	// The refusal is journaled, as a rollback done is, with who asked and why.
	evs, err := k2.Journal.Range(now.Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if e := evs[len(evs)-1]; e.Kind != journal.BundleRefused || e.Utility != "water" || e.Actor != "工号0107" ||
		!strings.HasPrefix(e.Detail, "rollback refused: water version 2 cannot be shown again") {
		t.Fatalf("the last event %+v, want the rollback refused", e)
	}
	// A utility the kiosk does not have is journaled without what was typed.
	if err := k2.RollbackBundle("42010119900101", "工号0107"); !errors.Is(err, bundle.ErrNothingToRollBack) {
		t.Fatalf("a rollback of no utility: %v", err)
	}
	evs, _ = k2.Journal.Range(now.Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if e := evs[len(evs)-1]; e.Kind != journal.BundleRefused || e.Utility != "" || strings.Contains(e.Detail, "42010119900101") {
		t.Fatalf("the last event %+v, want the rollback refused, naming no utility", e)
	}
}

// Staff's rollbacks go back through the Kept bundles before the one shown, newest
// first, and from the last of them to the kiosk's own content.
func TestBundleRollbacksGoBackSteps(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	now := time.Now()
	info := own(t, "info/gas.toml")
	const last = bundle.Kept + 3
	for v := uint64(1); v <= last; v++ {
		data := bytes.Replace(info, []byte(`title = "`), fmt.Appendf(nil, `title = "第%d版`, v), 1)
		if _, err := k.ApplyBundle(signed(t, bundle.DemoKey("gas"), "gas", v, now, map[string][]byte{bundle.InfoFile: data}), "工号0107"); err != nil {
			t.Fatal(err)
		}
	}
	sts, err := k.Bundles()
	if err != nil || sts["gas"].Previous == nil || len(sts["gas"].Older) != bundle.Kept-1 {
		t.Fatalf("kept %+v %v", sts["gas"], err)
	}
	for want := uint64(last - 1); want >= last-bundle.Kept; want-- {
		if err := k.RollbackBundle("gas", "工号0107"); err != nil {
			t.Fatal(err)
		}
		if got := k.BundleShown("gas"); got != want || !strings.HasPrefix(tariffTitle(t, k, "gas"), fmt.Sprintf("第%d版", want)) {
			t.Fatalf("a rollback showed version %d (%q), want %d", got, tariffTitle(t, k, "gas"), want)
		}
	}
	if err := k.RollbackBundle("gas", "工号0107"); err != nil || k.BundleShown("gas") != 0 {
		t.Fatalf("a rollback from the last kept: %v, shown %d", err, k.BundleShown("gas"))
	}
	if err := k.RollbackBundle("gas", "工号0107"); !errors.Is(err, bundle.ErrNothingToRollBack) {
		t.Fatalf("a rollback from the kiosk's own content: %v", err)
	}
}

// BenchmarkApplyBundle applies a utility's bundle (its information and catalogue, the
// shipped files): parse, signature, scope, the whole content composed and checked
// again, stored and journaled with an fsync, and swapped in.
func BenchmarkApplyBundle(b *testing.B) {
	k := newContentKiosk(b, b.TempDir())
	files := map[string][]byte{bundle.InfoFile: own(b, "info/electricity.toml"), bundle.CatalogFile: own(b, "catalog/electricity.toml")}
	now := time.Now()
	bundles := make([][]byte, b.N)
	for i := range bundles {
		bundles[i] = signed(b, bundle.DemoKey("electricity"), "electricity", uint64(i+1), now, files)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := k.ApplyBundle(bundles[i], "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(bundles[0])), "bytes/bundle")
}

// Anyone on the hall network may send bundles: after a burst the kiosk answers 429 and
// neither checks nor journals them, so that a flood cannot fill its journal.
func TestBundleFloodHeldOff(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	codes := map[int]int{}
	for range 14 {
		code, _ := post(t, k, []byte("{}"))
		codes[code]++
	}
	if codes[http.StatusUnprocessableEntity] != 10 || codes[http.StatusTooManyRequests] != 4 {
		t.Fatalf("answers %v", codes)
	}
	evs, err := k.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 10 {
		t.Fatalf("%d events journaled, want the 10 refusals", len(evs))
	}
	// Another machine of the hall still gets through: the flood was one sender's.
	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	if code, msg := postFrom(t, k, []byte("{}"), other); code != http.StatusUnprocessableEntity {
		t.Fatalf("another sender after the flood: %d %s", code, msg)
	}
}

// The hall network cannot hold more than app.BundleConns connections of the kiosk open,
// nor one machine more than app.BundleConnsPerSender of them: past either a connection
// is closed at once, another machine still gets in past the second, and a place given
// back is taken again. Senders are loopback addresses of their own (127.0.0.0/8).
func TestBundleConnectionsCapped(t *testing.T) {
	t.Parallel()
	// from is the i-th sender's address.
	from := func(i int) string { return fmt.Sprintf("127.0.1.%d", i+1) }
	for _, tc := range []struct {
		name string
		// senders are the addresses the connections come from, each kept open; the
		// last is refused.
		senders []string
		// other is a sender who still gets in after it ("": none does).
		other string
	}{
		{"one machine", slices.Repeat([]string{from(0)}, app.BundleConnsPerSender+1), from(1)},
		{"the hall", func() []string {
			var ss []string
			for i := range app.BundleConns {
				ss = append(ss, from(i/app.BundleConnsPerSender))
			}
			return append(ss, from(app.BundleConns))
		}(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := newContentKiosk(t, t.TempDir())
			// dial connects from the address given.
			dial := func(sender string) net.Conn {
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(sender)}}
				c, err := d.Dial("tcp", k.BundleAddr())
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			// get asks for the versions on c, a connection kept open after the answer.
			get := func(c net.Conn) error {
				if _, err := io.WriteString(c, "GET /v1/bundles HTTP/1.1\r\nHost: kiosk\r\n\r\n"); err != nil {
					return err
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.Copy(io.Discard, resp.Body)
				return err
			}
			var held []net.Conn
			for i, sender := range tc.senders {
				c := dial(sender)
				defer c.Close()
				err := get(c)
				if last := i == len(tc.senders)-1; !last && err != nil {
					t.Fatalf("connection %d, from %s: %v", i+1, sender, err)
				} else if last && err == nil {
					t.Fatalf("connection %d, from %s, was answered", i+1, sender)
				}
				held = append(held, c)
			}
			if tc.other != "" {
				c := dial(tc.other)
				defer c.Close()
				if err := get(c); err != nil {
					t.Fatalf("another machine: %v", err)
				}
			}
			held[0].Close()
			// The server sees the close when it next reads: until then, the place is still taken.
			for try := 0; ; try++ {
				c := dial(tc.senders[0])
				err := get(c)
				c.Close()
				if err == nil {
					break
				}
				if try == 1000 {
					t.Fatalf("a place given back was not taken again: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// lookUp asks the kiosk's client of utility for citizen 0's account there.
func lookUp(k *app.Kiosk, id string) error {
	for _, c := range k.Utilities {
		if c.ID() == id {
			_, err := c.Account(context.Background(), utilitysim.AccountNumber(id, 0))
			return err
		}
	}
	return fmt.Errorf("no client of %s", id)
}

// endpointFile is an endpoint file of utility's, its API at url.
func endpointFile(utility, url string) []byte {
	return fmt.Appendf(nil, "utility = %q\nbase_url = %q\ntimeout = \"3s\"\n", utility, url)
}

// A bundle with an endpoint file moves a utility's calls to where it says, once the API
// answers there; a later bundle without one moves them back to the configured endpoint,
// also only if that answers. The endpoint holds after a restart, and staff's rollback
// moves the calls back without asking. A bundle that moves nothing asks nothing.
func TestBundleMovesEndpoint(t *testing.T) {
	t.Parallel()
	old, moved := startSims(t), startSims(t)
	const id = utility.Electricity
	dir := t.TempDir()
	k := newContentKioskOf(t, dir, old.BaseURLs())
	elec := bundle.DemoKey(id)
	now := time.Now()
	notTheAPI := httptest.NewServer(http.NotFoundHandler())
	defer notTheAPI.Close()
	wrongSecret := startSims(t, utilitysim.Secrets{id: []byte("another kiosk's secret")})
	if err := old.SetFaults(id, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url string
		want      error
	}{
		{"down", "http://127.0.0.1:1/v1", app.ErrBundleEndpoint},
		{"not the utility's API", notTheAPI.URL + "/v1", app.ErrBundleEndpoint},
		{"without this kiosk's secret", wrongSecret.BaseURL(id), app.ErrBundleEndpoint},
		{"a wrong path", moved.BaseURL(id) + "/v2", app.ErrBundleEndpoint},
		{"plain http off loopback", "http://kiosk-api.power.example.cn/v1", app.ErrBundleContent},
	} {
		if _, err := k.ApplyBundle(signed(t, elec, id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, tc.url)}), "工号0107"); !errors.Is(err, tc.want) {
			t.Errorf("an endpoint %s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// Over the hall network the sender learns the endpoint is at fault: send again later.
	code, msg := post(t, k, signed(t, elec, id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, "http://127.0.0.1:1/v1")}))
	if code != http.StatusBadGateway || !strings.Contains(msg, "does not answer as the utility's API") {
		t.Fatalf("POST a bundle whose endpoint is down: %d %q", code, msg)
	}
	if err := lookUp(k, id); !errors.Is(err, utility.ErrUnavailable) {
		t.Fatalf("a refused endpoint moved the calls: %v", err)
	}

	if _, err := k.ApplyBundle(signed(t, elec, id, 2, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, moved.BaseURL(id))}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	if err := lookUp(k, id); err != nil {
		t.Fatalf("after the endpoint moved: %v", err)
	}
	evs, err := k.Journal.Range(now.Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if e := evs[len(evs)-1]; e.Kind != journal.EndpointMoved || e.Utility != id || e.Detail != moved.BaseURL(id) {
		t.Fatalf("the move journaled as %+v", e)
	}
	// A bundle without the endpoint file goes back to the configured endpoint, down.
	info := map[string][]byte{bundle.InfoFile: own(t, "info/electricity.toml")}
	if _, err := k.ApplyBundle(signed(t, elec, id, 3, now, info), "工号0107"); !errors.Is(err, app.ErrBundleEndpoint) {
		t.Fatalf("a bundle back to a configured endpoint that is down: %v", err)
	}
	// A restart keeps the calls where the bundle sent them.
	k.Close()
	k = newContentKioskOf(t, dir, old.BaseURLs())
	if err := lookUp(k, id); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	sts, err := k.Bundles()
	if err != nil || sts[id].Current == nil || sts[id].Current.Bundle.Manifest.Version != 2 {
		t.Fatalf("statuses %+v %v", sts, err)
	}
	if err := k.RollbackBundle(id, "工号0107"); err != nil {
		t.Fatal(err)
	}
	if err := lookUp(k, id); !errors.Is(err, utility.ErrUnavailable) {
		t.Fatalf("after the rollback, calls go to the configured endpoint (down): %v", err)
	}
	if err := old.SetFaults(id, utilitysim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ApplyBundle(signed(t, elec, id, 4, now, info), "工号0107"); err != nil {
		t.Fatalf("a bundle without an endpoint, the configured one up: %v", err)
	}
	if err := lookUp(k, id); err != nil {
		t.Fatal(err)
	}
	// A bundle naming the endpoint the calls go to moves nothing: it is not asked.
	if err := old.SetFaults(id, utilitysim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ApplyBundle(signed(t, elec, id, 5, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, old.BaseURL(id)+"/")}), "工号0107"); err != nil {
		t.Fatalf("a bundle naming the configured endpoint: %v", err)
	}
}

// Requests waiting for a utility that could not be reached go to its new endpoint as
// soon as a bundle moves it there, not when their back-off ends (the kiosk's clock here
// never moves: nothing else would send them).
func TestEndpointMoveSendsWaitingRequests(t *testing.T) {
	t.Parallel()
	moved := startSims(t)
	const id = utility.Electricity
	now := time.Now()
	cfg := contentConfig(t, t.TempDir())
	k, err := app.New(cfg, app.Options{UtilityURLs: unreachable, Clock: clock.NewManual(now)})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	defer k.Close()
	r, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: id, Kind: utility.KindEvaluation, Order: "3100001001",
		Body: utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}, Session: "s1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	status := func() outbox.Status {
		s, err := k.Outbox.Status(r.KioskRef)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for deadline := time.Now().Add(5 * time.Second); status().Tries == 0; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request was never tried")
		}
	}
	if _, err := k.ApplyBundle(signed(t, bundle.DemoKey(id), id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, moved.BaseURL(id))}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); status().State == outbox.Pending; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after the endpoint moved: %+v", status())
		}
	}
}

// A bundle may move a utility's calls to another host only where the hall lets it
// (utilities.<id>.endpoint_hosts): a leaked key must not send citizens' ID numbers
// elsewhere. A bundle applied under a list the hall has since narrowed is left out at
// the next start, and the calls go back to the configured endpoint.
func TestEndpointHostsBoundABundle(t *testing.T) {
	t.Parallel()
	moved := startSims(t)
	const id = utility.Electricity
	now := time.Now()
	// Another host (a name, not the configured address) of the same machine.
	elsewhere := strings.Replace(moved.BaseURL(id), "127.0.0.1", "localhost", 1)
	dir := t.TempDir()
	start := func(hosts ...string) *app.Kiosk {
		cfg := contentConfig(t, dir)
		u, _ := cfg.Utilities.ByID(id)
		u.EndpointHosts = hosts
		k, err := app.New(cfg, app.Options{UtilityURLs: unreachable})
		if err != nil {
			t.Fatal(err)
		}
		k.Start(context.Background())
		t.Cleanup(func() { k.Close() })
		return k
	}
	k := start()
	b := signed(t, bundle.DemoKey(id), id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, elsewhere)})
	code, msg := post(t, k, b)
	if code != http.StatusForbidden || !strings.Contains(msg, "bundle: out of the utility's scope: the bundle would send electricity's calls to "+elsewhere+
		"; this kiosk lets them go to 127.0.0.1 only (utilities.electricity.endpoint_hosts)") {
		t.Fatalf("an endpoint on a host not allowed: %d %q", code, msg)
	}
	k.Close()
	k = start("localhost")
	if _, err := k.ApplyBundle(b, "工号0107"); err != nil {
		t.Fatalf("an endpoint on a host the hall lists: %v", err)
	}
	if err := lookUp(k, id); err != nil {
		t.Fatalf("after the move: %v", err)
	}
	k.Close()
	k = start()
	if v := k.BundleShown(id); v != 0 {
		t.Fatalf("version %d shown after the hall narrowed its hosts", v)
	}
	if err := lookUp(k, id); !errors.Is(err, utility.ErrUnavailable) {
		t.Fatalf("calls after the bundle was left out: %v", err)
	}
}

// A bundle the kiosk took that no longer loads at a start (a kiosk release that reads
// the files more strictly; here stored as an older release took it) is left out on its
// own: the other utilities' bundles stay shown, and a bundle that moved a utility's calls
// keeps them where it sent them (its old API may be gone). Staff are told why.
func TestBundleNoLongerLoadingLeftOutAlone(t *testing.T) {
	t.Parallel()
	moved := startSims(t)
	const id = utility.Water
	dir := t.TempDir()
	k := newContentKiosk(t, dir)
	now := time.Now()
	title := bytes.Replace(own(t, "info/water.toml"), []byte(`title = "`), []byte(`title = "新版`), 1)
	if _, err := k.ApplyBundle(signed(t, bundle.DemoKey(id), id, 1, now, map[string][]byte{
		bundle.InfoFile: title, bundle.EndpointFile: endpointFile(id, moved.BaseURL(id))}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	// A catalogue this release refuses (a service in a category it does not have).
	refused := bytes.Replace(own(t, "catalog/electricity.toml"), []byte(`category = "`), []byte(`category = "gone_`), 1)
	b, err := bundle.Parse(signed(t, bundle.DemoKey(utility.Electricity), utility.Electricity, 1, now, map[string][]byte{bundle.CatalogFile: refused}))
	if err != nil {
		t.Fatal(err)
	}
	if err := bundle.NewState(k.Store, k.Journal).Apply(b, now, "工号0107"); err != nil {
		t.Fatal(err)
	}
	k.Close()

	k = newContentKiosk(t, dir)
	if v := k.BundleShown(id); v != 1 || !strings.HasPrefix(tariffTitle(t, k, id), "新版") {
		t.Fatalf("water's bundle left out with electricity's: version %d shown, title %q", v, tariffTitle(t, k, id))
	}
	if err := lookUp(k, id); err != nil {
		t.Fatalf("water's calls after the start: %v", err)
	}
	if v := k.BundleShown(utility.Electricity); v != 0 {
		t.Fatalf("electricity's refused bundle shown: version %d", v)
	}
	sts, err := k.Bundles()
	if err != nil {
		t.Fatal(err)
	}
	why := k.BundleLeftOut(utility.Electricity, sts[utility.Electricity].Current)
	if !strings.HasPrefix(why, app.ErrBundleContent.Error()+": catalog: bundle electricity v1/catalog.toml:") || !strings.Contains(why, `unknown category "gone_`) {
		t.Fatalf("staff told %q", why)
	}
	if why := k.BundleLeftOut(id, sts[id].Current); why != "" {
		t.Fatalf("water's bundle said left out: %q", why)
	}
}

// A utility's bundle cannot put its content under another utility's name: its
// catalogue's name and its information's title may not hold the name the kiosk's own
// catalogue or the hall's configuration gives another utility. Over the hall network
// that is 403, as any bundle out of its utility's scope.
func TestBundleUnderAnotherUtilitysName(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	now := time.Now()
	w := bundle.DemoKey("water")
	cat := own(t, "catalog/water.toml")
	inf := own(t, "info/water.toml")
	for _, tc := range []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"a catalogue named 供电", bundle.CatalogFile, bytes.Replace(cat, []byte(`name = "供水"`), []byte(`name = "供电"`), 1),
			`bundle water v1/catalog.toml: name "供电" holds "供电", the name of utility electricity`},
		{"a catalogue named Gas in English", bundle.CatalogFile, bytes.Replace(cat, []byte(`name_en = "Water"`), []byte(`name_en = "Water and gas"`), 1),
			`bundle water v1/catalog.toml: name_en "Water and gas" holds "Gas", the name of utility gas`},
		{"information titled 供电信息公开", bundle.InfoFile, bytes.Replace(inf, []byte(`title = "供水信息公开"`), []byte(`title = "供电信息公开"`), 1),
			`bundle water v1/info.toml: title "供电信息公开" holds "供电", the name of utility electricity`},
		{"information titled with the hall's name of the gas company", bundle.InfoFile, bytes.Replace(inf, []byte(`title = "供水信息公开"`), []byte(`title = "梁子湖区燃气公司通知"`), 1),
			`holds "梁子湖区燃气公司", the name of utility gas`},
	} {
		code, msg := post(t, k, signed(t, w, "water", 1, now, map[string][]byte{tc.file: tc.data}))
		if code != http.StatusForbidden || !strings.HasPrefix(msg, bundle.ErrScope.Error()) || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want 403 …%s…", tc.name, code, msg, tc.want)
		}
	}
	if v := k.BundleShown("water"); v != 0 || tariffTitle(t, k, "water") != "供水信息公开" {
		t.Fatalf("a refused bundle shown: version %d, title %q", v, tariffTitle(t, k, "water"))
	}
	// Its own name, as it likes.
	renamed := bytes.Replace(inf, []byte(`title = "供水信息公开"`), []byte(`title = "梁子湖区自来水公司 供水信息公开"`), 1)
	if _, err := k.ApplyBundle(signed(t, w, "water", 1, now, map[string][]byte{bundle.InfoFile: renamed}), "工号0107"); err != nil {
		t.Fatal(err)
	}
}

// A bundle whose text is too long for the kiosk's screens (a service's name of 100 000
// characters) is refused as content the kiosk refuses, the message naming the bundle's
// file, the line, the service and the key.
func TestBundleOfHugeTextRefused(t *testing.T) {
	t.Parallel()
	k := newContentKiosk(t, t.TempDir())
	cat := bytes.Replace(own(t, "catalog/gas.toml"), []byte(`name = "开户通气"`), []byte(`name = "`+strings.Repeat("开户", 50000)+`"`), 1)
	code, msg := post(t, k, signed(t, bundle.DemoKey("gas"), "gas", 1, time.Now(), map[string][]byte{bundle.CatalogFile: cat}))
	if code != http.StatusUnprocessableEntity || !strings.HasPrefix(msg, app.ErrBundleContent.Error()+": catalog: bundle gas v1/catalog.toml:17: service \"new_connection\": service[0].name: 100000 characters, at most 80") {
		t.Fatalf("a huge service name: %d %q", code, msg)
	}
}

// A request under way to the old endpoint when a bundle moves the utility's calls, whose
// answer never comes (the connection cut), goes to the new endpoint at once, and once,
// with the key it was sent with: the new API, holding the old one's answers as
// docs/bundles.md asks, can tell it is the same request. (The kiosk's clock never moves:
// nothing but the move sends it again.)
func TestEndpointMoveResendsTheRequestUnderWay(t *testing.T) {
	t.Parallel()
	moved := startSims(t)
	const id = utility.Electricity
	arrived, cut := make(chan string, 4), make(chan struct{})
	// The old place takes the rating, and cuts the connection when the test says.
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		arrived <- strings.Trim(r.Header.Get("Idempotency-Key"), `"`) // a structured field's string
		<-cut
		panic(http.ErrAbortHandler)
	}))
	defer old.Close()
	defer close(cut)
	now := time.Now()
	urls := maps.Clone(unreachable)
	urls[id] = old.URL + "/v1"
	k, err := app.New(contentConfig(t, t.TempDir()), app.Options{UtilityURLs: urls, Clock: clock.NewManual(now)})
	if err != nil {
		t.Fatal(err)
	}
	k.Start(context.Background())
	defer k.Close()
	// An application both the new API knows, not yet rated.
	apps, err := moved.Applications(id, utilitysim.DemoIdentities[0].IDNumber)
	if err != nil || len(apps) == 0 {
		t.Fatalf("the demo citizen's applications: %v %v", apps, err)
	}
	r, err := k.Outbox.Submit(context.Background(), outbox.Request{Utility: id, Kind: utility.KindEvaluation, Order: "3100001001",
		Body: utility.Evaluation{Application: apps[0].Reference, Level: utility.VerySatisfied}, Session: "s1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	key := <-arrived
	if _, err := k.ApplyBundle(signed(t, bundle.DemoKey(id), id, 1, now, map[string][]byte{bundle.EndpointFile: endpointFile(id, moved.BaseURL(id))}), "工号0107"); err != nil {
		t.Fatal(err)
	}
	cut <- struct{}{}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		s, err := k.Outbox.Status(r.KioskRef)
		if err != nil {
			t.Fatal(err)
		}
		if s.State == outbox.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not sent again after the endpoint moved: %+v", s)
		}
	}
	got, err := moved.Received(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].KioskRef != r.KioskRef || got[0].Key != key {
		t.Fatalf("at the new endpoint %+v; the old one was sent key %q", got, key)
	}
	select {
	case again := <-arrived:
		t.Fatalf("the old endpoint was asked again after the move (key %q)", again)
	default:
	}
}
