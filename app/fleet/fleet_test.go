package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/fleet"
	"github.com/liangzihu/kiosk/app/fleet/fleettest"
)

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// received collects the bundles a kiosk's link is given.
type received struct {
	mu  sync.Mutex
	got map[string][]string
}

func (r *received) add(utility string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string][]string{}
	}
	r.got[utility] = append(r.got[utility], string(data))
}

func (r *received) of(utility string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got[utility]...)
}

func statusOf(t *testing.T, b fleet.Broker, kiosk string) fleet.Status {
	t.Helper()
	all, err := fleet.Statuses(context.Background(), b, "", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return all[kiosk]
}

// A kiosk's status is kept by the broker and read by staff; a utility's bundle reaches
// the kiosks connected, and one that connects later; a kiosk that stops says so.
func TestStatusesAndBundles(t *testing.T) {
	br := fleettest.Start(t)
	staff := fleet.Broker{URL: br.URL}
	var first received
	k1, err := fleet.Connect(fleet.KioskOptions{Broker: fleet.Broker{URL: br.URL}, Kiosk: "LZH-0107", OnBundle: first.add})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the link up", k1.Connected)
	now := time.Now().UTC().Truncate(time.Second)
	if err := k1.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running, Time: now, Hall: "梁子湖区政务服务中心",
		Bundles: map[string]uint64{"water": 5}}); err != nil {
		t.Fatal(err)
	}
	if s := statusOf(t, staff, "LZH-0107"); s.State != fleet.Running || !s.Time.Equal(now) || s.Hall != "梁子湖区政务服务中心" || s.Bundles["water"] != 5 {
		t.Fatalf("status read back: %+v", s)
	}
	if err := fleet.PublishBundle(context.Background(), staff, "", "water", []byte(`{"v":5}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bundle at the kiosk", func() bool { return len(first.of("water")) == 1 })
	var later received
	k2, err := fleet.Connect(fleet.KioskOptions{Broker: fleet.Broker{URL: br.URL}, Kiosk: "LZH-0108", OnBundle: later.add})
	if err != nil {
		t.Fatal(err)
	}
	defer k2.Close(fleet.Status{Kiosk: "LZH-0108", State: fleet.Stopped})
	waitFor(t, "the kept bundle at a kiosk that connected later", func() bool {
		got := later.of("water")
		return len(got) == 1 && got[0] == `{"v":5}`
	})
	k1.Close(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped, Time: now})
	if s := statusOf(t, staff, "LZH-0107"); s.State != fleet.Stopped {
		t.Fatalf("after a clean stop: %+v", s)
	}
	if err := k1.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running}); !errors.Is(err, fleet.ErrNotConnected) {
		t.Fatalf("a status after Close: %v", err)
	}
}

// A message on the bundle topics that cannot be a utility's bundle never reaches the
// kiosk's OnBundle: one larger than bundle.MaxSize (a broker without max_packet_size
// passes it on), or one on a topic that names no utility (its name would be journaled
// as who delivered it). Each is followed by a bundle on gas: once that arrived, the one
// before had been handled.
func TestBundleMessagesBounded(t *testing.T) {
	br := fleettest.Start(t)
	utility := fleet.Broker{URL: br.URL}
	var got received
	k, err := fleet.Connect(fleet.KioskOptions{Broker: fleet.Broker{URL: br.URL}, Kiosk: "LZH-0107", OnBundle: got.add})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped})
	waitFor(t, "the link up", k.Connected)
	for i, c := range []struct {
		name, utility string
		size          int
		taken         bool
	}{
		{"as large as a bundle can be", "water", bundle.MaxSize, true},
		{"a byte larger", "electricity", bundle.MaxSize + 1, false},
		{"upper case", "Broadband", 10, false},
		{"a long topic", strings.Repeat("x", 300), 10, false},
		{"one letter", "x", 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := fleet.PublishBundle(context.Background(), utility, "", c.utility, make([]byte, c.size)); err != nil {
				t.Fatal(err)
			}
			next := fmt.Sprintf(`{"v":%d}`, i)
			if err := fleet.PublishBundle(context.Background(), utility, "", "gas", []byte(next)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the bundle after it", func() bool { return slices.Contains(got.of("gas"), next) })
			if n := len(got.of(c.utility)); n != map[bool]int{true: 1}[c.taken] {
				t.Fatalf("%d messages on %.20q handed to the kiosk", n, c.utility)
			}
		})
	}
}

// relay is a TCP relay to the broker that the test takes down and up, as a network
// that fails (or a kiosk whose power is cut) and comes back.
type relay struct {
	t     *testing.T
	addr  string
	to    string
	mu    sync.Mutex
	l     net.Listener
	conns []net.Conn
	// delay holds each new connection up that long before it reaches the broker: a
	// slow link.
	delay time.Duration
}

func newRelay(t *testing.T, to string) *relay {
	t.Helper()
	r := &relay{t: t, to: to}
	r.up()
	t.Cleanup(r.down)
	return r
}

// up listens (on the same address as before, after the first) and relays.
func (r *relay) up() {
	r.t.Helper()
	addr := r.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.l, r.addr = l, l.Addr().String()
	r.mu.Unlock()
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			delay := r.delay
			r.mu.Unlock()
			time.Sleep(delay)
			out, err := net.Dial("tcp", r.to)
			if err != nil {
				in.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, in, out)
			r.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

// down cuts every connection and takes no more.
func (r *relay) down() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.l.Close()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

// A kiosk whose connection drops is "offline" for staff (the broker publishes its will),
// and running again once it is back: the link reconnects by itself, and the kiosk
// publishes anew (OnConnect). While the broker is down, publishing fails at once.
func TestOfflineAndBack(t *testing.T) {
	br := fleettest.Start(t)
	relay := newRelay(t, br.URL[len("mqtt://"):])
	staff := fleet.Broker{URL: br.URL}
	link := make(chan *fleet.Kiosk, 1)
	k, err := fleet.Connect(fleet.KioskOptions{Broker: fleet.Broker{URL: "mqtt://" + relay.addr}, Kiosk: "LZH-0107",
		OnConnect: func() {
			k := <-link
			link <- k
			k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running, Time: time.Now()})
		}})
	if err != nil {
		t.Fatal(err)
	}
	link <- k
	defer k.Close(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped})
	waitFor(t, "running", func() bool { return statusOf(t, staff, "LZH-0107").State == fleet.Running })
	relay.down()
	waitFor(t, "offline after the connection dropped", func() bool {
		s := statusOf(t, staff, "LZH-0107")
		return s.State == fleet.Offline && s.Time.IsZero()
	})
	relay.up()
	waitFor(t, "running again after the link came back", func() bool { return statusOf(t, staff, "LZH-0107").State == fleet.Running })

	br.Stop()
	waitFor(t, "the link down with the broker", func() bool { return !k.Connected() })
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running}); !errors.Is(err, fleet.ErrNotConnected) {
		t.Fatalf("publishing with the broker down: %v", err)
	}
	br.Restart()
	waitFor(t, "the link back with the broker", k.Connected)
}

// Options that can never work are refused at once; a broker that is not there is not.
func TestConnectRefuses(t *testing.T) {
	for _, o := range []fleet.KioskOptions{
		{Broker: fleet.Broker{URL: "http://127.0.0.1:1883"}, Kiosk: "K1"},
		{Broker: fleet.Broker{URL: "mqtt://127.0.0.1:1883"}, Kiosk: "hall/7"},
		{Broker: fleet.Broker{URL: "mqtt://127.0.0.1:1883"}, Kiosk: ""},
	} {
		if k, err := fleet.Connect(o); err == nil {
			k.Close(fleet.Status{})
			t.Errorf("%+v: accepted", o)
		}
	}
	k, err := fleet.Connect(fleet.KioskOptions{Broker: fleet.Broker{URL: "mqtt://127.0.0.1:1"}, Kiosk: "K1"})
	if err != nil {
		t.Fatal(err)
	}
	k.Close(fleet.Status{Kiosk: "K1", State: fleet.Stopped})
	if err := k.PublishStatus(fleet.Status{}); !errors.Is(err, fleet.ErrNotConnected) {
		t.Fatalf("publish to no broker: %v", err)
	}
	if _, err := fleet.Statuses(context.Background(), fleet.Broker{URL: "mqtt://127.0.0.1:1"}, "", time.Second); err == nil {
		t.Fatal("statuses from no broker")
	}
}

// The broker's ACL in deploy/mosquitto/kiosk.acl does what docs/fleet.md says: a kiosk
// publishes its own status only and reads the bundles; a utility publishes its own
// bundles only; hall staff read the statuses; nobody gets in without a password.
func TestTheCitysACL(t *testing.T) {
	acl, err := os.ReadFile("../../deploy/mosquitto/kiosk.acl")
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := os.ReadFile("../../docs/fleet.md"); err != nil || !strings.Contains(string(doc), "```text\n"+string(acl)+"```") {
		t.Errorf("docs/fleet.md does not show deploy/mosquitto/kiosk.acl as it is (%v)", err)
	}
	users := map[string]string{"LZH-0107": "k7-pw", "electricity": "e-pw", "hall-staff": "s-pw"}
	br := fleettest.StartWith(t, fleettest.Options{Users: users, ACLFile: "../../deploy/mosquitto/kiosk.acl"})
	as := func(user string) fleet.Broker {
		return fleet.Broker{URL: br.URL, Username: user, Password: users[user]}
	}

	var bundles received
	k, err := fleet.Connect(fleet.KioskOptions{Broker: as("LZH-0107"), Kiosk: "LZH-0107", OnBundle: bundles.add})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped})
	waitFor(t, "the kiosk's link", k.Connected)
	// The same user posing as another kiosk: its status goes nowhere.
	impostor := as("LZH-0107")
	impostor.ClientID = "impostor"
	other, err := fleet.Connect(fleet.KioskOptions{Broker: impostor, Kiosk: "LZH-0108"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(fleet.Status{Kiosk: "LZH-0108", State: fleet.Stopped})
	deadline := time.Now().Add(3 * time.Second)
	for !other.Connected() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	other.PublishStatus(fleet.Status{Kiosk: "LZH-0108", State: fleet.Running})
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kiosk's status read by staff", func() bool { return statusOf(t, as("hall-staff"), "LZH-0107").State == fleet.Running })
	if s := statusOf(t, as("hall-staff"), "LZH-0108"); s.Kiosk != "" {
		t.Errorf("a kiosk published another's status: %+v", s)
	}
	// On its own topics, a status and an alarm naming another kiosk: staff hear neither
	// as the other's, and the status kept in place of the kiosk's own is not shown.
	alarms := make(chan fleet.Alarm, 4)
	watched, stopWatch := context.WithCancel(context.Background())
	watching, subscribed := make(chan error, 1), make(chan struct{})
	go func() {
		watching <- fleet.Follow(watched, as("hall-staff"), "", nil, func(a fleet.Alarm) { alarms <- a },
			func(err error) {
				select {
				case <-subscribed:
				default:
					if err == nil {
						close(subscribed)
					}
				}
			})
	}()
	<-subscribed // an alarm is not kept for later
	if err := k.PublishAlarm(fleet.Alarm{Kiosk: "LZH-0108", Device: "printer", OK: false, Detail: "forged"}); err != nil {
		t.Fatal(err)
	}
	if err := k.PublishAlarm(fleet.Alarm{Kiosk: "LZH-0107", Device: "printer", OK: true}); err != nil {
		t.Fatal(err)
	}
	if a := <-alarms; a.Kiosk != "LZH-0107" || a.Detail == "forged" {
		t.Errorf("staff heard an alarm a kiosk published for another: %+v", a)
	}
	stopWatch()
	if err := <-watching; err != nil {
		t.Fatal(err)
	}
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0108", State: fleet.Running}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kiosk's forged status kept", func() bool { return statusOf(t, as("hall-staff"), "LZH-0107").Kiosk == "" })
	if s := statusOf(t, as("hall-staff"), "LZH-0108"); s.Kiosk != "" {
		t.Errorf("a kiosk's status on its own topic passed for another's: %+v", s)
	}

	// Electricity publishes on water's topic and staff on electricity's: neither arrives;
	// electricity on its own, after them, does.
	ctx := context.Background()
	if err := fleet.PublishBundle(ctx, as("electricity"), "", "water", []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if err := fleet.PublishBundle(ctx, as("hall-staff"), "", "electricity", []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if err := fleet.PublishBundle(ctx, as("electricity"), "", "electricity", []byte("signed")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "electricity's bundle at the kiosk", func() bool { return len(bundles.of("electricity")) > 0 })
	if got := append(bundles.of("water"), bundles.of("electricity")...); len(got) != 1 || got[0] != "signed" {
		t.Errorf("the kiosk was given %q", got)
	}

	wrong := as("electricity")
	wrong.Password = "guess"
	if err := fleet.PublishBundle(ctx, wrong, "", "electricity", []byte("x")); err == nil {
		t.Error("a wrong password got in")
	}
	if _, err := fleet.Statuses(ctx, fleet.Broker{URL: br.URL}, "", 100*time.Millisecond); err == nil {
		t.Error("no user got in")
	}
}

// Over TLS the broker is trusted under the CA file configured (fleet.ca_file), and not
// without it: the system's authorities did not issue the city's certificate.
func TestOverTLS(t *testing.T) {
	br := fleettest.StartWith(t, fleettest.Options{TLS: true})
	b, err := fleet.BrokerOf(config.Fleet{Broker: br.URL, CAFile: br.CAFile}, "LZH-0107")
	if err != nil {
		t.Fatal(err)
	}
	k, err := fleet.Connect(fleet.KioskOptions{Broker: b, Kiosk: "LZH-0107"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped})
	waitFor(t, "the link over TLS", k.Connected)
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running}); err != nil {
		t.Fatal(err)
	}
	b.ClientID = ""
	waitFor(t, "the status read over TLS", func() bool { return statusOf(t, b, "LZH-0107").State == fleet.Running })
	_, err = fleet.Statuses(context.Background(), fleet.Broker{URL: br.URL}, "", 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the city's CA: %v", err)
	}
	for _, f := range []config.Fleet{
		{Broker: br.URL, CAFile: filepath.Join(t.TempDir(), "none.pem")},
		{Broker: br.URL, CAFile: "fleet_test.go"},
	} {
		if _, err := fleet.BrokerOf(f, "K1"); err == nil || !strings.Contains(err.Error(), "ca_file") {
			t.Errorf("BrokerOf with ca_file %s: %v", f.CAFile, err)
		}
	}
}

// The password file is read as a secret: its one line, never a file others may read.
func TestBrokerOfPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	for _, tc := range []struct {
		path string
		want string // the password, or a part of the error
		ok   bool
	}{
		{write("good", "s3cret-pw\n", 0o600), "s3cret-pw", true},
		{write("open", "s3cret-pw\n", 0o644), "is open to other users (mode -rw-r--r--)", false},
		{write("empty", " \n", 0o600), "is empty", false},
		{filepath.Join(dir, "none"), "no such file", false},
	} {
		b, err := fleet.BrokerOf(config.Fleet{Broker: "mqtts://mqtt.example.cn:8883", Username: "K1", PasswordFile: tc.path}, "K1")
		switch {
		case tc.ok && (err != nil || b.Password != tc.want || b.Username != "K1"):
			t.Errorf("%s: %q %v", tc.path, b.Password, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
}

// runningKiosk is kiosk LZH-0107 linked to the broker, its status "running" published;
// it closes when the test ends.
func runningKiosk(t *testing.T, b fleet.Broker) *fleet.Kiosk {
	t.Helper()
	k, err := fleet.Connect(fleet.KioskOptions{Broker: b, Kiosk: "LZH-0107"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close(fleet.Status{}) })
	waitFor(t, "the kiosk's link", k.Connected)
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Running}); err != nil {
		t.Fatal(err)
	}
	return k
}

// A watch whose broker goes away ends with an error, rather than wait for ever with
// nothing to hear.
func TestWatchEndsWhenTheBrokerGoes(t *testing.T) {
	br := fleettest.Start(t)
	b := fleet.Broker{URL: br.URL}
	runningKiosk(t, b)
	heard := make(chan struct{}, 8)
	ended := make(chan error, 1)
	go func() {
		ended <- fleet.Watch(context.Background(), b, "", func(fleet.Status) { heard <- struct{}{} }, nil)
	}()
	<-heard
	br.Stop()
	select {
	case err := <-ended:
		if !errors.Is(err, fleet.ErrConnectionLost) {
			t.Fatalf("the watch ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the watch did not end with its broker gone")
	}
}

// A long watch connects again when its broker comes back, and hears what the kiosks
// say from then on; only a first connection that fails ends it.
func TestFollowConnectsAgain(t *testing.T) {
	if err := fleet.Follow(context.Background(), fleet.Broker{URL: "mqtt://127.0.0.1:1"}, "", nil, nil, nil); err == nil ||
		!strings.Contains(err.Error(), "fleet: connect to mqtt://127.0.0.1:1") {
		t.Fatalf("following no broker: %v", err)
	}

	br := fleettest.Start(t)
	b := fleet.Broker{URL: br.URL}
	k := runningKiosk(t, b)
	states := make(chan fleet.State, 64)
	links := make(chan error, 64)
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() {
		ended <- fleet.Follow(ctx, b, "", func(s fleet.Status) { states <- s.State }, nil, func(err error) { links <- err })
	}()
	link := func(want string) {
		t.Helper()
		select {
		case err := <-links:
			if (err == nil) != (want == "") || err != nil && !strings.Contains(err.Error(), want) {
				t.Fatalf("the link says %v, want %q", err, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("the link said nothing, want %q", want)
		}
	}
	heard := func(want fleet.State) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case s := <-states:
				if s == want {
					return
				}
			case <-deadline:
				t.Fatalf("the watch did not hear %s", want)
			}
		}
	}
	link("")
	heard(fleet.Running)

	br.Stop()
	link("fleet: connection to the broker lost")
	link("fleet: connect to " + br.URL) // the try a second later: the broker is down still
	br.Restart()
	for err := range links {
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "fleet: connect to ") {
			t.Fatalf("a failed try says %v", err)
		}
	}
	waitFor(t, "the kiosk's link again", k.Connected)
	if err := k.PublishStatus(fleet.Status{Kiosk: "LZH-0107", State: fleet.Stopped}); err != nil {
		t.Fatal(err)
	}
	heard(fleet.Stopped)

	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("the watch ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the watch did not end with its context")
	}
}

// Statuses listens for its time once subscribed, however long connecting took: over a
// link that takes longer to connect than the time to listen, the kept status is read.
func TestStatusesOverASlowLink(t *testing.T) {
	br := fleettest.Start(t)
	runningKiosk(t, fleet.Broker{URL: br.URL})
	waitFor(t, "the status kept", func() bool { return statusOf(t, fleet.Broker{URL: br.URL}, "LZH-0107").State == fleet.Running })
	slow := newRelay(t, br.URL[len("mqtt://"):])
	slow.mu.Lock()
	slow.delay = 600 * time.Millisecond
	slow.mu.Unlock()
	all, err := fleet.Statuses(context.Background(), fleet.Broker{URL: "mqtt://" + slow.addr}, "", 300*time.Millisecond)
	if err != nil || all["LZH-0107"].State != fleet.Running {
		t.Fatalf("over a slow link: %v, %v", all, err)
	}
}
