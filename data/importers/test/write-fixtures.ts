/**
 * Writers of tiny fixtures for the importer tests (Shapefile + dBase, GeoPackage, OSM PBF and XML), so the
 * tests build exactly the bytes they need instead of committing opaque binaries or map extracts.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import iconv from 'iconv-lite';
import initSqlJs from 'sql.js';
import { PbfWriter as Pbf } from 'pbf';
// The parser package ships its generated protobuf writers; the tests reuse them to encode PBF.
import { Blob as PbfBlob, BlobHeader } from 'osm-pbf-parser-node/proto/fileformat.js';
import { HeaderBlock, PrimitiveBlock } from 'osm-pbf-parser-node/proto/osmformat.js';

type Pos = number[];
export type ShpShape = { type: 'point'; coordinates: Pos } | { type: 'polygon'; rings: Pos[][] } | { type: 'polyline'; parts: Pos[][] };
export interface DbfFieldSpec { name: string; type: 'C' | 'N'; length: number; decimals?: number }

/** Write `<base>.shp` and `<base>.dbf` (text in `encoding`), plus `.cpg`/`.prj` when given. */
export function writeShapefile(base: string, shapes: ShpShape[], fields: DbfFieldSpec[], records: (string | number | null)[][],
  opts: { encoding?: string; cpg?: string; prj?: string; languageDriver?: number } = {}): void {
  const shapeType = shapes[0].type === 'point' ? 1 : shapes[0].type === 'polyline' ? 3 : 5;
  const contents: Buffer[] = shapes.map((s) => {
    if (s.type === 'point') {
      const b = Buffer.alloc(20);
      b.writeInt32LE(1, 0); b.writeDoubleLE(s.coordinates[0], 4); b.writeDoubleLE(s.coordinates[1], 12);
      return b;
    }
    const parts = s.type === 'polygon' ? s.rings : s.parts;
    const pts = parts.flat();
    const b = Buffer.alloc(44 + 4 * parts.length + 16 * pts.length);
    b.writeInt32LE(shapeType, 0);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
    b.writeInt32LE(parts.length, 36); b.writeInt32LE(pts.length, 40);
    let k = 0;
    parts.forEach((p, i) => { b.writeInt32LE(k, 44 + 4 * i); k += p.length; });
    const o = 44 + 4 * parts.length;
    pts.forEach((p, i) => { b.writeDoubleLE(p[0], o + 16 * i); b.writeDoubleLE(p[1], o + 16 * i + 8); });
    return b;
  });
  const recs = contents.map((c, i) => {
    const h = Buffer.alloc(8);
    h.writeInt32BE(i + 1, 0); h.writeInt32BE(c.length / 2, 4);
    return Buffer.concat([h, c]);
  });
  const all: Pos[] = shapes.flatMap((s) => (s.type === 'point' ? [s.coordinates] : (s.type === 'polygon' ? s.rings : s.parts).flat()));
  const header = Buffer.alloc(100);
  const total = 100 + recs.reduce((n, r) => n + r.length, 0);
  header.writeInt32BE(9994, 0); header.writeInt32BE(total / 2, 24); header.writeInt32LE(1000, 28); header.writeInt32LE(shapeType, 32);
  [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))]
    .forEach((v, i) => header.writeDoubleLE(v, 36 + 8 * i));
  writeFileSync(`${base}.shp`, Buffer.concat([header, ...recs]));

  const enc = opts.encoding ?? 'utf-8';
  const encode = (s: string) => (enc === 'utf-8' ? Buffer.from(s, 'utf8') : iconv.encode(s, enc));
  const headerLen = 32 + 32 * fields.length + 1;
  const recLen = 1 + fields.reduce((n, f) => n + f.length, 0);
  const dbf = Buffer.alloc(headerLen + recLen * records.length + 1, 0x20);
  dbf.fill(0, 0, headerLen);
  dbf[0] = 0x03; dbf[1] = 125; dbf[2] = 1; dbf[3] = 1;
  dbf.writeUInt32LE(records.length, 4); dbf.writeUInt16LE(headerLen, 8); dbf.writeUInt16LE(recLen, 10);
  dbf[29] = opts.languageDriver ?? 0;
  fields.forEach((f, i) => {
    const p = 32 + 32 * i;
    encode(f.name).copy(dbf, p, 0, 10);
    dbf[p + 11] = f.type.charCodeAt(0); dbf[p + 16] = f.length; dbf[p + 17] = f.decimals ?? 0;
  });
  dbf[headerLen - 1] = 0x0d;
  records.forEach((r, i) => {
    let p = headerLen + recLen * i + 1;
    fields.forEach((f, j) => {
      const v = r[j];
      const bytes = v === null ? Buffer.alloc(0) : f.type === 'N' ? Buffer.from(String(v).padStart(f.length), 'latin1') : encode(String(v));
      bytes.copy(dbf, p, 0, Math.min(bytes.length, f.length));
      p += f.length;
    });
  });
  dbf[dbf.length - 1] = 0x1a;
  writeFileSync(`${base}.dbf`, dbf);
  if (opts.cpg !== undefined) writeFileSync(`${base}.cpg`, opts.cpg);
  if (opts.prj !== undefined) writeFileSync(`${base}.prj`, opts.prj);
}

export type WkbGeometry = { type: 'Point'; coordinates: Pos } | { type: 'LineString'; coordinates: Pos[] } | { type: 'Polygon'; coordinates: Pos[][] };

/** Little-endian WKB of a 2D point, line or polygon. */
export function toWkb(g: WkbGeometry): Buffer {
  const parts: Buffer[] = [];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const pt = (p: Pos) => { const b = Buffer.alloc(16); b.writeDoubleLE(p[0], 0); b.writeDoubleLE(p[1], 8); parts.push(b); };
  parts.push(Buffer.from([1]));
  if (g.type === 'Point') { u32(1); pt(g.coordinates); }
  if (g.type === 'LineString') { u32(2); u32(g.coordinates.length); g.coordinates.forEach(pt); }
  if (g.type === 'Polygon') { u32(3); u32(g.coordinates.length); for (const r of g.coordinates) { u32(r.length); r.forEach(pt); } }
  return Buffer.concat(parts);
}

/** A GeoPackage geometry blob: "GP", version 0, flags (little-endian, no envelope), srs id, WKB. */
export function gpkgBlob(g: WkbGeometry, srsId: number): Buffer {
  const h = Buffer.alloc(8);
  h.write('GP', 0, 'latin1'); h[2] = 0; h[3] = 0x01; h.writeInt32LE(srsId, 4);
  return Buffer.concat([h, toWkb(g)]);
}

/** Write a one-table GeoPackage. `columns` are the attribute columns (TEXT/INTEGER/REAL). */
export async function writeGeoPackage(file: string, table: string, srs: { id: number; org: string; code: number },
  columns: { name: string; type: 'TEXT' | 'INTEGER' | 'REAL' }[], features: { geom: WkbGeometry | null; props: (string | number | null)[] }[],
  opts: { rawBlob?: (i: number) => Uint8Array | undefined } = {}): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`);
  db.run(`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '',
    last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`);
  db.run(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`);
  db.run('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, NULL)', [`${srs.org}:${srs.code}`, srs.id, srs.org, srs.code, 'undefined']);
  db.run('INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, ?, ?, ?)', [table, 'features', table, srs.id]);
  db.run('INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)', [table, 'geom', 'GEOMETRY', srs.id]);
  db.run(`CREATE TABLE "${table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB${columns.map((c) => `, "${c.name}" ${c.type}`).join('')})`);
  features.forEach((f, i) => {
    const blob = opts.rawBlob?.(i) ?? (f.geom ? gpkgBlob(f.geom, srs.id) : null);
    db.run(`INSERT INTO "${table}" (geom${columns.map((c) => `, "${c.name}"`).join('')}) VALUES (?${columns.map(() => ', ?').join('')})`, [blob, ...f.props]);
  });
  writeFileSync(file, Buffer.from(db.export()));
  db.close();
}

export interface OsmInput {
  bbox?: [number, number, number, number];
  nodes: { id: number; lon: number; lat: number; tags?: Record<string, string> }[];
  ways: { id: number; refs: number[]; tags: Record<string, string> }[];
}

function blob(type: 'OSMHeader' | 'OSMData', payload: Uint8Array): Buffer {
  const bp = new Pbf();
  PbfBlob.write({ raw_size: payload.length, zlib_data: deflateSync(payload) }, bp);
  const blobBytes = bp.finish();
  const hp = new Pbf();
  BlobHeader.write({ type, datasize: blobBytes.length }, hp);
  const headerBytes = hp.finish();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  return Buffer.concat([len, Buffer.from(headerBytes), Buffer.from(blobBytes)]);
}

/** Write an OSM PBF file with dense nodes and ways (granularity 100 nanodegrees). */
export function writeOsmPbf(file: string, input: OsmInput): void {
  const hp = new Pbf();
  const b = input.bbox;
  HeaderBlock.write({
    bbox: b ? { left: Math.round(b[0] * 1e9), bottom: Math.round(b[1] * 1e9), right: Math.round(b[2] * 1e9), top: Math.round(b[3] * 1e9) } : undefined,
    required_features: ['OsmSchema-V0.6', 'DenseNodes'], writingprogram: 'wangge-test',
  }, hp);
  const strings = [''];
  const sid = (s: string) => { let i = strings.indexOf(s); if (i < 0) { i = strings.length; strings.push(s); } return i; };
  const dense = { id: [] as number[], lat: [] as number[], lon: [] as number[], keys_vals: [] as number[] };
  let pid = 0, plat = 0, plon = 0;
  for (const n of input.nodes) {
    const lat = Math.round(n.lat * 1e7);
    const lon = Math.round(n.lon * 1e7);
    dense.id.push(n.id - pid); dense.lat.push(lat - plat); dense.lon.push(lon - plon);
    pid = n.id; plat = lat; plon = lon;
    for (const [k, v] of Object.entries(n.tags ?? {})) dense.keys_vals.push(sid(k), sid(v));
    dense.keys_vals.push(0);
  }
  const ways = input.ways.map((w) => {
    let prev = 0;
    return {
      id: w.id, keys: Object.keys(w.tags).map(sid), vals: Object.values(w.tags).map(sid),
      refs: w.refs.map((r) => { const d = r - prev; prev = r; return d; }),
    };
  });
  const dp = new Pbf();
  PrimitiveBlock.write({
    stringtable: { s: strings.map((s) => Buffer.from(s, 'utf8')) },
    primitivegroup: [{ dense }, { ways }],
    granularity: 100, lat_offset: 0, lon_offset: 0, date_granularity: 1000,
  }, dp);
  writeFileSync(file, Buffer.concat([blob('OSMHeader', hp.finish()), blob('OSMData', dp.finish())]));
}

const xmlAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Write an OSM XML file (version 0.6) with the same input as writeOsmPbf. */
export function writeOsmXml(file: string, input: OsmInput): void {
  const tags = (t: Record<string, string> | undefined) => Object.entries(t ?? {}).map(([k, v]) => `  <tag k="${xmlAttr(k)}" v="${xmlAttr(v)}"/>\n`).join('');
  const b = input.bbox;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="wangge-test">\n'];
  if (b) out.push(` <bounds minlat="${b[1]}" minlon="${b[0]}" maxlat="${b[3]}" maxlon="${b[2]}"/>\n`);
  for (const n of input.nodes) {
    const t = tags(n.tags);
    out.push(` <node id="${n.id}" lat="${n.lat.toFixed(7)}" lon="${n.lon.toFixed(7)}"${t ? `>\n${t} </node>` : '/>'}\n`);
  }
  for (const w of input.ways) out.push(` <way id="${w.id}">\n${w.refs.map((r) => `  <nd ref="${r}"/>\n`).join('')}${tags(w.tags)} </way>\n`);
  out.push('</osm>\n');
  writeFileSync(file, out.join(''));
}
