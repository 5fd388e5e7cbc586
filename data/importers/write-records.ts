/**
 * Write typed records into one jurisdiction in ONE transaction: the jurisdiction must exist (or is created
 * from the data's extent when asked), every line and polygon must be valid in PostGIS's eyes (the first
 * invalid one is reported with its file and feature index), layers that already hold rows are refused
 * unless replaced or appended to, then everything goes in with bulkInsert. Any error: nothing written.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError, type ErrorWhere } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { inTransaction } from '../db/capabilities.ts';
import type { DB } from '../db/schema.ts';
import { layersIn, type ImportRecords, type Layer, type Position } from './records.ts';

export interface WriteOptions {
  jcode: string;
  /** delete what the imported layers already hold in this jurisdiction first */
  replace?: boolean;
  /** add to layers that already hold rows */
  append?: boolean;
  /** create the jurisdiction (named so) from the data's extent when it does not exist */
  createJurisdiction?: string;
}

export interface ImportCounts {
  streets: number; addressPoints: number; households: number; units: number; communities: number; hazards: number; cameras: number;
}

export interface WriteResult { jcode: string; created: boolean; counts: ImportCounts; replaced: Partial<Record<Layer, number>> }

const LAYER_TABLE: Record<Layer, 'streets' | 'address_points' | 'units' | 'jurisdictions' | 'hazards' | 'cameras'> = {
  streets: 'streets', address_points: 'address_points', units: 'units', communities: 'jurisdictions', hazards: 'hazards', cameras: 'cameras',
};

function walk(c: unknown, fn: (p: Position) => void): void {
  if (Array.isArray(c) && typeof c[0] === 'number') fn(c as Position);
  else if (Array.isArray(c)) for (const x of c) walk(x, fn);
}

/** [minLon, minLat, maxLon, maxLat] of every record. */
export function recordsExtent(r: ImportRecords): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  const all = [...r.streets, ...r.addressPoints, ...r.units, ...r.communities, ...r.hazards, ...r.cameras];
  for (const rec of all) {
    walk(rec.geom.coordinates, ([x, y]) => {
      if (!b) b = [x, y, x, y];
      else { if (x < b[0]) b[0] = x; if (y < b[1]) b[1] = y; if (x > b[2]) b[2] = x; if (y > b[3]) b[3] = y; }
    });
  }
  return b;
}

/** Every line and polygon checked by PostGIS (ST_IsValidReason); the first invalid one is refused naming its place. */
async function checkValidity(db: Kysely<DB>, r: ImportRecords): Promise<void> {
  const items: { geom: unknown; where: ErrorWhere }[] = [
    ...r.streets, ...r.units, ...r.communities, ...r.hazards.filter((h) => h.geom.type !== 'Point'),
  ];
  const CHUNK = 5000;
  for (let s = 0; s < items.length; s += CHUNK) {
    const chunk = items.slice(s, s + CHUNK).map((it, k) => ({ i: s + k, g: it.geom }));
    const { rows } = await sql<{ i: number; reason: string }>`
      SELECT i, reason FROM (
        SELECT r.i, ST_IsValidReason(ST_GeomFromGeoJSON(r.g::text)) AS reason
        FROM json_to_recordset(${JSON.stringify(chunk)}::json) AS r(i int, g json)) v
      WHERE reason <> 'Valid Geometry' ORDER BY i LIMIT 1`.execute(db);
    if (rows.length) {
      const bad = items[rows[0].i];
      throw new WanggeError('bad_feature', `invalid geometry (${rows[0].reason})`, bad.where);
    }
  }
}

function checkUniqueCodes(recs: { code: string; where: ErrorWhere }[], existing: Set<string>, what: string): void {
  const seen = new Set<string>();
  for (const r of recs) {
    if (seen.has(r.code)) throw new WanggeError('bad_feature', `duplicate ${what} code ${r.code} in the file`, { ...r.where, field: 'code' });
    if (existing.has(r.code)) throw new WanggeError('conflict', `${what} code ${r.code} already exists in this jurisdiction`, { ...r.where, field: 'code' });
    seen.add(r.code);
  }
}

/** Write `records` under `opts.jcode` in one transaction. */
export async function writeRecords(db: Kysely<DB>, records: ImportRecords, opts: WriteOptions, progress: ProgressFn = noProgress): Promise<WriteResult> {
  const layers = layersIn(records);
  if (layers.length === 0) throw new WanggeError('bad_file', 'nothing to import: no streets, address points, units, communities, hazards or cameras found');
  const { jcode } = opts;
  if (!jcode) throw new WanggeError('bad_request', 'a jurisdiction code is required (--jcode)', { parameter: 'jcode' });
  return inTransaction(db, async (trx: Kysely<DB>) => {
    let created = false;
    const top = await trx.selectFrom('jurisdictions').select('code').where('jcode', '=', jcode).where('code', '=', jcode).executeTakeFirst();
    if (!top) {
      if (!opts.createJurisdiction) {
        throw new WanggeError('not_found', `jurisdiction ${jcode} does not exist: import its problem directory first, or pass --create-jurisdiction <name> to create it from the extent of this data`, { parameter: 'jcode' });
      }
      const e = recordsExtent(records)!;
      const m = 0.0005; // ≈ 50 m around the data
      const ring = [[e[0] - m, e[1] - m], [e[2] + m, e[1] - m], [e[2] + m, e[3] + m], [e[0] - m, e[3] + m], [e[0] - m, e[1] - m]];
      await bulkInsert(trx, 'jurisdictions', [
        { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'level', kind: 'text' }, { name: 'geom', kind: 'geometry' },
      ], [{ jcode, code: jcode, name: opts.createJurisdiction, level: 'county', geom: { type: 'MultiPolygon', coordinates: [[ring]] } }]);
      created = true;
    }
    progress({ phase: 'check', percent: 55, message: 'geometry validity' });
    await checkValidity(trx, records);

    const replaced: Partial<Record<Layer, number>> = {};
    for (const layer of layers) {
      const table = LAYER_TABLE[layer];
      let q = trx.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('jcode', '=', jcode);
      if (layer === 'communities') q = q.where('code', '<>', jcode);
      const n = Number((await q.executeTakeFirstOrThrow()).n);
      if (n === 0) continue;
      if (opts.replace) {
        let d = trx.deleteFrom(table).where('jcode', '=', jcode);
        if (layer === 'communities') d = d.where('code', '<>', jcode);
        await d.execute();
        replaced[layer] = n;
      } else if (!opts.append) {
        throw new WanggeError('conflict', `layer ${layer} of jurisdiction ${jcode} already holds ${n} rows: use --replace to replace them or --append to add to them`, { parameter: 'layer' });
      }
    }
    if (records.units.length) {
      const existing = new Set((await trx.selectFrom('units').select('code').where('jcode', '=', jcode).execute()).map((r) => r.code));
      checkUniqueCodes(records.units, existing, 'unit');
    }
    if (records.communities.length) {
      const existing = new Set((await trx.selectFrom('jurisdictions').select('code').where('jcode', '=', jcode).execute()).map((r) => r.code));
      checkUniqueCodes(records.communities, existing, 'community');
    }

    progress({ phase: 'store', percent: 65, message: 'streets' });
    await bulkInsert(trx, 'streets', [
      { name: 'jcode', kind: 'text' }, { name: 'kind', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'source_id', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], records.streets.map((r) => ({ jcode, kind: r.kind, name: r.name, source_id: r.sourceId, geom: r.geom })));
    progress({ phase: 'store', percent: 75, message: 'address points' });
    await bulkInsert(trx, 'address_points', [
      { name: 'jcode', kind: 'text' }, { name: 'households', kind: 'integer' }, { name: 'name', kind: 'text' }, { name: 'address', kind: 'text' },
      { name: 'building_kind', kind: 'text' }, { name: 'levels', kind: 'integer' }, { name: 'source_id', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], records.addressPoints.map((r) => ({
      jcode, households: r.households, name: r.name, address: r.address, building_kind: r.buildingKind, levels: r.levels, source_id: r.sourceId, geom: r.geom,
    })));
    progress({ phase: 'store', percent: 85, message: 'units, communities, hazards, cameras' });
    await bulkInsert(trx, 'units', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'kind', kind: 'text' },
      { name: 'dedicated', kind: 'boolean' }, { name: 'geom', kind: 'geometry' },
    ], records.units.map((r) => ({ jcode, code: r.code, name: r.name, kind: r.kind, dedicated: r.dedicated, geom: r.geom })));
    await bulkInsert(trx, 'jurisdictions', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'level', kind: 'text' },
      { name: 'parent_code', kind: 'text' }, { name: 'households', kind: 'integer' }, { name: 'geom', kind: 'geometry' },
    ], records.communities.map((r) => ({ jcode, code: r.code, name: r.name, level: r.level, parent_code: r.parentCode ?? jcode, households: r.households, geom: r.geom })));
    await bulkInsert(trx, 'hazards', [
      { name: 'jcode', kind: 'text' }, { name: 'kind', kind: 'text' }, { name: 'severity', kind: 'integer' }, { name: 'status', kind: 'text' },
      { name: 'description', kind: 'text' }, { name: 'reported_at', kind: 'timestamptz' }, { name: 'geom', kind: 'geometry' },
    ], records.hazards.map((r) => ({ jcode, kind: r.kind, severity: r.severity, status: r.status, description: r.description, reported_at: r.reportedAt ?? new Date().toISOString(), geom: r.geom })));
    await bulkInsert(trx, 'cameras', [
      { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'bearing', kind: 'double precision' },
      { name: 'fov', kind: 'double precision' }, { name: 'range_m', kind: 'double precision' }, { name: 'geom', kind: 'geometry' },
    ], records.cameras.map((r) => ({ jcode, code: r.code, name: r.name, bearing: r.bearing, fov: r.fov, range_m: r.rangeM, geom: r.geom })));
    progress({ phase: 'store', percent: 100 });
    return {
      jcode, created, replaced,
      counts: {
        streets: records.streets.length, addressPoints: records.addressPoints.length, households: records.addressPoints.reduce((s, r) => s + r.households, 0),
        units: records.units.length, communities: records.communities.length, hazards: records.hazards.length, cameras: records.cameras.length,
      },
    };
  });
}
