// Package fleet links kiosks to their city's MQTT broker (mosquitto, an EMQX cluster):
// each kiosk publishes its status, kept by the broker (retained), and an alarm when a
// device's state changes; utilities publish their signed content bundles, kept too, and
// every kiosk takes the latest on connecting. The broker is the existing piece of the
// city's infrastructure DESIGN.md names; this package only speaks to it (through the
// Eclipse Paho client, which reconnects and resubscribes on its own).
//
// Topics, under a prefix (default "kiosk"):
//
//	<prefix>/status/<kiosk>    retained: Status; the broker publishes "offline" when the kiosk's connection drops
//	<prefix>/alarms/<kiosk>    an Alarm each time a device's state changes
//	<prefix>/bundles/<utility> retained: the utility's latest bundle (app/bundle's envelope)
//
// A kiosk publishes at QoS 0: a status lost with a connection is followed by the next
// (on reconnecting, on every change, and every few minutes), and the status is the
// record, an alarm only the notice. (Paho resends a kiosk's unacknowledged QoS 1
// messages on reconnecting while the client may be sending them: a data race in the
// client, eclipse-paho/paho.mqtt.golang#703.) Bundles are published, and taken, at QoS 1.
package fleet

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/liangzihu/kiosk/app/bundle"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/utility"
)

// DefaultPrefix is the topics' prefix when none is configured.
const DefaultPrefix = "kiosk"

// ErrConnectionLost is what Watch ends with when its connection to the broker drops
// after it was made, for a caller that watches on to connect again.
var ErrConnectionLost = errors.New("fleet: connection to the broker lost")

// StatusTopic, AlarmTopic and BundleTopic name the topics under prefix.
func StatusTopic(prefix, kiosk string) string   { return prefix + "/status/" + kiosk }
func AlarmTopic(prefix, kiosk string) string    { return prefix + "/alarms/" + kiosk }
func BundleTopic(prefix, utility string) string { return prefix + "/bundles/" + utility }

// State is how a kiosk is, as its status says.
type State string

const (
	// Running: the kiosk serves citizens.
	Running State = "running"
	// Stopped: it stopped cleanly (staff, a shutdown).
	Stopped State = "stopped"
	// Offline: its connection to the broker dropped without a stop (a crash, a power
	// cut, the network); the broker publishes it for the kiosk (its will).
	Offline State = "offline"
)

// Status is what a kiosk publishes of itself. It holds no personal data.
type Status struct {
	Kiosk string `json:"kiosk"`
	State State  `json:"state"`
	// Time is when it was published; zero in the broker's "offline" (published for the
	// kiosk when the connection dropped, at a time the kiosk cannot know).
	Time time.Time `json:"time,omitzero"`
	// Hall names the kiosk's hall, for people reading a list of kiosks.
	Hall string `json:"hall,omitempty"`
	// Release is the kiosk program's revision: the commit it was built from.
	Release string `json:"release,omitempty"`
	// Bundles are the versions of the utilities' bundles shown, and Held those held to
	// take effect later.
	Bundles map[string]uint64 `json:"bundles,omitempty"`
	Held    map[string]uint64 `json:"held,omitempty"`
	// Report is the kiosk's status as staff see it on the kiosk (app/staff's Status:
	// devices, requests waiting, receipts to reprint …).
	Report json.RawMessage `json:"report,omitempty"`
}

// Alarm is a device's change of state.
type Alarm struct {
	Kiosk  string    `json:"kiosk"`
	Time   time.Time `json:"time"`
	Device string    `json:"device"` // idcard, printer, scanner
	// OK is false when the device cannot be used; Detail says why, or what staff should
	// do although it works (the printer's paper runs low).
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Broker says how to reach the broker.
type Broker struct {
	// URL is mqtts://host:port (TLS) or mqtt://host:port.
	URL string
	// Username and Password, if the broker asks for them.
	Username, Password string
	// TLS is the TLS configuration for mqtts (nil: the system's roots).
	TLS *tls.Config
	// ClientID is the client's ID on the broker: the kiosk's ID for a kiosk.
	ClientID string
}

// Timeout bounds a connection attempt, a publication and a subscription.
const Timeout = 10 * time.Second

// options are the Paho options every client of the package uses.
func (b Broker) options() (*mqtt.ClientOptions, error) {
	u, err := url.Parse(b.URL)
	if err != nil || u.Host == "" || (u.Scheme != "mqtt" && u.Scheme != "mqtts") {
		return nil, fmt.Errorf("fleet: %q is not mqtts://host:port or mqtt://host:port", b.URL)
	}
	o := mqtt.NewClientOptions().AddBroker(b.URL).SetClientID(b.ClientID).
		SetConnectTimeout(Timeout).SetWriteTimeout(Timeout).SetKeepAlive(30 * time.Second).
		SetOrderMatters(false)
	if b.Username != "" {
		o.SetUsername(b.Username).SetPassword(b.Password)
	}
	if u.Scheme == "mqtts" {
		cfg := b.TLS
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		o.SetTLSConfig(cfg)
	}
	return o, nil
}

// wait waits for t, at most Timeout.
func wait(t mqtt.Token, what string) error {
	if !t.WaitTimeout(Timeout) {
		return fmt.Errorf("fleet: %s: no answer from the broker within %s", what, Timeout)
	}
	if err := t.Error(); err != nil {
		return fmt.Errorf("fleet: %s: %w", what, err)
	}
	return nil
}

// KioskOptions configure a kiosk's link.
type KioskOptions struct {
	Broker Broker
	// Kiosk is the kiosk's ID, in its topics.
	Kiosk string
	// Prefix begins the topics (DefaultPrefix if empty).
	Prefix string
	// OnBundle is called with each message of the bundle topics, retained ones included
	// (each connection brings the latest again): the utility its topic names, and the
	// bundle. It runs on a goroutine of its own, never after Close.
	OnBundle func(utility string, data []byte)
	// OnConnect, if set, runs after each connection (the first and every reconnection),
	// when the status should be published again; never after Close.
	OnConnect func()
	Logger    *slog.Logger
}

// Kiosk is a kiosk's link to the broker.
type Kiosk struct {
	o        KioskOptions
	client   mqtt.Client
	mu       sync.Mutex
	closed   bool
	handlers handlers
}

// Connect starts a kiosk's link: it connects in the background, and keeps trying and
// reconnecting while the kiosk runs (a broker down must not hold a kiosk up). The error is
// for options that can never work.
func Connect(o KioskOptions) (*Kiosk, error) {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Kiosk == "" || strings.ContainsAny(o.Kiosk, "/+#") {
		return nil, fmt.Errorf("fleet: %q cannot name a kiosk's topics", o.Kiosk)
	}
	if o.Broker.ClientID == "" {
		o.Broker.ClientID = o.Kiosk
	}
	opts, err := o.Broker.options()
	if err != nil {
		return nil, err
	}
	k := &Kiosk{o: o}
	will, err := json.Marshal(Status{Kiosk: o.Kiosk, State: Offline})
	if err != nil {
		return nil, err
	}
	opts.SetBinaryWill(StatusTopic(o.Prefix, o.Kiosk), will, 1, true).
		SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(5 * time.Second).
		SetMaxReconnectInterval(time.Minute).
		SetOnConnectHandler(k.connected).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			o.Logger.Warn("fleet: connection to the broker lost; reconnecting", "broker", o.Broker.URL, "err", err)
		})
	k.client = mqtt.NewClient(opts)
	k.client.Connect() // with ConnectRetry, it keeps trying in the background
	return k, nil
}

// connected subscribes to the bundle topics (again: the session is clean) and lets the
// kiosk publish its status.
func (k *Kiosk) connected(c mqtt.Client) {
	k.o.Logger.Info("fleet: connected to the broker", "broker", k.o.Broker.URL)
	if k.o.OnBundle != nil {
		t := c.Subscribe(BundleTopic(k.o.Prefix, "+"), 1, func(_ mqtt.Client, m mqtt.Message) {
			k.bundleMessage(m.Topic(), m.Payload())
		})
		go func() {
			if err := wait(t, "subscribe to the bundles"); err != nil {
				k.o.Logger.Error("fleet: bundles from the broker are not taken", "err", err)
			}
		}()
	}
	if k.o.OnConnect != nil {
		go k.handlers.run(k.o.OnConnect)
	}
}

// bundleMessage hands a message of the bundle topics to OnBundle, unless it cannot be a
// utility's bundle: larger than bundle.MaxSize (the broker's max_packet_size should have
// refused it, docs/fleet.md; Paho has read it whole by now, but it is not parsed, kept or
// journaled), or on a topic that names no utility. The topic goes into the journal as
// who delivered the bundle, and to staff's screen and kioskctl from there: one the
// city's ACL let through (a broker without it) could be 64 KiB of anything, terminal
// escapes included.
func (k *Kiosk) bundleMessage(topic string, payload []byte) {
	utility, ok := strings.CutPrefix(topic, BundleTopic(k.o.Prefix, ""))
	if !ok || !bundle.IsUtilityID(utility) {
		k.o.Logger.Warn("fleet: a message on a topic that names no utility; passed over", "topic", clipTopic(topic))
		return
	}
	if len(payload) > bundle.MaxSize {
		k.o.Logger.Warn("fleet: a message larger than a bundle can be; passed over (set the broker's max_packet_size, docs/fleet.md)",
			"topic", topic, "bytes", len(payload))
		return
	}
	k.handlers.run(func() { k.o.OnBundle(utility, payload) })
}

// clipTopic is topic as logged: at most 80 bytes, quoted where it must be.
func clipTopic(topic string) string {
	const most = 80
	if len(topic) > most {
		topic = strings.ToValidUTF8(topic[:most], "") + "…"
	}
	return strconv.Quote(topic)
}

// Connected reports whether the link is up now.
func (k *Kiosk) Connected() bool { return k.client.IsConnectionOpen() }

// PublishStatus publishes s as the kiosk's status (retained). While the link is down it
// fails at once: the next status after the reconnection says what holds then.
func (k *Kiosk) PublishStatus(s Status) error {
	return k.publish(StatusTopic(k.o.Prefix, k.o.Kiosk), true, s, "publish the status")
}

// PublishAlarm publishes a device's change of state.
func (k *Kiosk) PublishAlarm(a Alarm) error {
	return k.publish(AlarmTopic(k.o.Prefix, k.o.Kiosk), false, a, "publish an alarm")
}

// ErrNotConnected means the link is down: nothing was published.
var ErrNotConnected = errors.New("fleet: not connected to the broker")

func (k *Kiosk) publish(topic string, retained bool, v any, what string) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	k.mu.Lock()
	closed := k.closed
	k.mu.Unlock()
	if closed || !k.client.IsConnectionOpen() {
		return ErrNotConnected
	}
	return wait(k.client.Publish(topic, 0, retained, data), what)
}

// Close waits for the callbacks under way (no more are called), publishes last, the
// kiosk's final status (Stopped), if the link is up, and disconnects: the broker then
// keeps that status, not "offline".
func (k *Kiosk) Close(last Status) {
	k.handlers.end()
	if err := k.PublishStatus(last); err != nil && !errors.Is(err, ErrNotConnected) {
		k.o.Logger.Warn("fleet: the final status was not published", "err", err)
	}
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.client.Disconnect(250)
}

// PublishBundle publishes a utility's bundle on its topic, retained: each kiosk takes it
// now, or when it next connects. It replaces the utility's bundle the broker kept.
func PublishBundle(ctx context.Context, b Broker, prefix, utility string, data []byte) error {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return session(b, func(c mqtt.Client, _ <-chan error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return wait(c.Publish(BundleTopic(prefix, utility), 1, true, data), "publish the bundle")
	})
}

// Statuses reads the statuses the broker keeps for the kiosks under prefix, by kiosk: it
// listens for the time given from the moment it is subscribed (the broker sends the kept
// ones at once then), however long connecting took (a slow link once used the time up
// before the first status came, and read none).
func Statuses(ctx context.Context, b Broker, prefix string, listen time.Duration) (map[string]Status, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	out := map[string]Status{}
	var heard *time.Timer
	err := watch(ctx, b, prefix, func(s Status) {
		mu.Lock()
		defer mu.Unlock()
		out[s.Kiosk] = s
	}, nil, func() { heard = time.AfterFunc(listen, cancel) })
	if heard != nil {
		heard.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	return out, err
}

// Watch hands the kiosks' statuses (those the broker keeps first) to onStatus and their
// alarms to onAlarm (either may be nil), as they come, until ctx ends or the connection
// is lost (ErrConnectionLost; Follow connects again); a message that is not a kiosk's
// status or alarm is passed over. Neither is called once Watch returned. The error is
// the broker's, not ctx's.
func Watch(ctx context.Context, b Broker, prefix string, onStatus func(Status), onAlarm func(Alarm)) error {
	return watch(ctx, b, prefix, onStatus, onAlarm, func() {})
}

// Follow is Watch for a watch of hours: when the connection is lost, or a new one
// fails, it connects again after a pause that grows from a second to half a minute,
// until ctx ends. onLink (if set) hears of each: nil once connected (every time, the
// first too), the error when the connection is lost or a new one fails. Only the first
// connection's failure ends it: a wrong broker or password is said at once. The broker
// hands over the statuses it keeps again at each connection.
func Follow(ctx context.Context, b Broker, prefix string, onStatus func(Status), onAlarm func(Alarm), onLink func(error)) error {
	if onLink == nil {
		onLink = func(error) {}
	}
	const first, longest = time.Second, 30 * time.Second
	pause, ever := first, false
	for {
		err := watch(ctx, b, prefix, onStatus, onAlarm, func() {
			pause, ever = first, true
			onLink(nil)
		})
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if !ever {
			return err
		}
		onLink(err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, longest)
	}
}

// watch is Watch, calling connected once subscribed.
func watch(ctx context.Context, b Broker, prefix string, onStatus func(Status), onAlarm func(Alarm), connected func()) error {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if onStatus != nil {
		onStatus = newest(onStatus)
	}
	var h handlers
	defer h.end()
	return session(b, func(c mqtt.Client, lost <-chan error) error {
		err := errors.Join(
			follow(c, StatusTopic(prefix, "+"), "statuses", &h, func(s Status, kiosk string) bool { return s.Kiosk == kiosk }, onStatus),
			follow(c, AlarmTopic(prefix, "+"), "alarms", &h, func(a Alarm, kiosk string) bool { return a.Kiosk == kiosk }, onAlarm))
		if err != nil {
			return err
		}
		connected()
		select {
		case <-ctx.Done():
			return nil
		case err := <-lost:
			return fmt.Errorf("%w: %w", ErrConnectionLost, err)
		}
	})
}

// reorderWindow is how far apart two statuses of a kiosk's may be made and still come
// the wrong way round: Paho hands messages to their handlers on goroutines of their
// own (SetOrderMatters(false)), so statuses published a moment apart may be handled in
// either order.
const reorderWindow = 10 * time.Second

// newest hands f a kiosk's statuses in the order the kiosk made them: one older than
// the last handed on, by less than reorderWindow, came late and is passed over (it stood
// as the kiosk's state once: a status without the bundle the next one carried). One
// older by more is the kiosk's clock set back (NTP at boot), and is handed on.
func newest(f func(Status)) func(Status) {
	var mu sync.Mutex
	last := map[string]time.Time{}
	return func(s Status) {
		// f is called under mu, lest a status passed on be overtaken on its way to f.
		mu.Lock()
		defer mu.Unlock()
		if t, ok := last[s.Kiosk]; ok && s.Time.Before(t) && t.Sub(s.Time) < reorderWindow {
			return
		}
		last[s.Kiosk] = s.Time
		f(s)
	}
}

// follow subscribes c to topic, which ends in the wildcard of a kiosk's ID (if f is set),
// and hands f, run by h, each message that decodes as a T that valid takes for the kiosk
// whose topic it came on. The topic says whose it is, not what the message claims: the
// city's ACL lets a kiosk publish on its own topics only, and a status naming another
// kiosk (a kiosk's stolen credentials) would have hidden the publisher and shown the
// other running.
func follow[T any](c mqtt.Client, topic, what string, h *handlers, valid func(v T, kiosk string) bool, f func(T)) error {
	if f == nil {
		return nil
	}
	base := strings.TrimSuffix(topic, "+")
	t := c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		kiosk, ok := strings.CutPrefix(m.Topic(), base)
		var v T
		if ok && kiosk != "" && json.Unmarshal(m.Payload(), &v) == nil && valid(v, kiosk) {
			h.run(func() { f(v) })
		}
	})
	return wait(t, "subscribe to the "+what)
}

// handlers runs a client's message handlers, which Paho calls on goroutines of their
// own, until end, which waits for those under way: none runs after.
type handlers struct {
	mu      sync.Mutex
	running sync.WaitGroup
	over    bool
}

// run runs f unless end was called.
func (h *handlers) run(f func()) {
	h.mu.Lock()
	if h.over {
		h.mu.Unlock()
		return
	}
	h.running.Add(1)
	h.mu.Unlock()
	defer h.running.Done()
	f()
}

// end lets no more handlers run and waits for those under way.
func (h *handlers) end() {
	h.mu.Lock()
	h.over = true
	h.mu.Unlock()
	h.running.Wait()
}

// session connects once, runs f, and disconnects: kioskctl's commands. f is given a
// channel that says why the connection was lost, if it is.
func session(b Broker, f func(c mqtt.Client, lost <-chan error) error) error {
	if b.ClientID == "" {
		b.ClientID = fmt.Sprintf("kioskctl-%d", time.Now().UnixNano())
	}
	opts, err := b.options()
	if err != nil {
		return err
	}
	lost := make(chan error, 1)
	opts.SetAutoReconnect(false).SetConnectionLostHandler(func(_ mqtt.Client, err error) { lost <- err })
	c := mqtt.NewClient(opts)
	if err := wait(c.Connect(), "connect to "+b.URL); err != nil {
		return err
	}
	defer c.Disconnect(250)
	return f(c, lost)
}

// BrokerOf is how to reach the broker configured in f, for the client clientID: the
// password read from f.PasswordFile (which others may not read), the certificate
// authorities from f.CAFile.
func BrokerOf(f config.Fleet, clientID string) (Broker, error) {
	b := Broker{URL: f.Broker, Username: f.Username, ClientID: clientID}
	if f.PasswordFile != "" {
		pw, err := utility.ReadPrivateFile(f.PasswordFile, "password")
		if err != nil {
			return b, fmt.Errorf("fleet: %w", err)
		}
		if b.Password = string(pw); b.Password == "" {
			return b, fmt.Errorf("fleet: password file %s is empty", f.PasswordFile)
		}
	}
	if f.CAFile != "" {
		pool, err := utility.ReadCAs(f.CAFile)
		if err != nil {
			return b, fmt.Errorf("fleet: %w", err)
		}
		b.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return b, nil
}
