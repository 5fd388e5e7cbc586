// OGC API – Features (read by GDAL's OAPIF driver with ogrinfo) and vector tiles (decoded with
// @mapbox/vector-tile), on each engine.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { partitionJurisdiction, publishPlan } from '../../spatial/partition/index.ts';
import { loadTinyTown, tinyStreets, TINY } from '../test/tiny-town.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';

const OGRINFO = '/usr/bin/ogrinfo';
const J = TINY.jcode;
const center: [number, number] = [TINY.x0 + (TINY.n * TINY.dx) / 2, TINY.y0 + (TINY.n * TINY.dy) / 2];

/** Run ogrinfo without blocking the event loop (the server under test runs in this process). */
function ogrinfo(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(OGRINFO, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function tileOf(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}

describe.each(testEngines())('OGC API – Features and vector tiles on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let grids: number;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    const plan = await partitionJurisdiction(database.db, { jcode: J, seed: 1 });
    await publishPlan(database.db, J, plan.planId);
    grids = plan.grids;
    s = await startTestServer(database);
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('serves the landing page, conformance and collections', async () => {
    const land = await (await s.get('/ogc')).json();
    for (const rel of ['self', 'service-desc', 'conformance', 'data']) expect(land.links.find((l: any) => l.rel === rel), rel).toBeTruthy();
    const conf = await (await s.get('/ogc/conformance')).json();
    expect(conf.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core');
    const cols = await (await s.get('/ogc/collections')).json();
    expect(cols.collections.map((c: any) => c.id)).toEqual(['grids', 'blocks', 'streets', 'units', 'hazards', 'cameras']);
    expect(JSON.stringify(cols)).not.toMatch(/resident/);
    const one = await (await s.get('/ogc/collections/grids')).json();
    expect(one.links.find((l: any) => l.rel === 'items').type).toBe('application/geo+json');
    expect(one.extent.spatial.bbox[0][0]).toBeCloseTo(TINY.x0, 6);
    await expectProblem(await s.get('/ogc/collections/residents'), 404, 'not_found', 'collectionId');
  });

  it('pages items with limit, offset and next links, filters by bbox, clamps the limit', async () => {
    const first = await s.get('/ogc/collections/streets/items?limit=5');
    expect(first.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const p1 = await first.json();
    const total = tinyStreets().length;
    expect(p1).toMatchObject({ type: 'FeatureCollection', numberMatched: total, numberReturned: 5 });
    const next = p1.links.find((l: any) => l.rel === 'next');
    const seen = new Set(p1.features.map((f: any) => f.id));
    let url: string | undefined = next.href;
    while (url) {
      const page: any = await (await fetch(url)).json();
      for (const f of page.features) seen.add(f.id);
      url = page.links.find((l: any) => l.rel === 'next')?.href;
    }
    expect(seen.size).toBe(total);
    const big = await (await s.get('/ogc/collections/streets/items?limit=99999999')).json();
    expect(big.numberReturned).toBe(total);
    expect(big.links.find((l: any) => l.rel === 'next')).toBeUndefined();
    const sw = [TINY.x0 + 0.0001, TINY.y0 + 0.0001, TINY.x0 + TINY.dx - 0.0001, TINY.y0 + TINY.dy - 0.0001].join(',');
    const cams = await (await s.get(`/ogc/collections/cameras/items?bbox=${sw}`)).json();
    expect(cams.numberMatched).toBe(0);
    const g = await (await s.get(`/ogc/collections/grids/items?jcode=${J}`)).json();
    expect(g.numberMatched).toBe(grids);
    const item = await s.get(`/ogc/collections/grids/items/${g.features[0].id}`);
    expect(item.status).toBe(200);
    expect((await item.json()).properties.code).toBe(g.features[0].id);
    await expectProblem(await s.get('/ogc/collections/grids/items/NOPE'), 404, 'not_found', 'featureId');
    await expectProblem(await s.get('/ogc/collections/streets/items/99999999'), 404, 'not_found', 'featureId');
    await expectProblem(await s.get('/ogc/collections/streets/items?bbox=116.4,39.9,116.3,40'), 400, 'bad_request', 'bbox');
    await expectProblem(await s.get('/ogc/collections/streets/items?limit=0'), 400, 'bad_request', 'limit');
    await expectProblem(await s.get('/ogc/collections/streets/items?offset=-1'), 400, 'bad_request', 'offset');
  });

  it.skipIf(!existsSync(OGRINFO))('is read by GDAL: ogrinfo OAPIF lists and reads every collection', async () => {
    const url = `OAPIF:${s.base}/ogc`;
    const list = await ogrinfo(['-ro', '-q', url]);
    expect(list.status, list.stderr).toBe(0);
    for (const c of ['grids', 'blocks', 'streets', 'units', 'hazards', 'cameras']) expect(list.stdout).toMatch(new RegExp(`\\b${c}\\b`));
    const read = await ogrinfo(['-ro', '-al', '-q', url]);
    expect(read.status, read.stderr).toBe(0);
    const count = (layer: string) => (read.stdout.match(new RegExp(`^OGRFeature\\(${layer}\\):`, 'gm')) ?? []).length;
    expect(count('grids')).toBe(grids);
    expect(count('streets')).toBe(tinyStreets().length);
    expect(count('units')).toBe(TINY.units);
    expect(count('hazards')).toBe(TINY.hazards);
    expect(count('cameras')).toBe(TINY.cameras);
    expect(count('blocks')).toBeGreaterThan(grids);
    expect(read.stdout).toMatch(/households \(Integer(64)?\) = \d+/);
  });

  const tile = async (layer: string, t: { z: number; x: number; y: number }) => {
    const res = await s.get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    return { res, vt: new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer()))) };
  };

  it('serves vector tiles that decode with the expected layers and features', async () => {
    const t = tileOf(center[0], center[1], 13);
    const { res, vt } = await tile('grids', t);
    expect(Object.keys(vt.layers)).toEqual(['grids']);
    const layer = vt.layers.grids;
    expect(layer.extent).toBe(4096);
    expect(layer.length).toBe(grids); // the whole tiny town lies in this one z13 tile
    const codes = new Set<string>();
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      expect(f.type).toBe(3);
      codes.add(String(f.properties.code));
      expect(Number(f.properties.households)).toBeGreaterThan(0);
      const gj = f.toGeoJSON(t.x, t.y, t.z);
      const ring = (gj.geometry as any).type === 'Polygon' ? (gj.geometry as any).coordinates[0] : (gj.geometry as any).coordinates[0][0];
      for (const [lon, lat] of ring) {
        expect(lon).toBeGreaterThan(TINY.x0 - 0.0002);
        expect(lon).toBeLessThan(TINY.x0 + TINY.n * TINY.dx + 0.0002);
        expect(lat).toBeGreaterThan(TINY.y0 - 0.0002);
        expect(lat).toBeLessThan(TINY.y0 + TINY.n * TINY.dy + 0.0002);
      }
    }
    expect(codes.size).toBe(grids);

    const base = await tile('basemap', t);
    expect(Object.keys(base.vt.layers).sort()).toEqual(['boundaries', 'buildings', 'streets', 'water']);
    expect(base.vt.layers.water.length).toBe(1);
    expect(base.vt.layers.water.feature(0).properties.name).toBe('示例河');
    expect(base.vt.layers.buildings.length).toBe(TINY.addressPoints);
    expect(base.vt.layers.streets.length).toBe(tinyStreets().length - 1);
    expect(base.vt.layers.boundaries.length).toBe(1 + TINY.communities.length);
    for (const [name, n] of [['cameras', TINY.cameras], ['hazards', TINY.hazards], ['buildings', TINY.addressPoints]] as const) {
      const { vt: v } = await tile(name, t);
      expect(v.layers[name].length, name).toBe(n);
    }
    const far = await tile('grids', { z: 14, x: 0, y: 0 });
    expect(Object.values(far.vt.layers).every((l) => l.length === 0)).toBe(true);

    // caching: the ETag answers 304; TileJSON pins the version in the tile URL
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"grids\./);
    const again = await s.get(`/tiles/grids/${t.z}/${t.x}/${t.y}.mvt`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const tj = await (await s.get('/tiles/grids.json')).json();
    expect(tj.tilejson).toBe('3.0.0');
    expect(tj.vector_layers.map((l: any) => l.id)).toEqual(['grids']);
    const pinned = await fetch(tj.tiles[0].replace('{z}', t.z).replace('{x}', t.x).replace('{y}', t.y));
    expect(pinned.headers.get('cache-control')).toMatch(/immutable/);
    const btj = await (await s.get('/tiles/basemap.json')).json();
    expect(btj.vector_layers.map((l: any) => l.id)).toEqual(['water', 'streets', 'buildings', 'boundaries']);
  });

  it('refuses bad tile requests with 400 naming the parameter', async () => {
    await expectProblem(await s.get('/tiles/grids/23/0/0.mvt'), 400, 'bad_request', 'z');
    await expectProblem(await s.get('/tiles/grids/a/0/0.mvt'), 400, 'bad_request', 'z');
    await expectProblem(await s.get('/tiles/grids/2/4/0.mvt'), 400, 'bad_request', 'x');
    await expectProblem(await s.get('/tiles/grids/2/0/4.mvt'), 400, 'bad_request', 'y');
    await expectProblem(await s.get('/tiles/residents/1/0/0.mvt'), 400, 'bad_request', 'layer');
    await expectProblem(await s.get('/tiles/residents.json'), 400, 'bad_request', 'layer');
  });
});
