// firstpaint.js - charts drawn at build time, as SVG, for a page's first
// paint.  Not part of the browser runtime: scripts/bundle-web.mjs bundles it
// for node into web/dist/firstpaint.node.mjs, and `ducksite build` runs it
// once per build for the charts whose default result is stored
// (src/site/firstpaint.c).  The browser shows the SVG until ECharts has
// drawn the same chart from the same stored result (chart.js ChartView).
//
// Input (stdin): one JSON document
//   {"charts": [{"key", "spec", "result", "width", "height", "theme"}]}
// where spec is the chart's entry of the page config, result a stored
// result document ({"columns", "rows"}) and theme "light" or "dark" (the
// build draws each chart in both; the page shows the one of its theme).
// and {"values": [{"key", "kind", "spec", "result"}]}, the values and KPI
// cards (kind "value" or "kpi") whose default result is stored.
// Output (stdout): one JSON line per chart, {"key", "svg"} or {"key", "error"},
// and per value {"key", "text"}, the text kpi.js shows (valueText).
// With --lines (`ducksite serve`): one such request per line of stdin, each
// answered by its lines and {"done": true}.  The options are built by
// chart.js's buildOption, the very code the browser runs, with ECharts'
// server-side SVG renderer.
import * as echarts from 'echarts';
import fs from 'node:fs';

import { THEME_NAMES, buildOption, echartsTheme } from './chart.js';
import { valueText } from './kpi.js';
import { fromStored } from './results.js';
import { MAPS, registerGeo } from './charts/geo.js';
import * as extraCharts from './charts/extra.js';
import { registerExtra } from './charts/registry.js';

// The rarer chart families: a file of their own in the browser, here at once.
registerExtra(extraCharts);

// Font names in quotes would end the SVG's style="..." attributes early:
// the same fonts, quoted with single quotes.
for (const name of THEME_NAMES) {
  echarts.registerTheme(`ducksite-${name}`, JSON.parse(JSON.stringify(echartsTheme(name)).replace(/\\"/g, "'")));
}

// Maps: the geometry the bundle wrote next to this script (web/dist/geo/),
// read once; without it a map is reported as an error and not drawn.
for (const map of MAPS) {
  try {
    registerGeo(echarts, map, JSON.parse(fs.readFileSync(new URL(`geo/${map}.json`, import.meta.url), 'utf8')));
  } catch { /* geometry missing: maps fail below with their own message */ }
}

// SVG painters are numbered in the order charts are drawn (ids "zrN-..."
// inside each picture).  A request answered by a process kept running
// numbers its pictures from 0, as a process of its own would, so a
// picture's bytes do not depend on what was drawn before it.
let painters = 0;
let requestBase = 0;

function draw({ spec, result, width, height, theme }) {
  const name = THEME_NAMES.includes(theme) ? theme : 'dark';
  // The title is the component's heading on the page (chart.js), not part of the picture.
  const option = buildOption({ ...(spec || {}), title: undefined, __width: width, __height: height }, fromStored(result || {}), name);
  // Calendars and small multiples are as tall as they ask to be (as in
  // chart.js): the picture, and so the box the page holds for the chart
  // until it is drawn live, has that height.
  const tall = option.__height && !(spec && spec.height) ? option.__height : height;
  const chart = echarts.init(null, `ducksite-${name}`, { renderer: 'svg', ssr: true, width, height: tall });
  const own = painters++;
  const renumber = (svg) => svg.replace(new RegExp(`(?<![0-9A-Za-z_])zr${own}-`, 'g'), `zr${own - requestBase}-`);
  try {
    option.animation = false;
    chart.setOption(option);
    // Labels that only the laid out chart shows do not fit (treemap boxes).
    const refit = option.__fitLabels?.(chart);
    if (refit) chart.setOption(refit);
    // Scaled to the chart's box: the width here is the desktop layout's,
    // the page's may differ until ECharts redraws.
    // Hover styles (a <style> and class names unique only within this
    // process) are left out: the picture is not interactive.
    // Small multiples: how many, so the page can hold their height at any
    // width before they are drawn live (src/site/html.c, chart.js).
    const facets = option.__facets ? ` data-ds-facets="${option.__facets}"` : '';
    return renumber(chart.renderToSVGString())
      .replace(/^<svg width="[\d.]+" height="[\d.]+"/, `<svg width="100%" height="100%" preserveAspectRatio="xMidYMid meet" focusable="false" aria-hidden="true"${facets}`)
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/ class="zr\d+-cls-\d+"/g, '');
  } finally {
    chart.dispose();
  }
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

// Every answer line of one request.
function answer(doc) {
  requestBase = painters;
  for (const c of doc.charts || []) {
    let line;
    try {
      line = { key: c.key, svg: draw(c) };
    } catch (e) {
      line = { key: c.key, error: String(e?.message ?? e) };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  // Values and KPI cards: their text, as kpi.js shows it.  One that fails
  // (the runtime will say why) is left out: it shows when its result is drawn.
  for (const v of doc.values || []) {
    try {
      const text = valueText(v.kind, v.spec || {}, fromStored(v.result || {}), v.key);
      process.stdout.write(`${JSON.stringify({ key: v.key, text })}\n`);
    } catch { /* left to the runtime */ }
  }
}

if (process.argv.includes('--lines')) {
  // Kept running by `ducksite serve` between its rebuilds (starting node
  // and ECharts is most of a small request's time): one request per line,
  // its answer ended by {"done": true}; until stdin ends.
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    try {
      answer(JSON.parse(line));
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: String(e?.message ?? e) })}\n`);
    }
    process.stdout.write('{"done":true}\n');
  }
} else {
  answer(JSON.parse(await readStdin()));
}
