// chart.js - a chart block drawn with ECharts: the option for a block's keys
// and a query result (buildOption), and the view that draws it, handles
// clicks and resizing (ChartView).
//
// Types come from the registry in charts/registry.js, one module per family:
// bar, line, area (charts/cartesian.js), scatter/effectScatter with a linear
// trendline (charts/scatter.js), pie/donut (charts/pie.js), heatmap, gauge,
// funnel; option_column passes a whole ECharts option through
// (charts/passthrough.js); any other type is drawn like bar with that series
// type.  The rarer families (histogram, box plot, sankey, treemap, calendar,
// maps, small multiples: charts/extra.js) are a file of their own, loaded
// before the first draw of a chart that needs them; maps (charts/geo.js) then
// load their geometry.
//
// Charts follow the page's theme (theme.js): each theme is an ECharts theme
// (charts/theme.js), and a change of theme redraws every chart with the
// other one.  For print a chart is drawn again with the SVG renderer in the
// light theme, so paper and PDF get vector pictures at any resolution.
import { Frame, h } from './dom.js';
import { downloadCsv, toCsv } from './format.js';
import { Columns, facetLayout, get, mapOf } from './charts/common.js';
import { builderFor, extra, loadExtra, needsExtra } from './charts/registry.js';
import { THEME_NAMES, echartsTheme } from './charts/theme.js';
import { activeTheme, isPrinting } from './theme.js';

export { linearFit } from './charts/scatter.js';
export { PALETTE, THEME, THEME_NAMES, echartsTheme } from './charts/theme.js';

let themeRegistered = false;
// The width charts are laid out at for paper, in CSS pixels: an A4 or
// Letter page's text width (ducksite.css print margins).  On paper every
// component takes the whole width (the grid stacks below 900 px).
const PAPER_WIDTH = 700;

/** The reader's system asks for reduced motion (prefers-reduced-motion). */
function lessMotion() {
  return Boolean(window.matchMedia?.('(prefers-reduced-motion: reduce)').matches);
}

function echartsLib() {
  const lib = window.echarts;
  if (!lib) throw new Error('ECharts is not loaded (assets/echarts.min.js)');
  if (!themeRegistered) {
    for (const name of THEME_NAMES) lib.registerTheme(`ducksite-${name}`, echartsTheme(name));
    themeRegistered = true;
  }
  return lib;
}

/**
 * The ECharts option for SPEC (a chart block's keys) over RESULT
 * ({columns, rows}), for THEME ('light' or 'dark'). Throws a readable Error
 * when a named column is missing.
 */
export function buildOption(spec, result, theme = 'dark') {
  const cols = new Columns(result);
  const opt = builderFor(spec)(spec, result, cols, theme);
  const title = get(spec, 'title');
  if (title !== undefined) {
    if (!opt.title) opt.title = { text: title, left: 8, top: 4 };
    else if (!Array.isArray(opt.title) && !opt.title.text) opt.title.text = title;
  }
  if (opt.backgroundColor === undefined) opt.backgroundColor = 'transparent';
  return opt;
}

// ---------------------------------------------------------------------------

// The category names along series S's category axis, if it has one.
function categoryData(option, s) {
  for (const [axes, index] of [[option.xAxis, s.xAxisIndex], [option.yAxis, s.yAxisIndex]]) {
    const a = axes?.[index || 0];
    if (a?.type === 'category' && Array.isArray(a.data)) return a.data.map((c) => (c && typeof c === 'object' ? c.value : c));
  }
  return null;
}

export class ChartView {
  constructor(el, id, spec, { onClick, selection } = {}) {
    this.id = id;
    this.spec = spec || {};
    this.el = el;
    // The picture the build drew (src/site/firstpaint.c) stays until the
    // first live draw.
    this.firstPaint = [...el.querySelectorAll(':scope > img.ds-first-paint')];
    // The title is the frame's heading, not ECharts' text: it wraps on a
    // narrow screen beside the buttons instead of running under them, and
    // shows while the data is on its way.  A chart without a title keeps
    // its buttons over its top right corner.
    const title = get(this.spec, 'title');
    this.frame = new Frame(el, { kind: 'chart', title: title ?? '' });
    if (!title) this.frame.head.classList.add('ds-head-overlay');
    // The CSV button shows once there are rows to download.
    this.csvButton = this.frame.button('CSV', `Download ${id}.csv`, () => this.download());
    this.csvButton.classList.add('ds-download');
    this.csvButton.hidden = true;
    this.root = h('div', { class: 'ducksite-chart-root ds-chart-root' });
    const height = get(this.spec, 'height');
    if (height) this.root.style.height = /^\d+$/.test(height) ? `${height}px` : height;
    this.frame.body.append(this.root);
    this.root.append(...this.firstPaint);
    if (!height) this.holdHeight();
    // The rarer chart families are a file of their own: fetched now, while
    // the data is on its way.
    if (needsExtra(this.spec)) loadExtra().catch(() => { /* render() reports it */ });
    this.onClick = onClick;
    // What shows the input a click sets (page/inputs.js selection()), or null.
    this.selection = selection || null;
    this.chart = null;
    this.drawnAs = null; // the theme and renderer this.chart was made with
    this.result = null;
    this.ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.resize()) : null;
    this.ro?.observe(this.root);
    // ECharts is set up now, while the page's first results are still on
    // their way, rather than when the first one arrives.
    if (window.echarts) this.ensureChart(echartsLib());
    this.redraw = () => {
      if (!this.result || !window.echarts) return;
      this.render(this.result);
    };
    window.addEventListener('ducksite:theme', this.redraw);
    window.addEventListener('ducksite:print', this.redraw);
  }

  // Until the chart is drawn, its box has the height it will have: that of
  // the build's picture (calendars and small multiples ask for their own),
  // for small multiples the height of their count at this box's width.
  holdHeight() {
    const img = this.firstPaint[0];
    if (!img) return;
    const facets = Number(img.dataset.dsFacets);
    const px = facets > 0 && get(this.spec, 'facet')
      ? facetLayout(this.spec, facets, this.root.clientWidth).total
      : Number(img.getAttribute('height'));
    if (px > 0) this.root.style.height = `${px}px`;
  }

  ensureChart(lib) {
    const theme = activeTheme();
    const renderer = isPrinting() ? 'svg' : 'canvas';
    const as = `${theme}/${renderer}`;
    if (this.chart && this.drawnAs === as) return;
    if (this.chart) this.chart.dispose();
    this.drawnAs = as;
    this.root.dataset.theme = theme;
    // For paper the size is given, not measured: print styles may already
    // apply (print emulation, a PDF export), where the box has no height of
    // its own; the picture then scales to the paper (fitToPaper).
    const size = renderer === 'svg' ? { width: PAPER_WIDTH, height: Number.parseFloat(this.root.style.height) || 360 } : {};
    this.chart = lib.init(this.root, `ducksite-${theme}`, { renderer, ...size });
    // ECharts empties the box it is given: the build's picture goes back on
    // top until the first live draw (dropFirstPaint).
    if (this.firstPaint.length) this.root.append(...this.firstPaint);
    this.chart.on('click', (p) => {
      if (!this.onClick || !this.result) return;
      const r = p.data && typeof p.data === 'object' && p.data.__row !== undefined ? p.data.__row : p.dataIndex;
      this.onClick(this.result.rows[r] ?? null, p, p.event?.event, this.result.columns);
      // ECharts toggles what it selects on a click by itself: the input's
      // value, set or not by the click, decides.
      this.showSelected();
    });
  }

  setLoading(on) {
    this.frame.setLoading(on);
  }

  showError(query, message) {
    this.dropFirstPaint();
    const box = this.frame.showError(query, message);
    const title = get(this.spec, 'title');
    if (title) box.prepend(h('div', { class: 'ds-error-context', text: title }));
  }

  resize() {
    if (!this.chart || this.root.clientWidth <= 0 || isPrinting()) return;
    if (needsExtra(this.spec) && !extra()) return; // not drawn yet: render() draws at the width it finds
    // Builders lay out for the width they get (small multiples' columns, a
    // calendar's month names, which treemap labels fit) and a map for its
    // box's proportions: a new width draws the option again; a new height
    // alone (which draw() itself may set) only resizes.
    const geoReady = !mapOf(this.spec) || window.echarts?.getMap(`ducksite-${mapOf(this.spec)}`);
    const relayout = this.root.clientWidth !== this.drawnWidth || (mapOf(this.spec) && this.root.clientHeight !== this.drawnHeight);
    if (this.result && geoReady && relayout) this.draw(window.echarts, this.result);
    else this.chart.resize();
  }

  /** Draws RESULT; a promise when a map's geometry must be fetched first. */
  render(result) {
    this.frame.clearError();
    this.result = result;
    const lib = echartsLib();
    if (needsExtra(this.spec) && !extra()) return loadExtra().then(() => this.render(result));
    const map = mapOf(this.spec);
    if (map && !lib.getMap(`ducksite-${map}`)) {
      return extra().loadGeo(lib, map, import.meta.url).then(() => this.draw(lib, result));
    }
    return this.draw(lib, result);
  }

  draw(lib, result) {
    // Builders may lay out for the width they get (__width: small multiples
    // in one column, short month names on a narrow calendar); paper's is
    // PAPER_WIDTH.
    const paper = isPrinting();
    const width = paper ? PAPER_WIDTH : this.root.clientWidth;
    const height = paper ? Number.parseFloat(this.root.style.height) || 360 : this.root.clientHeight;
    // The title is the frame's (constructor), so the option has none.
    const option = buildOption({ ...this.spec, title: undefined, __width: width || undefined, __height: height || undefined }, result, activeTheme());
    // Regions a map could not place are named once per draw (docs/pages.md, Maps).
    if (option.__unmatched?.length && !paper) {
      console.warn(`ducksite: chart '${this.id}': ${option.__unmatched.length} value(s) match no region of the ${option.__geo} map and are not shown: ${option.__unmatched.slice(0, 20).join(', ')}`);
    }
    // Calendars and small multiples know how tall they need to be (set
    // before the chart is made: paper's SVG takes the box's height).
    if (option.__height && !get(this.spec, 'height')) this.root.style.height = `${option.__height}px`;
    this.ensureChart(lib);
    // Paper gets the final picture at once, and so does a reader whose
    // system asks for less motion (docs/runtime.md, "Motion").
    if (paper || lessMotion()) option.animation = false;
    // A chart that sets an input by click shows the item holding its value.
    if (this.selection) for (const s of [].concat(option.series || [])) s.selectedMode ??= 'multiple';
    this.chart.setOption(option, { notMerge: true });
    // Also settles the first draw at once (a resize skips the entry
    // animation), so what the reader sees, and clicks, is the final chart.
    if (this.root.clientWidth > 0 && !paper) this.chart.resize();
    // Labels that only the drawn layout shows do not fit (treemap boxes).
    const refit = option.__fitLabels?.(this.chart);
    if (refit) this.chart.setOption(refit);
    this.drawnWidth = this.root.clientWidth;
    this.drawnHeight = this.root.clientHeight;
    this.showSelected();
    if (paper) this.fitToPaper();
    this.dropFirstPaint();
    this.root.dataset.points = String(result.rows.length);
    this.csvButton.hidden = !result.rows.length;
    if (this.onClick) this.root.classList.add('ds-clickable');
  }

  // Paper is narrower than the screen the chart was laid out on, and the
  // browser lays out print without telling the page: the SVG scales to
  // the width it gets (ducksite.css) from its own coordinates.
  fitToPaper() {
    const svg = this.root.querySelector('svg');
    if (!svg || svg.hasAttribute('viewBox')) return;
    const w = Number.parseFloat(svg.getAttribute('width'));
    const ht = Number.parseFloat(svg.getAttribute('height'));
    if (w > 0 && ht > 0) svg.setAttribute('viewBox', `0 0 ${w} ${ht}`);
  }

  /**
   * Marks the bars, points, slices or regions that hold the current value
   * of the input a click sets (ECharts' select state, styled per series type
   * by charts/theme.js) and clears the others: after each draw, after a
   * click, and when the input changes elsewhere (page.js).
   */
  showSelected() {
    if (!this.selection || !this.chart || !this.result) return;
    const wanted = this.selection.values();
    const option = this.chart.getOption();
    (option.series || []).forEach((s, si) => {
      const data = s.data || [];
      if (!data.length) return;
      const all = data.map((d, i) => i);
      this.chart.dispatchAction({ type: 'unselect', seriesIndex: si, dataIndex: all });
      if (!wanted.size) return;
      const categories = categoryData(option, s);
      const hit = all.filter((i) => {
        const d = data[i];
        const r = d && typeof d === 'object' && d.__row !== undefined ? d.__row : i;
        const name = d && typeof d === 'object' && !Array.isArray(d) && d.name !== undefined ? d.name : categories?.[i];
        const v = this.selection.valueOf(this.result.rows[r], this.result.columns, name);
        return v !== undefined && v !== null && wanted.has(String(v));
      });
      if (hit.length) this.chart.dispatchAction({ type: 'select', seriesIndex: si, dataIndex: hit });
    });
  }

  dropFirstPaint() {
    for (const img of this.firstPaint) img.remove();
    this.firstPaint = [];
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
