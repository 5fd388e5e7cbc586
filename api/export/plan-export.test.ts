// Plan export through HTTP on each engine (issue 6): GeoJSON, GeoPackage, zipped Shapefile and KML of the
// tiny town's published plan and of a plan with a holed grid and a two-part grid, each read back with an
// independent reader (the project's GeoPackage importer and sql.js, the `shapefile` package, fast-xml-parser,
// ogrinfo when installed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import initSqlJs from 'sql.js';
import { open as openShapefile } from 'shapefile';
import { XMLParser } from 'fast-xml-parser';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { readGeoPackage } from '../../data/formats/geopackage.ts';
import { parseGpkgGeometry } from '../../data/formats/wkb.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { asPlanner } from '../auth/test-people.ts';

declare module 'shapefile' {
  export function open(shp: ArrayBuffer | Uint8Array, dbf?: ArrayBuffer | Uint8Array, options?: { encoding?: string }): Promise<{
    read(): Promise<{ done: boolean; value: any }>;
  }>;
}

const J = TINY.jcode;
type Pos = number[];

/** Planar area (square degrees) of a Polygon/MultiPolygon: |outer| − |holes|, orientation-free. */
function area(g: { type: string; coordinates: any }): number {
  const ringArea = (r: Pos[]) => {
    let s = 0;
    for (let i = 0; i + 1 < r.length; i++) s += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
    return Math.abs(s) / 2;
  };
  const polys: Pos[][][] = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.reduce((a, rings) => a + ringArea(rings[0]) - rings.slice(1).reduce((h, r) => h + ringArea(r), 0), 0);
}

/** An independent unzip: walks the central directory, inflates each entry and checks its CRC-32 and size. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const endAt = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(endAt).toBe(buf.length - 22);
  const count = buf.readUInt16LE(endAt + 10);
  let o = buf.readUInt32LE(endAt + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(o)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(o + 16), csize = buf.readUInt32LE(o + 20), usize = buf.readUInt32LE(o + 24);
    const nlen = buf.readUInt16LE(o + 28), xlen = buf.readUInt16LE(o + 30), clen = buf.readUInt16LE(o + 32);
    const local = buf.readUInt32LE(o + 42);
    const name = buf.toString('utf8', o + 46, o + 46 + nlen);
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(start, start + csize));
    expect(data.length, name).toBe(usize);
    expect(crc32(data), name).toBe(crc);
    out.set(name, data);
    o += 46 + nlen + xlen + clen;
  }
  return out;
}

const ogrinfo = '/usr/bin/ogrinfo';
function ogrFeatureCount(file: string): number {
  const text = execFileSync(ogrinfo, ['-ro', '-al', '-so', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /Feature Count: (\d+)/.exec(text);
  expect(m, text).not.toBeNull();
  return Number(m![1]);
}

describe.each(testEngines())('plan export on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let planIds: number[];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-export-'));

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const town = await loadTinyTown(database.db);
    const plan = await database.db.insertInto('grid_plans')
      .values({ jcode: J, name: '导出 <测试> & 方案', status: 'draft', method: 'test', params: '{}', summary: '{}' })
      .returning('id').executeTakeFirstOrThrow();
    const id = Number(plan.id);
    // a grid with a hole (outer ring counter-clockwise, hole clockwise: the shapefile needs the reverse) and a grid of two parts
    const x0 = TINY.x0, y0 = TINY.y0;
    await bulkInsert(database.db, 'grids', [
      { name: 'jcode', kind: 'text' }, { name: 'plan_id', kind: 'bigint' }, { name: 'code', kind: 'text' }, { name: 'community_code', kind: 'text' },
      { name: 'households', kind: 'integer' }, { name: 'reason', kind: 'text' }, { name: 'geom', kind: 'geometry' },
    ], [
      {
        jcode: J, plan_id: id, code: `${TINY.communities[0]}901`, community_code: TINY.communities[0], households: 512, reason: null,
        geom: { type: 'MultiPolygon', coordinates: [[
          [[x0, y0], [x0 + 0.004, y0], [x0 + 0.004, y0 + 0.003], [x0, y0 + 0.003], [x0, y0]],
          [[x0 + 0.001, y0 + 0.001], [x0 + 0.001, y0 + 0.002], [x0 + 0.002, y0 + 0.002], [x0 + 0.002, y0 + 0.001], [x0 + 0.001, y0 + 0.001]],
        ]] },
      },
      {
        jcode: J, plan_id: id, code: `${TINY.communities[1]}902`, community_code: TINY.communities[1], households: 388, reason: 'below_min',
        geom: { type: 'MultiPolygon', coordinates: [
          [[[x0 + 0.005, y0], [x0 + 0.005, y0 + 0.001], [x0 + 0.006, y0 + 0.001], [x0 + 0.006, y0], [x0 + 0.005, y0]]],
          [[[x0 + 0.007, y0], [x0 + 0.008, y0], [x0 + 0.008, y0 + 0.002], [x0 + 0.007, y0 + 0.002], [x0 + 0.007, y0]]],
        ] },
      },
    ]);
    planIds = [town.publishedPlanId, id];
    // the second plan is a draft: its exports need an account of the jurisdiction (a planner's token on every request)
    s = (await asPlanner(database.db, await startTestServer(database))).server;
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const url = (id: number, ext: string) => `/api/jurisdictions/${J}/plans/${id}/export.${ext}`;

  /** The plan's grids as GeoJSON (the reference the other formats are checked against). */
  const reference = async (id: number) => {
    const res = await s.get(url(id, 'geojson'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(res.headers.get('content-disposition')).toContain(`plan-${J}-${id}.geojson`);
    const fc = await res.json();
    const grids = await (await s.get(`/api/jurisdictions/${J}/plans/${id}/grids.geojson`)).json();
    expect(fc.features.map((f: any) => f.properties.code)).toEqual(grids.features.map((f: any) => f.properties.code));
    expect(fc.features.length).toBeGreaterThan(0);
    return fc.features as Array<{ properties: any; geometry: any }>;
  };

  it('refuses unknown formats, plans and jurisdictions', async () => {
    await expectProblem(await s.get(url(planIds[0], 'dxf')), 404, 'not_found', 'format');
    await expectProblem(await s.get(url(999999, 'kml')), 404, 'not_found');
    await expectProblem(await s.get(`/api/jurisdictions/${J}/plans/x/export.kml`), 400, 'bad_request', 'planId');
  });

  it('exports a GeoPackage that the GeoPackage importer, sql.js and ogrinfo read back', async () => {
    for (const id of planIds) {
      const ref = await reference(id);
      const res = await s.get(url(id, 'gpkg'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/geopackage\+sqlite3/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const file = path.join(tmp, `${engine}-${id}.gpkg`);
      writeFileSync(file, bytes);

      const read = await readGeoPackage(file);
      expect(read.table).toBe('grids');
      expect(read.features.map((f) => f.properties.code)).toEqual(ref.map((f) => f.properties.code));
      read.features.forEach((f, i) => {
        expect(f.properties.households).toBe(ref[i].properties.households);
        expect(f.properties.community).toBe(ref[i].properties.community);
        expect(f.properties.reason ?? undefined).toBe(ref[i].properties.reason);
        expect(f.geometry!.type).toBe('MultiPolygon');
        expect(area(f.geometry!)).toBeCloseTo(area(ref[i].geometry), 12);
      });

      const SQL = await initSqlJs();
      const db = new SQL.Database(bytes);
      try {
        expect(db.exec('PRAGMA application_id')[0].values[0][0]).toBe(0x47504b47);
        expect(db.exec('PRAGMA user_version')[0].values[0][0]).toBe(10300);
        expect(db.exec('SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id')[0].values.flat()).toEqual([-1, 0, 4326]);
        expect(db.exec("SELECT data_type, srs_id FROM gpkg_contents WHERE table_name = 'grids'")[0].values).toEqual([['features', 4326]]);
        expect(db.exec("SELECT geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = 'grids'")[0].values).toEqual([['MULTIPOLYGON', 4326, 0, 0]]);
        expect(db.exec('SELECT count(*) FROM grids')[0].values[0][0]).toBe(ref.length);
        const blob = db.exec('SELECT geom FROM grids ORDER BY fid LIMIT 1')[0].values[0][0] as Uint8Array;
        expect(String.fromCharCode(blob[0], blob[1])).toBe('GP');
        expect(blob[3]).toBe(0b11);
        const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
        const [minx, maxx, miny, maxy] = [8, 16, 24, 32].map((o) => dv.getFloat64(o, true));
        const ring0 = (ref[0].geometry.type === 'Polygon' ? ref[0].geometry.coordinates : ref[0].geometry.coordinates[0])[0] as Pos[];
        expect(minx).toBe(Math.min(...ring0.map((p) => p[0])));
        expect(maxx).toBe(Math.max(...ring0.map((p) => p[0])));
        expect(miny).toBe(Math.min(...ring0.map((p) => p[1])));
        expect(maxy).toBe(Math.max(...ring0.map((p) => p[1])));
        const parsed = parseGpkgGeometry(blob, {});
        expect(parsed.srsId).toBe(4326);
        const want = ref[0].geometry.type === 'Polygon' ? [ref[0].geometry.coordinates] : ref[0].geometry.coordinates;
        expect(parsed.geometry).toEqual({ type: 'MultiPolygon', coordinates: want });
      } finally {
        db.close();
      }
      if (existsSync(ogrinfo)) expect(ogrFeatureCount(file)).toBe(ref.length);
    }
  });

  it('exports a zipped Shapefile that the shapefile package and ogrinfo read back', async () => {
    for (const id of planIds) {
      const ref = await reference(id);
      const res = await s.get(url(id, 'shp.zip'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/zip/);
      const entries = unzip(Buffer.from(await res.arrayBuffer()));
      const base = `plan-${J}-${id}`;
      expect([...entries.keys()].sort()).toEqual(['cpg', 'dbf', 'prj', 'shp', 'shx'].map((e) => `${base}.${e}`));
      expect(entries.get(`${base}.cpg`)!.toString()).toBe('UTF-8');
      expect(entries.get(`${base}.prj`)!.toString()).toMatch(/^GEOGCS\["GCS_WGS_1984"/);

      const source = await openShapefile(new Uint8Array(entries.get(`${base}.shp`)!), new Uint8Array(entries.get(`${base}.dbf`)!), { encoding: 'utf-8' });
      const got: Array<{ properties: any; geometry: any }> = [];
      for (let r = await source.read(); !r.done; r = await source.read()) got.push(r.value);
      expect(got.length).toBe(ref.length);
      got.forEach((f, i) => {
        const want = ref[i].properties;
        expect(f.properties.CODE).toBe(want.code);
        expect(f.properties.HOUSEHOLDS).toBe(want.households);
        // the reader gives null for a blank text field
        expect(f.properties.COMMUNITY).toBe(want.community ?? null);
        expect(f.properties.REASON).toBe(want.reason ?? null);
        const parts = ref[i].geometry.type === 'Polygon' ? 1 : ref[i].geometry.coordinates.length;
        expect(f.geometry.type).toBe(parts === 1 ? 'Polygon' : 'MultiPolygon');
        // the reader assigns holes by ring orientation: equal areas mean outer rings are clockwise and holes counter-clockwise
        expect(area(f.geometry)).toBeCloseTo(area(ref[i].geometry), 12);
      });
      if (id === planIds[1]) expect(got[0].geometry.coordinates.length).toBe(2); // the hole came back as a hole

      if (existsSync(ogrinfo)) {
        const dir = path.join(tmp, `${engine}-${id}-shp`);
        rmSync(dir, { recursive: true, force: true });
        execFileSync('mkdir', ['-p', dir]);
        for (const [name, data] of entries) writeFileSync(path.join(dir, name), data);
        expect(ogrFeatureCount(path.join(dir, `${base}.shp`))).toBe(ref.length);
      }
    }
  });

  it('exports KML with one Placemark per grid', async () => {
    for (const id of planIds) {
      const ref = await reference(id);
      const res = await s.get(url(id, 'kml'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.google-earth\.kml\+xml/);
      const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['Placemark', 'Data', 'Polygon', 'innerBoundaryIs'].includes(name) }).parse(await res.text());
      const marks = doc.kml.Document.Placemark as any[];
      expect(marks.length).toBe(ref.length);
      expect(marks.map((m) => String(m.name))).toEqual(ref.map((f) => f.properties.code));
      marks.forEach((m, i) => {
        const data = Object.fromEntries((m.ExtendedData.Data as any[]).map((d) => [d['@_name'], d.value]));
        expect(Number(data.households)).toBe(ref[i].properties.households);
        const polys = (m.Polygon ?? m.MultiGeometry.Polygon) as any[];
        const want: Pos[][][] = ref[i].geometry.type === 'Polygon' ? [ref[i].geometry.coordinates] : ref[i].geometry.coordinates;
        expect(polys.length).toBe(want.length);
        polys.forEach((p, k) => expect((p.innerBoundaryIs ?? []).length).toBe(want[k].length - 1));
      });
      if (id === planIds[1]) expect(doc.kml.Document.name).toBe('导出 <测试> & 方案');
    }
  });
});
