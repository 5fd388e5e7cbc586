/**
 * Camera view sectors: a polygon from the camera point spanning `fov` degrees around `bearing` (clockwise
 * from north) out to `range` metres, for drawing what each camera sees. Pure; metres become degrees with a
 * local equirectangular approximation, exact enough for ranges of a few hundred metres.
 */
import type { Feature, FeatureCollection, Point, Polygon, Position } from 'geojson';

const M_PER_DEG_LAT = 111_320;

/** The sector's closed ring: the apex, `steps + 1` points along the arc, the apex again. */
export function sectorRing(lon: number, lat: number, bearing: number, fov: number, rangeM: number, steps = 16): Position[] {
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
  const half = Math.min(Math.max(fov, 1), 360) / 2;
  const ring: Position[] = [[lon, lat]];
  for (let k = 0; k <= steps; k++) {
    const b = ((bearing - half + (2 * half * k) / steps) * Math.PI) / 180;
    ring.push([lon + (rangeM * Math.sin(b)) / mPerDegLon, lat + (rangeM * Math.cos(b)) / M_PER_DEG_LAT]);
  }
  ring.push([lon, lat]);
  return ring;
}

/** Camera points plus one sector polygon per camera (properties.part = 'sector'). */
export function withCameraSectors(fc: FeatureCollection): FeatureCollection {
  const sectors: Feature<Polygon>[] = [];
  for (const f of fc.features) {
    if (f.geometry?.type !== 'Point') continue;
    const [lon, lat] = (f.geometry as Point).coordinates;
    const p = f.properties ?? {};
    const range = Number(p.rangeM);
    if (!Number.isFinite(range) || range <= 0) continue;
    sectors.push({
      type: 'Feature',
      properties: { ...p, part: 'sector' },
      geometry: { type: 'Polygon', coordinates: [sectorRing(lon, lat, Number(p.bearing) || 0, Number(p.fov) || 90, range)] },
    });
  }
  return { ...fc, features: [...sectors, ...fc.features] };
}
