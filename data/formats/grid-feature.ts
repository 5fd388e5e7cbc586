/**
 * What the grid writers (GeoPackage, Shapefile, KML) need of one grid: its code, households, community and
 * the reason it is out of range, and a Polygon or MultiPolygon. A plan's grids as spatial/ gives them
 * (`planFeatureCollection`) carry these and more, so they are written as they are.
 */
import type { PolygonalGeometry } from './wkb.ts';

export interface GridFeatureOut {
  type: 'Feature';
  properties: { code: string; households: number; community: string | null; reason?: string };
  geometry: PolygonalGeometry;
}
