// inputs/slider.js - a range slider.  Its bounds are the block's min, max
// and step, or the first row of its options_query (columns min, max and,
// optionally, step).  The value is applied when the thumb is let go, not on
// every pixel, so a drag runs one query.
import { h } from '../dom.js';
import { formatValue } from '../format.js';

function colValue(result, name) {
  const i = result.columns.findIndex((c) => c.name.toLowerCase() === name);
  const row = result.rows[0];
  return i < 0 || !row || row[i] === null || row[i] === undefined ? undefined : String(row[i]);
}

export function createSlider(view) {
  const s = view.spec;
  const input = h('input', { type: 'range', id: view.id, class: 'ds-slider' });
  const out = h('output', { class: 'ds-slider-value', for: view.id });
  const bounds = (min, max, step) => {
    if (min !== undefined) input.min = min;
    if (max !== undefined) input.max = max;
    input.step = step ?? s.step ?? 'any';
    out.title = `${input.min} – ${input.max}`;
  };
  bounds(s.min, s.max, s.step);
  input.addEventListener('input', () => { out.textContent = formatValue(Number(input.value)); });
  input.addEventListener('change', () => view.onChange(input.value));
  view.el.append(h('div', { class: 'ds-slider-row' }, input, out));
  const show = (v) => {
    if (v === null || v === undefined || v === '') {
      out.textContent = '–';
      return;
    }
    input.value = v;
    out.textContent = formatValue(Number(v));
  };
  return {
    set: show,
    result(result) {
      const min = colValue(result, 'min');
      const max = colValue(result, 'max');
      if (min === undefined || max === undefined) {
        throw new Error(`a slider's options_query must give columns min and max (it gave ${result.columns.map((c) => c.name).join(', ')})`);
      }
      bounds(min, max, colValue(result, 'step'));
      show(view.value);
    },
  };
}
