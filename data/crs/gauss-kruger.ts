/**
 * The CGCS2000 Gauss-Krüger projections used for Chinese survey data, written as proj4 definitions from
 * their EPSG parameters (transverse Mercator on the CGCS2000 ellipsoid, scale 1, false northing 0):
 *
 * | EPSG       | zones                    | central meridian         | false easting            |
 * |------------|--------------------------|--------------------------|--------------------------|
 * | 4491–4501  | 6° zones 13–23           | 6·zone − 3 (75°E…135°E)  | zone·1 000 000 + 500 000 |
 * | 4502–4512  | 6° "CM 75E" … "CM 135E"  | 75 + 6·(code − 4502)     | 500 000                  |
 * | 4513–4533  | 3° zones 25–45           | 3·zone (75°E…135°E)      | zone·1 000 000 + 500 000 |
 * | 4534–4554  | 3° "CM 75E" … "CM 135E"  | 75 + 3·(code − 4534)     | 500 000                  |
 *
 * EPSG declares these with northing first; files (Shapefile, GeoPackage, CSV x/y) store x = easting,
 * y = northing, and so does Wangge.
 */

export interface GaussKrugerZone {
  epsg: number;
  /** 3 or 6 (degrees of longitude) */
  width: 3 | 6;
  /** the zone number when the false easting carries it (zone·10⁶ + 500 000), else null */
  zone: number | null;
  /** central meridian, degrees east */
  lon0: number;
  falseEasting: number;
  name: string;
  proj4: string;
}

/** CGCS2000 ellipsoid (GRS 80 axes; flattening 1/298.257222101). */
const ELLIPSOID = '+a=6378137 +rf=298.257222101';

/** The Gauss-Krüger zone for an EPSG code in 4491–4554, or null for any other code. */
export function gaussKrugerZone(epsg: number): GaussKrugerZone | null {
  if (!Number.isInteger(epsg)) return null;
  let width: 3 | 6;
  let zone: number | null = null;
  let lon0: number;
  if (epsg >= 4491 && epsg <= 4501) {
    width = 6; zone = epsg - 4478; lon0 = 6 * zone - 3;
  } else if (epsg >= 4502 && epsg <= 4512) {
    width = 6; lon0 = 75 + 6 * (epsg - 4502);
  } else if (epsg >= 4513 && epsg <= 4533) {
    width = 3; zone = epsg - 4488; lon0 = 3 * zone;
  } else if (epsg >= 4534 && epsg <= 4554) {
    width = 3; lon0 = 75 + 3 * (epsg - 4534);
  } else {
    return null;
  }
  const falseEasting = zone === null ? 500_000 : zone * 1_000_000 + 500_000;
  const name = zone === null
    ? `CGCS2000 / ${width === 3 ? '3-degree ' : ''}Gauss-Kruger CM ${lon0}E`
    : `CGCS2000 / ${width === 3 ? '3-degree ' : ''}Gauss-Kruger zone ${zone}`;
  const proj4 = `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${falseEasting} +y_0=0 ${ELLIPSOID} +units=m +no_defs +type=crs`;
  return { epsg, width, zone, lon0, falseEasting, name, proj4 };
}

/** The EPSG code of the Gauss-Krüger CRS with this width, central meridian and prefix choice, or null. */
export function gaussKrugerEpsg(width: 3 | 6, lon0: number, withZonePrefix: boolean): number | null {
  for (let code = 4491; code <= 4554; code++) {
    const z = gaussKrugerZone(code)!;
    if (z.width === width && z.lon0 === lon0 && (z.zone !== null) === withZonePrefix) return code;
  }
  return null;
}
