/**
 * Import throughput for the generator's towns (60k and 300k households): generation time, writing the
 * problem directory, importProblemDir of that directory, and loadTown (every layer, residents included),
 * on the embedded engine and, when TEST_DATABASE_URL (a fresh database beside it) or DATABASE_URL is set,
 * on the server engine. Run: `npx tsx scripts/bench-import.ts [households...]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../data/db/connect.ts';
import { openTestDatabase } from '../data/db/test-engines.ts';
import { importProblemDir, deleteJurisdiction } from '../data/importers/problem-dir.ts';
import { generateTown } from '../data/generator/generate-town.ts';
import { writeProblemDir } from '../data/generator/write-problem-dir.ts';
import { loadTown } from '../data/generator/load-town.ts';
import type { Town } from '../data/generator/town-types.ts';

interface Row { engine: string; households: number; step: string; rows: number; seconds: number }

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const HOUSEHOLDS = sizes.length ? sizes : [60_000, 300_000];
const out: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

async function openEngine(engine: 'embedded' | 'server'): Promise<Database> {
  if (engine === 'embedded') return openDatabase({ dataDir: 'memory://' });
  if (process.env.TEST_DATABASE_URL) return openTestDatabase('server');
  return openDatabase({ url: process.env.DATABASE_URL, statementTimeoutMs: 600_000 });
}

async function main(): Promise<void> {
  const engines: Array<'embedded' | 'server'> = ['embedded'];
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) engines.push('server');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-import-'));
  const towns = new Map<number, { town: Town; dir: string }>();
  try {
    for (const h of HOUSEHOLDS) {
      const [town, tg] = await timed(() => generateTown({ households: h, seed: 1 }));
      out.push({ engine: '-', households: h, step: 'generate (address points)', rows: town.buildings.length, seconds: tg });
      const dir = path.join(tmp, String(h));
      const [, tw] = await timed(() => writeProblemDir(town, dir, { residents: false }));
      out.push({ engine: '-', households: h, step: 'write problem dir (features)', rows: problemFeatures(town), seconds: tw });
      towns.set(h, { town, dir });
      log(`generated ${h}: ${town.buildings.length} address points in ${tg.toFixed(2)} s, written in ${tw.toFixed(2)} s`);
    }
    for (const engine of engines) {
      const [database, to] = await timed(() => openEngine(engine));
      log(`${engine}: opened in ${to.toFixed(1)} s (${database.location})`);
      try {
        for (const h of HOUSEHOLDS) {
          const { town, dir } = towns.get(h)!;
          const jImport = `99${String(h).padStart(10, '0')}`;
          const [res, ti] = await timed(() => importProblemDir(database.db, dir, { jcode: jImport, replace: true }));
          const nImport = res.counts.streets + res.counts.addressPoints + res.counts.communities + res.counts.units + 1;
          out.push({ engine, households: h, step: 'importProblemDir (features)', rows: nImport, seconds: ti });
          log(`${engine} ${h}: importProblemDir ${nImport} features in ${ti.toFixed(2)} s`);
          await deleteJurisdiction(database.db, jImport);
          const jLoad = `98${String(h).padStart(10, '0')}`;
          const [lg, tg] = await timed(() => loadTown(database.db, town, { jcode: jLoad, replace: true, residents: false }));
          const g = lg.counts;
          const geoFeatures = g.jurisdictions + g.streets + g.address_points + g.units + g.hazards + g.cameras + g.patrol_tracks + g.overlay_zones;
          out.push({ engine, households: h, step: 'loadTown --no-residents (features with geometry)', rows: geoFeatures, seconds: tg });
          out.push({ engine, households: h, step: 'loadTown --no-residents (all rows incl. households)', rows: Object.values(g).reduce((s, n) => s + n, 0), seconds: tg });
          await deleteJurisdiction(database.db, jLoad);
          const [lr, tl] = await timed(() => loadTown(database.db, town, { jcode: jLoad, replace: true }));
          const c = lr.counts;
          const rows = Object.values(c).reduce((s, n) => s + n, 0);
          out.push({ engine, households: h, step: 'loadTown with residents (all rows)', rows, seconds: tl });
          log(`${engine} ${h}: loadTown ${rows} rows (${c.residents} residents) in ${tl.toFixed(2)} s`);
          await deleteJurisdiction(database.db, jLoad);
        }
      } finally {
        await database.close();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const head = ['engine', 'households', 'step', 'rows', 'seconds', 'rows/s'];
  const lines = out.map((r) => [r.engine, String(r.households), r.step, String(r.rows), r.seconds.toFixed(2), Math.round(r.rows / r.seconds).toLocaleString('en-US')]);
  const w = head.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const fmt = (l: string[]) => l.map((s, k) => (k >= 3 ? s.padStart(w[k]) : s.padEnd(w[k]))).join('  ');
  process.stdout.write(`${fmt(head)}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${lines.map(fmt).join('\n')}\n`);
  process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
}

function problemFeatures(t: Town): number {
  return 1 + t.streets.length + t.buildings.length + t.communities.length + t.units.length;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
