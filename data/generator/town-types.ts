/**
 * The shape of a generated sample town: plain data (GeoJSON geometries in WGS-84, lon/lat rounded to 1e-7°)
 * so it can be written as a problem directory or loaded into the database. Residents are not stored here:
 * they are derived on demand per building (see residents.ts), so a 1.5M-household town stays small.
 */
import type { StreetKind } from '../db/schema.ts';

export type Position = [number, number];
export interface PolygonGeometry { type: 'Polygon'; coordinates: Position[][] }
export interface MultiPolygonGeometry { type: 'MultiPolygon'; coordinates: Position[][][] }
export interface PointGeometry { type: 'Point'; coordinates: Position }

export type BuildingKind = 'villa' | 'walkup' | 'midrise' | 'tower' | 'village_house';

export interface TownOptions {
  /** households wanted, 5,000 to 1,500,000 (the total matches within ±0.1%, usually exactly) */
  households: number;
  seed: number;
  /** county name (default 示范县) */
  name?: string;
  /** 12-digit county code (default 370199000000, fictitious) */
  code?: string;
}

export interface TownTownship {
  code: string;
  name: string;
  kind: 'street' | 'town';
  households: number;
  geom: MultiPolygonGeometry;
}

export interface TownCommunity {
  code: string;
  name: string;
  townshipCode: string;
  kind: 'community' | 'village';
  households: number;
  geom: MultiPolygonGeometry;
}

export interface TownStreet {
  kind: StreetKind;
  name: string;
  coordinates: Position[];
  /** true for a deliberate dead end (cul-de-sac, service spur, path) */
  deadEnd: boolean;
}

export interface TownBuilding {
  /** index in `Town.buildings`, stable for a given seed */
  id: number;
  households: number;
  kind: BuildingKind;
  levels: number;
  name: string;
  address: string;
  communityCode: string;
  /** the generator's own street block (cells joined where a street was left out) */
  block: number;
  position: Position;
}

export interface TownUnit {
  code: string;
  name: string;
  kind: 'school' | 'enterprise' | 'compound' | 'hospital';
  dedicated: boolean;
  geom: PolygonGeometry;
}

export interface TownHazard {
  kind: 'fire' | 'building_safety' | 'flood' | 'traffic' | 'gas';
  severity: number;
  status: 'open' | 'handling' | 'closed';
  description: string;
  reportedAt: string;
  geom: PointGeometry | PolygonGeometry;
}

export interface TownCamera {
  code: string;
  name: string;
  bearing: number;
  fov: number;
  rangeM: number;
  position: Position;
}

export interface TownTrack {
  worker: string;
  phone: string;
  /** YYYY-MM-DD */
  day: string;
  /** ISO timestamp with +08:00 offset */
  startedAt: string;
  /** seconds since startedAt, one per coordinate */
  times: number[];
  coordinates: Position[];
}

export type OverlayLayerName = 'party_building' | 'security' | 'economic';

export interface TownOverlayZone {
  code: string;
  name: string;
  person: string;
  phone: string;
  geom: PolygonGeometry;
}

export interface TownOverlay {
  layer: OverlayLayerName;
  title: string;
  department: string;
  zones: TownOverlayZone[];
}

export interface TownBlockStat {
  id: number;
  cells: number;
  households: number;
  communityCode: string;
}

export interface Town {
  name: string;
  code: string;
  seed: number;
  requested: number;
  /** total households of all buildings */
  households: number;
  params: { min: number; max: number };
  /** reference point (lon, lat) the local metric frame is centred on */
  origin: Position;
  boundary: MultiPolygonGeometry;
  townships: TownTownship[];
  communities: TownCommunity[];
  streets: TownStreet[];
  buildings: TownBuilding[];
  units: TownUnit[];
  hazards: TownHazard[];
  cameras: TownCamera[];
  tracks: TownTrack[];
  overlays: TownOverlay[];
  /** the generator's street blocks (before river/rail cuts), for tests and reports */
  blocks: TownBlockStat[];
}
