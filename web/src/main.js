// main.js - entry point of the Ducksite browser runtime (bundled by
// scripts/bundle-web.mjs into web/dist/ducksite.js, served as
// /assets/ducksite.js?v=HASH).  The page must also load
// /assets/echarts.min.js (window.echarts) before this module.
import { engine } from './duckdb.js';
import { boot } from './page.js';

engine().catch(() => {}); // start fetching the engine as early as possible

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot, { once: true });
} else {
  boot();
}
