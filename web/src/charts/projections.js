// projections.js - how each map's geometry is laid flat, shared by the
// build of the geometry (scripts/geo-assets.mjs) and the points drawn on
// it (charts/geo.js), so a point lands where its country or state is.
// world: Natural Earth (a compromise projection, the world as people know
// it; d3-geo cuts shapes at the antimeridian); us_states: Albers USA with
// Alaska and Hawaii inset, as us-atlas drew its file. Both give screen
// pixels (y downwards): the geometry stores y negated, so ECharts, which
// reads y as a latitude, draws it the right way up.
import { geoAlbersUsa, geoNaturalEarth1 } from 'd3-geo';

const made = new Map();

/** The d3 projection of MAP (`world` or `us_states`). */
export function projectionOf(map) {
  if (!made.has(map)) {
    made.set(map, map === 'us_states'
      ? geoAlbersUsa().scale(1300).translate([487.5, 305])
      : geoNaturalEarth1().scale(160).translate([480, 250]).precision(0.2));
  }
  return made.get(map);
}

/** [x, -y] of longitude LON and latitude LAT on MAP, or null if not on it. */
export function project(map, lon, lat) {
  const p = projectionOf(map)([lon, lat]);
  return p ? [p[0], -p[1]] : null;
}
