/**
 * Every importer on both engines: what each format brings in, and each kind of bad input refused with a
 * message naming the place while the database stays exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import iconv from 'iconv-lite';
import * as turf from '@turf/turf';
import { openTestDatabase, tableCounts, testEngines } from '../db/test-engines.ts';
import type { Database } from '../db/connect.ts';
import { WanggeError } from '../errors.ts';
import { parseCrs } from '../crs/parse-crs.ts';
import { importFile, type ImportFileOptions } from './importer.ts';
import { writeGeoPackage, writeOsmPbf, writeOsmXml, writeShapefile } from './test/write-fixtures.ts';
import { MINI_OSM } from './test/mini-osm.ts';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test', 'fixtures');
const fx = (name: string) => path.join(FIX, name);
const JCODE = '110108999000';
const CGCS_GK_114 = 'PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const pt = (lon: number, lat: number, properties: Record<string, unknown>) => ({ type: 'Feature', properties, geometry: { type: 'Point', coordinates: [lon, lat] } });
const square = (lon: number, lat: number, d: number) => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]];

describe.each(testEngines())('importers (%s)', (engine) => {
  let database: Database;
  let tmp: string;
  const file = (name: string, content: string | Buffer) => { const p = path.join(tmp, name); writeFileSync(p, content); return p; };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-import-'));
    writeOsmXml(path.join(tmp, 'mini.osm'), MINI_OSM);
    // the jurisdiction every single-layer test imports into, created from its streets
    await importFile(database.db, { path: fx('streets.geojson'), jcode: JCODE, createJurisdiction: '测试街道' });
  });
  afterAll(async () => {
    await database?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Run an import that must fail; check the error and that no table changed. */
  async function refused(opts: ImportFileOptions): Promise<WanggeError> {
    const before = await tableCounts(database.db);
    let err: unknown;
    try {
      await importFile(database.db, opts);
    } catch (e) {
      err = e;
    }
    expect(err, 'the import should have been refused').toBeInstanceOf(WanggeError);
    expect(await tableCounts(database.db)).toEqual(before);
    return err as WanggeError;
  }

  const rowsOf = async (table: 'streets' | 'address_points' | 'units' | 'cameras' | 'hazards' | 'jurisdictions') => {
    const { rows } = await sql<any>`SELECT *, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat, ST_AsGeoJSON(geom) AS gj
      FROM ${sql.table(table)} WHERE jcode = ${JCODE} ORDER BY 1, 2`.execute(database.db);
    return rows;
  };

  describe('GeoJSON', () => {
    it('imported the streets fixture with kinds from kind, 类型 and highway, and created the jurisdiction from its extent', async () => {
      const streets = await rowsOf('streets');
      expect(streets.map((s: any) => s.kind).sort()).toEqual(['path', 'primary', 'residential', 'residential', 'river']);
      expect(streets.find((s: any) => s.kind === 'river').name).toBe('万泉河');
      const j = (await rowsOf('jurisdictions')).find((r: any) => r.code === JCODE);
      expect(j.name).toBe('测试街道');
      const { rows } = await sql<{ inside: boolean }>`SELECT bool_and(ST_Within(s.geom, j.geom)) AS inside FROM streets s JOIN jurisdictions j
        ON j.jcode = s.jcode AND j.code = s.jcode WHERE s.jcode = ${JCODE}`.execute(database.db);
      expect(rows[0].inside).toBe(true);
    });

    it('imports units, communities, hazards and cameras (layer inferred or given), converting GCJ-02', async () => {
      const units = file('units.geojson', fc([{ type: 'Feature', properties: { code: 'U9', name: '第一小学', dedicated: true }, geometry: { type: 'Polygon', coordinates: square(116.3145, 39.9955, 0.001) } }]));
      expect((await importFile(database.db, { path: units, jcode: JCODE })).counts.units).toBe(1);
      const com = file('communities.geojson', fc([{ type: 'Feature', properties: { 编码: '110108999001', 名称: '东升园社区', level: '社区' }, geometry: { type: 'Polygon', coordinates: square(116.309, 39.991, 0.005) } }]));
      expect((await importFile(database.db, { path: com, jcode: JCODE })).layers).toEqual(['communities']);
      const c = (await rowsOf('jurisdictions')).find((r: any) => r.code === '110108999001');
      expect(c).toMatchObject({ name: '东升园社区', level: 'community', parent_code: JCODE });
      const hz = file('hazards.geojson', fc([pt(116.312, 39.996, { kind: '消防通道堵塞', severity: 4 })]));
      expect((await importFile(database.db, { path: hz, jcode: JCODE })).counts.hazards).toBe(1);
      // a camera given in GCJ-02 (as Amap shows it) lands on the WGS-84 position
      const wgs: [number, number] = [116.3101, 39.9951];
      const g = parseCrs('gcj02').fromWgs84(wgs);
      const cams = file('cameras.geojson', fc([pt(g[0], g[1], { 编号: 'C-01', 方向: 90, fov: 60 })]));
      const r = await importFile(database.db, { path: cams, jcode: JCODE, crs: 'gcj02' });
      expect(r).toMatchObject({ crs: 'GCJ-02', layers: ['cameras'] });
      const cam = (await rowsOf('cameras'))[0];
      expect(cam).toMatchObject({ code: 'C-01', bearing: 90, fov: 60, range_m: 50 });
      expect(turf.distance([cam.lon, cam.lat], wgs, { units: 'meters' })).toBeLessThan(1);
    });

    it('refuses broken JSON naming the file', async () => {
      const e = await refused({ path: fx('broken.geojson'), jcode: JCODE, layer: 'address_points' });
      expect(e.code).toBe('bad_file');
      expect(e.describe()).toMatch(/^file broken\.geojson, line 4: not valid JSON/);
    });

    it('refuses a self-intersecting polygon naming the feature, PostGIS giving the reason', async () => {
      const e = await refused({ path: fx('self-intersecting-units.geojson'), jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_feature');
      expect(e.where).toMatchObject({ file: 'self-intersecting-units.geojson', featureIndex: 1 });
      expect(e.message).toMatch(/invalid geometry \(Self-intersection/);
    });

    it('refuses an unknown CRS naming the value', async () => {
      const e = await refused({ path: fx('streets.geojson'), jcode: JCODE, crs: 'EPSG:2385', replace: true });
      expect(e.code).toBe('bad_crs');
      expect(e.message).toContain('"EPSG:2385"');
    });

    it('refuses swapped axes naming the feature', async () => {
      const e = await refused({ path: fx('swapped.geojson'), jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_crs');
      expect(e.where).toMatchObject({ file: 'swapped.geojson', featureIndex: 1 });
      expect(e.message).toMatch(/swapped/);
    });

    it('refuses a missing household count naming the feature and field', async () => {
      const e = await refused({ path: fx('missing-households.geojson'), jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_feature');
      expect(e.describe()).toBe('file missing-households.geojson, feature 2, field households: missing household count (households)');
    });

    it('refuses data outside the plausible area of the declared CRS', async () => {
      const paris = file('paris.geojson', fc([pt(2.35, 48.85, { households: 3 })]));
      const e = await refused({ path: paris, jcode: JCODE, crs: 'bd09', replace: true });
      expect(e.message).toMatch(/outside China, where BD-09 is defined/);
      expect(e.where.featureIndex).toBe(0);
    });

    it('refuses a layer that already holds rows, a jurisdiction that does not exist, and rolls a created jurisdiction back', async () => {
      expect((await refused({ path: fx('streets.geojson'), jcode: JCODE })).code).toBe('conflict');
      expect((await refused({ path: fx('streets.geojson'), jcode: '110108000000' })).code).toBe('not_found');
      // the jurisdiction row is written first, then a bad polygon fails: nothing may remain
      const e = await refused({ path: fx('self-intersecting-units.geojson'), jcode: '110108777000', createJurisdiction: '回滚街道' });
      expect(e.where.featureIndex).toBe(1);
    });

    it('replaces a layer in one go', async () => {
      const r = await importFile(database.db, { path: fx('streets.geojson'), jcode: JCODE, replace: true });
      expect(r.replaced).toEqual({ streets: 5 });
      expect((await rowsOf('streets')).length).toBe(5);
    });
  });

  describe('CSV', () => {
    it('imports points from 经度/纬度 columns with 户数', async () => {
      const r = await importFile(database.db, { path: fx('address-points.csv'), jcode: JCODE, replace: true });
      expect(r.counts).toMatchObject({ addressPoints: 3, households: 261 });
      expect((await rowsOf('address_points')).map((a: any) => a.name)).toEqual(['华清嘉园1号楼', '华清嘉园2号楼', '东升园']);
    });

    it('reads GBK with --encoding gbk and refuses it as UTF-8', async () => {
      const text = 'name,households,lon,lat\n清华园小区,88,116.3120,39.9965\n';
      const gbk = file('gbk.csv', iconv.encode(text, 'gbk'));
      const e = await refused({ path: gbk, jcode: JCODE, replace: true });
      expect(e.describe()).toMatch(/^file gbk\.csv, line 2: text is not valid UTF-8 \(it reads as GBK: "清华园小区"\).*--encoding gbk/);
      await importFile(database.db, { path: gbk, jcode: JCODE, replace: true, encoding: 'gbk' });
      expect((await rowsOf('address_points')).map((a: any) => a.name)).toEqual(['清华园小区']);
    });

    it('refuses swapped columns, a missing household count and a bad number naming the line', async () => {
      const swapped = file('swapped.csv', 'lng,lat,households\n116.31,39.99,5\n39.99,116.31,6\n');
      const e1 = await refused({ path: swapped, jcode: JCODE, replace: true });
      expect(e1.describe()).toMatch(/^file swapped\.csv, line 3: position \[39\.99, 116\.31\] looks like latitude, longitude/);
      const missing = file('missing.csv', 'x,y,户数\n116.31,39.99,5\n116.32,39.99,\n');
      expect((await refused({ path: missing, jcode: JCODE, replace: true })).describe()).toBe('file missing.csv, line 3, field households: missing household count (households)');
      const nan = file('nan.csv', 'lon,lat,hh\n116.31,39.99,5\n116.3a,39.99,4\n');
      expect((await refused({ path: nan, jcode: JCODE, replace: true })).where).toMatchObject({ file: 'nan.csv', line: 3 });
    });
  });

  describe('OpenStreetMap', () => {
    it('maps the mini extract: streets by tag, residential buildings with estimated households, cameras', async () => {
      const r = await importFile(database.db, { path: path.join(tmp, 'mini.osm'), jcode: JCODE, replace: true });
      expect(r.format).toBe('osm');
      expect(r.osm).toMatchObject({ streets: 4, buildings: 6, residentialBuildings: 3, insideInstitution: 1, nonResidential: 2, cameras: 1 });
      const streets = await rowsOf('streets');
      expect(streets.map((s: any) => s.kind).sort()).toEqual(['path', 'primary', 'residential', 'river']);
      const aps = await rowsOf('address_points');
      expect(aps.map((a: any) => a.building_kind).sort()).toEqual(['apartments', 'house', 'yes']);
      const apt = aps.find((a: any) => a.building_kind === 'apartments');
      const footprint = turf.area(turf.polygon(square(116.3102, 39.9952, 0).map(() => [[116.3102, 39.9952], [116.3105, 39.9952], [116.3105, 39.9954], [116.3102, 39.9954], [116.3102, 39.9952]])));
      expect(footprint).toBeGreaterThan(500);
      expect(apt).toMatchObject({ levels: 10, name: '华清嘉园1号楼', households: Math.round((footprint * 10 * 0.8) / 90) });
      const house = aps.find((a: any) => a.building_kind === 'house');
      expect(house.levels).toBe(2);
      expect((await rowsOf('cameras')).some((c: any) => c.code === 'osm-n2001' && c.bearing === 90)).toBe(true);
    });

    it('applies an overridden household formula', async () => {
      const r = await importFile(database.db, { path: path.join(tmp, 'mini.osm'), jcode: JCODE, replace: true, householdFormula: { avgDwellingM2: 45, defaultLevels: 12 } });
      const aps = await rowsOf('address_points');
      const apt = aps.find((a: any) => a.building_kind === 'apartments');
      const yes = aps.find((a: any) => a.building_kind === 'yes');
      expect(yes.levels).toBe(12);
      expect(apt.households).toBeGreaterThan(95); // twice the default estimate (≈ 50)
      expect(r.counts.households).toBe(aps.reduce((s: number, a: any) => s + a.households, 0));
    });

    it('refuses malformed XML naming the line', async () => {
      const bad = file('bad.osm', '<?xml version="1.0"?>\n<osm version="0.6">\n <node id="1" lat="39.99" lon="116.3">\n</osm>\n');
      const e = await refused({ path: bad, jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_file');
      expect(e.where.file).toBe('bad.osm');
      expect(e.where.line).toBeGreaterThanOrEqual(3);
    });

    it('refuses a node with impossible coordinates and a --crs other than WGS-84', async () => {
      const bad = file('badnode.osm', '<osm version="0.6">\n <node id="7" lat="116.3" lon="39.99"/>\n</osm>\n');
      expect((await refused({ path: bad, jcode: JCODE, replace: true })).describe()).toMatch(/^file badnode\.osm, feature 0, field node\/7: node 7 has no valid lon\/lat/);
      expect((await refused({ path: path.join(tmp, 'mini.osm'), jcode: JCODE, crs: 'gcj02', replace: true })).code).toBe('bad_crs');
    });

    it('reads PBF', async () => {
      const pbf = path.join(tmp, 'mini.osm.pbf');
      const sq = [[116.3110, 39.9960], [116.3112, 39.9960], [116.3112, 39.9962], [116.3110, 39.9962]];
      writeOsmPbf(pbf, {
        bbox: [116.30, 39.98, 116.33, 40.01],
        nodes: [
          { id: 1, lon: 116.3080, lat: 39.9950 }, { id: 2, lon: 116.3160, lat: 39.9950 }, { id: 3, lon: 116.3080, lat: 39.9990 }, { id: 4, lon: 116.3160, lat: 39.9995 },
          ...sq.map(([lon, lat], i) => ({ id: 10 + i, lon, lat })),
          { id: 20, lon: 116.3101, lat: 39.9951, tags: { man_made: 'surveillance', 'camera:direction': 'NE' } },
        ],
        ways: [
          { id: 100, refs: [1, 2], tags: { highway: 'secondary', name: '双清路' } },
          { id: 101, refs: [3, 4], tags: { railway: 'rail' } },
          { id: 102, refs: [10, 11, 12, 13, 10], tags: { building: 'residential', 'building:levels': '18' } },
        ],
      });
      const r = await importFile(database.db, { path: pbf, jcode: JCODE, replace: true });
      expect(r.format).toBe('pbf');
      expect(r.osm).toMatchObject({ streets: 2, buildings: 1, residentialBuildings: 1, cameras: 1 });
      const streets = await rowsOf('streets');
      expect(streets.map((s: any) => `${s.kind}:${s.name}`).sort()).toEqual(['rail:null', 'secondary:双清路']);
      const ap = (await rowsOf('address_points'))[0];
      expect(ap.levels).toBe(18);
      expect(turf.distance([ap.lon, ap.lat], [116.3111, 39.9961], { units: 'meters' })).toBeLessThan(0.5);
      expect((await rowsOf('cameras'))[0].bearing).toBe(45);
    });

    it('refuses a file that is not PBF', async () => {
      const junk = file('junk.osm.pbf', Buffer.from('\u0000\u0000\u0000\u000ethis is not a pbf file at all'));
      const e = await refused({ path: junk, jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_file');
      expect(e.where.file).toBe('junk.osm.pbf');
    });
  });

  describe('Shapefile', () => {
    const fields = [{ name: 'NAME', type: 'C' as const, length: 40 }, { name: '户数', type: 'N' as const, length: 6 }];
    const shapes = [{ type: 'point' as const, coordinates: [116.3104, 39.9953] }, { type: 'point' as const, coordinates: [116.3108, 39.9957] }];

    it('decodes GBK attributes (field names too) declared by a .cpg, or by the CP936 language driver', async () => {
      writeShapefile(path.join(tmp, 'gbk-cpg'), shapes, fields, [['清华园小区1号楼', 64], ['荷清苑', 120]], { encoding: 'gbk', cpg: 'GBK' });
      const r = await importFile(database.db, { path: path.join(tmp, 'gbk-cpg.shp'), jcode: JCODE, replace: true });
      expect(r.counts).toMatchObject({ addressPoints: 2, households: 184 });
      expect((await rowsOf('address_points')).map((a: any) => a.name)).toEqual(['清华园小区1号楼', '荷清苑']);
      writeShapefile(path.join(tmp, 'gbk-ldid'), shapes, fields, [['蓝旗营', 30], ['五道口', 40]], { encoding: 'gbk', languageDriver: 0x4d });
      await importFile(database.db, { path: path.join(tmp, 'gbk-ldid.shp'), jcode: JCODE, replace: true });
      expect((await rowsOf('address_points')).map((a: any) => a.name)).toEqual(['蓝旗营', '五道口']);
    });

    it('refuses GBK read as UTF-8 (no .cpg) and UTF-8 declared GBK, naming record and field', async () => {
      writeShapefile(path.join(tmp, 'gbk-bare'), shapes, [{ name: 'NAME', type: 'C', length: 40 }, { name: 'HH', type: 'N', length: 6 }], [['东升园', 64], ['荷清苑', 120]], { encoding: 'gbk' });
      const e = await refused({ path: path.join(tmp, 'gbk-bare.shp'), jcode: JCODE, replace: true });
      expect(e.describe()).toMatch(/^file gbk-bare\.dbf, feature 0, field NAME: text is not valid UTF-8 \(it reads as GBK: "东升园"\).*--encoding gbk/);
      writeShapefile(path.join(tmp, 'utf8'), shapes, [{ name: 'NAME', type: 'C', length: 40 }, { name: 'HH', type: 'N', length: 6 }], [['东升园', 64], ['荷清苑', 120]], { encoding: 'utf-8' });
      const e2 = await refused({ path: path.join(tmp, 'utf8.shp'), jcode: JCODE, replace: true, encoding: 'gbk' });
      expect(e2.describe()).toMatch(/^file utf8\.dbf, feature 0, field NAME: text is UTF-8 .*--encoding utf-8/);
    });

    it('reads a projected CGCS2000 Gauss-Krüger shapefile through its .prj, and refuses swapped or missing values', async () => {
      const gk = parseCrs('EPSG:4547');
      // a unit polygon (outer ring clockwise, as shapefiles store it) in EPSG:4547
      const ring = [[116.3145, 39.9955], [116.3145, 39.9965], [116.3155, 39.9965], [116.3155, 39.9955], [116.3145, 39.9955]].map((p) => gk.fromWgs84(p as [number, number]));
      writeShapefile(path.join(tmp, 'units-gk'), [{ type: 'polygon', rings: [ring] }], [{ name: 'CODE', type: 'C', length: 10 }, { name: 'DEDICATED', type: 'C', length: 1 }], [['SCH-1', 'Y']], { prj: CGCS_GK_114 });
      const r = await importFile(database.db, { path: path.join(tmp, 'units-gk.shp'), jcode: JCODE, replace: true });
      expect(r).toMatchObject({ crs: 'EPSG:4547', layers: ['units'] });
      const u = (await rowsOf('units')).find((x: any) => x.code === 'SCH-1');
      expect(u.dedicated).toBe(true);
      const bbox = turf.bbox(JSON.parse(u.gj));
      expect(Math.abs(bbox[0] - 116.3145) + Math.abs(bbox[1] - 39.9955) + Math.abs(bbox[2] - 116.3155) + Math.abs(bbox[3] - 39.9965)).toBeLessThan(1e-7);

      const swapped = ring.map(([x, y]) => [y, x]);
      writeShapefile(path.join(tmp, 'units-swapped'), [{ type: 'polygon', rings: [swapped] }], [{ name: 'CODE', type: 'C', length: 10 }, { name: 'DEDICATED', type: 'C', length: 1 }], [['SCH-2', 'Y']], { prj: CGCS_GK_114 });
      const e = await refused({ path: path.join(tmp, 'units-swapped.shp'), jcode: JCODE, replace: true });
      expect(e.describe()).toMatch(/^file units-swapped\.shp, feature 0: position .* looks like northing, easting \(swapped axes\)/);

      writeShapefile(path.join(tmp, 'no-hh'), shapes, [{ name: 'NAME', type: 'C', length: 10 }, { name: 'HH', type: 'N', length: 6 }], [['a', 5], ['b', null]]);
      expect((await refused({ path: path.join(tmp, 'no-hh.shp'), jcode: JCODE, replace: true, layer: 'address_points' })).describe())
        .toBe('file no-hh.shp, feature 1, field households: missing household count (households)');
    });

    it('refuses an unrecognised .prj unless --crs is given', async () => {
      writeShapefile(path.join(tmp, 'xian80'), shapes, [{ name: 'HH', type: 'N', length: 6 }], [[5], [6]], { prj: 'PROJCS["Xian_1980_3_Degree_GK_CM_114E",GEOGCS["GCS_Xian_1980"]]' });
      const e = await refused({ path: path.join(tmp, 'xian80.shp'), jcode: JCODE, replace: true });
      expect(e.code).toBe('bad_crs');
      expect(e.where.file).toBe('xian80.prj');
    });
  });

  describe('GeoPackage', () => {
    it('reads a table in EPSG:4547 using its srs entry', async () => {
      const gk = parseCrs('EPSG:4547');
      const a = gk.fromWgs84([116.3104, 39.9953]);
      const b = gk.fromWgs84([116.3108, 39.9957]);
      const gpkg = path.join(tmp, 'buildings.gpkg');
      await writeGeoPackage(gpkg, 'buildings', { id: 4547, org: 'EPSG', code: 4547 }, [{ name: 'name', type: 'TEXT' }, { name: 'households', type: 'INTEGER' }], [
        { geom: { type: 'Point', coordinates: a }, props: ['1号楼', 40] },
        { geom: { type: 'Point', coordinates: b }, props: ['2号楼', 60] },
      ]);
      const r = await importFile(database.db, { path: gpkg, jcode: JCODE, replace: true });
      expect(r).toMatchObject({ format: 'gpkg', crs: 'EPSG:4547', counts: { addressPoints: 2, households: 100 } });
      const aps = await rowsOf('address_points');
      expect(turf.distance([aps[0].lon, aps[0].lat], [116.3104, 39.9953], { units: 'meters' })).toBeLessThan(0.01);
    });

    it('refuses a broken geometry blob and a missing household count naming the feature', async () => {
      const gpkg = path.join(tmp, 'broken.gpkg');
      await writeGeoPackage(gpkg, 'pts', { id: 4326, org: 'EPSG', code: 4326 }, [{ name: 'households', type: 'INTEGER' }],
        [{ geom: { type: 'Point', coordinates: [116.31, 39.99] }, props: [4] }, { geom: null, props: [5] }],
        { rawBlob: (i) => (i === 1 ? new Uint8Array([0x47, 0x50, 0, 1, 0, 0, 0, 0, 1, 99, 0, 0, 0]) : undefined) });
      const e = await refused({ path: gpkg, jcode: JCODE, replace: true, layer: 'address_points' });
      expect(e.describe()).toMatch(/^file broken\.gpkg, feature 1: WKB geometry type 99 is not supported/);
      const gpkg2 = path.join(tmp, 'nohh.gpkg');
      await writeGeoPackage(gpkg2, 'pts', { id: 4326, org: 'EPSG', code: 4326 }, [{ name: 'households', type: 'INTEGER' }],
        [{ geom: { type: 'Point', coordinates: [116.31, 39.99] }, props: [4] }, { geom: { type: 'Point', coordinates: [116.32, 39.99] }, props: [null] }]);
      expect((await refused({ path: gpkg2, jcode: JCODE, replace: true, layer: 'address_points' })).describe()).toBe('file nohh.gpkg, feature 1, field households: missing household count (households)');
    });
  });

  describe('problem directory', () => {
    it('imports a whole directory through importFile and refuses a bad one unchanged', async () => {
      const dir = path.join(tmp, 'problem');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'boundary.geojson'), fc([{ type: 'Feature', properties: { code: '110108555000', name: '小镇' }, geometry: { type: 'Polygon', coordinates: square(116.30, 39.99, 0.02) } }]));
      writeFileSync(path.join(dir, 'streets.geojson'), fc([{ type: 'Feature', properties: { kind: 'primary' }, geometry: { type: 'LineString', coordinates: [[116.30, 40.0], [116.32, 40.0]] } }]));
      writeFileSync(path.join(dir, 'households.geojson'), fc([pt(116.305, 39.995, { households: 450 }), pt(116.315, 40.005, { households: 500 })]));
      const r = await importFile(database.db, { path: dir });
      expect(r).toMatchObject({ format: 'problem', jcode: '110108555000', counts: { streets: 1, addressPoints: 2, households: 950 } });
      writeFileSync(path.join(dir, 'households.geojson'), fc([pt(116.305, 39.995, { households: 450 }), pt(116.315, 40.005, { households: 0 })]));
      const e = await refused({ path: dir, replace: true });
      expect(e.where).toMatchObject({ file: 'households.geojson', featureIndex: 1 });
    });
  });
});
