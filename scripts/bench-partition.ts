/**
 * Partition benchmark: for generated towns (default 60k, 300k and 1.5M households) on the embedded engine and,
 * when DATABASE_URL or TEST_DATABASE_URL is set, on the native server: time by phase from a loaded database,
 * peak memory of this process, and the quality (share of grids in range, compactness) beside the plain
 * greedy baseline on the same input. Then the CLI end to end on the embedded engine.
 *
 *   npx tsx scripts/bench-partition.ts [--sizes 60000,300000,1500000] [--engines embedded,server] [--no-cli]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchEngines, openBenchDatabase } from './bench-db.ts';
import { generateTown } from '../data/generator/generate-town.ts';
import { writeProblemDir } from '../data/generator/write-problem-dir.ts';
import { importProblemDir } from '../data/importers/problem-dir.ts';
import { partitionJurisdiction, type PartitionSummary } from '../spatial/partition/index.ts';

const { values } = parseArgs({ options: {
  sizes: { type: 'string', default: '60000,300000,1500000' },
  engines: { type: 'string' },
  'no-cli': { type: 'boolean', default: false },
  seed: { type: 'string', default: '1' },
} });
const sizes = values.sizes!.split(',').map(Number);
const { engines, serverUrl } = benchEngines(values.engines);
const seed = Number(values.seed);

function peakSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 25);
  return { stop: () => { clearInterval(t); return Math.max(peak, process.memoryUsage().rss); } };
}


const mb = (b: number) => `${Math.round(b / 1048576)} MiB`;
const rows: string[] = [];
const line = (s: string) => { rows.push(s); process.stdout.write(s + '\n'); };
line('engine   households  method     grids  in_range  compact  blocks(s)  aggregate(s)  store(s)  total(s)  peak_rss');

for (const n of sizes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `wangge-bench-${n}-`));
  const tg = performance.now();
  const town = generateTown({ households: n, seed });
  writeProblemDir(town, dir, { residents: false });
  process.stderr.write(`town of ${n} households generated and written in ${((performance.now() - tg) / 1000).toFixed(1)} s: ${dir}\n`);
  for (const engine of engines) {
    const { database, close } = await openBenchDatabase(engine, serverUrl, 'wangge_bench');
    try {
      const imp = await importProblemDir(database.db, dir, { replace: true });
      for (const method of ['optimize', 'greedy'] as const) {
        const mem = peakSampler();
        const t = performance.now();
        const s: PartitionSummary = await partitionJurisdiction(database.db, { jcode: imp.jcode, min: 400, max: 600, seed, method });
        const total = (performance.now() - t) / 1000;
        const peak = mem.stop();
        line(`${engine.padEnd(8)} ${String(n).padStart(10)}  ${method.padEnd(9)} ${String(s.grids).padStart(6)}  ${(s.inRange / s.grids).toFixed(3).padStart(8)}  ${s.compactnessMean.toFixed(3).padStart(7)}  ${s.timings.blocks.toFixed(2).padStart(9)}  ${s.timings.aggregate.toFixed(2).padStart(12)}  ${s.timings.store.toFixed(2).padStart(8)}  ${total.toFixed(2).padStart(8)}  ${mb(peak)}`);
      }
    } finally {
      await close();
    }
  }
  if (!values['no-cli']) {
    const data = mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-cli-'));
    const out = path.join(data, 'grids.geojson');
    const t = performance.now();
    const r = spawnSync(process.execPath, [path.resolve('api/cli/wangge.mjs'), 'partition', dir, '--out', out, '--quiet'],
      { env: { ...process.env, DATABASE_URL: '', WANGGE_DATA_DIR: data }, encoding: 'utf8' });
    const wall = (performance.now() - t) / 1000;
    line(`cli end to end, embedded, ${n} households: ${wall.toFixed(2)} s wall (exit ${r.status}); ${(r.stdout.split('\n').find((l) => l.startsWith('time')) ?? '').trim()}`);
    rmSync(data, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}
