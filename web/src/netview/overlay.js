// netview/overlay.js - the network view: on each component, where its
// result came from (build time, server, browser engine), the requests that
// obtained it, their bytes and time, and how each data file was read (whole,
// by ranges, or whole because the server ignored ranges); at the top of the
// page, the totals and the engine's start.  Everything comes from what the
// runtime recorded in this browser (netlog.js, page/queries.js, duckdb.js),
// so it works on any host.  A bundle of its own, loaded by launcher.js.
import { h } from '../dom.js';
import {
  bytesText, fileModes, MODE_TEXT, msText, normPath, ORIGIN_TEXT, totals,
} from '../netlog.js';
import STYLE from './netview.css';

const copy = (r) => ({ what: r.what, method: r.method, url: r.url, range: r.range, status: r.status, bytes: r.bytes, ms: r.ms });

/** The view's numbers as data: {components: [...], page: {...}} (window.ducksite.net()). */
export async function report(ctx) {
  const info = await ctx.engine();
  const whole = new Set([...ctx.data.whole].map(normPath));
  const components = ctx.components().filter((c) => c.net || c.origin).map((c) => {
    const reqs = c.net ? c.net.requests : [];
    return {
      key: c.key,
      kind: c.kind,
      state: c.state,
      origin: c.origin,
      reused: c.reused,
      // Components that share a result share its ledger: its number says
      // which requests are the same ones (two HEADs of a file may look alike).
      ledger: c.net?.seq ?? null,
      ...totals(reqs),
      ms: c.net?.ms ?? null,
      wait: c.net?.wait ?? 0,
      files: c.origin === 'engine' ? fileModes(reqs, c.paths, ctx.origin, whole) : [],
      list: reqs.map(copy),
    };
  });
  const results = ctx.data.ledgers.flatMap((l) => l.requests);
  const engineReqs = info ? info.engine.requests : [];
  const consoleReqs = info ? info.console : [];
  const all = [...ctx.data.sqlLedger.requests, ...results, ...engineReqs, ...consoleReqs];
  return {
    components,
    page: {
      ...totals(all),
      sql: totals(ctx.data.sqlLedger.requests),
      stored: totals(results.filter((r) => r.what === 'result')),
      data: totals(results.filter((r) => r.what !== 'result')),
      console: totals(consoleReqs),
      engine: info && info.engine.ms !== null
        ? { bundle: info.engine.bundle, ms: info.engine.ms, ...totals(engineReqs) }
        : null,
    },
  };
}

// ---------------------------------------------------------------------------
// Drawing

function ensureStyle() {
  if (!document.getElementById('ds-netview-style')) document.head.append(h('style', { id: 'ds-netview-style' }, STYLE));
}

function originBadge(origin) {
  return h('span', { class: 'ds-net-origin', 'data-origin': origin || 'none' }, ORIGIN_TEXT[origin] || 'no result');
}

function requestsText(n) {
  return `${n}\u00a0request${n === 1 ? '' : 's'}`;
}

/** The one line a component's overlay always shows. */
function summaryLine(c) {
  const parts = [requestsText(c.requests), bytesText(c.bytes)];
  if (c.ms !== null) parts.push(msText(c.ms));
  if (c.wait >= 1) parts.push(`waited ${msText(c.wait)}`);
  const fallback = c.files.filter((f) => f.mode === 'fallback').length;
  const nums = c.reused ? `reused: no new request (obtained with ${parts.join(' · ')})` : parts.join(' · ');
  return h('span', { class: 'ds-net-line' }, originBadge(c.origin),
    h('span', { class: 'ds-net-nums' }, nums),
    c.state === 'error' ? h('span', { class: 'ds-net-warn' }, 'the query failed') : null,
    fallback ? h('span', { class: 'ds-net-warn' }, `${fallback} file${fallback === 1 ? '' : 's'} read whole: ranges not honoured`) : null);
}

function shortUrl(url) {
  try {
    const u = new URL(url, location.origin);
    return u.origin === location.origin ? `${decodeURI(u.pathname)}${u.search}` : url;
  } catch {
    return url;
  }
}

function details(c, open) {
  const files = c.files.length
    ? h('ul', { class: 'ds-net-files' }, c.files.map((f) => h('li', { 'data-mode': f.mode },
      h('code', { text: f.path }), ` ${MODE_TEXT[f.mode]}`,
      f.requests ? ` (${requestsText(f.requests)}, ${bytesText(f.bytes)})` : '')))
    : null;
  const rows = c.list.map((r) => h('tr', {},
    h('td', { text: r.method }), h('td', { class: 'ds-net-url', text: shortUrl(r.url) }),
    h('td', { text: r.range ? r.range.replace(/^bytes=/, '') : '' }), h('td', { text: r.status || 'failed' }),
    h('td', { class: 'ds-net-num', text: bytesText(r.bytes) }), h('td', { class: 'ds-net-num', text: msText(r.ms) })));
  const table = rows.length
    ? h('table', { class: 'ds-net-requests' },
      h('thead', {}, h('tr', {}, ['method', 'request', 'range', 'status', 'bytes', 'time'].map((t) => h('th', { text: t })))),
      h('tbody', {}, rows))
    : h('p', { class: 'ds-net-none', text: c.origin === 'engine' ? 'No request: every file it reads was in memory.' : 'No request.' });
  return h('details', { class: 'ds-net-details', open: open || null },
    h('summary', {}, summaryLine(c)), files, table);
}

/** A value inside prose (a span): its view is a span beside it, one line. */
function isInline(comp) {
  return comp.kind === 'value' && comp.el.tagName === 'SPAN';
}

/**
 * Where a component's view goes, never over its own controls: after a
 * table's head (its title and buttons), at the foot of a chart (whose
 * buttons float over its top), inside a card or input, beside an inline value.
 */
function place(comp, box) {
  const head = comp.el.querySelector(':scope > .ds-head');
  if (head && !head.classList.contains('ds-head-overlay')) head.after(box);
  else if (isInline(comp)) comp.el.after(box);
  else comp.el.append(box);
}

function pageSummary(p) {
  const bits = [`${requestsText(p.requests)}, ${bytesText(p.bytes)} in all`];
  if (p.stored.requests) bits.push(`stored results ${requestsText(p.stored.requests)}, ${bytesText(p.stored.bytes)}`);
  if (p.data.requests) bits.push(`data ${requestsText(p.data.requests)}, ${bytesText(p.data.bytes)}`);
  if (p.sql.requests) bits.push(`compiled SQL ${requestsText(p.sql.requests)}, ${bytesText(p.sql.bytes)}`);
  bits.push(p.engine
    ? `engine (${p.engine.bundle}) started in ${msText(p.engine.ms)}, ${requestsText(p.engine.requests)}, ${bytesText(p.engine.bytes)}`
    : 'engine not started');
  if (p.console.requests) bits.push(`SQL console ${requestsText(p.console.requests)}, ${bytesText(p.console.bytes)}`);
  return h('div', { class: 'ds-net ds-net-page', role: 'status' },
    h('span', { class: 'ds-net-title', text: 'Network' }), h('span', { class: 'ds-net-nums', text: bits.join(' · ') }));
}

/** Draws (or redraws) the view over every component and the page. */
export async function show(ctx) {
  ensureStyle();
  const rep = await report(ctx);
  if (!document.documentElement.hasAttribute('data-ds-net')) return; // switched off meanwhile
  const main = document.querySelector('main.ducksite-page') || document.body;
  const oldPage = document.querySelector('.ds-net-page');
  const page = pageSummary(rep.page);
  if (oldPage) oldPage.replaceWith(page);
  else main.prepend(page);
  const byKey = new Map(rep.components.map((c) => [c.key, c]));
  const shown = new Map([...document.querySelectorAll('.ds-net-component')].map((el) => [el.dataset.for, el]));
  for (const comp of ctx.components()) {
    const c = byKey.get(comp.key);
    const old = shown.get(comp.key);
    if (!c) {
      old?.remove();
      continue;
    }
    const attrs = { class: 'ds-net ds-net-component', 'data-for': c.key, 'data-origin': c.origin || 'none' };
    const box = isInline(comp)
      ? h('span', { ...attrs, class: `${attrs.class} ds-net-inline` }, summaryLine(c))
      : h('div', attrs, details(c, old?.querySelector('details')?.open));
    if (old) old.replaceWith(box);
    else place(comp, box);
  }
}

/** Removes the view. */
export function hide() {
  for (const el of document.querySelectorAll('.ds-net')) el.remove();
}
