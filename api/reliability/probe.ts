/**
 * The probes of a reliability run against a running service (issue 17), each bounded in time and count, tallied
 * by phase: requests tried, 2xx/3xx, 4xx, 5xx, hangs (no answer within HANG_MS), connections closed by the server,
 * and lookup latencies. Used by the reliability test (api/reliability/reliability.test.ts) and the benchmark
 * (scripts/bench-reliability.ts); the test asserts the zeros, timings are only printed.
 */
import { TINY } from '../test/tiny-town.ts';
import { G1, G2 } from '../auth/test-people.ts';
import { spawnTs, rssMiB } from './service-process.ts';
import { REPO_ROOT } from '../app.ts';
import path from 'node:path';

/** A request without an answer within this is a hang. */
export const HANG_MS = 15_000;

export interface Tally { tried: number; ok: number; c4: number; c5: number; hangs: number; closed: number; lookupMs: number[]; notes: string[] }

const emptyTally = (): Tally => ({ tried: 0, ok: 0, c4: 0, c5: 0, hangs: 0, closed: 0, lookupMs: [], notes: [] });

/** The q-quantile of `xs` (NaN when empty). */
export function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export interface CallInit { body?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string>; lookup?: boolean }

/** Where lookups go: [west, south, east, north] in WGS-84. */
export type Area = [number, number, number, number];

/** The tiny test town's area. */
export const TINY_AREA: Area = [TINY.x0, TINY.y0, TINY.x0 + TINY.dx * TINY.n, TINY.y0 + TINY.dy * TINY.n];

export class Probe {
  readonly tallies = new Map<string, Tally>();
  /** the first 5xx answers and hangs, for the report */
  readonly failures: string[] = [];
  /** `area`: where its lookups go (default the tiny town) */
  constructor(readonly base: string, readonly area: Area = TINY_AREA) {}

  tally(phase: string): Tally {
    let t = this.tallies.get(phase);
    if (!t) this.tallies.set(phase, (t = emptyTally()));
    return t;
  }

  /** One request, tallied under `phase`; the status, or 0 for a hang or a closed connection. */
  async call(phase: string, method: string, p: string, init: CallInit = {}): Promise<number> {
    const t = this.tally(phase);
    t.tried += 1;
    const t0 = performance.now();
    try {
      const res = await fetch(`${this.base}${p}`, { method, body: init.body, headers: { 'content-type': 'application/json', ...init.headers }, signal: AbortSignal.timeout(HANG_MS) });
      // an event stream stays open by design: its answer is its status and headers
      if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
      else await res.arrayBuffer();
      if (init.lookup) t.lookupMs.push(performance.now() - t0);
      if (res.status >= 500) { t.c5 += 1; if (this.failures.length < 20) this.failures.push(`${res.status} ${method} ${p.slice(0, 100)}`); }
      else if (res.status >= 400) t.c4 += 1;
      else t.ok += 1;
      return res.status;
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        t.hangs += 1;
        if (this.failures.length < 20) this.failures.push(`hang ${method} ${p.slice(0, 100)}`);
      } else {
        // the server closed the connection (e.g. while a body over the limit was still being sent): not a hang
        t.closed += 1;
      }
      return 0;
    }
  }

  async login(name: string, password: string): Promise<string> {
    const res = await fetch(`${this.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    if (res.status !== 201) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** Totals over every phase. */
  total(): Tally {
    const all = emptyTally();
    for (const t of this.tallies.values()) {
      all.tried += t.tried; all.ok += t.ok; all.c4 += t.c4; all.c5 += t.c5; all.hangs += t.hangs; all.closed += t.closed;
      all.lookupMs.push(...t.lookupMs);
    }
    return all;
  }

  /** The table: one row per phase and a total, then the notes. */
  table(title: string): string {
    const rows = [['phase', 'tried', '2xx/3xx', '4xx', '5xx', 'hangs', 'closed', 'p99 lookup ms']];
    const row = (name: string, t: Tally) => [name, String(t.tried), String(t.ok), String(t.c4), String(t.c5), String(t.hangs), String(t.closed), t.lookupMs.length ? quantile(t.lookupMs, 0.99).toFixed(1) : '-'];
    for (const [phase, t] of this.tallies) rows.push(row(phase, t));
    rows.push(row('all', this.total()));
    const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = [title, ...rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  '))];
    for (const [phase, t] of this.tallies) for (const n of t.notes) lines.push(`${phase}: ${n}`);
    if (this.failures.length) lines.push(`failures:\n  ${this.failures.join('\n  ')}`);
    return `${lines.join('\n')}\n`;
  }
}

/** A random position in `area` (default the tiny town), as a lookup path. */
export function lookupPath(area: Area = TINY_AREA): string {
  const [w, s, e, n] = area;
  return `/api/lookup?lon=${(w + Math.random() * (e - w)).toFixed(6)}&lat=${(s + Math.random() * (n - s)).toFixed(6)}`;
}

/** Odd values for path segments and query values: NUL, broken and odd Unicode, long, injection, bad numbers. */
const ODD = ['%00', 'a%00b', '%ED%A0%80', encodeURIComponent('\u202e\u0007x'), encodeURIComponent('𠀀e\u0301ｆ\ufeff'), 'x'.repeat(6000),
  encodeURIComponent("1' OR '1'='1"), 'NaN', '1e309', '-181', '450000.5'];

/** A JSON body with NUL, control characters, a lone surrogate and projected, out-of-range coordinates. */
const ODD_BODY = JSON.stringify({ name: 'a\u0000b', password: '\ud800\u202e', type: 'FeatureCollection', layers: [{ name: '\u0000', features: [] }],
  features: [
    { type: 'Feature', properties: { code: 'G\u0000' }, geometry: { type: 'Polygon', coordinates: [[[450000, 4420000], [1, 1], [2, 2], [450000, 4420000]]] } },
    { type: 'Feature', properties: { code: 'G2' }, geometry: { type: 'Polygon', coordinates: [[[179.9, 0], [-179.9, 0], [-179.9, 1], [179.9, 0]]] } },
    { type: 'Feature', properties: { code: 'G3' }, geometry: { type: 'Polygon', coordinates: [[[200, 95], [201, 95], [201, 96], [200, 95]]] } },
  ],
  op: 'move', blocks: ['\u0000'], to: '\u0007', min: -1, max: 2 ** 64 });

/** Fuzz requests in flight at once. */
const FUZZ_CLIENTS = 4;

export interface FuzzOptions { jcode: string; planId: number; tokens: Array<string | null>; hugeBytes: number; budgetMs: number }

/**
 * Every path and method of /api/openapi.json with odd path segments and query values (the `jcode` kept valid in
 * one pass so the routes behind it run), and every POST with a deep, a huge and an odd JSON body; as each of
 * `tokens` (null: anonymous).
 */
export async function fuzzRoutes(p: Probe, o: FuzzOptions): Promise<void> {
  const doc = await (await fetch(`${p.base}/api/openapi.json`)).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const huge = new Uint8Array(Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [], pad: 'x'.repeat(o.hugeBytes) })));
  const t0 = performance.now();
  let routes = 0;
  const requests: Array<[string, string, CallInit]> = [];
  for (const [route, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      routes += 1;
      const method = m.toUpperCase();
      const queryNames = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      for (const token of o.tokens) {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        for (const v of ODD) {
          const url = route.replace(/\{(\w+)\}/g, (_x, n: string) => (n === 'jcode' && v === ODD[0] ? o.jcode : v));
          const q = (queryNames.length ? queryNames : ['q']).map((n) => `${n}=${v}`).join('&');
          requests.push([method, `${url}?${q}`, { headers, body: method === 'GET' ? undefined : ODD_BODY }]);
        }
        if (method !== 'GET') {
          const url = route.replace(/\{(\w+)\}/g, (_x, n: string) => (n === 'jcode' ? o.jcode : n === 'planId' ? String(o.planId) : n === 'code' ? G1 : '1'));
          for (const body of [deep, huge, ODD_BODY]) requests.push([method, url, { headers, body }]);
        }
      }
    }
  }
  // a few at a time, as several clients would; each request still bounded by HANG_MS
  let next = 0;
  await Promise.all(Array.from({ length: FUZZ_CLIENTS }, async () => {
    while (next < requests.length && performance.now() - t0 < o.budgetMs) {
      const [method, url, init] = requests[next++];
      await p.call('fuzz', method, url, init);
    }
  }));
  p.tally('fuzz').notes.push(`${routes} route methods of the OpenAPI document, ${o.tokens.length} callers, ${FUZZ_CLIENTS} at a time, `
    + `${next < requests.length ? `${next} of ${requests.length} requests within the budget` : 'all requests'}, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** 60 parallel wrong passwords for one name; how many reached the password check (401) and how many were refused (429). */
export async function loginRace(p: Probe, name: string): Promise<{ reached: number; refused: number }> {
  const race = await Promise.all(Array.from({ length: 60 }, (_, i) => p.call('login race', 'POST', '/api/session', { body: JSON.stringify({ name, password: `guess ${i}` }) })));
  const reached = race.filter((s) => s === 401).length, refused = race.filter((s) => s === 429).length;
  p.tally('login race').notes.push(`${reached} of 60 parallel guesses reached the password check, ${refused} refused 429`);
  return { reached, refused };
}

export interface HeavyOptions { jcode: string; planId: number; plannerToken: string; ms: number }

/** Sequential lookups in the probe's area for `ms`, tallied under `phase`. */
export async function lookupsFor(p: Probe, phase: string, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) await p.call(phase, 'GET', lookupPath(p.area), { lookup: true });
}

export type HeavyKind = 'posts' | 'reads' | 'both';

/** Untimed heavy requests before the timed ones, ms. */
export const WARM_UP_MS = 1_500;

/**
 * Lookups timed for `ms` under `phase` while another process (api/reliability/heavy-sender.ts) keeps sending
 * anonymous heavy requests of `kind`: 8 MB layers to validate and repair and a plan to validate (refused 401 before
 * their bodies are read), and/or the heaviest open reads (exports, whole layers, OGC pages of 10,000, wall figures,
 * tiles of the whole town). The sender's hangs and 5xx count in the phase; returns its answer counts.
 */
export async function lookupsBesideSender(p: Probe, phase: string, o: { jcode: string; planId: number; ms: number; kind: HeavyKind }): Promise<Record<string, number>> {
  const { counts, times } = await withSender(p.base, o, () => lookupsFor(p, phase, o.ms));
  const t = p.tally(phase);
  const what = { posts: 'anonymous 8 MB validations and repairs', reads: 'the heaviest anonymous reads', both: 'anonymous 8 MB validations and repairs and the heaviest anonymous reads' }[o.kind];
  const slowest = Object.entries(times).sort((a, b) => b[1].max - a[1].max).slice(0, 4).map(([w, x]) => `${w} ${x.p50}/${x.max} ms`);
  t.notes.push(`another process sent ${what} meanwhile, answered ${JSON.stringify(counts)}; slowest (median/max): ${slowest.join(', ')}`);
  countFailures(t, counts);
  return counts;
}

/** A hang or a 5xx of the sender counts in the phase too. */
function countFailures(t: Tally, counts: Record<string, number>): void {
  t.hangs += counts.hang ?? 0;
  t.c5 += Object.entries(counts).filter(([k]) => /^5\d\d$/.test(k)).reduce((a, [, n]) => a + n, 0);
}

/**
 * The service warmed up: another process sends anonymous heavy requests of `kind` for `ms`, untimed (the first
 * tiles, exports and statements of a new process compile and fill caches once). Returns the sender's answer counts.
 */
export async function warmUp(base: string, o: { jcode: string; planId: number; ms: number; kind: HeavyKind }): Promise<Record<string, number>> {
  return (await withSender(base, o, () => new Promise((r) => setTimeout(r, o.ms)))).counts;
}

interface SenderTimes { n: number; p50: number; max: number }

interface SenderOutput { counts: Record<string, number>; times: Record<string, SenderTimes> }

/**
 * Run `during` while api/reliability/heavy-sender.ts sends for about `o.ms` (both kinds: two processes of two
 * clients each, one kind per process), from when every sender has started; the answer counts and times by request.
 */
async function withSender(base: string, o: { jcode: string; planId: number; ms: number; kind: HeavyKind }, during: () => Promise<unknown>): Promise<SenderOutput> {
  const kinds = o.kind === 'both' ? ['posts', 'reads'] : [o.kind];
  const senders = kinds.map((kind) => startSender(base, { ...o, kind, parallel: 4 / kinds.length }));
  await Promise.all(senders.map((x) => x.ready));
  await during();
  const outs = await Promise.all(senders.map((x) => x.output));
  const counts: Record<string, number> = {};
  for (const x of outs) for (const [k, n] of Object.entries(x.counts)) counts[k] = (counts[k] ?? 0) + n;
  return { counts, times: Object.assign({}, ...outs.map((x) => x.times)) as Record<string, SenderTimes> };
}

/** One sender process: `ready` once it sends, `output` once it exited. */
function startSender(base: string, o: { jcode: string; planId: number; ms: number; kind: string; parallel: number }): { ready: Promise<void>; output: Promise<SenderOutput> } {
  const sender = spawnTs(path.join(REPO_ROOT, 'api/reliability/heavy-sender.ts'),
    ['--base', base, '--jcode', o.jcode, '--plan', String(o.planId), '--ms', String(o.ms + 1_000), '--kind', o.kind, '--parallel', String(o.parallel)]);
  let out = '';
  sender.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  const ended = new Promise<void>((r) => sender.once('exit', () => r()));
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the heavy sender did not start within 120 s')), 120_000);
    sender.stdout!.on('data', () => { if (out.includes('READY')) { clearTimeout(t); resolve(); } });
    sender.once('exit', (c) => { clearTimeout(t); reject(new Error(`the heavy sender exited with ${c}`)); });
  });
  const output = ended.then(() => {
    const lines = out.trim().split('\n');
    return {
      counts: JSON.parse(lines.at(-1) ?? '{}') as Record<string, number>,
      times: JSON.parse(lines.find((l) => l.startsWith('TIMES '))?.slice(6) ?? '{}') as Record<string, SenderTimes>,
    };
  });
  return { ready, output };
}

/**
 * Lookups timed (0) alone, as the baseline of this machine, (1) while another process keeps sending anonymous heavy
 * requests of both kinds (lookupsBesideSender), and (2) while a planner's validations of the stored plan run one
 * after another. Returns the anonymous sender's answer counts.
 */
export async function lookupsBesideHeavy(p: Probe, o: HeavyOptions): Promise<Record<string, number>> {
  // the same lookups with nothing else running: what the machine gives without heavy requests
  await lookupsFor(p, 'lookups, quiet', o.ms);
  // the service's first tiles, exports and heavy statements, untimed: a new process compiles and fills caches once
  const warm = await warmUp(p.base, { ...o, ms: WARM_UP_MS, kind: 'both' });
  const counts = await lookupsBesideSender(p, 'lookups, anonymous heavy', { ...o, kind: 'both' });
  p.tally('lookups, anonymous heavy').notes.push(`after ${WARM_UP_MS / 1000} s of the same requests untimed (answered ${JSON.stringify(warm)})`);
  countFailures(p.tally('lookups, anonymous heavy'), warm);

  let stop = false;
  const statuses: number[] = [];
  const validations = (async () => {
    while (!stop) statuses.push(await p.call('lookups, validation running', 'POST', `/api/jurisdictions/${o.jcode}/plans/${o.planId}/validate`, { headers: { authorization: `Bearer ${o.plannerToken}` } }));
  })();
  await lookupsFor(p, 'lookups, validation running', o.ms);
  stop = true;
  await validations;
  p.tally('lookups, validation running').notes.push(`a planner's plan validations ran one after another meanwhile: ${statuses.length}, answered ${[...new Set(statuses)].join(', ')}`);
  return counts;
}

export interface LoadOptions { seconds: number; connections: number; jcode: string; servicePid?: number }

/** Mixed reads (lookup, bundle, tiles, OGC items, layers) from `connections` clients for `seconds`; the service's memory. */
export async function loadRun(p: Probe, o: LoadOptions): Promise<{ rssStart: number; rssMax: number; rssEnd: number }> {
  const z = 14, lon = TINY.x0 + TINY.dx * 2, lat = TINY.y0 + TINY.dy * 2, r = (lat * Math.PI) / 180;
  const tile = { x: Math.floor(((lon + 180) / 360) * 2 ** z), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z) };
  const mixed = (): [string, boolean] => {
    const x = Math.random();
    if (x < 0.6) return [lookupPath(), true];
    if (x < 0.7) return [`/api/grids/${Math.random() < 0.5 ? G1 : G2}/bundle?jcode=${o.jcode}`, false];
    if (x < 0.8) return [`/tiles/grids/${z}/${tile.x}/${tile.y}.mvt`, false];
    if (x < 0.9) return ['/ogc/collections/streets/items?limit=10', false];
    return [`/api/layers/grids.geojson?jcode=${o.jcode}`, false];
  };
  const rss = () => (o.servicePid ? rssMiB(o.servicePid) : NaN);
  const rssStart = rss();
  let rssMax = rssStart;
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, rss()); }, 500);
  const until = performance.now() + o.seconds * 1000;
  try {
    await Promise.all(Array.from({ length: o.connections }, async () => {
      while (performance.now() < until && p.tally('load').tried < 500_000) {
        const [u, isLookup] = mixed();
        await p.call('load', 'GET', u, { lookup: isLookup });
      }
    }));
  } finally {
    clearInterval(sampler);
  }
  const rssEnd = rss();
  const t = p.tally('load');
  t.notes.push(`${o.connections} clients for ${o.seconds} s: ${(t.tried / o.seconds).toFixed(0)} requests/s; service memory ${rssStart.toFixed(0)} MiB at the start, ${Math.max(rssMax, rssEnd).toFixed(0)} at most, ${rssEnd.toFixed(0)} at the end`);
  return { rssStart, rssMax: Math.max(rssMax, rssEnd), rssEnd };
}
