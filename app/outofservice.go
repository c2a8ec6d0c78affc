package app

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/store"
)

// OutOfService is why a kiosk that could not start serves nobody, as its out-of-service
// screen (暂停服务) tells staff: what is wrong in plain words, and the command that says
// more. It is made from the start's error and the configuration's file and folders,
// which hold no citizen's data.
type OutOfService struct {
	// Err is the start's error, for the log.
	Err error
	// File is the configuration's file; empty: the embedded defaults (demo mode).
	File string
	// DataDir and KeyFile are the data folder and the data key's file, as configured;
	// empty when the configuration was refused.
	DataDir, KeyFile string
}

// NewOutOfService is the out-of-service state after a start failed with err, on the
// configuration cfg (nil when it was refused) read from file.
func NewOutOfService(err error, file string, cfg *config.Config) OutOfService {
	o := OutOfService{Err: err, File: file}
	if cfg != nil {
		o.DataDir, o.KeyFile = cfg.Data.Dir, cfg.Data.KeyFile
		if o.KeyFile == "" {
			o.KeyFile = filepath.Join(cfg.Data.Dir, "data.key")
		}
	}
	return o
}

// StartTransient reports whether a start that failed with err may succeed if tried
// again in a few seconds: the database held by another process (the kiosk before this
// one still closing it, or a kioskctl command reading it). Everything else that stops
// a start (a configuration refused, a damaged database, a missing or wrong data key, a
// data folder that cannot be written) stays until staff put it right.
func StartTransient(err error) bool { return errors.Is(err, store.ErrInUse) }

// maxReason bounds the reason's arguments taken from an error's text: one line under
// the screen's message, not a dump.
const maxReason = 160

// Reason is what is wrong, in plain words, in t's language: one line.
func (o OutOfService) Reason(t *i18n.Catalog) string {
	err := o.Err
	var ce *config.Error
	var pe *fs.PathError
	var se *store.SchemaError
	switch {
	case errors.As(err, &ce):
		where := filepath.Base(ce.File)
		if ce.Line > 0 {
			where = t.T("outage.line", where, ce.Line)
		}
		if ce.Key != "" {
			where += " " + ce.Key
		}
		return t.T("outage.config", where, oneLine(ce.Msg))
	case errors.Is(err, store.ErrDamaged), errors.Is(err, store.ErrNoBucket):
		return t.T("outage.damaged", filepath.Join(o.DataDir, store.FileName))
	case errors.Is(err, store.ErrKeyMissing):
		return t.T("outage.key_missing", o.KeyFile)
	case errors.Is(err, store.ErrWrongKey):
		return t.T("outage.wrong_key", o.KeyFile)
	case errors.As(err, &se):
		return t.T("outage.newer_schema", se.File, se.Known)
	case errors.Is(err, store.ErrInUse):
		return t.T("outage.in_use", filepath.Join(o.DataDir, store.FileName))
	case errors.As(err, &pe) && o.File != "" && pe.Path == o.File:
		return t.T("outage.config_unread", o.File, oneLine(pe.Err.Error()))
	case errors.As(err, &pe) && o.DataDir != "" && within(pe.Path, o.DataDir) && notWritable(pe.Err):
		return t.T("outage.not_writable", o.DataDir)
	}
	return t.T("outage.other", oneLine(err.Error()))
}

// RestartCommand is how staff start the kiosk again once they have put the cause right:
// the hall's systemd unit (deploy/kiosk.service).
const RestartCommand = "systemctl restart kiosk"

// Check is the command that tells staff what is wrong and what to do: the
// configuration's check, which also looks at the data folder, its key and database.
func (o OutOfService) Check() string {
	if o.File == "" {
		return "kioskctl config check"
	}
	return "kioskctl config check --config " + o.File
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// notWritable reports whether err says a file cannot be made or written there: another
// user's folder, or a file system mounted read-only.
func notWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// oneLine is s's first line, at most maxReason characters.
func oneLine(s string) string {
	s, _, cut := strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) > maxReason {
		s, cut = string([]rune(s)[:maxReason]), true
	}
	if cut {
		s = strings.TrimRight(s, " ") + "…"
	}
	return s
}
