/**
 * The partition over a family of test worlds it was never tuned on (data/generator/worlds: grid cities,
 * organic towns, villages, old towns, mixed towns, real OpenStreetMap street networks with synthetic
 * households; community sizes from 300 to 150,000 or no communities at all). For each world: the partition
 * time from a loaded database, the independent scorer's figures (../shared/eval) and the issue's own checks
 * (spatial/test/family.ts): out-of-range grids with and without a certificate against the allowance
 * max(1, 2% of grids), empty grids, grids under 1,000 m², nesting, multi-part grids, split units.
 *
 *   npx tsx scripts/bench-family.ts [--count 18] [--base-seed 1] [--large 60000,300000,1500000] [--engines embedded,server]
 *
 * The large worlds are drawn from the family too (kind and layout by seed), at the households given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchEngines, openBenchDatabase } from './bench-db.ts';
import { generateWorld, worldFamily, writeWorld, type WorldKind } from '../data/generator/worlds/index.ts';
import { importProblemDir } from '../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection } from '../spatial/partition/index.ts';
import { loadScorer } from '../spatial/test/scorer.ts';
import { judgeWorld, VERDICT_HEADER, verdictRow, type WorldVerdict } from '../spatial/test/family.ts';

const { values } = parseArgs({ options: {
  count: { type: 'string', default: '18' },
  'base-seed': { type: 'string', default: '1' },
  large: { type: 'string', default: '' },
  engines: { type: 'string' },
  keep: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  only: { type: 'string' },
} });
const { engines, serverUrl } = benchEngines(values.engines);
const specs: Array<{ seed: number; kind?: WorldKind; households?: number }> = [...worldFamily(Number(values['base-seed']), Number(values.count))];
for (const [i, hh] of (values.large ? values.large.split(',').map(Number) : []).entries()) specs.push({ seed: 9000 + i, households: hh });

if (values.only) specs.splice(0, specs.length, ...specs.filter((s) => values.only!.split(',').includes(String(s.seed))));
const scorer = await loadScorer();
if (!scorer) throw new Error('the scorer ../shared/eval/score.mjs is not beside the project');
const root = mkdtempSync(path.join(os.tmpdir(), 'wangge-family-'));
process.stdout.write(`worlds in ${root}\n`);

for (const engine of engines) {
  const { database, close } = await openBenchDatabase(engine, serverUrl, 'wangge_bench_family');
  process.stdout.write(`\n${engine} PostGIS ${database.caps.postgis}\n${VERDICT_HEADER}  households  kind\n`);
  const totals = { worlds: 0, grids: 0, out: 0, uncertified: 0, overAllowance: 0, empty: 0, slivers: 0, hardFail: 0, scorerFailed: 0, nesting: 0, multi: 0, unitsSplit: 0, poorAlign: 0, poorCompact: 0 };
  let worst: { name: string; v: WorldVerdict; inRange: number } | null = null;
  for (const spec of specs) {
    const world = generateWorld(spec.seed, { kind: spec.kind, households: spec.households });
    const name = `${world.kind}-${spec.seed}`;
    const dir = path.join(root, name);
    writeWorld(world, dir);
    const imp = await importProblemDir(database.db, dir, { jcode: `w${spec.seed}`, replace: true });
    const t0 = performance.now();
    const s = await partitionJurisdiction(database.db, { jcode: imp.jcode, min: imp.params.min, max: imp.params.max, seed: 1 });
    const seconds = (performance.now() - t0) / 1000;
    const fc = await planFeatureCollection(database.db, imp.jcode, s.planId);
    const file = path.join(dir, 'grids.geojson');
    writeFileSync(file, JSON.stringify(fc));
    let h;
    try {
      ({ headline: h } = await scorer.score(dir, file));
    } catch (e) {
      process.stdout.write(`${name.padEnd(28)} the scorer failed: ${(e as Error).message.slice(0, 200)}\n`);
      totals.scorerFailed++;
      continue;
    }
    const v = judgeWorld(dir, fc as never);
    process.stdout.write(`${verdictRow(name, h, v, seconds)}  ${String(imp.counts.households).padStart(10)}  ${world.kind}\n`);
    if (v.badCertificates.length) process.stdout.write(`   certificates that fail their check: ${v.badCertificates.slice(0, 5).join('; ')}\n`);
    if (values.verbose) {
      for (const f of fc.features) if (f.properties.reason && f.properties.reason !== 'dedicated') process.stdout.write(`   ${f.properties.code} ${f.properties.households} ${f.properties.reason}: ${f.properties.reason_detail}\n`);
    }
    totals.worlds++; totals.grids += v.grids; totals.out += v.outOfRange; totals.uncertified += v.uncertified;
    if (v.uncertified > v.allowance) totals.overAllowance++;
    totals.empty += v.empty - v.emptyAllowed; totals.slivers += v.slivers - v.sliversWhole;
    if (!h.hard_ok) totals.hardFail++;
    totals.nesting += h.nesting_violations ?? 0; totals.multi += h.non_contiguous; totals.unitsSplit += h.units_split ?? 0;
    if ((h.street_alignment_excused ?? 1) < 0.99) totals.poorAlign++;
    if ((h.compactness_mean ?? 1) < 0.35) totals.poorCompact++;
    if (!worst || h.in_range < worst.inRange) worst = { name, v, inRange: h.in_range };
  }
  process.stdout.write(`\n${engine}: ${totals.worlds} worlds, ${totals.grids} grids, ${totals.out} out of range, ${totals.uncertified} without a certificate `
    + `(${totals.overAllowance} worlds over the allowance max(1, 2%)); ${totals.empty} empty grids beyond the allowed, ${totals.slivers} grids under 1,000 m² beyond whole community parts that small; `
    + `hard checks failed in ${totals.hardFail}, the scorer failed on ${totals.scorerFailed}; nesting violations ${totals.nesting}, multi-part ${totals.multi}, units split ${totals.unitsSplit}; `
    + `alignment < 0.99 in ${totals.poorAlign}, compactness < 0.35 in ${totals.poorCompact}; worst in range: ${worst?.name} ${worst?.inRange.toFixed(3)}\n`);
  await close();
}
await scorer.close();
if (!values.keep) rmSync(root, { recursive: true, force: true });
