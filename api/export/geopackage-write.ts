/**
 * GeoPackage 1.3 writer for a plan's grids: one feature table `grids` (MULTIPOLYGON, EPSG:4326) built in
 * memory with sql.js (SQLite in WebAssembly). Every geometry is written as a MultiPolygon so it matches the
 * column's declared type; blobs carry the GeoPackage binary header with an xy envelope.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import initSqlJs from 'sql.js';
import type { GridFeature } from '../../spatial/partition/index.ts';
import { envelopeOf, multiPolygonWkb, polygonsOf, type Rings } from './wkb-write.ts';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('sql.js/dist/sql-wasm.wasm'));
let sqlJs: ReturnType<typeof initSqlJs> | null = null;

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
export async function writeGeoPackage(features: GridFeature[], opts: { identifier?: string; description?: string } = {}): Promise<Buffer> {
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
