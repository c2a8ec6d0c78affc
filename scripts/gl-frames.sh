#!/usr/bin/env bash
# Frame times of the kiosk's own renderer: every screen of the tour in a real 1280×800
# window, painted by Fyne's OpenGL painter (x11, gles) under a private Xvfb, where Mesa's
# llvmpipe draws on the CPU. Each screen runs in a process of its own.
# Usage: scripts/gl-frames.sh [FRAMES] [PATTERN]   (defaults: 30 frames, every screen)
# e.g.   scripts/gl-frames.sh 30 'home|notice'
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
frames="${1:-30}"
pattern="${2:-.}"
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES
work=$(mktemp -d)
disp=$(free_display)
Xvfb ":$disp" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$disp" ] && break; sleep 0.05; done
DISPLAY=":$disp" LANG=zh_CN.UTF-8 go test -tags "$KIOSK_TAGS,glframes" -count=1 -run '^$' \
  -bench "BenchmarkGLFrames/($pattern)" -benchtime "${frames}x" ./cmd/kiosk
echo "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), mesa $(dpkg-query -W -f='${Version}' libgl1-mesa-dri))"
