package staff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/receipt"
	"github.com/liangzihu/kiosk/app/reprint"
	"github.com/liangzihu/kiosk/app/staff/stafftest"
	"github.com/liangzihu/kiosk/app/staffpin"
	"github.com/liangzihu/kiosk/app/store"
	"github.com/liangzihu/kiosk/app/utility"
)

var (
	_ Service = (*Local)(nil)
	_ Service = (*Client)(nil)
)

// kiosk is a data folder with two dead letters at the water utility and one request
// waiting for the electricity utility, and the Local service on it. The gas utility
// takes each request once the test lets it (gas).
type kiosk struct {
	dir  string
	l    *Local
	refs []string // the dead letters
	gas  *gate
}

// gate is a utility that holds each request it is sent until the test opens it, then
// takes it.
type gate struct {
	sent chan string   // each request's kiosk reference, as it arrives
	open chan struct{} // closed: every request is taken
}

func newGate() *gate { return &gate{sent: make(chan string, 8), open: make(chan struct{})} }

func (g *gate) Forward(ctx context.Context, s utility.Submission) (utility.Answer, error) {
	g.sent <- s.KioskRef
	select {
	case <-g.open:
		return utility.Answer{Kind: s.Kind, Reference: "GAS-" + s.KioskRef, Body: []byte(`{"reference":"GAS"}`)}, nil
	case <-ctx.Done():
		return utility.Answer{}, ctx.Err()
	}
}

func (g *gate) Lookup(context.Context, string, string) (utility.Answer, error) {
	return utility.Answer{}, &utility.Error{Kind: utility.ErrNotFound, Status: 404}
}

func newKiosk(t *testing.T) *kiosk {
	t.Helper()
	k := &kiosk{dir: t.TempDir(), gas: newGate()}
	st, err := store.Open(store.Options{Dir: k.dir})
	if err != nil {
		t.Fatal(err)
	}
	j := journal.New(st, nil)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: stafftest.Refuser{}, utility.Electricity: stafftest.Down{},
		utility.Gas: k.gas}, outbox.Options{Base: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close(); st.Close() })
	ob.Start(context.Background())
	eval := utility.Evaluation{Application: "SS1", Level: utility.VerySatisfied}
	for _, acct := range []string{"42001003", "42001004"} {
		res, err := ob.Submit(context.Background(), outbox.Request{Utility: utility.Water, Kind: utility.KindEvaluation, Order: acct, Body: eval}, 5*time.Second)
		if err != nil || res.State != outbox.Dead {
			t.Fatalf("submit: %+v, %v", res, err)
		}
		k.refs = append(k.refs, res.KioskRef)
	}
	if _, err := ob.Submit(context.Background(), outbox.Request{Utility: utility.Electricity, Kind: utility.KindEvaluation, Order: "31", Body: eval}, 0); err != nil {
		t.Fatal(err)
	}
	k.l = &Local{Store: st, Journal: j, Outbox: ob}
	return k
}

// serve runs the staff socket of a running kiosk on s and returns a client of it.
func serve(t *testing.T, dir string, s Service) *Client {
	t.Helper()
	l, err := Listen(SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	srv := Server(s, slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c, err := Dial(context.Background(), SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestService: staff get the same answers and errors from the database (kiosk
// stopped) and through the socket (kiosk running), and every action is journaled.
func TestService(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			var s Service = k.l
			left := time.Date(2026, 11, 26, 10, 32, 0, 0, time.UTC)
			if via == "socket" {
				k.l.Devices = func() []Device {
					return []Device{{Name: "printer", Detail: "缺纸"}, {Name: "idcard", OK: true}}
				}
				k.l.CardLeft = func() time.Time { return left }
				k.l.PINLocked = func() time.Time { return left.Add(15 * time.Minute) }
				s = serve(t, k.dir, k.l)
				if fi, err := os.Stat(SocketPath(k.dir)); err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("socket: %v, %v", fi, err)
				}
			}
			st, err := s.Status(ctx)
			if err != nil || st.Dead != 2 || st.Pending[utility.Electricity] != 1 || st.Running != (via == "socket") {
				t.Fatalf("status: %+v, %v", st, err)
			}
			// The electricity utility cannot be reached: its request waits, and staff see
			// since when and why.
			for deadline := time.Now().Add(5 * time.Second); len(st.Failing) == 0; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the utility that cannot be reached is not shown: %+v", st)
				}
				if st, err = s.Status(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if f := st.Failing; len(f) != 1 || f[0].Utility != utility.Electricity || f[0].Problem != utility.ProblemUnreachable ||
				f[0].Since.IsZero() || !strings.Contains(f[0].Error, "unavailable") || f[0].Long {
				t.Errorf("failing: %+v", f)
			}
			if via == "socket" && (len(st.Devices) != 2 || st.Devices[1].Name != "printer" || st.Devices[1].OK || st.Devices[1].Detail != "缺纸") {
				t.Errorf("devices: %+v", st.Devices)
			}
			if wantLeft := via == "socket"; (st.CardLeftSince != nil) != wantLeft || wantLeft && !st.CardLeftSince.Equal(left) {
				t.Errorf("card left since %v, want %v in a running kiosk with a card left", st.CardLeftSince, left)
			}
			if wantLocked := via == "socket"; (st.PINLockedUntil != nil) != wantLocked || wantLocked && !st.PINLockedUntil.Equal(left.Add(15*time.Minute)) {
				t.Errorf("PIN locked until %v in a running kiosk whose PIN is locked", st.PINLockedUntil)
			}

			dead, err := s.Requests(ctx, outbox.Dead, 0)
			if err != nil || len(dead) != 2 || dead[0].KioskRef != k.refs[0] || dead[0].Kind != utility.KindEvaluation {
				t.Fatalf("dead letters: %+v, %v", dead, err)
			}
			if !strings.Contains(dead[0].Why, "已销户") || strings.Contains(dead[0].Why, "13800001234") ||
				dead[0].Refused != dead[0].Why {
				t.Errorf("the refusal should show, its phone number masked: %q (refused: %q)", dead[0].Why, dead[0].Refused)
			}
			if one, err := s.Requests(ctx, outbox.Dead, 1); err != nil || len(one) != 1 {
				t.Errorf("limit 1: %d, %v", len(one), err)
			}

			for name, err := range map[string]error{
				"unknown state":     second(s.Requests(ctx, "lost", 0)),
				"retry, no actor":   s.Retry(ctx, k.refs[0], " "),
				"close, no reason":  s.Close(ctx, k.refs[1], "staff-7", ""),
				"close, free text":  s.Close(ctx, k.refs[1], "staff-7", "张三说他不办了"),
				"journal, no range": second(s.Events(ctx, Query{})),
				"backup, no actor":  second(s.Backup(ctx, io.Discard, "")),
			} {
				if !errors.Is(err, ErrInput) {
					t.Errorf("%s: %v, want ErrInput", name, err)
				}
			}
			if err := s.Retry(ctx, "K260101999999", "staff-7"); !errors.Is(err, outbox.ErrNotFound) {
				t.Errorf("retry an unknown request: %v", err)
			}

			if err := s.Retry(ctx, k.refs[0], "staff-7"); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(ctx, k.refs[1], "staff-7", "offline"); err != nil {
				t.Fatal(err)
			}
			if err := s.Retry(ctx, k.refs[1], "staff-7"); err == nil || !strings.Contains(err.Error(), "not a dead letter") {
				t.Errorf("retry a closed request: %v", err)
			}
			closed, err := s.Requests(ctx, outbox.Closed, 0)
			if err != nil || len(closed) != 1 || closed[0].Why != by(via, "staff-7")+": 已在窗口线下办理" {
				t.Errorf("closed: %+v, %v", closed, err)
			}
			// The request waiting for the electricity utility, its citizen served at the
			// counter meanwhile, is withdrawn: never sent after.
			waiting, err := s.Requests(ctx, outbox.Pending, 0)
			i := slices.IndexFunc(waiting, func(r Request) bool { return r.Utility == utility.Electricity })
			if err != nil || i < 0 {
				t.Fatalf("waiting: %+v, %v", waiting, err)
			}
			if err := s.Close(ctx, waiting[i].KioskRef, "staff-7", "offline"); err != nil {
				t.Fatalf("withdraw a waiting request: %v", err)
			}
			if closed, err := s.Requests(ctx, outbox.Closed, 0); err != nil || len(closed) != 2 {
				t.Errorf("closed after the withdrawal: %+v, %v", closed, err)
			}
			evs, err := s.Events(ctx, Query{Ref: k.refs[1]})
			if err != nil || len(evs) == 0 {
				t.Fatalf("journal of %s: %v", k.refs[1], err)
			}
			if last := evs[len(evs)-1]; last.Kind != journal.StaffClose || last.Actor != by(via, "staff-7") || last.Detail != "已在窗口线下办理" {
				t.Errorf("last event: %+v", last)
			}
			if recent, err := s.Events(ctx, Query{Since: time.Hour, Limit: 2}); err != nil || len(recent) != 2 {
				t.Errorf("the last hour, 2 at most: %d, %v", len(recent), err)
			}

			// The copy opens with the kiosk's key, and the export is journaled.
			copyDir := t.TempDir()
			n, err := BackupFile(ctx, s, filepath.Join(copyDir, store.FileName), "staff-7", false)
			if err != nil || n == 0 {
				t.Fatalf("backup: %d, %v", n, err)
			}
			c, err := store.Open(store.Options{Dir: copyDir, KeyFile: filepath.Join(k.dir, "data.key")})
			if err != nil {
				t.Fatalf("the copy does not open with the kiosk's key: %v", err)
			}
			c.Close()
			// (The retried request may still be journaling its new refusal: look, not at the end.)
			all, err := s.Events(ctx, Query{Since: time.Hour})
			if err != nil || !slices.ContainsFunc(all, func(e journal.Event) bool { return e.Kind == journal.StaffExport && e.Actor == by(via, "staff-7") }) {
				t.Errorf("export not journaled: %v", err)
			}
		})
	}
}

// TestReprints: staff list the receipts kept for 补打 with the kiosk stopped or running;
// printing one needs the running kiosk, whose answer (printed, or why not) comes back
// through the socket, as do its errors.
func TestReprints(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			p := receipt.SamplePayment()
			kept := reprint.Receipt{Entry: reprint.Entry{Ref: "P1", Kind: reprint.Payment, Time: time.Now(), Reason: "打印机缺纸"}, Payment: &p}
			if err := reprint.New(k.l.Store).Keep(kept); err != nil {
				t.Fatal(err)
			}
			var s Service = k.l
			var printed []string
			if via == "socket" {
				k.l.Print = func(_ context.Context, ref, actor string) (Printed, error) {
					if ref != "P1" {
						return Printed{}, fmt.Errorf("%w: %s", reprint.ErrNotFound, ref)
					}
					printed = append(printed, actor)
					if len(printed) == 1 {
						return Printed{Detail: "打印机缺纸"}, nil
					}
					return Printed{OK: true}, nil
				}
				s = serve(t, k.dir, k.l)
			}
			list, err := s.Reprints(ctx)
			if err != nil || len(list) != 1 || list[0].Ref != "P1" || list[0].Kind != reprint.Payment || list[0].Reason != "打印机缺纸" {
				t.Fatalf("reprints: %+v, %v", list, err)
			}
			if _, err := s.Reprint(ctx, "P1", ""); !errors.Is(err, ErrInput) {
				t.Errorf("no actor: %v", err)
			}
			if via == "database" {
				if _, err := s.Reprint(ctx, "P1", "staff-7"); !errors.Is(err, ErrNeedsKiosk) {
					t.Errorf("with the kiosk stopped: %v", err)
				}
				return
			}
			if _, err := s.Reprint(ctx, "P9", "staff-7"); !errors.Is(err, reprint.ErrNotFound) {
				t.Errorf("an unknown receipt: %v", err)
			}
			if r, err := s.Reprint(ctx, "P1", "staff-7"); err != nil || r.OK || r.Detail != "打印机缺纸" {
				t.Errorf("printer still out of paper: %+v, %v", r, err)
			}
			if r, err := s.Reprint(ctx, "P1", "staff-7"); err != nil || !r.OK {
				t.Errorf("printed: %+v, %v", r, err)
			}
			if !slices.Equal(printed, []string{by(via, "staff-7"), by(via, "staff-7")}) {
				t.Errorf("the kiosk printed for %v", printed)
			}
		})
	}
}

// TestScreen: the running kiosk's screen as a PNG, between visits only, each look
// journaled; a stopped kiosk has none.
func TestScreen(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			var s Service = k.l
			visiting := false
			if via == "socket" {
				k.l.Picture = func(context.Context) (image.Image, error) {
					if visiting {
						return nil, ErrCitizenPresent
					}
					return image.NewRGBA(image.Rect(0, 0, 128, 80)), nil
				}
				s = serve(t, k.dir, k.l)
			}
			var b bytes.Buffer
			if _, err := s.Screen(ctx, &b, " "); !errors.Is(err, ErrInput) {
				t.Errorf("no actor: %v", err)
			}
			if via == "database" {
				if _, err := s.Screen(ctx, &b, "staff-7"); !errors.Is(err, ErrNoScreen) {
					t.Errorf("with the kiosk stopped: %v", err)
				}
				return
			}
			n, err := s.Screen(ctx, &b, "staff-7")
			if err != nil || n != int64(b.Len()) {
				t.Fatalf("screen: %d bytes, %v", n, err)
			}
			if img, err := png.Decode(&b); err != nil || img.Bounds().Dx() != 128 {
				t.Fatalf("the picture: %v", err)
			}
			visiting = true
			if _, err := s.Screen(ctx, &b, "staff-7"); !errors.Is(err, ErrCitizenPresent) {
				t.Errorf("during a visit: %v", err)
			}
			evs, err := s.Events(ctx, Query{Since: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			looks := 0
			for _, e := range evs {
				if e.Kind == journal.StaffAction && e.Actor == by(via, "staff-7") {
					looks++
				}
			}
			if looks != 1 {
				t.Errorf("%d looks journaled, want 1 (the refused one is not a look)", looks)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

// failingCopy is a kiosk whose database copy breaks halfway.
type failingCopy struct{ Local }

func (failingCopy) Backup(_ context.Context, w io.Writer, _ string) (int64, error) {
	n, _ := w.Write(make([]byte, 64<<10))
	return int64(n), errors.New("disk read error")
}

// A copy cut short through the socket is an error, and no file takes the name.
func TestBackupCutShort(t *testing.T) {
	k := newKiosk(t)
	c := serve(t, k.dir, &failingCopy{*k.l})
	out := filepath.Join(t.TempDir(), store.FileName)
	if _, err := BackupFile(context.Background(), c, out, "staff-7", false); err == nil {
		t.Fatal("a broken copy succeeded")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a broken copy was left at %s", out)
	}
	if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
		t.Error("the partial file was left behind")
	}
}

func TestListen(t *testing.T) {
	dir := t.TempDir()
	path := SocketPath(dir)
	// A socket left by a kiosk that was killed is replaced.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	l, err := Listen(path)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	l.Close()

	file := filepath.Join(dir, "not-a-socket")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("over a file: %v", err)
	}
	long := filepath.Join(dir, strings.Repeat("d", 120), SocketName)
	if _, err := Listen(long); err == nil || !strings.Contains(err.Error(), "use a shorter folder") {
		t.Errorf("a path too long: %v", err)
	}
	if _, err := Dial(context.Background(), filepath.Join(dir, "nobody.sock")); !errors.Is(err, ErrNotRunning) {
		t.Errorf("dial with no kiosk: %v", err)
	}
	// A kiosk that accepts but never answers (hung) is told apart from a stopped one.
	hung, err := net.Listen("unix", filepath.Join(dir, "hung.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if _, err := Dial(context.Background(), filepath.Join(dir, "hung.sock")); err == nil || errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("dial a hung kiosk: %v", err)
	}
}

// The client reads what an error is from the kiosk's answer, not from its status alone:
// a 409 that is not about a citizen at the kiosk is not ErrCitizenPresent.
func TestClientErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]struct {
		code int
		body string
	}{
		"/v1/status":            {200, `{}`},
		"/v1/screen":            {409, `{"error":"another conflict"}`},
		"/v1/backup":            {409, `{"error":"staff: a citizen is using the kiosk","citizen_present":true}`},
		"/v1/requests/K1/retry": {404, `{"error":"outbox: no request K1"}`},
		"/v1/requests/K1/close": {400, `{"error":"a reason is needed","input":true}`},
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			a.code, a.body = 500, "not json"
		}
		w.WriteHeader(a.code)
		io.WriteString(w, a.body)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = c.Screen(ctx, io.Discard, "张工")
	if err == nil || errors.Is(err, ErrCitizenPresent) || err.Error() != "another conflict" {
		t.Errorf("a 409 of another kind: %v", err)
	}
	if _, err := c.Backup(ctx, io.Discard, "张工"); !errors.Is(err, ErrCitizenPresent) {
		t.Errorf("a citizen at the kiosk: %v", err)
	}
	if err := c.Retry(ctx, "K1", "张工"); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("not found: %v", err)
	}
	if err := c.Close(ctx, "K1", "张工", ""); !errors.Is(err, ErrInput) {
		t.Errorf("input: %v", err)
	}
	if _, err := c.Requests(ctx, outbox.Dead, 10); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("an answer that is not the kiosk's: %v", err)
	}
}

// shortWriter takes n bytes, then fails: a reader who drops the copy part way.
type shortWriter struct{ n int }

func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("connection reset")
	}
	w.n -= len(p)
	return len(p), nil
}

// An export is journaled before its first byte leaves, and its end too: cut short
// included.
func TestBackupJournaledFromTheStart(t *testing.T) {
	k := newKiosk(t)
	if _, err := k.l.Backup(context.Background(), &shortWriter{n: 4096}, "staff-7"); err == nil {
		t.Fatal("a copy cut short succeeded")
	}
	evs, err := k.l.Journal.Range(time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range evs {
		if e.Kind == journal.StaffExport && e.Actor == "staff-7" {
			details = append(details, e.Detail)
		}
	}
	if len(details) != 2 || details[0] != "database copy started" || !strings.HasPrefix(details[1], "database copy cut short") {
		t.Errorf("journaled %q", details)
	}
}

// TestRestart: staff restart the running kiosk (between visits, and while staff work
// in its maintenance mode only with force: the kiosk says why not); a stopped kiosk has
// nothing to restart.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			var s Service = k.l
			var restarted []string
			visiting, maintaining := false, false
			if via == "socket" {
				k.l.Relaunch = func(_ context.Context, actor string, force bool) error {
					if visiting {
						return ErrCitizenPresent
					}
					if maintaining && !force {
						return fmt.Errorf("%w by 工号0107", ErrMaintenanceOpen)
					}
					restarted = append(restarted, actor)
					return nil
				}
				s = serve(t, k.dir, k.l)
			}
			if err := s.Restart(ctx, " ", false); !errors.Is(err, ErrInput) {
				t.Errorf("no actor: %v", err)
			}
			if via == "database" {
				if err := s.Restart(ctx, "staff-7", false); !errors.Is(err, ErrStopped) {
					t.Errorf("with the kiosk stopped: %v", err)
				}
				return
			}
			if err := s.Restart(ctx, "staff-7", false); err != nil {
				t.Fatal(err)
			}
			maintaining = true
			err := s.Restart(ctx, "staff-9", false)
			if !errors.Is(err, ErrMaintenanceOpen) || !strings.Contains(err.Error(), "工号0107") {
				t.Errorf("while maintenance mode is open: %v", err)
			}
			if err := s.Restart(ctx, "staff-9", true); err != nil {
				t.Errorf("forced while maintenance mode is open: %v", err)
			}
			visiting = true
			if err := s.Restart(ctx, "staff-8", true); !errors.Is(err, ErrCitizenPresent) {
				t.Errorf("during a visit: %v", err)
			}
			if !slices.Equal(restarted, []string{by(via, "staff-7"), by(via, "staff-9")}) {
				t.Errorf("restarted by %v", restarted)
			}
		})
	}
}

// Staff check the utilities' APIs through the running kiosk; with it stopped there is
// nothing to check from.
func TestUtilities(t *testing.T) {
	ctx := context.Background()
	k := newKiosk(t)
	if _, err := k.l.Utilities(ctx); !errors.Is(err, ErrStopped) {
		t.Errorf("with the kiosk stopped: %v", err)
	}
	want := []Utility{{Utility: utility.Electricity, Endpoint: "https://kiosk-api.power.example.cn/v1", TookMS: 12},
		{Utility: utility.Gas, Endpoint: "https://gas.example.cn/v1", FromBundle: true, Problem: "unreachable", Error: "utility gas: submissions.get: timeout"}}
	k.l.Check = func(context.Context) []Utility { return want }
	got, err := serve(t, k.dir, k.l).Utilities(ctx)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("through the socket: %+v %v", got, err)
	}
}

// The status as the fleet asks for it every minute, on a busy hall's day: 500 visits,
// ten journal entries each (the day's summary reads them all), in a store that also
// holds the week before.
func BenchmarkStatusBusyDay(b *testing.B) {
	st, err := store.Open(store.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	j := journal.New(st, nil)
	ob, err := outbox.New(st, j, map[string]utility.Forwarder{utility.Water: stafftest.Refuser{}}, outbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ob.Close()
	now := time.Now()
	kinds := []journal.Kind{journal.SessionStart, journal.RequestSubmitted, journal.RequestForwarded, journal.RequestAnswered,
		journal.PaymentPaid, journal.Print, journal.RequestSubmitted, journal.RequestForwarded, journal.RequestAnswered, journal.SessionEnd}
	for day := 7; day >= 0; day-- {
		err := st.Update(func(tx *bolt.Tx) error {
			for i := range 5000 {
				e := journal.Event{Time: now.AddDate(0, 0, -day).Add(-time.Duration(5000-i) * time.Second), Kind: kinds[i%len(kinds)],
					Session: fmt.Sprint("s", i/10), Utility: utility.Electricity, Ref: fmt.Sprint("K", day, "-", i/10), Detail: "application", Amount: 4752}
				if err := j.Append(tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	l := &Local{Store: st, Journal: j, Outbox: ob, Identity: Identity{Enabled: []string{utility.Electricity, utility.Water}}}
	for b.Loop() {
		s, err := l.Status(context.Background())
		if err != nil || s.Today.Visits == 0 {
			b.Fatalf("%+v, %v", s.Today, err)
		}
	}
}

// TestUnlockPIN: staff end a lockout of the maintenance PIN, the kiosk running or not:
// the unlock is journaled with who did it, and the PIN's gate, which reads its state
// from the journal, takes tries again.
func TestUnlockPIN(t *testing.T) {
	ctx := context.Background()
	bothWays(t, func(t *testing.T, k *kiosk, s Service) {
		gate, err := staffpin.New(staffpin.Options{Journal: k.l.Journal, Hash: staffpin.DemoHash})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for i := range staffpin.DefaultMaxFailures {
			e := journal.Event{Time: now.Add(time.Duration(i-staffpin.DefaultMaxFailures) * time.Second), Kind: journal.StaffLoginFailed}
			if err := k.l.Journal.Record(e); err != nil {
				t.Fatal(err)
			}
		}
		if until, err := gate.LockedUntil(); err != nil || until.IsZero() {
			t.Fatalf("the gate is not locked: %v", err)
		}
		if err := s.UnlockPIN(ctx, " "); !errors.Is(err, ErrInput) {
			t.Errorf("no actor: %v", err)
		}
		if err := s.UnlockPIN(ctx, "staff-7"); err != nil {
			t.Fatal(err)
		}
		if until, err := gate.LockedUntil(); err != nil || !until.IsZero() {
			t.Fatalf("still locked until %s after the unlock: %v", until, err)
		}
		evs, err := s.Events(ctx, Query{Since: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		via := "database"
		if _, ok := s.(*Client); ok {
			via = "socket"
		}
		if last := evs[len(evs)-1]; last.Kind != journal.StaffUnlock || last.Actor != by(via, "staff-7") {
			t.Errorf("last event %+v, want the unlock by staff-7", last)
		}
	})
}

// bothWays runs f on a new kiosk's Service, from the database (the kiosk stopped) and
// through the socket (running).
func bothWays(t *testing.T, f func(t *testing.T, k *kiosk, s Service)) {
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			var s Service = k.l
			if via == "socket" {
				s = serve(t, k.dir, k.l)
			}
			f(t, k, s)
		})
	}
}

// TestEventsLimit: a limit keeps the latest events, by time or by reference, still
// listed oldest first: what staff asking for the last few want.
func TestEventsLimit(t *testing.T) {
	ctx := context.Background()
	bothWays(t, func(t *testing.T, k *kiosk, s Service) {
		// A little ahead, after whatever the outbox journals meanwhile.
		ahead := time.Now().Add(10 * time.Second)
		for i := range 4 {
			if err := k.l.Journal.Record(journal.Event{Time: ahead.Add(time.Duration(i) * time.Millisecond), Kind: journal.StaffAction,
				Ref: "K261126000001", Actor: "staff-7", Detail: fmt.Sprint("step ", i)}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			q    Query
			want string
		}{
			{"the last hour, 2", Query{Since: time.Hour, Limit: 2}, "step 2, step 3"},
			{"a reference, 3", Query{Ref: "K261126000001", Limit: 3}, "step 1, step 2, step 3"},
			{"a reference, all", Query{Ref: "K261126000001"}, "step 0, step 1, step 2, step 3"},
		} {
			evs, err := s.Events(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.Detail)
			}
			if strings.Join(got, ", ") != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}

// TestCloseTooLate: staff who listed a request as waiting and withdraw it after it was
// sent are told so, whether it is being sent that moment or its utility has it since,
// by the database and through the socket alike; nothing is closed or journaled as
// closed.
func TestCloseTooLate(t *testing.T) {
	ctx := context.Background()
	bothWays(t, func(t *testing.T, k *kiosk, s Service) {
		res, err := k.l.Outbox.Submit(ctx, outbox.Request{Utility: utility.Gas, Kind: utility.KindTransfer, Order: "51",
			Body: utility.Transfer{Account: "51"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ref := <-k.gas.sent // being sent
		if ref != res.KioskRef {
			t.Fatalf("sent %s, submitted %s", ref, res.KioskRef)
		}
		err = s.Close(ctx, ref, "staff-7", "withdrawn")
		if !errors.Is(err, outbox.ErrTooLate) || !strings.Contains(err.Error(), ref+" is being sent to its utility right now") {
			t.Errorf("withdrawn while being sent: %v", err)
		}
		close(k.gas.open)
		if res, err := k.l.Outbox.Await(ctx, ref, 5*time.Second); err != nil || res.State != outbox.Done {
			t.Fatalf("the answer: %+v, %v", res, err)
		}
		err = s.Close(ctx, ref, "staff-7", "withdrawn")
		if !errors.Is(err, outbox.ErrTooLate) || err.Error() != "staff: "+ref+" was sent meanwhile and its utility has it (the utility's reference GAS-"+ref+
			"): ask the utility to cancel it; it was not closed" {
			t.Errorf("withdrawn once answered: %v", err)
		}
		// The screen words it from its fields: the request's state and the utility's
		// reference to ask it to cancel by.
		var late *TooLateError
		if _, local := s.(*Local); local && (!errors.As(err, &late) || late.Ref != ref || late.State != outbox.Done || late.UtilityRef != "GAS-"+ref) {
			t.Errorf("withdrawn once answered: %#v", late)
		}
		if st, err := k.l.Outbox.Status(ref); err != nil || st.State != outbox.Done {
			t.Errorf("after the refusals: %+v, %v", st, err)
		}
		evs, err := s.Events(ctx, Query{Ref: ref})
		if err != nil || slices.ContainsFunc(evs, func(e journal.Event) bool { return e.Kind == journal.StaffClose }) {
			t.Errorf("journaled: %+v, %v", evs, err)
		}
	})
}

// Staff drop a utility's bundle held for later on the running kiosk, and read what it
// then holds (the version dropped); with nothing held, or the kiosk stopped, it says so.
func TestDropBundle(t *testing.T) {
	ctx := context.Background()
	k := newKiosk(t)
	if _, err := k.l.DropBundle(ctx, "electricity", "staff-7"); !errors.Is(err, ErrStopped) {
		t.Errorf("with the kiosk stopped: %v", err)
	}
	state := bundle.NewState(k.l.Store, k.l.Journal)
	now := time.Now()
	data, err := bundle.Sign(bundle.DemoKey("electricity"), bundle.Manifest{Utility: "electricity", Version: 4, Created: now,
		Expires: now.Add(time.Hour), Effective: now.Add(time.Hour)}, map[string][]byte{bundle.InfoFile: []byte("utility = \"electricity\"\n")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := state.Schedule(b, now, "staff-7"); err != nil {
		t.Fatal(err)
	}
	var dropped []string
	k.l.Drop = func(utility, actor string) error {
		dropped = append(dropped, actor)
		_, err := state.Drop(utility, now, actor)
		return err
	}
	s := serve(t, k.dir, k.l)
	if _, err := s.DropBundle(ctx, "electricity", " "); !errors.Is(err, ErrInput) {
		t.Errorf("no actor: %v", err)
	}
	got, err := s.DropBundle(ctx, "electricity", "staff-9")
	if err != nil || got.Utility != "electricity" || got.Dropped != 4 || got.Held != 0 {
		t.Fatalf("dropped: %+v, %v", got, err)
	}
	if _, err := s.DropBundle(ctx, "electricity", "staff-9"); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "no bundle is held for later for electricity") {
		t.Errorf("dropped again: %v", err)
	}
	if !slices.Equal(dropped, []string{by("socket", "staff-9"), by("socket", "staff-9")}) {
		t.Errorf("dropped by %v", dropped)
	}
}

// A refused payment order is a dead letter staff cannot send again, from the database
// or through the socket: the error is outbox.ErrNotRetried, says so in Chinese and
// English with the command that closes it, and the letter stays for staff to close.
func TestPaymentOrderNotRetried(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"database", "socket"} {
		t.Run(via, func(t *testing.T) {
			k := newKiosk(t)
			var s Service = k.l
			if via == "socket" {
				s = serve(t, k.dir, k.l)
			}
			res, err := k.l.Outbox.Submit(ctx, outbox.Request{Utility: utility.Water, Kind: utility.KindPayment, Order: "42001003",
				Body: utility.PaymentRequest{Account: "42001003", Bills: []string{"B1"}, Amount: 100}, NotAfter: time.Now().Add(90 * time.Second)}, 5*time.Second)
			if err != nil || res.State != outbox.Dead {
				t.Fatalf("submit: %+v, %v", res, err)
			}
			err = s.Retry(ctx, res.KioskRef, "staff-7")
			if !errors.Is(err, outbox.ErrNotRetried) {
				t.Fatalf("retry: %v, want outbox.ErrNotRetried", err)
			}
			for _, want := range []string{res.KioskRef, "缴费订单", "不能重新发送", "is a payment order: it is not sent again", "outbox close --reason offline|withdrawn|duplicate"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal %q does not say %q", err, want)
				}
			}
			if err := s.Close(ctx, res.KioskRef, "staff-7", "offline"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
