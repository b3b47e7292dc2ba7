// theme.js - the page's theme and print mode: the theme switch in the
// navigation (follow the system → light → dark → follow the system), the
// reader's choice kept in localStorage ('ducksite-theme', read again before
// the first paint by theme-init.js), and the events components redraw on:
//   'ducksite:theme'  (detail.theme: 'light' | 'dark') when the theme in use
//                     changes, by the switch or by the system's setting
//   'ducksite:print'  (detail.print: true | false) when the page is about to
//                     be printed and when printing is over
// ducksite.css does the colours of the page itself; this module only tells
// the components drawn on canvas (charts) and the tables' row paging.

const KEY = 'ducksite-theme';
const CHOICES = ['system', 'light', 'dark'];
const LABELS = { system: 'follows the system', light: 'light', dark: 'dark' };

const darkQuery = () => window.matchMedia?.('(prefers-color-scheme: dark)');
const printQuery = () => window.matchMedia?.('print');

let printing = false;

function stored() {
  try {
    const t = window.localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** The theme components draw with: 'light' or 'dark' (light in print). */
export function activeTheme() {
  if (printing) return 'light';
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return darkQuery()?.matches ? 'dark' : 'light';
}

/** Whether the page is being printed (components draw for paper). */
export function isPrinting() {
  return printing;
}

function announce(name, detail) {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

function label(button, choice) {
  const text = `Theme: ${LABELS[choice]}${choice === 'system' ? ` (${activeTheme()})` : ''}; click to change`;
  button.setAttribute('aria-label', text);
  button.title = text;
  button.dataset.choice = choice;
}

/** Sets the reader's choice ('system', 'light' or 'dark'). */
export function chooseTheme(choice) {
  const before = activeTheme();
  try {
    if (choice === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, choice);
  } catch { /* not kept: still applied to this page */ }
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  const button = document.querySelector('.ds-theme-toggle');
  if (button) label(button, choice);
  if (activeTheme() !== before) announce('ducksite:theme', { theme: activeTheme() });
}

function setPrinting(on) {
  if (on === printing) return;
  printing = on;
  announce('ducksite:print', { print: on });
}

/** Wires the switch and the system's and the printer's media queries. */
export function initTheme() {
  const button = document.querySelector('.ds-theme-toggle');
  if (button) {
    label(button, stored());
    button.addEventListener('click', () => {
      const next = CHOICES[(CHOICES.indexOf(stored()) + 1) % CHOICES.length];
      chooseTheme(next);
    });
  }
  darkQuery()?.addEventListener?.('change', () => {
    if (stored() !== 'system') return;
    if (button) label(button, 'system');
    announce('ducksite:theme', { theme: activeTheme() });
  });
  // Ctrl+P fires beforeprint; print emulation and some PDF exports change
  // only the media query: either one puts components in print mode.
  window.addEventListener('beforeprint', () => setPrinting(true));
  window.addEventListener('afterprint', () => setPrinting(!!printQuery()?.matches));
  printQuery()?.addEventListener?.('change', (e) => setPrinting(e.matches));
  if (printQuery()?.matches) setPrinting(true);
}
