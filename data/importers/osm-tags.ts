/**
 * How OpenStreetMap tags become Wangge records (documented in data/importers/README.md).
 *
 * Streets (one record per way; highway first, then railway, then waterway):
 * | OSM                                                                          | kind        |
 * |------------------------------------------------------------------------------|-------------|
 * | highway=motorway, motorway_link, trunk, trunk_link                           | motorway    |
 * | highway=primary, primary_link                                                | primary     |
 * | highway=secondary, secondary_link                                            | secondary   |
 * | highway=tertiary, tertiary_link                                              | tertiary    |
 * | highway=residential, living_street, unclassified, road                       | residential |
 * | highway=service                                                              | service     |
 * | highway=footway, path, pedestrian, cycleway, steps, track, bridleway, corridor | path      |
 * | waterway=river, canal, stream, drain, ditch                                  | river       |
 * | railway=rail, light_rail, subway, narrow_gauge, tram (not tunnel=yes)        | rail        |
 * Dropped: other highway values (platform, construction, proposed, bus_stop, …), area=yes highways, and
 * railways in tunnels (an underground metro is no boundary on the ground).
 *
 * Residential buildings (become address points):
 * - building=residential, apartments, dormitory, house, detached, semidetached_house, terrace, bungalow,
 *   farm, cabin: always residential.
 * - building=yes: residential unless it carries a non-residential tag (amenity, shop, office, tourism,
 *   leisure, healthcare, public_transport, railway, aeroway, military, religion, craft, man_made, historic,
 *   sport) or lies inside an institution (amenity=university, college, school, kindergarten, hospital):
 *   campus teaching buildings are mostly tagged just building=yes.
 * - every other building value (commercial, school, office, industrial, …) is not residential.
 */
import type { StreetKind } from '../db/schema.ts';

export type Tags = Record<string, string>;

const HIGHWAY: Record<string, StreetKind> = {
  motorway: 'motorway', motorway_link: 'motorway', trunk: 'motorway', trunk_link: 'motorway',
  primary: 'primary', primary_link: 'primary',
  secondary: 'secondary', secondary_link: 'secondary',
  tertiary: 'tertiary', tertiary_link: 'tertiary',
  residential: 'residential', living_street: 'residential', unclassified: 'residential', road: 'residential',
  service: 'service',
  footway: 'path', path: 'path', pedestrian: 'path', cycleway: 'path', steps: 'path', track: 'path', bridleway: 'path', corridor: 'path',
};
const WATERWAY = new Set(['river', 'canal', 'stream', 'drain', 'ditch']);
const RAILWAY = new Set(['rail', 'light_rail', 'subway', 'narrow_gauge', 'tram']);

/** The street kind of a way's tags, or null when the way is not a street, river or rail line. */
export function streetKindForTags(tags: Tags): StreetKind | null {
  const h = tags.highway;
  if (h !== undefined) {
    if (tags.area === 'yes') return null;
    const k = HIGHWAY[h];
    if (k) return k;
  }
  const r = tags.railway;
  if (r !== undefined && RAILWAY.has(r)) return tags.tunnel === 'yes' ? null : 'rail';
  const w = tags.waterway;
  if (w !== undefined && WATERWAY.has(w)) return 'river';
  return null;
}

export const RESIDENTIAL_BUILDINGS: ReadonlySet<string> = new Set([
  'residential', 'apartments', 'dormitory', 'house', 'detached', 'semidetached_house', 'terrace', 'bungalow', 'farm', 'cabin',
]);

export const NON_RESIDENTIAL_KEYS = ['amenity', 'shop', 'office', 'tourism', 'leisure', 'healthcare', 'public_transport', 'railway',
  'aeroway', 'military', 'religion', 'craft', 'man_made', 'historic', 'sport'] as const;

export const INSTITUTION_AMENITIES: ReadonlySet<string> = new Set(['university', 'college', 'school', 'kindergarten', 'hospital']);

/**
 * 'residential', 'maybe' (building=yes without non-residential tags: residential unless inside an
 * institution) or 'no'.
 */
export function buildingClass(tags: Tags): 'residential' | 'maybe' | 'no' {
  const b = tags.building;
  if (b === undefined || b === 'no') return 'no';
  if (RESIDENTIAL_BUILDINGS.has(b)) return 'residential';
  if (b !== 'yes') return 'no';
  return NON_RESIDENTIAL_KEYS.some((k) => tags[k] !== undefined) ? 'no' : 'maybe';
}

/** Is this closed way / multipolygon an institution whose plain buildings are not housing? */
export function isInstitution(tags: Tags): boolean {
  return tags.amenity !== undefined && INSTITUTION_AMENITIES.has(tags.amenity);
}
