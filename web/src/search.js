// search.js - site search in the navigation over the index the build
// writes (/_search.json: per page its url, title, headings and the start of
// its prose; src/site/search.c).  Keyboard first: `/` focuses the box
// (unless the reader is typing somewhere), ArrowDown/ArrowUp move through
// the results, Enter opens one, Escape closes the list (a second Escape
// leaves the box).  The index is fetched on the box's first focus, never
// before, so it costs a page nothing until it is used; it comes from the
// site's own server, so search works wherever the site does.
import { h } from './dom.js';

export const INDEX_URL = '/_search.json';
const MAX_RESULTS = 8;
const SNIPPET = 140; // characters of prose shown around a match

let index = null; // a promise of the pages, once asked for

function loadIndex() {
  if (!index) {
    index = fetch(INDEX_URL, { credentials: 'same-origin' })
      .then((r) => {
        if (!r.ok) throw new Error(`${INDEX_URL}: HTTP ${r.status}`);
        return r.json();
      })
      .then((doc) => (doc.pages || []).map((p) => ({
        ...p,
        headings: p.headings || [],
        text: p.text || '',
        lower: {
          title: (p.title || '').toLowerCase(),
          headings: (p.headings || []).map((x) => x.toLowerCase()),
          text: (p.text || '').toLowerCase(),
        },
      })))
      .catch((e) => {
        index = null; // try again on the next focus
        throw e;
      });
  }
  return index;
}

/** The words of a query, lower case. */
export function terms(query) {
  return query.toLowerCase().split(/\s+/).filter((t) => t !== '');
}

/**
 * The pages matching every term of TERMS (in the title, a heading or the
 * prose), best first: title matches, then heading matches, then prose.
 * Each hit says where it matched: {page, heading, snippet}.
 */
export function searchPages(pages, words) {
  if (!words.length) return [];
  const hits = [];
  for (const page of pages) {
    const { lower } = page;
    let score = 0;
    let ok = true;
    for (const t of words) {
      const inTitle = lower.title.includes(t);
      const inHeading = lower.headings.some((x) => x.includes(t));
      const inText = lower.text.includes(t);
      if (!inTitle && !inHeading && !inText) { ok = false; break; }
      score += (inTitle ? 100 : 0) + (inHeading ? 10 : 0) + (inText ? 1 : 0);
    }
    if (!ok) continue;
    // The heading that matches most terms, else a piece of prose around the
    // first match, else (a title match only) the prose's start.
    let heading = null;
    let best = 0;
    page.headings.forEach((text, k) => {
      const n = words.filter((t) => lower.headings[k].includes(t)).length;
      if (n > best) { best = n; heading = text; }
    });
    let snippet = null;
    if (!heading) {
      const at = Math.min(...words.map((t) => lower.text.indexOf(t)).filter((i) => i >= 0));
      snippet = excerpt(page.text, Number.isFinite(at) ? at : 0);
    }
    hits.push({ page, heading, snippet, score });
  }
  hits.sort((a, b) => b.score - a.score);
  return hits.slice(0, MAX_RESULTS);
}

function excerpt(text, at) {
  if (!text) return '';
  const from = Math.max(0, at - Math.floor(SNIPPET / 3));
  const start = from === 0 ? 0 : text.indexOf(' ', from) + 1 || from;
  const end = Math.min(text.length, start + SNIPPET);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/** TEXT as nodes, every occurrence of a term in <mark>. */
export function highlight(text, words) {
  const lower = text.toLowerCase();
  const marks = [];
  for (const t of words) {
    for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + t.length)) marks.push([i, i + t.length]);
  }
  marks.sort((a, b) => a[0] - b[0]);
  const out = [];
  let pos = 0;
  for (const [s, e] of marks) {
    if (e <= pos) continue;
    const from = Math.max(s, pos);
    if (from > pos) out.push(text.slice(pos, from));
    out.push(h('mark', {}, text.slice(from, e)));
    pos = e;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

/** Where a hit opens: the page, scrolled to the heading that matched. */
function hitUrl(hit) {
  return hit.heading ? `${hit.page.url}#:~:text=${encodeURIComponent(hit.heading)}` : hit.page.url;
}

function typing(el) {
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** Wires the search box of the navigation (html.c nav_tools), if any. */
export function initSearch() {
  const input = document.querySelector('.ds-search-input');
  if (!input) return;
  const box = input.parentElement;
  const list = h('ul', { class: 'ds-search-results', id: 'ds-search-results', role: 'listbox', hidden: true });
  box.append(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-autocomplete', 'list');
  let hits = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const select = (k) => {
    active = k;
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', i === k ? 'true' : 'false'));
    const li = list.children[k];
    if (li && li.id) {
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  };
  const status = (text) => {
    hits = [];
    active = -1;
    list.replaceChildren(h('li', { class: 'ds-search-status', role: 'presentation' }, text));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const show = async () => {
    const query = input.value;
    const words = terms(query);
    if (!words.length) { close(); return; }
    let pages;
    try {
      pages = await loadIndex();
    } catch (e) {
      status(`Search is unavailable: ${e.message}`);
      return;
    }
    if (input.value !== query) return; // a newer keystroke is on its way
    hits = searchPages(pages, words);
    if (!hits.length) { status(`No page matches “${query.trim()}”.`); return; }
    list.replaceChildren(...hits.map((hit, k) => h('li', {
      class: 'ds-search-result', id: `ds-search-result-${k}`, role: 'option', 'aria-selected': 'false',
      dataset: { url: hitUrl(hit) },
      onmousedown: (ev) => ev.preventDefault(), // keep the focus in the box
      onclick: () => { window.location.href = hitUrl(hit); },
    },
    h('span', { class: 'ds-search-title' }, highlight(hit.page.title, words)),
    h('span', { class: 'ds-search-where' }, highlight(hit.heading ? `§ ${hit.heading}` : hit.snippet, words)),
    h('span', { class: 'ds-search-url' }, hit.page.url))));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    select(0);
  };

  input.addEventListener('focus', () => {
    loadIndex().catch(() => { /* said when a query is typed */ });
    if (input.value) show();
  });
  input.addEventListener('input', show);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (!hits.length) return;
      ev.preventDefault();
      if (list.hidden) { show(); return; }
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      select((active + step + hits.length) % hits.length);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      const hit = hits[active >= 0 ? active : 0];
      if (hit && !list.hidden) window.location.href = hitUrl(hit);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      if (!list.hidden) close();
      else { input.value = ''; input.blur(); }
    }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });
}
