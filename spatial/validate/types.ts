/**
 * The shapes of a grid layer under validation and of the report: plain values and GeoJSON (WGS-84), so
 * every issue can be drawn on the map.
 */

/** What can be wrong with a grid layer. */
export const ISSUE_KINDS = [
  'invalid_geometry', 'gap', 'overlap', 'sliver', 'outside_jurisdiction', 'non_contiguous', 'crosses_community', 'unit_split',
  'households_out_of_range', 'household_unassigned', 'household_in_two_grids', 'households_mismatch', 'off_street_boundary',
  'duplicate_code', 'bad_code',
] as const;

export type IssueKind = (typeof ISSUE_KINDS)[number];

export interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

/** One located finding. `grids` holds the codes concerned, sorted. */
export interface ValidationIssue {
  kind: IssueKind;
  grids: string[];
  /** where, in WGS-84; null only when the grid has no usable geometry at all */
  geometry: GeoJsonGeometry | null;
  households?: number;
  areaM2?: number;
  lengthM?: number;
  message: string;
}

export interface ValidationSummary {
  jcode: string;
  /** metric CRS of the measurements (UTM zone of the jurisdiction) */
  srid: number;
  grids: number;
  /** households of address points inside the jurisdiction */
  households: number;
  /** households of points inside the jurisdiction lying in no grid */
  unassignedHouseholds: number;
  /** households of points outside the jurisdiction (not part of any check) */
  outsideHouseholds: number;
  /** issue count by kind (every kind present, 0 when none) */
  byKind: Record<IssueKind, number>;
  gapAreaM2: number;
  overlapAreaM2: number;
  /** internal boundary length (each shared stretch once) and the part of it reported off the streets */
  internalBoundaryM: number;
  offStreetM: number;
  /** which coverage check ran */
  coveragePath: 'native' | 'portable';
  /** true where communities are stored (crosses_community and bad_code need them) */
  communities: number;
  seconds: number;
  /** seconds by phase */
  timings: Record<string, number>;
}

export interface ValidationReport {
  ok: boolean;
  summary: ValidationSummary;
  issues: ValidationIssue[];
}

/** A grid as it comes in (FORMAT.md): code, claimed households, optional community and reason. */
export interface GridLayerFeature {
  type: 'Feature';
  properties: { code?: unknown; households?: unknown; community?: unknown; reason?: unknown; [k: string]: unknown } | null;
  geometry: GeoJsonGeometry | null;
}

export interface GridLayer {
  type: 'FeatureCollection';
  features: GridLayerFeature[];
}

/** The jurisdiction a layer is checked against: stored boundary, communities, streets, address points, units. */
export interface ValidateContext {
  jcode: string;
}
