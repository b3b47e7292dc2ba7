// inputs/dates.js - the date and date range controls.  A date's value is
// YYYY-MM-DD ('' for none); a range's is a preset (last_7_days, ...,
// all) or START..END, and the SQL side (sql.js dateRange) turns either into
// two typed dates.
import { h } from '../dom.js';
import { DATE_PRESETS, dateRange, localToday } from '../sql.js';

const PRESET_LABELS = {
  last_7_days: 'Last 7 days',
  last_30_days: 'Last 30 days',
  last_90_days: 'Last 90 days',
  this_month: 'This month',
  this_year: 'This year',
  all: 'All time',
};

/** <input type=date>; clearing it is "no date" (NULL in SQL). */
export function createDate(view) {
  const input = h('input', { type: 'date', id: view.id, class: 'ds-text ds-date' });
  input.addEventListener('change', () => view.onChange(input.value));
  view.el.append(input);
  return {
    set(v) {
      if (document.activeElement !== input) input.value = v ?? '';
    },
  };
}

/** A preset menu and two dates; editing a date makes the range custom. */
export function createDateRange(view) {
  const preset = h('select', { id: view.id, class: 'ds-select ds-range-preset', 'aria-label': `${view.spec.label}: period` },
    ...DATE_PRESETS.map((p) => h('option', { value: p, text: PRESET_LABELS[p] })),
    h('option', { value: 'custom', text: 'Custom' }));
  const from = h('input', { type: 'date', class: 'ds-text ds-date', 'aria-label': `${view.spec.label}: from` });
  const to = h('input', { type: 'date', class: 'ds-text ds-date', 'aria-label': `${view.spec.label}: to` });
  const row = h('div', { class: 'ds-range' }, preset, h('div', { class: 'ds-range-dates' }, from, h('span', { class: 'ds-range-sep', text: '–' }), to));
  preset.addEventListener('change', () => {
    if (preset.value === 'custom') {
      from.focus();
      return;
    }
    view.onChange(preset.value);
  });
  const custom = () => view.onChange(`${from.value}..${to.value}`);
  from.addEventListener('change', custom);
  to.addEventListener('change', custom);
  view.el.append(row);
  return {
    set(v) {
      const text = String(v ?? '').trim() || 'all';
      preset.value = DATE_PRESETS.includes(text) ? text : 'custom';
      const r = dateRange(text, localToday()) || { start: null, end: null };
      if (document.activeElement !== from) from.value = r.start ?? '';
      if (document.activeElement !== to) to.value = r.end ?? '';
    },
  };
}
