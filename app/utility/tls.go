package utility

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/liangzihu/kiosk/app/smallfile"
)

// LoadCAs reads the certificate authorities a utility's API is trusted under
// (utilities.*.ca_file): PEM certificates, one or more. With them the kiosk trusts that
// API's certificate only when one of them issued it, not the system's authorities: a
// utility's own CA on a private network, and a bound on where its calls may go should
// anything else (a bundle's endpoint) point them elsewhere. Empty path: nil, the
// system's authorities.
func LoadCAs(path, utilityID string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	pool, err := ReadCAs(path)
	if err != nil {
		return nil, fmt.Errorf("utility %s: %w", utilityID, err)
	}
	return pool, nil
}

// maxCAFile bounds a ca_file: the whole Mozilla bundle is about 220 KiB.
const maxCAFile = 4 << 20

// ReadCAs reads a ca_file: PEM certificates, one or more; an error names the file and
// the certificate it could not read.
func ReadCAs(path string) (*x509.CertPool, error) {
	data, err := smallfile.Read(path, maxCAFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ca_file %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("ca_file %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	return pool, nil
}
