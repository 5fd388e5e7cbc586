import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { withImportedProblem } from '../context.ts';
import { positiveInt } from './partition.ts';
import { readProblemDir } from '../../../data/importers/problem-dir.ts';
import { readFeatureCollection } from '../../../data/formats/geojson-read.ts';
import { planFeatureCollection } from '../../../spatial/partition/index.ts';
import { mergeOverlays, crosswalkCsv, rosterCsv, type OverlayLayerInput } from '../../../spatial/merge/index.ts';
import { subProgress } from '../../../spatial/progress.ts';
import { WanggeError } from '../../../spatial/errors.ts';

interface MergeCliOptions {
  layer: string[]; out: string; crosswalk?: string; roster?: string; conflicts?: string;
  min?: number; max?: number; seed: number; jcode?: string; quiet?: boolean;
}

/**
 * `wangge merge <problem-dir> --layer <name>=<file.geojson> … --out grids.geojson [--crosswalk c.csv]
 * [--roster r.csv] [--conflicts conflicts.geojson]`: 多网合一.
 */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge departmental overlay layers (多网合一) into comprehensive grids that follow the partition rules')
    .argument('<problem-dir>', 'the jurisdiction as a problem directory (../shared/FORMAT.md)')
    .requiredOption('--layer <name=file>', 'an overlay layer: name=zones.geojson (polygons with properties code, name, person, phone); repeat for each', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .requiredOption('-o, --out <file>', 'where to write the comprehensive grids (GeoJSON)')
    .option('--crosswalk <file>', 'CSV layer,zone,grid,households,share')
    .option('--roster <file>', 'CSV of the "1 + N" roster per grid')
    .option('--conflicts <file>', 'GeoJSON of where the layers disagree (gaps, overlaps, disagreements)')
    .option('--min <n>', 'fewest households per grid (default: params.json, else 400)', positiveInt)
    .option('--max <n>', 'most households per grid (default: params.json, else 600)', positiveInt)
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option('--jcode <code>', 'store under this jurisdiction code (default: boundary code)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (dir: string, opts: MergeCliOptions) => {
      const files = readProblemDir(dir);
      const layers: OverlayLayerInput[] = opts.layer.map((spec) => {
        const m = /^([^=]+)=(.+)$/.exec(spec);
        if (!m) throw new WanggeError('bad_request', `expected --layer name=file.geojson, got ${JSON.stringify(spec)}`, { parameter: 'layer' });
        const fc = readFeatureCollection(m[2], ['Polygon', 'MultiPolygon'], path.basename(m[2]));
        return { name: m[1], file: path.basename(m[2]), features: fc.features as OverlayLayerInput['features'] };
      });
      await withImportedProblem(dir, files, { quiet: opts.quiet, jcode: opts.jcode, importPercent: 10 }, async ({ database, imp, progress }) => {
        const r = await mergeOverlays(database.db, {
          jcode: imp.jcode, min: opts.min ?? files.params.min, max: opts.max ?? files.params.max, seed: opts.seed, progress: subProgress(progress, 10, 98),
        }, layers);
        writeFileSync(opts.out, JSON.stringify(await planFeatureCollection(database.db, imp.jcode, r.summary.planId)) + '\n');
        if (opts.crosswalk) writeFileSync(opts.crosswalk, crosswalkCsv(r.crosswalk));
        if (opts.roster) writeFileSync(opts.roster, rosterCsv(r.roster));
        if (opts.conflicts) writeFileSync(opts.conflicts, JSON.stringify(r.conflicts) + '\n');
        progress.stop();
        const s = r.summary;
        const kinds = new Map<string, number>();
        for (const f of r.conflicts.features) kinds.set(f.properties.kind, (kinds.get(f.properties.kind) ?? 0) + 1);
        process.stdout.write([
          `merged ${layers.map((l) => `${l.name} (${l.features.length} zones)`).join(', ')} into plan ${s.planId} of ${imp.jcode}`,
          `grids           ${s.grids} (${s.inRange} in range, ${(100 * s.inRange / Math.max(1, s.grids)).toFixed(1)}%); exceptions ${Object.entries(s.reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
          `fidelity        ${Object.entries(r.fidelity).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`,
          `crosswalk       ${r.crosswalk.length} rows; roster ${r.roster.length} people; conflicts ${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
          `time (s)        ${Object.entries(s.timings).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
          `written         ${[opts.out, opts.crosswalk, opts.roster, opts.conflicts].filter(Boolean).join(', ')}`,
        ].join('\n') + '\n');
      });
    });
}
