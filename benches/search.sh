#!/usr/bin/env bash
# Search benchmark: casebook's sharded index and client against Pagefind, same corpus, same run.
#
#   benches/search.sh [N]        # default: 10000
#
# 1. Corpus: ../shared/bench/gen_corpus.py N (cached under target/bench-corpus/N, regenerated
#    when the generator changed, as benches/build.sh does).
# 2. casebook build (release) of the corpus, timed with /usr/bin/time: wall clock and peak RSS
#    of the whole build, search index included (T10).
# 3. Pagefind (npm `pagefind`, installed into target/bench-pagefind/ on first use) indexes the
#    same built HTML, timed the same way.
# 4. benches/search-bench.mjs measures both clients, cold, per query: gzip bytes and requests
#    (each fetched file gzipped at level 9, as a server would send it). casebook's client runs in
#    node through a counting script loader; Pagefind's runs in headless Chromium (it needs
#    WebAssembly and fetch) against a loopback server, counting the files it fetched. Without
#    Chromium or puppeteer-core (tests/browser/node_modules) the Pagefind column is left out.
# 5. Prints the search-design.md §5.4 table with the budgets and the ratios (and saves it under
#    target/bench-results/).
#
# Environment: CASEBOOK_SHARED (default: <repo>/../shared), CARGO_TARGET_DIR, SKIP_PAGEFIND=1,
# BENCH_SETTLE (seconds to wait after removing the previous output, default 65).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${CASEBOOK_SHARED:-$REPO/../shared}"
GEN="$SHARED/bench/gen_corpus.py"
CHECK="$HERE/check_output.py"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
N="${1:-10000}"

die() { echo "benches/search.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive whole number, not '$N'"
[ -f "$GEN" ] || die "no corpus generator at $GEN (set CASEBOOK_SHARED to the shared/ folder)"
command -v node >/dev/null || die "node is needed"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"

dir="$TARGET/bench-corpus/$N"
if [ -f "$dir/manifest.json" ] && python3 "$CHECK" fresh "$dir/manifest.json" "$GEN"; then
  say "N=$N: reusing corpus $dir"
else
  say "N=$N: generating corpus in $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 "$GEN" "$N" "$dir" >&2
fi

say "building casebook (release)"
(cd "$REPO" && cargo build --release --bin casebook >&2)
out="$TARGET/bench-out/search-$N"
# As in benches/build.sh: an earlier run's output goes first, then the file system settles
# (ext4 without a journal scans past inodes freed in the last minute when it creates files),
# and the timed build writes a folder that did not exist (see benches/README.md, "Deleting").
if [ -e "$out" ]; then
  rm -rf "$out"
  sync
  say "removed the previous output; waiting ${BENCH_SETTLE:-65}s for the file system to settle"
  sleep "${BENCH_SETTLE:-65}"
fi
mkdir -p "$out"
timing="$out/casebook.time"
/usr/bin/time -o "$timing" -f "%e %M" "$TARGET/release/casebook" build --root "$dir/casebook" --output "$out/site" --quiet
read -r cb_wall cb_rss < "$timing"
say "casebook build: ${cb_wall} s, $((cb_rss / 1024)) MB peak (whole build, search included)"

pf_wall="" pf_rss=""
if [ "${SKIP_PAGEFIND:-0}" != 1 ]; then
  pf="$TARGET/bench-pagefind"
  if [ ! -x "$pf/node_modules/.bin/pagefind" ]; then
    say "installing pagefind from npm into $pf"
    mkdir -p "$pf"
    (cd "$pf" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund pagefind >&2)
  fi
  say "pagefind $("$pf/node_modules/.bin/pagefind" --version 2>/dev/null || echo '?') over the same HTML"
  /usr/bin/time -o "$out/pagefind.time" -f "%e %M" "$pf/node_modules/.bin/pagefind" --site "$out/site" --output-subdir pagefind >"$out/pagefind.log" 2>&1 \
    || { tail -20 "$out/pagefind.log" >&2; die "pagefind failed"; }
  read -r pf_wall pf_rss < "$out/pagefind.time"
  say "pagefind index: ${pf_wall} s, $((pf_rss / 1024)) MB peak"
fi

mkdir -p "$TARGET/bench-results"
result="$TARGET/bench-results/search-$N-$(date -u +%Y%m%dT%H%M%SZ).txt"
node "$HERE/search-bench.mjs" "$out/site" "$N" "$cb_wall" "$cb_rss" "$pf_wall" "$pf_rss" | tee "$result"
say "table saved to $result"
