#!/usr/bin/env bash
# The whole test suite from a clean clone: system packages, npm packages, build, then every
# test (unit, PGlite and PostgreSQL integration, Radicale CalDAV, Chromium end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# PostgreSQL's server binaries (initdb, pg_ctl) live outside PATH on Debian.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pg_bin" ] && export PATH="$PATH:$pg_bin"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# One plain closing line for CI: "N passed, N failed, N skipped".
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
