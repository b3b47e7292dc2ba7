// netview/launcher.js - what every page carries of the network view: the
// nav button (aria-pressed), the Alt+Shift+N shortcut, and the switch kept
// for the tab (sessionStorage, so a reload keeps it).  The view itself
// (overlay.js, with its CSS) is a bundle of its own, netview-HASH.js
// (scripts/bundle-web.mjs), imported the first time it is shown.

import { lazy, navButton } from '../dom.js';

const KEY = 'ducksite-netview';
const load = lazy(() => import('./overlay.js'));

/** Alt+Shift+N (the N key wherever the layout puts it): free in browsers and beside the console's Ctrl+`. */
export function isNetShortcut(ev) {
  return ev.altKey && ev.shiftKey && !ev.ctrlKey && !ev.metaKey && ev.code === 'KeyN';
}

function stored() {
  try {
    return sessionStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

function store(on) {
  try {
    if (on) sessionStorage.setItem(KEY, 'on');
    else sessionStorage.removeItem(KEY);
  } catch { /* storage refused: the switch lasts for this page only */ }
}

/**
 * Adds the network view's switch to the page.  CTX is what it draws from
 * (Page.netContext in page.js).  Returns {toggle(), changed(), report()}:
 * changed() when a component's result changed (redrawn if shown), report()
 * the view's numbers as data (window.ducksite.net()).
 */
export function installNetView(ctx) {
  let on = false;
  let scheduled = false;
  const draw = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      if (on) load().then((m) => m.show(ctx)).catch((e) => console.error(`the network view could not be drawn: ${e.message || e}`));
    }, 0);
  };
  let button = null;
  const set = (value) => {
    on = value;
    store(on);
    button?.setAttribute('aria-pressed', String(on));
    document.documentElement.toggleAttribute('data-ds-net', on);
    if (on) draw();
    else load().then((m) => m.hide()).catch(() => {});
  };
  button = navButton('ds-net-open', 'Net', 'Network view: where each result came from, its requests, bytes and time (Alt+Shift+N)',
    'Alt+Shift+N', () => set(!on), { 'aria-pressed': 'false' });
  document.addEventListener('keydown', (ev) => {
    if (!isNetShortcut(ev) || ev.repeat) return;
    ev.preventDefault();
    set(!on);
  });
  if (stored()) set(true);
  return {
    toggle: () => set(!on),
    changed: () => { if (on) draw(); },
    report: () => load().then((m) => m.report(ctx)),
  };
}
