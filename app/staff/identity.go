package staff

import (
	"context"
	"path/filepath"

	"github.com/liangzihu/kiosk/app/config"
)

// Identity is which kiosk this is and what staff's commands need of its configuration:
// kioskctl asks the running kiosk for it over the socket instead of reading the
// configuration file, which holds the staff PINs' hashes and stays closed to staff's
// own accounts (docs/deployment.md, Staff with their own accounts). Nothing in it is a
// secret: no PIN's hash, no key, only where the files are.
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
	// Members are the hall's staff ([[staff.members]]), whose 工号 kioskctl's --actor
	// must be one of; none with a shared PIN.
	Members []Member `json:"members,omitempty"`
}

// Member is one of the hall's staff as --actor names them: 工号 and name, never the
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
