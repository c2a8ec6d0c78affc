#!/usr/bin/env bash
# The whole test suite, headless: formatting, vet, unit and integration tests (software
# Fyne driver, pseudo-terminal device simulators, utility simulator on loopback), then the
# real kiosk binary in a window under Xvfb. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES $VET_PACKAGES $BROKER_PACKAGES
export LANG=zh_CN.UTF-8

step() { printf '\n== %s\n' "$*"; }
t_start=$(date +%s)

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet (the test build, the kiosk's build, and untagged)"
go vet -tags "$TEST_TAGS" ./...
go vet -tags "$KIOSK_TAGS" ./...
go vet ./...

step "staticcheck (bugs, misuse of the standard library, dead code), on the test build and the kiosk's"
# Run at a fixed version rather than required in go.mod: go.mod lists what the kiosk links.
go run "$STATICCHECK" -tags "$TEST_TAGS" ./...
go run "$STATICCHECK" -tags "$KIOSK_TAGS" ./...

step "the floors of DESIGN.md: devices, app, screens and cmd import downwards only, tests too"
bash scripts/layers.sh

step "the kiosk binary links no test code (Fyne's test package makes a test app current at init)"
if go list -deps -tags "$KIOSK_TAGS" ./cmd/kiosk | grep -Ex 'fyne.io/fyne/v2/test|github.com/liangzihu/kiosk/screens/screentest|testing'; then
  echo "the packages above are for tests and tools only"; exit 1
fi

step "go test, with the race detector (the outbox, the device loops and the screens' background work share state)"
go test -race -tags "$TEST_TAGS" -count=1 -timeout 20m ./...

step "every benchmark once (they still build and reach their screens; figures: docs/benchmarks.md)"
bench_out=$(mktemp)
if ! go test -tags "$TEST_TAGS" -count=1 -run '^$' -bench . -benchtime 1x ./... >"$bench_out" 2>&1; then
  cat "$bench_out"; rm -f "$bench_out"; exit 1
fi
grep -c '^Benchmark' "$bench_out" | sed 's/$/ benchmarks ran/'
rm -f "$bench_out"

step "nothing of a citizen left after their visit (without the race detector: the walk reads what the kiosk's goroutines write)"
go test -tags "$TEST_TAGS" -count=1 -run 'TestVisitsLeaveNothing' ./cmd/kiosk

step "system-font fallback (no ci tag: Fyne consults system fonts only then)"
go test -count=1 -run 'TestRareCharacter' ./screens/theme

step "the kiosk binary under Xvfb"
bash scripts/smoke.sh

step "the OpenGL frame benchmark, a few screens once (figures: scripts/gl-frames.sh, docs/benchmarks.md)"
# Each of these screens must be painted once: a refresh made while Fyne lays a new
# screen out makes it paint the whole window twice (docs/benchmarks.md, Screens).
gl_out=$(mktemp)
if ! bash scripts/gl-frames.sh 1 'blank-canvas|home|guide|bills-efficiency|apply-form|notice-expired-card|elderly-switch' >"$gl_out" 2>&1; then
  cat "$gl_out"; rm -f "$gl_out"; exit 1
fi
grep -c '^BenchmarkGLFrames' "$gl_out" | sed 's/$/ screens painted/'
twice=$(awk '/^BenchmarkGLFrames/ { for (i = 2; i < NF; i++) if ($(i+1) == "repaints" && $i > 0) print $1 }' "$gl_out")
if [ -n "$twice" ]; then
  echo "painted twice for one change:"; echo "$twice"; rm -f "$gl_out"; exit 1
fi
rm -f "$gl_out"

echo
echo "all tests passed in $(( $(date +%s) - t_start )) s"
