package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/journal"
	"github.com/liangzihu/kiosk/app/staff"
)

// kioskctl finds the running kiosk's socket where the configuration puts it
// (staff.socket_dir, open to staff.socket_group), from the same --config.
func TestSocketInItsOwnFolder(t *testing.T) {
	g, err := user.LookupGroupId(fmt.Sprint(os.Getgid()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, sockets := filepath.Join(dir, "data"), filepath.Join(dir, "run")
	cfg := filepath.Join(dir, "kiosk.toml")
	if err := os.WriteFile(cfg, []byte("[kiosk]\ndemo = true\n[data]\ndir = \""+data+"\"\n[staff]\nsocket_dir = \""+sockets+"\"\nsocket_group = \""+g.Name+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, j, ob := holdDatabase(t, data)
	l, err := staff.ListenDir(sockets, os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	srv := staff.Server(&staff.Local{Store: st, Journal: j, Outbox: ob, Devices: func() []staff.Device { return nil }}, slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	defer srv.Close()
	// The database is held as by the running kiosk: only its socket answers.
	if code, out, errs := kioskctl(t, "kiosk", "status", "--config", cfg); code != 0 || !strings.Contains(out, "kiosk: running") {
		t.Fatalf("status: %d %q %q", code, out, errs)
	}
	if code, out, errs := kioskctl(t, "staff", "unlock", "--config", cfg, "--actor", "工号0107"); code != 0 {
		t.Fatalf("unlock: %d %q %q", code, out, errs)
	}
	evs, err := (&staff.Local{Store: st, Journal: j, Outbox: ob}).Events(context.Background(), staff.Query{Since: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(evs, func(e journal.Event) bool { return e.Kind == journal.StaffUnlock })
	if i < 0 || !strings.HasPrefix(evs[i].Actor, "工号0107 ⟨os user ") {
		t.Errorf("no unlock journaled with the account on the socket's other end: %+v", evs)
	}
}
