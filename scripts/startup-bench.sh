#!/usr/bin/env bash
# Start-up figures: starts the kiosk (demo mode) under Xvfb N times (default 5) and
# reports the median time from exec to the first painted frame of the home screen (the
# kiosk logs it as startup_ms) and the median PSS of the kiosk's process tree 3 s later
# (/proc/PID/smaps_rollup). Usage: scripts/startup-bench.sh [RUNS] [-- kiosk args]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
runs="${1:-5}"
shift || true
[ "${1:-}" = "--" ] && shift
need_go
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES $RUN_PACKAGES
bash scripts/build.sh >/dev/null
work=$(mktemp -d)
xpid=""
trap 'kill $xpid 2>/dev/null || true; rm -rf "$work"' EXIT
start_xvfb

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
    exec "$OLDPWD/bin/kiosk" "$@" >"$out" 2>&1) &
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
