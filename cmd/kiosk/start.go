package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/liangzihu/kiosk/app"
	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/demo"
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/logging"
	"github.com/liangzihu/kiosk/app/utility/utilitysim"
	"github.com/liangzihu/kiosk/screens"
)

// startRetries are the waits before each new try of a start that failed for a reason
// that may pass by itself (app.StartTransient; in demo mode, the emulators and the
// simulated utilities): the kiosk before this one may still be closing its database,
// or a kioskctl command reading it (store.Open waits 5 s for it at each try). What
// fails after them puts the kiosk out of service.
var startRetries = []time.Duration{time.Second, 2 * time.Second}

// startOptions are what run was asked to start.
type startOptions struct {
	// config is the configuration's file; empty: demo mode.
	config string
	// fullscreen and renderer are the command line's, over the configuration's.
	fullscreen bool
	renderer   string
	// stderr receives the log, and all of it while the data folder is unknown or
	// cannot be written.
	stderr io.Writer
	// retries are the waits before each new try of a start that may succeed later.
	retries []time.Duration
	// restart is how staff start the kiosk again (app.Options.Restart).
	restart func()
}

// started is the kiosk before its window: its configuration, strings and log, and the
// kiosk itself, running; or, out of service, why it is not.
type started struct {
	cfg  *config.Config
	text *i18n.Catalog
	log  *slog.Logger
	// k is the kiosk; nil when it is out of service.
	k *app.Kiosk
	// down is why k is nil, and hall the configuration the out-of-service screen shows
	// (nil when it was refused).
	down *app.OutOfService
	hall *config.Config
	// closers release what the start made (the demo's emulators and utilities), in
	// reverse order; logCloser the log's file (nil on stderr alone).
	closers   []func() error
	logCloser io.Closer
}

// start starts the kiosk: its configuration, log, demo emulators and simulated
// utilities, and the kiosk itself. A start that fails leaves the kiosk out of service
// (started.down): its window opens all the same, and its error is logged. Only a kiosk
// already running on the data folder fails start: a window over that one's would hide
// it.
func start(o startOptions) (*started, error) {
	cfg, cfgErr := config.Load(o.config)
	if cfgErr != nil {
		// The window opens as the defaults and the command line say.
		cfg = config.Defaults()
	}
	if o.fullscreen {
		cfg.Kiosk.Fullscreen = true
	}
	if o.renderer != "" {
		cfg.Kiosk.Renderer = o.renderer
	}
	s := &started{cfg: cfg, log: stderrLog(o.stderr)}
	var err error
	if s.text, err = i18n.New(i18n.Lang(cfg.Kiosk.Language)); err != nil {
		return nil, err // the embedded strings, which tests read
	}
	if cfgErr != nil {
		s.outOfService(cfgErr, o.config, nil)
		return s, nil
	}
	if err := alreadyRunning(cfg.Data.Dir, cfg.StaffSocketDir()); err != nil {
		return nil, err
	}
	log, closeLog, err := logging.New(logging.Options{
		Dir: cfg.Data.Dir, MaxBytes: cfg.Data.LogMaxBytes, Files: cfg.Data.LogFiles, Stderr: o.stderr,
	})
	if err != nil {
		s.outOfService(err, o.config, cfg)
		return s, nil
	}
	s.log, s.logCloser = log, closeLog
	startProfiling(log)
	log.Info("kiosk starting", "config", cfg.Source, "demo", cfg.Demo, "kiosk", cfg.Kiosk.ID)
	opts := app.Options{Logger: log, Restart: o.restart}
	if cfg.Demo {
		if err := retry(log, "demo devices and utilities", o.retries, func(error) bool { return true },
			func() error { return s.startDemo(&opts) }); err != nil {
			s.outOfService(err, o.config, cfg)
			return s, nil
		}
	}
	err = retry(log, "start", o.retries, app.StartTransient, func() (err error) {
		s.k, err = app.New(cfg, opts)
		return err
	})
	if err != nil {
		s.outOfService(err, o.config, cfg)
		return s, nil
	}
	s.text = s.k.Text
	s.k.Start(context.Background())
	return s, nil
}

// startDemo starts demo mode's device emulators and simulated utilities, and points the
// kiosk's configuration and options at them.
func (s *started) startDemo(opts *app.Options) error {
	cfg := s.cfg
	rig, err := demo.Start(filepath.Join(cfg.Data.Dir, "dev"))
	if err != nil {
		return err
	}
	sims, err := utilitysim.Start(utilitysim.Demo(filepath.Join(cfg.Data.Dir, "utilitysim"), cfg.Kiosk.ID))
	if err != nil {
		rig.Close()
		return err
	}
	s.closers = append(s.closers, rig.Close, sims.Close)
	rig.Apply(cfg)
	rig.UseUtilities(sims)
	opts.Demo, opts.UtilityURLs = rig, sims.BaseURLs()
	s.log.Info("demo utilities", "admin", sims.AdminURL())
	return nil
}

// outOfService puts the kiosk out of service for err, on the configuration hall read
// from file (nil when it was refused), and logs why.
func (s *started) outOfService(err error, file string, hall *config.Config) {
	d := app.NewOutOfService(err, file, hall)
	s.down, s.hall = &d, hall
	s.log.Error("out of service: the kiosk cannot start; staff must put it right and restart it",
		"err", err, "check", d.Check())
}

// show fills w with the kiosk's screens, or with the out-of-service screen; painted is
// called when the first is painted. It returns the shell, nil out of service.
func (s *started) show(w fyne.Window, do func(func()), painted func()) *screens.Shell {
	if s.k == nil {
		screens.ShowOutOfService(w, screens.OutOfService{Config: s.hall, Text: s.text, Why: *s.down, OnPainted: painted})
		return nil
	}
	return screens.NewShell(s.k, w, screens.Options{Do: do, OnFirstFrame: painted})
}

// close stops the kiosk, then what was started for it, and reports the kiosk's error.
func (s *started) close() error {
	var err error
	if s.k != nil {
		err = s.k.Close()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		if cerr := s.closers[i](); cerr != nil {
			s.log.Warn("stop", "err", cerr)
		}
	}
	s.closers = nil
	return err
}

// closeLog closes the log's file, if it has one: the last thing the kiosk does.
func (s *started) closeLog() {
	if s.logCloser != nil {
		s.logCloser.Close()
	}
}

// stderrLog is the log of a kiosk whose data folder is unknown or cannot be written:
// on stderr alone (systemd's journal), redacted as the whole log is.
func stderrLog(w io.Writer) *slog.Logger {
	return slog.New(logging.Redact(slog.NewJSONHandler(w, nil)))
}

// retry runs try, and again after each of waits while it fails with an error that
// transient says may pass; it returns try's last error.
func retry(log *slog.Logger, what string, waits []time.Duration, transient func(error) bool, try func() error) error {
	err := try()
	for _, wait := range waits {
		if err == nil || !transient(err) {
			return err
		}
		log.Warn(what+": failed, trying again", "in", wait.String(), "err", err)
		time.Sleep(wait)
		err = try()
	}
	return err
}
