#!/usr/bin/env bash
# What generated share images cost a build: cold (empty share cache) and warm builds of a
# generated corpus, with the number and size of the share images written.
#
#   benches/share.sh [N]            # default: 1000
#
# The corpus is made by ../shared/bench/gen_corpus.py into target/bench-corpus/N (as
# benches/scale.sh does) unless it is there. Each run is `casebook build` (release) into a
# fresh output under /usr/bin/time (wall seconds, peak RSS); "cold" first removes the site's
# .casebook/cache/share/. Wall times depend on the machine's load: the load average is printed
# with them.
#
# Environment: RUNS (default 3), BASELINE (another casebook binary, e.g. one without share
# images, timed the same way), CALLGRIND=1 (also count instructions of one cold and one warm
# build with valgrind: load-independent; use a small N, such as 100), CASEBOOK_SHARED,
# CARGO_TARGET_DIR (as cargo).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/.." && pwd))"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
RUNS="${RUNS:-3}"
N="${1:-1000}"

die() { echo "benches/share.sh: $*" >&2; exit 1; }
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive whole number, not '$RUNS'"

(cd "$REPO" && cargo build --release --quiet --bin casebook)
BIN="$TARGET/release/casebook"
CORPUS="$TARGET/bench-corpus/$N"
if [ ! -f "$CORPUS/casebook/casebook.yaml" ]; then
  [ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED)"
  rm -rf "$CORPUS"
  python3 "$GEN" "$N" "$CORPUS" >/dev/null
fi
SITE="$CORPUS/casebook"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "binary: $BIN ($(stat -c %s "$BIN") bytes); corpus: $SITE"
# One build of `$1` (a binary) into a fresh folder; prints "wall_s peak_kb".
build_once() {
  rm -rf "$OUT/public"
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$1" build --quiet --root "$SITE" --output "$OUT/public" >/dev/null
  cat "$OUT/time"
}
for run in $(seq "$RUNS"); do
  rm -rf "$SITE/.casebook/cache/share"
  read -r cold_s cold_kb < <(build_once "$BIN")
  read -r warm_s warm_kb < <(build_once "$BIN")
  count=$(find "$OUT/public" -name share.png -not -path "$OUT/public/images/*" | wc -l)
  bytes=$(find "$OUT/public" -name share.png -not -path "$OUT/public/images/*" -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  line="run $run: cold ${cold_s} s ${cold_kb} KB, warm ${warm_s} s ${warm_kb} KB"
  if [ -n "${BASELINE:-}" ]; then
    read -r base_s base_kb < <(build_once "$BASELINE")
    line="$line, baseline ${base_s} s ${base_kb} KB"
  fi
  echo "$line (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
echo "share images: $count, $bytes bytes in all ($((count > 0 ? bytes / count : 0)) bytes each on average)"
echo "cache: $(du -sk "$SITE/.casebook/cache/share" | cut -f1) KB"

if [ "${CALLGRIND:-0}" = 1 ]; then
  command -v valgrind >/dev/null || die "CALLGRIND=1 needs valgrind"
  instructions() {
    rm -rf "$OUT/public"
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" "$BIN" build --quiet \
      --root "$SITE" --output "$OUT/public" 2>&1 >/dev/null |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  rm -rf "$SITE/.casebook/cache/share"
  cold=$(instructions)
  warm=$(instructions)
  count=$(find "$OUT/public" -name share.png -not -path "$OUT/public/images/*" | wc -l)
  echo "callgrind: cold $cold, warm $warm instructions; $(((cold - warm) / (count > 0 ? count : 1))) per share image"
fi
