// registry.js - which builder draws a chart block: chart type names (compared
// without case) to the builders of the family modules beside this file.
// A new chart family is one module exporting `chartTypes` ({name: builder})
// and one line in FAMILIES; a builder is (spec, result, cols, theme) → an
// ECharts option (spec: the block's keys, result: {columns, rows}, cols: its
// Columns, theme: 'light' or 'dark', for the rare colour the ECharts theme of
// charts/theme.js cannot give).
import { cartesian, chartTypes as cartesianTypes } from './cartesian.js';
import { chartTypes as calendarTypes } from './calendar.js';
import { chartTypes as distributionTypes } from './distribution.js';
import { chartTypes as flowTypes } from './flow.js';
import { chartTypes as funnelTypes } from './funnel.js';
import { chartTypes as geoTypes } from './geo.js';
import { chartTypes as gaugeTypes } from './gauge.js';
import { chartTypes as heatmapTypes } from './heatmap.js';
import { passthrough } from './passthrough.js';
import { chartTypes as pieTypes } from './pie.js';
import { chartTypes as scatterTypes } from './scatter.js';
import { get } from './common.js';

const FAMILIES = [cartesianTypes, scatterTypes, pieTypes, heatmapTypes, gaugeTypes, funnelTypes,
  distributionTypes, flowTypes, calendarTypes, geoTypes];

const BUILDERS = new Map();
for (const family of FAMILIES) {
  for (const [name, build] of Object.entries(family)) {
    // Two families claiming one name would make the winner depend on the
    // order above: a mistake to catch when the module loads.
    if (BUILDERS.has(name)) throw new Error(`chart type '${name}' is registered twice`);
    BUILDERS.set(name, build);
  }
}

/** The registered chart type names, lower case. */
export function chartTypeNames() {
  return [...BUILDERS.keys()];
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
  return (s, result, cols, theme) => cartesian(s, result, cols, type, theme);
}
