/**
 * The typed records every format reader produces, whatever the file: what `importFile` writes in one
 * transaction. Geometries are GeoJSON in WGS-84 [lon, lat]; `where` names the source place of each record
 * (file + feature index or CSV line) so that a check done later, in the database, can still name it.
 */
import type { ErrorWhere } from '../errors.ts';
import type { StreetKind } from '../db/schema.ts';

export const LAYERS = ['streets', 'address_points', 'units', 'communities', 'hazards', 'cameras'] as const;
export type Layer = (typeof LAYERS)[number];

export type Position = number[];
export interface PointGeometry { type: 'Point'; coordinates: Position }
export interface LineGeometry { type: 'LineString'; coordinates: Position[] }
export interface MultiPolygonGeometry { type: 'MultiPolygon'; coordinates: Position[][][] }
export type HazardGeometry = PointGeometry | LineGeometry | MultiPolygonGeometry | { type: 'Polygon'; coordinates: Position[][] };

export interface StreetRecord { kind: StreetKind; name: string | null; sourceId: string | null; geom: LineGeometry; where: ErrorWhere }
export interface AddressPointRecord {
  households: number; name: string | null; address: string | null; buildingKind: string | null; levels: number | null;
  sourceId: string | null; geom: PointGeometry; where: ErrorWhere;
}
export interface UnitRecord { code: string; name: string | null; kind: string | null; dedicated: boolean; geom: MultiPolygonGeometry; where: ErrorWhere }
export interface CommunityRecord {
  code: string; name: string; level: 'township' | 'community'; parentCode: string | null; households: number | null;
  geom: MultiPolygonGeometry; where: ErrorWhere;
}
export interface HazardRecord {
  kind: string; severity: number; status: 'open' | 'handling' | 'closed'; description: string | null; reportedAt: string | null;
  geom: HazardGeometry; where: ErrorWhere;
}
export interface CameraRecord { code: string; name: string | null; bearing: number; fov: number; rangeM: number; geom: PointGeometry; where: ErrorWhere }

export interface ImportRecords {
  streets: StreetRecord[];
  addressPoints: AddressPointRecord[];
  units: UnitRecord[];
  communities: CommunityRecord[];
  hazards: HazardRecord[];
  cameras: CameraRecord[];
}

/** An empty set of records. */
export function emptyRecords(): ImportRecords {
  return { streets: [], addressPoints: [], units: [], communities: [], hazards: [], cameras: [] };
}

/** The layers that hold at least one record. */
export function layersIn(r: ImportRecords): Layer[] {
  const out: Layer[] = [];
  if (r.streets.length) out.push('streets');
  if (r.addressPoints.length) out.push('address_points');
  if (r.units.length) out.push('units');
  if (r.communities.length) out.push('communities');
  if (r.hazards.length) out.push('hazards');
  if (r.cameras.length) out.push('cameras');
  return out;
}
