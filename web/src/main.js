// main.js - entry point of the Ducksite browser runtime (bundled by
// scripts/bundle-web.mjs into web/dist/ducksite.js, served as
// /assets/ducksite.js?v=HASH).  The page must also load
// /assets/echarts.min.js (window.echarts) before this module.
import { boot } from './page.js';

// The DuckDB-Wasm engine is not loaded here: page.js fetches it only when a
// result is needed that the build did not store.

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot, { once: true });
} else {
  boot();
}
