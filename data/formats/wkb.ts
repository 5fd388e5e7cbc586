/**
 * Well-Known Binary, read and written.
 * Reader: OGC/ISO WKB (with Z/M variants and EWKB flags) to GeoJSON geometries, 2D only, and the GeoPackage
 * binary header in front of it; enough for GeoPackage feature tables; collections refused.
 * Writer (the grid exports): little-endian Polygon (type 3) and MultiPolygon (type 6), rings written as
 * given; plus the envelope of a polygonal geometry.
 */
import { WanggeError, type ErrorWhere } from '../errors.ts';
import type { SourceGeometry } from '../importers/layer-records.ts';
import type { Position } from '../importers/records.ts';

export type { Position };

class Reader {
  pos: number;
  le = true;
  dims = 2;
  constructor(private view: DataView, start: number) { this.pos = start; }
  u8(): number { return this.view.getUint8(this.pos++); }
  u32(): number { const v = this.view.getUint32(this.pos, this.le); this.pos += 4; return v; }
  f64(): number { const v = this.view.getFloat64(this.pos, this.le); this.pos += 8; return v; }
  point(): Position { const p = [this.f64(), this.f64()]; this.pos += 8 * (this.dims - 2); return p; }
  points(): Position[] { const n = this.u32(); const out: Position[] = []; for (let i = 0; i < n; i++) out.push(this.point()); return out; }
  rings(): Position[][] { const n = this.u32(); const out: Position[][] = []; for (let i = 0; i < n; i++) out.push(this.points()); return out; }
}

function readGeometry(r: Reader, where: ErrorWhere): SourceGeometry | null {
  r.le = r.u8() === 1;
  let t = r.u32();
  let dims = 2;
  if (t & 0x80000000) dims++;
  if (t & 0x40000000) dims++;
  if (t & 0x20000000) r.u32(); // EWKB SRID
  t &= 0x0fffffff;
  if (t >= 3000) { dims = 4; t -= 3000; } else if (t >= 2000) { dims = 3; t -= 2000; } else if (t >= 1000) { dims = 3; t -= 1000; }
  r.dims = dims;
  const sub = () => {
    const g = readGeometry(r, where);
    r.dims = dims;
    return g;
  };
  switch (t) {
    case 1: { const p = r.point(); return Number.isNaN(p[0]) ? null : { type: 'Point', coordinates: p }; }
    case 2: return { type: 'LineString', coordinates: r.points() };
    case 3: return { type: 'Polygon', coordinates: r.rings() };
    case 4: case 5: case 6: {
      const n = r.u32();
      const parts: any[] = [];
      for (let i = 0; i < n; i++) {
        const g = sub();
        if (g) parts.push(g.coordinates);
      }
      return { type: t === 4 ? 'MultiPoint' : t === 5 ? 'MultiLineString' : 'MultiPolygon', coordinates: parts } as SourceGeometry;
    }
    default:
      throw new WanggeError('bad_feature', `WKB geometry type ${t} is not supported (point, line, polygon and their multi forms are)`, where);
  }
}

/** Parse WKB bytes starting at `offset`. */
export function parseWkb(bytes: Uint8Array, where: ErrorWhere, offset = 0): SourceGeometry | null {
  try {
    return readGeometry(new Reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset), where);
  } catch (e) {
    if (e instanceof WanggeError) throw e;
    throw new WanggeError('bad_feature', `geometry is not valid WKB (${(e as Error).message})`, where);
  }
}

const ENVELOPE_BYTES = [0, 32, 48, 48, 64];

/** Parse a GeoPackage geometry blob (GP header + WKB); null for an empty geometry. */
export function parseGpkgGeometry(blob: Uint8Array, where: ErrorWhere): { srsId: number; geometry: SourceGeometry | null } {
  if (blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) throw new WanggeError('bad_feature', 'geometry blob lacks the GeoPackage "GP" header', where);
  const flags = blob[3];
  const le = (flags & 1) === 1;
  const env = (flags >> 1) & 7;
  if (env > 4) throw new WanggeError('bad_feature', `geometry blob has an invalid envelope code ${env}`, where);
  const srsId = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getInt32(4, le);
  if (flags & 0x10) return { srsId, geometry: null };
  return { srsId, geometry: parseWkb(blob, where, 8 + ENVELOPE_BYTES[env]) };
}

// ---- writer ----

export type Rings = Position[][];
export interface PolygonalGeometry { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }

/** The polygons of a Polygon or MultiPolygon, each a list of rings. */
export function polygonsOf(g: PolygonalGeometry): Rings[] {
  if (g.type === 'Polygon') return [g.coordinates as Rings];
  if (g.type === 'MultiPolygon') return g.coordinates as Rings[];
  throw new Error(`not a polygonal geometry: ${(g as { type: string }).type}`);
}

/** [minx, miny, maxx, maxy] of the polygons' positions, or null when there are none. */
export function envelopeOf(polygons: Rings[]): [number, number, number, number] | null {
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  for (const poly of polygons) for (const ring of poly) for (const [x, y] of ring) {
    if (x < minx) minx = x;
    if (x > maxx) maxx = x;
    if (y < miny) miny = y;
    if (y > maxy) maxy = y;
  }
  return minx <= maxx ? [minx, miny, maxx, maxy] : null;
}

const polygonSize = (rings: Rings) => 9 + rings.reduce((n, r) => n + 4 + 16 * r.length, 0);

function writePolygon(buf: Buffer, at: number, rings: Rings): number {
  buf.writeUInt8(1, at);
  buf.writeUInt32LE(3, at + 1);
  buf.writeUInt32LE(rings.length, at + 5);
  let o = at + 9;
  for (const ring of rings) {
    buf.writeUInt32LE(ring.length, o);
    o += 4;
    for (const p of ring) {
      buf.writeDoubleLE(p[0], o);
      buf.writeDoubleLE(p[1], o + 8);
      o += 16;
    }
  }
  return o;
}

/** WKB of one polygon (rings: outer first, then holes). */
export function polygonWkb(rings: Rings): Buffer {
  const buf = Buffer.alloc(polygonSize(rings));
  writePolygon(buf, 0, rings);
  return buf;
}

/** WKB of a multipolygon. */
export function multiPolygonWkb(polygons: Rings[]): Buffer {
  const buf = Buffer.alloc(9 + polygons.reduce((n, p) => n + polygonSize(p), 0));
  buf.writeUInt8(1, 0);
  buf.writeUInt32LE(6, 1);
  buf.writeUInt32LE(polygons.length, 5);
  let o = 9;
  for (const p of polygons) o = writePolygon(buf, o, p);
  return buf;
}

/** WKB of a GeoJSON Polygon or MultiPolygon, keeping its type. */
export function geometryWkb(g: PolygonalGeometry): Buffer {
  return g.type === 'Polygon' ? polygonWkb(g.coordinates as Rings) : multiPolygonWkb(polygonsOf(g));
}
