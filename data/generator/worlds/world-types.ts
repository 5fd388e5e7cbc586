/**
 * Types of the random test worlds (partition problems, ../shared/FORMAT.md): the public `World` (plain GeoJSON
 * layers in WGS-84 lon/lat, coordinates rounded to 1e-7°) and the design-space shapes the generator builds
 * them from (metres on a local plane, x east, y north, origin at the town centre).
 */

export type WorldKind = 'grid-city' | 'organic' | 'village' | 'old-town' | 'mixed' | 'real-streets';

/** Every kind, the one reading real streets last. */
export const WORLD_KINDS: readonly WorldKind[] = ['grid-city', 'organic', 'village', 'old-town', 'mixed', 'real-streets'];
/** The kinds that need no external data; `generateWorld` draws from these when no kind is asked for. */
export const SYNTHETIC_KINDS: readonly WorldKind[] = ['grid-city', 'organic', 'village', 'old-town', 'mixed'];

export type StreetKind = 'motorway' | 'primary' | 'secondary' | 'tertiary' | 'residential' | 'service' | 'path' | 'river' | 'rail';

export type Position = [number, number];
export interface PointGeometry { type: 'Point'; coordinates: Position }
export interface LineStringGeometry { type: 'LineString'; coordinates: Position[] }
export interface PolygonGeometry { type: 'Polygon'; coordinates: Position[][] }
export interface MultiPolygonGeometry { type: 'MultiPolygon'; coordinates: Position[][][] }

export interface Feature<G, P> { type: 'Feature'; properties: P; geometry: G }
export interface FeatureCollection<G, P> { type: 'FeatureCollection'; features: Feature<G, P>[] }

export interface BoundaryProps { code: string; name: string }
export interface StreetProps { kind: StreetKind; name?: string }
export interface HouseholdProps { households: number; id: number }
export interface CommunityProps { code: string; name: string; kind: 'community' | 'village' }
export type UnitKind = 'school' | 'enterprise' | 'compound' | 'hospital';
export interface UnitProps { code: string; name: string; kind: UnitKind; dedicated: boolean }

export interface WorldOptions {
  /** world kind; drawn from the seed among SYNTHETIC_KINDS when absent */
  kind?: WorldKind;
  /** households inside the jurisdiction; drawn log-uniformly 3,000-80,000 when absent */
  households?: number;
}

export interface CommunityTotal { code: string; name: string; households: number; parts: number }
export interface UnitTotal { code: string; kind: UnitKind; dedicated: boolean; households: number; straddles: boolean }

/** What the generator drew and what it built (all counts refer to the written layers). */
export interface WorldMeta {
  generator: string;
  seed: number;
  kind: WorldKind;
  /** the shared data set a real-streets world was laid on */
  source?: string;
  origin: Position;
  utmZone: number;
  /** design extent of the jurisdiction before shaping, metres [width, height] */
  sizeM: [number, number];
  rotationDeg: number;
  /** 'rectangle': a lon/lat-aligned rectangle (plain towns), 'shaped': rotated / bent / irregular, 'real': the real boundary */
  outline: 'rectangle' | 'shaped' | 'real';
  /** amplitude factor of the non-rectangular outline (0 = a plain rotated rectangle) */
  outlineIrregularity: number;
  /** largest slope of the smooth warp that bends streets */
  warp: number;
  households: number;
  points: number;
  householdsOutside: number;
  pointsOutside: number;
  /** `properties.id` of the points placed outside the jurisdiction */
  outsideIds: number[];
  /** relative weight of each block type (tower, walkup, villa, address, mixed, old, hamlet) */
  densityMix: Record<string, number>;
  /** kind-specific drawn parameters (block spacing, missing-street share, …) */
  params: Record<string, number | string | boolean | number[]>;
  emptyBlocks: number;
  blocks: number;
  indivisible: { id: number; households: number }[];
  streets: { features: number; byKind: Record<string, number>; gaps: number; duplicates: number; deadEnds: number; missingSegments: number };
  communities: null | { targets: number[]; params: Record<string, number>; totals: CommunityTotal[]; exclaves: number };
  units: null | { totals: UnitTotal[]; shrunk: number };
}

export interface World {
  name: string;
  kind: WorldKind;
  params: { min: 400; max: 600 };
  boundary: FeatureCollection<PolygonGeometry, BoundaryProps>;
  streets: FeatureCollection<LineStringGeometry, StreetProps>;
  households: FeatureCollection<PointGeometry, HouseholdProps>;
  communities?: FeatureCollection<PolygonGeometry | MultiPolygonGeometry, CommunityProps>;
  units?: FeatureCollection<PolygonGeometry, UnitProps>;
  meta: WorldMeta;
}

// ---- design space (metres, local plane) ----

/** A street, river or rail polyline in design metres: flat [x0, y0, x1, y1, …]. */
export interface DStreet {
  kind: StreetKind;
  name?: string;
  pts: number[];
  deadEnd?: boolean;
}

export type Zone = 'core' | 'suburb' | 'field';

/** A street block in design metres: a convex ring (flat, counter-clockwise, not closed). */
export interface DBlock {
  ring: number[];
  zone: Zone;
}

/** Axis-aligned rectangle in design metres. */
export interface Rect { x0: number; y0: number; x1: number; y1: number }

/** The street layer of a world in design space, plus what its builder drew. */
export interface StreetPlan {
  streets: DStreet[];
  blocks: DBlock[];
  /** design lines a community outline may follow at an offset: [axis (0 = x = c, 1 = y = c), c] */
  followLines: [0 | 1, number][];
  missingSegments: number;
  deadEnds: number;
  /** run ends stopped 0.5-3 m short of the street they meet */
  gaps: number;
}
