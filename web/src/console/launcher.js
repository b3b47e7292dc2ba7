// console/launcher.js - what every page carries of the SQL console: the nav
// button, the keyboard shortcut and each chart's and table's "SQL" button.
// The console itself (console.js, with CodeMirror) is a bundle of its own,
// console-HASH.js (scripts/bundle-web.mjs), imported the first time it is
// opened, so a page that never opens it fetches nothing more.

import { lazy, navButton } from '../dom.js';

const load = lazy(() => import('./console.js'));

/** Ctrl+` (the key left of 1, whatever the layout), on every platform. */
export function isShortcut(ev) {
  return ev.ctrlKey && !ev.altKey && !ev.metaKey && ev.code === 'Backquote';
}

/**
 * Adds the console to the page: CTX is what it runs with (see console.js).
 * Returns open(request), request = {component: key} or nothing.
 */
export function installConsole(ctx) {
  const open = (request = {}) => load()
    .then((m) => m.toggle(ctx, request))
    .catch((e) => console.error(`the SQL console could not be loaded: ${e.message || e}`));
  navButton('ds-console-open', 'SQL', 'SQL console (Ctrl+`)', 'Control+`', () => open(), { 'aria-haspopup': 'dialog' });
  document.addEventListener('keydown', (ev) => {
    if (!isShortcut(ev) || ev.repeat) return;
    ev.preventDefault();
    open();
  });
  return open;
}
