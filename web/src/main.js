// main.js - entry point of the Ducksite browser runtime (bundled by
// scripts/bundle-web.mjs into web/dist/ducksite.js, served as
// /assets/ducksite.js?v=HASH).  The page must also load
// /assets/echarts.min.js (window.echarts) before this module.
import { boot } from './page.js';
import { startLive } from './live.js';
import { initNav } from './nav.js';
import { initSearch } from './search.js';
import { initTheme } from './theme.js';

// The DuckDB-Wasm engine is not loaded here: page.js fetches it only when a
// result is needed that the build did not store.

// The theme and print mode first: components draw for them.  The search
// index is fetched only when the search box is first used.  Live reload
// (only under `ducksite serve`) last: it restores the scroll of a reload.
function start() {
  initTheme();
  initNav();
  initSearch();
  boot();
  startLive();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
