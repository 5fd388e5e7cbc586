/**
 * GeoPackage (.gpkg), read and written with sql.js (SQLite in WebAssembly, no native build).
 * Reader: one feature table (the only one, or --table); geometry blobs through wkb.ts; the CRS from --crs or
 * the table's gpkg_spatial_ref_sys entry (EPSG organisation code, else its WKT definition).
 * Writer (a plan's grids): GeoPackage 1.3 with one feature table `grids` (MULTIPOLYGON, EPSG:4326) built in
 * memory. Every geometry is written as a MultiPolygon so it matches the column's declared type; blobs carry
 * the GeoPackage binary header with an xy envelope.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import initSqlJs, { type Database as SqlJsDatabase } from 'sql.js';
import { WanggeError } from '../errors.ts';
import { crsFromWkt } from '../crs/crs-from-wkt.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import type { SourceFeature } from '../importers/layer-records.ts';
import type { GridFeatureOut } from './grid-feature.ts';
import { envelopeOf, multiPolygonWkb, parseGpkgGeometry, polygonsOf, type Rings } from './wkb.ts';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('sql.js/dist/sql-wasm.wasm'));
let sqlJs: ReturnType<typeof initSqlJs> | null = null;

function rows(db: SqlJsDatabase, query: string, params: (string | number)[] = []): Record<string, any>[] {
  const stmt = db.prepare(query);
  try {
    stmt.bind(params);
    const out: Record<string, any>[] = [];
    while (stmt.step()) out.push(stmt.getAsObject());
    return out;
  } finally {
    stmt.free();
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface GeoPackageRead { features: SourceFeature[]; crs: Crs; table: string }

/** Read the features of one table. */
export async function readGeoPackage(file: string, opts: { crs?: string; table?: string; layer?: string } = {}): Promise<GeoPackageRead> {
  const label = path.basename(file);
  sqlJs ??= initSqlJs({ locateFile: (f: string) => path.join(wasmDir, f) });
  const SQL = await sqlJs;
  let db: SqlJsDatabase;
  let tables: Record<string, any>[];
  try {
    db = new SQL.Database(new Uint8Array(readFileSync(file)));
    tables = rows(db, `SELECT c.table_name AS t, g.column_name AS col, g.srs_id AS srs FROM gpkg_contents c
      JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name`);
  } catch (e) {
    throw new WanggeError('bad_file', `not a GeoPackage (${(e as Error).message})`, { file: label });
  }
  try {
    if (tables.length === 0) throw new WanggeError('bad_file', 'the GeoPackage holds no feature table', { file: label });
    let t = tables[0];
    if (opts.table) {
      const found = tables.find((x) => x.t === opts.table);
      if (!found) throw new WanggeError('bad_request', `no feature table ${JSON.stringify(opts.table)} (tables: ${tables.map((x) => x.t).join(', ')})`, { file: label, parameter: 'table' });
      t = found;
    } else if (tables.length > 1) {
      const byLayer = tables.find((x) => x.t === opts.layer);
      if (!byLayer) throw new WanggeError('bad_request', `the GeoPackage holds several feature tables (${tables.map((x) => x.t).join(', ')}): choose one with --table`, { file: label, parameter: 'table' });
      t = byLayer;
    }
    let crs: Crs;
    if (opts.crs) crs = parseCrs(opts.crs);
    else {
      const srs = rows(db, 'SELECT organization AS org, organization_coordsys_id AS code, definition AS def FROM gpkg_spatial_ref_sys WHERE srs_id = ?', [t.srs])[0];
      if (t.srs === 0 || (srs && String(srs.org).toUpperCase() === 'EPSG' && Number(srs.code) === 4326)) crs = parseCrs('wgs84');
      else {
        let found: Crs | null = null;
        if (srs && String(srs.org).toUpperCase() === 'EPSG') {
          try { found = parseCrs(`EPSG:${srs.code}`); } catch { found = null; }
        }
        found ??= srs?.def ? crsFromWkt(String(srs.def)) : null;
        if (!found) throw new WanggeError('bad_crs', `the table's coordinate system (srs_id ${t.srs}${srs ? `, ${srs.org}:${srs.code}` : ''}) is not one Wangge knows; declare it with --crs`, { file: label });
        crs = found;
      }
    }
    const features: SourceFeature[] = [];
    const stmt = db.prepare(`SELECT * FROM ${quoteIdent(String(t.t))}`);
    try {
      let i = 0;
      while (stmt.step()) {
        const row = stmt.getAsObject();
        const where = { file: label, featureIndex: i };
        const blob = row[t.col];
        let geometry = null;
        if (blob instanceof Uint8Array) geometry = parseGpkgGeometry(blob, where).geometry;
        else if (blob !== null && blob !== undefined) throw new WanggeError('bad_feature', 'geometry column does not hold a blob', { ...where, field: String(t.col) });
        const properties: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) if (k !== t.col) properties[k] = v instanceof Uint8Array ? null : v;
        features.push({ geometry, properties, where });
        i++;
      }
    } finally {
      stmt.free();
    }
    return { features, crs, table: String(t.t) };
  } finally {
    db.close();
  }
}

// ---- writer ----

const WGS84_WKT = 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],'
  + 'PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]';

/** A GeoPackage geometry blob: header 'GP', version 0, flags (little-endian, envelope [minx, maxx, miny, maxy]), srs_id, envelope, WKB. */
export function gpkgGeometry(polygons: Rings[], srsId = 4326): Uint8Array {
  const wkb = multiPolygonWkb(polygons);
  const env = envelopeOf(polygons);
  const head = Buffer.alloc(env ? 40 : 8);
  head.write('GP', 0, 'ascii');
  head.writeUInt8(0, 2);
  head.writeUInt8(env ? 0b0000_0011 : 0b0001_0001, 3); // bit 0 little-endian, bits 1-3 envelope type 1; empty: bit 4
  head.writeInt32LE(srsId, 4);
  if (env) {
    head.writeDoubleLE(env[0], 8);
    head.writeDoubleLE(env[2], 16);
    head.writeDoubleLE(env[1], 24);
    head.writeDoubleLE(env[3], 32);
  }
  return new Uint8Array(Buffer.concat([head, wkb]));
}

/** The grids as the bytes of a GeoPackage file (table `grids`). */
export async function writeGeoPackage(features: GridFeatureOut[], opts: { identifier?: string; description?: string } = {}): Promise<Buffer> {
  sqlJs ??= initSqlJs({ locateFile: (f: string) => path.join(wasmDir, f) });
  const SQL = await sqlJs;
  const db = new SQL.Database();
  try {
    db.run('PRAGMA application_id = 1196444487'); // 0x47504B47 'GPKG'
    db.run('PRAGMA user_version = 10300');
    db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
      organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`);
    db.run(`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
      description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
      CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`);
    db.run(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
      srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`);
    const srs = db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)');
    srs.run(['Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system']);
    srs.run(['Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system']);
    srs.run(['WGS 84 geodetic', 4326, 'EPSG', 4326, WGS84_WKT, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid']);
    srs.free();

    const all = features.map((f) => polygonsOf(f.geometry));
    const env = envelopeOf(all.flat());
    db.run(`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
      VALUES ('grids', 'features', ?, ?, ?, ?, ?, ?, 4326)`,
    [opts.identifier ?? 'grids', opts.description ?? '', env?.[0] ?? null, env?.[1] ?? null, env?.[2] ?? null, env?.[3] ?? null]);
    db.run(`INSERT INTO gpkg_geometry_columns VALUES ('grids', 'geom', 'MULTIPOLYGON', 4326, 0, 0)`);
    db.run(`CREATE TABLE grids (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON, code TEXT, households INTEGER,
      community TEXT, reason TEXT)`);
    db.run('BEGIN');
    const ins = db.prepare('INSERT INTO grids (geom, code, households, community, reason) VALUES (?, ?, ?, ?, ?)');
    features.forEach((f, i) => {
      const p = f.properties;
      ins.run([gpkgGeometry(all[i]), p.code, p.households, p.community ?? null, p.reason ?? null]);
    });
    ins.free();
    db.run('COMMIT');
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}
