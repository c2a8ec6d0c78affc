// Command kiosk runs the self-service kiosk: full screen on the hall's touchscreen, or
// in a 1280×800 window. Without --config it runs in demo mode.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/liangzihu/kiosk/app/config"
	"github.com/liangzihu/kiosk/app/staff"
	"github.com/liangzihu/kiosk/assets"
	"github.com/liangzihu/kiosk/screens/softdriver"
	"github.com/liangzihu/kiosk/screens/startup"
	"github.com/liangzihu/kiosk/screens/xwin"
)

// AppID is the kiosk's application ID (also in FyneApp.toml).
const AppID = "cn.liangzihu.sdqw.kiosk"

func main() {
	run()
}

// end ends the program once the kiosk is closed. When staff asked for a restart
// (maintenance mode, kioskctl kiosk restart) the program starts anew in this process,
// which its supervisor (systemd, xinit) keeps watching.
func end(restart bool) {
	if !restart {
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err == nil {
		// The new start's time counts from here, not from the first exec (ProcessStart).
		os.Setenv("KIOSK_EXEC_NS", strconv.FormatInt(time.Now().UnixNano(), 10))
		err = syscall.Exec(exe, os.Args, os.Environ())
	}
	fmt.Fprintln(os.Stderr, "kiosk: restart:", err)
	os.Exit(1)
}

// loopGrace is how long the window's loop has to return once it is asked to quit
// before the kiosk is closed without it (runLoop).
const loopGrace = 10 * time.Second

// runLoop runs the window's loop, then stop. Fyne's OpenGL loop (v2.8.1) does not always
// return once it quits: an event its lifecycle queues as the loop ends can miss the
// loop's last drain, and the loop then waits for it for ever (CI saw a restart never
// come back, and a benchmark's process outlive its figures). So once quit is closed,
// stop is called after grace whether the loop has returned or not (and log says so).
// stop must be safe to call twice (sync.OnceFunc): it normally ends the program, and a
// second caller waits.
func runLoop(log *slog.Logger, loop func(), quit <-chan struct{}, grace time.Duration, stop func()) {
	var returned atomic.Bool
	go func() {
		<-quit
		time.Sleep(grace)
		if !returned.Load() {
			log.Warn("the window's loop did not return after its quit: the kiosk stops without it", "waited", grace.String())
		}
		stop()
	}()
	loop()
	returned.Store(true)
	stop()
}

// run runs the kiosk until it is stopped or staff restart it, and ends the program (end).
// A kiosk that cannot start for a reason a restart will not cure opens its
// window all the same, on the out-of-service screen, and stays so until it is stopped:
// ended, it would only be started again by its supervisor, a black screen every 2 s.
func run() {
	t0 := startup.ProcessStart()
	cfgPath := flag.String("config", "", "configuration file (TOML); none: demo mode")
	fullscreen := flag.Bool("fullscreen", false, "full screen (also kiosk.fullscreen in the configuration)")
	rendererFlag := flag.String("renderer", "", "auto, opengl or software (also kiosk.renderer in the configuration)")
	flag.Parse()
	if *rendererFlag != "" {
		// A mistake on the command line, as an unknown flag: the unit's or the
		// installer's, found the first time it starts, not a hall's.
		if err := config.CheckRenderer(*rendererFlag); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	// restarting is told of a restart staff asked for; the loop below stops the window.
	restarting := make(chan struct{}, 1)
	s, err := start(startOptions{config: *cfgPath, fullscreen: *fullscreen, renderer: *rendererFlag,
		stderr: os.Stderr, retries: startRetries, restart: func() {
			select {
			case restarting <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, log := s.cfg, s.log

	renderer, why := startup.ChooseRenderer(cfg.Kiosk.Renderer)
	log.Info("renderer", "renderer", renderer, "why", why)
	a, err := newFyneApp(renderer, cfg.Kiosk.Fullscreen, s.text.T("app.title"))
	if err != nil {
		log.Error("window", "renderer", renderer, "err", err)
		os.Exit(1)
	}
	w := a.NewWindow(s.text.T("app.title"))
	if renderer == startup.OpenGL {
		startup.LeanFramebuffer()
	}
	w.SetPadded(false)
	w.SetMaster()
	w.SetCloseIntercept(func() {
		// Citizens cannot close the kiosk; staff stop it from maintenance mode or systemd.
		log.Warn("window close requested and ignored")
	})
	if cfg.Kiosk.Fullscreen {
		w.SetFullScreen(true)
	} else {
		w.Resize(fyne.NewSize(1280, 800))
		w.SetFixedSize(true)
		a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	}
	// Once the window's loop is stopping, nothing may reach the screens: Fyne would run
	// the function at once on the caller's goroutine, and a theme change there calls
	// into GLFW after it has been terminated.
	var stopping atomic.Bool
	do := func(f func()) {
		if !stopping.Load() {
			fyne.Do(f)
		}
	}
	painted := "home screen painted"
	if s.k == nil {
		painted = "out-of-service screen painted"
	}
	shell := s.show(w, do, func() {
		log.Info(painted, "startup_ms", time.Since(t0).Milliseconds())
		startup.Trim()
	})
	if shell != nil {
		go func() {
			for range time.Tick(time.Second) {
				do(shell.Tick)
			}
		}()
	}
	// SIGTERM (systemctl stop), SIGINT and SIGHUP stop the window's loop; ShowAndRun
	// returns and the kiosk is closed below: the open session wiped and journaled, the
	// outbox stopped, the database closed. xinit hangs its client up first when its
	// session ends, as does a terminal closed on a kiosk started from it, and Go would
	// otherwise exit on the spot. Fyne catches SIGTERM and SIGINT too, but only once a
	// goroutine of its loop has asked for them: a signal just after the start (a stop
	// right after staff's restart) reached the kiosk alone, and the loop ran on. From the
	// signal on, nothing is handed to the screens.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt, syscall.SIGHUP)
	// Until Fyne's OpenGL loop has started (and GLFW with it), Fyne runs what fyne.Do is
	// given at once, on the caller's goroutine: a stop in the first moments (right after
	// staff's restart) quit the window from here, and GLFW panicked, not initialized. The
	// quit waits for the loop; the software driver's takes it at any time.
	loopStarted := make(chan struct{}, 1)
	if renderer == startup.OpenGL {
		a.Lifecycle().SetOnStarted(func() {
			select {
			case loopStarted <- struct{}{}:
			default:
			}
		})
	} else {
		loopStarted <- struct{}{}
	}
	var restarted atomic.Bool
	quit := make(chan struct{})
	go func() {
		select {
		case got := <-sig:
			stopping.Store(true)
			log.Info("stopping", "signal", got.String())
		case <-restarting:
			restarted.Store(true)
			stopping.Store(true)
		}
		<-loopStarted
		close(quit)
		fyne.Do(a.Quit)
	}()
	restoreScreen := func() {}
	if cfg.Kiosk.Fullscreen {
		restoreScreen = keepScreenOn(log, a)
	}
	runLoop(log, w.ShowAndRun, quit, loopGrace, sync.OnceFunc(func() {
		stopping.Store(true)
		restoreScreen()
		if err := s.close(); err != nil {
			log.Error("stop", "err", err)
		}
		log.Info("kiosk stopped", "restart", restarted.Load())
		s.closeLog()
		end(restarted.Load())
	}))
}

// alreadyRunning fails when a kiosk runs on the data folder dir: it answers on its
// staff socket, in sockets (the data folder, or staff.socket_dir). A second kiosk there
// cannot open the database (its lock), but before that its demo emulators and
// simulated utilities would take the running kiosk's port links and simulator file,
// and its log would go into the running kiosk's. A socket file a crash left behind
// answers nothing.
func alreadyRunning(dir, sockets string) error {
	path := staff.SocketPath(sockets)
	if _, err := staff.Dial(context.Background(), path); err != nil {
		return nil
	}
	return fmt.Errorf("kiosk: a kiosk already runs on the data folder %s (it answers on its staff socket %s): stop it first (systemctl stop kiosk)", dir, path)
}

// keepScreenOn keeps a full-screen kiosk's display from blanking while it runs and
// returns what gives the X server its setting back. A desktop's own screen saver, where
// the kiosk runs in one (a session bus is there), is asked through Fyne too.
func keepScreenOn(log *slog.Logger, a fyne.App) (restore func()) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		a.Driver().SetDisableScreenBlanking(true)
	}
	before, err := startup.KeepScreenOn()
	if err != nil {
		log.Warn("the screen may blank when idle", "err", err)
		return func() {}
	}
	log.Info("screen kept on", "saver_timeout_was", before.SaverTimeout.String(), "dpms_was", before.DPMS)
	return func() {
		if err := before.Restore(); err != nil {
			log.Warn("screen saver not restored", "err", err)
		}
	}
}

// newFyneApp makes the kiosk's Fyne app with the configured renderer: Fyne's OpenGL
// driver, or the kiosk's software driver on an X11 window of its own.
func newFyneApp(renderer string, fullscreen bool, title string) (fyne.App, error) {
	startup.Locale()
	startup.FixedTheme()
	fyneapp.SetMetadata(fyne.AppMetadata{ID: AppID, Name: "水电气网联办自助服务", Version: "0.1.0", Build: 1,
		Migrations: map[string]bool{"fyneDo": true}})
	base := fyneapp.NewWithID(AppID)
	if renderer == startup.OpenGL {
		return base, nil
	}
	win, err := xwin.Open(xwin.Options{Title: title, Class: AppID, Width: 1280, Height: 800,
		Fullscreen: fullscreen, Fixed: !fullscreen})
	if err != nil {
		return nil, err
	}
	return softdriver.New(base, win), nil
}
