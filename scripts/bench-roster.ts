/**
 * Emergency roster benchmark (issue 14: ≤ 10 s for a hazard area of 100,000 households, shelters assigned) on the
 * native PostGIS server (DATABASE_URL, loopback only), in a throwaway database created beside DATABASE_URL's and
 * dropped after (data/db/scratch-database.ts):
 *   1. a generated town (default 105,000 households, with residents, shelters, dangerous houses and needs) loaded,
 *      partitioned and published;
 *   2. a typhoon roster over the town's whole extent (its envelope), made by buildRoster as the API does: the
 *      households, residents, vulnerability, grids and the shelter assignment by walking distance. Printed: the
 *      households and people on it, shelters used, households left without room, and the time by step.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-roster.ts [--households 105000] [--runs 2]
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openScratchDatabase } from '../data/db/scratch-database.ts';
import { generateTown, loadTown } from '../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../spatial/partition/index.ts';
import { buildRoster, type BuildTimings } from '../domain/emergency/build-roster.ts';

const { values } = parseArgs({ options: { households: { type: 'string', default: '105000' }, runs: { type: 'string', default: '2' } } });
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL to a PostgreSQL + PostGIS server on 127.0.0.1 (a database of its own is created beside it)');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) throw new Error('the benchmark runs on loopback only');
const say = (line: string) => process.stdout.write(`${line}\n`);

const database = await openScratchDatabase({ url: adminUrl, statementTimeoutMs: 1_800_000 });
const db = database.db;
try {
  let t0 = performance.now();
  const { jcode, counts } = await loadTown(db, generateTown({ households: Number(values.households), seed: 1 }));
  const plan = await partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1 });
  await publishPlan(db, jcode, plan.planId);
  await sql`ANALYZE`.execute(db);
  say(`town: ${counts.households} households, ${counts.residents} residents, ${counts.shelters} shelters, ${plan.grids} grids, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { rows: [{ g }] } = await sql<{ g: string }>`SELECT ST_AsGeoJSON(ST_Expand(ST_Envelope(geom), 0.0005)) AS g FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}`.execute(db);
  for (let run = 1; run <= Number(values.runs); run++) {
    const timings: BuildTimings = { points: 0, people: 0, households: 0, rows: 0, graph: 0, assign: 0, total: 0 };
    t0 = performance.now();
    const { id } = await buildRoster(db, jcode, { name: `bench ${run}`, kind: 'typhoon', deadline: new Date('2026-12-01T10:00:00Z'), area: JSON.parse(g), createdBy: 'bench' }, timings);
    const secs = (performance.now() - t0) / 1000;
    const { rows: [r] } = await sql<{ households: number; persons: number; vulnerable: number; unassigned: number; shelters: number }>`SELECT count(*)::int AS households,
        sum(persons)::int AS persons, sum(vulnerable)::int AS vulnerable, count(*) FILTER (WHERE shelter_id IS NULL)::int AS unassigned, count(DISTINCT shelter_id)::int AS shelters
      FROM roster_households WHERE jcode = ${jcode} AND roster_id = ${id}`.execute(db);
    say(`roster ${run}: ${r.households} households, ${r.persons} people (${r.vulnerable} vulnerable), ${r.shelters} shelters used, ${r.unassigned} households without room;`
      + ` ${secs.toFixed(2)} s (rows ${(timings.rows / 1000).toFixed(2)} s: area and points ${(timings.points / 1000).toFixed(2)} s, people ${(timings.people / 1000).toFixed(2)} s, households ${(timings.households / 1000).toFixed(2)} s; streets and graph ${(timings.graph / 1000).toFixed(2)} s, assignment ${(timings.assign / 1000).toFixed(2)} s, writing the rest)`);
  }
} finally {
  await database.close();
}
