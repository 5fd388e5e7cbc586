/**
 * Coordinate reference systems an import may declare (`--crs`), each able to convert a position to WGS-84
 * lon/lat and to say when a position cannot belong to it (swapped axes, outside its plausible area).
 *
 * - WGS-84 (default): `wgs84`, `EPSG:4326`, `CRS84`.
 * - CGCS2000 geographic: `cgcs2000`, `EPSG:4490`; kept as is (within centimetres of WGS-84), China only.
 * - GCJ-02 (`gcj02`, Amap/Tencent) and BD-09 (`bd09`, Baidu): converted with gcoord; China only.
 * - CGCS2000 Gauss-Krüger 3° and 6° zones, with and without the zone prefix: `EPSG:4491` … `EPSG:4554`
 *   (see gauss-kruger.ts), converted with proj4.
 * - Web Mercator `EPSG:3857` and WGS-84 UTM `EPSG:326NN` / `EPSG:327NN`, converted with proj4.
 * Anything else: WanggeError bad_crs naming the value.
 */
import gcoordModule from 'gcoord';
import proj4 from 'proj4';
import { WanggeError } from '../errors.ts';
import { gaussKrugerEpsg, gaussKrugerZone } from './gauss-kruger.ts';

// gcoord is CommonJS: under Node its default import is module.exports, under a bundler the ESM default.
const gcoord = ((gcoordModule as any).default ?? gcoordModule) as typeof gcoordModule.default;

export type CrsKind = 'geographic' | 'gcj02' | 'bd09' | 'projected';
export type XY = [number, number];

export interface Crs {
  /** canonical identifier: EPSG:4326, EPSG:4490, GCJ-02, BD-09, EPSG:4547 … */
  id: string;
  name: string;
  kind: CrsKind;
  /** WGS-84 [lon, lat] of a position given in this CRS (check `implausible` first). */
  toWgs84(p: XY): XY;
  /** The position in this CRS of a WGS-84 [lon, lat] (for tests and exports). */
  fromWgs84(p: XY): XY;
  /** Why [x, y] cannot be a position in this CRS (swapped axes, outside its area), or null when plausible. */
  implausible(x: number, y: number): string | null;
}

/** The bounding box in which GCJ-02 is defined (the one gcoord uses), also used as "China" for CGCS2000. */
export const CHINA_BBOX = { minLon: 72.004, maxLon: 137.8347, minLat: 0.8293, maxLat: 55.8271 } as const;

/** Is [lon, lat] inside the China bounding box? */
export function inChina(lon: number, lat: number): boolean {
  return lon >= CHINA_BBOX.minLon && lon <= CHINA_BBOX.maxLon && lat >= CHINA_BBOX.minLat && lat <= CHINA_BBOX.maxLat;
}

const fmt = (x: number, y: number) => `[${x}, ${y}]`;

/** Plausibility of a geographic position; `china` restricts it to the China bounding box. */
function geographicProblem(x: number, y: number, label: string, china: boolean): string | null {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return `position ${fmt(x, y)} is not a pair of finite numbers`;
  const swappedFits = Math.abs(y) <= 180 && Math.abs(x) <= 90;
  const swappedInChina = inChina(y, x);
  if (Math.abs(x) > 180 || Math.abs(y) > 90) {
    if (swappedFits) return `position ${fmt(x, y)} looks like latitude, longitude (swapped axes); ${label} positions are [longitude, latitude]`;
    return `position ${fmt(x, y)} is not longitude/latitude in degrees; projected data need --crs (e.g. EPSG:4547 for CGCS2000 3-degree Gauss-Kruger CM 114E)`;
  }
  if (china && !inChina(x, y)) {
    if (swappedInChina) return `position ${fmt(x, y)} looks like latitude, longitude (swapped axes); ${label} positions are [longitude, latitude]`;
    return `position ${fmt(x, y)} lies outside China, where ${label} is defined`;
  }
  // Nobody draws grids near the poles: a "latitude" above 85° whose swap lands in China is a swap.
  if (Math.abs(y) > 85 && swappedInChina) return `position ${fmt(x, y)} looks like latitude, longitude (swapped axes); ${label} positions are [longitude, latitude]`;
  return null;
}

const WGS84: Crs = {
  id: 'EPSG:4326',
  name: 'WGS-84',
  kind: 'geographic',
  toWgs84: (p) => [p[0], p[1]],
  fromWgs84: (p) => [p[0], p[1]],
  implausible: (x, y) => geographicProblem(x, y, 'WGS-84', false),
};

const CGCS2000: Crs = {
  id: 'EPSG:4490',
  name: 'CGCS2000',
  kind: 'geographic',
  toWgs84: (p) => [p[0], p[1]],
  fromWgs84: (p) => [p[0], p[1]],
  implausible: (x, y) => geographicProblem(x, y, 'CGCS2000', true),
};

const GCJ02: Crs = {
  id: 'GCJ-02',
  name: 'GCJ-02 (Amap, Tencent)',
  kind: 'gcj02',
  toWgs84: (p) => gcoord.transform([p[0], p[1]], gcoord.GCJ02, gcoord.WGS84) as XY,
  fromWgs84: (p) => gcoord.transform([p[0], p[1]], gcoord.WGS84, gcoord.GCJ02) as XY,
  implausible: (x, y) => geographicProblem(x, y, 'GCJ-02', true),
};

const BD09: Crs = {
  id: 'BD-09',
  name: 'BD-09 (Baidu)',
  kind: 'bd09',
  toWgs84: (p) => gcoord.transform([p[0], p[1]], gcoord.BD09, gcoord.WGS84) as XY,
  fromWgs84: (p) => gcoord.transform([p[0], p[1]], gcoord.WGS84, gcoord.BD09) as XY,
  implausible: (x, y) => geographicProblem(x, y, 'BD-09', true),
};

function projected(id: string, name: string, def: string, problem: (x: number, y: number) => string | null): Crs {
  const conv = proj4(def, 'EPSG:4326');
  return {
    id, name, kind: 'projected',
    toWgs84: (p) => conv.forward([p[0], p[1]]) as XY,
    fromWgs84: (p) => conv.inverse([p[0], p[1]]) as XY,
    implausible: (x, y) => (!Number.isFinite(x) || !Number.isFinite(y) ? `position ${fmt(x, y)} is not a pair of finite numbers` : problem(x, y)),
  };
}

/** Northing of China in a transverse Mercator or UTM zone: about 0.4–6.0 million metres. */
const NORTHING = { min: 0, max: 6_200_000 };

function gaussKruger(epsg: number): Crs | null {
  const z = gaussKrugerZone(epsg);
  if (!z) return null;
  // Half the zone width plus 1° of slack, in metres at the equator: data spill over zone edges a little.
  const reach = (z.width / 2 + 1) * 111_320;
  const eastingOk = (e: number) => Math.abs(e - z.falseEasting) <= reach;
  const northingOk = (n: number) => n >= NORTHING.min && n <= NORTHING.max;
  const id = `EPSG:${epsg}`;
  return projected(id, z.name, z.proj4, (x, y) => {
    if (eastingOk(x) && northingOk(y)) return null;
    if (eastingOk(y) && northingOk(x)) {
      return `position ${fmt(x, y)} looks like northing, easting (swapped axes); give x = easting, y = northing for ${id}`;
    }
    if (northingOk(y)) {
      const prefix = Math.floor(x / 1_000_000);
      if (z.zone !== null && Math.abs(x - 500_000) <= reach) {
        const alt = gaussKrugerEpsg(z.width, z.lon0, false);
        return `easting ${x} lacks the zone prefix ${z.zone} that ${id} (${z.name}) expects${alt ? `; without the prefix it is EPSG:${alt}` : ''}`;
      }
      if (z.zone === null && prefix >= 13 && prefix <= 45 && Math.abs(x - prefix * 1_000_000 - 500_000) <= reach) {
        return `easting ${x} carries a zone prefix ${prefix}, but ${id} (${z.name}) has none; declare the zone-prefixed CRS instead`;
      }
      return `easting ${x} is outside ${id} (${z.name}: ${z.falseEasting - Math.round(reach)}…${z.falseEasting + Math.round(reach)})`;
    }
    return `northing ${y} is outside the plausible range of ${id} (${NORTHING.min}…${NORTHING.max} m)`;
  });
}

function utm(epsg: number): Crs | null {
  const north = epsg >= 32601 && epsg <= 32660;
  const south = epsg >= 32701 && epsg <= 32760;
  if (!north && !south) return null;
  const zone = epsg - (north ? 32600 : 32700);
  const def = `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs +type=crs`;
  const id = `EPSG:${epsg}`;
  const eOk = (e: number) => e >= 0 && e <= 1_000_000;
  const nOk = (n: number) => n >= 0 && n <= 10_000_000;
  return projected(id, `WGS 84 / UTM zone ${zone}${north ? 'N' : 'S'}`, def, (x, y) => {
    if (eOk(x) && nOk(y)) return null;
    if (eOk(y) && nOk(x)) return `position ${fmt(x, y)} looks like northing, easting (swapped axes); give x = easting, y = northing for ${id}`;
    return `position ${fmt(x, y)} is outside ${id} (easting 0…1000000, northing 0…10000000 m)`;
  });
}

const WEB_MERCATOR_MAX = 20_037_508.342789244;
const WEB_MERCATOR = projected('EPSG:3857', 'WGS 84 / Pseudo-Mercator', 'EPSG:3857', (x, y) =>
  (Math.abs(x) <= WEB_MERCATOR_MAX && Math.abs(y) <= WEB_MERCATOR_MAX ? null : `position ${fmt(x, y)} is outside EPSG:3857 (±${Math.round(WEB_MERCATOR_MAX)} m)`));

const ALIASES: Record<string, Crs> = {
  wgs84: WGS84, 'wgs-84': WGS84, wgs1984: WGS84, crs84: WGS84, 'epsg:4326': WGS84, 'ogc:crs84': WGS84, 'ogc:1.3:crs84': WGS84,
  cgcs2000: CGCS2000, 'epsg:4490': CGCS2000,
  gcj02: GCJ02, 'gcj-02': GCJ02, gcj: GCJ02, amap: GCJ02,
  bd09: BD09, 'bd-09': BD09, bd09ll: BD09, baidu: BD09,
  'epsg:3857': WEB_MERCATOR, 'epsg:900913': WEB_MERCATOR, webmercator: WEB_MERCATOR,
};

/**
 * The CRS named by `value` (case-insensitive; also `urn:ogc:def:crs:EPSG::4547`, `EPSG::4547`, `4547`);
 * WGS-84 when `value` is empty. Unknown: WanggeError bad_crs naming the value and what is accepted.
 * @example parseCrs('EPSG:4547').toWgs84([500000, 4428236]) // ≈ [114, 40]
 */
export function parseCrs(value?: string | null): Crs {
  if (value === undefined || value === null || value.trim() === '') return WGS84;
  let v = value.trim().toLowerCase().replace(/\s+/g, '');
  v = v.replace(/^urn:ogc:def:crs:/, '').replace(/^epsg:[^:]*:/, 'epsg:').replace(/^epsg::/, 'epsg:');
  if (/^\d+$/.test(v)) v = `epsg:${v}`;
  const known = ALIASES[v];
  if (known) return known;
  const m = /^epsg:(\d+)$/.exec(v);
  if (m) {
    const code = Number(m[1]);
    const c = gaussKruger(code) ?? utm(code);
    if (c) return c;
  }
  throw new WanggeError('bad_crs',
    `unknown coordinate system ${JSON.stringify(value)}: use wgs84, cgcs2000 (EPSG:4490), gcj02, bd09, EPSG:4491…EPSG:4554 (CGCS2000 Gauss-Kruger), EPSG:3857 or EPSG:326NN (UTM)`,
    { parameter: 'crs' });
}
