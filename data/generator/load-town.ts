/**
 * Load a generated town into the database in ONE transaction: the jurisdiction hierarchy (county,
 * townships, communities), streets, address points, households and (optionally) residents, units, hazards,
 * cameras, patrol tracks and the three overlay layers with their zones. Rows go in through bulkInsert;
 * address points and households take ids reserved from their identity sequences, so households and
 * residents can reference them without reading anything back.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { bulkInsert, type BulkColumn } from '../db/bulk-insert.ts';
import { inTransaction } from '../db/capabilities.ts';
import { deleteJurisdiction } from '../importers/problem-dir.ts';
import type { DB } from '../db/schema.ts';
import { householdsOfBuilding } from './residents.ts';
import { isDangerousHouse, residentNeeds, townShelters } from './emergency-extras.ts';
import type { MultiPolygonGeometry, PolygonGeometry, Town } from './town-types.ts';

export interface LoadTownOptions {
  /** jurisdiction code to store under (default: the town's county code) */
  jcode?: string;
  /** delete what is stored under the same jcode first (same transaction) instead of refusing */
  replace?: boolean;
  progress?: ProgressFn;
  /** insert residents (default true); households are always inserted */
  residents?: boolean;
}

export interface LoadTownCounts {
  jurisdictions: number;
  streets: number;
  address_points: number;
  households: number;
  residents: number;
  units: number;
  hazards: number;
  cameras: number;
  patrol_tracks: number;
  overlay_layers: number;
  overlay_zones: number;
  shelters: number;
}

export interface LoadTownResult {
  jcode: string;
  counts: LoadTownCounts;
}

const col = (name: string, kind: BulkColumn['kind']): BulkColumn => ({ name, kind });
const multi = (g: PolygonGeometry | MultiPolygonGeometry): MultiPolygonGeometry =>
  g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g;
const BATCH = 20_000;

/** Reserve `n` consecutive ids from a table's identity sequence; returns the first. */
async function reserveIds(db: Kysely<DB>, table: 'address_points' | 'households', n: number): Promise<number> {
  const { rows } = await sql<{ first: number }>`
    WITH s AS (SELECT pg_get_serial_sequence(${table}, 'id') AS seq), f AS (SELECT nextval((SELECT seq FROM s)) AS v)
    SELECT (SELECT v FROM f)::bigint AS first, setval((SELECT seq FROM s), (SELECT v FROM f) + ${Math.max(1, n)} - 1) AS last`.execute(db);
  return Number(rows[0].first);
}

/** Load `town` under `jcode` (default town.code). Throws WanggeError('conflict') if the code is taken and !replace. */
export async function loadTown(db: Kysely<DB>, town: Town, opts: LoadTownOptions = {}): Promise<LoadTownResult> {
  const progress = opts.progress ?? noProgress;
  const jcode = opts.jcode ?? town.code;
  const withResidents = opts.residents ?? true;
  const counts = await inTransaction(db, async (trx: Kysely<DB>) => {
    const exists = await trx.selectFrom('jurisdictions').select('code').where('jcode', '=', jcode).limit(1).executeTakeFirst();
    if (exists) {
      if (!opts.replace) throw new WanggeError('conflict', `jurisdiction ${jcode} is already loaded (use --replace to load it again)`, { parameter: 'jcode' });
      progress({ phase: 'load', percent: 0, message: `deleting ${jcode}` });
      await deleteJurisdiction(trx, jcode);
    }
    const c: LoadTownCounts = { jurisdictions: 0, streets: 0, address_points: 0, households: 0, residents: 0, units: 0, hazards: 0, cameras: 0, patrol_tracks: 0, overlay_layers: 0, overlay_zones: 0, shelters: 0 };
    progress({ phase: 'load', percent: 2, message: 'jurisdictions' });
    c.jurisdictions = await bulkInsert(trx, 'jurisdictions',
      [col('jcode', 'text'), col('code', 'text'), col('name', 'text'), col('level', 'text'), col('parent_code', 'text'), col('households', 'integer'), col('geom', 'geometry')],
      [
        { jcode, code: jcode, name: town.name, level: 'county', parent_code: null, households: town.households, geom: town.boundary },
        ...town.townships.map((t) => ({ jcode, code: t.code, name: t.name, level: 'township', parent_code: jcode, households: t.households, geom: t.geom })),
        ...town.communities.map((m) => ({ jcode, code: m.code, name: m.name, level: 'community', parent_code: m.townshipCode, households: m.households, geom: m.geom })),
      ]);
    progress({ phase: 'load', percent: 5, message: 'streets' });
    c.streets = await bulkInsert(trx, 'streets', [col('jcode', 'text'), col('kind', 'text'), col('name', 'text'), col('source_id', 'text'), col('geom', 'geometry')],
      town.streets.map((s, k) => ({ jcode, kind: s.kind, name: s.name || null, source_id: String(k), geom: { type: 'LineString', coordinates: s.coordinates } })));

    progress({ phase: 'load', percent: 10, message: 'address points' });
    const apBase = await reserveIds(trx, 'address_points', town.buildings.length);
    const apCols = [col('jcode', 'text'), col('id', 'bigint'), col('households', 'integer'), col('name', 'text'), col('address', 'text'),
      col('building_kind', 'text'), col('levels', 'integer'), col('source_id', 'text'), col('geom', 'geometry')];
    for (let k = 0; k < town.buildings.length; k += BATCH) {
      c.address_points += await bulkInsert(trx, 'address_points', apCols, town.buildings.slice(k, k + BATCH).map((b) => ({
        jcode, id: apBase + b.id, households: b.households, name: b.name, address: b.address, building_kind: b.kind, levels: b.levels,
        source_id: String(b.id), geom: { type: 'Point', coordinates: b.position },
      })));
    }

    progress({ phase: 'load', percent: 20, message: withResidents ? 'households and residents' : 'households' });
    const hhBase = await reserveIds(trx, 'households', town.households);
    const hhCols = [col('jcode', 'text'), col('id', 'bigint'), col('address_point_id', 'bigint'), col('unit_no', 'text'), col('members', 'integer'), col('tags', 'text[]'), col('dangerous_house', 'boolean')];
    const resCols = [col('jcode', 'text'), col('household_id', 'bigint'), col('name', 'text'), col('id_number', 'text'), col('phone', 'text'),
      col('birth_date', 'date'), col('relation', 'text'), col('tags', 'text[]'), col('needs', 'text[]')];
    let hhRows: Record<string, unknown>[] = [];
    let resRows: Record<string, unknown>[] = [];
    let hhId = hhBase;
    const flush = async () => {
      if (hhRows.length) c.households += await bulkInsert(trx, 'households', hhCols, hhRows);
      if (resRows.length) c.residents += await bulkInsert(trx, 'residents', resCols, resRows);
      hhRows = [];
      resRows = [];
      progress({ phase: 'load', percent: 20 + (65 * c.households) / Math.max(1, town.households), message: withResidents ? 'households and residents' : 'households' });
    };
    for (const b of town.buildings) {
      const dangerous = isDangerousHouse(town, b);
      householdsOfBuilding(town, b).forEach((h, hk) => {
        const id = hhId++;
        hhRows.push({ jcode, id, address_point_id: apBase + b.id, unit_no: h.unitNo, members: h.members, tags: h.tags, dangerous_house: dangerous });
        if (withResidents) {
          h.residents.forEach((r, rk) => {
            resRows.push({ jcode, household_id: id, name: r.name, id_number: r.idNumber, phone: r.phone, birth_date: r.birthDate, relation: r.relation, tags: r.tags,
              needs: residentNeeds(town, b, hk, rk, r) });
          });
        }
      });
      if (hhRows.length >= BATCH || resRows.length >= BATCH) await flush();
    }
    await flush();

    progress({ phase: 'load', percent: 86, message: 'units, hazards, cameras' });
    c.units = await bulkInsert(trx, 'units', [col('jcode', 'text'), col('code', 'text'), col('name', 'text'), col('kind', 'text'), col('dedicated', 'boolean'), col('geom', 'geometry')],
      town.units.map((u) => ({ jcode, code: u.code, name: u.name, kind: u.kind, dedicated: u.dedicated, geom: multi(u.geom) })));
    c.hazards = await bulkInsert(trx, 'hazards', [col('jcode', 'text'), col('kind', 'text'), col('severity', 'integer'), col('status', 'text'),
      col('description', 'text'), col('reported_at', 'timestamptz'), col('geom', 'geometry')],
    town.hazards.map((h) => ({ jcode, kind: h.kind, severity: h.severity, status: h.status, description: h.description, reported_at: h.reportedAt, geom: h.geom })));
    c.cameras = await bulkInsert(trx, 'cameras', [col('jcode', 'text'), col('code', 'text'), col('name', 'text'), col('bearing', 'double precision'),
      col('fov', 'double precision'), col('range_m', 'double precision'), col('geom', 'geometry')],
    town.cameras.map((m) => ({ jcode, code: m.code, name: m.name, bearing: m.bearing, fov: m.fov, range_m: m.rangeM, geom: { type: 'Point', coordinates: m.position } })));
    c.shelters = await bulkInsert(trx, 'shelters', [col('jcode', 'text'), col('name', 'text'), col('kind', 'text'), col('capacity_day', 'integer'), col('capacity_night', 'integer'),
      col('contact_name', 'text'), col('contact_phone', 'text'), col('address', 'text'), col('geom', 'geometry')],
    townShelters(town).map((s) => ({ jcode, name: s.name, kind: s.kind, capacity_day: s.capacityDay, capacity_night: s.capacityNight, contact_name: s.contactName,
      contact_phone: s.contactPhone, address: s.address, geom: { type: 'Point', coordinates: s.position } })));
    progress({ phase: 'load', percent: 90, message: 'patrol tracks' });
    const trackCols = [col('jcode', 'text'), col('worker', 'text'), col('day', 'date'), col('started_at', 'timestamptz'), col('times', 'double precision[]'), col('geom', 'geometry')];
    for (let k = 0; k < town.tracks.length; k += 200) {
      c.patrol_tracks += await bulkInsert(trx, 'patrol_tracks', trackCols, town.tracks.slice(k, k + 200).map((t) => ({
        jcode, worker: t.worker, day: t.day, started_at: t.startedAt, times: t.times, geom: { type: 'LineString', coordinates: t.coordinates },
      })));
    }
    progress({ phase: 'load', percent: 95, message: 'overlay layers' });
    for (const ov of town.overlays) {
      const layer = await trx.insertInto('overlay_layers').values({ jcode, name: ov.layer, department: ov.department }).returning('id').executeTakeFirstOrThrow();
      c.overlay_layers++;
      c.overlay_zones += await bulkInsert(trx, 'overlay_zones', [col('jcode', 'text'), col('layer_id', 'bigint'), col('code', 'text'), col('name', 'text'), col('attrs', 'jsonb'), col('geom', 'geometry')],
        ov.zones.map((z) => ({ jcode, layer_id: Number(layer.id), code: z.code, name: z.name, attrs: { title: ov.title, person: z.person, phone: z.phone }, geom: multi(z.geom) })));
    }
    return c;
  });
  progress({ phase: 'load', percent: 100 });
  return { jcode, counts };
}
