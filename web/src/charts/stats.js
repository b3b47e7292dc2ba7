// stats.js - the numbers histogram and box plot charts are drawn from:
// quantiles (as DuckDB's quantile_cont), histogram bins of a round width,
// five-number summaries with outliers. Pure functions, tested under node.

/** Quantile Q (0..1) of SORTED numbers, interpolated like quantile_cont. */
export function quantile(sorted, q) {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A round step at or above V: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/**
 * Histogram bins over VALUES (numbers; nulls and non-finite values
 * skipped): BINS bins when given, else the Freedman-Diaconis width
 * (2 IQR / n^(1/3); Sturges' rule when the IQR is 0), rounded up to a
 * round width and, for INTEGER data, to whole numbers. Bins start at a
 * multiple of the width; a bin holds lo <= v < hi, the last one also hi.
 * Returns [{lo, hi, count}].
 */
export function histogramBins(values, { bins, integer = false } = {}) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return [];
  const min = xs[0];
  const max = xs[xs.length - 1];
  const n = xs.length;
  let width;
  if (max === min) {
    width = integer ? 1 : niceStep(Math.abs(min) / 10 || 1);
  } else if (bins) {
    width = niceStep((max - min) / bins);
  } else {
    const iqr = quantile(xs, 0.75) - quantile(xs, 0.25);
    const fd = iqr > 0 ? (2 * iqr) / Math.cbrt(n) : (max - min) / (Math.ceil(Math.log2(n)) + 1);
    // Between 5 and 60 bins: fewer says nothing, more is noise on a dashboard.
    width = niceStep(Math.min(Math.max(fd, (max - min) / 60), (max - min) / 5));
  }
  if (integer) width = Math.max(1, Math.ceil(width));
  const start = Math.floor(min / width) * width;
  const count = Math.max(1, Math.ceil((max - start) / width - 1e-9));
  const out = [];
  for (let k = 0; k < count; k++) {
    // Rounded so that 0.1 steps print as 0.3, not 0.30000000000000004.
    const lo = +(start + k * width).toPrecision(12);
    out.push({ lo, hi: +(start + (k + 1) * width).toPrecision(12), count: 0 });
  }
  for (const v of xs) out[Math.min(count - 1, Math.floor((v - start) / width + 1e-9))].count++;
  return out;
}

/**
 * The box of VALUES: [low whisker, Q1, median, Q3, high whisker] with the
 * whiskers at the furthest values within 1.5 IQR of the box, and the values
 * beyond them (outliers). null when there are no numbers.
 */
export function boxSummary(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const q1 = quantile(xs, 0.25);
  const med = quantile(xs, 0.5);
  const q3 = quantile(xs, 0.75);
  const fence = 1.5 * (q3 - q1);
  const inside = xs.filter((v) => v >= q1 - fence && v <= q3 + fence);
  return {
    box: [inside[0], q1, med, q3, inside[inside.length - 1]],
    outliers: xs.filter((v) => v < q1 - fence || v > q3 + fence),
    n: xs.length,
  };
}
