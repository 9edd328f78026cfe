#!/usr/bin/env bash
# Full-build benchmark: casebook against Hugo on the same generated corpus, in the same run.
#
#   benches/build.sh [N ...]        # default: 1000 10000
#
# For each N: generate the corpus with ../shared/bench/gen_corpus.py (cached under
# target/bench-corpus/N, regenerated when the generator changed), then time 3 cold builds with
# each tool, alternating, each into a fresh output folder, with /usr/bin/time (wall clock and
# peak RSS), check every output against the corpus manifest (benches/check_output.py), and print
# the medians and the casebook/Hugo ratios. See benches/README.md.
#
# Environment: RUNS (default 3), BENCH_SETTLE (seconds to wait after removing an earlier
# benchmark's outputs, default 65; see "Deleting" in benches/README.md), CASEBOOK_SHARED (default: <repo>/../shared),
# CARGO_TARGET_DIR (as cargo), HUGO (default: hugo on PATH), BENCH_CASEBOOK_REGIONS (e.g.
# nhs_region: check casebook's /regions/ terms against that front-matter field of the corpus
# instead of the manifest's ONS regions; see benches/README.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/.." && pwd))"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
CHECK="$HERE/check_output.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
RUNS="${RUNS:-3}"
SETTLE="${BENCH_SETTLE:-65}"

die() { echo "benches/build.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ $# -gt 0 ] || set -- 1000 10000
for n in "$@"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$n'"
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive whole number, not '$RUNS'"
[ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED to the shared/ folder)"
command -v python3 >/dev/null || die "python3 is needed"

apt_install() {
  local pkgs=("$@")
  [ "$(id -u)" -eq 0 ] || die "need ${pkgs[*]}: install with apt-get (as root)"
  say "installing ${pkgs[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${pkgs[@]}" >&2
}

# ---------------------------------------------------------------- tools
[ -x /usr/bin/time ] || apt_install time
HUGO="${HUGO:-$(command -v hugo || true)}"
if [ -z "$HUGO" ]; then
  apt_install hugo
  HUGO="$(command -v hugo)"
fi

say "building casebook (release)"
(cd "$REPO" && cargo build --release --bin casebook >&2)
CASEBOOK="$TARGET/release/casebook"
[ -x "$CASEBOOK" ] || die "no casebook binary at $CASEBOOK after cargo build --release"

CASEBOOK_VERSION="$("$CASEBOOK" --version 2>/dev/null || echo casebook)"
HUGO_VERSION="$("$HUGO" version 2>/dev/null | awk '{print $1, $2}')"
COMMIT="$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
(cd "$REPO" && git diff --quiet HEAD 2>/dev/null) || COMMIT="$COMMIT + uncommitted changes"
say "$CASEBOOK_VERSION ($COMMIT)"
say "$HUGO_VERSION"
say "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
    "$RUNS runs each, medians"

# ---------------------------------------------------------------- helpers
corpus_for() { # N -> folder with casebook/, hugo/ and manifest.json, generated if need be
  local n="$1" dir="$TARGET/bench-corpus/$1"
  if [ -f "$dir/manifest.json" ] && python3 "$CHECK" fresh "$dir/manifest.json" "$GEN"; then
    say "N=$n: reusing corpus $dir"
  else
    say "N=$n: generating corpus in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    python3 "$GEN" "$n" "$dir" >&2
    [ -f "$dir/manifest.json" ] || die "gen_corpus.py wrote no $dir/manifest.json"
  fi
  echo "$dir"
}

median() { # numbers on stdin -> median (middle value; mean of the two middle ones if even)
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now() { echo "${EPOCHREALTIME/,/.}"; }

# timed_build TOOL OUT LOG: a cold build into a fresh OUT; sets WALL and CPU (user + system,
# s) and PEAK_KB, and
# ends the script, showing the tool's output, if the build fails
timed_build() {
  local tool="$1" out="$2" log="$3" tfile="$3.time" start end status=0
  local -a cmd
  case "$tool" in
    casebook) cmd=("$CASEBOOK" build --root "$CORPUS/casebook" --output "$out" --quiet) ;;
    hugo) cmd=("$HUGO" --quiet -s "$CORPUS/hugo" -d "$out" --cacheDir "$out.cache") ;;
  esac
  [ ! -e "$out" ] || die "$out exists: each run builds into a fresh folder"
  rm -rf "$CORPUS/hugo/resources" "$CORPUS/hugo/.hugo_build.lock"
  start="$(now)"
  /usr/bin/time -f "%e %M %U %S" -o "$tfile" "${cmd[@]}" >"$log" 2>&1 || status=$?
  end="$(now)"
  if [ "$status" -ne 0 ]; then
    echo "benches/build.sh: the $tool build failed (exit $status): ${cmd[*]}" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  # Wall clock from bash's microsecond clock (time's %e has 10 ms steps); peak RSS from time.
  WALL="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
  PEAK_KB="$(awk 'END { print $2 }' "$tfile")"
  CPU="$(awk 'END { printf "%.2f", $3 + $4 }' "$tfile")"
  USER_SYS="$(awk 'END { printf "%.2f user + %.2f system", $3, $4 }' "$tfile")"
}

# ---------------------------------------------------------------- runs
RESULTS="$TARGET/bench-results"
mkdir -p "$RESULTS"
TSV="$RESULTS/build-$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'n\ttool\tpages\twall_s\tpages_per_s\tcpu_s\tpeak_mb\twall_s_all_runs\n' >"$TSV"

ROWS=()
for n in "$@"; do
  CORPUS="$(corpus_for "$n")"
  OUTROOT="$TARGET/bench-out/$n"
  # Outputs of an earlier benchmark go first, then the file system settles: ext4 without a
  # journal (as on this project's VMs) skips inodes freed in the last minute when it creates
  # files, scanning past each of them, so building just after deleting tens of thousands of
  # files costs seconds that belong to neither tool. Within a benchmark nothing is deleted:
  # every run writes to a fresh folder, kept until the next benchmark (for inspection).
  if [ -e "$OUTROOT" ]; then
    rm -rf "$OUTROOT"
    sync
    say "N=$n: removed the previous benchmark's outputs; waiting ${SETTLE}s for the file system to settle"
    sleep "$SETTLE"
  fi
  mkdir -p "$OUTROOT"
  declare -A WALLS=() CPUS=() RSS=() PAGES=() MED_W=() MED_C=() MED_MB=()
  # One untimed build per tool first, so that the corpus, the binaries and the file system's
  # metadata are as warm for the first timed run as for the last.
  for tool in casebook hugo; do
    timed_build "$tool" "$OUTROOT/$tool-warmup" "$OUTROOT/$tool.log"
    say "N=$n warm-up $tool: ${WALL}s wall (not counted)"
  done
  for run in $(seq 1 "$RUNS"); do
    for tool in casebook hugo; do   # alternating, so that drift in the machine hits both
      out="$OUTROOT/$tool-$run"
      timed_build "$tool" "$out" "$OUTROOT/$tool.log"
      check=(python3 "$CHECK" check "$CORPUS/manifest.json" "$out")
      if [ "$tool" = casebook ] && [ -n "${BENCH_CASEBOOK_REGIONS:-}" ]; then
        check+=(--regions-from "$BENCH_CASEBOOK_REGIONS")
      fi
      if ! pages="$("${check[@]}")"; then
        die "N=$n: the $tool build in $out skipped content (listed above): its time does not count"
      fi
      say "N=$n run $run/$RUNS $tool: ${WALL}s wall, ${CPU}s CPU ($USER_SYS), $((PEAK_KB / 1024)) MB peak, $pages pages, output checked"
      WALLS[$tool]+="$WALL "
      CPUS[$tool]+="$CPU "
      RSS[$tool]+="$PEAK_KB "
      PAGES[$tool]="$pages"
    done
  done
  for tool in casebook hugo; do
    w="$(tr ' ' '\n' <<<"${WALLS[$tool]}" | grep . | median)"
    c="$(tr ' ' '\n' <<<"${CPUS[$tool]}" | grep . | median)"
    kb="$(tr ' ' '\n' <<<"${RSS[$tool]}" | grep . | median)"
    mb="$(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }')"
    pps="$(awk -v p="${PAGES[$tool]}" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "${PAGES[$tool]}" "$w" "$pps" "$c" "$mb" "${WALLS[$tool]% }" >>"$TSV"
    ROWS+=("$n|$tool|${PAGES[$tool]}|$w|$pps|$c|$mb")
    MED_W[$tool]="$w"
    MED_C[$tool]="$c"
    MED_MB[$tool]="$mb"
  done
  ratio_w="$(awk -v a="${MED_W[casebook]}" -v b="${MED_W[hugo]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
  ratio_c="$(awk -v a="${MED_C[casebook]}" -v b="${MED_C[hugo]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
  ratio_mb="$(awk -v a="${MED_MB[casebook]}" -v b="${MED_MB[hugo]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')"
  ROWS+=("$n|casebook/hugo||$ratio_w||$ratio_c|$ratio_mb")
  unset WALLS CPUS RSS PAGES MED_W MED_C MED_MB
done

echo
printf '%-7s %-14s %7s %9s %9s %9s %9s\n' N tool pages "wall s" "pages/s" "CPU s" "peak MB"
printf '%-7s %-14s %7s %9s %9s %9s %9s\n' ------- -------------- ------- --------- --------- --------- ---------
for row in "${ROWS[@]}"; do
  IFS='|' read -r n tool pages w pps c mb <<<"$row"
  printf '%-7s %-14s %7s %9s %9s %9s %9s\n' "$n" "$tool" "$pages" "$w" "$pps" "$c" "$mb"
done
echo
echo "budgets (shared/DESIGN.md): casebook/hugo wall <= 0.50x at every N; casebook peak <= 600 MB at N = 10000"
echo "medians of $RUNS runs; CPU s = user + system time (less moved than wall time by a busy machine)"
echo "every output checked against its manifest; results also in $TSV"
