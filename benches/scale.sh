#!/usr/bin/env bash
# Scale benchmark: how casebook's build and check grow with the number of case studies.
#
#   benches/scale.sh [N ...]        # default: 1000 10000 100000
#
# For each N: generate the corpus with ../shared/bench/gen_corpus.py (cached under
# target/bench-corpus/N), then run `casebook check` CHECK_RUNS times (default 3; the median
# wall time and the highest peak are shown, every time on stderr) and `casebook build` once
# into a fresh folder under /usr/bin/time, and print one table row: wall time and peak memory
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
# never regenerated), BENCH_SETTLE (seconds, default 65), CHECK_RUNS (default 3), and
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
  out="$SCALE/$n"
  mkdir -p "$SCALE"
  # Not `read < <(timed ...)`: a failed run must stop the script, not print an empty row.
  check_walls=() check_mb=0
  for _ in $(seq 1 "$CHECK_RUNS"); do
    check_times="$(timed "$CASEBOOK" check --root "$site")"
    read -r wall mb <<< "$check_times"
    check_walls+=("$wall")
    [ "$mb" -le "$check_mb" ] || check_mb="$mb"
  done
  check_s="$(printf '%s\n' "${check_walls[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  say "N=$n check wall times: ${check_walls[*]} s (median $check_s s)"
  build_times="$(timed "$CASEBOOK" build --root "$site" --output "$out" --quiet)"
  read -r build_s build_mb <<< "$build_times"
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
