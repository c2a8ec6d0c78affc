#!/usr/bin/env bash
# Build the kiosk binary (and the command-line tools) into ./bin with the project's tags.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES
mkdir -p bin
go build -tags "$KIOSK_TAGS" -trimpath -ldflags "-s -w" -o bin/kiosk ./cmd/kiosk
for c in kioskctl devsim utilitysim; do
  if [ -f "cmd/$c/main.go" ]; then
    go build -trimpath -o "bin/$c" "./cmd/$c"
  fi
done
