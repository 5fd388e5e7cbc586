import type { Command } from 'commander';
import { cliConfig, openCliDatabase, stderrProgress } from '../context.ts';
import { importFile, type ImportFileResult } from '../../../data/importers/importer.ts';
import { WanggeError } from '../../../spatial/errors.ts';

interface ImportCliOptions {
  format?: string; crs?: string; jcode?: string; layer?: string; replace?: boolean; append?: boolean; encoding?: string; table?: string;
  createJurisdiction?: string; estimateHouseholds?: boolean; floorEfficiency?: string; dwellingM2?: string; defaultLevels?: string; houseLevels?: string;
  json?: boolean; progress?: boolean;
}

function numberOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new WanggeError('bad_request', `--${name} must be a number, got ${JSON.stringify(v)}`, { parameter: name });
  return n;
}

function summary(r: ImportFileResult): string {
  const c = r.counts;
  const lines = [`imported ${r.path} (${r.format}, ${r.crs}) into jurisdiction ${r.jcode}${r.created && r.format !== 'problem' ? ' (created)' : ''}`];
  const parts: string[] = [];
  if (c.streets) parts.push(`${c.streets} streets`);
  if (c.addressPoints) parts.push(`${c.addressPoints} address points (${c.households} households)`);
  if (c.units) parts.push(`${c.units} units`);
  if (c.communities) parts.push(`${c.communities} communities`);
  if (c.hazards) parts.push(`${c.hazards} hazards`);
  if (c.cameras) parts.push(`${c.cameras} cameras`);
  lines.push(`  ${parts.join(', ') || 'nothing'}`);
  const rep = Object.entries(r.replaced);
  if (rep.length) lines.push(`  replaced: ${rep.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  if (r.osm) {
    const o = r.osm;
    lines.push(`  OSM: ${o.buildings} buildings, ${o.residentialBuildings} residential, ${o.nonResidential} non-residential, ${o.insideInstitution} building=yes inside institutions, ${o.outsideBounds} outside the extract bounds, ${o.incomplete} incomplete`);
  }
  return `${lines.join('\n')}\n`;
}

/** `wangge import <path>`: load a file or a partition-problem directory in one transaction. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import a file (GeoJSON, OSM XML/PBF, CSV, Shapefile, GeoPackage) or a partition-problem directory, in one transaction')
    .argument('<path>', 'the file, or a problem directory (../shared/FORMAT.md)')
    .option('--format <format>', 'geojson | osm | pbf | csv | shapefile | gpkg | problem (default: from the extension or content)')
    .option('--crs <crs>', 'source coordinates: wgs84 (default), cgcs2000, gcj02, bd09, EPSG:4491…4554 (CGCS2000 Gauss-Kruger), EPSG:3857, EPSG:326NN')
    .option('--jcode <code>', 'the jurisdiction to import into (must exist unless --create-jurisdiction; a problem directory defaults to its boundary code)')
    .option('--create-jurisdiction <name>', 'create the jurisdiction from the extent of the data when it does not exist (code: --jcode, else derived from the name)')
    .option('--layer <layer>', 'streets | address_points | units | communities | hazards | cameras (default: inferred from geometry and attributes)')
    .option('--replace', 'replace what the imported layers already hold in the jurisdiction')
    .option('--append', 'add to layers that already hold rows')
    .option('--encoding <encoding>', 'attribute text encoding of .dbf / CSV: utf-8, gbk (CP936), gb18030, big5 (default: .cpg, .dbf header, else utf-8)')
    .option('--table <name>', 'the GeoPackage feature table (when it holds several)')
    .option('--estimate-households', 'estimate missing household counts of building polygons from footprint × levels instead of refusing them')
    .option('--floor-efficiency <x>', 'household formula: dwelling share of floor area (default 0.8)')
    .option('--dwelling-m2 <m2>', 'household formula: average dwelling size in m² (default 90)')
    .option('--default-levels <n>', 'household formula: levels of untagged multi-storey buildings (default 6)')
    .option('--house-levels <n>', 'household formula: levels of untagged houses (default 2)')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress on stderr')
    .addHelpText('after', `
Households of OSM buildings (and of building polygons with --estimate-households):
  households = max(1, round(footprint_m2 × levels × floor_efficiency / dwelling_m2)),
  levels = building:levels when tagged, else --house-levels for houses and --default-levels otherwise.

A single-layer file goes into an existing jurisdiction (--jcode), or into a new one created from the data's
extent (a rectangle 50 m around it) with --create-jurisdiction <name>. A layer that already holds rows is
refused unless --replace or --append. Any bad feature aborts the whole import: nothing is written, and the
message names the file, the feature index (or CSV line) and the reason. Exit 2 on bad input, 3 when the
jurisdiction does not exist, 4 on a conflict.

Examples:
  wangge import ../shared/data/beijing-haidian-wudaokou/problem
  wangge import map.osm.gz --jcode 110108012000 --create-jurisdiction 五道口街道
  wangge import cameras.csv --jcode 110108012000 --crs gcj02 --layer cameras
  wangge import buildings.shp --jcode 110108012000 --crs EPSG:4547 --encoding gbk --replace`)
    .action(async (file: string, opts: ImportCliOptions) => {
      const progress = stderrProgress(opts.progress !== false);
      const formula = {
        floorEfficiency: numberOption(opts.floorEfficiency, 'floor-efficiency'),
        avgDwellingM2: numberOption(opts.dwellingM2, 'dwelling-m2'),
        defaultLevels: numberOption(opts.defaultLevels, 'default-levels'),
        houseLevels: numberOption(opts.houseLevels, 'house-levels'),
      };
      if (opts.replace && opts.append) throw new WanggeError('bad_request', '--replace and --append exclude each other', { parameter: 'replace' });
      const database = await openCliDatabase(cliConfig());
      try {
        const r = await importFile(database.db, {
          path: file, format: opts.format, crs: opts.crs, jcode: opts.jcode, layer: opts.layer, replace: opts.replace, append: opts.append,
          createJurisdiction: opts.createJurisdiction, householdFormula: formula, estimateHouseholds: opts.estimateHouseholds,
          encoding: opts.encoding, table: opts.table,
        }, progress);
        progress.stop();
        process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : summary(r));
      } finally {
        progress.stop();
        await database.close();
      }
    });
}
