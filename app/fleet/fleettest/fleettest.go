// Package fleettest starts a real MQTT broker (mosquitto, from Debian's package) on a
// loopback port for a test: the kiosk's fleet link is tested against the broker cities
// run, not a fake.
package fleettest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Broker is a mosquitto started for a test.
type Broker struct {
	// URL is mqtt://127.0.0.1:PORT.
	URL string
	// Port is its port; cmd the process (Stop ends it, as a broker that goes down).
	Port int
	cmd  *exec.Cmd
	dir  string
	tb   testing.TB
	// auth is the configuration's lines that ask for users and apply an ACL.
	auth string
}

// Options make a broker that lets in only its users, each under an ACL.
type Options struct {
	// Users are the user names and their passwords.
	Users map[string]string
	// ACLFile is a mosquitto acl_file.
	ACLFile string
}

// Start starts mosquitto on a free loopback port, open to anyone, stopped when tb ends.
// It skips tb where mosquitto is not installed (scripts/test.sh installs it).
func Start(tb testing.TB) *Broker {
	tb.Helper()
	return StartWith(tb, Options{})
}

// StartWith is Start with users and an ACL, if o gives them.
func StartWith(tb testing.TB, o Options) *Broker {
	tb.Helper()
	if _, err := exec.LookPath("mosquitto"); err != nil {
		if _, err := os.Stat("/usr/sbin/mosquitto"); err != nil {
			tb.Skip("mosquitto is not installed (scripts/test.sh installs it)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	b := &Broker{URL: fmt.Sprintf("mqtt://127.0.0.1:%d", port), Port: port, dir: tb.TempDir(), tb: tb, auth: "allow_anonymous true\n"}
	if len(o.Users) > 0 {
		passwd := filepath.Join(b.dir, "passwd")
		if err := os.WriteFile(passwd, nil, 0o600); err != nil {
			tb.Fatal(err)
		}
		for user, pw := range o.Users {
			if out, err := exec.Command("mosquitto_passwd", "-b", passwd, user, pw).CombinedOutput(); err != nil {
				tb.Fatalf("mosquitto_passwd %s: %v\n%s", user, err, out)
			}
		}
		b.auth = "allow_anonymous false\npassword_file " + passwd + "\n"
	}
	if o.ACLFile != "" {
		abs, err := filepath.Abs(o.ACLFile)
		if err != nil {
			tb.Fatal(err)
		}
		b.auth += "acl_file " + abs + "\n"
	}
	b.start()
	tb.Cleanup(b.Stop)
	return b
}

// start runs mosquitto on b's port, keeping its retained messages in b's folder, and
// waits until it takes connections.
func (b *Broker) start() {
	tb := b.tb
	tb.Helper()
	conf := filepath.Join(b.dir, "mosquitto.conf")
	text := fmt.Sprintf("listener %d 127.0.0.1\n%spersistence true\npersistence_location %s/\nautosave_interval 1\n", b.Port, b.auth, b.dir)
	if u, err := user.Current(); err == nil && os.Geteuid() == 0 {
		// Started by root, mosquitto becomes the user "mosquitto", who cannot read the
		// test's folder: it stays who started it.
		text += "user " + u.Username + "\n"
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	path, err := exec.LookPath("mosquitto")
	if err != nil {
		path = "/usr/sbin/mosquitto"
	}
	b.cmd = exec.Command(path, "-c", conf)
	b.cmd.Stdout, b.cmd.Stderr = nil, nil
	if err := b.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mosquitto did not listen on %d within 10 s: %v", b.Port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the broker, as one that goes down; it keeps its retained messages for Restart.
func (b *Broker) Stop() {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		<-done
	}
	b.cmd = nil
}

// Restart starts the broker again on the same port, with what it kept.
func (b *Broker) Restart() {
	b.tb.Helper()
	b.Stop()
	b.start()
}
