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

/**
 * The searchable dropdown.  Single: the box shows the choice; typing
 * filters, arrows move, Enter or a click chooses and closes.  Multiple
 * (multiple: true): the choices are chips before the box, the list stays
 * open and marks them with a check; Enter or a click toggles one (the "all"
 * entry clears them), Backspace in an empty box removes the last chip.
 */
export function createSearch(view) {
  const s = view.spec;
  const multi = !!s.multiple;
  const listId = `${view.id}-list`;
  const input = h('input', {
    type: 'text', id: view.id, class: 'ds-text ds-combo', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId, placeholder: 'Type to filter…',
  });
  const list = h('ul', {
    class: 'ds-combo-list', id: listId, role: 'listbox', hidden: true, 'aria-label': s.label,
    'aria-multiselectable': multi ? 'true' : null,
  });
  const chips = multi ? h('span', { class: 'ds-combo-chips' }) : null;
  const box = multi ? h('div', { class: 'ds-combo-box' }, chips, input) : input;
  const wrap = h('div', { class: multi ? 'ds-combo-wrap ds-combo-multi' : 'ds-combo-wrap' }, box, list);
  let shown = [];
  let active = 0;
  const chosen = () => (Array.isArray(view.value) ? view.value : []);
  const isAllEntry = (o) => s.allOption && o.value === s.allValue;
  const isChosen = (o) => (isAllEntry(o) ? chosen().length === 0 : chosen().includes(o.value));
  const labelOf = (v) => entries(view).find((o) => o.value === (v ?? s.allValue))?.label ?? v ?? '';
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.value = multi ? '' : labelOf(view.value);
  };
  const draw = () => {
    list.replaceChildren(...shown.map((o, i) => h('li', {
      role: 'option',
      class: i === active ? 'ds-combo-option ds-active' : 'ds-combo-option',
      id: `${listId}-${i}`,
      dataset: { value: o.value },
      'aria-selected': String(multi ? isChosen(o) : i === active),
    }, multi ? h('span', { class: 'ds-combo-check', 'aria-hidden': 'true' }, isChosen(o) ? '✓' : '') : null, o.label)));
    if (!shown.length) list.append(h('li', { class: 'ds-combo-none', text: 'No match' }));
    input.setAttribute('aria-activedescendant', shown.length ? `${listId}-${active}` : '');
    list.children[active]?.scrollIntoView?.({ block: 'nearest' });
  };
  const open = (text, keep) => {
    shown = filterOptions(entries(view), text);
    active = keep ? Math.max(0, shown.findIndex((o) => o.value === keep)) : 0;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    draw();
  };
  const drawChips = () => {
    const cur = chosen();
    chips.replaceChildren(...cur.map((v) => h('span', { class: 'ds-chip', dataset: { value: v } },
      h('span', { class: 'ds-chip-text', text: labelOf(v) }),
      h('button', { type: 'button', class: 'ds-chip-x', tabindex: '-1', 'aria-label': `Remove ${labelOf(v)}`, dataset: { value: v } }, '×'))));
    input.placeholder = cur.length ? 'Add…' : `${s.allLabel} · type to filter`;
  };
  const choose = (o) => {
    if (!o) return;
    if (!multi) {
      close();
      input.value = o.label; // before the page sets the value: the box shows the choice at once
      view.onChange(o.value);
      return;
    }
    const cur = chosen();
    const next = isAllEntry(o) ? [] : cur.includes(o.value) ? cur.filter((v) => v !== o.value) : [...cur, o.value];
    input.value = '';
    view.onChange(next);
    open('', o.value); // the whole list again, the toggled entry still active
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
      if (list.hidden) open(input.value);
      else choose(shown[active]);
      ev.preventDefault();
    } else if (ev.key === 'Escape') {
      close();
      input.blur();
    } else if (ev.key === 'Backspace' && multi && input.value === '' && chosen().length) {
      view.onChange(chosen().slice(0, -1));
      if (!list.hidden) open('');
      ev.preventDefault();
    }
  });
  // mousedown, not click: it comes before the input's blur.
  list.addEventListener('mousedown', (ev) => {
    const li = ev.target.closest('li[data-value]');
    if (!li) return;
    ev.preventDefault();
    choose(shown.find((o) => o.value === li.dataset.value));
  });
  if (multi) {
    box.addEventListener('mousedown', (ev) => {
      const x = ev.target.closest('.ds-chip-x');
      if (x) {
        ev.preventDefault();
        view.onChange(chosen().filter((v) => v !== x.dataset.value));
        if (!list.hidden) open(input.value);
      } else if (ev.target !== input) {
        ev.preventDefault();
        input.focus();
      }
    });
  }
  input.addEventListener('blur', () => close());
  view.el.append(wrap);
  return {
    set(v) {
      if (multi) {
        drawChips();
        if (!list.hidden) draw();
      } else if (document.activeElement !== input) input.value = labelOf(v);
    },
  };
}
