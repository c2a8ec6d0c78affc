package bundle

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example key of RFC 8410 (section 10.3), as `openssl genpkey -algorithm ed25519`
// writes one, and its public key (section 10.1) as the configuration holds it.
const (
	rfc8410Private = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
`
	rfc8410Public = "ed25519:Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="
)

func TestKeysRoundTrip(t *testing.T) {
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := EncodePublicKey(pub)
	if !strings.HasPrefix(s, "ed25519:") || len(s) != len("ed25519:")+44 {
		t.Fatalf("public key %q", s)
	}
	got, err := ParsePublicKey("  " + s + "\n")
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParsePublicKey: %v, %v", got, err)
	}
	pemBytes, err := MarshalPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pemBytes, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("PEM:\n%s", pemBytes)
	}
	back, err := ParsePrivateKey(pemBytes)
	if err != nil || !back.Equal(priv) {
		t.Fatalf("ParsePrivateKey: %v", err)
	}
}

// A key made by openssl reads, and gives the public key openssl gives.
func TestOpenSSLKey(t *testing.T) {
	priv, err := ParsePrivateKey([]byte(rfc8410Private))
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodePublicKey(priv.Public().(ed25519.PublicKey)); got != rfc8410Public {
		t.Errorf("public key %s, want %s", got, rfc8410Public)
	}
	// And MarshalPrivateKey writes what openssl writes.
	if b, err := MarshalPrivateKey(priv); err != nil || string(b) != rfc8410Private {
		t.Errorf("MarshalPrivateKey: %v\n%s", err, b)
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `bundle: a public key starts with "ed25519:"`},
		{"Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", `starts with "ed25519:"`},
		{"ED25519:Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", `starts with "ed25519:"`},
		{"ed25519: Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", "not standard base64"},
		{"ed25519:Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE", "not standard base64"},
		{"ed25519:Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE_", "not standard base64"},
		{"ed25519:", "the public key is 0 bytes, an ed25519 public key is 32"},
		{"ed25519:MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", "the public key is 44 bytes"},
	} {
		_, err := ParsePublicKey(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bundle: ") {
			t.Errorf("%q: %v, want …%s…", tc.in, err, tc.want)
		}
	}
}

func TestParsePrivateKeyRefuses(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	block := func(typ string, der []byte, headers map[string]string) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der, Headers: headers}))
	}
	good, _ := pem.Decode([]byte(rfc8410Private))
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "no PEM block"},
		{"the public key", rfc8410Public, "no PEM block"},
		{"a public key block", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n", `a PEM block "PUBLIC KEY", not "PRIVATE KEY"`},
		{"encrypted", block("ENCRYPTED PRIVATE KEY", good.Bytes, nil), "the private key is encrypted"},
		{"encrypted the old way", block("PRIVATE KEY", good.Bytes, map[string]string{"Proc-Type": "4,ENCRYPTED"}), "the private key is encrypted"},
		{"an ECDSA key", block("PRIVATE KEY", ecDER, nil), "the private key is *ecdsa.PrivateKey, not ed25519"},
		{"not DER", block("PRIVATE KEY", []byte("hello"), nil), "bundle: the PEM block holds no PKCS #8 private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKey([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%v, want …%s…", err, tc.want)
			}
		})
	}
	if _, err := MarshalPrivateKey(make([]byte, 32)); err == nil || !strings.Contains(err.Error(), "the private key is 32 bytes") {
		t.Errorf("MarshalPrivateKey of a seed: %v", err)
	}
}

// ReadPrivateKey takes a key only from a file its owner alone may read.
func TestReadPrivateKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		return path
	}
	path := write("ok.pem", rfc8410Private, 0o600)
	priv, err := ReadPrivateKey(path)
	if err != nil || EncodePublicKey(priv.Public().(ed25519.PublicKey)) != rfc8410Public {
		t.Fatalf("%v", err)
	}
	if _, err := ReadPrivateKey(write("ro.pem", rfc8410Private, 0o400)); err != nil {
		t.Fatalf("read-only to its owner: %v", err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"group may read", write("group.pem", rfc8410Private, 0o640), "group.pem is open to other users (mode -rw-r-----); run chmod 600 on it"},
		{"others may read", write("others.pem", rfc8410Private, 0o604), "run chmod 600 on it"},
		{"group may write", write("gw.pem", rfc8410Private, 0o620), "run chmod 600 on it"},
		{"missing", filepath.Join(dir, "none.pem"), filepath.Join(dir, "none.pem") + ": no such file or directory"},
		{"a folder", dir, "is not a file"},
		{"not a key", write("text.pem", "hello\n", 0o600), "bundle: private key file " + filepath.Join(dir, "text.pem") + ": no PEM block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPrivateKey(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want …%s…", err, tc.want)
			}
		})
	}
}
