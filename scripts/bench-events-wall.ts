/**
 * Live events on the wall screen (issue 20: "the wall layer stays smooth") in headless Chromium (Debian's
 * /usr/bin/chromium, software WebGL, as the browser tests): a generated town with --open open events (their
 * deadlines spread from two hours ago to a day ahead, so all three lights show), served with a web bundle built for
 * the run; /wall at --size with the patrol trails animating and the events' layer on its own canvas, measured
 * for --seconds twice:
 *   1. quiet: no event arriving;
 *   2. streaming: outside clients posting --rate events a second through Open311 (each one reaches the wall
 *      over Server-Sent Events and is drawn with no reload).
 * For each: trail frames drawn per second (the page's __wanggeFrames.n, at most 30 asked), the browser's frame
 * time (requestAnimationFrame intervals) p50 / p95 / max, the still canvas's redraws (grids, labels, tracks: none
 * expected) and the events' own canvas's; for the stream, how many posted events were on the map when it ended and how long the
 * last one took to appear. Figures are printed, never asserted. The database is a throwaway one: embedded in
 * memory, or beside DATABASE_URL's on a server.
 *
 *   npx tsx scripts/bench-events-wall.ts [--households 20000] [--open 2000] [--rate 20] [--seconds 10] [--size 1920x1080]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { openScratchDatabase } from '../data/db/scratch-database.ts';
import { generateTown, loadTown } from '../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../spatial/partition/index.ts';
import { EVENT_TYPES } from '../domain/events/event-codes.ts';
import { createOpen311Client } from '../domain/events/open311-clients.ts';
import { loadConfig } from '../api/config.ts';
import { WanggeApp } from '../api/app.ts';
import { buildWebBundle } from '../api/web-bundle.ts';
import { PostRateLimit } from '../api/routes/open311.ts';
import { launchHeadless } from '../web/test/headless-chromium.ts';

const { values } = parseArgs({ options: {
  households: { type: 'string', default: '20000' }, open: { type: 'string', default: '2000' }, rate: { type: 'string', default: '20' },
  seconds: { type: 'string', default: '10' }, size: { type: 'string', default: '1920x1080' },
} });
const [width, height] = values.size!.split('x').map(Number);
if (!(width > 0 && height > 0)) throw new Error(`--size must be WIDTHxHEIGHT, got ${values.size}`);
const OPEN = Number(values.open);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const say = (line: string) => process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN; };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-events-wall-'));
const database = await openScratchDatabase({ url: process.env.DATABASE_URL, statementTimeoutMs: 600_000 });
const db = database.db;
let app: WanggeApp | null = null;
try {
  let t0 = performance.now();
  const web = buildWebBundle(path.join(tmp, 'web'), { quiet: true });
  const { jcode } = await loadTown(db, generateTown({ households: Number(values.households), seed: 1 }), { residents: false });
  const plan = await partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1 });
  await publishPlan(db, jcode, plan.planId);
  // open events at the town's address points, set-based: deadlines from 2 h ago to 24 h ahead, yellow in the last fifth
  const types = EVENT_TYPES.map((t) => t.code);
  const kinds = EVENT_TYPES.map((t) => t.kind);
  const now = new Date();
  await sql`INSERT INTO events (jcode, kind, type_code, source, stage, priority, description, geom, plan_id, grid_code, community_code,
      reported_at, updated_at, deadline_at, yellow_at)
    WITH ap AS (SELECT row_number() OVER (ORDER BY a.id) AS rn, a.geom, g.code, g.community_code FROM address_points a
        JOIN grids g ON g.jcode = a.jcode AND g.plan_id = ${plan.planId}::bigint AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom) WHERE a.jcode = ${jcode}),
      n AS (SELECT count(*) AS c FROM ap),
      s AS (SELECT i, 1 + (i * 7919) % (SELECT c FROM n) AS rn, (1 + (i * 31) % ${types.length}::int)::int AS t,
          ${now}::timestamptz + make_interval(mins => (-120 + (i * 2654435761::bigint) % (26 * 60))::int) AS due
        FROM generate_series(1::bigint, ${OPEN}::bigint) AS i)
    SELECT ${jcode}, (${kinds}::text[])[s.t], (${types}::text[])[s.t], 'patrol', 'dispatched', 'normal', 'bench', ap.geom, ${plan.planId}::bigint,
      ap.code, ap.community_code, s.due - interval '24 hours', s.due - interval '24 hours', s.due, s.due - interval '288 minutes'
    FROM s JOIN ap ON ap.rn = s.rn`.execute(db);
  const key = await createOpen311Client(db, jcode, 'bench');
  const points = (await sql<{ lon: number; lat: number }>`SELECT ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat FROM address_points a
    JOIN grids g ON g.jcode = a.jcode AND g.plan_id = ${plan.planId}::bigint AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom) WHERE a.jcode = ${jcode} ORDER BY a.id`.execute(db)).rows;
  await web;
  app = new WanggeApp(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', WANGGE_DATA_DIR: tmp }), database, { webDir: path.join(tmp, 'web'), open311RateLimit: new PostRateLimit(1e9, 1000) });
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;
  say(`town: ${values.households} households, ${plan.grids} grids, ${OPEN.toLocaleString('en')} open events, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${database.caps.engine})`);

  const context = await launchHeadless(path.join(tmp, 'chromium'), { width, height });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    t0 = performance.now();
    await page.goto(`${base}/wall?jcode=${jcode}&tour=0`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 300_000 });
    for (const t1 = performance.now(); (await shown(page)) === 0 && performance.now() - t1 < 60_000;) await new Promise((r) => setTimeout(r, 100));
    say(`wall ${width}×${height}: first render ${((performance.now() - t0) / 1000).toFixed(1)} s, ${await shown(page)} events on the map`);
    await page.waitForTimeout(2000);
    // as a string: tsx would wrap a named function in a helper the page does not have
    await page.evaluate('window.__ft = []; (function f(t) { if (window.__ftLast !== undefined) window.__ft.push(t - window.__ftLast); window.__ftLast = t; requestAnimationFrame(f); })(performance.now())');

    const quiet = await measure(page, async () => { await page.waitForTimeout(SECONDS * 1000); return ''; });
    say(`  quiet: ${quiet}`);
    const streaming = await measure(page, async () => {
      const before = await shown(page);
      const ids: string[] = [];
      let last = 0;
      const t = performance.now();
      for (let k = 0; k < RATE * SECONDS; k++) {
        const wait = t + (k * 1000) / RATE - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const p = points[(k * 7919) % points.length];
        const res = await fetch(`${base}/open311/v2/requests.json`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ api_key: key, service_code: types[k % types.length], lat: String(p.lat + 0.00005), long: String(p.lon), description: `直播测试 ${k}` }).toString(),
        });
        if (res.status !== 201) throw new Error(`post ${k}: ${res.status} ${await res.text()}`);
        ids.push(((await res.json()) as Array<{ service_request_id: string }>)[0].service_request_id);
        last = performance.now();
      }
      // polled from here: the page's content security policy forbids the string predicates of waitForFunction
      let more = (await shown(page)) - before;
      while (more < ids.length && performance.now() - last < 30_000) {
        await new Promise((r) => setTimeout(r, 25));
        more = (await shown(page)) - before;
      }
      const latency = performance.now() - last;
      return `${ids.length} posted at ${RATE}/s (${(ids.length / ((last - t) / 1000)).toFixed(1)}/s reached), ${more} more on the map, ${more >= ids.length ? `the last one within ${latency.toFixed(0)} ms of its post` : 'not all within 30 s'}`;
    });
    say(`  streaming: ${streaming}`);
    await page.screenshot({ path: path.resolve('test-results', `bench-events-wall-${width}x${height}.png`) }).catch(() => undefined);
    if (errors.length) say(`  ${errors.length} console errors, first: ${errors[0].slice(0, 200)}`);
    say(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`);
  } finally {
    await context.close();
  }
} finally {
  await app?.stop();
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
}

/** the events drawn on the wall's map */
async function shown(page: Page): Promise<number> {
  return page.evaluate('(window.__wangge?.events?.() ?? []).length') as Promise<number>;
}

/** frames per second, frame times and still-canvas redraws while `during` runs; its own note appended */
async function measure(page: Page, during: () => Promise<string>): Promise<string> {
  type C = { n: number; still: number; live: number };
  const read = () => page.evaluate('({ n: window.__wanggeFrames?.n ?? 0, still: window.__wanggeFrames?.still ?? 0, live: window.__wanggeFrames?.live ?? 0 })') as Promise<C>;
  await page.evaluate('window.__ft = []');
  const c0 = await read();
  const t = performance.now();
  const note = await during();
  const s = (performance.now() - t) / 1000;
  const c1 = await read();
  const ft = await page.evaluate('window.__ft') as number[];
  return `${((c1.n - c0.n) / s).toFixed(1)} trail frames drawn/s over ${s.toFixed(1)} s, frame time p50 ${pct(ft, 50).toFixed(0)} ms / p95 ${pct(ft, 95).toFixed(0)} ms / max ${Math.max(...ft).toFixed(0)} ms, still canvas redrawn ${c1.still - c0.still} times, events' canvas ${c1.live - c0.live} times${note ? `; ${note}` : ''}`;
}
