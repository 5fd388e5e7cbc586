/**
 * A small WKB reader (OGC/ISO WKB, with Z/M variants and EWKB flags) to GeoJSON geometries, 2D only, and
 * the GeoPackage binary header in front of it. Enough for GeoPackage feature tables; collections refused.
 */
import { WanggeError, type ErrorWhere } from '../errors.ts';
import type { SourceGeometry } from './layer-records.ts';
import type { Position } from './records.ts';

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
