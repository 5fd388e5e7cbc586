/**
 * Reliability run (issue 17), bounded and on loopback only: the service runs as a child process on 127.0.0.1 over
 * a database of its own (embedded in a temporary directory, or a throwaway database beside DATABASE_URL), loaded
 * with the tiny test town, its residents, staff and accounts; then
 *   1. fuzz: every path and method of /api/openapi.json with NUL, huge, deeply nested and odd-Unicode input
 *      (path segments, query values, JSON bodies), anonymous and as an admin;
 *   2. the login race: 60 parallel wrong passwords for one name (at most LOGIN_MAX_FAILURES may be checked);
 *   3. lookups timed while anonymous heavy requests (8 MB layers) are refused, and while a planner's validation
 *      runs;
 *   4. load: mixed reads (lookup, bundle, tiles, OGC items, layers) from 8 connections for --seconds (default 60);
 * and prints a table: requests tried, 2xx, 4xx, 5xx, hangs (no answer within 15 s), p99 lookup latency.
 * Every phase is bounded in time and count; the child has a watchdog, so the run stops by itself.
 *
 *   npx tsx scripts/bench-reliability.ts [--seconds 60]                       # embedded engine
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-reliability.ts   # server engine
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../data/db/connect.ts';
import { bulkInsert } from '../data/db/bulk-insert.ts';
import { loadConfig } from '../api/config.ts';
import { WanggeApp } from '../api/app.ts';
import { loadTinyTown, TINY } from '../api/test/tiny-town.ts';
import { G1, G2, loadPeople } from '../api/auth/test-people.ts';
import { createUser } from '../api/auth/users.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '60' },
  child: { type: 'string' },
  url: { type: 'string' },
  watchdog: { type: 'string' },
} });

const PASSWORD = 'reliability run password';
const HANG_MS = 15_000;

// ---- the child: the service over the prepared database, on 127.0.0.1, with a watchdog
if (values.child !== undefined) {
  const watchdog = setTimeout(() => { process.stderr.write('bench-reliability child: watchdog, exiting\n'); process.exit(3); }, Number(values.watchdog ?? 600_000));
  watchdog.unref();
  const database = await openDatabase(values.url ? { url: values.url } : { dataDir: path.join(values.child, 'db') });
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', WANGGE_DATA_DIR: values.child, LOG_LEVEL: 'silent', PUBLIC_URL: '' });
  const app = new WanggeApp(config, database, { webDir: null, auth: { writesRequireLogin: true } });
  await app.start();
  process.stdout.write(`LISTENING ${app.port}\n`);
  const stop = async () => {
    await app.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  await new Promise(() => undefined);
}

const seconds = Math.max(5, Math.min(600, Number(values.seconds)));
const serverUrl = process.env.DATABASE_URL;
if (serverUrl && !['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(serverUrl).hostname)) throw new Error('the reliability run uses a database on loopback only');

// ---- prepare the database
const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-reliability-'));
let scratch: string | null = null;
let child: ChildProcess | null = null;
const cleanup = async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(r, 10_000); child!.once('exit', () => { clearTimeout(t); r(null); }); });
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (scratch && serverUrl) {
    const a = new pg.Client({ connectionString: serverUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => undefined);
    await a.end();
  }
  rmSync(dir, { recursive: true, force: true });
};

try {
  let childUrl: string | undefined;
  let database: Database;
  if (serverUrl) {
    scratch = `wangge_reliability_${process.pid}`;
    const a = new pg.Client({ connectionString: serverUrl });
    await a.connect();
    await a.query(`CREATE DATABASE ${scratch}`);
    await a.end();
    const u = new URL(serverUrl);
    u.pathname = `/${scratch}`;
    childUrl = u.toString();
    database = await openDatabase({ url: childUrl });
  } else {
    database = await openDatabase({ dataDir: path.join(dir, 'db') });
  }
  const town = await loadTinyTown(database.db);
  await loadPeople(database.db);
  await bulkInsert(database.db, 'grid_staff', [{ name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' },
    { name: 'role', kind: 'text' }, { name: 'phone', kind: 'text' }], [
    { jcode: TINY.jcode, grid_code: G1, name: '王网格员', role: 'member', phone: '13800000001' },
    { jcode: TINY.jcode, grid_code: G2, name: '李组长甲', role: 'leader', phone: '13800000002' },
  ]);
  await sql`INSERT INTO grid_service_phones (jcode, grid_code, phone) VALUES (${TINY.jcode}, ${G1}, '010-62000001')`.execute(database.db);
  for (const [name, role] of [['bench-admin', 'admin'], ['bench-planner', 'planner'], ['race-target', 'commander']] as const) {
    await createUser(database.db, { name, role, password: PASSWORD });
  }
  await database.close();

  // ---- the service
  child = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', dir, ...(childUrl ? ['--url', childUrl] : []), '--watchdog', String((seconds + 400) * 1000)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DATABASE_URL: '' } });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the service did not start within 180 s')), 180_000);
    child!.stdout!.on('data', (b: Buffer) => { const m = /LISTENING (\d+)/.exec(b.toString()); if (m) { clearTimeout(t); resolve(Number(m[1])); } });
    child!.once('exit', (c) => { clearTimeout(t); reject(new Error(`the service exited with ${c}`)); });
  });
  const base = `http://127.0.0.1:${port}`;

  // ---- counting
  interface Tally { tried: number; ok: number; c4: number; c5: number; hangs: number; closed: number; lookupMs: number[]; notes: string[] }
  const tallies = new Map<string, Tally>();
  const tally = (phase: string): Tally => {
    let t = tallies.get(phase);
    if (!t) tallies.set(phase, (t = { tried: 0, ok: 0, c4: 0, c5: 0, hangs: 0, closed: 0, lookupMs: [], notes: [] }));
    return t;
  };
  const fiveHundreds: string[] = [];
  async function call(phase: string, method: string, p: string, init: { body?: string; headers?: Record<string, string>; lookup?: boolean } = {}): Promise<number> {
    const t = tally(phase);
    t.tried += 1;
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}${p}`, { method, body: init.body, headers: { 'content-type': 'application/json', ...init.headers }, signal: AbortSignal.timeout(HANG_MS) });
      await res.arrayBuffer();
      if (init.lookup) t.lookupMs.push(performance.now() - t0);
      if (res.status >= 500) { t.c5 += 1; if (fiveHundreds.length < 20) fiveHundreds.push(`${res.status} ${method} ${p.slice(0, 100)}`); }
      else if (res.status >= 400) t.c4 += 1;
      else t.ok += 1;
      return res.status;
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') t.hangs += 1;
      // the server closed the connection (e.g. while a body beyond the limit was still being sent): not a hang
      else t.closed += 1;
      return 0;
    }
  }
  const login = async (name: string) => {
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
    return ((await res.json()) as { token: string }).token;
  };
  const admin = await login('bench-admin');
  const planner = await login('bench-planner');
  const tile = (() => {
    const z = 14, lon = TINY.x0 + TINY.dx * 2, lat = TINY.y0 + TINY.dy * 2, r = (lat * Math.PI) / 180;
    return { z, x: Math.floor(((lon + 180) / 360) * 2 ** z), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z) };
  })();
  const lookupPath = () => `/api/lookup?lon=${(TINY.x0 + Math.random() * TINY.dx * TINY.n).toFixed(6)}&lat=${(TINY.y0 + Math.random() * TINY.dy * TINY.n).toFixed(6)}`;

  // ---- 1. fuzz every route of the OpenAPI document
  const doc = await (await fetch(`${base}/api/openapi.json`)).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };
  const ODD = ['%00', 'a%00b', '%ED%A0%80', encodeURIComponent('\u202e\u0007x'), encodeURIComponent('𠀀e\u0301ｆ\ufeff'), 'x'.repeat(6000), encodeURIComponent("1' OR '1'='1")];
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const huge = JSON.stringify({ type: 'FeatureCollection', features: [], pad: 'x'.repeat(25 * 1024 * 1024) });
  const oddBody = JSON.stringify({ name: 'a\u0000b', password: '\ud800\u202e', type: 'FeatureCollection', layers: [{ name: '\u0000', features: [] }],
    features: [{ type: 'Feature', properties: { code: 'G\u0000' }, geometry: { type: 'Polygon', coordinates: [[[450000, 4420000], [1, 1], [2, 2], [450000, 4420000]]] } }], op: 'move', blocks: ['\u0000'], to: '\u0007' });
  const fuzzStart = performance.now();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const queryNames = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      for (const who of [null, admin]) {
        const headers: Record<string, string> = who ? { authorization: `Bearer ${who}` } : {};
        for (const v of ODD) {
          const url = p.replace(/\{(\w+)\}/g, (_x, n: string) => (n === 'jcode' && v === ODD[0] ? TINY.jcode : v));
          const q = (queryNames.length ? queryNames : ['q']).map((n) => `${n}=${v}`).join('&');
          await call('fuzz', method, `${url}?${q}`, { headers, body: method === 'POST' ? oddBody : undefined });
        }
        if (method === 'POST') {
          const url = p.replace(/\{(\w+)\}/g, (_x, n: string) => (n === 'jcode' ? TINY.jcode : n === 'planId' ? String(town.publishedPlanId) : '1'));
          for (const body of [deep, huge, oddBody]) await call('fuzz', method, url, { headers, body });
        }
      }
      if (performance.now() - fuzzStart > 300_000) break;
    }
  }

  // ---- 2. the login race
  const race = await Promise.all(Array.from({ length: 60 }, (_, i) => call('login race', 'POST', '/api/session', { body: JSON.stringify({ name: 'race-target', password: `guess ${i}` }) })));
  tally('login race').notes.push(`${race.filter((s) => s === 401).length} of 60 parallel guesses reached the password check (LOGIN_MAX_FAILURES 10), ${race.filter((s) => s === 429).length} refused 429`);

  // ---- 3. lookups while heavy requests are refused, then while one runs
  const bigLayer = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'X' },
    geometry: { type: 'Polygon', coordinates: [[...Array.from({ length: 200_000 }, (_, i) => [TINY.x0 + 0.005 + 0.003 * Math.cos(i / 31830), TINY.y0 + 0.004 + 0.003 * Math.sin(i / 31830)]), [TINY.x0 + 0.008, TINY.y0 + 0.004]]] } }] });
  const refused = Array.from({ length: 6 }, () => call('heavy refused', 'POST', `/api/jurisdictions/${TINY.jcode}/validate`, { body: bigLayer }));
  for (let i = 0; i < 40; i++) await call('heavy refused', 'GET', lookupPath(), { lookup: true });
  const refusedStatuses = await Promise.all(refused);
  tally('heavy refused').notes.push(`anonymous 8 MB validations answered ${[...new Set(refusedStatuses)].join(', ')}`);
  const running = call('heavy running', 'POST', `/api/jurisdictions/${TINY.jcode}/plans/${town.publishedPlanId}/validate`, { headers: { authorization: `Bearer ${planner}` } });
  for (let i = 0; i < 40; i++) await call('heavy running', 'GET', lookupPath(), { lookup: true });
  tally('heavy running').notes.push(`the planner's validation answered ${await running}`);

  // ---- 4. bounded load
  const until = performance.now() + seconds * 1000;
  const MAX_REQUESTS = 500_000;
  const mixed = (): [string, boolean] => {
    const r = Math.random();
    if (r < 0.6) return [lookupPath(), true];
    if (r < 0.7) return [`/api/grids/${Math.random() < 0.5 ? G1 : G2}/bundle?jcode=${TINY.jcode}`, false];
    if (r < 0.8) return [`/tiles/grids/${tile.z}/${tile.x}/${tile.y}.mvt`, false];
    if (r < 0.9) return ['/ogc/collections/streets/items?limit=10', false];
    return [`/api/layers/grids.geojson?jcode=${TINY.jcode}`, false];
  };
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < until && tally('load').tried < MAX_REQUESTS) {
      const [p, isLookup] = mixed();
      await call('load', 'GET', p, { lookup: isLookup });
    }
  }));

  // ---- the table
  const pct = (xs: number[], q: number) => { if (!xs.length) return NaN; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
  const rows = [['phase', 'tried', '2xx/3xx', '4xx', '5xx', 'hangs', 'closed', 'p99 lookup ms']];
  const all: Tally = { tried: 0, ok: 0, c4: 0, c5: 0, hangs: 0, closed: 0, lookupMs: [], notes: [] };
  for (const [phase, t] of tallies) {
    rows.push([phase, String(t.tried), String(t.ok), String(t.c4), String(t.c5), String(t.hangs), String(t.closed), t.lookupMs.length ? pct(t.lookupMs, 0.99).toFixed(1) : '-']);
    all.tried += t.tried; all.ok += t.ok; all.c4 += t.c4; all.c5 += t.c5; all.hangs += t.hangs; all.closed += t.closed; all.lookupMs.push(...t.lookupMs);
  }
  rows.push(['all', String(all.tried), String(all.ok), String(all.c4), String(all.c5), String(all.hangs), String(all.closed), pct(all.lookupMs, 0.99).toFixed(1)]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const engine = serverUrl ? 'server' : 'embedded';
  process.stdout.write(`\nreliability run on 127.0.0.1, ${engine} engine, load ${seconds} s (hangs: no answer in ${HANG_MS / 1000} s; closed: connection closed by the server, e.g. while a body over the limit was sent)\n`);
  for (const r of rows) process.stdout.write(`${r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')}\n`);
  for (const [phase, t] of tallies) for (const n of t.notes) process.stdout.write(`${phase}: ${n}\n`);
  if (fiveHundreds.length) process.stdout.write(`5xx answers:\n  ${fiveHundreds.join('\n  ')}\n`);
  process.exitCode = all.c5 || all.hangs ? 1 : 0;
} finally {
  await cleanup();
}
