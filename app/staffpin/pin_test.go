package staffpin

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// testPIN and testHash are the PIN of the gates under test and its hash, made at the
// lowest iteration count CheckHash allows so that the tests stay fast. It has 4 digits,
// as PINs hashed before MinNewPIN may: those still open the kiosk.
const testPIN = "2468"

var testHash string

func TestMain(m *testing.M) {
	iterations = minIterations
	h, err := hash(testPIN)
	if err != nil {
		panic(err)
	}
	testHash = h
	os.Exit(m.Run())
}

func TestValidPIN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pin string
		ok  bool
	}{
		{"1234", true},
		{"000000", true},
		{"123456789012", true},
		{"", false},
		{"123", false},
		{"1234567890123", false},
		{"12a4", false},
		{" 1234", false},
		{"1234\n", false},
		{"１２３４", false}, // full-width digits are not ASCII digits
		{"-123", false},
	} {
		err := ValidPIN(tc.pin)
		if (err == nil) != tc.ok {
			t.Errorf("ValidPIN(%q) = %v, want ok %v", tc.pin, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "4 to 12 digits") {
			t.Errorf("ValidPIN(%q): %v does not say what a PIN is", tc.pin, err)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := Hash("90817263")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$100000$") || CheckHash(h) != nil {
		t.Fatalf("hash %q: %v", h, CheckHash(h))
	}
	for _, tc := range []struct {
		pin  string
		want bool
	}{
		{"90817263", true},
		{"90817264", false},
		{"9081726", false},
		{"908172630", false},
		{"", false},
		{"9081726x", false},
	} {
		ok, err := Verify(h, tc.pin)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pin, ok, err, tc.want)
		}
	}
	if again, _ := Hash("90817263"); again == h {
		t.Error("two hashes of one PIN are equal: no random salt")
	}
	if _, err := Hash("12ab"); err == nil || strings.Contains(err.Error(), "12ab") {
		t.Errorf("Hash of an invalid PIN: %v", err)
	}
	// A new PIN has at least MinNewPIN digits; one of 4 hashed before still verifies.
	for _, short := range []string{"2468", "24680"} {
		if _, err := Hash(short); err == nil || !strings.Contains(err.Error(), "a new PIN is 6 to 12 digits") {
			t.Errorf("Hash(%q): %v, want refused as shorter than %d digits", short, err, MinNewPIN)
		}
	}
	if ok, err := Verify(testHash, testPIN); !ok || err != nil {
		t.Errorf("a 4-digit PIN hashed before no longer verifies: %v, %v", ok, err)
	}
	if ok, err := Verify("pbkdf2-sha256$1$x$y", "1234"); ok || err == nil {
		t.Errorf("Verify with a bad hash: %v, %v", ok, err)
	}
}

// DemoHash is DemoPIN's, at DefaultIterations: Verify takes the count from the hash, not
// from what Hash uses now (lowered by TestMain).
func TestDemoHash(t *testing.T) {
	t.Parallel()
	if !strings.HasPrefix(DemoHash, "pbkdf2-sha256$600000$") {
		t.Fatalf("DemoHash is not made at DefaultIterations: %s", DemoHash)
	}
	ok, err := Verify(DemoHash, DemoPIN)
	if err != nil || !ok {
		t.Fatalf("Verify(DemoHash, DemoPIN) = %v, %v", ok, err)
	}
	if ok, _ := Verify(DemoHash, "654321"); ok {
		t.Fatal("DemoHash opens for another PIN")
	}
}

func TestCheckHash(t *testing.T) {
	t.Parallel()
	salt := b64.EncodeToString(bytes.Repeat([]byte{0x5a, 0xc3}, 8))
	key := b64.EncodeToString(bytes.Repeat([]byte{0x17, 0xe4, 0x9b, 0x02}, 8))
	for _, tc := range []struct {
		name, hash, want string
	}{
		{"empty", "", "must start with pbkdf2-sha256$"},
		{"another scheme", "$2a$10$abcdefghijklmnopqrstuv", "must start with pbkdf2-sha256$"},
		{"sha1", "pbkdf2-sha1$600000$" + salt + "$" + key, "must start with pbkdf2-sha256$"},
		{"too few parts", "pbkdf2-sha256$600000$" + salt, "4 parts"},
		{"too many parts", "pbkdf2-sha256$600000$" + salt + "$" + key + "$", "4 parts"},
		{"iterations not a number", "pbkdf2-sha256$6e5$" + salt + "$" + key, "not a whole number"},
		{"iterations too few", "pbkdf2-sha256$99999$" + salt + "$" + key, "99999 is out of range (100000 to 10000000)"},
		{"iterations too many", "pbkdf2-sha256$10000001$" + salt + "$" + key, "out of range"},
		{"salt not base64", "pbkdf2-sha256$600000$!!!!" + salt + "$" + key, "salt is not unpadded base64"},
		{"salt padded", "pbkdf2-sha256$600000$" + salt + "==$" + key, "salt is not unpadded base64"},
		{"salt short", "pbkdf2-sha256$600000$" + b64.EncodeToString(make([]byte, 8)) + "$" + key, "salt is 8 bytes, at least 16"},
		{"key not base64", "pbkdf2-sha256$600000$" + salt + "$" + key + "*", "key is not unpadded base64"},
		{"key short", "pbkdf2-sha256$600000$" + salt + "$" + b64.EncodeToString(make([]byte, 20)), "key is 20 bytes, it must be 32"},
		{"key long", "pbkdf2-sha256$600000$" + salt + "$" + b64.EncodeToString(make([]byte, 64)), "key is 64 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckHash(tc.hash)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckHash = %v, want %q", err, tc.want)
			}
			// The message may name the scheme, never the salt or the key.
			if strings.Contains(err.Error(), salt[:10]) || strings.Contains(err.Error(), key[:10]) {
				t.Errorf("the message repeats the hash: %v", err)
			}
		})
	}
	if err := CheckHash(testHash); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkVerify is one PIN checked at DefaultIterations: the time a try at the screen
// keeps the kiosk busy.
func BenchmarkVerify(b *testing.B) {
	for b.Loop() {
		if ok, err := Verify(DemoHash, DemoPIN); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
