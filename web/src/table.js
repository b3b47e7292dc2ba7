// table.js - sortable, paginated result tables with formatted numbers,
// format colours/highlights and a CSV download; a search box, a totals row,
// conditional formatting (table/conditional.js, table/totals.js), links to
// another page per value (link_column), a scroll box of a set height.  In
// print (theme.js) a table shows all its rows, up to PRINT_MAX_ROWS, not one
// page of them, and no scroll box.
import { Frame, h } from './dom.js';
import { columnFormatter, compareValues, downloadCsv, formatPlain, formatValue, isBold, isNumeric, toCsv, withColumnFormat } from './format.js';
import { formatColumn, truthy } from './sql.js';
import { dataBar, range, scaleColor, thresholdColor } from './table/conditional.js';
import { aggregate, totalPlan } from './table/totals.js';
import { isPrinting } from './theme.js';

const DEFAULT_PAGE_SIZE = 50;
// The scroll box's height unless the block sets `height` (docs/pages.md).
export const DEFAULT_HEIGHT = 640;
// Paper is not a scroll box, but a table of a million rows is no document:
// print stops here and says how many rows were left out.
export const PRINT_MAX_ROWS = 2000;
// A table longer than this may run over pages in print (header repeated).
const PRINT_LONG_ROWS = 25;

const flagOn = (v) => String(v ?? '').trim() === 'true';

/** The URL of PAGE (a site path such as customers/detail) with INPUT=VALUE. */
export function linkHref(page, input, value) {
  const path = String(page).trim().replace(/^\/+/, '').replace(/\.html$/, '');
  const enc = path.split('/').map(encodeURIComponent).join('/');
  return `/${enc}.html?${encodeURIComponent(input)}=${encodeURIComponent(value)}`;
}
const countFmt = new Intl.NumberFormat('en-US');

export class TableView {
  /**
   * EL: the placeholder; ID: table id; SPEC: its page-config entry;
   * onCellClick(rowValues, columnIndex, event) when click_input is set.
   */
  constructor(el, id, spec, { onCellClick, selection } = {}) {
    this.id = id;
    this.el = el;
    this.spec = spec || {};
    this.onCellClick = onCellClick;
    // What shows the input a click sets (page/inputs.js selection()), or null.
    this.selection = selection || null;
    this.frame = new Frame(el, { title: this.spec.title || '', kind: 'table' });
    this.query = '';
    if (flagOn(this.spec.search)) {
      this.searchBox = h('input', {
        type: 'search', class: 'ds-table-search', placeholder: 'Search…', 'aria-label': `Search ${this.spec.title || id}`,
        oninput: () => { this.query = this.searchBox.value.trim().toLowerCase(); this.page = 0; if (this.result) this.draw(); },
      });
      this.frame.actions.append(this.searchBox);
    }
    // The CSV button shows once there are rows to download.
    this.csvButton = this.frame.button('CSV', `Download ${id}.csv`, () => this.download());
    this.csvButton.classList.add('ds-download');
    this.csvButton.hidden = true;
    const height = String(this.spec.height ?? '').trim();
    this.maxHeight = height === 'auto' ? '' : /^\d+$/.test(height) ? `${height}px` : `${DEFAULT_HEIGHT}px`;
    const ps = String(this.spec.page_size ?? this.spec['page-size'] ?? '').trim().toLowerCase();
    this.pageSize = ps === 'all' || ps === '0' ? Infinity : Number.parseInt(ps, 10) > 0 ? Number.parseInt(ps, 10) : DEFAULT_PAGE_SIZE;
    this.result = null;
    this.sort = null; // {col: index, dir: 1 | -1}
    this.page = 0;
    this.order = [];
    // The build's row count of the default result (src/site/html.c): until
    // the rows arrive, a skeleton of the size the table will have.
    const rows = Number.parseInt(el.dataset.dsRows ?? '', 10);
    if (rows >= 0) this.skeleton(rows);
    window.addEventListener('ducksite:print', () => { if (this.result) this.draw(); });
  }

  setLoading(on) { this.frame.setLoading(on); }

  /**
   * Blank rows as tall as those of a result of N rows will be, in the same
   * header, scroll box, totals row and footer (with its pager when there
   * will be more than a page), so the box keeps its size when they come.
   */
  skeleton(n) {
    const blank = '\u00a0';
    const shown = Math.min(n, this.pageSize);
    const body = n === 0
      ? [h('tr', { class: 'ds-empty-row' }, h('td', { class: 'ds-empty' }, blank))]
      : Array.from({ length: shown }, () => h('tr', {}, h('td', {}, h('span', { class: 'ds-skeleton-bar' }), blank)));
    const parts = [
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'ds-sort' }, blank)))),
      h('tbody', {}, body),
    ];
    if (flagOn(this.spec.totals) && n) parts.push(h('tfoot', {}, h('tr', { class: 'ds-totals' }, h('td', {}, blank))));
    const scroll = h('div', { class: 'ds-table-scroll' }, h('table', { class: 'ducksite-table ds-grid-table ds-skeleton', 'aria-hidden': 'true' }, ...parts));
    scroll.style.maxHeight = this.maxHeight || 'none';
    this.frame.body.replaceChildren(scroll);
    const foot = [h('span', { class: 'ds-rowcount' }, blank)];
    if (n > shown) {
      foot.push(h('span', { class: 'ds-pager' },
        h('button', { type: 'button', class: 'ds-btn ds-btn-small', disabled: true }, '‹ Prev'),
        h('span', { class: 'ds-pageno' }, blank),
        h('button', { type: 'button', class: 'ds-btn ds-btn-small', disabled: true }, 'Next ›')));
    }
    this.frame.foot.replaceChildren(...foot);
  }

  showError(query, message) { this.frame.showError(query, message); }

  render(result) {
    this.frame.clearError();
    const prevSortName = this.sort && this.result ? this.result.columns[this.sort.col]?.name : null;
    this.result = result;
    const { columns, rows } = result;
    this.visible = columns.map((c, i) => i).filter((i) => !columns[i].name.startsWith('__fmt_'));
    const index = new Map(columns.map((c, i) => [c.name, i]));
    const fmtIdx = (target, which) => index.get(formatColumn('table', target, which)) ?? -1;
    // Format targets that are not columns style the whole row.
    const format = this.spec.format || {};
    const targets = Object.keys(format);
    const rowTargets = targets.filter((t) => !this.visible.some((i) => columns[i].name === t));
    // decimals and prefix change a column's text: a target that is no column
    // would silently do nothing, so it is an error in the component.
    for (const t of rowTargets) {
      for (const k of ['decimals', 'prefix']) {
        if (format[t] && format[t][k] !== undefined) {
          throw new Error(`format '${t}': '${t}' is not a column of the result, so ${k} has nothing to format (columns: ${this.visible.map((i) => columns[i].name).join(', ')})`);
        }
      }
    }
    this.rowFmt = rowTargets
      .map((t) => ({ bg: fmtIdx(t, 'bg'), fg: fmtIdx(t, 'fg'), hl: fmtIdx(t, 'hl'), bold: isBold(format[t]) }));
    this.cellFmt = columns.map((c) => ({ bg: fmtIdx(c.name, 'bg'), fg: fmtIdx(c.name, 'fg'), hl: fmtIdx(c.name, 'hl'), bold: isBold(format[c.name]) }));
    this.formatters = columns.map((c, i) => withColumnFormat(columnFormatter(c.kind, rows.map((r) => r[i]), c.name), c.kind, format[c.name], c.name));
    // Colour scales and data bars span the column's values over all rows.
    this.ranges = columns.map((c, i) => (format[c.name] && (format[c.name].color_scale || flagOn(format[c.name].data_bar)) ? range(rows.map((r) => r[i])) : null));
    this.format = format;
    const linkCol = String(this.spec.link_column ?? '').trim();
    this.link = null;
    if (linkCol) {
      const li = this.visible.find((i) => columns[i].name === linkCol);
      if (li === undefined) throw new Error(`link_column '${linkCol}' is not a column of the result (columns: ${this.visible.map((i) => columns[i].name).join(', ')})`);
      this.link = { col: li, page: String(this.spec.link_page ?? '').trim(), input: String(this.spec.link_input ?? '').trim() || linkCol };
    }
    this.totals = flagOn(this.spec.totals) ? totalPlan(columns, format) : null;
    this.rowText = null;
    this.csvButton.hidden = !rows.length;
    if (prevSortName !== null) {
      const col = columns.findIndex((c) => c.name === prevSortName);
      this.sort = col >= 0 ? { col, dir: this.sort.dir } : null;
    }
    this.page = 0;
    this.applySort();
    this.draw();
  }

  applySort() {
    const rows = this.result.rows;
    this.order = rows.map((_, i) => i);
    if (!this.sort) return;
    const { col, dir } = this.sort;
    this.order.sort((a, b) => {
      const va = rows[a][col];
      const vb = rows[b][col];
      const nullA = va === null || va === undefined;
      const nullB = vb === null || vb === undefined;
      if (nullA || nullB) return nullA === nullB ? a - b : nullA ? 1 : -1; // nulls last both ways
      return dir * compareValues(va, vb) || a - b;
    });
  }

  sortBy(col) {
    if (this.sort && this.sort.col === col) this.sort = { col, dir: -this.sort.dir };
    else this.sort = { col, dir: 1 };
    this.page = 0;
    this.applySort();
    this.draw();
  }

  /** The rows (indexes, in sort order) that the search leaves. */
  shownRows() {
    if (!this.query) return this.order;
    if (!this.rowText) {
      this.rowText = this.result.rows.map((row) => this.visible.map((i) => this.formatters[i](row[i])).join('\u0001').toLowerCase());
    }
    return this.order.filter((r) => this.rowText[r].includes(this.query));
  }

  pages() {
    const n = this.shownRows().length;
    return Number.isFinite(this.pageSize) ? Math.max(1, Math.ceil(n / this.pageSize)) : 1;
  }

  goto(page) {
    this.page = Math.min(Math.max(0, page), this.pages() - 1);
    this.draw();
  }

  draw() {
    const { columns, rows } = this.result;
    const vis = this.visible;
    const clickable = !!this.onCellClick;
    // On paper the header is text, not sort buttons: Chromium repeats a
    // table's header on every printed page but paints buttons in the
    // repeats blank.
    const paper = isPrinting();
    const head = h('tr', {}, vis.map((i) => {
      const c = columns[i];
      const sorted = this.sort && this.sort.col === i;
      const dir = sorted ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none';
      return h('th', {
        class: `${isNumeric(c.kind) ? 'ds-num' : ''}${sorted ? ' ds-sorted' : ''}`,
        'aria-sort': dir,
        dataset: { col: c.name },
        scope: 'col',
      }, h(paper ? 'span' : 'button', paper ? { class: 'ds-sort' } : {
        type: 'button',
        class: 'ds-sort',
        title: `Sort by ${c.name}`,
        onclick: () => this.sortBy(i),
      }, ...(() => {
        // Numbers are right-aligned: the mark goes first so that the name
        // ends where the numbers do.
        const mark = h('span', { class: 'ds-sort-mark', 'aria-hidden': 'true' }, sorted ? (this.sort.dir > 0 ? '▲' : '▼') : '');
        return isNumeric(c.kind) ? [mark, c.name] : [c.name, mark];
      })()));
    }));

    const shown = this.shownRows();
    const n = shown.length;
    const paged = Number.isFinite(this.pageSize) && !paper;
    const start = paged ? this.page * this.pageSize : 0;
    const end = paged ? Math.min(n, start + this.pageSize) : Math.min(n, paper ? PRINT_MAX_ROWS : n);
    const body = [];
    for (let k = start; k < end; k++) {
      const r = shown[k];
      const row = rows[r];
      const tr = h('tr', { dataset: { row: String(r) } });
      for (const f of this.rowFmt) styleCell(tr, row, f);
      for (const i of vis) {
        const td = h('td', {
          class: `${isNumeric(columns[i].kind) ? 'ds-num' : ''}${row[i] === null ? ' ds-null' : ''}${clickable ? ' ds-clickable' : ''}`,
          dataset: { col: String(i) },
        }, this.cellContent(row, i));
        styleCell(td, row, this.cellFmt[i]);
        this.conditional(td, row[i], i);
        tr.append(td);
      }
      body.push(tr);
    }
    if (!n) {
      const empty = rows.length ? 'No rows match the search.' : 'No data.';
      body.push(h('tr', { class: 'ds-empty-row' }, h('td', { colspan: String(Math.max(1, vis.length)), class: 'ds-empty' }, empty)));
    }
    const tbody = h('tbody', {}, body);
    if (clickable) {
      tbody.addEventListener('click', (ev) => {
        const td = ev.target.closest('td[data-col]');
        const tr = td?.parentElement;
        if (!td || !tr?.dataset.row) return;
        this.onCellClick(rows[Number(tr.dataset.row)], Number(td.dataset.col), ev, columns);
      });
    }
    const parts = [h('thead', {}, head), tbody];
    if (this.totals && n) parts.push(this.totalsRow(shown));
    const table = h('table', { class: 'ducksite-table ds-grid-table' }, ...parts);
    const scroll = h('div', { class: 'ds-table-scroll' }, table);
    scroll.style.maxHeight = paper ? 'none' : this.maxHeight || 'none';
    const cut = paper && end < n
      ? [h('p', { class: 'ds-print-note' }, `First ${countFmt.format(end)} of ${countFmt.format(n)} rows.`)] : [];
    this.frame.body.replaceChildren(scroll, ...cut);
    this.el.classList.toggle('ds-table-long', end - start > PRINT_LONG_ROWS);

    // Footer: "rows X–Y of N" and prev/next when there is more than a page.
    const pages = this.pages();
    const matching = this.query ? ` matching (of ${countFmt.format(rows.length)})` : '';
    const status = h('span', { class: 'ds-rowcount' },
      n ? `rows ${countFmt.format(start + 1)}–${countFmt.format(end)} of ${countFmt.format(n)}${matching}` : `0 rows${matching}`);
    const foot = [status];
    if (pages > 1) {
      foot.push(h('span', { class: 'ds-pager' },
        h('button', { type: 'button', class: 'ds-btn ds-btn-small ds-prev', disabled: this.page === 0, onclick: () => this.goto(this.page - 1) }, '‹ Prev'),
        h('span', { class: 'ds-pageno' }, `page ${this.page + 1} of ${pages}`),
        h('button', { type: 'button', class: 'ds-btn ds-btn-small ds-next', disabled: this.page >= pages - 1, onclick: () => this.goto(this.page + 1) }, 'Next ›')));
    }
    this.frame.foot.replaceChildren(...foot);
    this.showSelected();
  }

  /**
   * Marks what holds the current value of the input a click sets: with
   * click_value, the rows whose value it is (class ds-selected on the row
   * and on that column's cell); else the cells holding it.  Called after
   * each draw and when the input changes elsewhere (page.js).
   */
  showSelected() {
    if (!this.selection || !this.result) return;
    const wanted = this.selection.values();
    const { columns, rows } = this.result;
    const col = this.selection.column ? columns.findIndex((c) => c.name.toLowerCase() === this.selection.column.toLowerCase()) : -1;
    const holds = (v) => v !== null && v !== undefined && wanted.has(formatPlain(v));
    for (const tr of this.frame.body.querySelectorAll('tbody tr[data-row]')) {
      const row = rows[Number(tr.dataset.row)];
      const rowHit = col >= 0 && holds(row[col]);
      tr.classList.toggle('ds-selected', rowHit);
      for (const td of tr.cells) {
        const i = Number(td.dataset.col);
        td.classList.toggle('ds-selected', col >= 0 ? rowHit && i === col : holds(row[i]));
      }
    }
  }

  /** A cell's text, or a link to link_page with the value as its input. */
  cellContent(row, i) {
    const text = this.formatters[i](row[i]);
    if (!this.link || this.link.col !== i || row[i] === null || row[i] === undefined) return text;
    const v = typeof row[i] === 'bigint' ? row[i].toString() : String(row[i]);
    return h('a', { class: 'ds-table-link', href: linkHref(this.link.page, this.link.input, v) }, text);
  }

  /** Colour scale, data bar and thresholds of column I's format. */
  conditional(td, v, i) {
    const fmt = this.format[this.result.columns[i].name];
    if (!fmt) return;
    const rng = this.ranges[i];
    const scale = fmt.color_scale ? scaleColor(String(fmt.color_scale).trim(), v, rng) : '';
    if (scale) td.style.backgroundColor = scale;
    const bar = flagOn(fmt.data_bar) ? dataBar(v, rng) : '';
    if (bar) {
      td.style.backgroundImage = bar;
      td.classList.add('ds-data-bar');
    }
    const color = thresholdColor(v, fmt);
    if (color) td.style.color = color;
  }

  /** The totals row over the rows SHOWN (those the search leaves). */
  totalsRow(shown) {
    const { columns, rows } = this.result;
    let labelled = false;
    const cells = this.visible.map((i) => {
      const how = this.totals[i];
      const value = how === 'none' ? null : aggregate(shown.map((r) => rows[r][i]), how);
      const numeric = isNumeric(columns[i].kind) || how === 'count';
      let text = '';
      if (value !== null) {
        // An average of whole numbers is not one: shown as any number.
        text = how === 'count' || (how === 'avg' && columns[i].kind === 'int' && !this.format[columns[i].name]?.fmt) ? formatValue(value) : this.formatters[i](value);
      } else if (!labelled && !numeric) {
        text = 'Total';
        labelled = true;
      }
      return h('td', { class: `${numeric ? 'ds-num' : ''}`, dataset: { col: String(i), total: how } }, text);
    });
    return h('tfoot', {}, h('tr', { class: 'ds-totals' }, cells));
  }

  /** The CSV of every row (in the current sort order) and visible column. */
  csv() {
    if (!this.result) return '';
    const rows = this.order.map((i) => this.result.rows[i]);
    return toCsv(this.result.columns, rows, this.visible);
  }

  download() {
    if (!this.result) return;
    downloadCsv(`${this.id}.csv`, this.csv());
  }
}

function styleCell(el, row, f) {
  if (!f) return;
  if (f.bg >= 0 && row[f.bg] !== null && String(row[f.bg]).trim() !== '') el.style.backgroundColor = String(row[f.bg]);
  if (f.fg >= 0 && row[f.fg] !== null && String(row[f.fg]).trim() !== '') el.style.color = String(row[f.fg]);
  if (f.hl >= 0 && truthy(row[f.hl])) el.classList.add('ducksite-cell-highlight', 'ds-highlight');
  if (f.bold) el.classList.add('ds-bold');
}
