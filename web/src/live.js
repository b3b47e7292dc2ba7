// live.js - live reload under `ducksite serve` (docs/serve.md).
//
// `ducksite serve` marks every page it answers with the Server-Timing entry
// "ducksite-live"; only then does the page subscribe to its event stream
// (/_ducksite/events).  A page served by any other host has no such entry:
// it makes no request and shows nothing of this.  After a rebuild that
// changed this page's HTML (or the runtime, which every page runs), the
// page reloads: its inputs are in its URL already, and its scroll position
// is kept in sessionStorage over the reload.  A failed rebuild shows its
// error over the page until a rebuild works again.
import { h } from './dom.js';

const MARK = 'ducksite-live';
const QUERIES_MARK = 'ducksite-queries';
const SCROLL_KEY = 'ducksite-live-scroll';

function marked(name) {
  const nav = globalThis.performance?.getEntriesByType?.('navigation')?.[0];
  return !!nav?.serverTiming?.some((e) => e.name === name);
}

/** True when the server that answered this page offers live reload. */
export function servedLive() {
  return marked(MARK);
}

/**
 * True when the server that answered this page computes live queries
 * (`ducksite serve` with [serve] live_queries = true marks its pages
 * "ducksite-queries"; page/queries.js asks it only then).
 */
export function servedQueries() {
  return marked(QUERIES_MARK);
}

/** The outputs (paths inside static/) that can be the page at PATHNAME. */
export function pageOutputs(pathname) {
  let p;
  try {
    p = decodeURIComponent(pathname);
  } catch {
    p = pathname;
  }
  p = p.replace(/^\/+/, '');
  if (p === '' || p.endsWith('/')) return [`${p}index.html`];
  if (p.endsWith('.html')) return [p];
  return [`${p}.html`, `${p}/index.html`];
}

/** Whether a "reload" event (livemsg.h) concerns the page at PATHNAME. */
export function concerns(event, pathname) {
  if (event.all) return true;
  const mine = pageOutputs(pathname);
  return (event.pages || []).some((p) => mine.includes(p));
}

function reloadKeepingPlace() {
  try {
    sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: location.pathname, x: scrollX, y: scrollY }));
  } catch { /* storage off: the browser's own restoration remains */ }
  location.reload();
}

// The page grows while its components render: the saved position is
// applied again as it does, until it is reached, the reader scrolls, or
// three seconds pass.
function restoreScroll() {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || 'null');
    sessionStorage.removeItem(SCROLL_KEY);
  } catch {
    return;
  }
  if (!saved || saved.path !== location.pathname) return;
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  const apply = () => scrollTo(saved.x, saved.y);
  apply();
  const observer = new ResizeObserver(() => {
    apply();
    if (Math.abs(scrollY - saved.y) < 1) stop();
  });
  const stop = () => {
    observer.disconnect();
    for (const t of ['wheel', 'keydown', 'touchstart', 'mousedown']) removeEventListener(t, stop, true);
  };
  observer.observe(document.body);
  for (const t of ['wheel', 'keydown', 'touchstart', 'mousedown']) addEventListener(t, stop, true);
  setTimeout(stop, 3000);
}

function hideError() {
  document.getElementById('ds-live-error')?.remove();
}

/** The overlay for a "build-error" event: {file, line, message, text}. */
export function errorOverlay(err) {
  const where = err.file ? `${err.file}${err.line ? `:${err.line}` : ''}` : '';
  return h('div', { id: 'ds-live-error', class: 'ds-live-error', role: 'alert' },
    h('div', { class: 'ds-live-error-head' },
      h('strong', { text: 'The rebuild failed' }),
      h('span', { class: 'ds-live-error-note', text: 'this page is the last good build; save a fix to rebuild' }),
      h('button', { type: 'button', class: 'ds-live-error-close', 'aria-label': 'Hide', text: '×', onclick: hideError })),
    where ? h('div', { class: 'ds-live-error-where', text: where }) : null,
    h('pre', { class: 'ds-live-error-message', text: err.message || err.text || '' }));
}

function showError(err) {
  hideError();
  document.body.append(errorOverlay(err));
}

function onEvent(name, data) {
  if (name === 'reload' && concerns(data, location.pathname)) reloadKeepingPlace();
  else if (name === 'build-error') showError(data);
  else if (name === 'build-ok') hideError();
}

// A browser keeps at most six HTTP/1.1 connections to one server: a stream
// per tab would leave a writer with many tabs open unable to load pages.
// One tab of the site (the holder of a Web Lock) listens and passes each
// event on to the others (a BroadcastChannel); when it closes, the lock and
// the stream go to another tab.
function listen(channel) {
  const events = new EventSource('/_ducksite/events');
  for (const name of ['reload', 'build-error', 'build-ok']) {
    events.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      channel?.postMessage({ name, data });
      onEvent(name, data);
    });
  }
  return new Promise(() => {}); // held while the tab lives
}

/** Restores the scroll of a live reload and, under `ducksite serve`, listens. */
export function startLive() {
  restoreScroll();
  if (!servedLive() || typeof EventSource === 'undefined') return;
  if (!globalThis.BroadcastChannel || !navigator.locks) {
    listen(null);
    return;
  }
  const channel = new BroadcastChannel(`ducksite-live:${location.host}`);
  channel.onmessage = (e) => onEvent(e.data.name, e.data.data);
  navigator.locks.request(`ducksite-live:${location.host}`, () => listen(channel));
}
