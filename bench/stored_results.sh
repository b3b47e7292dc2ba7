#!/usr/bin/env bash
# stored_results.sh - runs bench/stored_results.mjs: the demo built with and
# without stored results (--no-prerender), both served by `ducksite serve`,
# cold loads in Chromium: first chart, bytes, engine bytes, a stored dropdown
# switch and the first live result of a text input. Needs build/ducksite,
# web/dist (node scripts/bundle-web.mjs) and /usr/bin/chromium.
#
# Usage: bench/stored_results.sh [RUNS]      (cold loads per page and build, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f web/dist/ducksite.js ] || node scripts/bundle-web.mjs
exec node bench/stored_results.mjs "$@"
