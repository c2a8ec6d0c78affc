#!/usr/bin/env bash
# What two fixes to Fyne's software painter would give the screens (docs/benchmarks.md,
# Screens). Copies Fyne from the module cache into a temporary folder, changes it, and
# runs BenchmarkScreens (Fyne's painter's rows) against the copy through a temporary
# go.mod with a replace; nothing of it stays in the project, which builds with Fyne as
# released.
#   a   the painter draws into *image.RGBA instead of *image.NRGBA, so that image/draw
#       takes its fast paths (fyne-io/fyne#6501 is about the same cost);
#   ab  a, and Capture returns the painter's one frame, started from the background
#       colour, instead of compositing it over a second one (fyne-io/fyne#6516).
# Usage: scripts/fyne-painter-fixes.sh a|ab [FRAMES] [PATTERN]
#   e.g. scripts/fyne-painter-fixes.sh ab 20 'home|account-keypad'
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
fixes="${1:?usage: scripts/fyne-painter-fixes.sh a|ab [FRAMES] [PATTERN]}"
frames="${2:-20}"
pattern="${3:-.}"
case "$fixes" in a | ab) ;; *) echo "fixes: a or ab" >&2; exit 2 ;; esac
need_go
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$(go list -m -f '{{.Dir}}' fyne.io/fyne/v2)" "$work/fyne"
chmod -R u+w "$work/fyne"
sw="$work/fyne/internal/painter/software"
capture="$work/fyne/driver/software/canvas.go"
sed -i 's/base \*image\.NRGBA/base *image.RGBA/g; s/image\.NewNRGBA(bounds)/image.NewRGBA(bounds)/' "$sw"/*.go "$capture"
if [ "$fixes" = ab ]; then
  perl -0pi -e 's/(\tbase := image\.NewRGBA\(bounds\)\n)/$1\tdraw.Draw(base, bounds, image.NewUniform(theme.Color(theme.ColorNameBackground)), image.Point{}, draw.Src)\n/ or die "painter"; s/import \(\n\t"image"\n/import (\n\t"image"\n\t"image\/draw"\n\n\t"fyne.io\/fyne\/v2\/theme"\n/ or die "imports"' "$sw/painter.go"
  perl -0pi -e 's/(\timg := image\.NewRGBA\(bounds\)\n)/\tif !c.transparent && c.painter != nil {\n\t\treturn c.painter.Paint(c)\n\t}\n$1/ or die "capture"' "$capture"
fi
cp go.mod go.sum "$work/"
echo "replace fyne.io/fyne/v2 => $work/fyne" >>"$work/go.mod"
go test -modfile="$work/go.mod" -tags "$TEST_TAGS" -count=1 -run '^$' \
  -bench "BenchmarkScreens/($pattern)/.*/fyne" -benchtime "${frames}x" ./cmd/kiosk
echo "(fixes $fixes; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
