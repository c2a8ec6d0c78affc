package staff

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// endlessCopy is a kiosk whose database copy never ends while its reader reads: what a
// copy held open by a client that stopped reading looks like to the server.
type endlessCopy struct {
	Service
	ended chan error
}

// Kiosk is a kiosk whose staff have no 工号 of their own: any actor is taken.
func (e *endlessCopy) Kiosk(context.Context) (Identity, error) { return Identity{}, nil }

func (e *endlessCopy) Backup(_ context.Context, w io.Writer, _ string) (int64, error) {
	chunk := make([]byte, 64<<10)
	var n int64
	for {
		m, err := w.Write(chunk)
		n += int64(m)
		if err != nil {
			e.ended <- err
			return n, err
		}
	}
}

// A client of the socket that sends part of a request and stops, keeps a connection
// open and idle, or stops reading a database copy, does not hold its connection (and
// the copy's read transaction) for ever. The limits are short here; the kiosk's are
// seconds.
func TestSocketLimits(t *testing.T) {
	lim := limits{header: 200 * time.Millisecond, read: 200 * time.Millisecond, idle: 200 * time.Millisecond, stall: 200 * time.Millisecond}
	for _, tc := range []struct {
		name, send string
	}{
		{"nothing sent", ""},
		{"half a header", "POST /v1/restart HTTP/1.1\r\nHost: kiosk\r\n"},
		{"half a body", "POST /v1/restart HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 100\r\n\r\n{\"actor\":"},
		{"idle after a request", "GET /v1/nothing HTTP/1.1\r\nHost: kiosk\r\n\r\n"},
		{"a copy not read", "POST /v1/backup HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 17\r\n\r\n{\"actor\":\"s-7\"}\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), SocketName)
			l, err := Listen(path)
			if err != nil {
				t.Fatal(err)
			}
			copying := &endlessCopy{ended: make(chan error, 1)}
			srv := server(copying, slog.New(slog.DiscardHandler), lim)
			go srv.Serve(l) //nolint:errcheck // closed below
			defer srv.Close()
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.name == "a copy not read" {
				// The guard only ends a test that would hang: the server cuts the copy
				// well before it.
				select {
				case err := <-copying.ended:
					if err == nil {
						t.Fatal("the copy ended without an error")
					}
				case <-time.After(20 * time.Second):
					t.Fatal("a copy nobody reads is still being written")
				}
				return
			}
			// The server answers what it can, then closes the connection; a read that
			// would wait for ever is ended by the guard's deadline.
			c.SetReadDeadline(time.Now().Add(20 * time.Second)) //nolint:errcheck // a failure shows as a hang
			_, err = io.Copy(io.Discard, bufio.NewReader(c))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept the connection open")
			}
		})
	}
}
