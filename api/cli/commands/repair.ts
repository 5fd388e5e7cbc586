import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withImportedProblem } from '../context.ts';
import { readProblemDir } from '../../../data/importers/problem-dir.ts';
import { repair, REPAIR_DEFAULTS } from '../../../spatial/repair/index.ts';
import { nonNegative, readGridLayer } from './validate.ts';

interface RepairCliOptions { out: string; changes?: string; sliverWidth?: number; newGridArea?: number; quiet?: boolean }

/**
 * `wangge repair <problem-dir> <grids.geojson> --out <fixed.geojson>`: stores the problem (replacing an
 * earlier import), repairs the grids (gaps, overlaps, slivers, invalid rings; households recounted, never
 * dropped), writes the repaired layer and prints the changes.
 */
export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('repair a grid layer: invalid rings made valid, overlaps to one side, gaps and slivers to the best neighbour')
    .argument('<problem-dir>', 'directory with boundary/streets/households[/communities/units].geojson and params.json')
    .argument('<grids>', 'the grid layer (GeoJSON FeatureCollection: code, households, community?)')
    .requiredOption('-o, --out <file>', 'where to write the repaired grids (GeoJSON FeatureCollection)')
    .option('--changes <file>', 'also write the list of changes as JSON')
    .option('--sliver-width <m>', `gaps and overlaps narrower than this are slivers (default ${REPAIR_DEFAULTS.sliverWidthM})`, nonNegative)
    .option('--new-grid-area <m2>', `a gap this large holding households becomes a new grid (default ${REPAIR_DEFAULTS.newGridMinAreaM2})`, nonNegative)
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', `
Exit codes: 0 repaired, 2 unreadable input (the message names the file and the reason).`)
    .action(async (dir: string, gridsFile: string, opts: RepairCliOptions) => {
      const files = readProblemDir(dir);
      const layer = readGridLayer(gridsFile);
      await withImportedProblem(dir, files, { quiet: opts.quiet, importPercent: 40 }, async ({ database, imp, progress }) => {
        progress({ phase: 'repair', percent: 45, message: `${layer.features.length} grids` });
        const r = await repair(database.db, layer, { jcode: imp.jcode }, { sliverWidthM: opts.sliverWidth, newGridMinAreaM2: opts.newGridArea });
        progress.stop();
        writeFileSync(opts.out, JSON.stringify(r.layer) + '\n');
        if (opts.changes) writeFileSync(opts.changes, JSON.stringify(r.changes, null, 1) + '\n');
        const byKind = new Map<string, number>();
        for (const c of r.changes) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
        const s = r.summary;
        process.stdout.write([
          ...r.changes.map((c) => `${c.kind.padEnd(20)} ${c.message}`),
          r.changes.length ? '' : '(nothing to repair)',
          `changes         ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
          `grids           ${s.grids} (${s.newGrids} new, ${s.droppedGrids} dropped)`,
          `households      ${s.assignedHouseholds} of ${s.households} in the jurisdiction lie in a grid`,
          `time (s)        ${s.seconds}`,
          `written         ${opts.out}`,
        ].join('\n') + '\n');
      });
    });
}
