/**
 * Events benchmark (issue 20) on the native PostGIS server (DATABASE_URL, loopback only), in a throwaway database
 * created beside DATABASE_URL's and dropped after (data/db/scratch-database.ts):
 *   1. a generated town (default 120k households) loaded, partitioned and published;
 *   2. N events (default 1,000,000) written set-based (generate_series over the town's address points, types,
 *      times of the last 60 days, about 70% closed), then VACUUM ANALYZE (the state autovacuum keeps);
 *   3. the staff list filtered by grid and light (domain listEvents: row-level security, the query's own
 *      predicate, 100 rows and the total up to 10,000), grid and light changing per call, as a commander and as a grid worker:
 *      p50 / p95 / p99 / max over --queries calls;
 *   4. a hotline file of --hotline rows (default 100,000, a month of orders) as CSV (and .xlsx with --xlsx) imported through
 *      importHotline: time, rows per second, and a second import of the same file (all skipped).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-events.ts [--events 1000000] [--hotline 100000] [--queries 2000] [--xlsx]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { openScratchDatabase } from '../data/db/scratch-database.ts';
import { generateTown, loadTown } from '../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../spatial/partition/index.ts';
import { listEvents } from '../domain/events/event-repository.ts';
import { importHotline } from '../domain/events/hotline-import.ts';
import { EVENT_TYPES } from '../domain/events/event-codes.ts';
import type { Actor } from '../domain/events/workflow.ts';
import type { Light } from '../domain/events/lights.ts';

const { values } = parseArgs({ options: {
  households: { type: 'string', default: '120000' },
  events: { type: 'string', default: '1000000' },
  hotline: { type: 'string', default: '100000' },
  queries: { type: 'string', default: '2000' },
  xlsx: { type: 'boolean', default: false },
} });
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL to a PostgreSQL + PostGIS server on 127.0.0.1 (a database of its own is created beside it)');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) throw new Error('the benchmark runs on loopback only');
const N = Number(values.events);
const H = Number(values.hotline);
const Q = Number(values.queries);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const ms = (x: number) => `${x.toFixed(1)} ms`;
const say = (line: string) => process.stdout.write(`${line}\n`);

const database = await openScratchDatabase({ url: adminUrl, statementTimeoutMs: 1_800_000 });
const db = database.db;
try {
  // 1. the town
  let t0 = performance.now();
  const { jcode } = await loadTown(db, generateTown({ households: Number(values.households), seed: 1 }), { residents: false });
  const plan = await partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1 });
  await publishPlan(db, jcode, plan.planId);
  say(`town: ${values.households} households, ${plan.grids} grids, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // 2. the events, set-based
  t0 = performance.now();
  const types = EVENT_TYPES.map((t) => t.code);
  const hours = EVENT_TYPES.map((t) => t.deadlineHours);
  const kinds = EVENT_TYPES.map((t) => t.kind);
  const now = new Date();
  await sql`INSERT INTO events (jcode, kind, type_code, source, stage, priority, description, geom, plan_id, grid_code, community_code,
      reported_at, updated_at, deadline_at, yellow_at, closed_at, on_time)
    WITH ap AS (SELECT row_number() OVER (ORDER BY a.id) AS rn, a.geom, g.code, g.community_code FROM address_points a
        JOIN grids g ON g.jcode = a.jcode AND g.plan_id = ${plan.planId}::bigint AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom) WHERE a.jcode = ${jcode}),
      n AS (SELECT count(*) AS c FROM ap),
      s AS (SELECT i, 1 + (i * 7919) % (SELECT c FROM n) AS rn, (1 + (i * 31) % ${types.length}::int)::int AS t,
          ${now}::timestamptz - make_interval(secs => (i * 2654435761::bigint % 5184000)::float8) AS at, ((i * 40503) % 100)::int AS r
        FROM generate_series(1::bigint, ${N}::bigint) AS i)
    SELECT ${jcode}, (${kinds}::text[])[s.t], (${types}::text[])[s.t], 'patrol', CASE WHEN s.r < 70 THEN 'closed' ELSE 'dispatched' END, 'normal',
      'bench', ap.geom, ${plan.planId}::bigint, ap.code, ap.community_code, s.at, s.at,
      s.at + make_interval(hours => (${hours}::int[])[s.t]), s.at + make_interval(secs => 0.8 * 3600 * (${hours}::int[])[s.t]),
      CASE WHEN s.r < 70 THEN s.at + make_interval(secs => 360.0 * (${hours}::int[])[s.t] * (s.r % 14)) END,
      CASE WHEN s.r < 70 THEN (s.r % 14) <= 10 END
    FROM s JOIN ap ON ap.rn = s.rn`.execute(db);
  // the steady state autovacuum keeps: statistics and the visibility map (index-only counts)
  await sql`VACUUM ANALYZE events`.execute(db);
  const { rows: [{ c }] } = await sql<{ c: number }>`SELECT count(*)::int AS c FROM events`.execute(db);
  say(`events: ${c.toLocaleString('en')} written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // 3. the list by grid and light
  const grids = (await db.selectFrom('grids').select('code').where('jcode', '=', jcode).where('plan_id', '=', plan.planId).execute()).map((g) => g.code);
  const lights: Light[] = ['red', 'yellow', 'green'];
  const commander: Actor = { name: 'bench', role: 'commander', jcode, grids: [] };
  for (const who of ['commander', 'grid worker'] as const) {
    const times: number[] = [];
    let rows = 0;
    for (let k = 0; k < Q; k++) {
      const grid = grids[(k * 13) % grids.length];
      const actor = who === 'commander' ? commander : { name: 'w', role: 'grid_worker' as const, jcode, grids: [grid] };
      const t = performance.now();
      const r = await listEvents(db, actor, jcode, { grid, light: lights[k % 3], limit: 100 }, now);
      times.push(performance.now() - t);
      rows += r.events.length;
    }
    say(`list by grid + light as ${who}: ${Q} calls, ${(rows / Q).toFixed(0)} rows each; p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}, p99 ${ms(pct(times, 99))}, max ${ms(Math.max(...times))}`);
  }

  // 4. the hotline file
  const pts = await sql<{ lon: number; lat: number }>`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM address_points WHERE jcode = ${jcode} ORDER BY id`.execute(db);
  const header = ['工单号', '事项编码', '诉求内容', '经度', '纬度', '坐标系', '来电人', '联系电话', '受理时间'];
  const rowsOf = (k: number) => {
    const p = pts.rows[(k * 7919) % pts.rows.length];
    // a month of orders, as a city exports them
    const at = new Date(now.getTime() - (k % (30 * 86_400)) * 1000 - 3_600_000);
    return [`B${String(k).padStart(8, '0')}`, types[k % types.length], `热线诉求 ${k}`, String(p.lon), String(p.lat), 'wgs84', '市民', '13900000000', at.toISOString()];
  };
  const data = Array.from({ length: H }, (_, k) => rowsOf(k));
  const csv = Buffer.from([header, ...data].map((r) => r.join(',')).join('\r\n'));
  for (const [label, bytes] of [['CSV', csv], ...(values.xlsx ? [['.xlsx', await (async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('工单');
    ws.addRow(header);
    for (const r of data) ws.addRow(r.map((v, i) => (i === 0 ? `X${v}` : v)));
    return Buffer.from(await wb.xlsx.writeBuffer());
  })()]] : [])] as Array<[string, Buffer]>) {
    t0 = performance.now();
    const first = await importHotline(db, jcode, bytes, now, 'bench');
    const s1 = (performance.now() - t0) / 1000;
    if (!first.ok) throw new Error(`hotline ${label}: ${first.errors.length} bad rows, first ${JSON.stringify(first.errors[0])}`);
    t0 = performance.now();
    const again = await importHotline(db, jcode, bytes, now, 'bench');
    const s2 = (performance.now() - t0) / 1000;
    say(`hotline ${label}: ${H.toLocaleString('en')} rows (${(bytes.length / 1e6).toFixed(1)} MB) imported in ${s1.toFixed(1)} s (${Math.round(H / s1).toLocaleString('en')} rows/s, ${first.duplicates} linked as duplicates); again: ${again.inserted} new, ${again.skipped.toLocaleString('en')} skipped in ${s2.toFixed(1)} s`);
    say(`  by phase: ${Object.entries(first.phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`);
  }
} finally {
  await database.close();
}
