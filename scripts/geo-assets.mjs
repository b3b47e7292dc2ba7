// scripts/geo-assets.mjs - the map geometry pages with a map load
// (web/dist/geo/*.json), made by scripts/bundle-web.mjs from npm packages:
//
//   world.json      countries, Natural Earth 1:110m (world-atlas) in the
//                   Natural Earth projection (d3-geo; web/src/charts/
//                   projections.js), without Antarctica, each with its
//                   ISO 3166-1 codes and English names (i18n-iso-countries)
//   us_states.json  US states, US Census 1:10m already in the Albers USA
//                   projection (us-atlas), with FIPS and postal codes
//
// Both are GeoJSON feature collections (topojson-client converts them) whose
// features carry `name` (what the map draws and the tooltip shows) and
// `keys` (every spelling a query may match it by, lower case). The Albers
// coordinates are screen pixels, y downwards: stored with y negated, so
// ECharts, which takes y as a latitude, draws them the right way up.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { geoStream } from 'd3-geo';

import { projectionOf } from '../web/src/charts/projections.js';

const require = createRequire(import.meta.url);

// Postal codes of the FIPS state codes us-atlas uses.
const US_POSTAL = {
  '01': 'AL', '02': 'AK', '04': 'AZ', '05': 'AR', '06': 'CA', '08': 'CO', '09': 'CT', 10: 'DE', 11: 'DC',
  12: 'FL', 13: 'GA', 15: 'HI', 16: 'ID', 17: 'IL', 18: 'IN', 19: 'IA', 20: 'KS', 21: 'KY', 22: 'LA',
  23: 'ME', 24: 'MD', 25: 'MA', 26: 'MI', 27: 'MN', 28: 'MS', 29: 'MO', 30: 'MT', 31: 'NE', 32: 'NV',
  33: 'NH', 34: 'NJ', 35: 'NM', 36: 'NY', 37: 'NC', 38: 'ND', 39: 'OH', 40: 'OK', 41: 'OR', 42: 'PA',
  44: 'RI', 45: 'SC', 46: 'SD', 47: 'TN', 48: 'TX', 49: 'UT', 50: 'VT', 51: 'VA', 53: 'WA', 54: 'WV',
  55: 'WI', 56: 'WY', 60: 'AS', 66: 'GU', 69: 'MP', 72: 'PR', 78: 'VI',
};

const round = (digits) => (x) => Math.round(x * 10 ** digits) / 10 ** digits;

function mapCoords(geometry, f) {
  const walk = (c) => (typeof c[0] === 'number' ? f(c) : c.map(walk));
  return { ...geometry, coordinates: walk(geometry.coordinates) };
}

// Rings of a projected polygon, as d3-geo's stream hands them over (cut at
// the antimeridian, resampled), grouped back into polygons: a ring whose
// signed area has the outer rings' sign starts a polygon, the others are
// holes of the polygon that contains them.
function projectFeature(geometry, projection, r) {
  const rings = [];
  let ring = null;
  const sink = {
    point(x, y) { ring.push([r(x), -r(y)]); },
    lineStart() { ring = []; },
    lineEnd() { if (ring.length > 2) { ring.push(ring[0]); rings.push(ring); } ring = null; },
    polygonStart() {},
    polygonEnd() {},
    sphere() {},
  };
  geoStream(geometry, projection.stream(sink));
  const area = (ps) => ps.reduce((a, p, i) => (i ? a + (ps[i - 1][0] * p[1] - p[0] * ps[i - 1][1]) : 0), 0) / 2;
  const inside = ([x, y], ps) => {
    let c = false;
    for (let i = 0, j = ps.length - 1; i < ps.length; j = i++) {
      if ((ps[i][1] > y) !== (ps[j][1] > y) && x < ((ps[j][0] - ps[i][0]) * (y - ps[i][1])) / (ps[j][1] - ps[i][1]) + ps[i][0]) c = !c;
    }
    return c;
  };
  // d3 hands outer rings over clockwise on the screen (y down): with y
  // negated their shoelace area is negative; holes go the other way.
  const outer = rings.filter((ps) => area(ps) < 0).map((ps) => [ps]);
  for (const hole of rings.filter((ps) => area(ps) >= 0)) {
    const home = outer.find((poly) => inside(hole[0], poly[0]));
    if (home) home.push(hole);
  }
  return { type: 'MultiPolygon', coordinates: outer };
}

function world(nm) {
  const { feature } = require(path.join(nm, 'topojson-client'));
  const countries = require(path.join(nm, 'i18n-iso-countries'));
  countries.registerLocale(require(path.join(nm, 'i18n-iso-countries', 'langs', 'en.json')));
  const topo = JSON.parse(fs.readFileSync(path.join(nm, 'world-atlas', 'countries-110m.json'), 'utf8'));
  const r = round(1);
  const projection = projectionOf('world');
  // Antarctica (010) is left out: it would take a fifth of the map's height.
  const features = feature(topo, topo.objects.countries).features.filter((f) => f.id !== '010').map((f) => {
    const keys = new Set([f.properties.name.toLowerCase()]);
    const a2 = f.id ? countries.numericToAlpha2(f.id) : undefined;
    if (f.id) keys.add(String(Number(f.id))).add(f.id);
    if (a2) {
      keys.add(a2.toLowerCase()).add(countries.alpha2ToAlpha3(a2).toLowerCase());
      for (const n of [].concat(countries.getName(a2, 'en', { select: 'all' }) || [])) keys.add(n.toLowerCase());
    }
    return {
      type: 'Feature',
      properties: { name: f.properties.name, iso_a2: a2 ?? null, keys: [...keys].sort() },
      geometry: projectFeature(f.geometry, projection, r),
    };
  });
  return { type: 'FeatureCollection', features };
}

function usStates(nm) {
  const { feature } = require(path.join(nm, 'topojson-client'));
  const topo = JSON.parse(fs.readFileSync(path.join(nm, 'us-atlas', 'states-albers-10m.json'), 'utf8'));
  const r = round(1);
  const features = feature(topo, topo.objects.states).features.map((f) => {
    const postal = US_POSTAL[f.id] ?? US_POSTAL[Number(f.id)];
    const keys = new Set([f.properties.name.toLowerCase(), f.id, String(Number(f.id))]);
    if (postal) keys.add(postal.toLowerCase());
    return {
      type: 'Feature',
      properties: { name: f.properties.name, postal: postal ?? null, keys: [...keys].sort() },
      geometry: mapCoords(f.geometry, ([x, y]) => [r(x), -r(y)]),
    };
  });
  return { type: 'FeatureCollection', features };
}

/** {file name: bytes} of the geometry assets. */
export function geoAssets(nm) {
  return {
    'world.json': Buffer.from(JSON.stringify(world(nm))),
    'us_states.json': Buffer.from(JSON.stringify(usStates(nm))),
  };
}
