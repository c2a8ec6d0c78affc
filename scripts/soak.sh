#!/usr/bin/env bash
# A long run: one demo kiosk in a real 1280×800 window under a private Xvfb (Fyne's
# OpenGL driver on Mesa's llvmpipe, or the kiosk's software renderer) serves visit after visit — a card, accounts and bills,
# applications and a timeline, a joint application submitted and printed, public
# information, an account by its number — and logs its goroutines, Go heap and PSS
# every interval (cmd/kiosk TestSoak). Memory that grows with visits shows here.
# Usage: scripts/soak.sh [DURATION] [EVERY] [RENDERER]   (defaults: 10m, 1m, opengl)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
duration="${1:-10m}"
every="${2:-1m}"
renderer="${3:-opengl}"
gl_test -run '^TestSoak$' -v -timeout 0 -args -soak "$duration" -soak-every "$every" -renderer "$renderer" |
  grep -E 'soak|^(---|ok|FAIL)|cores'
