#!/usr/bin/env bash
# Image benchmark: a generated site of N pages (default 1000) in which every case study is a
# bundle with one different photo-like JPEG (default 2000 × 1333), built twice: cold (empty
# image cache) and warm (cache kept, a new output folder). Prints wall time and peak memory
# (/usr/bin/time -f "%e %M") of each, the build's own count of image files encoded and taken
# from the cache, and the load average (wall times on a shared machine are "under load").
#
#   benches/images.sh [N]
#
# Environment: CASEBOOK_SHARED (default <repo>/../shared), CARGO_TARGET_DIR (as cargo),
# PHOTO_WIDTH, PHOTO_HEIGHT (default 2000, 1333). The corpus and photos are cached under
# target/bench-images/N; each run copies the site afresh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/.." && pwd))"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
N="${1:-1000}"
WIDTH="${PHOTO_WIDTH:-2000}"
HEIGHT="${PHOTO_HEIGHT:-1333}"

die() { echo "benches/images.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
[ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED to the shared/ folder)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"

say "building casebook and the photo generator (release)"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --bin casebook --example bench_photos
CASEBOOK="$TARGET/release/casebook"
PHOTOS="$TARGET/release/examples/bench_photos"

CACHED="$TARGET/bench-images/$N"
if [ ! -f "$CACHED/done-${WIDTH}x${HEIGHT}" ]; then
  rm -rf "$CACHED"
  mkdir -p "$CACHED"
  say "generating a corpus of $N pages"
  python3 "$GEN" "$N" "$CACHED/corpus" >/dev/null
  say "turning each case study into a bundle with a ${WIDTH}px photo"
  slugs=()
  for page in "$CACHED"/corpus/casebook/content/case-studies/*.md; do
    slug="$(basename "$page" .md)"
    mkdir -p "$CACHED/corpus/casebook/content/case-studies/$slug"
    mv "$page" "$CACHED/corpus/casebook/content/case-studies/$slug/index.md"
    printf '\n![The team at work on %s](photo.jpg)\n' "$slug" \
      >>"$CACHED/corpus/casebook/content/case-studies/$slug/index.md"
    slugs+=("$slug")
  done
  mkdir -p "$CACHED/photos"
  printf '%s\n' "${slugs[@]}" | xargs -n 100 -P 2 "$PHOTOS" "$WIDTH" "$HEIGHT" "$CACHED/photos"
  for slug in "${slugs[@]}"; do
    mv "$CACHED/photos/$slug.jpg" "$CACHED/corpus/casebook/content/case-studies/$slug/photo.jpg"
  done
  touch "$CACHED/done-${WIDTH}x${HEIGHT}"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$CACHED/corpus/casebook" "$WORK/site"
photos=$(find "$WORK/site/content" -name photo.jpg | wc -l)
bytes=$(find "$WORK/site/content" -name photo.jpg -printf '%s\n' | awk '{s+=$1} END {print s}')
say "site: $N pages, $photos photos (${WIDTH}x${HEIGHT}, $((bytes / 1000000)) MB)"

run() {
  local label="$1" out="$2"
  say "$label build"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "$label: %e s wall, %M KB peak RSS" -o "$WORK/time" \
    "$CASEBOOK" build --root "$WORK/site" --output "$WORK/$out" 2>"$WORK/log" || {
    cat "$WORK/log" >&2
    die "the $label build failed"
  }
  grep '^built' "$WORK/log"
  cat "$WORK/time"
}

run cold out-cold
run warm out-warm
if diff -rq "$WORK/out-cold" "$WORK/out-warm" >/dev/null; then
  echo "outputs of the cold and warm builds are byte-identical"
else
  die "the warm build's output differs from the cold one's"
fi
echo "cache: $(du -sh "$WORK/site/.casebook/cache/images" | cut -f1) in $(find "$WORK/site/.casebook/cache/images" -type f | wc -l) files"
