#!/usr/bin/env bash
# Screenshots of the example site for a design review: home, a case study, a programme,
# /outcomes/ and search with a filter, each at 1280 and 375 CSS px wide, as PNG files.
#
#   bash scripts/screenshots.sh [FOLDER [PAGES]]   # FOLDER: target/screenshots; PAGES: all
#   bash scripts/screenshots.sh /tmp/shots home,search
#
# Builds the repository's example site with the debug binary, serves it on 127.0.0.1 and
# drives Debian's Chromium (/usr/bin/chromium, or CASEBOOK_CHROMIUM) with the browser tests'
# puppeteer-core. It also prints a few layout figures of the search page (where the first
# result's title starts at 375 × 812, the gap above the results at 1280). The folder is not
# part of the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-target/screenshots}
cargo build --quiet --bin casebook
if [ ! -d tests/browser/node_modules/puppeteer-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$out"
node scripts/screenshots.mjs "$out" "${2:-}"
