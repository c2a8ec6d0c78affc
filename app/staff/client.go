package staff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/outbox"
	"github.com/liangzihu/kiosk/app/reprint"
)

// ErrNotRunning means no kiosk answers on the socket: it is stopped (or starting).
var ErrNotRunning = errors.New("staff: no kiosk answers on the socket")

// Client is the Service of a running kiosk, through its staff socket.
type Client struct {
	hc *http.Client
}

// Dial connects to the kiosk serving the socket at path and checks that it answers;
// ErrNotRunning when none does, and an error saying so when the socket (or its folder)
// is closed to this account.
func Dial(ctx context.Context, path string) (*Client, error) {
	var d net.Dialer
	c := &Client{hc: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
		ResponseHeaderTimeout: 30 * time.Second,
	}}}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := c.Status(ctx); err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			if errors.Is(op.Err, fs.ErrPermission) {
				// Not a stopped kiosk: one this account may not reach. Its database is
				// no more this account's, so say so rather than try it.
				return nil, fmt.Errorf("staff: the socket %s refuses this account (%v): it is open to the kiosk's user and root, and to the members of staff.socket_group where the configuration names one (docs/deployment.md, Security notes)", path, op.Err)
			}
			return nil, fmt.Errorf("%w (%s): %v", ErrNotRunning, path, op.Err)
		}
		return nil, fmt.Errorf("staff: the kiosk on %s does not answer: %w", path, err)
	}
	return c, nil
}

// do sends a request and decodes a JSON answer into out (nil: none expected).
func (c *Client) do(ctx context.Context, method, path string, body any, out any) error {
	resp, err := c.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("staff: %s %s: %w", method, path, err)
	}
	return nil
}

// send sends a request; an error status becomes the error the kiosk reported.
func (c *Client) send(ctx context.Context, method, path string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://kiosk"+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.check(c.hc.Do(req))
}

// check turns an error answer into the kiosk's error.
func (c *Client) check(resp *http.Response, err error) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	method, path := resp.Request.Method, resp.Request.URL.Path
	defer resp.Body.Close()
	var p problem
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p) != nil || p.Error == "" {
		return nil, fmt.Errorf("staff: %s %s: %s", method, path, resp.Status)
	}
	switch {
	case p.UnknownActor:
		return nil, ErrUnknownActor
	case p.Input:
		return nil, inputError(p.Error)
	case p.CitizenPresent:
		return nil, ErrCitizenPresent
	case p.MaintenanceOpen:
		return nil, maintenanceOpenError(p.Error)
	case p.TooLate:
		return nil, &TooLateError{msg: p.Error, cause: outbox.ErrTooLate}
	case p.NotRetried:
		return nil, notRetriedError(p.Error)
	case resp.StatusCode == http.StatusNotFound:
		return nil, notFoundError(p.Error)
	}
	return nil, errors.New(p.Error)
}

// inputError is the kiosk's ErrInput, its message as the kiosk wrote it.
type inputError string

func (e inputError) Error() string        { return string(e) }
func (e inputError) Is(target error) bool { return target == ErrInput }

// maintenanceOpenError is the kiosk's ErrMaintenanceOpen, its message (who works there,
// since when) as the kiosk wrote it.
type maintenanceOpenError string

func (e maintenanceOpenError) Error() string        { return string(e) }
func (e maintenanceOpenError) Is(target error) bool { return target == ErrMaintenanceOpen }

// notFoundError is the kiosk's outbox.ErrNotFound or reprint.ErrNotFound (the path
// says which), its message as the kiosk wrote it.
type notFoundError string

func (e notFoundError) Error() string { return string(e) }
func (e notFoundError) Is(target error) bool {
	return target == outbox.ErrNotFound || target == reprint.ErrNotFound
}

// Status is the running kiosk's state.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodGet, "/v1/status", nil, &s)
	return s, err
}

// Kiosk is the running kiosk's identity.
func (c *Client) Kiosk(ctx context.Context) (Identity, error) {
	var id Identity
	err := c.do(ctx, http.MethodGet, "/v1/kiosk", nil, &id)
	return id, err
}

// Requests lists the outbox's requests in a state.
func (c *Client) Requests(ctx context.Context, state outbox.State, limit int) ([]Request, error) {
	var out []Request
	q := url.Values{"state": {string(state)}, "limit": {strconv.Itoa(limit)}}
	err := c.do(ctx, http.MethodGet, "/v1/requests?"+q.Encode(), nil, &out)
	return out, err
}

// Retry queues a dead letter again; the running kiosk sends it at once.
func (c *Client) Retry(ctx context.Context, ref, actor string) error {
	return c.do(ctx, http.MethodPost, "/v1/requests/"+url.PathEscape(ref)+"/retry", action{Actor: actor}, nil)
}

// Close closes a dead letter.
func (c *Client) Close(ctx context.Context, ref, actor, reason string) error {
	return c.do(ctx, http.MethodPost, "/v1/requests/"+url.PathEscape(ref)+"/close", action{Actor: actor, Reason: reason}, nil)
}

// Events reads the journal.
func (c *Client) Events(ctx context.Context, q Query) ([]journal.Event, error) {
	v := url.Values{"limit": {strconv.Itoa(q.Limit)}}
	if q.Ref != "" {
		v.Set("ref", q.Ref)
	}
	if q.Since != 0 {
		v.Set("since", q.Since.String())
	}
	var out []journal.Event
	err := c.do(ctx, http.MethodGet, "/v1/journal?"+v.Encode(), nil, &out)
	return out, err
}

// Reprints lists the receipts kept for reprinting.
func (c *Client) Reprints(ctx context.Context) ([]reprint.Entry, error) {
	var out []reprint.Entry
	err := c.do(ctx, http.MethodGet, "/v1/reprints", nil, &out)
	return out, err
}

// Reprint has the running kiosk print a kept receipt again.
func (c *Client) Reprint(ctx context.Context, ref, actor string) (Printed, error) {
	var p Printed
	err := c.do(ctx, http.MethodPost, "/v1/reprints/"+url.PathEscape(ref), action{Actor: actor}, &p)
	return p, err
}

// Backup copies the running kiosk's database to w.
func (c *Client) Backup(ctx context.Context, w io.Writer, actor string) (int64, error) {
	resp, err := c.send(ctx, http.MethodPost, "/v1/backup", action{Actor: actor})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("staff: the copy was cut short after %d bytes: %w", n, err)
	}
	return n, nil
}

// Utilities asks the running kiosk to check each utility's API.
func (c *Client) Utilities(ctx context.Context) ([]Utility, error) {
	var out []Utility
	return out, c.do(ctx, http.MethodGet, "/v1/utilities", nil, &out)
}

// Bundles lists the bundles the kiosk holds.
func (c *Client) Bundles(ctx context.Context) ([]Bundle, error) {
	var out []Bundle
	return out, c.do(ctx, http.MethodGet, "/v1/bundles", nil, &out)
}

// ApplyBundle sends a bundle to the running kiosk.
func (c *Client) ApplyBundle(ctx context.Context, data []byte, actor string) (Bundle, error) {
	var out Bundle
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://kiosk/v1/bundles?actor="+url.QueryEscape(actor), bytes.NewReader(data))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.check(c.hc.Do(req))
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
}

// RollbackBundle rolls a utility's bundle back on the running kiosk.
func (c *Client) RollbackBundle(ctx context.Context, utility, actor string) error {
	return c.do(ctx, http.MethodPost, "/v1/bundles/"+url.PathEscape(utility)+"/rollback", action{Actor: actor}, nil)
}

// DropBundle drops a utility's bundle held for later on the running kiosk.
func (c *Client) DropBundle(ctx context.Context, utility, actor string) (Bundle, error) {
	var out Bundle
	return out, c.do(ctx, http.MethodPost, "/v1/bundles/"+url.PathEscape(utility)+"/drop", action{Actor: actor}, &out)
}

// Restart restarts the running kiosk.
func (c *Client) Restart(ctx context.Context, actor string, force bool) error {
	return c.do(ctx, http.MethodPost, "/v1/restart", action{Actor: actor, Force: force}, nil)
}

// UnlockPIN ends the running kiosk's run of wrong maintenance PINs.
func (c *Client) UnlockPIN(ctx context.Context, actor string) error {
	return c.do(ctx, http.MethodPost, "/v1/pin/unlock", action{Actor: actor}, nil)
}

// Reveal has the running kiosk journal a card about to be shown in full.
func (c *Client) Reveal(ctx context.Context, actor, what, idNumber string) error {
	return c.do(ctx, http.MethodPost, "/v1/reveals", action{Actor: actor, What: what, IDNumber: idNumber}, nil)
}

// Screen writes the picture of the running kiosk's screen, a PNG, to w.
func (c *Client) Screen(ctx context.Context, w io.Writer, actor string) (int64, error) {
	resp, err := c.send(ctx, http.MethodPost, "/v1/screen", action{Actor: actor})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return n, fmt.Errorf("staff: the picture was cut short after %d bytes: %w", n, err)
	}
	return n, nil
}
