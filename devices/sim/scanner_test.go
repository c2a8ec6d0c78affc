package sim

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The emulated scanner sends each code with its suffix, exactly.
func TestScannerBytes(t *testing.T) {
	for _, tc := range []struct {
		suffix []byte
		want   string
	}{
		{nil, "A1\r\n"},
		{[]byte("\t"), "A1\t"},
		{[]byte{}, "A1"},
	} {
		s, err := StartScanner(ScannerOptions{Link: filepath.Join(t.TempDir(), "ttyQR"), Suffix: tc.suffix})
		if err != nil {
			t.Fatal(err)
		}
		h := openHost(t, s.Path())
		if err := s.Scan("A1"); err != nil {
			t.Fatal(err)
		}
		if got := h.exchange(nil, len(tc.want)); !bytes.Equal(got, []byte(tc.want)) {
			t.Errorf("suffix %q: got %q, want %q", tc.suffix, got, tc.want)
		}
		link := s.Path()
		s.Unplug()
		if _, err := os.Lstat(link); !os.IsNotExist(err) || !errors.Is(s.Scan("x"), ErrUnplugged) {
			t.Errorf("unplugged: link %v", err)
		}
		if err := s.Replug(); err != nil || s.Path() != link {
			t.Errorf("replug: %v, %s", err, s.Path())
		}
		s.Close()
		if s.Replug() == nil {
			t.Error("replugged a closed scanner")
		}
	}
}
