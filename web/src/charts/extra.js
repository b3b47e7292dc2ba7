// extra.js - the rarer chart families, a bundle of their own
// (charts-HASH.js, scripts/bundle-web.mjs) that a page imports only when it
// draws one of them (registry.js loadExtra): histogram and box plot
// (distribution.js), sankey and treemap (flow.js), calendar, maps (geo.js,
// with d3-geo's projections) and small multiples (facet.js).  The build's
// first-paint script (firstpaint.js) imports it directly.
import { chartTypes as calendarTypes } from './calendar.js';
import { chartTypes as distributionTypes } from './distribution.js';
import { chartTypes as flowTypes } from './flow.js';
import { chartTypes as geoTypes } from './geo.js';

export const chartTypes = { ...calendarTypes, ...distributionTypes, ...flowTypes, ...geoTypes };
export { facetted } from './facet.js';
export { loadGeo } from './geo.js';
