/**
 * What the connected PostGIS can do, probed once from the functions it has, never from version strings.
 * The embedded engine (PostGIS 3.6, no protobuf) has the ST_Coverage* family but no ST_AsMVT; the Debian
 * server (PostGIS 3.3) has ST_AsMVT but no coverage functions.
 */
import { sql, type Kysely } from 'kysely';

export type EngineKind = 'embedded' | 'server';

export interface Capabilities {
  engine: EngineKind;
  /** ST_CoverageInvalidEdges / ST_CoverageUnion (PostGIS 3.4+, GEOS 3.12+). */
  coverage: boolean;
  /** ST_CoverageClean (PostGIS 3.6+). */
  coverageClean: boolean;
  /** ST_AsMVT built with protobuf-c. */
  mvt: boolean;
  postgis: string;
  geos: string;
}

const cache = new WeakMap<object, Capabilities>();

export async function probeCapabilities(db: Kysely<any>, engine: EngineKind): Promise<Capabilities> {
  const { rows } = await sql<{ cov: boolean; clean: boolean; mvt: boolean; postgis: string; geos: string }>`
    SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'st_coverageinvalidedges') AS cov,
           EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'st_coverageclean') AS clean,
           EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'st_asmvt') AS mvt,
           postgis_lib_version() AS postgis, postgis_geos_version() AS geos`.execute(db);
  const r = rows[0];
  let mvt = r.mvt;
  if (mvt) {
    // The function exists even in builds without protobuf-c; only a call tells.
    try {
      await sql`SELECT ST_AsMVT(t) FROM (SELECT 1 AS id, ST_AsMVTGeom(ST_Point(1, 1), ST_MakeEnvelope(0, 0, 2, 2)) AS geom) t`.execute(db);
    } catch {
      mvt = false;
    }
  }
  const caps: Capabilities = Object.freeze({ engine, coverage: r.cov, coverageClean: r.clean, mvt, postgis: r.postgis, geos: r.geos });
  cache.set(db, caps);
  return caps;
}

/**
 * The capabilities recorded for `db` by the start-up probe. A transaction opened with `inTransaction` asks
 * its parent's; any other handle is probed once on first use.
 */
export async function capabilitiesOf(db: Kysely<any>): Promise<Capabilities> {
  const parent = parentOf(db);
  const c = cache.get(db) ?? (parent ? cache.get(parent) : undefined);
  if (c) return c;
  const { rows } = await sql<{ v: string }>`SELECT version() AS v`.execute(db);
  return probeCapabilities(db, /wasm|emscripten/i.test(rows[0].v) ? 'embedded' : 'server');
}

/** Make `child` (e.g. `db.withPlugin(…)`, the same database) report the capabilities recorded for `parent`. */
export function adoptCapabilities(child: Kysely<any>, parent: Kysely<any>): void {
  const c = cache.get(parent) ?? cache.get(parentOf(parent) ?? parent);
  if (c) cache.set(child, c);
  else parents.set(child, parent);
}

const parents = new WeakMap<object, Kysely<any>>();
function parentOf(db: object): Kysely<any> | undefined {
  return parents.get(db);
}

/** Run `fn` in a transaction whose handle reports the same capabilities as `db`. */
export async function inTransaction<T>(db: Kysely<any>, fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(async (trx) => {
    parents.set(trx, db);
    return fn(trx);
  });
}
