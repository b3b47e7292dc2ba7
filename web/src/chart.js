// chart.js - a chart block drawn with ECharts: the option for a block's keys
// and a query result (buildOption), and the view that draws it, handles
// clicks and resizing (ChartView).
//
// Types come from the registry in charts/registry.js, one module per family:
// bar, line, area (charts/cartesian.js), scatter/effectScatter with a linear
// trendline (charts/scatter.js), pie/donut (charts/pie.js), heatmap, gauge,
// funnel; option_column passes a whole ECharts option through
// (charts/passthrough.js); any other type is drawn like bar with that series
// type. Maps (charts/geo.js) load their geometry before their first draw.
import { Frame, h } from './dom.js';
import { downloadCsv, toCsv } from './format.js';
import { Columns, get } from './charts/common.js';
import { builderFor } from './charts/registry.js';
import { loadGeo, mapOf } from './charts/geo.js';
import { THEME } from './charts/theme.js';

export { linearFit } from './charts/scatter.js';
export { PALETTE, THEME } from './charts/theme.js';

let themeRegistered = false;

function echartsLib() {
  const lib = window.echarts;
  if (!lib) throw new Error('ECharts is not loaded (assets/echarts.min.js)');
  if (!themeRegistered) {
    lib.registerTheme('ducksite-dark', THEME);
    themeRegistered = true;
  }
  return lib;
}

/**
 * The ECharts option for SPEC (a chart block's keys) over RESULT
 * ({columns, rows}). Throws a readable Error when a named column is missing.
 */
export function buildOption(spec, result) {
  const cols = new Columns(result);
  const opt = builderFor(spec)(spec, result, cols);
  const title = get(spec, 'title');
  if (title !== undefined) {
    if (!opt.title) opt.title = { text: title, left: 8, top: 4 };
    else if (!Array.isArray(opt.title) && !opt.title.text) opt.title.text = title;
  }
  if (opt.backgroundColor === undefined) opt.backgroundColor = 'transparent';
  return opt;
}

// ---------------------------------------------------------------------------

export class ChartView {
  constructor(el, id, spec, { onClick } = {}) {
    this.id = id;
    this.spec = spec || {};
    this.el = el;
    // The picture the build drew (src/site/firstpaint.c) stays until the
    // first live draw.
    this.firstPaint = el.querySelector(':scope > img.ds-first-paint');
    this.frame = new Frame(el, { kind: 'chart' });
    this.frame.head.classList.add('ds-head-overlay');
    // The CSV button shows once there are rows to download.
    this.csvButton = this.frame.button('CSV', `Download ${id}.csv`, () => this.download());
    this.csvButton.classList.add('ds-download');
    this.csvButton.hidden = true;
    this.root = h('div', { class: 'ducksite-chart-root ds-chart-root' });
    const height = get(this.spec, 'height');
    if (height) this.root.style.height = /^\d+$/.test(height) ? `${height}px` : height;
    this.frame.body.append(this.root);
    if (this.firstPaint) this.root.append(this.firstPaint);
    this.onClick = onClick;
    this.chart = null;
    this.result = null;
    this.ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.resize()) : null;
    this.ro?.observe(this.root);
    // ECharts is set up now, while the page's first results are still on
    // their way, rather than when the first one arrives.
    if (window.echarts) this.ensureChart(echartsLib());
  }

  ensureChart(lib) {
    if (this.chart) return;
    this.chart = lib.init(this.root, 'ducksite-dark', { renderer: 'canvas' });
    this.chart.on('click', (p) => {
      if (!this.onClick || !this.result) return;
      const r = p.data && typeof p.data === 'object' && p.data.__row !== undefined ? p.data.__row : p.dataIndex;
      this.onClick(this.result.rows[r] ?? null, p, p.event?.event, this.result.columns);
    });
  }

  setLoading(on) {
    this.frame.setLoading(on);
  }

  showError(query, message) {
    this.firstPaint?.remove();
    this.firstPaint = null;
    const box = this.frame.showError(query, message);
    const title = get(this.spec, 'title');
    if (title) box.prepend(h('div', { class: 'ds-error-context', text: title }));
  }

  resize() {
    if (!this.chart || this.root.clientWidth <= 0) return;
    // A map is laid out for its box's proportions: drawn again for the new ones.
    if (this.result && mapOf(this.spec) && window.echarts?.getMap(`ducksite-${mapOf(this.spec)}`)) this.draw(window.echarts, this.result);
    else this.chart.resize();
  }

  /** Draws RESULT; a promise when a map's geometry must be fetched first. */
  render(result) {
    this.frame.clearError();
    this.result = result;
    const lib = echartsLib();
    const map = mapOf(this.spec);
    if (map && !lib.getMap(`ducksite-${map}`)) {
      return loadGeo(lib, map, import.meta.url).then(() => this.draw(lib, result));
    }
    return this.draw(lib, result);
  }

  draw(lib, result) {
    // Builders may lay out for the width they get (__width: small multiples
    // in one column, short month names on a narrow calendar).
    const option = buildOption({ ...this.spec, __width: this.root.clientWidth || undefined, __height: this.root.clientHeight || undefined }, result);
    // Regions a map could not place are named once per draw (docs/pages.md, Maps).
    if (option.__unmatched?.length) {
      console.warn(`ducksite: chart '${this.id}': ${option.__unmatched.length} value(s) match no region of the ${option.__geo} map and are not shown: ${option.__unmatched.slice(0, 20).join(', ')}`);
    }
    // Calendars and small multiples know how tall they need to be.
    if (option.__height && !get(this.spec, 'height')) this.root.style.height = `${option.__height}px`;
    this.ensureChart(lib);
    this.chart.setOption(option, { notMerge: true });
    // Also settles the first draw at once (a resize skips the entry
    // animation), so what the reader sees, and clicks, is the final chart.
    if (this.root.clientWidth > 0) this.chart.resize();
    this.firstPaint?.remove();
    this.firstPaint = null;
    this.root.dataset.points = String(result.rows.length);
    this.csvButton.hidden = !result.rows.length;
    if (this.onClick) this.root.classList.add('ds-clickable');
  }

  /** The option last drawn (tests read it through window.ducksite). */
  option() {
    return this.chart && this.result ? this.chart.getOption() : null;
  }

  download() {
    if (!this.result) return;
    const { columns, rows } = this.result;
    const idx = columns.map((c, i) => i).filter((i) => !columns[i].name.startsWith('__fmt_'));
    downloadCsv(`${this.id}.csv`, toCsv(columns, rows, idx));
  }
}
