#!/usr/bin/env bash
# page_speed.sh - runs bench/page_speed.mjs: the demo site in Chromium,
# `ducksite serve` against a server that ignores Range (like the original
# Python server). Needs build/ducksite, web/dist (node scripts/bundle-web.mjs)
# and /usr/bin/chromium.
#
# Usage: bench/page_speed.sh [RUNS]      (cold loads per page and server, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f web/dist/ducksite.js ] || node scripts/bundle-web.mjs
exec node bench/page_speed.mjs "$@"
