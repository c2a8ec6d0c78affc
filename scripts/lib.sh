# Shared by every script: the build tags, and an idempotent apt installer.
# shellcheck shell=bash

# The one place that names the build tags of the kiosk binary.
#   x11  compile only GLFW's X11 back end. Fyne 2.8 otherwise compiles Wayland too, which
#        needs the Wayland headers, and kiosks run Xorg (touch is unreliable under Wayland).
#   gles use OpenGL ES: the cold cgo build drops from ~290 s to ~90 s, and it is what ARM
#        kiosk boards drive.
#   migrated_fynedo  every UI change from another goroutine goes through fyne.Do, so Fyne's
#        thread checks (and their cost) are compiled out.
#   no_emoji  leaves Fyne's colour emoji font out: the kiosk shows no emoji, and parsing
#        that font cost start-up time, binary size and ~10 MB of memory.
# Headless tests use `ci` instead of x11,gles: fyne.io/fyne/v2/app then uses the software
# driver, needs no cgo GL build and no display.
KIOSK_TAGS="x11,gles,migrated_fynedo,no_emoji"
TEST_TAGS="ci,migrated_fynedo,no_emoji"
export KIOSK_TAGS TEST_TAGS

# Packages to build the kiosk (cgo, GL and X11 headers; Xext for DPMS), to run it
# headless (Xvfb, Mesa's software GL), to take screenshots and to check the screen saver
# (xset); fonts-noto-cjk is the system fallback for characters outside the bundled font
# (rare name characters).
BUILD_PACKAGES="gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libxext-dev"
RUN_PACKAGES="xvfb xauth libgl1-mesa-dri x11-utils x11-xserver-utils xdotool imagemagick fonts-noto-cjk"
# A real Xorg server without a screen, started by xinit as in a hall, and systemd's
# systemd-analyze to check the hall's unit (scripts/smoke.sh).
XORG_PACKAGES="xserver-xorg-core xserver-xorg-video-dummy xinit systemd"
# Headers a plain `go vet ./...` (no tags) needs: without x11 GLFW compiles its Wayland
# back end too. The kiosk never builds it; the test suite vets it so the untagged
# command a newcomer types first is clean.
VET_PACKAGES="libwayland-dev libxkbcommon-dev"
# The MQTT broker cities run, which the fleet link's tests start on a loopback port
# (app/fleet/fleettest); its packaged service is not started.
BROKER_PACKAGES="mosquitto"

# The static checker the test suite runs (honnef.co/go/tools), at a version known to
# pass on this code.
STATICCHECK="honnef.co/go/tools/cmd/staticcheck@v0.8.2"

# apt_install PKG...: installs the packages that are missing, and nothing when all are there.
apt_install() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo ">> installing: ${missing[*]}" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}

# need_go: the module wants Go 1.26 or newer.
need_go() {
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then
      export PATH="/usr/local/go/bin:$PATH"
    else
      echo "Go 1.26 or newer is required (https://go.dev/dl/)" >&2
      exit 1
    fi
  fi
}

# free_display: prints a display number no X server is using.
free_display() {
  local n
  for n in $(seq 99 199); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then
      echo "$n"
      return 0
    fi
  done
  return 1
}

# demo_args ARGS...: true when the kiosk's arguments give no configuration (--config),
# so that it runs in demo mode, with demo citizens only.
demo_args() {
  local a
  for a in "$@"; do
    case "$a" in --config|--config=*|-config|-config=*) return 1 ;; esac
  done
  return 0
}

# start_xvfb [LOG]: starts a private Xvfb (1280×800, 24-bit) on a free display, sets disp
# (its number) and xpid, and waits for its socket. The caller stops it (a trap on EXIT
# that kills $xpid, set before the call). -noreset: a server resets when its last client
# leaves and refuses the next one meanwhile, as a kiosk restarting itself (exec'd anew).
start_xvfb() {
  disp=$(free_display)
  Xvfb ":$disp" -noreset -screen 0 1280x800x24 -nolisten tcp >"${1:-/dev/null}" 2>&1 &
  xpid=$!
  for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$disp" ] && break; sleep 0.05; done
}

# gl_test ARGS...: runs `go test ./cmd/kiosk ARGS...` with the kiosk's tags and glframes,
# whose TestMain drives a real window, in a private Xvfb (where Mesa's llvmpipe paints
# on the CPU); then names the machine. Installs what it needs.
gl_test() {
  need_go
  # shellcheck disable=SC2086
  apt_install $BUILD_PACKAGES $RUN_PACKAGES
  gl_work=$(mktemp -d)
  xpid=""
  trap 'kill $xpid 2>/dev/null || true; rm -rf "$gl_work"' EXIT
  start_xvfb "$gl_work/xvfb.log"
  DISPLAY=":$disp" LANG=zh_CN.UTF-8 go test -tags "$KIOSK_TAGS,glframes" -count=1 ./cmd/kiosk "$@"
  echo "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), mesa $(dpkg-query -W -f='${Version}' libgl1-mesa-dri))"
}
