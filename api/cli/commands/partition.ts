import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { withImportedProblem } from '../context.ts';
import { readProblemDir } from '../../../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection } from '../../../spatial/partition/index.ts';
import type { ComponentReport } from '../../../spatial/partition/partition-jurisdiction.ts';
import { subProgress } from '../../../spatial/progress.ts';

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/**
 * The gap to the best possible, per component: its households, blocks, grids, grids out of range and the
 * proven lower bound on them ('arithmetic': no k fits its total; 'exact': every partition searched).
 */
export function componentReport(components: ComponentReport[]): string {
  const rows = [['component', 'households', 'blocks', 'grids', 'out', 'bound', 'by', 'gap']];
  let out = 0, bound = 0;
  for (const c of components) {
    out += c.out; bound += c.lowerBound;
    rows.push([c.component, String(c.households), String(c.blocks), String(c.grids), String(c.out), String(c.lowerBound),
      c.bound + (c.exactBudget ? ' (budget)' : ''), String(c.out - c.lowerBound)]);
  }
  rows.push(['all', String(components.reduce((t, c) => t + c.households, 0)), String(components.reduce((t, c) => t + c.blocks, 0)),
    String(components.reduce((t, c) => t + c.grids, 0)), String(out), String(bound), '', String(out - bound)]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return '\ncomponents (out = grids out of range; bound = proven lower bound; gap = out - bound)\n'
    + rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')).join('\n') + '\n';
}

interface PartitionCliOptions { out: string; min?: number; max?: number; seed: number; jcode?: string; quiet?: boolean; report?: boolean }

/**
 * `wangge partition <problem-dir> --out grids.geojson [--min 400] [--max 600] [--seed N]`: the contract of the
 * acceptance checks. Reads the problem (FORMAT.md), stores it (replacing an earlier import of the same
 * jurisdiction), partitions it as a draft plan, writes the grids and prints a summary.
 */
export function registerPartition(program: Command): void {
  program
    .command('partition')
    .description('partition a problem directory (../shared/FORMAT.md) into street-bounded grids and write grids.geojson')
    .argument('<problem-dir>', 'directory with boundary/streets/households[/communities/units].geojson and params.json')
    .requiredOption('-o, --out <file>', 'where to write the grids (GeoJSON FeatureCollection)')
    .option('--min <n>', 'fewest households per grid (default: params.json, else 400)', positiveInt)
    .option('--max <n>', 'most households per grid (default: params.json, else 600)', positiveInt)
    .option('--seed <n>', 'random seed: the same input and seed give byte-identical output', positiveInt, 1)
    .option('--jcode <code>', 'store under this jurisdiction code (default: boundary code)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--report', 'also print, per component (connected part of a community), its households, grids, grids out of range and the proven lower bound on them')
    .addHelpText('after', `
Exit codes: 0 done (whatever the score), 2 unreadable problem directory (the message names the file and the reason).`)
    .action(async (dir: string, opts: PartitionCliOptions) => {
      const t0 = performance.now();
      const files = readProblemDir(dir); // fail on bad input before opening the database
      const min = opts.min ?? files.params.min, max = opts.max ?? files.params.max;
      await withImportedProblem(dir, files, { quiet: opts.quiet, jcode: opts.jcode, importPercent: 10 }, async ({ database, imp, progress, openedAt, importedAt }) => {
        const s = await partitionJurisdiction(database.db, { jcode: imp.jcode, min, max, seed: opts.seed, progress: subProgress(progress, 10, 95) });
        const fc = await planFeatureCollection(database.db, imp.jcode, s.planId);
        writeFileSync(opts.out, JSON.stringify(fc) + '\n');
        progress.stop();
        const reasons = Object.entries(s.reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
        const tEnd = performance.now();
        const timing = { start: (openedAt - t0) / 1000, import: (importedAt - openedAt) / 1000, ...s.timings, write: 0, total: (tEnd - t0) / 1000 };
        process.stdout.write([
          `jurisdiction ${imp.jcode} (${imp.name}) on ${database.caps.engine} PostGIS ${database.caps.postgis}: plan ${s.planId}`,
          `grids           ${s.grids} (${s.inRange} in range ${min}–${max}, ${(100 * s.inRange / Math.max(1, s.grids)).toFixed(1)}%)`,
          `households      ${s.households} in ${s.blocks} blocks (${s.splitBlocks} oversized blocks split); ${s.outsideHouseholds} outside the boundary left out`,
          `exceptions      ${reasons}`,
          `compactness     ${s.compactnessMean} (mean Polsby-Popper)`,
          `conflated       ${s.conflated.strips} community-outline strips (${s.conflated.area} m²) to the street beside them`,
          `nesting         ${s.nesting.length ? s.nesting.map((n) => `${n.grid} ${(100 * n.outside).toFixed(1)}% outside ${n.community}${n.units.length ? ` (unit ${n.units.join(', ')} across the outline, kept whole)` : ''}`).join('; ') : 'every grid inside its community'}`,
          `time (s)        ${Object.entries(timing).filter(([k]) => k !== 'write').map(([k, v]) => `${k} ${(+v).toFixed(2)}`).join(', ')}`,
          `written         ${opts.out}`,
        ].join('\n') + '\n');
        if (opts.report) process.stdout.write(componentReport(s.components));
      });
    });
}
