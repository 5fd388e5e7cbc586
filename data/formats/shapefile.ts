/**
 * ESRI Shapefile, read and written.
 * Reader: geometry from the .shp (the `shapefile` package), attributes from the .dbf (dbf.ts, with GBK/CP936
 * support), the CRS from --crs or the .prj (crs-from-wkt.ts; an unrecognised .prj needs --crs). Feature
 * index = record number − 1.
 * Writer (a plan's grids): .shp/.shx (polygon, type 5; a MultiPolygon's parts all in one record; outer rings
 * clockwise, holes counter-clockwise), .dbf (dbf.ts), .prj (WGS 84), .cpg (UTF-8).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import shapefile from 'shapefile';
import { WanggeError } from '../errors.ts';
import { crsFromWkt } from '../crs/crs-from-wkt.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import { dbfLanguageDriver, encodingFromLanguageDriver, readDbf, writeDbf } from './dbf.ts';
import type { GridFeatureOut } from './grid-feature.ts';
import { envelopeOf, polygonsOf, type Position, type Rings } from './wkb.ts';
import type { SourceFeature } from '../importers/layer-records.ts';
import { normalizeEncoding } from './text-encoding.ts';

function sibling(shp: string, ext: string): string | null {
  const base = shp.replace(/\.shp$/i, '');
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(`${base}${e}`)) return `${base}${e}`;
  return null;
}

export interface ShapefileRead { features: SourceFeature[]; crs: Crs; encoding: string }

/** Read a shapefile's features and attributes; `crs`/`encoding` override the .prj/.cpg. */
export async function readShapefile(file: string, opts: { crs?: string; encoding?: string } = {}): Promise<ShapefileRead> {
  const label = path.basename(file);
  const dbfPath = sibling(file, '.dbf');
  if (!dbfPath) throw new WanggeError('bad_file', 'the .dbf attribute file beside the .shp is missing', { file: label });
  let encoding: string;
  let declared = true;
  if (opts.encoding) encoding = normalizeEncoding(opts.encoding);
  else {
    const cpg = sibling(file, '.cpg');
    const fromCpg = cpg ? readFileSync(cpg, 'latin1').trim() : '';
    const ld = encodingFromLanguageDriver(dbfLanguageDriver(readFileSync(dbfPath)));
    if (fromCpg) encoding = normalizeEncoding(fromCpg, { file: path.basename(cpg!) });
    else if (ld) encoding = ld;
    else { encoding = 'utf-8'; declared = false; }
  }
  let crs: Crs;
  if (opts.crs) crs = parseCrs(opts.crs);
  else {
    const prj = sibling(file, '.prj');
    if (!prj) crs = parseCrs('wgs84');
    else {
      const wkt = readFileSync(prj, 'utf8');
      const found = crsFromWkt(wkt);
      if (!found) throw new WanggeError('bad_crs', `the .prj describes a coordinate system Wangge does not recognise (${wkt.slice(0, 80)}…); declare it with --crs`, { file: path.basename(prj) });
      crs = found;
    }
  }
  const table = await readDbf(dbfPath, path.basename(dbfPath), encoding, declared);
  let source;
  try {
    source = await shapefile.openShp(new Uint8Array(readFileSync(file)));
  } catch (e) {
    throw new WanggeError('bad_file', `not a readable shapefile (${(e as Error).message})`, { file: label });
  }
  const features: SourceFeature[] = [];
  for (let i = 0; ; i++) {
    let r;
    try {
      r = await source.read();
    } catch (e) {
      throw new WanggeError('bad_file', `shape record ${i + 1} cannot be read (${(e as Error).message})`, { file: label, featureIndex: i });
    }
    if (r.done) break;
    if (i >= table.records.length) throw new WanggeError('bad_file', `the .shp holds more shapes than the .dbf has records (${table.records.length})`, { file: label, featureIndex: i });
    const props = table.records[i];
    if (props === null) continue; // deleted in the .dbf
    features.push({ geometry: r.value, properties: props, where: { file: label, featureIndex: i } });
  }
  return { features, crs, encoding };
}

// ---- writer ----

export interface ShapefileParts { shp: Buffer; shx: Buffer; dbf: Buffer; prj: string; cpg: string }

export const WGS84_PRJ = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
  + 'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

/** Twice the signed area of a ring (positive: counter-clockwise). */
export function signedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0, n = ring.length; i + 1 < n; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

const oriented = (ring: Position[], clockwise: boolean) => ((signedArea2(ring) < 0) === clockwise ? ring : [...ring].reverse());

/** The polygons' rings reoriented: outer rings clockwise, holes counter-clockwise (the shapefile rule). */
export function shapefileRings(polygons: Rings[]): Position[][] {
  return polygons.flatMap((rings) => rings.map((r, i) => oriented(r, i === 0)));
}

function header(buf: Buffer, lengthBytes: number, box: [number, number, number, number]): void {
  buf.writeInt32BE(9994, 0);
  buf.writeInt32BE(lengthBytes / 2, 24);
  buf.writeInt32LE(1000, 28);
  buf.writeInt32LE(5, 32);
  box.forEach((v, i) => buf.writeDoubleLE(v, 36 + 8 * i));
}

/** The grids as the parts of a polygon shapefile. */
export function writeShapefile(features: GridFeatureOut[]): ShapefileParts {
  const records = features.map((f) => {
    const polygons = polygonsOf(f.geometry);
    const rings = shapefileRings(polygons);
    const points = rings.reduce((n, r) => n + r.length, 0);
    const content = Buffer.alloc(44 + 4 * rings.length + 16 * points);
    content.writeInt32LE(5, 0);
    const box = envelopeOf(polygons) ?? [0, 0, 0, 0];
    box.forEach((v, i) => content.writeDoubleLE(v, 4 + 8 * i));
    content.writeInt32LE(rings.length, 36);
    content.writeInt32LE(points, 40);
    let o = 44, start = 0;
    for (const r of rings) { content.writeInt32LE(start, o); o += 4; start += r.length; }
    for (const r of rings) for (const p of r) { content.writeDoubleLE(p[0], o); content.writeDoubleLE(p[1], o + 8); o += 16; }
    return content;
  });
  const box = envelopeOf(features.flatMap((f) => polygonsOf(f.geometry))) ?? [0, 0, 0, 0];
  const shpLength = 100 + records.reduce((n, c) => n + 8 + c.length, 0);
  const shp = Buffer.alloc(shpLength);
  const shx = Buffer.alloc(100 + 8 * records.length);
  header(shp, shpLength, box);
  header(shx, shx.length, box);
  let o = 100;
  records.forEach((c, i) => {
    shx.writeInt32BE(o / 2, 100 + 8 * i);
    shx.writeInt32BE(c.length / 2, 104 + 8 * i);
    shp.writeInt32BE(i + 1, o);
    shp.writeInt32BE(c.length / 2, o + 4);
    c.copy(shp, o + 8);
    o += 8 + c.length;
  });
  return { shp, shx, dbf: writeDbf(features), prj: WGS84_PRJ, cpg: 'UTF-8' };
}
