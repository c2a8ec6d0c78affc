#!/usr/bin/env bash
# Start-up figures: starts the kiosk (demo mode) under Xvfb N times (default 5) and
# reports the median time from exec to the first painted frame of the home screen (the
# kiosk logs it as startup_ms) and the median PSS of the kiosk's process tree 3 s later
# (/proc/PID/smaps_rollup).
# Usage: scripts/startup-bench.sh [RUNS] [--production | --floor | -- kiosk args]
# --production runs the kiosk as in a hall instead: a configuration with its devices on
# serial ports (devsim's emulators, on pseudo-terminals) and its utilities over HTTP
# (utilitysim), both in processes of their own, as hardware and utilities are.
# --floor measures cmd/fynefloor instead: a window started as the kiosk's, showing one
# line of Chinese and nothing else, i.e. what Fyne and the machine's OpenGL cost anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
runs="${1:-5}"
shift || true
production="" program=bin/kiosk
[ "${1:-}" = "--production" ] && production=1 && shift
[ "${1:-}" = "--floor" ] && program=bin/fynefloor && shift
[ "${1:-}" = "--" ] && shift
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES
bash scripts/build.sh >/dev/null
go build -tags "$KIOSK_TAGS" -trimpath -ldflags "-s -w" -o bin/fynefloor ./cmd/fynefloor
work=$(mktemp -d)
xpid="" helpers=()
trap 'kill $xpid "${helpers[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
start_xvfb

if [ -n "$production" ]; then
  # The simulators' demo secrets, as files the kiosk and utilitysim both read (utilitysim
  # keeps a folder per kiosk).
  kiosk=LZH-BENCH-01
  mkdir -p "$work/secrets/$kiosk"
  for u in electricity water gas broadband; do
    (umask 077 && printf 'kiosk-demo-secret/%s/not-for-production' "$u" >"$work/secrets/$kiosk/$u.key")
  done
  bin/utilitysim -dir "$work/sim" -kiosk "$kiosk" -secrets "$work/secrets" -auto-pay 5s >"$work/sim.out" 2>/dev/null &
  helpers+=($!)
  for d in idcard printer scanner; do
    # devsim reads control lines until their end: a FIFO this script holds open.
    mkfifo "$work/$d.ctl"
    exec {ctl}<>"$work/$d.ctl"
    bin/devsim "$d" -link "$work/$d" -control "$work/$d.ctl" >/dev/null 2>&1 &
    helpers+=($!)
  done
  for _ in $(seq 100); do
    [ "$(grep -c '/v1$' "$work/sim.out" 2>/dev/null)" = 4 ] && [ -e "$work/idcard" ] && [ -e "$work/printer" ] &&
      [ -e "$work/scanner" ] && break
    sleep 0.05
  done
  {
    printf '[kiosk]\nid = "%s"\ndemo = false\nfullscreen = false\n' "$kiosk"
    for d in idcard printer scanner; do
      printf '[devices.%s]\nenabled = true\nport = "%s"\n' "$d" "$work/$d"
    done
    for u in electricity water gas broadband; do
      printf '[utilities.%s]\nbase_url = "%s"\nsecret_file = "%s"\n' "$u" \
        "$(awk -v u="$u" '$1 == u {print $2}' "$work/sim.out")" "$work/secrets/$kiosk/$u.key"
    done
    printf '[data]\ndir = "%s"\n' "$work/data"
  } >"$work/kiosk.toml"
  set -- --config "$work/kiosk.toml"
fi

# pss_kb PID: the PSS of PID and its descendants, in kB.
pss_kb() {
  local total=0 p kids
  for p in "$1" $(pgrep -P "$1" || true); do
    kids=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kids:-0}))
  done
  echo "$total"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

times=() psses=()
for i in $(seq "$runs"); do
  out="$work/run$i.log"
  mkdir -p "$work/data$i"
  (cd "$work/data$i" && DISPLAY=":$disp" LANG=zh_CN.UTF-8 KIOSK_EXEC_NS=$(date +%s%N) \
    exec "$OLDPWD/$program" "$@" >"$out" 2>&1) &
  kpid=$!
  for _ in $(seq 300); do
    grep -q '"home screen painted"' "$out" 2>/dev/null && break
    sleep 0.02
  done
  ms=$(grep -o '"startup_ms":[0-9]*' "$out" | head -1 | cut -d: -f2)
  sleep 3
  kb=$(pss_kb "$kpid")
  if [ "$i" = "$runs" ]; then
    # Where the memory is, by mapping (the last run): anonymous memory is mostly Go's heap,
    # the binary's own pages, Mesa's software renderer (libLLVM, swrast, its malloc heap).
    breakdown=$(awk '/^[0-9a-f]+-[0-9a-f]+ /{n=$6; if (n=="") n="[anonymous]"} /^Pss:/{p[n]+=$2}
      END {for (n in p) if (p[n] > 1024) printf "%6.1f MB  %s\n", p[n]/1024, n}' "/proc/$kpid/smaps" | sort -rn)
  fi
  kill "$kpid" 2>/dev/null || true
  wait "$kpid" 2>/dev/null || true
  printf 'run %d: %s ms to the painted home screen, %d MB PSS after 3 s\n' "$i" "${ms:-?}" $((kb / 1024))
  times+=("${ms:-99999}")
  psses+=("$kb")
done
tm=$(printf '%s\n' "${times[@]}" | median)
pm=$(printf '%s\n' "${psses[@]}" | median)
echo "PSS by mapping, last run:"
echo "$breakdown"
echo "median of $runs: ${tm} ms to the painted home screen, $((${pm%.*} / 1024)) MB PSS ($(nproc) cores, kernel $(uname -r), xvfb $(dpkg-query -W -f='${Version}' xvfb), mesa $(dpkg-query -W -f='${Version}' libgl1-mesa-dri))"
