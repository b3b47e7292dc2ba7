// flow.js - sankey (flows between named nodes: source, target, value
// columns) and treemap (named values, nested by a parent column).
import { formatValue } from '../format.js';
import { compact, get, html, label, num, textWidth } from './common.js';
import { themeColors } from './theme.js';

/** Column WHAT as the spec names it (NAMED), else one called FALLBACKNAMES, else the first text column. */
function textColumn(cols, what, named, fallbackNames, except) {
  return cols.need(what, named, () => {
    const i = cols.find(...fallbackNames);
    return i >= 0 ? i : cols.firstText(except);
  });
}

/** A cycle among LINKS ([source, target]) as 'a → b → a', or null. */
export function findCycle(links) {
  const next = new Map();
  for (const [s, t] of links) {
    if (!next.has(s)) next.set(s, []);
    next.get(s).push(t);
  }
  const state = new Map(); // 1: on the path, 2: done
  const path = [];
  const visit = (n) => {
    if (state.get(n) === 2) return null;
    if (state.get(n) === 1) return [...path.slice(path.indexOf(n)), n];
    state.set(n, 1);
    path.push(n);
    for (const m of next.get(n) || []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of next.keys()) {
    const c = visit(n);
    if (c) return c.join(' → ');
  }
  return null;
}

function sankey(spec, result, cols, theme) {
  const { palette } = themeColors(theme);
  const si = textColumn(cols, 'source', get(spec, 'source'), ['source', 'from'], []);
  const ti = textColumn(cols, 'target', get(spec, 'target'), ['target', 'to'], [si]);
  const vi = cols.need('value', get(spec, 'value', 'y'), () => {
    const i = cols.find('value');
    return i >= 0 ? i : cols.firstNumeric([si, ti]);
  });
  // Flows between the same two nodes are added up: ECharts would draw
  // them on top of each other.
  const sums = new Map();
  result.rows.forEach((r, k) => {
    const s = label(r[si]);
    const t = label(r[ti]);
    const v = num(r[vi]);
    if (s === '' || t === '' || v === null || !(v > 0)) return;
    const key = JSON.stringify([s, t]);
    const prev = sums.get(key);
    sums.set(key, { source: s, target: t, value: (prev?.value ?? 0) + v, __row: prev?.__row ?? k });
  });
  const links = [...sums.values()];
  const cycle = findCycle(links.map((l) => [l.source, l.target]));
  if (cycle) throw new Error(`sankey flows go round in a circle (${cycle}); a sankey needs flows that only go forward: give the stages different names`);
  // Room on the right for the last nodes' labels (name and value, about
  // 7 px a character at 12 px).
  const sources = new Set(links.map((l) => l.source));
  const longest = Math.max(0, ...links.filter((l) => !sources.has(l.target)).map((l) => `${l.target}  ${compact(l.value)}`.length + 4));
  const names = [];
  const seen = new Set();
  for (const l of links) for (const n of [l.source, l.target]) if (!seen.has(n)) { seen.add(n); names.push(n); }
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => (p.dataType === 'edge'
        ? html`${p.data.source} → ${p.data.target}: <b>${formatValue(p.data.value)}</b>`
        : html`${p.name}: <b>${formatValue(p.value)}</b>`),
    },
    series: [{
      type: 'sankey', name: cols.columns[vi].name,
      top: spec.title ? 44 : 16, bottom: 16, left: 16, right: Math.min(260, 16 + 7 * longest),
      emphasis: { focus: 'adjacency' }, nodeGap: 12, draggable: false,
      data: names.map((n, k) => ({ name: n, itemStyle: { color: palette[k % palette.length] } })),
      links,
      lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
      label: { formatter: (p) => `${p.name}  ${compact(p.value)}` },
      labelLayout: { hideOverlap: true },
    }],
  };
}

/** Rows (name, parent, value) as a tree: a row whose parent is another row's name is its child. */
export function treeOf(rows) {
  const byName = new Map();
  for (const r of rows) {
    const key = r.parent === '' ? r.name : `${r.parent}\u0000${r.name}`;
    if (!byName.has(key)) byName.set(key, { name: r.name, parent: r.parent, value: 0, __row: r.__row, children: [] });
    byName.get(key).value += r.value ?? 0;
  }
  const nodes = [...byName.values()];
  const named = new Map();
  for (const n of nodes) if (!named.has(n.name)) named.set(n.name, n);
  const roots = [];
  const groups = new Map();
  for (const n of nodes) {
    if (n.parent === '') { roots.push(n); continue; }
    let p = named.get(n.parent);
    if (!p || p === n) {
      // A parent that is no row of its own becomes a group of its children.
      if (!groups.has(n.parent)) {
        const g = { name: n.parent, parent: '', value: 0, children: [] };
        groups.set(n.parent, g);
        roots.push(g);
      }
      p = groups.get(n.parent);
    }
    p.children.push(n);
  }
  const finish = (n) => {
    if (!n.children.length) { delete n.children; return n.value; }
    const sum = n.children.reduce((a, c) => a + finish(c), 0);
    n.value = Math.max(n.value, sum);
    return n.value;
  };
  for (const r of roots) finish(r);
  for (const n of nodes) delete n.parent;
  for (const g of groups.values()) delete g.parent;
  return roots;
}

function treemap(spec, result, cols) {
  const ni = textColumn(cols, 'name', get(spec, 'name', 'category', 'x'), ['name', 'category'], []);
  const vi = cols.need('value', get(spec, 'value', 'y'), () => {
    const i = cols.find('value');
    return i >= 0 ? i : cols.firstNumeric([ni]);
  });
  const parentKey = get(spec, 'parent');
  const pi = parentKey !== undefined ? cols.need('parent', parentKey) : -1;
  const data = treeOf(result.rows.map((r, k) => ({
    name: label(r[ni]), parent: pi >= 0 ? label(r[pi]) : '', value: num(r[vi]), __row: k,
  })));
  // Leaves too small for a readable label keep theirs in the tooltip: under
  // about 4,500 px² (a name over a number, in a box of any shape) when the chart's size is known,
  // else under 2.5% of the whole.
  const total = data.reduce((a, n) => a + (n.value || 0), 0);
  const area = spec.__width && spec.__height ? (spec.__width - 16) * (spec.__height - (spec.title ? 68 : 36)) : 0;
  const least = area > 0 ? 4500 / area : 0.025;
  const quiet = (n) => {
    if (n.children) n.children.forEach(quiet);
    else if (total > 0 && n.value / total < least) n.label = { show: false };
  };
  data.forEach(quiet);
  return {
    __fitLabels: (chart) => fitTreemapLabels(chart, data),
    tooltip: { trigger: 'item', formatter: (p) => html`${(p.treePathInfo || []).slice(1).map((x) => x.name).join(' › ') || p.name}: <b>${formatValue(p.value)}</b>` },
    series: [{
      type: 'treemap', name: cols.columns[vi].name, data,
      top: spec.title ? 40 : 8, bottom: 28, left: 8, right: 8,
      roam: false, nodeClick: false,
      breadcrumb: { show: false },
      label: { show: true, lineHeight: 16, formatter: (p) => `${p.name}\n${compact(p.value)}`, overflow: 'truncate', ellipsis: '…' },
      // Colours: the theme's treemap entry (charts/theme.js).
      itemStyle: { borderWidth: 1, gapWidth: 1 },
      // The first level is the series' own root: no label of its own; a
      // parent's name and total sit in a band above its children.
      levels: [
        { itemStyle: { borderWidth: 0, gapWidth: 3 }, upperLabel: { show: false } },
        { itemStyle: { borderWidth: 3, gapWidth: 1 }, upperLabel: { show: pi >= 0, height: 20, formatter: (p) => `${p.name}  ${compact(p.value)}` } },
        { colorSaturation: [0.45, 0.7], itemStyle: { gapWidth: 1 } },
      ],
    }],
  };
}

// A label's padding inside its box, its line height, and the band above a
// parent's children (levels[1].upperLabel.height).
const PAD = 10;
const LINE = 16;

/**
 * Once ECharts has laid out the treemap CHART drawn from DATA (treemap()'s
 * tree): the option that gives each box the label it has room for: name
 * and value, else the name alone, else none (the tooltip names every box),
 * so no label is cut off in the middle of a word.  A parent's band keeps
 * "name  total", else its name, else nothing.  Null when every label fits.
 */
export function fitTreemapLabels(chart, data) {
  const model = chart.getModel?.()?.getSeriesByIndex(0);
  const tree = model?.getData?.()?.tree;
  if (!tree) return null;
  const fits = new Map(); // path -> 'full' | 'name' | 'none'
  const visit = (node, path) => {
    for (const child of node.children || []) {
      const p = [...path, child.name];
      const box = child.getLayout?.();
      if (box && !box.invisible && box.width > 0) {
        const w = box.width - PAD;
        const full = child.children?.length ? `${child.name}  ${compact(child.getValue())}` : null;
        let how;
        if (child.children?.length) {
          // The band above the children: one line.
          how = textWidth(full) <= w ? 'full' : textWidth(child.name) <= w ? 'name' : 'none';
        } else {
          const h = box.height - PAD / 2;
          const name = textWidth(child.name);
          const both = Math.max(name, textWidth(compact(child.getValue())));
          how = both <= w && h >= 2 * LINE ? 'full' : name <= w && h >= LINE ? 'name' : 'none';
        }
        fits.set(p.join('\u0000'), how);
      }
      visit(child, p);
    }
  };
  visit(tree.root, []);
  let changed = false;
  const relabel = (nodes, path) => nodes.map((n) => {
    const p = [...path, n.name];
    const how = fits.get(p.join('\u0000')) ?? 'full';
    const out = { ...n };
    if (n.children) out.children = relabel(n.children, p);
    const key = n.children ? 'upperLabel' : 'label';
    const hidden = n[key]?.show === false;
    if (how === 'full' && !hidden) return out;
    changed = true;
    // A parent's band stays (empty), so its children keep their boxes.
    if (how === 'full') out[key] = { ...n[key], show: true };
    else if (how === 'name') out[key] = { ...n[key], show: true, formatter: '{b}' };
    else out[key] = n.children ? { ...n[key], show: true, formatter: '' } : { ...n[key], show: false };
    return out;
  });
  const fitted = relabel(data, []);
  return changed ? { series: [{ data: fitted }] } : null;
}

export const chartTypes = { sankey, treemap };
