#!/usr/bin/env bash
# Render every screen, normal and 大字模式, to docs/screenshots/ with Fyne's software
# painter (the same pixels the test suite checks): the screens without a citizen, a few
# states the screens' tests bring about, and the tour of every journey against the
# simulators (NN-name-mode.png). Then the sample receipts as the emulated printer prints
# them (docs/screenshots/receipts/), and the home screen of the real binary under Xvfb
# (docs/screenshots/home-xvfb.png).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_go
mkdir -p docs/screenshots
rm -f docs/screenshots/[0-9][0-9]-*.png # the tour's stops may be renumbered
# The screens' own tests take the pictures of states they bring about with a manual
# clock or a utility held slow (57-…–68-…).
go test -tags "$TEST_TAGS" -count=1 -run 'TestScreens|TestJointPartsFillIn|TestJointPartsLost|TestPaidOutcomeStaysWhileNextCardWaits|TestHeldCardReplacesWhenPaymentStartFails|TestTransferGoesOnWhileNextCardWaits|TestPayOrderWithdrawnByTheUtility|TestScanBillOfAUtilityNotServed|TestTrackSharedNumberChoose|TestTransferCertificateRefusedBeforePayment' \
  ./screens -args -screenshots "$PWD/docs/screenshots"
go test -tags "$TEST_TAGS" -count=1 -run 'TestTour|TestJourneyPayCancelled|TestJourneyNoPrinterNoScanner|TestJourneyNoReader|TestApplyResultWhenReceiptFails|TestJourneyPayExpiredUnconfirmed' \
  ./cmd/kiosk -args -screenshots "$PWD/docs/screenshots"
mkdir -p docs/screenshots/receipts
for k in payment acceptance progress testpage; do
  go run ./cmd/kioskctl receipt sample "$k" --png "docs/screenshots/receipts/$k-80mm.png"
done
go run ./cmd/kioskctl receipt sample payment --profile 58mm --raster-qr --png docs/screenshots/receipts/payment-58mm-raster.png
go run ./cmd/kioskctl receipt sample acceptance --profile 58mm --png docs/screenshots/receipts/acceptance-58mm.png
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES
bash scripts/build.sh >/dev/null
work=$(mktemp -d)
xpid="" kpid=""
trap 'kill $xpid $kpid 2>/dev/null || true; rm -rf "$work"' EXIT
start_xvfb
(cd "$work" && DISPLAY=":$disp" LANG=zh_CN.UTF-8 exec "$OLDPWD/bin/kiosk" >"$work/out" 2>&1) &
kpid=$!
for _ in $(seq 300); do grep -q '"home screen painted"' "$work/out" 2>/dev/null && break; sleep 0.1; done
sleep 1
DISPLAY=":$disp" import -window root docs/screenshots/home-xvfb.png
# A 256-colour palette keeps the pictures sharp at a third of the size. The palette is
# chosen from each picture (-colors 256): PNG8 alone maps to a fixed palette, and the
# theme's own colours (the tiles' tint, the bars' blue) came out white and off-blue.
for f in docs/screenshots/*.png; do convert "$f" -dither None -colors 256 PNG8:"$f"; done
ls docs/screenshots
