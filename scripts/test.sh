#!/usr/bin/env bash
# The project's test command: every Rust test (unit, integration, doc), then the real-browser
# tests in tests/browser/ against the debug binary.
#
#   bash scripts/test.sh
#
# Browser tests need Debian's Chromium (/usr/bin/chromium) and `npm ci` in tests/browser/.
# Without them they skip with a message; with CASEBOOK_REQUIRE_BROWSER=1 (as .ci/run sets)
# they fail instead.
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
if ! command -v node >/dev/null; then
  if [ "${CASEBOOK_REQUIRE_BROWSER:-}" = 1 ]; then
    echo "scripts/test.sh: node is not installed, and CASEBOOK_REQUIRE_BROWSER=1 requires the browser tests" >&2
    exit 1
  fi
  echo "scripts/test.sh: node is not installed: skipping the browser tests in tests/browser/" >&2
  exit 0
fi
node --test "${browser_tests[@]}"
