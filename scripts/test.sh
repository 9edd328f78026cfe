#!/usr/bin/env bash
# The project's test command: every Rust test (unit, integration, doc), then the real-browser
# tests in tests/browser/ against the debug binary.
#
#   bash scripts/test.sh
#
# Browser tests need Node.js 20+ and Debian's Chromium (/usr/bin/chromium); the script
# installs their npm packages itself. When a tool is missing it stops with one line naming it;
# CASEBOOK_SKIP_BROWSER=1 leaves the browser tests out on purpose.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo test --all-targets
cargo test --doc

# The browser tests drive target/debug/casebook; make sure it is there and current.
cargo build --bin casebook

shopt -s nullglob
browser_tests=(tests/browser/*.test.mjs tests/browser/client/*.test.mjs)
if [ ${#browser_tests[@]} -eq 0 ]; then
  echo "scripts/test.sh: no browser tests in tests/browser/" >&2
  exit 1
fi

# Browser tests are part of the suite: a missing tool fails the run with one line naming it,
# never a quiet skip. CASEBOOK_SKIP_BROWSER=1 leaves them out on purpose, and says so.
if [ "${CASEBOOK_SKIP_BROWSER:-}" = 1 ]; then
  echo "scripts/test.sh: CASEBOOK_SKIP_BROWSER=1: the browser tests in tests/browser/ were NOT run" >&2
  exit 0
fi
missing() {
  echo "scripts/test.sh: cannot run the browser tests: $1 (or set CASEBOOK_SKIP_BROWSER=1 to leave them out)" >&2
  exit 1
}
command -v node >/dev/null || missing "Node.js 20 or newer is not installed (apt-get install nodejs npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || missing "Node.js is version $node_major; version 20 or newer is needed"
chromium=${CASEBOOK_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || missing "no Chromium at $chromium (apt-get install chromium, or set CASEBOOK_CHROMIUM)"

# The npm packages (puppeteer-core, axe-core) come from the lock file, installed again only
# when it changed since the last install.
if [ ! -f tests/browser/node_modules/.package-lock.json ] ||
  [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || missing "npm is not installed (apt-get install npm)"
  echo "scripts/test.sh: installing the browser tests' npm packages (npm ci in tests/browser/)" >&2
  installed=
  for try in 1 2 3; do
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) && installed=1 && break
    echo "scripts/test.sh: npm ci failed (try $try of 3)" >&2
    sleep $((try * 5))
  done
  [ -n "$installed" ] || missing "npm ci in tests/browser/ failed three times (is the npm registry reachable?)"
fi

CASEBOOK_REQUIRE_BROWSER=1 node --test "${browser_tests[@]}"
