// conditional.js - a table column's conditional formatting (docs/pages.md,
// "Table formats"): a colour scale over the column's range (color_scale),
// a bar in each cell proportional to its value (data_bar), and text
// colours past thresholds (above / below). Pure functions of the column's
// values: tested under node (tests/e2e/table_features.test.mjs).

// Low-to-high colour stops of each scale (RGB), one set per theme: under
// the dark theme's light text, dark tints; under the light theme's (and
// print's) dark text, pale ones.  A cell gets both as light-dark(), so the
// page's color-scheme (ducksite.css) picks, and a theme switch needs no
// redraw.
const SCALES = {
  blue: { dark: [[15, 23, 42], [3, 105, 161]], light: [[248, 250, 252], [147, 197, 253]] },
  green: { dark: [[15, 23, 42], [21, 128, 61]], light: [[248, 250, 252], [134, 239, 172]] },
  red: { dark: [[15, 23, 42], [185, 28, 28]], light: [[248, 250, 252], [252, 165, 165]] },
  red_to_green: { dark: [[153, 27, 27], [63, 63, 70], [21, 128, 61]], light: [[252, 165, 165], [241, 245, 249], [134, 239, 172]] },
  green_to_red: { dark: [[21, 128, 61], [63, 63, 70], [153, 27, 27]], light: [[134, 239, 172], [241, 245, 249], [252, 165, 165]] },
};

export const SCALE_NAMES = Object.keys(SCALES);
// Custom properties of ducksite.css, each light-dark() there.
export const BAR_COLOR = 'var(--ds-data-bar)';
export const BAR_NEGATIVE = 'var(--ds-data-bar-negative)';
export const ABOVE_COLOR = 'var(--ds-above)';
export const BELOW_COLOR = 'var(--ds-below)';

const asNumber = (v) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

/** {min, max, maxAbs} of the finite numbers in VALUES (null when none). */
export function range(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    const n = asNumber(v);
    if (n === null || !Number.isFinite(n)) continue;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return Number.isFinite(min) ? { min, max, maxAbs: Math.max(Math.abs(min), Math.abs(max)) } : null;
}

/** The background of value V on scale NAME over RANGE ('' for no number). */
export function scaleColor(name, v, rng) {
  const n = asNumber(v);
  const stops = SCALES[name];
  if (!stops || n === null || !Number.isFinite(n) || !rng) return '';
  const t = rng.max === rng.min ? 1 : (n - rng.min) / (rng.max - rng.min);
  return `light-dark(${at(stops.light, t)}, ${at(stops.dark, t)})`;
}

/** The colour at T (0..1) along STOPS. */
function at(stops, t) {
  const pos = t * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - k;
  const c = stops[k].map((x, i) => Math.round(x + (stops[k + 1][i] - x) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** The background drawing V's data bar: a share of the cell's width from the left. */
export function dataBar(v, rng) {
  const n = asNumber(v);
  if (n === null || !Number.isFinite(n) || !rng || !rng.maxAbs) return '';
  const pct = Math.round((1000 * Math.abs(n)) / rng.maxAbs) / 10;
  const color = n < 0 ? BAR_NEGATIVE : BAR_COLOR;
  return `linear-gradient(90deg, ${color} ${pct}%, transparent ${pct}%)`;
}

/** The text colour for V past the format's thresholds, or ''. */
export function thresholdColor(v, fmt) {
  const n = asNumber(v);
  if (n === null || !fmt) return '';
  const above = fmt.above !== undefined && String(fmt.above).trim() !== '' ? Number(fmt.above) : null;
  const below = fmt.below !== undefined && String(fmt.below).trim() !== '' ? Number(fmt.below) : null;
  if (above !== null && n > above) return String(fmt.above_color || ABOVE_COLOR);
  if (below !== null && n < below) return String(fmt.below_color || BELOW_COLOR);
  return '';
}

/** Does FMT ask for any conditional formatting? */
export function isConditional(fmt) {
  return !!fmt && ['color_scale', 'data_bar', 'above', 'below'].some((k) => fmt[k] !== undefined && String(fmt[k]).trim() !== '' && String(fmt[k]) !== 'false');
}
