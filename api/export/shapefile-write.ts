/**
 * ESRI Shapefile writer for a plan's grids: .shp/.shx (polygon, type 5; a MultiPolygon's parts all in one
 * record; outer rings clockwise, holes counter-clockwise), .dbf (dBASE III: CODE C(40), HOUSEHOLDS N(10,0),
 * COMMUNITY C(40), REASON C(20); text in UTF-8 as the .cpg says), .prj (WGS 84).
 */
import type { GridFeature } from '../../spatial/partition/index.ts';
import { envelopeOf, polygonsOf, type Position, type Rings } from './wkb-write.ts';

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

const FIELDS = [
  { name: 'CODE', type: 'C', width: 40, get: (p: GridFeature['properties']) => p.code },
  { name: 'HOUSEHOLDS', type: 'N', width: 10, get: (p: GridFeature['properties']) => String(Math.round(p.households)) },
  { name: 'COMMUNITY', type: 'C', width: 40, get: (p: GridFeature['properties']) => p.community ?? '' },
  { name: 'REASON', type: 'C', width: 20, get: (p: GridFeature['properties']) => p.reason ?? '' },
] as const;

/** UTF-8 bytes of `s`, cut at a character boundary to at most `width` bytes. */
function utf8Within(s: string, width: number): Buffer {
  let b = Buffer.from(s, 'utf8');
  if (b.length <= width) return b;
  let end = width;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  b = b.subarray(0, end);
  return b;
}

/** The dBASE III table of the grids' attributes. */
export function writeDbf(features: GridFeature[], now = new Date()): Buffer {
  const headerLength = 32 + 32 * FIELDS.length + 1;
  const recordLength = 1 + FIELDS.reduce((n, f) => n + f.width, 0);
  const buf = Buffer.alloc(headerLength + recordLength * features.length + 1, 0x20);
  buf.fill(0, 0, headerLength);
  buf.writeUInt8(0x03, 0);
  buf.writeUInt8(now.getUTCFullYear() - 1900, 1);
  buf.writeUInt8(now.getUTCMonth() + 1, 2);
  buf.writeUInt8(now.getUTCDate(), 3);
  buf.writeUInt32LE(features.length, 4);
  buf.writeUInt16LE(headerLength, 8);
  buf.writeUInt16LE(recordLength, 10);
  FIELDS.forEach((f, i) => {
    const at = 32 + 32 * i;
    buf.write(f.name, at, 'ascii');
    buf.write(f.type, at + 11, 'ascii');
    buf.writeUInt8(f.width, at + 16);
    buf.writeUInt8(0, at + 17);
  });
  buf.writeUInt8(0x0d, headerLength - 1);
  features.forEach((feat, r) => {
    let at = headerLength + r * recordLength + 1; // deletion flag ' ' already there
    for (const f of FIELDS) {
      const v = utf8Within(f.get(feat.properties), f.width);
      v.copy(buf, f.type === 'N' ? at + f.width - v.length : at);
      at += f.width;
    }
  });
  buf.writeUInt8(0x1a, buf.length - 1);
  return buf;
}

/** The grids as the parts of a polygon shapefile. */
export function writeShapefile(features: GridFeature[]): ShapefileParts {
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
