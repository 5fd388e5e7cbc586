/**
 * Service benchmark on the native PostGIS server (DATABASE_URL, loopback only): a generated town (default
 * 300k households) is loaded, partitioned, published and staffed once into the database (skipped when it is
 * there already); `wangge serve` runs as a child process on 127.0.0.1; autocannon drives it:
 *   1. GET /api/lookup at random address positions of the town: req/s, p50/p99 latency;
 *   2. GET /tiles/grids/14/x/y.mvt over the town's z14 tiles, one request at a time: p50, beside the bare
 *      ST_AsMVT statement (the same SQL the service runs) timed on the same tiles through `pg`;
 * then errors (non-2xx, socket errors, timeouts) over the whole run and the server's RSS before and after.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/wangge_bench npx tsx scripts/bench-api.ts [--households 300000] [--seconds 60]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../data/db/connect.ts';
import { generateTown, loadTown } from '../data/generator/index.ts';
import { assignStaff } from '../data/generator/assign-staff.ts';
import { partitionJurisdiction, publishPlan } from '../spatial/partition/index.ts';
import { nativeTileSql } from '../api/tiles/render-tile.ts';
import { TILE_SETS } from '../api/tiles/tile-layers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: {
  households: { type: 'string', default: '300000' },
  seconds: { type: 'string', default: '60' },
  connections: { type: 'string', default: '16' },
  port: { type: 'string', default: String(3100 + Math.floor(Math.random() * 800)) },
} });
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL + PostGIS database on 127.0.0.1');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) throw new Error('the benchmark runs on loopback only');
const households = Number(values.households);
const seconds = Number(values.seconds);
const port = Number(values.port);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

// 1. the town, once
const database = await openDatabase({ url, statementTimeoutMs: 600_000 });
const db = database.db;
let jcode = (await db.selectFrom('grid_plans').select('jcode').where('status', '=', 'published').limit(1).executeTakeFirst())?.jcode;
if (!jcode) {
  const t0 = performance.now();
  const town = generateTown({ households, seed: 1 });
  ({ jcode } = await loadTown(db, town, { residents: false }));
  const plan = await partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1 });
  await publishPlan(db, jcode, plan.planId);
  await assignStaff(db, jcode, plan.planId);
  await sql`ANALYZE`.execute(db);
  process.stderr.write(`loaded ${households} households, ${plan.grids} grids in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const hh = await sql<{ n: number }>`SELECT sum(households)::int AS n FROM address_points WHERE jcode = ${jcode}`.execute(db);
const pts = (await sql<{ x: number; y: number }>`SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM address_points WHERE jcode = ${jcode} ORDER BY random() LIMIT 5000`.execute(db)).rows;
const ext = (await sql<{ a: number; b: number; c: number; d: number }>`SELECT ST_XMin(geom) a, ST_YMin(geom) b, ST_XMax(geom) c, ST_YMax(geom) d FROM jurisdictions WHERE jcode = ${jcode} AND code = jcode`.execute(db)).rows[0];
const z = 14;
const tx = (lon: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const ty = (lat: number) => { const r = (lat * Math.PI) / 180; return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z); };
const tiles: Array<{ z: number; x: number; y: number }> = [];
for (let x = tx(ext.a); x <= tx(ext.c); x++) for (let y = ty(ext.d); y <= ty(ext.b); y++) tiles.push({ z, x, y });

// 2. bare SQL of the same tiles (3 rounds, first one as warm-up)
const bare: number[] = [];
const client = new pg.Client({ connectionString: url });
await client.connect();
for (let round = 0; round < 3; round++) {
  for (const t of tiles) {
    const q = nativeTileSql(TILE_SETS.grids, t).compile(db);
    const t0 = performance.now();
    await client.query(q.sql, q.parameters as unknown[]);
    if (round > 0) bare.push(performance.now() - t0);
  }
}
await client.end();
await database.close();

// 3. the service
const child = spawn(process.execPath, [path.join(ROOT, 'api/cli/wangge.mjs'), 'serve', '--port', String(port), '--host', '127.0.0.1'], {
  env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('http://')) resolve(); });
  child.once('exit', (c) => reject(new Error(`serve exited with ${c}`)));
});
const base = `http://127.0.0.1:${port}`;
let k = 0;
const lookupPath = () => { const p = pts[k++ % pts.length]; return `/api/lookup?lon=${p.x}&lat=${p.y}`; };
const tilePath = () => { const t = tiles[k++ % tiles.length]; return `/tiles/grids/${t.z}/${t.x}/${t.y}.mvt`; };
const run = (opts: autocannon.Options) => new Promise<autocannon.Result>((resolve, reject) => {
  autocannon(opts, (err: Error | null, res: autocannon.Result) => (err ? reject(err) : resolve(res)));
});
/** Sequential tile requests on one keep-alive connection for `secs`: per-request times (ms) and errors. */
async function tileLoop(secs: number): Promise<{ times: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let errors = 0;
  const end = Date.now() + secs * 1000;
  while (Date.now() < end) {
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      http.get(`${base}${tilePath()}`, { agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode === 200));
      }).on('error', () => resolve(false));
    });
    times.push(performance.now() - t0);
    if (!ok) errors++;
  }
  agent.destroy();
  return { times, errors };
}
// warm-up
await run({ url: base, connections: 4, duration: 3, requests: [{ setupRequest: (r: any) => ({ ...r, path: lookupPath() }) }] });
await tileLoop(2);
const rssBefore = rssMb(child.pid!);
const half = Math.max(5, Math.round(seconds / 2));
const lookup = await run({ url: base, connections: Number(values.connections), duration: half, requests: [{ setupRequest: (r: any) => ({ ...r, path: lookupPath() }) }] });
const tile = await tileLoop(seconds - half);
const rssAfter = rssMb(child.pid!);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

const errors = (r: autocannon.Result) => r.errors + r.timeouts + r.non2xx;
const out = {
  town: { jcode, households: hh.rows[0].n, z14Tiles: tiles.length },
  lookup: { connections: Number(values.connections), seconds: half, requests: lookup.requests.total, reqPerSec: Math.round(lookup.requests.average), p50ms: lookup.latency.p50, p99ms: lookup.latency.p99, errors: errors(lookup) },
  gridTilesZ14: {
    seconds: seconds - half, requests: tile.times.length, httpP50ms: +pct(tile.times, 50).toFixed(2), httpP99ms: +pct(tile.times, 99).toFixed(2),
    bareSqlP50ms: +pct(bare, 50).toFixed(2), ratio: +(pct(tile.times, 50) / pct(bare, 50)).toFixed(2), errors: tile.errors,
  },
  errorsTotal: errors(lookup) + tile.errors,
  serverRssMb: { before: rssBefore, after: rssAfter },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
