/**
 * Convert a GeoJSON geometry from a declared CRS to WGS-84, refusing positions that cannot belong to that
 * CRS (swapped axes, outside its plausible area) with an error that names the place.
 */
import { WanggeError, type ErrorWhere } from '../errors.ts';
import type { Crs, XY } from './parse-crs.ts';

type Coords = number[] | Coords[];

function convert(c: Coords, crs: Crs, where: ErrorWhere, identity: boolean): Coords {
  if (typeof c[0] === 'number') {
    const p = c as number[];
    if (p.length < 2) throw new WanggeError('bad_feature', `position [${p.join(', ')}] needs two coordinates`, where);
    const [x, y] = p as [number, number];
    const problem = crs.implausible(x, y);
    if (problem) throw new WanggeError('bad_crs', `${problem} (declared CRS ${crs.id})`, where);
    const out = identity ? [x, y] : crs.toWgs84([x, y]);
    if (!Number.isFinite(out[0]) || !Number.isFinite(out[1])) {
      throw new WanggeError('bad_crs', `position [${x}, ${y}] cannot be converted from ${crs.id}`, where);
    }
    return out;
  }
  return (c as Coords[]).map((q) => convert(q, crs, where, identity));
}

/**
 * A copy of `geometry` with every position converted to WGS-84 [lon, lat] (third coordinates dropped).
 * @example transformGeometry({ type: 'Point', coordinates: [116.41, 39.92] }, parseCrs('gcj02'), { file: 'a.csv', line: 2 })
 */
export function transformGeometry<G extends { type: string; coordinates: unknown }>(geometry: G, crs: Crs, where: ErrorWhere): G {
  const identity = crs.id === 'EPSG:4326' || crs.id === 'EPSG:4490';
  return { ...geometry, coordinates: convert(geometry.coordinates as Coords, crs, where, identity) };
}

/** Convert one position, with the same checks. */
export function transformPosition(p: XY, crs: Crs, where: ErrorWhere): XY {
  return transformGeometry({ type: 'Point', coordinates: p }, crs, where).coordinates as XY;
}
