// nav.js - the navigation stays one line at any width: the entries that do
// not fit (from the end) go into a "More" menu at the end of the line, the
// search box, theme switch and SQL button keep their place.  The current
// page stays marked: in the menu, and on the More button when it is there.
// The builder writes the full list (html.c ds_html_nav); without scripts
// the line wraps instead (ducksite.css).
import { h } from './dom.js';

let uid = 0;

/** Top-level entries of LIST (a page link, or a folder with its pages). */
function entries(list) {
  return [...list.children];
}

/** The menu's copy of ENTRY: its links, a folder's under its name. */
function menuItems(entry) {
  const folder = entry.querySelector(':scope > .ducksite-nav-folder-name');
  const links = [...entry.querySelectorAll('a[href]')].map((a) => {
    const copy = h('a', { href: a.getAttribute('href'), class: 'ds-nav-more-link' }, a.textContent);
    if (a.getAttribute('aria-current')) copy.setAttribute('aria-current', a.getAttribute('aria-current'));
    if (folder) copy.classList.add('ds-nav-more-nested');
    return h('li', {}, copy);
  });
  if (!folder) return links;
  return [h('li', { class: 'ds-nav-more-folder', 'aria-hidden': 'true', text: folder.textContent }), ...links];
}

export function initNav(nav = document.querySelector('nav.ducksite-nav')) {
  const list = nav?.querySelector(':scope > .ducksite-nav-list');
  if (!list || nav.dataset.dsNav) return null;
  nav.dataset.dsNav = 'fit';
  const menuId = `ds-nav-more-${++uid}`;
  const button = h('button', {
    type: 'button', class: 'ds-nav-more-button', 'aria-expanded': 'false', 'aria-controls': menuId, 'aria-haspopup': 'true',
  }, 'More', h('span', { class: 'ds-nav-more-caret', 'aria-hidden': 'true' }, '▾'));
  const menu = h('ul', { class: 'ds-nav-more-menu', id: menuId, hidden: true });
  // Beside the list, not in it: the list clips what does not fit, the menu must not be.
  const more = h('div', { class: 'ds-nav-more', hidden: true }, button, menu);
  list.after(more);

  const links = () => [...menu.querySelectorAll('a')];
  const setOpen = (on, focusButton) => {
    menu.hidden = !on;
    button.setAttribute('aria-expanded', String(on));
    if (!on && focusButton) button.focus();
  };
  button.addEventListener('click', () => setOpen(menu.hidden));
  button.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      setOpen(true);
      const all = links();
      all[ev.key === 'ArrowDown' ? 0 : all.length - 1]?.focus();
      ev.preventDefault();
    }
  });
  menu.addEventListener('keydown', (ev) => {
    const all = links();
    const i = all.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      const next = ev.key === 'ArrowDown' ? Math.min(all.length - 1, i + 1) : i - 1;
      if (next < 0) button.focus();
      else all[next].focus();
      ev.preventDefault();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      all[ev.key === 'Home' ? 0 : all.length - 1]?.focus();
      ev.preventDefault();
    }
  });
  nav.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !menu.hidden) setOpen(false, true);
  });
  document.addEventListener('click', (ev) => {
    if (!menu.hidden && !more.contains(ev.target)) setOpen(false);
  });
  // Focus leaving the menu (Tab past its last link) closes it.
  more.addEventListener('focusout', (ev) => {
    if (!menu.hidden && ev.relatedTarget && !more.contains(ev.relatedTarget)) setOpen(false);
  });

  const fits = () => list.scrollWidth <= list.clientWidth + 1;
  const layout = () => {
    const all = entries(list);
    for (const e of all) e.hidden = false;
    more.hidden = true;
    if (fits()) {
      setOpen(false);
      menu.replaceChildren();
      more.classList.remove('ds-nav-more-current');
      return;
    }
    more.hidden = false;
    let shown = all.length;
    while (shown > 0 && !fits()) all[--shown].hidden = true;
    const moved = all.slice(shown);
    menu.replaceChildren(...moved.flatMap(menuItems));
    more.classList.toggle('ds-nav-more-current', !!menu.querySelector('[aria-current="page"]'));
  };
  let frame = 0;
  const schedule = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      layout();
    });
  };
  layout();
  if (typeof ResizeObserver === 'function') new ResizeObserver(schedule).observe(nav);
  else addEventListener('resize', schedule);
  // Web fonts or the SQL button arriving change the room.
  document.fonts?.ready?.then(schedule);
  return { layout };
}
