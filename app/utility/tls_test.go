package utility

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
)

// pemOf writes the certificate of srv as a PEM file and returns its path.
func pemOf(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// With ca_file the kiosk trusts the utility's API only under those authorities: its
// own CA's certificate is taken (and the system's authorities are not asked), another's
// is not; without it, a private CA's certificate is not taken either.
func TestUtilityCAs(t *testing.T) {
	api := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"not_found","message":"未收到该业务"}}`))
	}
	quiet := log.New(io.Discard, "", 0) // the handshakes refused below, as the servers see them
	utilitySrv := httptest.NewUnstartedServer(http.HandlerFunc(api))
	utilitySrv.Config.ErrorLog = quiet
	utilitySrv.StartTLS()
	defer utilitySrv.Close()
	// httptest's servers share one certificate: the other has one of its own.
	otherSrv := httptest.NewUnstartedServer(http.HandlerFunc(api))
	otherSrv.Config.ErrorLog = quiet
	otherSrv.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	otherSrv.StartTLS()
	defer otherSrv.Close()
	own, err := LoadCAs(pemOf(t, utilitySrv), Gas)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cas  *x509.CertPool
		at   string
		ok   bool
	}{
		{"its own CA", own, utilitySrv.URL, true},
		{"another server, its own CA", own, otherSrv.URL, false},
		{"the system's authorities", nil, utilitySrv.URL, false},
	} {
		c, err := NewHTTP(Options{Utility: Gas, BaseURL: tc.at + "/v1", KioskID: "K", Secret: DemoSecret(Gas), Clock: clock.System(), RootCAs: tc.cas})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Probe(context.Background(), nil)
		c.CloseIdleConnections()
		if tc.ok != (err == nil) || !tc.ok && !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// selfSigned is a certificate for 127.0.0.1 that signs itself.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestLoadCAs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, path, err string }{
		{"missing", filepath.Join(dir, "none.pem"), "utility gas: ca_file: stat "},
		{"a device named by mistake", "/dev/zero", "ca_file: /dev/zero is not a file"},
		{"too long", write("huge.pem", strings.Repeat("A", maxCAFile+1)), "huge.pem: more than 4 MiB"},
		{"not PEM", write("text.pem", "a CA\n"), "holds no PEM certificate"},
		{"a key, no certificate", write("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "holds no PEM certificate"},
		{"a broken certificate", write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "certificate 1: x509: "},
	} {
		if _, err := LoadCAs(tc.path, Gas); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
	if pool, err := LoadCAs("", Gas); pool != nil || err != nil {
		t.Errorf("no file: %v %v", pool, err)
	}
}
