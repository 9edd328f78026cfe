#!/usr/bin/env bash
# Scale benchmark: how casebook's build and check grow with the number of case studies.
#
#   benches/scale.sh [N ...]        # default: 1000 10000 100000
#
# For each N: generate the corpus with ../shared/bench/gen_corpus.py (cached under
# target/bench-corpus/N), then run `casebook check` CHECK_RUNS times (default 3; the median
# wall time and the highest peak are shown, every time on stderr) and `casebook build` under
# /usr/bin/time, each time into a fresh folder: BUILD_RUNS times (default 3; median wall, highest
# peak) up to 10,000 case studies, once above (a 100k output is ~6.5 GB of disk, and its 40 s
# wall moves less with the machine's load than a 3 s one), and print one table row: wall time and peak memory
# of each, pages, files and bytes written, bytes per page, and the largest listing page and the
# largest page of any kind; then the ratio of each N's times to the previous N's. Output bytes
# are exact; times are runs on a machine that may be busy, so compare them as ratios between
# rows of the same run (the budgets of issue 15: 100k within 12x the 10k build, check within
# 10x).
#
# The built sites stay under target/bench-scale/ until the next run, which removes them first
# and gives the file system BENCH_SETTLE seconds (default 65) to settle: deleting gigabytes
# just before a timed run would time the kernel's clean-up (ext4 without a journal, as on this
# project's VMs, also skips recently freed inodes when it creates files).
#
# Environment: CASEBOOK_SHARED (default: <repo>/../shared), CARGO_TARGET_DIR (as cargo),
# CORPORA (default: <target>/bench-corpus; another checkout's corpora are used as they are,
# never regenerated), BENCH_SETTLE (seconds, default 65), CHECK_RUNS (default 3), BUILD_RUNS
# (default 3), and
# SHARE_IMAGES=false builds a hard-linked copy of each corpus with `share_images: false` (for
# memory profiles while a corpus's share-image cache is still cold: rasterising 100,000 share
# cards is CPU time, not memory; say so beside the figures).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac

die() { echo "benches/scale.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ $# -gt 0 ] || set -- 1000 10000 100000
for n in "$@"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$n'"
done
[ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED to the shared/ folder)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (apt-get install time)"

say "building casebook (release)"
(cd "$REPO" && cargo build --release --bin casebook >&2)
CASEBOOK="$TARGET/release/casebook"

# timed LABEL COMMAND...: runs COMMAND, prints "<seconds> <peak MB>".
timed() {
  local log
  log="$(mktemp)"
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>&1 || {
    cat "$log" >&2
    die "failed: $*"
  }
  awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }' "$log"
  rm -f "$log"
}

SCALE="$TARGET/bench-scale"
if [ -e "$SCALE" ]; then
  rm -rf "$SCALE"
  sync
  say "removed an earlier run's outputs; waiting ${BENCH_SETTLE:-65}s for the file system to settle"
  sleep "${BENCH_SETTLE:-65}"
fi
CHECK_RUNS="${CHECK_RUNS:-3}"
[[ "$CHECK_RUNS" =~ ^[1-9][0-9]*$ ]] || die "CHECK_RUNS must be a positive whole number"
BUILD_RUNS="${BUILD_RUNS:-3}"
[[ "$BUILD_RUNS" =~ ^[1-9][0-9]*$ ]] || die "BUILD_RUNS must be a positive whole number"

# runs LABEL TIMES COMMAND...: runs COMMAND TIMES times with `timed`, says every wall time on
# stderr and prints "<median seconds> <highest peak MB>". A command that names "{run}" gets the
# run's number there (a fresh output folder each time).
runs() {
  local label="$1" times="$2" walls=() peak=0 times_out wall mb median i
  shift 2
  for i in $(seq 1 "$times"); do
    # `|| exit`: inside a command substitution `set -e` is off, and a failed run must stop
    # the script, not give an empty time.
    times_out="$(timed "${@//\{run\}/$i}")" || exit 1
    read -r wall mb <<< "$times_out"
    walls+=("$wall")
    [ "$mb" -le "$peak" ] || peak="$mb"
  done
  median="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  say "$label wall times: ${walls[*]} s (median $median s)"
  printf '%s %s\n' "$median" "$peak"
}
declare -a RATIO_ROWS=()
prev_n="" prev_check="" prev_build=""
printf '%-8s | %-8s %-8s | %-8s %-8s | %-7s %-8s %-10s %-9s | %-24s | %s\n' \
  N check_s check_MB build_s build_MB pages files MB bytes/pg "largest listing (KB)" "largest page (KB)"
for n in "$@"; do
  corpus="${CORPORA:-$TARGET/bench-corpus}/$n"
  if [ -n "${CORPORA:-}" ]; then
    [ -d "$corpus/casebook" ] || die "no corpus at $corpus/casebook"
  elif [ ! -f "$corpus/manifest.json" ] \
    || ! python3 "$HERE/check_output.py" fresh "$corpus/manifest.json" "$GEN"; then
    # Regenerated only when the generator's code changed (as benches/build.sh decides), not
    # when its file was merely touched: regenerating drops the corpus's caches under .casebook/.
    say "generating $n case studies in $corpus"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    python3 "$GEN" "$n" "$corpus" >&2
  fi
  site="$corpus/casebook"
  if [ "${SHARE_IMAGES:-}" = false ]; then
    copy="$SCALE/site-$n"
    rm -rf "$copy"
    mkdir -p "$copy"
    cp -al "$site/content" "$copy/content"
    { grep -v '^share_images:' "$site/casebook.yaml"; echo "share_images: false"; } > "$copy/casebook.yaml"
    site="$copy"
  fi
  mkdir -p "$SCALE"
  build_runs="$BUILD_RUNS"
  [ "$n" -le 10000 ] || build_runs=1
  # Not `read < <(runs ...)`: a failed run must stop the script, not print an empty row.
  check_times="$(runs "N=$n check" "$CHECK_RUNS" "$CASEBOOK" check --root "$site")"
  read -r check_s check_mb <<< "$check_times"
  build_times="$(runs "N=$n build" "$build_runs" \
    "$CASEBOOK" build --root "$site" --output "$SCALE/$n-{run}" --quiet)"
  read -r build_s build_mb <<< "$build_times"
  out="$SCALE/$n-1"
  pages=$(find "$site/content" -type f | wc -l)
  files=$(find "$out" -type f | wc -l)
  bytes=$(du -sb "$out" | cut -f1)
  # Listing pages: the list of each type and of each taxonomy term, page 1 and page/N.
  listing=$(find "$out" -name index.html |
            grep -E "^$out/((case-studies|programmes|modules|cohorts|organisations|data)|(topics|regions|settings|key-questions)/[^/]+)/(page/[0-9]+/)?index.html$" |
            xargs -r stat -c '%s %n' | sort -n | tail -1)
  largest=$(find "$out" -name '*.html' -print0 | xargs -0 stat -c '%s %n' | sort -n | tail -1)
  printf '%-8s | %-8s %-8s | %-8s %-8s | %-7s %-8s %-10s %-9s | %-24s | %s\n' \
    "$n" "$check_s" "$check_mb" "$build_s" "$build_mb" "$pages" "$files" \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')" \
    "$((bytes / pages))" \
    "$(awk -v s="${listing%% *}" 'BEGIN { printf "%.1f", s / 1024 }') ${listing#* "$out"/}" \
    "$(awk -v s="${largest%% *}" 'BEGIN { printf "%.1f", s / 1024 }') ${largest#* "$out"/}"
  # Wall times are only comparable under similar load: say what it was.
  echo "   load average after N=$n: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  if [ -n "$prev_n" ]; then
    RATIO_ROWS+=("$(awk -v n="$n" -v p="$prev_n" -v c="$check_s" -v pc="$prev_check" \
      -v b="$build_s" -v pb="$prev_build" 'BEGIN {
        printf "%s/%s: check %.1fx, build %.1fx (pages %.0fx)", n, p, c / pc, b / pb, n / p }')")
  fi
  prev_n="$n" prev_check="$check_s" prev_build="$build_s"
done
for row in "${RATIO_ROWS[@]}"; do
  echo "$row"
done
