#!/usr/bin/env bash
# Run the kiosk. Without --config it runs in demo mode (simulated devices and utilities).
# With $DISPLAY set the window opens there (1280×800, or full screen with --fullscreen);
# without a display it starts a virtual one (Xvfb) and, in demo mode only, writes a
# screenshot of the kiosk every few seconds to a file it names (the kiosk user's alone).
# Installs what it needs. Arguments go to the kiosk.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES
bash scripts/build.sh
export LANG="${LANG:-zh_CN.UTF-8}"
case "$LANG" in C|C.*|POSIX|"") export LANG=zh_CN.UTF-8 ;; esac

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -z "${DISPLAY:-}" ]; then
  start_xvfb
  pids+=("$xpid")
  export DISPLAY=":$disp"
  echo "No display (\$DISPLAY is empty): started a virtual one, Xvfb $DISPLAY (1280×800)."
  if demo_args "$@"; then
    # Demo citizens only; still, the pictures are this user's alone.
    mkdir -p -m 0700 run
    shot="$PWD/run/screen.png"
    echo "A screenshot of the kiosk is written every 3 s to: $shot"
    (
      umask 077
      while sleep 3; do
        import -window root "$shot.tmp.png" 2>/dev/null && mv "$shot.tmp.png" "$shot"
      done
    ) &
    pids+=($!)
  else
    # A kiosk with a configuration serves real citizens: a picture every 3 s would keep
    # what their visits show, which staff see only between visits (kioskctl kiosk screen).
    echo "No screenshots: with --config the kiosk serves citizens; staff see the screen between visits with kioskctl kiosk screen."
  fi
  echo "Stop with Ctrl+C."
fi
./bin/kiosk "$@" &
pids+=($!)
wait "${pids[-1]}"
