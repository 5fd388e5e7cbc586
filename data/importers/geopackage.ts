/**
 * GeoPackage (.gpkg): one feature table (the only one, or --table), read with sql.js (SQLite in
 * WebAssembly, no native build); geometry blobs through wkb.ts; the CRS from --crs or the table's
 * gpkg_spatial_ref_sys entry (EPSG organisation code, else its WKT definition).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database as SqlJsDatabase } from 'sql.js';
import { WanggeError } from '../errors.ts';
import { crsFromWkt } from '../crs/crs-from-wkt.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import type { SourceFeature } from './layer-records.ts';
import { parseGpkgGeometry } from './wkb.ts';

let sqlJs: Promise<Awaited<ReturnType<typeof initSqlJs>>> | null = null;

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
  sqlJs ??= initSqlJs();
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
