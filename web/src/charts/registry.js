// registry.js - which builder draws a chart block: chart type names (compared
// without case) to the builders of the family modules beside this file.
// A new chart family is one module exporting `chartTypes` ({name: builder})
// and one line in FAMILIES (or, for a rarely used one, in charts/extra.js
// and EXTRA_TYPES); a builder is (spec, result, cols, theme) → an
// ECharts option (spec: the block's keys, result: {columns, rows}, cols: its
// Columns, theme: 'light' or 'dark', for the rare colour the ECharts theme of
// charts/theme.js cannot give).
import { cartesian, chartTypes as cartesianTypes, useFacetted } from './cartesian.js';
import { chartTypes as funnelTypes } from './funnel.js';
import { chartTypes as gaugeTypes } from './gauge.js';
import { chartTypes as heatmapTypes } from './heatmap.js';
import { passthrough } from './passthrough.js';
import { chartTypes as pieTypes } from './pie.js';
import { chartTypes as scatterTypes } from './scatter.js';
import { get } from './common.js';

// The families every page's runtime carries.
const FAMILIES = [cartesianTypes, scatterTypes, pieTypes, heatmapTypes, gaugeTypes, funnelTypes];

// The types of the rarer families (charts/extra.js), a bundle of their own
// that loadExtra() imports when a page draws one of them (or small
// multiples, `facet`): their names are known here, their builders once loaded.
export const EXTRA_TYPES = ['histogram', 'boxplot', 'sankey', 'treemap', 'calendar', 'map', 'point_map'];
let extraModule = null;
let extraLoading = null;

const BUILDERS = new Map();
for (const family of FAMILIES) {
  for (const [name, build] of Object.entries(family)) {
    // Two families claiming one name would make the winner depend on the
    // order above: a mistake to catch when the module loads.
    if (BUILDERS.has(name)) throw new Error(`chart type '${name}' is registered twice`);
    BUILDERS.set(name, build);
  }
}

/** The registered chart type names, lower case (the rarer ones too, loaded or not). */
export function chartTypeNames() {
  return [...new Set([...BUILDERS.keys(), ...EXTRA_TYPES])];
}

/**
 * Adds the rarer families (MOD: charts/extra.js) to the registry: their
 * builders, and small multiples for cartesian charts.  Their names must be
 * EXTRA_TYPES, no more and no fewer.
 */
export function registerExtra(mod) {
  if (extraModule) return;
  const names = Object.keys(mod.chartTypes).sort();
  if (names.join() !== [...EXTRA_TYPES].sort().join()) {
    throw new Error(`charts/extra.js draws ${names.join(', ')}; registry.js expects ${[...EXTRA_TYPES].sort().join(', ')}`);
  }
  for (const [name, build] of Object.entries(mod.chartTypes)) {
    if (BUILDERS.has(name)) throw new Error(`chart type '${name}' is registered twice`);
    BUILDERS.set(name, build);
  }
  useFacetted(mod.facetted);
  extraModule = mod;
}

/** Whether SPEC needs the rarer families: one of their types, or small multiples. */
export function needsExtra(spec) {
  if (get(spec, 'option_column', 'optionColumn', 'option') !== undefined) return false;
  return EXTRA_TYPES.includes((get(spec, 'type') || '').trim().toLowerCase()) || get(spec, 'facet') !== undefined;
}

/** The rarer families' module once loaded, else null. */
export function extra() {
  return extraModule;
}

/** Imports the rarer families once (a separate file in the browser); resolves to their module. */
export function loadExtra() {
  if (extraModule) return Promise.resolve(extraModule);
  if (!extraLoading) {
    extraLoading = import('./extra.js').then((mod) => {
      registerExtra(mod);
      return mod;
    });
    extraLoading.catch(() => { extraLoading = null; });
  }
  return extraLoading;
}

/**
 * The builder for SPEC: option_column passes a whole option through (the
 * type, as written, fills in a series type); a registered type has its
 * family's builder; any other type is drawn like bar with that series type
 * (as written: ECharts' names are case-sensitive, e.g. effectScatter).
 */
export function builderFor(spec) {
  if (get(spec, 'option_column', 'optionColumn', 'option') !== undefined) {
    return (s, result, cols) => passthrough(s, result, cols, get(s, 'type'));
  }
  const type = (get(spec, 'type') || 'bar').trim();
  const build = BUILDERS.get(type.toLowerCase());
  if (build) return build;
  if (EXTRA_TYPES.includes(type.toLowerCase())) throw new Error(`chart type '${type}' is drawn by the bundle of rarer charts, which is not loaded (loadExtra)`);
  return (s, result, cols, theme) => cartesian(s, result, cols, type, theme);
}
