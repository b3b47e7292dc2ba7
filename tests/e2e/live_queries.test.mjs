// Live queries under `ducksite serve` ([serve] live_queries = true,
// docs/server.md "Live queries"): a component whose result the build did not
// store is computed by the server, and the page never starts DuckDB-Wasm
// for it; the server's answer equals the browser engine's for the same
// inputs (several states of the demo's inputs page); when the endpoint
// refuses (503), the page runs the query in the engine and is still right;
// with live queries off, the page never asks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  buildProject, demoProject, engineRequests, launchBrowser, missingPrerequisite, offsiteRequests, openIdle, screenshot,
  servedProject,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const ENDPOINT = '/api/live/query';

/**
 * Whether two renderings show the same data: equal text, except that numbers
 * may differ in the last digits (sums in another order, per engine and
 * thread count), 1e-9 relative.
 */
function sameData(a, b) {
  const NUM = /(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i;
  const x = String(a).split(NUM);
  const y = String(b).split(NUM);
  if (x.length !== y.length) return false;
  return x.every((part, i) => {
    if (i % 2 === 0) return part === y[i];
    const p = Number(part);
    const q = Number(y[i]);
    return p === q || Math.abs(p - q) <= 1e-9 * Math.max(Math.abs(p), Math.abs(q));
  });
}

const liveRequests = (rec) => rec.requests.filter((r) => new URL(r.url).pathname === ENDPOINT);

/** Per component: its state, source, the origin of its result, and what it shows. */
function snapshot(page) {
  return page.evaluate(() => {
    const ds = window.ducksite;
    const val = (d) => (d && typeof d === 'object' && !Array.isArray(d) && 'value' in d ? d.value : d);
    const out = {};
    for (const c of ds.components()) {
      const [kind, id] = c.key.split(/:(.*)/s);
      const entry = { state: c.state, source: c.source };
      if (kind === 'chart') {
        const o = ds.chartOption(id);
        entry.data = JSON.stringify({ x: (o.xAxis || []).map((a) => a.data ?? null), series: (o.series || []).map((s) => (s.data || []).map(val)) });
      } else if (kind === 'table') {
        entry.data = ds.tableCsv(id);
      }
      out[c.key] = entry;
    }
    return out;
  });
}

describe('live queries', { skip: skip ?? false }, () => {
  const site = servedProject(() => {
    const root = demoProject('ducksite-e2e-live-queries-', { build: false });
    fs.appendFileSync(path.join(root, 'ducksite.toml'), '\n[serve]\nlive_queries = true\n');
    buildProject(root);
    return root;
  });

  const STATES = [
    '?region=north&min_revenue=100000',
    '?region=south&min_revenue=250000',
    '?min_revenue=50000',
    "?region=o'brien&min_revenue=1",
  ];

  test('states the build did not store come from the server, equal to the engine\'s', T, async () => {
    for (const state of STATES) {
      const rec = await openIdle(site.browser, `${site.server.url}/inputs.html${state}`);
      const fromServer = await snapshot(rec.page);
      const origins = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.source));
      assert.ok(origins.includes('server'), `${state}: some component from the server (${origins})`);
      assert.ok(!origins.includes('live'), `${state}: no component ran in the engine (${origins})`);
      assert.equal(await rec.page.evaluate(() => window.ducksite.engineStarted()), false, `${state}: engine started`);
      assert.deepEqual(engineRequests(rec), [], `${state}: engine or data requested`);
      assert.ok(liveRequests(rec).length > 0, `${state}: the endpoint was asked`);
      assert.deepEqual(rec.errors, [], `${state}: console errors`);
      assert.deepEqual(offsiteRequests(site.browser, rec), [], `${state}: requests off loopback`);
      if (state === STATES[0]) await screenshot(rec.page, 'live-queries-server');
      await rec.page.close();

      const recE = await openIdle(site.browser, `${site.server.url}/inputs.html${state}&ds_live=1`);
      const fromEngine = await snapshot(recE.page);
      assert.deepEqual(liveRequests(recE), [], `${state}&ds_live=1: the endpoint is not asked`);
      await recE.page.close();
      for (const [key, s] of Object.entries(fromServer)) {
        assert.equal(s.state, 'ok', `${state} ${key}: state`);
        assert.equal(fromEngine[key].state, 'ok', `${state} ${key}: engine state`);
        assert.ok(sameData(s.data, fromEngine[key].data), `${state} ${key}: server and engine agree:\n${s.data}\n${fromEngine[key].data}`);
      }
    }
  });

  test('a refusal falls back to the engine, and the page is still right', T, async () => {
    const context = await launchBrowser();
    try {
      await context.route(`**${ENDPOINT}`, (route) => route.fulfill({
        status: 503, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' }, body: '{"ok":false,"error":"busy","limit":"concurrency"}',
      }));
      const state = STATES[0];
      const rec = await openIdle(context, `${site.server.url}/inputs.html${state}`);
      const sources = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.source));
      assert.ok(sources.includes('live'), `the engine ran what the server refused (${sources})`);
      assert.ok(!sources.includes('server'), 'nothing from the server');
      assert.ok(liveRequests(rec).length > 0, 'the endpoint was asked');
      assert.equal(await rec.page.evaluate(() => window.ducksite.engineStarted()), true, 'engine started');
      const got = await snapshot(rec.page);
      for (const [key, c] of Object.entries(got)) assert.equal(c.state, 'ok', `${key}: state`);
      const recE = await openIdle(site.browser, `${site.server.url}/inputs.html${state}&ds_live=1`);
      const want = await snapshot(recE.page);
      for (const [key, c] of Object.entries(got)) assert.ok(sameData(c.data, want[key].data), `${key}: engine after refusal:\n${c.data}\n${want[key].data}`);
      await recE.page.close();
      await screenshot(rec.page, 'live-queries-refused');
      await rec.page.close();
    } finally {
      await context.close();
    }
  });
});

describe('live queries off', { skip: skip ?? false }, () => {
  const site = servedProject(() => demoProject('ducksite-e2e-live-off-'));

  test('without live_queries the page never asks the server', T, async () => {
    const rec = await openIdle(site.browser, `${site.server.url}/inputs.html?region=north&min_revenue=100000`);
    assert.deepEqual(liveRequests(rec), [], 'no request to the endpoint');
    const sources = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.source));
    assert.ok(sources.includes('live') && !sources.includes('server'), `${sources}`);
    await rec.page.close();
  });
});
