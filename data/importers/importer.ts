/**
 * The one importer interface. Each format reader turns a file into typed records (records.ts); `importFile`
 * writes them into one jurisdiction in ONE transaction (write-records.ts). Any bad feature: a WanggeError
 * naming the file and the feature index (or CSV line) and the reason, and the database unchanged.
 *
 * | format    | reader          | layers                                                       |
 * |-----------|-----------------|--------------------------------------------------------------|
 * | geojson   | geojson.ts      | any one layer (--layer, or inferred)                          |
 * | osm, pbf  | osm-xml.ts, osm-pbf.ts → osm-model.ts | streets, address points (buildings), cameras |
 * | csv       | csv.ts          | point layers: address_points, cameras, hazards                |
 * | shapefile | shapefile.ts    | any one layer                                                 |
 * | gpkg      | geopackage.ts   | any one layer (one feature table, --table)                    |
 * | problem   | problem-dir.ts  | a whole partition-problem directory (../shared/FORMAT.md)     |
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { noProgress, subProgress, type ProgressFn } from '../progress.ts';
import type { DB } from '../db/schema.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import { readCsv } from '../formats/csv.ts';
import { detectFormat, type Format } from './detect-format.ts';
import { readGeoJson } from '../formats/geojson.ts';
import { readGeoPackage } from '../formats/geopackage.ts';
import { householdFormula, type HouseholdFormula } from './household-formula.ts';
import { featuresToRecords, type SourceFeature } from './layer-records.ts';
import { osmToRecords, type OsmStats } from './osm-model.ts';
import { readOsmPbf } from '../formats/osm-pbf.ts';
import { parseOsmXml } from '../formats/osm-xml.ts';
import { importProblemDir } from './problem-dir.ts';
import { LAYERS, layersIn, type ImportRecords, type Layer } from './records.ts';
import { readShapefile } from '../formats/shapefile.ts';
import { writeRecords, type ImportCounts } from './write-records.ts';

export type { Format } from './detect-format.ts';
export type { Layer, ImportRecords } from './records.ts';

export interface ImportFileOptions {
  path: string;
  /** detected from the extension or content when absent */
  format?: Format | string;
  /** the source CRS (parse-crs.ts); default the file's own (.prj, gpkg srs, GeoJSON crs) or WGS-84 */
  crs?: string;
  /** the jurisdiction to import into; a problem directory defaults to its boundary's code */
  jcode?: string;
  /** the target layer of a single-layer file (inferred when absent) */
  layer?: Layer | string;
  /** replace what the imported layers already hold in the jurisdiction */
  replace?: boolean;
  /** add to layers that already hold rows */
  append?: boolean;
  /** create the jurisdiction with this name from the data's extent when it does not exist */
  createJurisdiction?: string;
  /** household estimate parameters for OSM buildings and building polygons */
  householdFormula?: Partial<HouseholdFormula>;
  /** estimate missing household counts of building polygons (GeoJSON/Shapefile/GeoPackage) instead of refusing them */
  estimateHouseholds?: boolean;
  /** attribute text encoding of Shapefile .dbf and CSV (utf-8, gbk …) */
  encoding?: string;
  /** the GeoPackage feature table */
  table?: string;
}

export interface ImportFileResult {
  path: string;
  format: Format;
  jcode: string;
  crs: string;
  layers: Layer[];
  /** true when the jurisdiction was created by this import */
  created: boolean;
  counts: ImportCounts;
  replaced: Partial<Record<Layer, number>>;
  /** OSM only: what was seen and skipped */
  osm?: OsmStats;
}

/** What a format reader returns before anything touches the database. */
export interface ReadResult { format: Format; crs: Crs; records: ImportRecords; osm?: OsmStats }

function checkLayer(v: string | undefined): Layer | undefined {
  if (v === undefined) return undefined;
  if (!(LAYERS as readonly string[]).includes(v)) throw new WanggeError('bad_request', `unknown layer ${JSON.stringify(v)} (use ${LAYERS.join(', ')})`, { parameter: 'layer' });
  return v as Layer;
}

function readText(file: string): string {
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new WanggeError('bad_file', `not valid gzip (${(e as Error).message})`, { file: path.basename(file) });
    }
  }
  return buf.toString('utf8');
}

/**
 * Read a file into records without touching the database (all checks that need no database done).
 * Problem directories are not read here (importFile hands them to importProblemDir).
 */
export async function readImportFile(opts: ImportFileOptions, progress: ProgressFn = noProgress): Promise<ReadResult> {
  const format = detectFormat(opts.path, opts.format);
  const label = path.basename(opts.path);
  const layer = checkLayer(opts.layer);
  const formula = householdFormula(opts.householdFormula);
  progress({ phase: 'read', percent: 5, message: `${label} (${format})` });
  const generic = (features: SourceFeature[], crs: Crs): ReadResult => {
    progress({ phase: 'convert', percent: 30, message: `${features.length} features from ${crs.id}` });
    const { records } = featuresToRecords(features, { layer, crs, file: label, estimateHouseholds: opts.estimateHouseholds, formula });
    return { format, crs, records };
  };
  switch (format) {
    case 'geojson': {
      const r = readGeoJson(opts.path, { crs: opts.crs });
      return generic(r.features, r.crs);
    }
    case 'csv': {
      const crs = parseCrs(opts.crs);
      return generic(readCsv(opts.path, { encoding: opts.encoding }), crs);
    }
    case 'shapefile': {
      const r = await readShapefile(opts.path, { crs: opts.crs, encoding: opts.encoding });
      return generic(r.features, r.crs);
    }
    case 'gpkg': {
      const r = await readGeoPackage(opts.path, { crs: opts.crs, table: opts.table, layer });
      return generic(r.features, r.crs);
    }
    case 'osm': case 'pbf': {
      const crs = parseCrs(opts.crs);
      if (crs.id !== 'EPSG:4326') throw new WanggeError('bad_crs', `OpenStreetMap data are always WGS-84; --crs ${opts.crs} does not apply`, { file: label, parameter: 'crs' });
      const data = format === 'osm' ? parseOsmXml(readText(opts.path), label) : readOsmPbf(opts.path, label);
      progress({ phase: 'convert', percent: 30, message: `${data.ways.length} ways, ${data.relations.length} relations` });
      const { records, stats } = osmToRecords(data, { file: label, formula }, subProgress(progress, 30, 50));
      if (layer) {
        // keep only the layer asked for
        const keep = { streets: 'streets', address_points: 'addressPoints', cameras: 'cameras' } as const;
        if (!(layer in keep)) throw new WanggeError('bad_request', `OpenStreetMap imports give streets, address_points or cameras, not ${layer}`, { parameter: 'layer' });
        for (const k of ['streets', 'addressPoints', 'units', 'communities', 'hazards', 'cameras'] as const) if (k !== keep[layer as keyof typeof keep]) records[k] = [];
      }
      return { format, crs, records, osm: stats };
    }
    case 'problem':
      throw new WanggeError('bad_request', 'a problem directory is imported as a whole (importFile)', { file: label });
  }
}

/**
 * Import one file (or a problem directory) into the database in one transaction.
 * @example await importFile(db, { path: 'map.osm.gz', jcode: '110108012000' }, progress)
 */
export async function importFile(db: Kysely<DB>, opts: ImportFileOptions, progress: ProgressFn = noProgress): Promise<ImportFileResult> {
  const format = detectFormat(opts.path, opts.format);
  if (format === 'problem') {
    if (opts.crs && parseCrs(opts.crs).id !== 'EPSG:4326' && parseCrs(opts.crs).id !== 'EPSG:4490') {
      throw new WanggeError('bad_crs', 'a problem directory is WGS-84 (or CGCS2000) GeoJSON by definition; --crs does not apply', { parameter: 'crs' });
    }
    const r = await importProblemDir(db, opts.path, { jcode: opts.jcode, replace: opts.replace, progress });
    return {
      path: opts.path, format, jcode: r.jcode, crs: 'EPSG:4326', created: true,
      layers: ['streets', 'address_points', ...(r.counts.units ? ['units' as const] : []), ...(r.counts.communities ? ['communities' as const] : [])],
      counts: { ...r.counts, hazards: 0, cameras: 0 }, replaced: {},
    };
  }
  if (!opts.jcode && !opts.createJurisdiction) {
    throw new WanggeError('bad_request', 'say which jurisdiction to import into: --jcode <code> of an existing one, or --create-jurisdiction <name>', { parameter: 'jcode' });
  }
  const read = await readImportFile({ ...opts, format }, subProgress(progress, 0, 50));
  const { codeFromName } = await import('./problem-dir.ts');
  const jcode = opts.jcode ?? codeFromName(opts.createJurisdiction!);
  const w = await writeRecords(db, read.records, { jcode, replace: opts.replace, append: opts.append, createJurisdiction: opts.createJurisdiction }, subProgress(progress, 50, 100));
  return { path: opts.path, format, jcode, crs: read.crs.id, layers: layersIn(read.records), created: w.created, counts: w.counts, replaced: w.replaced, osm: read.osm };
}
