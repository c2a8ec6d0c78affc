package staff

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staffpin"
)

// Identity is which kiosk this is and what staff's commands need of its configuration:
// kioskctl asks the running kiosk for it over the socket instead of reading the
// configuration file, which holds the staff PINs' hashes and stays closed to staff's
// own accounts (docs/deployment.md, Staff with their own accounts). What it tells is
// what kioskctl needs and no more: no PIN's hash, no key, only where the files are, and
// nothing of the hall's staff (Members stay in the kiosk, which checks an actor itself).
type Identity struct {
	// ID is kiosk.id; Code the three digits naming the kiosk in its references.
	ID   string `json:"id"`
	Code string `json:"ref_code"`
	// Enabled are the enabled utilities in display order, the day's report's rows.
	Enabled []string `json:"enabled"`
	// DataDir and KeyFile are data.dir and data.key_file (empty: the data folder's
	// own), made absolute where the kiosk runs: kioskctl, wherever it runs, never writes
	// a copy or a picture over them.
	DataDir string `json:"data_dir"`
	KeyFile string `json:"key_file,omitempty"`
	// Members are the hall's staff ([[staff.members]]), whose 工号 an actor must be one
	// of (Actor); none with a shared PIN. Never sent: the running kiosk checks the actor
	// of every action that comes through its socket, so that kioskctl, and whoever else
	// connects, need not know the staff's names and 工号.
	Members []Member `json:"-"`
}

// Member is one of the hall's staff as an actor names them: 工号 and name, never the
// PIN's hash.
type Member struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// IdentityOf is the identity of the kiosk cfg configures, its files' paths made
// absolute from the working folder.
func IdentityOf(cfg *config.Config) Identity {
	id := Identity{ID: cfg.Kiosk.ID, Code: cfg.Kiosk.Code(), Enabled: cfg.Utilities.Enabled(), DataDir: absolute(cfg.Data.Dir), KeyFile: absolute(cfg.Data.KeyFile)}
	for _, m := range cfg.Staff.Members {
		id.Members = append(id.Members, Member{ID: m.ID, Name: m.Name})
	}
	return id
}

// ErrUnknownActor means an actor names no member of the hall's staff: where each has a
// 工号 of their own, a staff action names one of them, or the journal would name nobody.
var ErrUnknownActor = fmt.Errorf("%w: no member of the hall's staff has that 工号 ([[staff.members]])", ErrInput)

// Actor is who the journal names for the actor staff typed: where the hall's staff have
// their own 工号 (Members), the member whose 工号 it is ("0417" or "工号0417"), named as
// maintenance mode on the screen names them ("工号 0417 王芳"), and ErrUnknownActor for
// any other; without members, the actor as typed.
func (id Identity) Actor(typed string) (string, error) {
	who := strings.TrimSpace(typed)
	if len(id.Members) == 0 || who == "" {
		return who, nil
	}
	no := strings.TrimSpace(strings.TrimPrefix(who, "工号"))
	for _, m := range id.Members {
		if m.ID == no {
			return staffpin.Member{ID: m.ID, Name: m.Name}.Label(), nil
		}
	}
	// Not echoed: whatever was typed in its place (a PIN?) stays out of the kiosk's log.
	return "", ErrUnknownActor
}

// Kiosk is the kiosk's identity, as its configuration gave it.
func (l *Local) Kiosk(ctx context.Context) (Identity, error) { return l.Identity, nil }

// absolute is path made absolute; empty, or where the working folder is gone, as it is.
func absolute(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
