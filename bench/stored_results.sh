#!/usr/bin/env bash
# stored_results.sh - runs bench/stored_results.mjs: the demo built with
# stored results (A) and with --no-prerender (B), both served by `ducksite
# serve --no-build --no-watch`, cold loads in Chromium: first chart, all
# components ok, bytes, engine bytes, region dropdown switches, the first
# live result of a text input, whole-file against ranged reads. Needs
# build/ducksite, web/dist (node scripts/bundle-web.mjs) and /usr/bin/chromium.
#
# Usage: bench/stored_results.sh [RUNS]      (cold loads per page and build, default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f web/dist/ducksite.js ] || node scripts/bundle-web.mjs
exec node bench/stored_results.mjs "$@"
