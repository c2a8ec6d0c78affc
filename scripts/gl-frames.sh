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
gl_test -run '^$' -bench "BenchmarkGLFrames/($pattern)" -benchtime "${frames}x"
