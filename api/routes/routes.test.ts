// Every route of the spine on each engine: the app listens on a free port and is driven with fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadConfig } from '../config.ts';
import { WanggeApp } from '../app.ts';
import { loadTinyTown, tinyStreets, TINY, type TinyTown } from '../test/tiny-town.ts';

interface FC {
  type: string;
  layer: string;
  numberReturned: number;
  truncated: boolean;
  features: Array<{ id: string | number; geometry: { type: string; coordinates: any }; properties: Record<string, any> }>;
}

describe.each(testEngines())('HTTP API on the %s engine', (engine) => {
  let database: Database;
  let app: WanggeApp;
  let base: string;
  let town: TinyTown;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    town = await loadTinyTown(database.db);
    app = new WanggeApp(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), database, { webDir: null });
    await app.start();
    base = `http://127.0.0.1:${app.port}`;
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  const get = (p: string, init?: RequestInit) => fetch(`${base}${p}`, init);
  const layer = async (name: string, query = `jcode=${TINY.jcode}`): Promise<FC> => {
    const res = await get(`/api/layers/${name}.geojson?${query}`);
    expect(res.status, `${name}?${query}`).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const body = (await res.json()) as FC;
    expect(body.type).toBe('FeatureCollection');
    expect(body.numberReturned).toBe(body.features.length);
    return body;
  };
  /** expect a problem+json answer with this status, code and where.parameter */
  const expectProblem = async (res: Response, status: number, code: string, parameter?: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const p = await res.json();
    expect(p).toMatchObject({ status, code, type: `/api/problems/${code}` });
    expect(typeof p.title).toBe('string');
    expect(typeof p.detail).toBe('string');
    expect(p.detail).not.toMatch(/\bat .*\.ts:\d+/); // no stack traces
    if (parameter !== undefined) expect(p.where?.parameter).toBe(parameter);
    return p;
  };

  it('GET /api/health names the engine, its capabilities and PostGIS version', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    const h = await res.json();
    expect(h.status).toBe('ok');
    expect(h.engine).toBe(engine);
    expect(h.postgis).toMatch(/^\d+\.\d+\.\d+/);
    expect(h.capabilities).toEqual({ coverage: database.caps.coverage, coverageClean: database.caps.coverageClean, mvt: database.caps.mvt });
    // measured facts about the two engines (POSTGIS-NOTES.md)
    if (engine === 'embedded') expect(h.capabilities).toMatchObject({ coverage: true, mvt: false });
    else expect(h.capabilities.mvt).toBe(true);
  });

  it('sends security headers: a CSP of self only, no eval, no x-powered-by', async () => {
    const res = await get('/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/https?:/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('GET /api/jurisdictions lists the jurisdiction with its communities nested', async () => {
    const res = await get('/api/jurisdictions');
    expect(res.status).toBe(200);
    const { jurisdictions } = await res.json();
    expect(jurisdictions).toHaveLength(1);
    const j = jurisdictions[0];
    expect(j).toMatchObject({ jcode: TINY.jcode, code: TINY.jcode, name: TINY.name, level: 'county', parentCode: null });
    const { rows } = await sql<{ n: number }>`SELECT sum(households)::int AS n FROM address_points WHERE jcode = ${TINY.jcode}`.execute(database.db);
    expect(j.households).toBe(rows[0].n);
    expect(j.households).toBeGreaterThan(48 * 18);
    expect(j.bbox[0]).toBeCloseTo(TINY.x0, 6);
    expect(j.bbox[1]).toBeCloseTo(TINY.y0, 6);
    expect(j.bbox[2]).toBeCloseTo(TINY.x0 + TINY.n * TINY.dx, 6);
    expect(j.bbox[3]).toBeCloseTo(TINY.y0 + TINY.n * TINY.dy, 6);
    expect(j.children.map((c: any) => c.code).sort()).toEqual([...TINY.communities]);
    expect(j.children.every((c: any) => c.level === 'community' && c.parentCode === TINY.jcode && c.children.length === 0)).toBe(true);
  });

  it('GET /api/jurisdictions/{jcode} answers one, and 404 problem+json for an unknown code', async () => {
    const ok = await get(`/api/jurisdictions/${TINY.jcode}`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).children).toHaveLength(2);
    await expectProblem(await get('/api/jurisdictions/999999999999'), 404, 'not_found', 'jcode');
    await expectProblem(await get('/api/jurisdictions/bad%20code!'), 400, 'bad_request', 'jcode');
  });

  it('serves every layer with the features loaded, and no personal data', async () => {
    const streets = await layer('streets');
    expect(streets.features).toHaveLength(tinyStreets().length);
    expect(new Set(streets.features.map((f) => f.properties.kind))).toEqual(new Set(tinyStreets().map((s) => s.kind)));
    expect(streets.features.every((f) => f.geometry.type === 'LineString')).toBe(true);
    const river = streets.features.find((f) => f.properties.kind === 'river')!;
    expect(river.properties.name).toBe('示例河');

    const ap = await layer('address_points');
    expect(ap.features).toHaveLength(TINY.addressPoints);
    expect(ap.features.every((f) => f.geometry.type === 'Point' && Number.isInteger(f.properties.households))).toBe(true);
    const [lon, lat] = ap.features[0].geometry.coordinates;
    expect(lon).toBeGreaterThan(116); // GeoJSON is [lon, lat]
    expect(lat).toBeLessThan(41);

    const communities = await layer('communities');
    expect(communities.features.map((f) => f.id).sort()).toEqual([...TINY.communities]);
    expect(communities.features[0].geometry.type).toBe('MultiPolygon');

    const boundary = await layer('boundary');
    expect(boundary.features.map((f) => f.id)).toEqual([TINY.jcode]);

    const units = await layer('units');
    expect(units.features.map((f) => [f.id, f.properties.dedicated])).toEqual([['U1', false], ['U2', true]]);

    const hazards = await layer('hazards');
    expect(hazards.features).toHaveLength(TINY.hazards);
    expect(hazards.features.map((f) => f.geometry.type).sort()).toEqual(['Point', 'Point', 'Polygon']);
    expect(hazards.features.every((f) => !('description' in f.properties))).toBe(true);

    const cameras = await layer('cameras');
    expect(cameras.features.map((f) => [f.id, f.properties.bearing])).toEqual([['C1', 0], ['C2', 90], ['C3', 180]]);

    const text = JSON.stringify([streets, ap, communities, units, hazards, cameras]);
    expect(text).not.toMatch(/id_number|phone|birth/);
  });

  it('serves the grids of the published plan only, and none when no plan is published', async () => {
    const grids = await layer('grids');
    expect(grids.features).toHaveLength(TINY.publishedGrids);
    expect(grids.features.every((f) => f.properties.planId === town.publishedPlanId)).toBe(true);
    expect(grids.features.map((f) => f.id)).not.toContain('DRAFT001');
    expect(grids.features.map((f) => f.properties.households).sort()).toEqual([1000, 1001, 1002, 1003]);

    await database.db.updateTable('grid_plans').set({ status: 'archived' }).where('jcode', '=', TINY.jcode).where('id', '=', town.publishedPlanId).execute();
    try {
      const none = await layer('grids');
      expect(none.features).toEqual([]);
      expect(none.truncated).toBe(false);
    } finally {
      await database.db.updateTable('grid_plans').set({ status: 'published' }).where('jcode', '=', TINY.jcode).where('id', '=', town.publishedPlanId).execute();
    }
  });

  it('filters by bbox and cuts at the limit', async () => {
    const sw = [TINY.x0, TINY.y0, TINY.x0 + TINY.dx, TINY.y0 + TINY.dy].join(',');
    const some = await layer('address_points', `jcode=${TINY.jcode}&bbox=${sw}`);
    expect(some.features).toHaveLength(3); // the three buildings of the south-west block
    expect(some.truncated).toBe(false);
    const far = await layer('address_points', `jcode=${TINY.jcode}&bbox=100,20,100.1,20.1`);
    expect(far.features).toHaveLength(0);
    const five = await layer('address_points', `jcode=${TINY.jcode}&limit=5`);
    expect(five.features).toHaveLength(5);
    expect(five.truncated).toBe(true);
    const clamped = await layer('streets', `jcode=${TINY.jcode}&limit=99999999`);
    expect(clamped.features).toHaveLength(tinyStreets().length);
  });

  it('refuses bad parameters with 400 problem+json naming the parameter', async () => {
    const j = `jcode=${TINY.jcode}`;
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=a,b,c,d`), 400, 'bad_request', 'bbox');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=116.3,39.98,116.31`), 400, 'bad_request', 'bbox');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=116.3,39.98,Infinity,39.99`), 400, 'bad_request', 'bbox');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=116.31,39.98,116.30,39.99`), 400, 'bad_request', 'bbox');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=116.3,39.99,116.31,39.98`), 400, 'bad_request', 'bbox');
    const lat = await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=116.3,-95,116.31,39.99`), 400, 'bad_request', 'bbox');
    expect(lat.detail).toMatch(/-90\.\.90/);
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=39.98,116.3,39.99,116.31`), 400, 'bad_request', 'bbox'); // swapped axes
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&bbox=1,2,3,4&bbox=1,2,3,4`), 400, 'bad_request', 'bbox');
    const unknown = await expectProblem(await get(`/api/layers/residents.geojson?${j}`), 400, 'bad_request', 'layer');
    expect(unknown.detail).toContain('streets');
    await expectProblem(await get('/api/layers/streets.geojson'), 400, 'bad_request', 'jcode');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&limit=ten`), 400, 'bad_request', 'limit');
    await expectProblem(await get(`/api/layers/streets.geojson?${j}&limit=0`), 400, 'bad_request', 'limit');
    await expectProblem(await get('/api/layers/streets.geojson?jcode=999999999999'), 404, 'not_found', 'jcode');
  });

  it('answers unknown API routes with 404 problem+json, and bad or oversized bodies with 400 / 413', async () => {
    await expectProblem(await get('/api/no-such-thing'), 404, 'not_found', 'path');
    await expectProblem(await get('/api/layers/streets'), 404, 'not_found', 'path');
    const headers = { 'content-type': 'application/json' };
    await expectProblem(await get('/api/health', { method: 'POST', headers, body: '{"broken":' }), 400, 'bad_request', 'body');
    await expectProblem(await get('/api/health', { method: 'POST', headers, body: JSON.stringify({ x: 'x'.repeat(2_000_000) }) }), 413, 'too_large', 'body');
  });

  it('serves a plain page at / when no web bundle is given', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npm run build:web');
  });
});
