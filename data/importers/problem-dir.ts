/**
 * Import a partition-problem directory (../shared/FORMAT.md) as one jurisdiction, in one transaction:
 * boundary → jurisdiction (level county, or the level given), communities → jurisdictions (level community),
 * streets, households → address points, units. Any bad feature: a WanggeError naming the file and feature
 * index, and nothing written.
 */
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { STREET_KINDS, type DB, type StreetKind } from '../db/schema.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { inTransaction } from '../db/capabilities.ts';
import { readFeatureCollection, readJson, resolveInput, type Feature, type FeatureCollection } from '../formats/geojson-read.ts';

export interface PartitionParams {
  min: number;
  max: number;
}

export interface ProblemImportOptions {
  /** jurisdiction code to store under; default: boundary properties.code, else a code derived from the folder name */
  jcode?: string;
  /** delete what is stored under the same jcode first (same transaction) instead of refusing */
  replace?: boolean;
  /** the directory as already read by readProblemDir (saves reading the files twice) */
  files?: ProblemFiles;
  progress?: ProgressFn;
}

export interface ProblemImportResult {
  jcode: string;
  name: string;
  params: PartitionParams;
  counts: { communities: number; streets: number; addressPoints: number; households: number; units: number };
}

const TABLES_BY_JCODE = ['roster_ticks', 'roster_people', 'roster_households', 'hazard_areas', 'shelters', 'overlay_zones', 'overlay_layers', 'grids', 'blocks', 'grid_plans', 'patrol_tracks', 'grid_staff',
  'cameras', 'hazards', 'residents', 'households', 'units', 'address_points', 'streets', 'jurisdictions'] as const;

/** Remove every row of one jurisdiction from every table (children first). */
export async function deleteJurisdiction(db: Kysely<DB>, jcode: string): Promise<void> {
  for (const t of TABLES_BY_JCODE) await db.deleteFrom(t).where('jcode', '=', jcode).execute();
}

/** A stable, digits-only 12-character code for a name (used when the data carry no code). */
export function codeFromName(name: string): string {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return `99${String(h % 1e10).padStart(10, '0')}`;
}

export function readParams(dir: string): PartitionParams {
  const f = resolveInput(dir, 'params.json');
  const p: PartitionParams = { min: 400, max: 600 };
  if (!f) return p;
  const j = readJson(f) as any;
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new WanggeError('bad_file', 'expected an object {"min": …, "max": …}', { file: 'params.json' });
  for (const k of ['min', 'max'] as const) {
    if (j[k] === undefined) continue;
    if (!Number.isInteger(j[k]) || j[k] < 1) throw new WanggeError('bad_file', `${k} must be a positive integer, got ${JSON.stringify(j[k])}`, { file: 'params.json', field: k });
    p[k] = j[k];
  }
  if (p.min > p.max) throw new WanggeError('bad_file', `min ${p.min} is above max ${p.max}`, { file: 'params.json' });
  return p;
}

export interface ProblemFiles {
  boundary: FeatureCollection;
  streets: FeatureCollection;
  households: FeatureCollection;
  communities: FeatureCollection | null;
  units: FeatureCollection | null;
  params: PartitionParams;
}

/** Read and check every file of a problem directory without touching the database. */
export function readProblemDir(dir: string): ProblemFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new WanggeError('bad_file', 'problem directory not found', { file: dir });
  const need = (name: string) => {
    const f = resolveInput(dir, name);
    if (!f) throw new WanggeError('bad_file', 'required file is missing', { file: name });
    return f;
  };
  const boundary = readFeatureCollection(need('boundary.geojson'), ['Polygon', 'MultiPolygon'], 'boundary.geojson');
  if (boundary.features.length === 0) throw new WanggeError('bad_file', 'no boundary feature', { file: 'boundary.geojson' });
  const streets = readFeatureCollection(need('streets.geojson'), ['LineString', 'MultiLineString'], 'streets.geojson');
  streets.features.forEach((f, i) => {
    const k = f.properties.kind;
    if (!STREET_KINDS.includes(k)) {
      throw new WanggeError('bad_feature', `kind ${JSON.stringify(k)} is not one of ${STREET_KINDS.join(', ')}`, { file: 'streets.geojson', featureIndex: i, field: 'kind' });
    }
  });
  const households = readFeatureCollection(need('households.geojson'), ['Point'], 'households.geojson');
  households.features.forEach((f, i) => {
    const h = f.properties.households;
    if (!Number.isInteger(h) || h < 1) {
      throw new WanggeError('bad_feature', `households must be an integer >= 1, got ${JSON.stringify(h)}`, { file: 'households.geojson', featureIndex: i, field: 'households' });
    }
  });
  const cf = resolveInput(dir, 'communities.geojson');
  const communities = cf ? readFeatureCollection(cf, ['Polygon', 'MultiPolygon'], 'communities.geojson') : null;
  const uf = resolveInput(dir, 'units.geojson');
  const units = uf ? readFeatureCollection(uf, ['Polygon', 'MultiPolygon'], 'units.geojson') : null;
  return { boundary, streets, households, communities, units, params: readParams(dir) };
}

function multi(g: Feature['geometry']): Feature['geometry'] {
  return g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
}

/** Import a problem directory. */
export async function importProblemDir(db: Kysely<DB>, dir: string, opts: ProblemImportOptions = {}): Promise<ProblemImportResult> {
  const progress = opts.progress ?? noProgress;
  progress({ phase: 'read', percent: 0, message: dir });
  const files = opts.files ?? readProblemDir(dir);
  const b0 = files.boundary.features[0].properties;
  const name = String(b0.name ?? path.basename(path.resolve(dir, dir.endsWith('problem') || dir.endsWith('problem/') ? '..' : '.')));
  const jcode = opts.jcode ?? (b0.code != null && String(b0.code) !== '' ? String(b0.code) : codeFromName(name));
  progress({ phase: 'store', percent: 20 });

  const counts = await inTransaction(db, async (trx: Kysely<DB>) => {
    const exists = await trx.selectFrom('jurisdictions').select('code').where('jcode', '=', jcode).limit(1).executeTakeFirst();
    if (exists) {
      if (!opts.replace) throw new WanggeError('conflict', `jurisdiction ${jcode} is already loaded (use --replace to load it again)`, { parameter: 'jcode' });
      await deleteJurisdiction(trx, jcode);
    }
    // the boundary: all features unioned into one jurisdiction
    await bulkInsert(trx, 'jurisdictions', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'level', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], [{ jcode, code: jcode, name, level: 'county', geom: { type: 'MultiPolygon', coordinates: files.boundary.features.flatMap((f) => (multi(f.geometry) as { coordinates: number[][][][] }).coordinates) } }]);
    await sql`UPDATE jurisdictions SET geom = ST_Multi(ST_UnaryUnion(ST_CollectionExtract(ST_MakeValid(geom), 3))) WHERE jcode = ${jcode} AND code = ${jcode}`.execute(trx);

    const communities = files.communities?.features ?? [];
    const seen = new Set<string>();
    const comRows = communities.map((f, i) => {
      const code = f.properties.code != null ? String(f.properties.code) : `${jcode}C${String(i + 1).padStart(3, '0')}`;
      if (seen.has(code)) throw new WanggeError('bad_feature', `duplicate community code ${code}`, { file: 'communities.geojson', featureIndex: i, field: 'code' });
      seen.add(code);
      return { jcode, code, name: f.properties.name != null ? String(f.properties.name) : code, level: 'community', parent_code: jcode, geom: multi(f.geometry) };
    });
    await bulkInsert(trx, 'jurisdictions', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'level', kind: 'text' }, { name: 'parent_code', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], comRows);
    progress({ phase: 'store', percent: 35, message: 'streets' });

    const streetRows: Record<string, unknown>[] = [];
    files.streets.features.forEach((f, i) => {
      const parts = f.geometry.type === 'MultiLineString' ? f.geometry.coordinates : [f.geometry.coordinates as number[][]];
      for (const coords of parts) {
        if (coords.length < 2) throw new WanggeError('bad_feature', 'a line needs at least two positions', { file: 'streets.geojson', featureIndex: i });
        streetRows.push({ jcode, kind: f.properties.kind as StreetKind, name: f.properties.name ?? null, source_id: String(i), geom: { type: 'LineString', coordinates: coords } });
      }
    });
    await bulkInsert(trx, 'streets', [
      { name: 'jcode', kind: 'text' }, { name: 'kind', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'source_id', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], streetRows);
    progress({ phase: 'store', percent: 60, message: 'households' });

    let hh = 0;
    const apRows = files.households.features.map((f, i) => {
      hh += f.properties.households;
      return { jcode, households: f.properties.households, name: f.properties.name ?? null, source_id: String(i), geom: f.geometry };
    });
    await bulkInsert(trx, 'address_points', [
      { name: 'jcode', kind: 'text' }, { name: 'households', kind: 'integer' }, { name: 'name', kind: 'text' },
      { name: 'source_id', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], apRows);
    progress({ phase: 'store', percent: 85, message: 'units' });

    const units = files.units?.features ?? [];
    const ucodes = new Set<string>();
    const unitRows = units.map((f, i) => {
      const code = f.properties.code != null ? String(f.properties.code) : `U${i}`;
      if (ucodes.has(code)) throw new WanggeError('bad_feature', `duplicate unit code ${code}`, { file: 'units.geojson', featureIndex: i, field: 'code' });
      ucodes.add(code);
      return { jcode, code, name: f.properties.name ?? null, kind: f.properties.kind ?? null, dedicated: f.properties.dedicated === true, geom: multi(f.geometry) };
    });
    await bulkInsert(trx, 'units', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'kind', kind: 'text' },
      { name: 'dedicated', kind: 'boolean' }, { name: 'geom', kind: 'geometry' },
    ], unitRows);

    // polygons must be valid: report the first invalid one by file and feature index
    await checkValidPolygons(trx, jcode);
    return { communities: comRows.length, streets: streetRows.length, addressPoints: apRows.length, households: hh, units: unitRows.length };
  });
  progress({ phase: 'store', percent: 100 });
  return { jcode, name, params: files.params, counts };
}

async function checkValidPolygons(db: Kysely<DB>, jcode: string): Promise<void> {
  const { rows } = await sql<{ t: string; code: string; reason: string }>`
    SELECT 'communities.geojson' AS t, code, ST_IsValidReason(geom) AS reason FROM jurisdictions
      WHERE jcode = ${jcode} AND level = 'community' AND NOT ST_IsValid(geom)
    UNION ALL
    SELECT 'units.geojson', code, ST_IsValidReason(geom) FROM units WHERE jcode = ${jcode} AND NOT ST_IsValid(geom)
    LIMIT 1`.execute(db);
  if (rows.length) {
    const r = rows[0];
    throw new WanggeError('bad_feature', `invalid polygon (${r.reason})`, { file: r.t, field: `code=${r.code}` });
  }
}
