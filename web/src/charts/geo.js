// geo.js - maps drawn offline: `map` colours regions (countries of the
// world, or US states) by a value; `point_map` puts points at latitude and
// longitude. The geometry is static/assets/geo/<map>.json (made by
// scripts/geo-assets.mjs from world-atlas and us-atlas), fetched by
// ChartView the first time a page draws that map (loadGeo) and registered
// with ECharts; the builders here only read it (geoFeatures).
import { formatValue } from '../format.js';
import { MAPS, get, html, label, mapOf, num } from './common.js';
import { axisNumbers } from './axis.js';
import { project } from './projections.js';
import { themeColors } from './theme.js';

export { MAPS, mapOf } from './common.js';

const loaded = new Map(); // map name -> GeoJSON

/** The ECharts name a map is registered under. */
export function echartsMapName(map) {
  return `ducksite-${map}`;
}

/** Registers GEOJSON as map NAME with LIB (the browser's or node's echarts). */
export function registerGeo(lib, name, geojson) {
  loaded.set(name, geojson);
  lib.registerMap(echartsMapName(name), geojson);
}

/** Fetches and registers MAP's geometry once (from BASE, the assets URL). */
const pending = new Map();
export function loadGeo(lib, map, base) {
  if (loaded.has(map)) return Promise.resolve();
  if (!pending.has(map)) {
    pending.set(map, fetch(new URL(`geo/${map}.json`, base)).then((r) => {
      if (!r.ok) throw new Error(`cannot load the ${map} map geometry (geo/${map}.json): HTTP ${r.status}`);
      return r.json();
    }).then((g) => registerGeo(lib, map, g)).finally(() => pending.delete(map)));
  }
  return pending.get(map);
}

function features(map) {
  const g = loaded.get(map);
  if (!g) throw new Error(`the ${map} map geometry is not loaded`);
  return g.features;
}

/**
 * Region texts VALUES matched to MAP's regions by name or code, without
 * case (countries: English names, ISO 3166-1 alpha-2, alpha-3, numeric;
 * US states: names, postal codes, FIPS codes). Returns {byValue: Map(value
 * -> region name), unmatched: [values]}.
 */
export function matchRegions(map, values) {
  const index = new Map();
  for (const f of features(map)) for (const k of f.properties.keys) if (!index.has(k)) index.set(k, f.properties.name);
  const byValue = new Map();
  const unmatched = [];
  for (const v of values) {
    const key = label(v).trim().toLowerCase();
    if (!key || byValue.has(v)) continue;
    const hit = index.get(key) ?? index.get(key.replace(/^0+(?=\d)/, ''));
    if (hit) byValue.set(v, hit);
    else if (!unmatched.includes(v)) unmatched.push(v);
  }
  return { byValue, unmatched };
}

/** [x0, y0, x1, y1] of MAP's geometry. */
const boxes = new Map();
function boxOf(map) {
  if (!boxes.has(map)) {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === 'number') {
        x0 = Math.min(x0, c[0]); x1 = Math.max(x1, c[0]); y0 = Math.min(y0, c[1]); y1 = Math.max(y1, c[1]);
      } else c.forEach(walk);
    };
    for (const f of features(map)) walk(f.geometry.coordinates);
    boxes.set(map, [x0, y0, x1, y1]);
  }
  return boxes.get(map);
}

/** Width over height of MAP's geometry. */
function aspectOf(map) {
  const [x0, y0, x1, y1] = boxOf(map);
  return (x1 - x0) / (y1 - y0 || 1);
}

/**
 * Where the map goes: the box left for it, shrunk on one side to the map's
 * own proportions, so that it is never stretched (ECharts stretches a map
 * to fill left/right/top/bottom). Needs the chart's size (__width,
 * __height, given by ChartView and the first paint); without it, the box.
 */
function placement(spec, map, labelRoom) {
  const top = spec.title ? 40 : 12;
  const bottom = 40;
  const W = spec.__width;
  const H = spec.__height;
  // Labels of edge points need room; on a phone, less of it.
  const side = 8 + (W ? Math.min(labelRoom, Math.round(W * 0.05)) : labelRoom);
  if (!W || !H) return { top, bottom, left: side, right: side };
  const w = Math.max(10, W - 2 * side);
  const h = Math.max(10, H - top - bottom);
  const aspect = aspectOf(map);
  const mw = Math.min(w, h * aspect);
  const mh = mw / aspect;
  return { left: Math.round((W - mw) / 2), top: Math.round(top + (h - mh) / 2), width: Math.round(mw), height: Math.round(mh) };
}

function geoComponent(spec, map, labelRoom = 0) {
  return {
    map: echartsMapName(map), roam: false,
    // Already projected (charts/projections.js): no extra squeeze.
    aspectScale: 1,
    ...placement(spec, map, labelRoom),
    // Colours: the theme's geo entry (charts/theme.js).
    itemStyle: { borderWidth: 0.6 },
    emphasis: { label: { show: false } },
    select: { disabled: true },
    tooltip: { show: true },
  };
}

function choropleth(spec, result, cols) {
  const map = mapOf(spec);
  const ri = cols.need('region', get(spec, 'region', 'name', 'x'), () => cols.firstText());
  const vi = cols.need('value', get(spec, 'value', 'y'), () => cols.firstNumeric([ri]));
  const { byValue, unmatched } = matchRegions(map, result.rows.map((r) => label(r[ri])));
  const sums = new Map();
  result.rows.forEach((r, k) => {
    const region = byValue.get(label(r[ri]));
    const v = num(r[vi]);
    if (!region || v === null) return;
    const prev = sums.get(region);
    sums.set(region, { name: region, value: (prev?.value ?? 0) + v, __row: prev?.__row ?? k, shown: label(r[ri]) });
  });
  const data = [...sums.values()];
  const values = data.map((d) => d.value);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  const fmt = axisNumbers(values);
  return {
    tooltip: { trigger: 'item', formatter: (p) => (p.data ? html`${p.name}<br/><b>${formatValue(p.value)}</b>` : html`${p.name}: no data`) },
    visualMap: {
      min, max: max === min ? min + 1 : max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      itemHeight: 140, itemWidth: 12, formatter: (v) => fmt(v),
      inRange: { color: ['#0c4a6e', '#0ea5e9', '#a78bfa', '#f472b6', '#fde047'] },
    },
    series: [{ type: 'map', name: cols.columns[vi].name, geoIndex: 0, data }],
    geo: geoComponent(spec, map),
    __geo: map,
    __unmatched: unmatched,
  };
}

/**
 * Labels that would cover another label are left to the tooltip: the
 * biggest points keep theirs (about 6.5 px a character at 11 px). Needs
 * the map's size in pixels (GEO placed by placement()); without it every
 * label stays.
 */
function hideCrowdedLabels(points, map, geo) {
  if (!geo.width) return;
  const [x0, y0, x1] = boxOf(map);
  const k = geo.width / (x1 - x0);
  const placed = [];
  const order = [...points].sort((a, b) => b.symbolSize - a.symbolSize);
  for (const p of order) {
    const x = (p.value[0] - x0) * k;
    const y = (p.value[1] - y0) * k;
    const w = 6.5 * p.name.length + 4;
    const gap = p.symbolSize / 2 + 4;
    const left = p.label.position === 'left' ? x - gap - w : x + gap;
    const box = [left, y - 8, left + w, y + 8];
    if (placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) p.label.show = false;
    else placed.push(box);
  }
}

function pointMap(spec, result, cols, theme) {
  const c = themeColors(theme);
  const map = mapOf(spec);
  const lat = cols.need('lat', get(spec, 'lat'), () => cols.find('lat', 'latitude'));
  const lon = cols.need('lon', get(spec, 'lon'), () => cols.find('lon', 'lng', 'long', 'longitude'));
  const nameKey = get(spec, 'name');
  const ni = nameKey !== undefined ? cols.need('name', nameKey) : cols.firstText();
  const sizeKey = get(spec, 'size', 'value');
  const si = sizeKey !== undefined ? cols.need('size', sizeKey) : -1;
  const sizes = si >= 0 ? result.rows.map((r) => num(r[si])).filter((v) => v !== null && Number.isFinite(v)) : [];
  const maxSize = sizes.length ? Math.max(...sizes.map(Math.abs)) : 0;
  const outside = [];
  const data = [];
  result.rows.forEach((r, k) => {
    const y = num(r[lat]);
    const x = num(r[lon]);
    if (x === null || y === null || Math.abs(y) > 90 || Math.abs(x) > 180) return;
    const at = project(map, x, y);
    if (!at) { outside.push(ni >= 0 ? label(r[ni]) : `${y}, ${x}`); return; }
    const s = si >= 0 ? num(r[si]) : null;
    // Labels point inwards: right of a point in the map's west, left in its east.
    const [x0, , x1] = boxOf(map);
    data.push({
      name: ni >= 0 ? label(r[ni]) : '', value: [...at, s], __row: k,
      label: { position: at[0] > (x0 + x1) / 2 ? 'left' : 'right' },
      // Area, not radius, follows the value: 4 to 28 px across.
      symbolSize: si >= 0 && maxSize > 0 && s !== null ? 4 + 24 * Math.sqrt(Math.abs(s) / maxSize) : 8,
    });
  });
  const geo = geoComponent(spec, map, data.length <= 30 && ni >= 0 ? 70 : 0);
  hideCrowdedLabels(data, map, geo);
  const sizeName = si >= 0 ? cols.columns[si].name : '';
  return {
    tooltip: { trigger: 'item', formatter: (p) => (si >= 0 ? html`${p.name}<br/>${sizeName}: <b>${formatValue(p.value[2])}</b>` : html`${p.name}`) },
    // Room for the labels of points at the map's edges.
    geo,
    series: [{
      type: 'scatter', coordinateSystem: 'geo', name: sizeName || 'points', data,
      itemStyle: { color: c.palette[3], opacity: 0.8, borderColor: c.surface, borderWidth: 1 },
      label: { show: data.length <= 30 && ni >= 0, formatter: (p) => p.name, position: 'right', color: c.fg, fontSize: 11, textBorderColor: c.surface, textBorderWidth: 2 },
      labelLayout: { hideOverlap: true, moveOverlap: 'shiftY' },
    }],
    __geo: map,
    __unmatched: outside,
  };
}

export const chartTypes = { map: choropleth, point_map: pointMap };
