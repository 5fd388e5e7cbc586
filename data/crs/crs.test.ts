import { describe, expect, it } from 'vitest';
import * as turf from '@turf/turf';
import { WanggeError } from '../errors.ts';
import { parseCrs } from './parse-crs.ts';
import { gaussKrugerZone, gaussKrugerEpsg } from './gauss-kruger.ts';
import { crsFromWkt } from './crs-from-wkt.ts';
import { transformGeometry } from './transform-geometry.ts';

const metres = (a: number[], b: number[]) => turf.distance(a, b, { units: 'meters' });

function thrown(fn: () => unknown): WanggeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WanggeError) return e;
    throw e;
  }
  throw new Error('expected a WanggeError');
}

describe('parseCrs', () => {
  it('knows the aliases', () => {
    expect(parseCrs().id).toBe('EPSG:4326');
    expect(parseCrs('WGS84').id).toBe('EPSG:4326');
    expect(parseCrs('urn:ogc:def:crs:OGC:1.3:CRS84').id).toBe('EPSG:4326');
    expect(parseCrs('cgcs2000').id).toBe('EPSG:4490');
    expect(parseCrs('EPSG:4490').id).toBe('EPSG:4490');
    expect(parseCrs('gcj02').id).toBe('GCJ-02');
    expect(parseCrs('BD-09').id).toBe('BD-09');
    expect(parseCrs('EPSG:4547').name).toBe('CGCS2000 / 3-degree Gauss-Kruger CM 114E');
    expect(parseCrs('urn:ogc:def:crs:EPSG::4527').name).toBe('CGCS2000 / 3-degree Gauss-Kruger zone 39');
    expect(parseCrs('4499').name).toBe('CGCS2000 / Gauss-Kruger zone 21');
    expect(parseCrs('EPSG:32650').id).toBe('EPSG:32650');
  });

  it('refuses an unknown CRS naming the value', () => {
    for (const v of ['EPSG:9999', 'beijing54', 'EPSG:4555']) {
      const e = thrown(() => parseCrs(v));
      expect(e.code).toBe('bad_crs');
      expect(e.message).toContain(JSON.stringify(v));
      expect(e.where.parameter).toBe('crs');
    }
  });
});

describe('Gauss-Krüger zones', () => {
  it('follows the EPSG numbering', () => {
    expect(gaussKrugerZone(4491)).toMatchObject({ width: 6, zone: 13, lon0: 75, falseEasting: 13_500_000 });
    expect(gaussKrugerZone(4512)).toMatchObject({ width: 6, zone: null, lon0: 135, falseEasting: 500_000 });
    expect(gaussKrugerZone(4513)).toMatchObject({ width: 3, zone: 25, lon0: 75, falseEasting: 25_500_000 });
    expect(gaussKrugerZone(4533)).toMatchObject({ width: 3, zone: 45, lon0: 135 });
    expect(gaussKrugerZone(4534)).toMatchObject({ width: 3, zone: null, lon0: 75 });
    expect(gaussKrugerZone(4547)).toMatchObject({ width: 3, zone: null, lon0: 114 });
    expect(gaussKrugerZone(4554)).toMatchObject({ width: 3, zone: null, lon0: 135 });
    expect(gaussKrugerZone(4490)).toBeNull();
    expect(gaussKrugerEpsg(3, 117, true)).toBe(4527);
    expect(gaussKrugerEpsg(3, 117, false)).toBe(4548);
  });

  it('round-trips WGS-84 → zone → WGS-84 within a millimetre, and the central meridian maps to the false easting', () => {
    const cases: [string, number[]][] = [['EPSG:4547', [116.3205, 39.9987]], ['EPSG:4527', [116.9, 39.1]], ['EPSG:4502', [76.1, 39.5]], ['EPSG:4499', [121.47, 31.23]]];
    for (const [code, p] of cases) {
      const crs = parseCrs(code);
      const xy = crs.fromWgs84(p as [number, number]);
      expect(crs.implausible(xy[0], xy[1])).toBeNull();
      const back = crs.toWgs84(xy);
      expect(metres(back, p)).toBeLessThan(0.001);
    }
    const onMeridian = parseCrs('EPSG:4547').fromWgs84([114, 30]);
    expect(onMeridian[0]).toBeCloseTo(500_000, 3);
    // 30°N lies 3 321 km from the equator along the GRS80 meridian (arc length 3 320 113 m)
    expect(Math.abs(onMeridian[1] - 3_320_113)).toBeLessThan(5);
  });

  it('refuses swapped axes, a missing or extra zone prefix, and out-of-zone eastings', () => {
    const crs = parseCrs('EPSG:4547');
    const [e, n] = crs.fromWgs84([116.32, 39.99]);
    expect(crs.implausible(n, e)).toMatch(/swapped/);
    expect(parseCrs('EPSG:4527').implausible(e, n)).toMatch(/lacks the zone prefix 39.*EPSG:4548/);
    expect(crs.implausible(38_000_000 + e, n)).toMatch(/carries a zone prefix 38/);
    expect(crs.implausible(1_500_000, n)).toMatch(/easting 1500000 is outside EPSG:4547/);
  });
});

describe('GCJ-02 and BD-09', () => {
  // Reference pairs published with wandergis/coordtransform (also used by hutool's tests).
  const WGS = [116.404, 39.915];
  const GCJ_OF_WGS = [116.41024449916938, 39.91640428150164];
  const BD = [116.404, 39.915];
  const GCJ_OF_BD = [116.39762729119315, 39.90865673957631];

  it('converts GCJ-02 to WGS-84 within a metre of the reference', () => {
    const gcj = parseCrs('gcj02');
    expect(metres(gcj.toWgs84(GCJ_OF_WGS as [number, number]), WGS)).toBeLessThan(1);
    expect(metres(gcj.fromWgs84(WGS as [number, number]), GCJ_OF_WGS)).toBeLessThan(0.01);
    // the offset itself is hundreds of metres: the conversion really happens
    expect(metres(GCJ_OF_WGS, WGS)).toBeGreaterThan(400);
  });

  it('converts BD-09 to WGS-84 consistently with the reference BD-09 → GCJ-02 pair', () => {
    const wgs = parseCrs('bd09').toWgs84(BD as [number, number]);
    const gcjOfResult = parseCrs('gcj02').fromWgs84(wgs);
    expect(metres(gcjOfResult, GCJ_OF_BD)).toBeLessThan(1);
    expect(metres(parseCrs('bd09').fromWgs84(wgs), BD)).toBeLessThan(1);
  });

  it('is meaningful only in China', () => {
    expect(parseCrs('gcj02').implausible(2.35, 48.85)).toMatch(/outside China/);
    expect(parseCrs('bd09').implausible(-74, 40.7)).toMatch(/outside China/);
    expect(parseCrs('gcj02').implausible(39.9, 116.4)).toMatch(/swapped/);
  });
});

describe('geographic plausibility', () => {
  it('refuses swapped latitude/longitude', () => {
    expect(parseCrs('wgs84').implausible(39.9, 116.4)).toMatch(/swapped/);
    expect(parseCrs('wgs84').implausible(43.8, 87.6)).toMatch(/swapped/); // Urumqi swapped: a "latitude" of 87.6°
    expect(parseCrs('wgs84').implausible(116.4, 39.9)).toBeNull();
    expect(parseCrs('wgs84').implausible(-74, 40.7)).toBeNull();
    expect(parseCrs('cgcs2000').implausible(-74, 40.7)).toMatch(/outside China/);
    expect(parseCrs('wgs84').implausible(500000, 4400000)).toMatch(/projected data need --crs/);
  });

  it('transformGeometry names the place', () => {
    const e = thrown(() => transformGeometry({ type: 'LineString', coordinates: [[116.3, 39.9], [39.9, 116.31]] }, parseCrs('wgs84'), { file: 'a.geojson', featureIndex: 7 }));
    expect(e.code).toBe('bad_crs');
    expect(e.describe()).toMatch(/^file a\.geojson, feature 7: position \[39\.9, 116\.31\] looks like latitude, longitude/);
  });
});

describe('crsFromWkt', () => {
  it('recognises ESRI and OGC definitions', () => {
    const esri = 'PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
    expect(crsFromWkt(esri)?.id).toBe('EPSG:4547');
    const zoned = esri.replace('CM_114E', 'Zone_38').replace('500000.0', '38500000.0');
    expect(crsFromWkt(zoned)?.id).toBe('EPSG:4526');
    expect(crsFromWkt('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]]]')?.id).toBe('EPSG:4490');
    expect(crsFromWkt('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]]')?.id).toBe('EPSG:4326');
    expect(crsFromWkt('PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984"]]')?.id).toBe('EPSG:32650');
    expect(crsFromWkt('PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980"],PROJECTION["Gauss_Kruger"]]')).toBeNull();
  });
});
