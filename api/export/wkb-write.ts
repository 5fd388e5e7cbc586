/**
 * Well-Known Binary writer for the grid exports: little-endian Polygon (type 3) and MultiPolygon (type 6),
 * rings written as given; plus the envelope of a polygonal geometry.
 */

export type Position = number[];
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
