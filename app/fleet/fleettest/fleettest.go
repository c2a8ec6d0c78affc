// Package fleettest starts a real MQTT broker (mosquitto, from Debian's package) on a
// loopback port for a test: the kiosk's fleet link is tested against the broker cities
// run, not a fake.
package fleettest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
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
	// CAFile is the certificate authority of a TLS broker's certificate (PEM).
	CAFile string
	// auth is the configuration's lines that ask for users, apply an ACL, speak TLS.
	auth string
}

// Options make a broker that lets in only its users, each under an ACL, or only over TLS.
type Options struct {
	// Users are the user names and their passwords.
	Users map[string]string
	// ACLFile is a mosquitto acl_file.
	ACLFile string
	// TLS has the broker speak MQTT over TLS only (URL mqtts://), with a certificate for
	// 127.0.0.1 from a certificate authority of the test's (CAFile).
	TLS bool
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
	if o.TLS {
		b.URL = fmt.Sprintf("mqtts://127.0.0.1:%d", port)
		b.CAFile = filepath.Join(b.dir, "ca.pem")
		cert, key := filepath.Join(b.dir, "broker.pem"), filepath.Join(b.dir, "broker.key")
		writeCerts(tb, b.CAFile, cert, key)
		b.auth += fmt.Sprintf("cafile %s\ncertfile %s\nkeyfile %s\n", b.CAFile, cert, key)
	}
	b.start()
	tb.Cleanup(b.Stop)
	return b
}

// writeCerts makes a certificate authority (written to caPath) and a certificate it
// issued for 127.0.0.1 (certPath, with its key at keyPath), valid for a day.
func writeCerts(tb testing.TB, caPath, certPath, keyPath string) {
	tb.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fleettest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	for path, block := range map[string]*pem.Block{caPath: {Type: "CERTIFICATE", Bytes: caDER},
		certPath: {Type: "CERTIFICATE", Bytes: leafDER}, keyPath: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
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
