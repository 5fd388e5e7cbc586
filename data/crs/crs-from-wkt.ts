/**
 * Recognise the CRS of a Shapefile .prj (ESRI WKT) or GeoPackage srs definition: WGS-84, CGCS2000, the
 * CGCS2000 Gauss-Krüger zones, Web Mercator and WGS-84 UTM. Returns null for anything else (the caller then
 * asks for --crs) instead of guessing.
 */
import { gaussKrugerEpsg } from './gauss-kruger.ts';
import { parseCrs, type Crs } from './parse-crs.ts';

function param(wkt: string, name: string): number | null {
  const m = new RegExp(`PARAMETER\\s*\\[\\s*"${name}"\\s*,\\s*(-?[\\d.eE+]+)`, 'i').exec(wkt);
  return m ? Number(m[1]) : null;
}

/**
 * The CRS a WKT string describes, or null when it is not one Wangge knows.
 * @example crsFromWkt('PROJCS["CGCS2000_3_Degree_GK_CM_114E",…]')?.id // 'EPSG:4547'
 */
export function crsFromWkt(wkt: string): Crs | null {
  const w = wkt.trim();
  if (!w) return null;
  // a top-level authority (OGC WKT) names the code directly: the last AUTHORITY in the string
  const auth = [...w.matchAll(/AUTHORITY\s*\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]/gi)].pop();
  const isProjected = /^PROJCS|^PROJCRS/i.test(w);
  if (auth && w.trimEnd().endsWith(`${auth[0]}]`)) {
    try {
      return parseCrs(`EPSG:${auth[1]}`);
    } catch {
      /* fall through to name matching */
    }
  }
  const upper = w.toUpperCase();
  const cgcs = /CGCS|CHINA_GEODETIC|CHINA GEODETIC|CHINA_2000/.test(upper);
  if (!isProjected) {
    if (cgcs) return parseCrs('EPSG:4490');
    if (/WGS[ _]?(19)?84/.test(upper)) return parseCrs('EPSG:4326');
    return null;
  }
  const name = /^PROJCS\s*\[\s*"([^"]*)"/i.exec(w)?.[1] ?? '';
  if (cgcs && /TRANSVERSE_MERCATOR|GAUSS/.test(upper)) {
    const lon0 = param(w, 'central_meridian');
    const fe = param(w, 'false_easting');
    if (lon0 === null || fe === null) return null;
    const width: 3 | 6 = /3_DEGREE|3 DEGREE|3-DEGREE/i.test(name) || (lon0 % 6 !== 3) ? 3 : 6;
    const code = gaussKrugerEpsg(width, lon0, fe > 1_000_000);
    return code ? parseCrs(`EPSG:${code}`) : null;
  }
  if (/MERCATOR_AUXILIARY_SPHERE|PSEUDO[_-]MERCATOR|WEB_MERCATOR/.test(upper)) return parseCrs('EPSG:3857');
  const utm = /WGS_1984_UTM_ZONE_(\d+)([NS])/i.exec(name) ?? /WGS 84 \/ UTM ZONE (\d+)([NS])/i.exec(name);
  if (utm) return parseCrs(`EPSG:${(utm[2].toUpperCase() === 'N' ? 32600 : 32700) + Number(utm[1])}`);
  return null;
}
