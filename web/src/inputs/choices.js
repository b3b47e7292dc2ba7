// inputs/choices.js - a button group (one choice of a few, always visible),
// a checkbox or toggle (true/false), and the searchable dropdown a long
// list of options becomes (type to filter, arrows and Enter to choose).
import { h } from '../dom.js';

/** Options of a choice input: the "all" entry (unless all_option: false), then the options. */
function entries(view) {
  const s = view.spec;
  const out = s.allOption ? [{ value: s.allValue, label: s.allLabel }] : [];
  const seen = new Set(out.map((o) => o.value));
  for (const o of view.options || []) {
    if (seen.has(o.value)) continue;
    seen.add(o.value);
    out.push(o);
  }
  return out;
}

export function createButtons(view) {
  const group = h('div', { class: 'ds-buttons', role: 'group', id: view.id, 'aria-label': view.spec.label });
  group.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-value]');
    if (b) view.onChange(b.dataset.value);
  });
  view.el.append(group);
  return {
    set(v) {
      const cur = v ?? view.spec.allValue;
      group.replaceChildren(...entries(view).map((o) => h('button', {
        type: 'button',
        class: 'ds-btn ds-choice',
        dataset: { value: o.value },
        'aria-pressed': String(o.value === cur || (o.value === view.spec.allValue && (cur === '' || cur === view.spec.allLabel))),
      }, o.label)));
    },
  };
}

export function createToggle(view) {
  const box = h('input', { type: 'checkbox', id: view.id, class: 'ds-check', role: view.spec.mode === 'toggle' ? 'switch' : null });
  box.addEventListener('change', () => view.onChange(box.checked ? 'true' : 'false'));
  // The label sits beside the box, clickable, like any form.
  view.labelEl.remove();
  view.el.classList.add('ds-input-check');
  view.el.append(h('label', { class: `ds-check-row ds-${view.spec.mode}`, for: view.id }, box, h('span', { class: 'ds-check-text', text: view.spec.label })));
  return {
    set(v) {
      box.checked = String(v ?? '').trim().toLowerCase() === 'true';
    },
  };
}

/** Which options contain TEXT (any case), at most LIMIT of them. */
export function filterOptions(options, text, limit = 200) {
  const q = String(text).trim().toLowerCase();
  const out = [];
  for (const o of options) {
    if (!q || o.label.toLowerCase().includes(q) || o.value.toLowerCase().includes(q)) out.push(o);
    if (out.length >= limit) break;
  }
  return out;
}

export function createSearch(view) {
  const s = view.spec;
  const listId = `${view.id}-list`;
  const input = h('input', {
    type: 'text', id: view.id, class: 'ds-text ds-combo', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId, placeholder: 'Type to filter…',
  });
  const list = h('ul', { class: 'ds-combo-list', id: listId, role: 'listbox', hidden: true });
  const wrap = h('div', { class: 'ds-combo-wrap' }, input, list);
  let shown = [];
  let active = 0;
  const labelOf = (v) => entries(view).find((o) => o.value === (v ?? s.allValue))?.label ?? v ?? '';
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.value = labelOf(view.value);
  };
  const draw = () => {
    list.replaceChildren(...shown.map((o, i) => h('li', {
      role: 'option', class: 'ds-combo-option', id: `${listId}-${i}`, dataset: { value: o.value }, 'aria-selected': String(i === active),
    }, o.label)));
    if (!shown.length) list.append(h('li', { class: 'ds-combo-none', text: 'No match' }));
    input.setAttribute('aria-activedescendant', shown.length ? `${listId}-${active}` : '');
    list.children[active]?.scrollIntoView?.({ block: 'nearest' });
  };
  const open = (text) => {
    shown = filterOptions(entries(view), text);
    active = 0;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    draw();
  };
  const choose = (o) => {
    close();
    if (!o) return;
    input.value = o.label; // before the page sets the value: the box shows the choice at once
    view.onChange(o.value);
  };
  input.addEventListener('focus', () => { input.select(); open(''); });
  input.addEventListener('input', () => open(input.value));
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (list.hidden) open('');
      active = Math.max(0, Math.min(shown.length - 1, active + (ev.key === 'ArrowDown' ? 1 : -1)));
      draw();
      ev.preventDefault();
    } else if (ev.key === 'Enter') {
      choose(shown[active]);
      ev.preventDefault();
    } else if (ev.key === 'Escape') {
      close();
      input.blur();
    }
  });
  // mousedown, not click: it comes before the input's blur.
  list.addEventListener('mousedown', (ev) => {
    const li = ev.target.closest('li[data-value]');
    if (!li) return;
    ev.preventDefault();
    choose(shown.find((o) => o.value === li.dataset.value));
  });
  input.addEventListener('blur', () => close());
  view.el.append(wrap);
  return {
    set(v) {
      if (document.activeElement !== input) input.value = labelOf(v);
    },
  };
}
