import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { withImportedProblem } from '../context.ts';
import { readProblemDir } from '../../../data/importers/problem-dir.ts';
import { readJson } from '../../../data/formats/geojson-read.ts';
import { WanggeError } from '../../../spatial/errors.ts';
import { validate, ISSUE_KINDS, VALIDATE_DEFAULTS, type GridLayer, type ValidationReport } from '../../../spatial/validate/index.ts';

/** Read a grids file as a FeatureCollection, or throw bad_file naming it. */
export function readGridLayer(file: string): GridLayer {
  const j = readJson(file) as { type?: unknown; features?: unknown };
  if (!j || typeof j !== 'object' || j.type !== 'FeatureCollection' || !Array.isArray(j.features)) {
    throw new WanggeError('bad_file', 'not a GeoJSON FeatureCollection', { file });
  }
  return j as GridLayer;
}

export function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

/** The report as a table: one row per kind found, with the grids named, households and area or length. */
export function formatReport(r: ValidationReport): string {
  const rows: string[][] = [['kind', 'count', 'grids', 'households', 'area m² / length m']];
  for (const kind of ISSUE_KINDS) {
    const list = r.issues.filter((i) => i.kind === kind);
    if (list.length === 0) continue;
    const grids = [...new Set(list.flatMap((i) => i.grids))];
    const hh = list.reduce((s, i) => s + (i.households ?? 0), 0);
    const area = list.reduce((s, i) => s + (i.areaM2 ?? 0), 0);
    const len = list.reduce((s, i) => s + (i.lengthM ?? 0), 0);
    const measure = [area > 0 ? `${Math.round(area * 10) / 10} m²` : '', len > 0 ? `${Math.round(len * 10) / 10} m` : ''].filter(Boolean).join(', ');
    rows.push([kind, String(list.length), grids.length > 6 ? `${grids.slice(0, 6).join(', ')} … (${grids.length})` : grids.join(', '), hh ? String(hh) : '', measure]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => (c === 1 || c === 3 ? v.padStart(w[c]) : v.padEnd(w[c]))).join('  ').trimEnd());
  const s = r.summary;
  lines.splice(1, 0, w.map((n) => '-'.repeat(n)).join('  '));
  if (r.issues.length === 0) lines.push('(no issues)');
  lines.push('', `${s.grids} grids, ${s.households} households in jurisdiction ${s.jcode} (${s.unassignedHouseholds} in no grid, ${s.outsideHouseholds} outside the boundary); `
    + `gaps ${s.gapAreaM2} m², overlaps ${s.overlapAreaM2} m², off-street ${s.offStreetM} of ${s.internalBoundaryM} m internal boundary; `
    + `coverage check ${s.coveragePath}; ${s.seconds} s`);
  lines.push(r.ok ? 'OK: no issues' : `${r.issues.length} issues`);
  return lines.join('\n');
}

interface ValidateCliOptions { json?: string; streetTol?: number; sliverWidth?: number; coverage?: 'native' | 'portable'; quiet?: boolean }

/**
 * `wangge validate <problem-dir> <grids.geojson> [--json report.json]`: the contract of the acceptance checks.
 * Stores the problem (replacing an earlier import), validates the grids and prints a table by kind. Exit 0
 * whether or not issues were found; 2 when an input cannot be read (the message names the file and reason).
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a grid layer against a problem directory: gaps, overlaps, slivers, streets, households, nesting, units, codes')
    .argument('<problem-dir>', 'directory with boundary/streets/households[/communities/units].geojson and params.json')
    .argument('<grids>', 'the grid layer (GeoJSON FeatureCollection: code, households, community?)')
    .option('--json <file>', 'also write the report { ok, summary, issues } as JSON')
    .option('--street-tol <m>', `boundary farther than this from a street is off the streets (default ${VALIDATE_DEFAULTS.streetTolM})`, nonNegative)
    .option('--sliver-width <m>', `gaps and overlaps narrower than this are slivers (default ${VALIDATE_DEFAULTS.sliverWidthM})`, nonNegative)
    .option('--coverage <path>', 'coverage check: native (ST_CoverageInvalidEdges) or portable (default: native where available)', (v: string) => {
      if (v !== 'native' && v !== 'portable') throw new InvalidArgumentError('expected native or portable');
      return v;
    })
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', `
Exit codes: 0 validated (whether or not issues were found), 2 unreadable input (the message names the file and the reason).`)
    .action(async (dir: string, gridsFile: string, opts: ValidateCliOptions) => {
      const files = readProblemDir(dir);
      const layer = readGridLayer(gridsFile);
      await withImportedProblem(dir, files, { quiet: opts.quiet, importPercent: 40 }, async ({ database, imp, progress }) => {
        progress({ phase: 'validate', percent: 45, message: `${layer.features.length} grids` });
        const report = await validate(database.db, layer, { jcode: imp.jcode }, {
          min: files.params.min, max: files.params.max, streetTolM: opts.streetTol, sliverWidthM: opts.sliverWidth, coveragePath: opts.coverage,
        });
        progress.stop();
        if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 1) + '\n');
        process.stdout.write(`${formatReport(report)}\n${opts.json ? `report written to ${opts.json}\n` : ''}`);
      });
    });
}
