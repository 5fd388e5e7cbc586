/**
 * Validation benchmark: a generated town (default 1.5M households, ≈3,000 grids) is imported and partitioned
 * on each engine (embedded; and the native server when DATABASE_URL or TEST_DATABASE_URL is set), then the
 * partition's grid layer is validated, timed from a loaded database, with each coverage path the engine has.
 * Targets (issue 4): ≤ 10 s on native PostGIS, ≤ 3× that embedded.
 *
 *   npx tsx scripts/bench-validate.ts [--sizes 1500000] [--engines embedded,server] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs, openBenchDatabase, secs } from './bench-db.ts';
import { generateTown } from '../data/generator/generate-town.ts';
import { writeProblemDir } from '../data/generator/write-problem-dir.ts';
import { importProblemDir } from '../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection } from '../spatial/partition/index.ts';
import { validate, type GridLayer, type IssueKind } from '../spatial/validate/index.ts';

const { sizes, engines, serverUrl, seed } = benchArgs('1500000');
const s = secs;
const line = (t: string) => process.stdout.write(t + '\n');
line('engine    households  grids  import(s)  partition(s)  coverage   validate(s)  issues');

for (const n of sizes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `wangge-benchv-${n}-`));
  const tg = performance.now();
  writeProblemDir(generateTown({ households: n, seed }), dir, { residents: false });
  process.stderr.write(`town of ${n} households generated and written in ${s(performance.now() - tg)} s: ${dir}\n`);
  try {
    for (const engine of engines) {
      const { database, close } = await openBenchDatabase(engine, serverUrl, 'wangge_benchv');
      try {
        let t = performance.now();
        const imp = await importProblemDir(database.db, dir, { replace: true });
        const tImport = performance.now() - t;
        t = performance.now();
        const part = await partitionJurisdiction(database.db, { jcode: imp.jcode, min: imp.params.min, max: imp.params.max, seed });
        const tPart = performance.now() - t;
        const layer = await planFeatureCollection(database.db, imp.jcode, part.planId) as unknown as GridLayer;
        for (const coveragePath of (database.caps.coverage ? ['native', 'portable'] : ['portable']) as Array<'native' | 'portable'>) {
          t = performance.now();
          const r = await validate(database.db, layer, { jcode: imp.jcode }, { min: imp.params.min, max: imp.params.max, coveragePath });
          const tVal = performance.now() - t;
          const found = Object.entries(r.summary.byKind).filter(([, c]) => c > 0).map(([k, c]) => `${k as IssueKind} ${c}`).join(', ') || 'none';
          line(`${engine.padEnd(8)}  ${String(r.summary.households).padStart(10)}  ${String(layer.features.length).padStart(5)}  ${s(tImport).padStart(9)}  ${s(tPart).padStart(12)}  ${coveragePath.padEnd(9)}  ${s(tVal).padStart(11)}  ${found}`);
          line(`          phases (s): ${Object.entries(r.summary.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        }
      } finally {
        await close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
