#!/usr/bin/env bash
# Random walks through the whole demo kiosk (cmd/kiosk TestExplore): taps on anything a
# finger could tap, cards, scans, printer and utility faults, pauses, citizens walking
# away; after every action the screen must fit with full-size touch targets and show
# nobody's data unmasked or after the session. CI walks six fixed walks in four hall
# configurations (standard; English and 大字模式 by default; two utilities, no printer, no
# scanner; no ID card reader); this walks new seeds, each in the hall its seed picks, with the race
# detector. A failing walk prints its hall, seed, last actions and the command that
# repeats it.
# Usage: scripts/explore.sh [WALKS] [STEPS]   (defaults: 10 walks of 300 actions)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
walks="${1:-10}"
steps="${2:-300}"
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go test -race -tags "$TEST_TAGS" -c -o "$work/kiosk.test" ./cmd/kiosk
failed=0
for i in $(seq "$walks"); do
  seed=$(( (RANDOM << 30 | RANDOM << 15 | RANDOM) + 1 ))
  start=$(date +%s)
  # The seed picks the hall; the walk names it in its log.
  status=0
  (cd cmd/kiosk && "$work/kiosk.test" -test.run '^TestExplore$' -test.timeout 0 -test.v \
    -explore-seed "$seed" -explore "$steps" >"$work/walk.log" 2>&1) || status=$?
  hall=$(grep -o 'hall [a-z-]*' "$work/walk.log" | head -1 | cut -d' ' -f2 || true)
  if [ "$status" = 0 ]; then
    echo "walk $i, hall $hall, seed $seed: passed ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1))
    echo "walk $i, hall $hall, seed $seed: FAILED"
    cat "$work/walk.log"
  fi
done
echo "$((walks - failed)) of $walks walks of $steps actions passed"
[ "$failed" = 0 ]
